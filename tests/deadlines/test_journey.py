"""The journey's real actions open, meet and cancel the deadlines, from the reflection period to
the closure (a child's return from Spain to Albania, walked with tests/referrals/journeys.py)."""

import datetime

import pytest

from tests.referrals.journeys import Journey, fresh
from trm.deadlines.models import Deadline, DeadlineKind

from .conftest import local, swept

pytestmark = pytest.mark.django_db


def the(case, kind, **filters) -> Deadline:
    return Deadline.objects.get(case=case, kind=kind, **filters)


def test_a_childs_journey_opens_meets_and_cancels_its_deadlines(personas, calendars, time_machine):
    time_machine.move_to(local("ES", 2026, 3, 2, 9, 0), tick=False)
    journey = Journey(personas)
    case = journey.to_referral(child=True)
    reflection = the(case, DeadlineKind.REFLECTION_PERIOD_END)
    assert reflection.country.code == "ES"
    days = journey.sender.country.reflection_period_days  # 90 in Spain
    ends_on = datetime.date(2026, 3, 2) + datetime.timedelta(days=days)
    assert reflection.due_at == local("ES", *ends_on.timetuple()[:3], 23, 59)
    assert reflection.met_at is not None, "met when the person chose to return"

    referral = journey.send(case)
    response = the(case, DeadlineKind.REFERRAL_RESPONSE)
    assert response.referral_id == referral.pk
    assert response.due_at == referral.response_due_at
    assert response.is_open

    time_machine.move_to(local("ES", 2026, 3, 4, 9, 0), tick=False)
    journey.accept(referral)
    assert the(case, DeadlineKind.REFERRAL_RESPONSE).met_at is not None

    time_machine.move_to(local("ES", 2026, 3, 20, 9, 0), tick=False)
    journey.depart(case)
    reception = the(case, DeadlineKind.CHILD_RECEPTION)
    assert reception.country.code == "AL", "the country of the organisation that accepted"
    assert list(reception.organisations.all()) == [journey.receiver]
    assert reception.due_at == fresh(case).returned_at + datetime.timedelta(hours=24)

    time_machine.move_to(local("AL", 2026, 3, 20, 15, 0), tick=False)
    journey.confirm_reception(case)
    assert the(case, DeadlineKind.CHILD_RECEPTION).met_at is not None
    plan = the(case, DeadlineKind.REINTEGRATION_PLAN_DUE)
    assert plan.due_at == local("AL", 2026, 4, 20, 23, 59)  # 19 April is a Sunday
    contacts = Deadline.objects.filter(case=case, kind=DeadlineKind.MONITORING_CONTACT)
    assert sorted(contacts.values_list("sequence", flat=True)) == [1, 3, 6, 12]

    journey.agree_plan(case)
    assert the(case, DeadlineKind.REINTEGRATION_PLAN_DUE).met_at is not None
    first_contact = journey.monitor(case)
    assert the(case, DeadlineKind.MONITORING_CONTACT, sequence=1).met_by == first_contact

    time_machine.move_to(local("AL", 2026, 4, 10, 9, 0), tick=False)
    journey.close(case)
    still_due = Deadline.objects.filter(case=case).open()
    assert not still_due.exists()
    cancelled = Deadline.objects.filter(case=case, cancel_reason="closure")
    assert sorted(cancelled.values_list("sequence", flat=True)) == [3, 6, 12]
    assert swept(local("AL", 2027, 6, 1, 0, 0)) == {"reminded": 0, "escalated": 0}
