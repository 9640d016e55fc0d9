"""Dates that make sense: birth dates in a lifetime, citizenship from the directory, the
journey's dates not in the future and in order; the case's dates are the recorded ones.
Each refusal names its field and changes nothing."""

import datetime

import pytest
from django.utils import timezone

from tests.referrals.journeys import ALL_SCORES_3, Journey, fresh, today
from trm.cases.actions import casework
from trm.cases.models import Case
from trm.cases.stages import Stage
from trm.lib.errors import DomainError

pytestmark = pytest.mark.django_db

ANNA = {"given_name": "Anna", "family_name": "Koval", "sex": "female"}


def field_errors(action, *args, **kwargs) -> dict:
    """The refusal's messages by field (`action` must be refused)."""
    with pytest.raises(DomainError) as refusal:
        action(*args, **kwargs)
    return refusal.value.errors


@pytest.fixture
def team(personas):
    return Journey(personas, sending="PL", receiving="UA")


def test_a_birth_date_in_the_future_or_beyond_a_lifetime_is_refused(team):
    tomorrow_everywhere = timezone.localdate() + datetime.timedelta(days=2)
    for birth_date, message in [
        (tomorrow_everywhere, "The birth date cannot be in the future."),
        (datetime.date(1900, 1, 1), "The birth date cannot be more than 110 years ago."),
    ]:
        errors = field_errors(casework.open_case, team.worker, team.sender,
                              person={**ANNA, "birth_date": birth_date})  # fmt: skip
        assert errors == {"birth_date": [message]}
    assert not Case.objects.exists()
    old = timezone.localdate().replace(year=timezone.localdate().year - 109, day=1)
    assert casework.open_case(team.worker, team.sender, person={**ANNA, "birth_date": old})


def test_citizenship_is_a_country_of_the_directory(team):
    for code in ("XX", "ZZ"):
        errors = field_errors(casework.open_case, team.worker, team.sender,
                              person={**ANNA, "citizenship": code})  # fmt: skip
        assert errors == {"citizenship": ["Choose the citizenship among the countries of the "
                                          "directory."]}  # fmt: skip
    case = casework.open_case(team.worker, team.sender, person={**ANNA, "citizenship": "UA"})
    assert field_errors(casework.update_person, team.worker, case, {"citizenship": "ZZ"},
                        version=case.version) == {"citizenship": [  # fmt: skip
        "Choose the citizenship among the countries of the directory."]}  # fmt: skip
    assert fresh(case).person.citizenship == "UA", "nothing was changed"


@pytest.fixture
def accepted(team):
    case = team.to_referral()
    team.accept(team.send(case))
    team.add(team.receiving_worker, case, "risk_assessment", {"risk_level": "low"})
    team.add(team.worker, case, "return_preparation", {
        "travel_documents_ready": True, "departure_on": today(), "itinerary": "By bus.",
    })  # fmt: skip
    return fresh(case)


RECEPTION = {"met_by": "Olena, social worker", "place": "Lviv bus station"}


def test_the_journeys_dates_cannot_be_in_the_future_nor_out_of_order(team, accepted):
    case, now = accepted, timezone.now()
    tomorrow = now + datetime.timedelta(days=1)
    assert field_errors(
        team.move, team.worker, case, "depart", data={"departed_at": tomorrow.isoformat()}
    ) == {  # fmt: skip
        "departed_at": ["Departed at cannot be in the future."]
    }
    assert fresh(case).stage == Stage.RETURN_PREPARATION, "nothing was changed"

    departed = now - datetime.timedelta(days=3)
    team.move(team.worker, case, "depart", data={"departed_at": departed.isoformat()})
    before = departed - datetime.timedelta(hours=2)
    errors = field_errors(team.move, team.receiving_worker, case, "confirm_reception",
                          data={**RECEPTION, "received_at": before.isoformat()})  # fmt: skip
    assert list(errors) == ["received_at"]
    assert errors["received_at"][0].startswith("Received at cannot be before Departed at (")

    received = departed + datetime.timedelta(hours=6)
    team.move(team.receiving_worker, case, "confirm_reception",
              data={**RECEPTION, "received_at": received.isoformat()})  # fmt: skip
    case = fresh(case)
    assert abs(case.returned_at - departed) < datetime.timedelta(seconds=1), "as recorded"
    assert abs(case.received_at - received) < datetime.timedelta(seconds=1)

    too_early = (departed - datetime.timedelta(days=5)).date().isoformat()
    errors = field_errors(team.add, team.receiving_worker, case, "reintegration_plan",
                          {"agreed_on": too_early, "goals": "Work."})  # fmt: skip
    assert list(errors) == ["agreed_on"]
    future = (timezone.localdate() + datetime.timedelta(days=3)).isoformat()
    errors = field_errors(team.add, team.receiving_worker, case, "reintegration_plan",
                          {"agreed_on": future, "goals": "Work."})  # fmt: skip
    assert errors == {"agreed_on": ["Agreed with the person on cannot be in the future."]}
    team.agree_plan(case)

    contact = {"contacted_on": future, "situation": "Fine.", **ALL_SCORES_3}
    errors = field_errors(team.add, team.receiving_worker, case, "monitoring_contact", contact)
    assert errors == {"contacted_on": ["Contacted on cannot be in the future."]}
    assert not case.records.filter(kind="monitoring_contact").exists()
    assert team.monitor(case).facts["days_after_return"] == 3, "counted from the departure"


def test_a_reception_meeting_arranged_at_acceptance_is_in_the_future(team):
    case = team.to_referral()
    referral = team.send(case)
    state = type(referral).objects.get(pk=referral.pk).state
    errors = field_errors(team.accept, referral,
                          meeting_at=timezone.now() - datetime.timedelta(hours=1))  # fmt: skip
    assert errors == {"meeting_at": ["The meeting with the person must be in the future."]}
    referral.refresh_from_db()
    assert referral.state == state, "nothing was changed"
    assert fresh(case).stage == Stage.REFERRAL
