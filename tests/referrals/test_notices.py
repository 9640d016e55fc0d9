"""The notices that follow the journey on the accepted referral, sent without anyone asking."""

import json

import pytest

from trm.access.models import Grant
from trm.audit.models import AuditEvent
from trm.cases.stages import Stage
from trm.referrals.models import MessageKind, ReferralState

from .journeys import Journey, fresh

pytestmark = pytest.mark.django_db


@pytest.fixture
def journey(personas):
    return Journey(personas)


@pytest.fixture
def accepted(journey):
    referral = journey.send(journey.to_referral())
    return journey.accept(referral)


def latest(referral, kind):
    message = referral.messages.get(kind=kind)
    return message


def test_departure_sends_a_notice_to_the_receiver_and_the_referral_is_under_way(journey, accepted):
    journey.depart(accepted.case)
    accepted.refresh_from_db()
    assert accepted.state == ReferralState.IN_PROGRESS
    notice = latest(accepted, MessageKind.DEPARTURE_NOTICE)
    assert notice.from_organisation == journey.sender
    assert notice.to_organisation == journey.receiver
    assert notice.sent_by == journey.worker
    assert notice.received_at == notice.sent_at
    assert notice.payload["departed_at"]
    event = AuditEvent.objects.get(action="trm.referral.notice_sent")
    assert event.details["kind"] == MessageKind.DEPARTURE_NOTICE


def test_reception_is_confirmed_to_the_sender(journey, accepted):
    journey.depart(accepted.case)
    journey.confirm_reception(accepted.case)
    notice = latest(accepted, MessageKind.RECEPTION_CONFIRMATION)
    assert notice.from_organisation == journey.receiver
    assert notice.to_organisation == journey.sender
    assert notice.sent_by == journey.receiving_worker
    assert notice.payload["met_by"] == "Elira, social worker"
    assert notice.payload["place"] == "Tirana airport"
    assert notice.payload["received_at"]


def test_each_monitoring_contact_sends_its_scores_and_date_back_to_the_sender(journey, accepted):
    case = accepted.case
    journey.depart(case)
    journey.confirm_reception(case)
    journey.agree_plan(case)
    record = journey.monitor(case, economic_income=1, psychosocial_safety=4)
    summary = latest(accepted, MessageKind.MONITORING_SUMMARY)
    assert summary.from_organisation == journey.receiver
    assert summary.to_organisation == journey.sender
    assert summary.payload == {
        "record": str(record.pk),
        "contacted_on": record.facts["contacted_on"],
        "days_after_return": record.facts["days_after_return"],
        "scores": record.facts["scores"],
    }
    assert set(summary.payload["scores"]) == {
        "economic",
        "social",
        "psychosocial",
        "overall",
        "sustainable",
    }
    assert "bakery" not in json.dumps(summary.payload), "no free text goes back"
    journey.monitor(case)
    assert accepted.messages.filter(kind=MessageKind.MONITORING_SUMMARY).count() == 2


def test_closing_the_case_sends_a_closure_notice_and_completes_the_referral(journey, accepted):
    case = accepted.case
    journey.depart(case)
    journey.confirm_reception(case)
    journey.agree_plan(case)
    journey.monitor(case)
    closed = journey.close(case)
    assert closed.stage == Stage.CLOSED
    accepted.refresh_from_db()
    assert accepted.state == ReferralState.COMPLETED
    notice = latest(accepted, MessageKind.CLOSURE_NOTICE)
    assert notice.to_organisation == journey.receiver
    assert notice.payload["closure_reason"] == "completed"


@pytest.mark.parametrize("child", [False, True])
def test_a_whole_return_exchanges_every_message_in_order(journey, child):
    case = journey.to_referral(child=child)
    referral = journey.accept(journey.send(case))
    journey.depart(case)
    journey.confirm_reception(case)
    journey.agree_plan(case)
    journey.monitor(case)
    journey.close(case)
    assert list(referral.messages.values_list("kind", flat=True)) == [
        "send",
        "accept",
        "departure_notice",
        "reception_confirmation",
        "monitoring_summary",
        "closure_notice",
    ]
    # The referral's states, as its audit events saw them step by step.
    seen = AuditEvent.objects.filter(
        action__startswith="trm.referral.",
        details__referral=str(referral.pk),
        details__has_key="state",
    ).order_by("sequence")
    states = [event.details["state"] for event in seen]
    assert [s for i, s in enumerate(states) if i == 0 or states[i - 1] != s] == [
        "requested",
        "received",
        "accepted",
        "in_progress",
        "completed",
    ]
    assert fresh(case).stage == Stage.CLOSED


def test_closing_a_case_while_its_referral_waits_for_an_answer_withdraws_the_referral(
    journey,
):
    case = journey.to_referral()
    referral = journey.send(case)
    journey.close(case, reason="lost_contact")
    referral.refresh_from_db()
    assert referral.state == ReferralState.CANCELLED
    notice = referral.messages.latest("sent_at")
    assert notice.kind == MessageKind.CANCEL
    assert notice.payload == {"because": "case_closed"}
    assert not Grant.objects.exists()


def test_going_back_to_the_pre_return_assessment_withdraws_an_unanswered_referral(journey):
    case = journey.to_referral()
    referral = journey.send(case)
    journey.move(journey.worker, case, "withdraw_referral")
    referral.refresh_from_db()
    assert referral.state == ReferralState.CANCELLED
    assert referral.messages.latest("sent_at").payload == {"because": "referral_withdrawn"}


def test_a_failing_notice_undoes_the_departure(journey, accepted, monkeypatch):
    from trm.referrals import notices

    def broken(case, actor):
        raise RuntimeError("the notice broke")

    monkeypatch.setattr(notices, "departure_notice", broken)
    with pytest.raises(RuntimeError):
        journey.depart(accepted.case)
    assert fresh(accepted.case).stage == Stage.RETURN_PREPARATION, "the step is undone"
    accepted.refresh_from_db()
    assert accepted.state == ReferralState.ACCEPTED
    assert not accepted.messages.filter(kind=MessageKind.DEPARTURE_NOTICE).exists()
