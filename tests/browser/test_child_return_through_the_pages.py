"""A child's return from Greece to Albania, done entirely through the pages by five people:
the Greek case worker, supervisor and focal point, the Albanian focal point and case worker."""

import datetime

import pytest
from django.utils import timezone

from tests.browser.test_sign_in_and_directory import sign_in
from trm.accounts.models import Role
from trm.cases.models import Case
from trm.cases.record_kinds import DIMENSIONS
from trm.referrals.models import ReferralMessage

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TODAY = timezone.localdate().isoformat()
NOW = timezone.localtime().strftime("%Y-%m-%dT%H:%M")
# A reception meeting is arranged for a return still to come.
IN_TWO_WEEKS = (timezone.localtime() + datetime.timedelta(days=14)).strftime("%Y-%m-%dT%H:%M")


def fill(page, values: dict):
    """Fill a form by field names: text, dates, selects, yes/no and checkbox lists."""
    for name, value in values.items():
        field = page.locator(f"main [name='{name}']")
        if isinstance(value, list):
            for item in value:
                page.locator(f"main [name='{name}'][value='{item}']").check()
        elif field.first.evaluate("e => e.tagName") == "SELECT":
            field.select_option(str(value))
        elif field.first.get_attribute("type") == "checkbox":
            field.check()
        else:
            field.fill(str(value))


def submit(page, label=None):
    button = page.locator("main form button[type=submit]")
    (button.filter(has_text=label) if label else button).last.click()
    page.wait_for_load_state()


def record(page, case, kind, values):
    page.goto(f"/cases/{case.pk}/records/{kind}/")
    fill(page, values)
    submit(page)
    assert page.url.endswith(f"/cases/{case.pk}/"), page.locator(".error-summary").all_inner_texts()


def step(page, case, event, values=None):
    page.goto(f"/cases/{case.pk}/")
    if values is None:
        page.locator(f"form[action$='/steps/{event}/'] button").click()
    else:
        page.goto(f"/cases/{case.pk}/steps/{event}/")
        fill(page, values)
        submit(page)
    page.wait_for_url(f"**/cases/{case.pk}/")


def test_a_childs_return_from_greece_to_albania_through_the_pages(chromium, live_server, personas):
    iom_greece, iom_albania = personas.organisation("GR"), personas.organisation("AL")
    people = {}
    for name, organisation, role in [
        ("gr.worker", iom_greece, Role.CASE_WORKER), ("gr.supervisor", iom_greece, Role.SUPERVISOR),
        ("gr.focal", iom_greece, Role.FOCAL_POINT), ("al.focal", iom_albania, Role.FOCAL_POINT),
        ("al.worker", iom_albania, Role.CASE_WORKER),
    ]:  # fmt: skip
        user = personas.user(name, organisation.country.code, role)
        user.memberships.update(organisation=organisation)
        people[name] = user

    def browser_of(name):
        context = chromium.new_context(base_url=live_server.url, locale="en-GB")
        context.set_default_timeout(15_000)
        page = context.new_page()
        sign_in(page, people[name])
        return page

    worker = browser_of("gr.worker")
    worker.goto("/cases/new/")
    fill(worker, {"given_name": "Anila", "family_name": "Krasniqi", "birth_date": "2011-04-02",
                  "sex": "female", "citizenship": "AL", "is_child": True})  # fmt: skip
    submit(worker)
    case = Case.objects.get()
    assert case.is_child

    record(worker, case, "screening", {"signal": "ngo_outreach", "outcome": "presumed_victim",
                                       "exploitation": ["forced_begging"]})  # fmt: skip
    record(worker, case, "guardian", {"guardian": "Guardianship service of Athens",
                                      "appointed_on": TODAY})  # fmt: skip
    step(worker, case, "presume_victim")
    record(worker, case, "immediate_assessment",
           {"risk_of_re_trafficking": "high", "needs": "A children's shelter."})  # fmt: skip
    record(worker, case, "reflection_period", {"starts_on": TODAY})
    record(worker, case, "support_plan", {"needs": "Shelter, school.", "actions": "Placement."})
    step(worker, case, "start_counselling")

    for purpose, recipient in [("assistance", None), ("referral", iom_albania)]:
        worker.goto(f"/consent/cases/{case.pk}/")
        fill(worker, {"purpose": purpose, "categories": ["identity", "family", "assistance"],
                      "language": "sq", "guardian_consent": True,
                      "child_views": "She wants to go back to her aunt."})  # fmt: skip
        if recipient:
            fill(worker, {"recipient_organisation": recipient.pk})
        submit(worker)
    record(worker, case, "counselling", {"choice": "return", "language": "sq",
                                         "childs_views": "She misses her aunt."})  # fmt: skip
    step(worker, case, "choose_return")
    record(worker, case, "risk_assessment", {"risk_level": "medium", "escort_needed": True})
    record(worker, case, "return_decision", {"decision": "go"})
    record(worker, case, "best_interests_determination", {
        "return_in_best_interests": "true", "reasoning": "Her aunt can care for her.",
        "childs_views": "She wants to live with her aunt."})  # fmt: skip
    worker.goto(f"/cases/{case.pk}/")
    worker.get_by_role("button", name="Ask a supervisor to approve").click()

    supervisor = browser_of("gr.supervisor")
    supervisor.goto("/cases/approvals/")
    supervisor.get_by_role("button", name="Approve").click()
    supervisor.wait_for_url("**/cases/approvals/")

    step(worker, case, "decide_go")

    focal = browser_of("gr.focal")
    focal.goto(f"/referrals/send/{case.pk}/")
    fill(focal, {"receiver": iom_albania.pk, "categories": ["identity", "family", "assistance"]})
    submit(focal)
    assert "What will be sent" in focal.content()
    # The family narrative crosses only when ticked, having been read: the aunt's reasoning.
    narrative = focal.locator("main input[name='texts']")
    assert narrative.count() >= 1
    narrative.first.check()
    submit(focal, "Send the referral")
    focal.wait_for_url(f"**/cases/{case.pk}/")

    albanian_focal = browser_of("al.focal")
    albanian_focal.goto("/referrals/")
    albanian_focal.locator("main table a").first.click()
    assert "Only this preview is shown" in albanian_focal.content()
    assert "Anila" not in albanian_focal.content()
    fill(albanian_focal, {"met_by": "A social worker of IOM Albania", "place": "Tirana airport",
                          "meeting_at": IN_TWO_WEEKS, "capacity_confirmed": True})  # fmt: skip
    submit(albanian_focal, "Accept the referral")
    assert Case.objects.get(pk=case.pk).stage == "return_preparation"

    albanian = browser_of("al.worker")
    record(albanian, case, "risk_assessment", {"risk_level": "low"})
    record(albanian, case, "family_assessment", {"outcome": "suitable", "caregiver": "Her aunt",
                                                 "assessment": "A stable home."})  # fmt: skip
    record(worker, case, "return_preparation", {
        "travel_documents_ready": True, "escort_arranged": True, "departure_on": TODAY,
        "itinerary": "Athens to Tirana by air, with an escort."})  # fmt: skip
    step(worker, case, "depart", {"departed_at": NOW})
    step(albanian, case, "confirm_reception", {"received_at": NOW, "met_by": "Social worker",
                                               "place": "Tirana airport",
                                               "caregiver": "Her aunt"})  # fmt: skip
    record(albanian, case, "reintegration_plan", {"agreed_on": TODAY, "goals": "School.",
                                                  "child_protection_lead": True})  # fmt: skip
    record(albanian, case, "assistance_item", {"type": "education", "provider": "School",
                                               "status": "planned"})  # fmt: skip
    step(albanian, case, "agree_plan")
    scores = {code: 3 for questions in DIMENSIONS.values() for code, _label in questions}
    record(albanian, case, "monitoring_contact", {"contacted_on": TODAY, "situation": "At school.",
                                                  **scores})  # fmt: skip

    case.refresh_from_db()
    assert case.stage == "monitoring"
    assert case.received_at is not None
    kinds = set(ReferralMessage.objects.values_list("kind", flat=True))
    assert {"send", "accept", "departure_notice", "reception_confirmation",
            "monitoring_summary"} <= kinds  # fmt: skip
    assert case.returned_at <= timezone.now() + datetime.timedelta(minutes=1)


def test_a_step_in_arabic(page, personas):
    """A Moroccan case worker records a screening in Arabic: the form reads right to left and
    the record is saved."""
    from tests.referrals.journeys import Journey

    team = Journey(personas, sending="MA", receiving="ES")
    team.worker.language = "ar"
    team.worker.save()
    case = team.open()
    sign_in(page, team.worker)
    page.goto(f"/cases/{case.pk}/records/screening/")
    assert page.locator("html").get_attribute("dir") == "rtl"
    fill(page, {"signal": "hotline", "outcome": "presumed_victim"})
    submit(page)
    page.wait_for_url(f"**/cases/{case.pk}/")
    assert case.records.filter(kind="screening").exists()
    assert page.locator("html").get_attribute("lang") == "ar"


def test_the_person_withdraws_consent_in_front_of_the_receiving_side_on_a_phone_in_arabic(
    chromium, live_server, personas
):
    """A Moroccan case worker, on a phone, in Arabic, records that the person no longer agrees
    to the referral from Spain: the sender's referral ends, and the page fits the screen."""
    from tests.referrals.journeys import Journey

    team = Journey(personas, sending="ES", receiving="MA")
    referral = team.send(team.to_referral())
    team.accept(referral)
    team.receiving_worker.language = "ar"
    team.receiving_worker.save()
    context = chromium.new_context(
        base_url=live_server.url, viewport={"width": 390, "height": 844}, is_mobile=True
    )
    context.set_default_timeout(15_000)
    phone = context.new_page()
    sign_in(phone, team.receiving_worker)
    phone.goto(f"/referrals/{referral.pk}/")
    assert phone.locator("html").get_attribute("dir") == "rtl"
    form = phone.locator("main form:has(input[name='action'][value='consent_withdrawn'])")
    form.locator("textarea[name='note']").fill("لم تعد توافق على الإحالة.")
    overflow = phone.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"the page is {overflow}px wider than the phone"
    phone.screenshot(path=str(live_server_screenshot("withdrawal-ar-phone.png")), full_page=True)
    form.locator("button[type=submit]").click()
    phone.wait_for_load_state()
    referral.refresh_from_db()
    assert referral.state == "cancelled"
    assert referral.messages.filter(kind="consent_withdrawn").exists()
    context.close()


def live_server_screenshot(name):
    """Where a browser test leaves a screenshot for people to look at (not checked in)."""
    import tempfile
    from pathlib import Path

    folder = Path(tempfile.gettempdir()) / "trm-screenshots"
    folder.mkdir(exist_ok=True)
    return folder / name
