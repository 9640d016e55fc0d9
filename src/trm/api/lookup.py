"""Finding what a call is about, through the policy: hidden things are simply not found."""

from trm.access.policy import CaseAccess, access_to
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
