"""The answer to a referral: due in the receiving country's working days, reminded the working
day before, escalated once to the receiving country's focal points when it does not come.

Most scenarios hand `track_referral` what the referrals app hands it; the last one goes through
the referrals app's own actions."""

import datetime

import pytest
from django.core import mail
from django.db import connection

from tests.referrals.journeys import Journey, committed
from trm.accounts.models import Role
from trm.audit.models import AuditEvent
from trm.cases.stages import Stage
from trm.deadlines.models import Deadline, DeadlineKind, Notification, NotificationEvent
from trm.deadlines.sweep import escalate
from trm.deadlines.tracking import referral_answered, referral_withdrawn, track_referral
from trm.referrals.actions import cancel_referral, decline_referral

from .conftest import Scene, local, swept, swept_by_two_workers_at_once

pytestmark = pytest.mark.django_db

# Thursday 2 April 2026; Monday 6 April is a holiday in Albania (Catholic Easter, moved).
SENT = local("AL", 2026, 4, 2, 10, 30)
DUE = local("AL", 2026, 4, 10, 10, 30)  # Fri 3, Tue 7, Wed 8, Thu 9, Fri 10
REMINDED = local("AL", 2026, 4, 9, 10, 30)


@pytest.fixture
def referred(scene, time_machine):
    time_machine.move_to(SENT, tick=False)
    case = scene.case(stage=Stage.REFERRAL)
    referral = scene.referral(case)
    return referral, track_referral(referral)


def test_the_answer_is_due_after_five_albanian_working_days_skipping_easter_monday(referred):
    referral, deadline = referred
    assert deadline.kind == DeadlineKind.REFERRAL_RESPONSE
    assert deadline.referral_id == referral.pk
    assert deadline.country.code == "AL"
    assert deadline.due_at == DUE == referral.response_due_at
    assert deadline.remind_at == REMINDED, "one working day before"
    assert list(deadline.organisations.all()) == [referral.receiver]


def test_the_receiving_countrys_calendar_counts_not_the_senders(scene_in, time_machine):
    # Sent from Spain (Good Friday, 3 April, is off there) to Morocco (working that week).
    time_machine.move_to(SENT, tick=False)
    moroccan = scene_in("MA")
    deadline = track_referral(moroccan.referral(moroccan.case(stage=Stage.REFERRAL)))
    assert deadline.due_at == local("MA", 2026, 4, 9, 9, 30)


def test_an_unanswered_referral_is_reminded_once_then_escalated_exactly_once(
    scene, referred, time_machine
):
    _referral, deadline = referred
    assert swept(REMINDED - datetime.timedelta(minutes=1)) == {"reminded": 0, "escalated": 0}

    time_machine.move_to(REMINDED, tick=False)
    assert swept() == {"reminded": 1, "escalated": 0}
    assert swept() == {"reminded": 0, "escalated": 0}
    reminded = Notification.objects.filter(event=NotificationEvent.REMINDER)
    assert {n.user for n in reminded} == {scene.receiving_worker}, "the receiver's case staff"

    time_machine.move_to(DUE + datetime.timedelta(minutes=5), tick=False)
    mail.outbox.clear()
    for _run in range(4):
        swept()
    escalated = Notification.objects.filter(event=NotificationEvent.OVERDUE)
    assert [n.user for n in escalated] == [scene.receiving_focal_point]
    assert [m.to for m in mail.outbox] == [[scene.receiving_focal_point.email]]
    assert AuditEvent.objects.filter(action="trm.deadline.escalated").count() == 1
    deadline.refresh_from_db()
    assert deadline.escalated_at == DUE + datetime.timedelta(minutes=5)
    assert deadline.is_overdue()


def test_two_workers_that_read_the_deadline_at_once_escalate_it_once(referred, time_machine):
    _referral, deadline = referred
    time_machine.move_to(DUE + datetime.timedelta(hours=1), tick=False)
    now = DUE + datetime.timedelta(hours=1)
    # Both workers found the deadline overdue before either claimed it.
    first, second = escalate(deadline.pk, now), escalate(deadline.pk, now)
    assert (first, second) == (True, False)
    assert swept(now) == {"reminded": 0, "escalated": 0}
    assert Notification.objects.filter(event=NotificationEvent.OVERDUE).count() == 1
    assert AuditEvent.objects.filter(action="trm.deadline.escalated").count() == 1


@pytest.mark.skipif(
    connection.vendor == "sqlite",
    reason="the in-memory SQLite test database shares one cache between threads, so its "
    "writers fail instead of waiting; the claim above covers the logic",
)
@pytest.mark.django_db(transaction=True)
def test_two_workers_sweeping_in_parallel_escalate_once(personas, calendars, time_machine):
    scene = Scene(personas)
    time_machine.move_to(SENT, tick=False)
    track_referral(scene.referral(scene.case(stage=Stage.REFERRAL)))
    now = DUE + datetime.timedelta(hours=1)
    results, failures = swept_by_two_workers_at_once(now)
    assert failures == []
    assert sorted(result["escalated"] for result in results) == [0, 1]
    assert Notification.objects.filter(event=NotificationEvent.OVERDUE).count() == 1
    assert AuditEvent.objects.filter(action="trm.deadline.escalated").count() == 1


def test_a_referral_answered_in_time_alerts_nobody(referred, time_machine):
    referral, deadline = referred
    time_machine.move_to(SENT + datetime.timedelta(days=1), tick=False)
    assert referral_answered(referral)
    assert not referral_answered(referral), "answering twice changes nothing"
    assert swept(DUE + datetime.timedelta(days=3)) == {"reminded": 0, "escalated": 0}
    deadline.refresh_from_db()
    assert deadline.met_at == SENT + datetime.timedelta(days=1)
    assert not Notification.objects.exists()


def test_a_withdrawn_referral_is_no_longer_due(referred):
    referral, deadline = referred
    assert referral_withdrawn(referral)
    assert swept(DUE + datetime.timedelta(days=1)) == {"reminded": 0, "escalated": 0}
    assert Deadline.objects.get(pk=deadline.pk).cancel_reason == "withdrawn"


def test_tracking_a_referral_again_retimes_its_one_deadline(referred, time_machine):
    referral, deadline = referred
    referral.response_due_at = DUE + datetime.timedelta(days=7)
    again = track_referral(referral)
    assert again.pk == deadline.pk
    assert Deadline.objects.filter(referral_id=referral.pk).count() == 1
    assert again.due_at == DUE + datetime.timedelta(days=7)


def test_without_a_focal_point_in_the_receiving_country_the_owners_are_alerted(scene, referred):
    scene.receiving_focal_point.memberships.update(is_active=False)
    swept(DUE + datetime.timedelta(hours=1))
    alerted = {n.user for n in Notification.objects.filter(event=NotificationEvent.OVERDUE)}
    assert alerted == {scene.worker, scene.supervisor}


def test_the_referrals_actions_open_and_meet_the_deadline(personas, calendars, time_machine):
    time_machine.move_to(SENT, tick=False)
    journey = Journey(personas)
    focal_point = journey.staff(personas.organisation("AL", focal_point=True), Role.FOCAL_POINT)
    declined = journey.send(journey.to_referral())
    deadline = Deadline.objects.get(referral_id=declined.pk)
    assert deadline.due_at == DUE == declined.response_due_at
    committed(decline_referral, journey.receiving_worker, declined, "No place in the shelter.")
    assert Deadline.objects.get(pk=deadline.pk).met_at == SENT

    withdrawn = journey.send(declined.case)
    committed(cancel_referral, journey.worker, withdrawn, "She chose another organisation.")
    assert Deadline.objects.get(referral_id=withdrawn.pk).cancel_reason == "withdrawn"

    unanswered = journey.send(declined.case)
    assert swept(DUE + datetime.timedelta(minutes=1)) == {"reminded": 0, "escalated": 1}
    alerted = Notification.objects.get(deadline__referral_id=unanswered.pk, event="overdue")
    assert alerted.user == focal_point
