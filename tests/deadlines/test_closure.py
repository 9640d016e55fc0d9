"""Closing a case cancels what is still due; reopening it brings back what is still ahead."""

import pytest

from trm.cases.stages import ClosureReason, Stage
from trm.deadlines.models import Deadline, DeadlineKind, Notification

from .conftest import local, swept

pytestmark = pytest.mark.django_db


@pytest.fixture
def monitored(scene, time_machine):
    returned = local("AL", 2026, 3, 2, 11, 0)
    time_machine.move_to(returned, tick=False)
    case = scene.departed(scene.case(stage=Stage.RETURN_PREPARATION), at=returned)
    case = scene.received(case, at=returned)
    scene.record(case, "reintegration_plan", {"agreed_on": "2026-03-10"})
    return case


def test_closure_cancels_the_open_deadlines_and_nothing_is_sent_after(
    scene, monitored, time_machine
):
    time_machine.move_to(local("AL", 2026, 3, 20, 10, 0), tick=False)
    case = scene.moved(
        monitored, "close", closed_at=local("AL", 2026, 3, 20, 10, 0),
        stage_before_closure=Stage.MONITORING, closure_reason=ClosureReason.LOST_CONTACT,
    )  # fmt: skip
    deadlines = Deadline.objects.filter(case=case)
    plan = deadlines.get(kind=DeadlineKind.REINTEGRATION_PLAN_DUE)
    assert plan.met_at is not None
    assert plan.cancelled_at is None, "what was met stays met"
    contacts = deadlines.filter(kind=DeadlineKind.MONITORING_CONTACT)
    assert contacts.count() == 4
    assert all(d.cancel_reason == "closure" for d in contacts)
    assert swept(local("AL", 2027, 6, 1, 0, 0)) == {"reminded": 0, "escalated": 0}
    assert not Notification.objects.exists()


def test_reopening_brings_back_the_deadlines_still_ahead(scene, monitored, time_machine):
    time_machine.move_to(local("AL", 2026, 3, 20, 10, 0), tick=False)
    case = scene.moved(monitored, "close", stage_before_closure=Stage.MONITORING)
    time_machine.move_to(local("AL", 2026, 7, 1, 10, 0), tick=False)  # past the 3-month one
    scene.moved(case, "reopen", stage=Stage.MONITORING)
    contacts = Deadline.objects.filter(case=case, kind=DeadlineKind.MONITORING_CONTACT)
    open_months = sorted(contacts.open().values_list("sequence", flat=True))
    assert open_months == [6, 12]
    assert set(contacts.exclude(sequence__in=[6, 12]).values_list("cancel_reason", flat=True)) == {
        "closure"
    }
