"""The notices that follow the case journey on its accepted referral, written automatically.

Departure and closure go from the sending side to the receiving side; the reception
confirmation and a summary of each monitoring contact go back to the sender (the heart of the
TRM, domain.md §4.9). Each notice is its own small transaction, after the journey's commit.
"""

from django.db import transaction
from django.utils import timezone

from trm.cases.record_kinds import Side
from trm.cases.workflow import CaseFacts

from .actions import audit_referral, cancel, locked_case, move, write_message
from .models import AWAITING_ANSWER, MessageKind, Referral, ReferralState

UNDER_WAY = frozenset({ReferralState.ACCEPTED, ReferralState.IN_PROGRESS})


def _locked_referral(case, states) -> Referral | None:
    referral = (
        Referral.objects.select_for_update(of=("self",))
        .filter(case_id=case.pk, state__in=sorted(states))
        .order_by("-sent_at")
        .first()
    )
    if referral is not None:
        referral.case = case
    return referral


def _notice(referral, kind, actor, payload, *, to_sender=False):
    message = write_message(referral, kind, user=actor, payload=payload, to_sender=to_sender)
    organisation = referral.receiver if to_sender else referral.sender
    audit_referral("notice_sent", referral, actor, organisation, message, kind=kind)
    return message


@transaction.atomic
def departure_notice(case, actor):
    """The person left for the country of origin: tell the receiver; the referral is under way."""
    locked = locked_case(case.pk)
    referral = _locked_referral(locked, {ReferralState.ACCEPTED})
    if referral is None:
        return None
    departure = CaseFacts(locked).latest("departure")
    move(referral, "start", actor)
    return _notice(
        referral,
        MessageKind.DEPARTURE_NOTICE,
        actor,
        {
            "departed_at": departure.facts.get("departed_at") if departure else None,
            "recorded_at": locked.returned_at.isoformat() if locked.returned_at else None,
        },
    )


@transaction.atomic
def reception_confirmation(case, actor):
    """The receiving side met the person: tell the sender who, where and when."""
    locked = locked_case(case.pk)
    referral = _locked_referral(locked, UNDER_WAY)
    if referral is None:
        return None
    reception = CaseFacts(locked).latest("reception", Side.RECEIVING)
    content = {**reception.facts, **(reception.details or {})} if reception else {}
    if referral.state == ReferralState.ACCEPTED:  # the departure notice did not go out
        move(referral, "start", actor)
    return _notice(
        referral,
        MessageKind.RECEPTION_CONFIRMATION,
        actor,
        {name: content.get(name) for name in ("received_at", "met_by", "place", "caregiver")},
        to_sender=True,
    )


@transaction.atomic
def monitoring_summary(record, actor):
    """A monitoring contact by the receiving organisation: its date and scores go back to the
    sender; the person's situation, in free text, stays with the receiver."""
    if record.kind != "monitoring_contact" or record.side != Side.RECEIVING:
        return None
    locked = locked_case(record.case_id)
    referral = _locked_referral(locked, {*UNDER_WAY, ReferralState.COMPLETED})
    if referral is None or referral.receiver_id != record.organisation_id:
        return None
    return _notice(
        referral,
        MessageKind.MONITORING_SUMMARY,
        actor,
        {
            "record": str(record.pk),
            "contacted_on": record.facts.get("contacted_on"),
            "days_after_return": record.facts.get("days_after_return"),
            "scores": record.facts.get("scores", {}),
        },
        to_sender=True,
    )


@transaction.atomic
def closure_notice(case, actor):
    """The case is closed: the referral under way is completed; one still unanswered lapses."""
    locked = locked_case(case.pk)
    referral = _locked_referral(locked, {*UNDER_WAY, *AWAITING_ANSWER})
    if referral is None:
        return None
    if referral.state in AWAITING_ANSWER:
        return cancel(referral, user=actor, payload={"because": "case_closed"})
    move(referral, "complete", actor)
    return _notice(
        referral,
        MessageKind.CLOSURE_NOTICE,
        actor,
        {
            "closure_reason": locked.closure_reason,
            "closed_at": (locked.closed_at or timezone.now()).isoformat(),
        },
    )


@transaction.atomic
def referral_withdrawn(case, actor):
    """The case went back to the pre-return assessment: an unanswered referral lapses."""
    locked = locked_case(case.pk)
    referral = _locked_referral(locked, AWAITING_ANSWER)
    if referral is None:
        return None
    return cancel(referral, user=actor, payload={"because": "referral_withdrawn"})
