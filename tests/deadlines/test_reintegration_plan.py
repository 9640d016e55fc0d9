"""The reintegration plan is due a month (the receiving country's days) after the return, at
the end of a working day there; the case's owners are alerted when it is missing."""

import datetime

import pytest

from trm.cases.stages import Stage
from trm.deadlines.models import Deadline, DeadlineKind, Notification, NotificationEvent
from trm.directory.clock import local_date

from .conftest import local, swept

pytestmark = pytest.mark.django_db


def received(scene, time_machine, moment):
    time_machine.move_to(moment, tick=False)
    case = scene.departed(scene.case(stage=Stage.RETURN_PREPARATION), at=moment)
    return scene.received(case, at=moment)


def plan(case) -> Deadline:
    return Deadline.objects.get(case=case, kind=DeadlineKind.REINTEGRATION_PLAN_DUE)


def test_the_reintegration_plan_is_due_a_month_after_the_return(scene, time_machine):
    case = received(scene, time_machine, local("AL", 2026, 3, 2, 11, 0))
    deadline = plan(case)
    assert deadline.country.code == "AL"
    assert scene.receiver.country.reintegration_plan_due_days == 30
    assert deadline.due_at == local("AL", 2026, 4, 1, 23, 59)
    assert deadline.remind_at == local("AL", 2026, 3, 25, 23, 59), "five working days before"

    swept(local("AL", 2026, 3, 26, 9, 0))
    reminded = Notification.objects.filter(deadline=deadline, event=NotificationEvent.REMINDER)
    assert {n.user for n in reminded} == {scene.receiving_worker}

    swept(local("AL", 2026, 4, 1, 18, 0))
    deadline.refresh_from_db()
    assert deadline.escalated_at is None
    swept(local("AL", 2026, 4, 2, 0, 5))
    alerted = Notification.objects.filter(deadline=deadline, event=NotificationEvent.OVERDUE)
    assert {n.user for n in alerted} == {scene.worker, scene.supervisor}


def test_a_plan_due_on_a_holiday_is_due_the_next_working_day(scene, time_machine):
    # 30 days after 1 November 2026 is 1 December, Liberation Day (moved) in Albania.
    case = received(scene, time_machine, local("AL", 2026, 11, 1, 11, 0))
    deadline = plan(case)
    assert local_date(deadline.country, deadline.due_at) == datetime.date(2026, 12, 2)


def test_the_plan_agreed_in_time_meets_the_deadline(scene, time_machine):
    case = received(scene, time_machine, local("AL", 2026, 3, 2, 11, 0))
    time_machine.move_to(local("AL", 2026, 3, 20, 10, 0), tick=False)
    record = scene.record(case, "reintegration_plan", {"agreed_on": "2026-03-20"})
    deadline = plan(case)
    assert deadline.met_by == record
    swept(local("AL", 2026, 4, 10, 0, 0))
    assert not Notification.objects.filter(deadline=deadline).exists()
