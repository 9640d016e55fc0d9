"""A child who departed must be confirmed received within the receiving country's configured
hours; otherwise both countries' focal points are alerted."""

import datetime

import pytest
from django.core import mail

from trm.cases.stages import Stage
from trm.deadlines.models import Deadline, DeadlineKind, Notification, NotificationEvent

from .conftest import local, swept

pytestmark = pytest.mark.django_db

DEPARTED = local("ES", 2026, 5, 12, 8, 0)


@pytest.fixture
def child_departed(scene, time_machine):
    albania = scene.receiver.country
    albania.child_reception_alert_hours = 12
    albania.save()
    time_machine.move_to(DEPARTED, tick=False)
    case = scene.case(child=True, stage=Stage.RETURN_PREPARATION)
    return scene.departed(case)


def reception(case) -> Deadline:
    return Deadline.objects.get(case=case, kind=DeadlineKind.CHILD_RECEPTION)


def test_a_childs_unconfirmed_reception_alerts_both_focal_points_after_the_hours(
    scene, child_departed
):
    deadline = reception(child_departed)
    assert deadline.country.code == "AL", "the receiving country's hours count"
    assert deadline.due_at == DEPARTED + datetime.timedelta(hours=12)
    assert deadline.remind_at == DEPARTED + datetime.timedelta(hours=6)

    assert swept(DEPARTED + datetime.timedelta(hours=6, minutes=1))["reminded"] == 1
    reminded = Notification.objects.filter(event=NotificationEvent.REMINDER)
    assert {n.user for n in reminded} == {scene.receiving_worker}, "the receiver confirms it"

    mail.outbox.clear()
    assert swept(DEPARTED + datetime.timedelta(hours=11, minutes=59))["escalated"] == 0
    assert swept(DEPARTED + datetime.timedelta(hours=12, minutes=1))["escalated"] == 1
    assert swept(DEPARTED + datetime.timedelta(hours=13))["escalated"] == 0
    alerted = {n.user for n in Notification.objects.filter(event=NotificationEvent.OVERDUE)}
    assert alerted == {scene.sending_focal_point, scene.receiving_focal_point}
    assert sorted(m.to[0] for m in mail.outbox) == sorted(u.email for u in alerted)


def test_a_reception_confirmed_in_time_alerts_nobody(scene, child_departed, time_machine):
    time_machine.move_to(DEPARTED + datetime.timedelta(hours=3), tick=False)
    scene.received(child_departed)
    assert reception(child_departed).met_at == DEPARTED + datetime.timedelta(hours=3)
    swept(DEPARTED + datetime.timedelta(hours=13))
    assert not Notification.objects.filter(kind=DeadlineKind.CHILD_RECEPTION).exists()


def test_an_adults_reception_has_no_alert(scene, time_machine):
    time_machine.move_to(DEPARTED, tick=False)
    case = scene.departed(scene.case(stage=Stage.RETURN_PREPARATION))
    assert not Deadline.objects.filter(case=case, kind=DeadlineKind.CHILD_RECEPTION).exists()


def test_while_no_receiving_organisation_is_known_the_owners_country_counts(scene, time_machine):
    spain = scene.sender.country
    spain.child_reception_alert_hours = 6
    spain.save()
    time_machine.move_to(DEPARTED, tick=False)
    case = scene.case(child=True, stage=Stage.RETURN_PREPARATION)
    case = scene.moved(case, "depart", returned_at=DEPARTED)  # no receiving-side record yet
    deadline = reception(case)
    assert deadline.country == spain
    assert deadline.due_at == DEPARTED + datetime.timedelta(hours=6)
