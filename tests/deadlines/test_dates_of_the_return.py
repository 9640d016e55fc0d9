"""The deadlines after a return count from when the person left and arrived, as recorded, not
from when someone recorded it: a departure entered four days late is still four days old."""

import datetime

import pytest

from tests.referrals.journeys import Journey, fresh
from trm.deadlines.models import Deadline, DeadlineKind

from .conftest import local

pytestmark = pytest.mark.django_db


def the(case, kind, **filters) -> Deadline:
    return Deadline.objects.get(case=case, kind=kind, **filters)


def test_a_return_recorded_late_counts_its_deadlines_from_the_recorded_moments(
    personas, calendars, time_machine
):
    time_machine.move_to(local("ES", 2026, 3, 2, 9, 0), tick=False)
    journey = Journey(personas)
    case = journey.to_referral(child=True)
    journey.accept(journey.send(case))
    journey.add(journey.receiving_worker, case, "risk_assessment", {"risk_level": "low"})
    journey.add(
        journey.receiving_worker,
        case,
        "family_assessment",
        {"outcome": "suitable", "caregiver": "Her aunt", "assessment": "A stable home."},
    )
    journey.add(journey.worker, case, "return_preparation", {
        "travel_documents_ready": True, "departure_on": "2026-03-16", "itinerary": "By air.",
        "escort_arranged": True})  # fmt: skip

    # Four days after the fact, on 20 March, the departure and the reception are recorded.
    time_machine.move_to(local("ES", 2026, 3, 20, 9, 0), tick=False)
    departed = local("ES", 2026, 3, 16, 20, 0)
    received = local("AL", 2026, 3, 16, 23, 0)
    journey.move(journey.worker, case, "depart", data={"departed_at": departed.isoformat()})
    assert fresh(case).returned_at == departed
    reception = the(case, DeadlineKind.CHILD_RECEPTION)
    assert reception.starts_at == departed
    assert reception.due_at == departed + datetime.timedelta(hours=24)

    journey.move(journey.receiving_worker, case, "confirm_reception", data={
        "received_at": received.isoformat(), "met_by": "Elira", "place": "Tirana airport",
        "caregiver": "Her aunt"})  # fmt: skip
    assert fresh(case).received_at == received
    plan = the(case, DeadlineKind.REINTEGRATION_PLAN_DUE)
    assert plan.due_at == local("AL", 2026, 4, 15, 23, 59), "30 days after 16 March"
    first = the(case, DeadlineKind.MONITORING_CONTACT, sequence=1)
    assert first.starts_at == departed
    assert first.due_at == local("AL", 2026, 4, 16, 23, 59), "a month after 16 March"
