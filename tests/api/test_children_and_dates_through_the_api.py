"""Through the API: the child flag follows the person's data and can be corrected, and every
refused date or code comes back in `errors`, field by field, where it was sent."""

import datetime

import pytest
from django.test import TestCase
from django.utils import timezone

from tests.api.conftest import token_api
from tests.referrals.journeys import fresh
from trm.cases.models import Case

pytestmark = pytest.mark.django_db


def called(api, method, path, body):
    with TestCase.captureOnCommitCallbacks(execute=True):
        return getattr(api, method)(path, body)


def errors_of(response) -> list[tuple[list, str]]:
    return [(error["loc"], error["msg"]) for error in response.json()["errors"]]


def eleven_years_ago() -> str:
    day = timezone.localdate()
    return day.replace(year=day.year - 11, day=min(day.day, 28)).isoformat()


def test_a_child_opened_without_the_tick_is_a_child_and_her_age_can_be_corrected(journey):
    api = token_api(journey.sender)
    opened = api.post("/api/cases/", {"person": {
        "given_name": "Arta", "birth_date": eleven_years_ago(), "citizenship": "AL"}})  # fmt: skip
    assert opened.status_code == 201, opened.json()
    path = f"/api/cases/{opened.json()['id']}"
    case = api.get(path).json()
    assert (case["is_child"], case["treated_as_child"]) == (True, True)

    guardian = {"kind": "guardian", "data": {"guardian": "A tutor", "appointed_on": "2026-01-05"}}
    assert api.post(f"{path}/records", guardian).status_code == 201, "not 'for children only'"

    corrected = api.patch(f"{path}/person", {"version": case["version"] + 1,
                                             "birth_date": "1990-02-02"})  # fmt: skip
    assert corrected.status_code == 200, corrected.json()
    case = api.get(path).json()
    assert (case["is_child"], case["treated_as_child"]) == (False, False)

    uncertain = api.patch(f"{path}/person", {"version": case["version"], "age_uncertain": True})
    assert uncertain.status_code == 200, uncertain.json()
    case = api.get(path).json()
    assert (case["age_uncertain"], case["treated_as_child"]) == (True, True)

    contradiction = api.patch(f"{path}/person", {"version": case["version"], "is_child": False,
                                                 "age_uncertain": False, "birth_date":
                                                 eleven_years_ago()})  # fmt: skip
    assert contradiction.status_code == 422
    [(loc, message)] = errors_of(contradiction)
    assert loc == ["is_child"]
    assert message.startswith("The birth date makes the person a child")
    assert Case.objects.get(pk=case["id"]).age_uncertain is True, "nothing was changed"


def test_a_wrong_birth_date_or_citizenship_is_refused_at_its_field(journey):
    api = token_api(journey.sender)
    future = (timezone.localdate() + datetime.timedelta(days=3)).isoformat()
    refused = api.post("/api/cases/", {"person": {"given_name": "Arta", "birth_date": future,
                                                  "citizenship": "XX"}})  # fmt: skip
    assert refused.status_code == 422
    assert sorted(errors_of(refused)) == [
        (["person", "birth_date"], "The birth date cannot be in the future."),
        (["person", "citizenship"], "Choose the citizenship among the countries of the "
                                    "directory."),
    ]  # fmt: skip
    assert refused.json()["errors"][0]["type"] == "value_error"
    assert not Case.objects.exists()

    opened = api.post("/api/cases/", {"person": {"given_name": "Arta", "citizenship": "ma"}})
    path = f"/api/cases/{opened.json()['id']}"
    patched = api.patch(f"{path}/person", {"version": 1, "citizenship": "ZZ"})
    assert patched.status_code == 422
    assert errors_of(patched) == [
        (["citizenship"], "Choose the citizenship among the countries of the directory.")
    ]


def test_a_departure_in_the_future_and_a_reception_before_it_are_refused_in_data(journey):
    case = journey.to_referral()
    journey.accept(journey.send(case))
    journey.add(journey.receiving_worker, case, "risk_assessment", {"risk_level": "low"})
    journey.add(
        journey.worker,
        case,
        "return_preparation",
        {"travel_documents_ready": True, "departure_on": "2026-01-05", "itinerary": "By air."},
    )
    spain, albania = token_api(journey.sender), token_api(journey.receiver)
    path = f"/api/cases/{case.pk}/moves"

    later = (timezone.now() + datetime.timedelta(hours=3)).isoformat()
    refused = called(spain, "post", f"{path}/depart", {"version": fresh(case).version,
                                                       "data": {"departed_at": later}})  # fmt: skip
    assert refused.status_code == 422
    assert errors_of(refused) == [(["data", "departed_at"], "Departed at cannot be in the future.")]
    assert refused.json()["reasons"] == ["Departed at cannot be in the future."]

    departed = timezone.now() - datetime.timedelta(days=2)
    moved = called(
        spain,
        "post",
        f"{path}/depart",
        {"version": fresh(case).version, "data": {"departed_at": departed.isoformat()}},
    )
    assert moved.status_code == 200, moved.json()
    returned_at = datetime.datetime.fromisoformat(spain.get(f"/api/cases/{case.pk}").json()[
        "returned_at"].replace("Z", "+00:00"))  # fmt: skip
    assert abs(returned_at - departed) < datetime.timedelta(seconds=1)

    early = (departed - datetime.timedelta(days=1)).isoformat()
    refused = called(
        albania,
        "post",
        f"{path}/confirm_reception",
        {
            "version": fresh(case).version,
            "data": {"received_at": early, "met_by": "Elira", "place": "Tirana airport"},
        },
    )
    assert refused.status_code == 422
    [(loc, message)] = errors_of(refused)
    assert loc == ["data", "received_at"]
    assert message.startswith("Received at cannot be before Departed at")


def test_a_reception_meeting_in_the_past_is_refused_at_acceptance(journey):
    referral = journey.send(journey.to_referral())
    albania = token_api(journey.receiver)
    past = (timezone.now() - datetime.timedelta(days=1)).isoformat()
    refused = albania.post(f"/api/referrals/{referral.pk}/accept", {
        "met_by": "Elira", "place": "Tirana airport", "meeting_at": past})  # fmt: skip
    assert refused.status_code == 422
    assert errors_of(refused) == [
        (["meeting_at"], "The meeting with the person must be in the future.")
    ]
