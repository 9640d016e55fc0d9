"""Monitoring contacts after the return: due months after it, on a working day of the country
the person returned to, overdue when that day ends there; each met by a contact in its window."""

import datetime

import pytest

from trm.cases.models import StageRecord
from trm.cases.stages import Stage
from trm.deadlines.models import Deadline, DeadlineKind, Notification, NotificationEvent
from trm.directory.clock import local_date

from .conftest import local, swept

pytestmark = pytest.mark.django_db


def returned(scene, time_machine, moment):
    """A case whose person departed and was received at `moment`."""
    time_machine.move_to(moment, tick=False)
    case = scene.case(stage=Stage.RETURN_PREPARATION)
    case = scene.departed(case, at=moment)
    return scene.received(case, at=moment)


def contact(case, months) -> Deadline:
    return Deadline.objects.get(
        case=case, kind=DeadlineKind.MONITORING_CONTACT, sequence=months, cancelled_at=None
    )


@pytest.mark.parametrize(
    ("country", "returned_on", "months", "due_on"),
    [
        # One month after 31 January is the last day of February: 29 in a leap year (Tuesday).
        ("AL", datetime.date(2028, 1, 31), 1, datetime.date(2028, 2, 29)),
        # 28 February 2026 is a Saturday: the contact is due on Monday.
        ("MA", datetime.date(2026, 1, 31), 1, datetime.date(2026, 3, 2)),
        # 28 February 2027 is a Sunday, counted in Kyiv's time.
        ("UA", datetime.date(2027, 1, 31), 1, datetime.date(2027, 3, 1)),
        # 14 January 2027 is the Amazigh New Year, off in Morocco but not in Albania.
        ("MA", datetime.date(2026, 10, 14), 3, datetime.date(2027, 1, 15)),
        ("AL", datetime.date(2026, 10, 14), 3, datetime.date(2027, 1, 14)),
    ],
)
def test_a_monitoring_contact_becomes_overdue_on_the_right_day_in_each_countrys_calendar(
    scene_in, time_machine, country, returned_on, months, due_on
):
    scene = scene_in(country)
    case = returned(scene, time_machine, local(country, *returned_on.timetuple()[:3], 11, 0))
    deadline = contact(case, months)
    assert deadline.country.code == country
    assert local_date(deadline.country, deadline.due_at) == due_on

    swept(local(country, *due_on.timetuple()[:3], 23, 55))
    deadline.refresh_from_db()
    assert deadline.escalated_at is None, "still due until the day ends in that country"

    the_day_after = due_on + datetime.timedelta(days=1)
    swept(local(country, *the_day_after.timetuple()[:3], 0, 5))
    deadline.refresh_from_db()
    assert deadline.escalated_at is not None
    alerted = {
        n.user
        for n in Notification.objects.filter(deadline=deadline, event=NotificationEvent.OVERDUE)
    }
    assert alerted == {scene.worker, scene.supervisor}, "the owners' case worker and supervisors"


def test_the_schedule_is_the_receiving_countrys(scene_in, time_machine):
    scene = scene_in("MA")
    scene.receiver.country.monitoring_schedule_months = [2, 6]
    scene.receiver.country.save()
    case = returned(scene, time_machine, local("MA", 2026, 3, 2, 11, 0))
    sequences = Deadline.objects.filter(case=case, kind=DeadlineKind.MONITORING_CONTACT)
    assert sorted(sequences.values_list("sequence", flat=True)) == [2, 6]


def test_each_contact_meets_the_scheduled_one_whose_window_holds_it(scene, time_machine):
    case = returned(scene, time_machine, local("AL", 2026, 3, 2, 11, 0))
    # Due 2 April, 2 June, 2 September 2026 and 2 March 2027; windows change halfway between.
    case.stage = Stage.MONITORING

    def contacted(on: str, **options):
        return scene.record(case, "monitoring_contact", {"contacted_on": on}, **options)

    late_first = contacted("2026-04-20")
    assert contact(case, 1).met_by == late_first, "late, but nearer the first than the second"
    contacted("2026-04-25")
    assert contact(case, 3).met_at is None, "a second contact in one window meets nothing more"
    second = contacted("2026-05-20")
    assert contact(case, 3).met_by == second
    assert contact(case, 6).met_at is None
    assert contact(case, 12).met_at is None

    corrected = StageRecord.objects.create(
        case=case,
        kind="monitoring_contact",
        stage=Stage.MONITORING,
        side=second.side,
        facts={"contacted_on": "2026-07-30"},
        organisation=second.organisation,
        recorded_by=second.recorded_by,
        supersedes=second,
    )
    from trm.cases.workflow import RECORD_EFFECTS
    from trm.lib import effects

    effects.run(RECORD_EFFECTS["monitoring_contact"], corrected, corrected.recorded_by)
    assert contact(case, 3).met_at is None, "the corrected date is in the next window"
    assert contact(case, 6).met_by == corrected
