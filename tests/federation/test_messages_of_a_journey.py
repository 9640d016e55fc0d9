"""The published schemas hold what the referral actions write on one node today: a child's case
walked from the referral to its closure, each message on its referral validated as the payload
of the type it will travel as between nodes (issue 12, item 3)."""

import pytest
from django.utils import timezone

from tests.referrals.journeys import Journey
from trm.federation.messages import validate_payload
from trm.referrals import actions
from trm.referrals.models import MessageKind, ReferralMessage

pytestmark = pytest.mark.django_db

# How each kind of message on a referral travels between nodes.
TYPE_OF = {
    MessageKind.SEND: "package",
    MessageKind.ACCEPT: "accept",
    MessageKind.DECLINE: "decline",
    MessageKind.ASK_INFORMATION: "ask",
    MessageKind.ANSWER: "answer",
    MessageKind.DEPARTURE_NOTICE: "departure",
    MessageKind.RECEPTION_CONFIRMATION: "reception",
    MessageKind.MONITORING_SUMMARY: "monitoring_summary",
    MessageKind.CLOSURE_NOTICE: "closure",
    MessageKind.CANCEL: "withdraw",
    MessageKind.CONSENT_WITHDRAWN: "consent_withdrawn",
}


def as_sent(message: ReferralMessage) -> dict:
    """The message's payload as it would travel: what the envelope adds to the one-node one."""
    payload = dict(message.payload)
    if message.kind == MessageKind.SEND:
        payload["referral"] = str(message.referral_id)
    if message.kind == MessageKind.ANSWER:
        payload["in_reply_to"] = str(message.in_reply_to_id)
    return payload


def offer_of(referral, package: dict) -> dict:
    """The preview an offer carries, made from the referral and what it sends on acceptance."""
    return {
        "referral": str(referral.pk),
        "reference": package["case"]["reference"],
        "categories": package["categories"],
        "summary": package["summary"],
        "response_due_at": referral.response_due_at.isoformat(),
        "sent_at": referral.sent_at.isoformat(),
        "services": package["summary"]["services"],
        "message": package["message"],
    }


def test_every_message_of_a_childs_journey_conforms_to_its_published_schema(personas):
    journey = Journey(personas)
    case = journey.to_referral(child=True, escort_needed=True)
    referral = journey.send(case, services=["psychosocial"], planned_return=timezone.localdate())
    question = journey.run(
        actions.ask_for_information, journey.receiving_worker, referral, "Who is her guardian?"
    )
    journey.run(actions.answer, journey.worker, referral, question, "The Madrid guardianship.")
    journey.accept(referral)
    journey.depart(case)
    journey.confirm_reception(case)
    journey.agree_plan(case)
    journey.monitor(case)
    journey.close(case)

    messages = list(ReferralMessage.objects.filter(referral=referral).order_by("sent_at"))
    kinds = [message.kind for message in messages]
    assert kinds == [
        MessageKind.SEND,
        MessageKind.ASK_INFORMATION,
        MessageKind.ANSWER,
        MessageKind.ACCEPT,
        MessageKind.DEPARTURE_NOTICE,
        MessageKind.RECEPTION_CONFIRMATION,
        MessageKind.MONITORING_SUMMARY,
        MessageKind.CLOSURE_NOTICE,
    ]
    for message in messages:
        payload = as_sent(message)
        assert validate_payload(TYPE_OF[message.kind], payload) == payload, message.kind
    package = as_sent(messages[0])
    assert package["records"], "the package carries the shared records"
    validate_payload("offer", offer_of(referral, package))


def test_a_declined_and_a_cancelled_referral_conform_too(personas):
    journey = Journey(personas)
    case = journey.to_referral()
    declined = journey.send(case)
    journey.run(actions.decline_referral, journey.receiving_worker, declined, "No place now.")
    cancelled = journey.send(case)
    journey.run(actions.cancel_referral, journey.worker, cancelled, "She wants to wait.")
    for message in ReferralMessage.objects.filter(referral__in=[declined, cancelled]):
        validate_payload(TYPE_OF[message.kind], as_sent(message))
