"""The consent page of a case: seen by those who see the case, recorded by those who edit it."""

from tests.consent.conftest import give
from trm.audit.models import AuditEvent
from trm.consent.models import ConsentRecord


def test_a_case_worker_records_and_withdraws_consent_on_the_page(personas, case_worker, case):
    browser = personas.signed_in(case_worker)
    page = browser.get(f"/consent/cases/{case.pk}/")
    assert page.status_code == 200
    assert "No consent was recorded yet." in page.content.decode()
    assert AuditEvent.objects.filter(action="trm.case.consent_viewed").exists()
    response = browser.post(
        f"/consent/cases/{case.pk}/",
        {"purpose": "assistance", "categories": ["identity", "health"], "language": "es"},
    )
    assert response.status_code == 302
    consent = ConsentRecord.objects.get()
    assert consent.categories == ["health", "identity"]
    page = browser.get(f"/consent/cases/{case.pk}/").content.decode()
    assert "In force" in page
    response = browser.post(f"/consent/cases/{case.pk}/{consent.pk}/withdraw/", {"reason": ""})
    assert response.status_code == 302
    page = browser.get(f"/consent/cases/{case.pk}/").content.decode()
    assert "Ended" in page
    assert "Withdrawal" in page


def test_a_childs_consent_without_the_childs_views_is_refused_on_the_page(
    personas, case_worker, child_case
):
    browser = personas.signed_in(case_worker)
    response = browser.post(
        f"/consent/cases/{child_case.pk}/",
        {
            "purpose": "assistance",
            "categories": ["identity"],
            "language": "uk",
            "guardian_consent": "on",
        },
    )
    assert response.status_code == 422
    assert "record the child&#x27;s own views" in response.content.decode()
    assert not ConsentRecord.objects.exists()


def test_another_organisation_gets_404_for_the_consent_page(personas, case_worker, case):
    consent = give(case_worker, case)
    browser = personas.signed_in(personas.greek_supervisor())
    assert browser.get(f"/consent/cases/{case.pk}/").status_code == 404
    withdraw = browser.post(f"/consent/cases/{case.pk}/{consent.pk}/withdraw/", {"reason": ""})
    assert withdraw.status_code == 404
    assert not ConsentRecord.objects.filter(given=False).exists()
