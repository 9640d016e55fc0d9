"""Two returns walked from identification to closure through the actions only: an adult from
Spain to Morocco, a child from Greece to Albania. The messages between the two sides and the
audit trail are checked at the end."""

import pytest

from tests.referrals.journeys import Journey
from trm.audit.models import AuditEvent
from trm.audit.verify import verify_chain
from trm.cases.stages import Stage
from trm.referrals.models import ReferralMessage

pytestmark = pytest.mark.django_db

MESSAGES = ["send", "accept", "departure_notice", "reception_confirmation",
            "monitoring_summary", "closure_notice"]  # fmt: skip


def walk(team, *, child, person):
    case = team.to_referral(child=child, person=person, escort_needed=child)
    assert case.stage == Stage.REFERRAL
    referral = team.send(case)
    team.accept(referral)
    for step, stage in [
        (team.depart, Stage.TRAVEL),
        (team.confirm_reception, Stage.REINTEGRATION),
        (team.agree_plan, Stage.MONITORING),
    ]:
        case = step(case)
        assert case.stage == stage
    team.monitor(case)
    case = team.close(case)
    assert case.stage == Stage.CLOSED
    assert case.closure_reason == "completed"
    return case, referral


def test_an_adult_returns_from_spain_to_morocco(personas):
    team = Journey(personas, sending="ES", receiving="MA")
    case, referral = walk(team, child=False, person={
        "given_name": "فاطمة", "family_name": "بنعلي", "given_name_latin": "Fatima",
        "family_name_latin": "Benali", "citizenship": "MA"})  # fmt: skip
    kinds = list(ReferralMessage.objects.filter(referral=referral).order_by("sent_at")
                 .values_list("kind", flat=True))  # fmt: skip
    assert kinds == MESSAGES
    moves = AuditEvent.objects.filter(action="trm.case.moved", object_id=str(case.pk))
    assert [event.details["to"] for event in moves.order_by("sequence")] == [
        "first_assistance", "options_counselling", "pre_return_assessment", "referral",
        "return_preparation", "travel", "reintegration", "monitoring", "closed",
    ]  # fmt: skip
    assert verify_chain().ok


def test_a_child_returns_from_greece_to_albania_with_every_safeguard(personas):
    team = Journey(personas, sending="GR", receiving="AL")
    case, referral = walk(team, child=True, person={
        "given_name": "Anila", "family_name": "Krasniqi", "citizenship": "AL"})  # fmt: skip
    records = {record.kind for record in case.records.all()}
    assert {"guardian", "best_interests_determination", "family_assessment",
            "reception_arrangements", "reception", "return_preparation"} <= records  # fmt: skip
    assert case.approvals.filter(subject="best_interests_determination", approved=True).exists()
    assert case.received_at is not None
    kinds = set(ReferralMessage.objects.filter(referral=referral).values_list("kind", flat=True))
    assert kinds == set(MESSAGES)
    assert verify_chain().ok
    assert not AuditEvent.objects.filter(details__icontains="Anila").exists()
