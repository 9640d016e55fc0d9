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
    from trm.cases import journey

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
