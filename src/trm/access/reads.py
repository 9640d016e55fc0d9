"""Reading personal data: always through the policy, always leaving an audit event."""

from trm.audit.log import record
from trm.cases.models import Case
from trm.lib.errors import CASE_NOT_FOUND, NotAllowed

from .policy import Action, CaseAccess, access_to

# What each purpose of reading is called in the audit trail (literals: see trm.audit.actions).
READ_ACTIONS = {
    "viewed": "trm.case.viewed",
    "opened_for_edit": "trm.case.opened_for_edit",
    "records_viewed": "trm.case.records_viewed",
    "consent_viewed": "trm.case.consent_viewed",
    "attachment_downloaded": "trm.case.attachment_downloaded",
}


def read_case(user, case_id, *, action: str = Action.VIEW, purpose: str = "viewed"):
    """The case and the user's access to it, audited as `READ_ACTIONS[purpose]`.

    A case the user may not see is reported exactly like one that does not exist.
    """
    case = (
        Case.objects.select_related("person__data_key", "owner__country", "case_worker")
        .filter(pk=case_id)
        .first()
    )
    access = access_to(user, case) if case is not None else CaseAccess()
    audited = READ_ACTIONS[purpose]  # before the check: an unknown purpose is a programming error
    if not access.allows(action):
        raise NotAllowed(CASE_NOT_FOUND)
    record(
        audited,
        actor=user,
        organisation=case.owner,
        target=case,
        details={"via": list(access.via)},
    )
    return case, access
