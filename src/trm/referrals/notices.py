"""The notices that follow the case journey on its accepted referral, written automatically.

Departure and closure go from the sending side to the receiving side; the reception
confirmation and a summary of each monitoring contact go back to the sender (the heart of the
TRM, domain.md §4.9). Each is an effect the case's workflow names (`trm.cases.workflow`),
called inside the journey's step with the case row locked: the notice is written with the
step, and a notice that fails undoes the step.
"""

from django.db import transaction
from django.utils import timezone

from trm.cases.record_kinds import Side
from trm.cases.workflow import CaseFacts

from .actions import audit_referral, cancel, move, write_message
from .models import AWAITING_ANSWER, MessageKind, Referral, ReferralState

UNDER_WAY = frozenset({ReferralState.ACCEPTED, ReferralState.IN_PROGRESS})


def _locked_referral(case, states) -> Referral | None:
    """The case's latest referral in `states`, its row locked (after the case's)."""
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
    audit_referral("trm.referral.notice_sent", referral, actor, organisation, message, kind=kind)
    return message


@transaction.atomic(savepoint=False)
def departure_notice(case, actor):
    """The person left for the country of origin: tell the receiver; the referral is under way."""
    referral = _locked_referral(case, {ReferralState.ACCEPTED})
    if referral is None:
        return None
    departure = CaseFacts(case).latest("departure")
    move(referral, "start", actor)
    return _notice(
        referral,
        MessageKind.DEPARTURE_NOTICE,
        actor,
        {
            "departed_at": departure.facts.get("departed_at") if departure else None,
            "recorded_at": case.returned_at.isoformat() if case.returned_at else None,
        },
    )


@transaction.atomic(savepoint=False)
def reception_confirmation(case, actor):
    """The receiving side met the person: tell the sender who, where and when."""
    referral = _locked_referral(case, UNDER_WAY)
    if referral is None:
        return None
    reception = CaseFacts(case).latest("reception", Side.RECEIVING)
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


@transaction.atomic(savepoint=False)
def monitoring_summary(record, actor):
    """A monitoring contact by the receiving organisation: its date and scores go back to the
    sender; the person's situation, in free text, stays with the receiver."""
    if record.kind != "monitoring_contact" or record.side != Side.RECEIVING:
        return None
    referral = _locked_referral(record.case, {*UNDER_WAY, ReferralState.COMPLETED})
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


@transaction.atomic(savepoint=False)
def closure_notice(case, actor):
    """The case is closed: the referral under way is completed; one still unanswered lapses."""
    referral = _locked_referral(case, {*UNDER_WAY, *AWAITING_ANSWER})
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
            "closure_reason": case.closure_reason,
            "closed_at": (case.closed_at or timezone.now()).isoformat(),
        },
    )


@transaction.atomic(savepoint=False)
def referral_withdrawn(case, actor):
    """The case went back to the pre-return assessment: an unanswered referral lapses."""
    referral = _locked_referral(case, AWAITING_ANSWER)
    if referral is None:
        return None
    return cancel(referral, user=actor, payload={"because": "referral_withdrawn"})
