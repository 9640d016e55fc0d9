"""Case pages and API read through the policy, leave an audit event, and hide what they must."""

import pytest
from django.core import mail

from trm.access.categories import DataCategory
from trm.access.models import BreakGlass, Grant
from trm.accounts.models import Role
from trm.audit.models import AuditEvent
from trm.cases.actions.casework import open_case
from trm.cases.models import Case
from trm.deadlines import outbox
from trm.deadlines.models import Notification, NotificationEvent, OutgoingEmail
from trm.directory.models import Organisation

pytestmark = pytest.mark.django_db


@pytest.fixture
def greek_case(personas):
    worker = personas.user("gr.worker", "GR", Role.CASE_WORKER)
    case = open_case(
        worker,
        personas.organisation("GR"),
        person={"given_name": "Ελένη", "family_name": "Παπαδάκη", "given_name_latin": "Eleni",
                "family_name_latin": "Papadaki", "document_number": "AK 445566"},
        is_child=True,
    )  # fmt: skip
    return worker, case


def case_paths(case):
    """Every page about one case (the API's are enumerated from its schema in tests/api)."""
    return [
        f"/cases/{case.pk}/",
        f"/cases/{case.pk}/person/",
        f"/cases/{case.pk}/records/screening/",
        f"/cases/{case.pk}/steps/presume_victim/",
        f"/consent/cases/{case.pk}/",
        f"/rights/cases/{case.pk}/",
        f"/rights/cases/{case.pk}/export/",
        f"/rights/cases/{case.pk}/export.json",
        f"/referrals/send/{case.pk}/",
        f"/api/cases/{case.pk}",
    ]


def case_writes(case):
    """Every form that writes to one case: an outsider's post must change nothing."""
    return {
        f"/cases/{case.pk}/person/": {"given_name": "X"},
        f"/cases/{case.pk}/records/screening/": {"signal": "police", "outcome": "not_a_victim"},
        f"/cases/{case.pk}/steps/presume_victim/": {"version": case.version},
        f"/cases/{case.pk}/notes/": {"text": "x"},
        f"/cases/{case.pk}/approvals/": {"subject": "closure", "closure_reason": "lost_contact"},
        f"/cases/{case.pk}/assign/": {"case_worker": 1},
        f"/cases/{case.pk}/emergency-access/": {"reason": "I would like to see it please"},
        f"/rights/cases/{case.pk}/erase/": {"reason": "x"},
    }


def test_the_owning_case_worker_sees_the_person_and_the_read_is_audited(personas, greek_case):
    worker, case = greek_case
    browser = personas.signed_in(worker)
    response = browser.get(f"/cases/{case.pk}/")
    assert response.status_code == 200
    assert "Ελένη" in response.text
    assert "AK 445566" in response.text
    event = AuditEvent.objects.filter(action="trm.case.viewed").latest("sequence")
    assert event.object_id == str(case.pk)
    assert event.actor == worker
    assert "Ελένη" not in str(event.details), "audit events hold no personal data"


def test_the_api_answers_the_same(personas, greek_case):
    worker, case = greek_case
    browser = personas.signed_in(worker)
    body = browser.get(f"/api/cases/{case.pk}").json()
    assert body["reference"] == case.reference
    assert body["person"]["fields"]["family_name"] == "Παπαδάκη"
    listed = browser.get("/api/cases/").json()["items"]
    assert [item["name"] for item in listed] == ["Ελένη Παπαδάκη"]


@pytest.mark.parametrize("country", ["GR", "AL"])
def test_a_user_of_another_organisation_gets_404_on_every_case_path(personas, greek_case, country):
    _worker, case = greek_case
    organisation = Organisation.objects.filter(country__code=country).exclude(pk=case.owner_id)[0]
    outsider = personas.user(f"{country.lower()}.outsider", country, Role.CASE_WORKER)
    outsider.memberships.update(organisation=organisation)
    browser = personas.signed_in(outsider)
    for path in case_paths(case):
        assert browser.get(path).status_code == 404, path
    before = AuditEvent.objects.count()
    for path, data in case_writes(case).items():
        assert browser.post(path, data).status_code == 404, path
    assert AuditEvent.objects.count() == before, "nothing was written"
    assert Case.objects.get(pk=case.pk).version == case.version
    missing = f"/cases/{'0' * 8}-0000-0000-0000-{'0' * 12}/"
    assert browser.get(missing).status_code == 404, "the same answer as for a missing case"
    assert browser.get("/api/cases/").json()["count"] == 0
    assert not AuditEvent.objects.filter(action="trm.case.viewed", actor=outsider).exists()


def test_a_coordinator_never_sees_a_person(personas, greek_case):
    _worker, case = greek_case
    coordinator = personas.user("gr.coordinator", "GR", Role.COORDINATOR, authenticator=False)
    coordinator.memberships.update(organisation=case.owner)
    browser = personas.signed_in_without_second_factor(coordinator)
    for path in case_paths(case):
        assert browser.get(path).status_code == 404, path


def test_a_granted_organisation_sees_only_the_shared_categories(personas, greek_case):
    _worker, case = greek_case
    albanian = personas.albanian_focal_point()
    Grant.objects.create(
        case=case,
        organisation=albanian.memberships.get().organisation,
        categories=[DataCategory.IDENTITY],
        source="referral",
    )
    browser = personas.signed_in(albanian)
    page = browser.get(f"/cases/{case.pk}/")
    assert "Ελένη" in page.text
    assert "AK 445566" not in page.text, "documents were not shared"
    fields = browser.get(f"/api/cases/{case.pk}").json()["person"]["fields"]
    assert "document_number" not in fields


def test_a_supervisor_breaks_the_glass_with_a_reason_and_the_dpo_is_told(personas, greek_case):
    _worker, case = greek_case
    dpo = personas.user("gr.dpo", "GR", Role.DATA_PROTECTION_OFFICER)
    dpo.memberships.update(organisation=case.owner)
    other = Organisation.objects.filter(country__code="GR").exclude(pk=case.owner_id)[0]
    supervisor = personas.greek_supervisor()
    supervisor.memberships.update(organisation=other)
    browser = personas.signed_in(supervisor)
    assert browser.get(f"/cases/{case.pk}/").status_code == 404

    path = f"/cases/{case.pk}/emergency-access/"
    refused = browser.post(path, {"reason": "now"})
    assert "Say why you need this case now" in refused.text
    assert not BreakGlass.objects.exists()

    reason = "The child is missing from the shelter since last night."
    assert browser.post(path, {"reason": reason}).status_code == 302
    page = browser.get(f"/cases/{case.pk}/")
    assert page.status_code == 200
    assert "emergency access" in page.text
    assert AuditEvent.objects.filter(action="trm.access.break_glass").count() == 1
    # The officer is told in the break-the-glass step itself: in the app, and by an e-mail the
    # worker sends from the outbox (not lost if the node stops before it goes).
    [told] = Notification.objects.filter(user=dpo, event=NotificationEvent.BREAK_GLASS)
    assert (told.case, told.actor) == (case, supervisor)
    assert OutgoingEmail.objects.filter(notification=told, recipient=dpo).count() == 1
    assert not mail.outbox
    outbox.deliver()
    [sent] = mail.outbox
    assert sent.to == [dpo.email]
    assert case.reference in sent.subject
    assert supervisor.get_username() in sent.body
    assert "Ελένη" not in sent.body
    assert reason not in sent.body
    officer = personas.signed_in(dpo).get("/notifications/")
    assert f"Case {case.reference}: {supervisor.get_username()} opened it with emergency" in (
        officer.text
    )
    assert reason not in officer.text


def test_a_case_worker_cannot_break_the_glass(personas, greek_case):
    _worker, case = greek_case
    other = Organisation.objects.filter(country__code="GR").exclude(pk=case.owner_id)[0]
    worker = personas.user("gr.other", "GR", Role.CASE_WORKER)
    worker.memberships.update(organisation=other)
    browser = personas.signed_in(worker)
    path = f"/cases/{case.pk}/emergency-access/"
    assert browser.get(path).status_code == 404
    assert browser.post(path, {"reason": "I would like to look at it"}).status_code == 404
    assert not BreakGlass.objects.exists()


def test_a_correction_is_audited_with_field_names_only(personas, greek_case):
    worker, case = greek_case
    browser = personas.signed_in(worker)
    form = browser.get(f"/cases/{case.pk}/person/").context["form"]
    data = {**form.initial, "family_name": "Papadaki-Nikolaou", "birth_date": ""}
    data = {key: value for key, value in data.items() if value is not None}
    assert browser.post(f"/cases/{case.pk}/person/", data).status_code == 302
    case.refresh_from_db()
    assert case.person.family_name == "Papadaki-Nikolaou"
    assert case.version == 2
    event = AuditEvent.objects.get(action="trm.person.updated")
    assert event.details == {"fields": ["family_name"]}


def test_a_stale_form_is_refused_and_changes_nothing(personas, greek_case):
    worker, case = greek_case
    browser = personas.signed_in(worker)
    stale = {**browser.get(f"/cases/{case.pk}/person/").context["form"].initial}
    Case.objects.filter(pk=case.pk).update(version=5)  # someone else saved meanwhile
    stale = {key: value for key, value in stale.items() if value is not None}
    response = browser.post(f"/cases/{case.pk}/person/", {**stale, "given_name": "Changed"})
    assert response.status_code == 200
    assert "Someone else changed this case" in response.text
    case.refresh_from_db()
    assert case.person.given_name == "Ελένη"
