"""Referrals through the API: the sender sends, the receiving side reads its inbox and the
preview, asks, declines or accepts; the sender answers or cancels. Same actions as the pages."""

import datetime

import pytest
from django.utils import timezone

from tests.api.conftest import token_api
from tests.referrals.journeys import committed
from trm.access.models import Grant
from trm.audit.models import AuditEvent
from trm.referrals.models import Referral

pytestmark = pytest.mark.django_db

MEETING = {"met_by": "Elira, social worker", "place": "Tirana airport"}


def meeting(days=10):
    return {**MEETING, "meeting_at": (timezone.now() + datetime.timedelta(days=days)).isoformat()}


@pytest.fixture
def referred(journey):
    """A case at the referral stage, and the APIs of both organisations."""
    case = journey.to_referral()
    return case, token_api(journey.sender), token_api(journey.receiver)


def test_a_referral_is_sent_and_waits_in_the_receivers_inbox(journey, referred):
    case, spain, albania = referred
    sent = spain.post(f"/api/cases/{case.pk}/referrals", {
        "receiver": journey.receiver.pk, "categories": ["identity", "health"],
        "message": "Please receive her in Tirana.", "services": ["psychosocial"]})  # fmt: skip
    assert sent.status_code == 201, sent.json()
    referral = sent.json()
    assert sent.headers["Location"] == f"/api/referrals/{referral['id']}"
    assert referral["state"] == "received"
    assert referral["categories"] == ["health", "identity", "risk_to_life"]

    inbox = albania.get("/api/referrals/inbox").json()
    assert inbox["count"] == 1
    [waiting] = inbox["items"]
    assert waiting["preview"]["available"] is True
    assert "Anila" not in str(waiting), "the preview names no one"
    assert waiting["seconds_left"] > 0
    assert albania.get(f"/api/referrals/{referral['id']}/preview").json()["sex"] == "female"
    assert albania.get(f"/api/cases/{case.pk}").status_code == 404, "not before accepting"

    [message] = albania.get(f"/api/referrals/{referral['id']}/thread").json()
    assert message["content"] is None
    assert message["preview"]["available"] is True
    [content] = spain.get(f"/api/referrals/{referral['id']}/thread").json()
    assert content["content"]["person"]["given_name"] == "Anila"
    assert AuditEvent.objects.filter(action="trm.referral.read").count() == 2
    assert spain.get("/api/referrals/outbox").json()["items"][0]["id"] == referral["id"]
    assert [r["id"] for r in spain.get(f"/api/cases/{case.pk}/referrals").json()] == [
        referral["id"]
    ]


def test_a_referral_that_may_not_go_is_refused_with_the_reasons(journey, referred):
    case, spain, _albania = referred
    ukraine = journey.personas.organisation("UA")
    refused = spain.post(
        f"/api/cases/{case.pk}/referrals", {"receiver": ukraine.pk, "categories": ["identity"]}
    )
    assert refused.status_code == 409
    assert (
        f"The person has not consented to a referral to {ukraine.name}."
        in (refused.json()["reasons"])
    )
    nowhere = spain.post(
        f"/api/cases/{case.pk}/referrals", {"receiver": 999_999, "categories": ["identity"]}
    )
    assert nowhere.status_code == 422
    assert not Referral.objects.exists()


def test_the_receiver_asks_and_the_sender_answers(journey, referred):
    case, spain, albania = referred
    referral = journey.send(case)
    asked = albania.post(
        f"/api/referrals/{referral.pk}/questions", {"question": "Does she need a wheelchair?"}
    )
    assert asked.status_code == 201, asked.json()
    assert asked.json()["kind"] == "ask_information"
    answered = spain.post(
        f"/api/referrals/{referral.pk}/answers",
        {"in_reply_to": asked.json()["id"], "text": "No, she walks well."},
    )
    assert answered.status_code == 201, answered.json()
    assert answered.json()["in_reply_to"] == asked.json()["id"]
    kinds = [m["kind"] for m in spain.get(f"/api/referrals/{referral.pk}/thread").json()]
    assert kinds == ["send", "ask_information", "answer"]
    not_a_question = spain.post(
        f"/api/referrals/{referral.pk}/answers",
        {"in_reply_to": answered.json()["id"], "text": "Again."},
    )
    assert not_a_question.status_code in {404, 422}


def test_the_receiver_declines_with_a_reason(journey, referred):
    case, _spain, albania = referred
    referral = journey.send(case)
    assert albania.post(f"/api/referrals/{referral.pk}/decline", {"reason": ""}).status_code == 422
    declined = albania.post(f"/api/referrals/{referral.pk}/decline", {"reason": "No places."})
    assert declined.status_code == 200
    assert declined.json()["state"] == "declined"
    assert declined.json()["seconds_left"] is None
    again = albania.post(f"/api/referrals/{referral.pk}/decline", {"reason": "No places."})
    assert again.status_code == 409


def test_accepting_opens_the_shared_part_of_the_case(journey, referred):
    case, _spain, albania = referred
    referral = journey.send(case)
    naive = albania.post(f"/api/referrals/{referral.pk}/accept", {
        **MEETING, "meeting_at": "2030-01-01T10:00:00"})  # fmt: skip
    assert naive.status_code == 422, "a meeting time needs its time zone"
    with_extra = albania.post(f"/api/referrals/{referral.pk}/accept", {**meeting(), "x": 1})
    assert with_extra.status_code == 422
    accepted = albania.post(f"/api/referrals/{referral.pk}/accept", meeting())
    assert accepted.status_code == 200, accepted.json()
    assert accepted.json()["state"] == "accepted"
    seen = albania.get(f"/api/cases/{case.pk}").json()
    assert seen["stage"] == "return_preparation"
    assert "document_number" not in seen["person"]["fields"], "documents were not shared"
    assert seen["person"]["fields"]["given_name"] == "Anila"


def test_the_sender_cancels_and_the_receiver_loses_access(journey, referred):
    case, spain, albania = referred
    referral = journey.accept(journey.send(case))
    cancelled = spain.post(f"/api/referrals/{referral.pk}/cancel", {"reason": "She stays."})
    assert cancelled.status_code == 200, cancelled.json()
    assert cancelled.json()["state"] == "cancelled"
    assert not Grant.objects.active().filter(organisation=journey.receiver).exists()
    assert albania.get(f"/api/cases/{case.pk}").status_code == 404
    assert albania.post(f"/api/referrals/{referral.pk}/cancel", {"reason": "x"}).status_code == 404


def test_a_third_organisation_finds_no_referral(journey, referred):
    case, _spain, _albania = referred
    referral = committed(journey.send, case)
    morocco = token_api(journey.personas.organisation("MA"))
    for path in ["", "/preview", "/thread"]:
        response = morocco.get(f"/api/referrals/{referral.pk}{path}")
        assert response.status_code == 404, path
    assert morocco.get("/api/referrals/inbox").json()["count"] == 0
