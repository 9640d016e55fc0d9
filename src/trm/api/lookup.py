"""Finding what a call is about, through the policy: hidden things are simply not found."""

from django.db import transaction

from trm.access.policy import CaseAccess, access_to
from trm.cases.locking import lock_case
from trm.cases.models import Case
from trm.lib.errors import CASE_NOT_FOUND, NotAllowed

NOT_FOUND = CASE_NOT_FOUND


def visible_case(user, case_id) -> tuple[Case, CaseAccess]:
    """The case and the user's access, or 404. Not audited: for writes and for calls that
    show no personal data; reads of personal data go through `read_case`."""
    case = (
        Case.objects.select_related("owner__country", "person__data_key").filter(pk=case_id).first()
    )
    access = access_to(user, case) if case is not None else CaseAccess()
    if not access:
        raise NotAllowed(NOT_FOUND)
    return case, access


def check_version(case: Case, version: int | None) -> None:
    """Lock the case and refuse a stale version, for actions that take none themselves.

    Call inside the transaction of the action: the lock holds until it commits.
    """
    if version is None:
        return
    assert transaction.get_connection().in_atomic_block, "check the version inside a transaction"
    lock_case(case.pk, version=version, related=())
