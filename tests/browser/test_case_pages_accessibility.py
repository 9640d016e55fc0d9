"""Every page type of the journey passes axe-core without serious or critical violations, in
English and in Arabic."""

import pytest

from tests.browser.conftest import serious_accessibility_violations
from tests.browser.test_sign_in_and_directory import sign_in
from tests.referrals.journeys import Journey

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("language", ["en", "ar"])
def test_the_journey_pages_have_no_serious_accessibility_problems(page, personas, language):
    team = Journey(personas, sending="GR", receiving="AL")
    team.worker.language = language
    team.worker.save()
    case = team.to_referral(child=True)
    referral = team.send(case)
    sign_in(page, team.worker)
    problems = {}
    pages = [
        "/", "/cases/", f"/cases/{case.pk}/", f"/cases/{case.pk}/records/proceedings/",
        f"/cases/{case.pk}/steps/withdraw_referral/", "/referrals/", f"/referrals/{referral.pk}/",
        "/notifications/", f"/consent/cases/{case.pk}/",
    ]  # fmt: skip
    for path in pages:
        page.goto(path)
        assert page.locator("html").get_attribute("lang") == language
        found = serious_accessibility_violations(page)
        if found:
            problems[path] = found
    assert problems == {}


def test_the_supervisor_dpo_and_administrator_pages_have_no_serious_problems(page, personas):
    from trm.accounts.models import Role
    from trm.cases.actions import journey

    team = Journey(personas, sending="ES", receiving="MA")
    case = team.to_referral()
    journey.request_approval(team.worker, case, "closure", closure_reason="lost_contact")
    organisation = team.sender
    dpo = team.staff(organisation, Role.DATA_PROTECTION_OFFICER)
    admin = team.staff(organisation, Role.ORGANISATION_ADMIN)
    problems = {}
    for user, paths in [
        (team.supervisor, ["/cases/approvals/"]),
        (team.worker, [f"/referrals/send/{case.pk}/?receiver={team.receiver.pk}"]),
        (dpo, ["/audit/", "/rights/", f"/rights/cases/{case.pk}/", "/rights/retention/"]),
        (admin, [f"/accounts/organisations/{organisation.pk}/users/",
                 f"/api-tokens/{organisation.pk}/",
                 f"/directory/organisations/{organisation.pk}/edit/"]),
    ]:  # fmt: skip
        page.context.clear_cookies()
        sign_in(page, user)
        for path in paths:
            page.goto(path)
            assert page.locator("h1").count() == 1, path
            found = serious_accessibility_violations(page)
            if found:
                problems[path] = found
    assert problems == {}


@pytest.mark.parametrize("language", ["en", "ar"])
def test_a_name_search_and_its_pages_stay_out_of_the_address(page, personas, monkeypatch, language):
    monkeypatch.setattr("trm.cases.views.PAGE_SIZE", 2)
    team = Journey(personas, sending="ES", receiving="MA")
    team.worker.language = language
    team.worker.save()
    person = {"given_name": "Іванна", "family_name": "Петренко", "given_name_latin": "Ivanna",
              "family_name_latin": "Petrenko"}  # fmt: skip
    for _ in range(3):
        team.open(person=person)
    team.open()
    sign_in(page, team.worker)
    page.goto("/cases/?stage=identification")
    address = page.url
    page.locator("#id_q").fill("Іванна Петренко")
    page.locator("#case-search button[type=submit]").click()
    page.wait_for_load_state()
    assert page.url == address, "the search went in the body, not the address"
    assert page.locator("tbody tr").count() == 2
    assert page.locator("h1").count() == 1
    assert serious_accessibility_violations(page) == []
    page.locator("button[form=case-search][name=page]").click()  # the next page, by POST
    page.wait_for_load_state()
    assert page.url == address
    assert page.locator("tbody tr").count() == 1
    assert "Петренко" in page.locator("tbody").inner_text()
    addresses = page.evaluate(
        "() => [...document.querySelectorAll('[href], [src], [action], [formaction]')]"
        ".map(e => e.getAttribute('href') || e.getAttribute('src') || e.getAttribute('action')"
        " || e.getAttribute('formaction'))"
    )
    for part in ("Іванна", "Петренко", "Ivanna", "Petrenko", "%D0"):
        assert not [a for a in addresses if part.lower() in a.lower()], part
    assert serious_accessibility_violations(page) == []
