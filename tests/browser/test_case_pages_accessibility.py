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
