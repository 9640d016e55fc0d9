"""My work on the home page, and finding cases in the list."""

import pytest
import time_machine
from django.utils import timezone

from tests.referrals.journeys import Journey

pytestmark = pytest.mark.django_db


@pytest.fixture
def team(personas):
    return Journey(personas, sending="ES", receiving="MA")


def test_my_work_shows_my_cases_by_stage_and_what_waits(personas, team):
    team.open()
    team.to_referral(until="first_assistance")
    referral_case = team.to_referral()
    team.send(referral_case)
    home = personas.signed_in(team.worker).get("/")
    assert home.status_code == 200
    stages = dict(home.context["stages"])
    assert stages == {"identification": 1, "first_assistance": 1, "referral": 1}
    receiving = personas.signed_in(team.receiving_worker).get("/")
    assert [r.case_id for r in receiving.context["referrals"]] == [referral_case.pk]
    assert "days left" in receiving.text


def test_overdue_tasks_show_on_my_work_and_filter_the_list(personas, team):
    case = team.to_referral()
    team.send(case)
    with time_machine.travel(timezone.now() + timezone.timedelta(days=30)):
        browser = personas.signed_in(team.receiving_worker)
        sender = personas.signed_in(team.worker)
        assert "answer overdue" in browser.get("/").text
        overdue = sender.get("/cases/", {"overdue": "on"})
        assert [row[0].pk for row in overdue.context["rows"]] == [case.pk]


def test_the_list_filters_by_stage_age_and_name_in_any_script(personas, team):
    adult = team.to_referral(until="first_assistance", person={
        "given_name": "يوسف", "family_name": "العمراني", "given_name_latin": "Youssef",
        "family_name_latin": "El Amrani"})  # fmt: skip
    child = team.open(child=True)
    browser = personas.signed_in(team.worker)

    def found(**filters):
        return [row[0].pk for row in browser.get("/cases/", filters).context["rows"]]

    assert found(stage="first_assistance") == [adult.pk]
    assert found(age="child") == [child.pk]
    assert found(q="el amrani youssef") == [adult.pk]
    assert found(q="العمراني") == [adult.pk]
    assert found(q=adult.reference.lower()) == [adult.pk]
    assert found(q="El Amran") == [], "exact names only"
    page = browser.get("/cases/", {"stage": "nowhere"})
    assert "Select a valid choice" in page.text
    assert page.context["rows"] == []
