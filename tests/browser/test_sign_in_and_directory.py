"""A case worker signs in with a TOTP code and searches the directory, in English and Arabic."""

import pytest
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.browser.conftest import serious_accessibility_violations
from tests.personas import PASSWORD, current_code
from trm.directory.models import Organisation

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def sign_in(page, user):
    page.goto("/accounts/login/")
    page.locator("#id_username").fill(user.username)
    page.locator("#id_password").fill(PASSWORD)
    page.get_by_role("button", name="Continue").click()
    page.wait_for_url("**/accounts/login/code/")
    device = TOTPDevice.objects.get(user=user, confirmed=True)
    page.locator("#id_code").fill(current_code(device))
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/")


def test_a_case_worker_signs_in_and_finds_help_in_lviv_then_reads_it_in_arabic(page, personas):
    worker = personas.spanish_case_worker()
    sign_in(page, worker)
    assert page.get_by_role("heading", level=1).inner_text().startswith("Welcome")

    page.get_by_role("link", name="Directory").first.click()
    page.locator("#id_country").select_option("UA")
    page.locator("#id_service").select_option("psychosocial")
    page.locator("#id_area").fill("Lviv")
    page.locator("#id_children").check()
    page.get_by_role("button", name="Search").click()
    page.wait_for_url("**country=UA**")
    cards = page.locator("#results .card")
    assert cards.count() >= 1
    assert "Psychosocial support" in cards.first.inner_text()

    page.locator("#language-select").select_option("ar")
    page.get_by_role("button", name="Change").click()
    page.wait_for_selector("html[dir=rtl]")
    assert page.locator("html").get_attribute("lang") == "ar"
    # The layout mirrors: the brand sits at the right edge, the tools at the left.
    width = page.viewport_size["width"]
    brand = page.locator(".brand").bounding_box()
    assert brand["x"] > width / 2
    assert page.locator("#results .card").count() == cards.count()
    worker.refresh_from_db()
    assert worker.language == "ar"

    # A new search, in Arabic: shelters in Morocco.
    page.locator("#id_country").select_option("MA")
    page.locator("#id_service").select_option("shelter")
    page.locator("#id_area").fill("")
    page.locator("#id_children").uncheck()
    page.locator("form.filters button[type=submit]").click()
    page.wait_for_url("**country=MA**")
    assert page.locator("html").get_attribute("dir") == "rtl"
    assert "المغرب" in page.locator("#results").inner_text()
    assert page.locator("#results .card").count() >= 1


def test_login_directory_and_organisation_pages_have_no_serious_accessibility_problems(
    page, personas
):
    worker = personas.spanish_case_worker()
    page.goto("/accounts/login/")
    assert serious_accessibility_violations(page) == []
    sign_in(page, worker)
    assert serious_accessibility_violations(page) == []
    page.goto("/directory/?country=UA&service=psychosocial")
    assert serious_accessibility_violations(page) == []
    organisation = Organisation.objects.filter(country__code="AL").first()
    page.goto(f"/directory/organisations/{organisation.pk}/")
    assert serious_accessibility_violations(page) == []
    page.goto("/directory/countries/MA/")
    assert serious_accessibility_violations(page) == []
    page.goto("/directory/?country=ZZ")
    assert serious_accessibility_violations(page) == []


def test_the_arabic_directory_has_no_serious_accessibility_problems(page, personas):
    # The login page is in the browser's language; after sign-in the user's own, Arabic.
    sign_in(page, personas.spanish_case_worker(language="ar"))
    page.goto("/directory/?country=MA")
    assert page.locator("html").get_attribute("dir") == "rtl"
    assert serious_accessibility_violations(page) == []
