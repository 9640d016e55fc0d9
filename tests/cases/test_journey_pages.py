"""The journey in the browser: the next steps with their reasons, forms, steps, approvals."""

import pytest

from tests.referrals.journeys import Journey
from trm.cases.models import Case

pytestmark = pytest.mark.django_db


@pytest.fixture
def team(personas):
    return Journey(personas, sending="GR", receiving="AL")


def test_the_case_page_shows_the_next_steps_and_why_they_wait(personas, team):
    case = team.open(child=True)
    page = personas.signed_in(team.worker).get(f"/cases/{case.pk}/")
    assert page.status_code == 200
    assert "Presumed victim: start first assistance" in page.text
    assert "Record the screening first." in page.text
    assert "A child needs a guardian recorded from identification." in page.text
    assert f"/cases/{case.pk}/records/screening/" in page.text


def test_a_case_worker_records_the_screening_and_takes_the_step(personas, team):
    case = team.open()
    browser = personas.signed_in(team.worker)
    form = browser.get(f"/cases/{case.pk}/records/screening/")
    assert form.status_code == 200
    refused = browser.post(f"/cases/{case.pk}/records/screening/", {"signal": "police"})
    assert "This field is required." in refused.text
    saved = browser.post(
        f"/cases/{case.pk}/records/screening/",
        {"signal": "police", "outcome": "presumed_victim", "exploitation": ["sexual"],
         "route": "Invented route"},
    )  # fmt: skip
    assert saved.status_code == 302
    page = browser.get(f"/cases/{case.pk}/")
    assert "Invented route" in page.text
    version = Case.objects.get(pk=case.pk).version
    stale = browser.post(f"/cases/{case.pk}/steps/presume_victim/", {"version": version - 1})
    assert "Someone else changed this case" in stale.text
    moved = browser.post(f"/cases/{case.pk}/steps/presume_victim/", {"version": version})
    assert moved.status_code == 302
    assert Case.objects.get(pk=case.pk).stage == "first_assistance"


def test_closure_is_asked_by_the_worker_and_approved_by_a_supervisor(personas, team):
    case = team.to_referral(until="first_assistance")
    worker = personas.signed_in(team.worker)
    worker.post(f"/cases/{case.pk}/approvals/", {"subject": "closure",
                                                 "closure_reason": "lost_contact"})  # fmt: skip
    assert worker.get("/cases/approvals/").context["approvals"].count() == 0, "not their own"
    supervisor = personas.signed_in(team.supervisor)
    waiting = supervisor.get("/cases/approvals/")
    approval = waiting.context["approvals"].get()
    supervisor.post("/cases/approvals/", {"approval": approval.pk, "decision": "approve"})
    case.refresh_from_db()
    assert case.stage == "closed"
    assert case.closure_reason == "lost_contact"
    page = worker.get(f"/cases/{case.pk}/")
    assert "Reopen the case" in page.text


def test_the_receiving_side_sees_its_forms_after_accepting(personas, team):
    case = team.to_referral()
    team.accept(team.send(case))
    page = personas.signed_in(team.receiving_worker).get(f"/cases/{case.pk}/")
    assert page.status_code == 200
    assert f"/cases/{case.pk}/records/risk_assessment/" in page.text
    assert f"/cases/{case.pk}/records/return_preparation/" not in page.text, "the sender's form"


def test_an_outsider_gets_404_on_the_journey_pages(personas, team):
    case = team.open()
    outsider = personas.signed_in(personas.albanian_focal_point())
    for path in [f"/cases/{case.pk}/records/screening/", f"/cases/{case.pk}/steps/reopen/"]:
        assert outsider.get(path).status_code == 404
    assert outsider.post(f"/cases/{case.pk}/approvals/", {"subject": "closure"}).status_code == 404


def test_the_case_page_title_is_the_reference_only(personas, team):
    case = team.open()
    page = personas.signed_in(team.worker).get(f"/cases/{case.pk}/")
    assert f"<title>{case.reference} · trm</title>" in page.text
    assert page.text.count('id="next-heading"') == 1
