"""The pages correct what is said of a person's age, offer the directory's countries by name, and
show each refused date at its field, as the actions refuse it."""

import datetime

import pytest
from django.utils import timezone

from tests.referrals.journeys import Journey, fresh, today

pytestmark = pytest.mark.django_db


@pytest.fixture
def team(personas):
    return Journey(personas)


def test_the_person_page_marks_the_age_uncertain_and_corrects_the_flag(personas, team):
    case = team.open(child=False, person={"given_name": "Arta", "birth_date": "1999-09-09"})
    browser = personas.signed_in(team.worker)
    path = f"/cases/{case.pk}/person/"
    form = browser.get(path).context["form"]
    assert {"is_child", "age_uncertain"} <= set(form.fields)
    data = {name: value for name, value in form.initial.items() if value not in (None, False)}
    assert browser.post(path, {**data, "age_uncertain": "on"}).status_code == 302
    assert fresh(case).treated_as_child

    eleven = timezone.localdate().replace(year=timezone.localdate().year - 11, day=1)
    form = browser.get(path).context["form"]
    data = {name: value for name, value in form.initial.items() if value not in (None, False)}
    assert browser.post(path, {**data, "birth_date": eleven.isoformat()}).status_code == 302
    assert fresh(case).is_child, "the birth date decides, nobody ticked anything"


def test_a_birth_date_in_the_future_is_shown_at_its_field_and_changes_nothing(personas, team):
    case = team.open(child=False, person={"given_name": "Arta", "birth_date": "1999-09-09"})
    browser = personas.signed_in(team.worker)
    path = f"/cases/{case.pk}/person/"
    data = {n: v for n, v in browser.get(path).context["form"].initial.items() if v}
    future = timezone.localdate() + datetime.timedelta(days=5)
    response = browser.post(path, {**data, "birth_date": future.isoformat()})
    assert response.status_code == 200
    assert response.context["form"].errors["birth_date"] == [
        "The birth date cannot be in the future."
    ]
    assert fresh(case).person.birth_date == datetime.date(1999, 9, 9)


def test_the_citizenship_is_chosen_among_the_directorys_countries_by_name(personas, team):
    browser = personas.signed_in(team.worker)
    page = browser.get("/cases/new/")
    choices = dict(page.context["form"].fields["citizenship"].choices)
    assert "XX" not in choices
    assert choices["AL"] == "Albania"
    response = browser.post(
        "/cases/new/",
        {
            "given_name": "Arta",
            "citizenship": "ZZ",
            "sex": "female",
            "organisation": team.sender.pk,
        },
    )
    assert "citizenship" in response.context["form"].errors


def test_a_departure_in_the_future_is_shown_at_its_field_on_the_step_page(personas, team):
    case = team.to_referral()
    team.accept(team.send(case))
    team.add(team.receiving_worker, case, "risk_assessment", {"risk_level": "low"})
    team.add(
        team.worker,
        case,
        "return_preparation",
        {"travel_documents_ready": True, "departure_on": today(), "itinerary": "By air."},
    )
    browser = personas.signed_in(team.worker)
    later = timezone.now() + datetime.timedelta(days=1)
    response = browser.post(
        f"/cases/{case.pk}/steps/depart/",
        {"version": fresh(case).version, "departed_at": later.strftime("%Y-%m-%dT%H:%M")},
    )
    assert response.status_code == 200
    assert response.context["form"].errors["departed_at"] == [
        "Departed at cannot be in the future."
    ]
    assert fresh(case).returned_at is None
