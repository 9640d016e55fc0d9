"""What each side of a case may write: the table the actions enforce (domain.md §6).

The sending side (the owning organisation) works the whole case. The receiving side, once its
referral is accepted, writes only its own part of the journey: the records its stages call for,
corrections of what it wrote, its notes and documents, messages on the referral, and the news
that the person withdrew consent in front of it; never the person's identity, the sender's
records or the sender's consent records. Data protection officers and emergency readers never
write case data, on either side.
"""

from django.db.models import TextChoices
from django.utils.translation import gettext_lazy as _

from trm.accounts.models import Role
from trm.lib.errors import CASE_NOT_FOUND, Forbidden, NotAllowed

from .policy import CaseAccess, Side


class Write(TextChoices):
    PERSON = "person", _("correct the person's data")
    RECORD = "record", _("record the forms of its part of the journey")
    CORRECTION = "correction", _("correct the records it made")
    STEP = "step", _("take the steps of its part of the journey")
    NOTE = "note", _("write notes")
    DOCUMENT = "document", _("attach documents")
    CONSENT = "consent", _("record or withdraw the person's consent")
    WITHDRAWAL_REPORT = "withdrawal_report", _("pass on a withdrawal of consent to the sender")
    REFERRAL = "referral", _("send or cancel a referral")
    APPROVAL_REQUEST = "approval_request", _("ask a supervisor for approval")
    APPROVAL_DECISION = "approval_decision", _("approve or return a decision")
    ASSIGNMENT = "assignment", _("assign the case")


SENDING_WORK = frozenset(
    {
        Write.PERSON,
        Write.RECORD,
        Write.CORRECTION,
        Write.STEP,
        Write.NOTE,
        Write.DOCUMENT,
        Write.CONSENT,
        Write.REFERRAL,
        Write.APPROVAL_REQUEST,
    }
)
RECEIVING_WORK = frozenset(
    {
        Write.RECORD,
        Write.CORRECTION,
        Write.STEP,
        Write.NOTE,
        Write.DOCUMENT,
        Write.WITHDRAWAL_REPORT,
    }
)

# (side, role) → what that role may write on a case from that side. Absent: nothing.
WRITES = {
    (Side.SENDING, Role.CASE_WORKER): SENDING_WORK,
    (Side.SENDING, Role.FOCAL_POINT): SENDING_WORK,
    (Side.SENDING, Role.SUPERVISOR): SENDING_WORK | {Write.APPROVAL_DECISION, Write.ASSIGNMENT},
    (Side.SENDING, Role.DATA_PROTECTION_OFFICER): frozenset(),
    (Side.RECEIVING, Role.CASE_WORKER): RECEIVING_WORK,
    (Side.RECEIVING, Role.FOCAL_POINT): RECEIVING_WORK,
    (Side.RECEIVING, Role.SUPERVISOR): RECEIVING_WORK,
    (Side.RECEIVING, Role.DATA_PROTECTION_OFFICER): frozenset(),
}

REFUSED = {
    Write.PERSON: _("Only the owning organisation corrects the person's data."),
    Write.CORRECTION: _("Only the organisation that made a record corrects it."),
    Write.CONSENT: _(
        "Only the owning organisation records or withdraws the person's consent. If the person "
        "withdrew consent in front of you, tell the sender on the referral."
    ),
    Write.WITHDRAWAL_REPORT: _("Only the organisation the case was referred to passes this on."),
    Write.REFERRAL: _("Only the owning organisation sends or cancels a referral."),
    Write.APPROVAL_REQUEST: _("Only the owning organisation asks for this approval."),
    Write.APPROVAL_DECISION: _("Only a supervisor of the owning organisation decides this."),
}
READ_ONLY = _("You may read this case but not change it.")


def writes_of(access: CaseAccess) -> frozenset:
    """Everything the holder of `access` may write on the case."""
    found = set()
    for role in access.roles:
        found |= WRITES.get((access.side, role), frozenset())
    return frozenset(found)


def may_write(access: CaseAccess, write: str) -> bool:
    return write in writes_of(access)


def require(access: CaseAccess, write: str) -> None:
    """Refuse, saying why, unless the holder of `access` may `write`. A reader who may see
    nothing of the case learns nothing: they get the refusal of a missing case."""
    if not access:
        raise NotAllowed(CASE_NOT_FOUND)
    if may_write(access, write):
        return
    if not writes_of(access):
        raise Forbidden(READ_ONLY)
    raise Forbidden(REFUSED.get(write, READ_ONLY))
