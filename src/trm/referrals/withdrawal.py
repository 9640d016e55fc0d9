"""A person withdraws consent: the sharing it allowed ends coherently on both sides.

Whether the sending side records the withdrawal or the receiving side passes on one the person
made in front of it, the result is the same: the sender's consent record says so, the
receiving organisation's access ends, the referral it allowed is cancelled with a message on
its thread, its deadlines end, and the case can go on (refer again, or close with the reason
"the person withdrew consent") instead of waiting for a side that can no longer act.
"""

from django.utils.translation import gettext_lazy as _

from trm.access.categories import ALWAYS_SHARED
from trm.access.policy import access_to
from trm.access.rights import Write, require
from trm.consent.actions import record_withdrawal, still_consented
from trm.consent.models import ConsentRecord, Purpose
from trm.consent.state import current_consents
from trm.deadlines import tracking
from trm.lib import limits
from trm.lib.errors import Conflict, NotAllowed
from trm.lib.steps import step

from .actions import NOT_FOUND, _locked, cancel
from .models import OPEN_STATES, MessageKind, Referral


def _end_referrals_no_longer_consented(actor, case, organisation, *, kind, to_sender, payload):
    """Cancel the open referrals of `case` to `organisation` that consent no longer covers."""
    still = still_consented(case.person, organisation)
    for referral in Referral.objects.select_for_update(of=("self",)).filter(
        case_id=case.pk, receiver=organisation, state__in=sorted(OPEN_STATES)
    ):
        if set(referral.categories) - ALWAYS_SHARED <= still:
            continue
        referral.case = case
        cancel(referral, user=actor, payload=payload, kind=kind, to_sender=to_sender)
        tracking.sharing_ended(case, organisation)


def consent_withdrawn(withdrawal: ConsentRecord, actor) -> None:
    """A withdrawal of consent to refer, recorded by the owning organisation (an effect of
    `consent.actions.withdraw_consent`): the referrals it no longer covers end."""
    if withdrawal.purpose == Purpose.REFERRAL and withdrawal.recipient_organisation_id:
        _end_referrals_no_longer_consented(
            actor,
            withdrawal.case,  # the step's locked instance
            withdrawal.recipient_organisation,
            kind=MessageKind.CONSENT_WITHDRAWN,
            to_sender=False,
            payload={"because": "consent_withdrawn"},
        )


@step
def report_withdrawal(actor, referral: Referral, note: str = "", *, language: str | None = None):
    """The receiving organisation passes on that the person withdrew, in front of it, their
    consent to this referral: the sender's consent records change and the referral ends."""
    locked = _locked(referral)
    case = locked.case
    access = access_to(actor, case)
    require(access, Write.WITHDRAWAL_REPORT)
    if locked.receiver_id not in access.organisations:
        raise NotAllowed(NOT_FOUND)
    if locked.state not in OPEN_STATES:
        raise Conflict(_("This referral has ended already: there is no consent left to withdraw."))
    note = limits.checked(note, limits.REASON, "note")
    withdrawals = withdraw_referral_consents(actor, locked, note, language=language)
    _end_referrals_no_longer_consented(
        actor,
        case,
        locked.receiver,
        kind=MessageKind.CONSENT_WITHDRAWN,
        to_sender=True,
        payload={"because": "consent_withdrawn", "note": note},
    )
    if not case.owner.is_hosted_here:
        # The case is this node's copy of another node's: kept by that consent alone.
        from .crossing import destroy_copy

        destroy_copy(locked, actor, because="consent_withdrawn", confirms="")
    return withdrawals


def withdraw_referral_consents(actor, referral: Referral, note: str, *, language=None):
    """The consents to refer the case to the (locked) referral's receiver, withdrawn."""
    case = referral.case
    consents = current_consents(case.person).filter(
        purpose=Purpose.REFERRAL, recipient_organisation_id=referral.receiver_id
    )
    return [
        record_withdrawal(actor, case, consent, note, language=language) for consent in consents
    ]
