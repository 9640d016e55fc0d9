"""Notes, consent and reassignment through the API: the actions of the case and consent pages,
their reads audited as the pages audit them, their refusals in the pages' words."""

import uuid

import pytest
from django.utils import translation
from django.utils.translation import gettext

from tests.api.conftest import Api, token_api
from trm.accounts.models import Role
from trm.audit.models import AuditEvent
from trm.cases.actions.casework import add_note
from trm.cases.models import Case, Note
from trm.consent.models import ConsentRecord

pytestmark = pytest.mark.django_db

REFERRAL_CONSENT = {"purpose": "referral", "categories": ["identity", "health"], "language": "sq"}


def _last_read(case) -> str:
    return (
        AuditEvent.objects.filter(object_id=str(case.pk), action__startswith="trm.case.")
        .latest("sequence")
        .action
    )


def test_notes_are_added_and_read_newest_first_by_the_owners_staff(journey, as_user):
    case = journey.open()
    worker = as_user(journey.worker)
    path = f"/api/cases/{case.pk}/notes"
    first = worker.post(path, {"text": "Called the shelter; she is safe."})
    assert first.status_code == 201, first.json()
    assert first.json()["text"] == "Called the shelter; she is safe."
    assert worker.post(path, {"text": "  Met her at school. "}).status_code == 201
    for stored in Note.objects.values_list("text", flat=True):
        assert not any(word in bytes(stored) for word in (b"shelter", b"school")), "encrypted"

    listed = token_api(journey.sender, ["cases:read"]).get(path).json()
    assert listed["count"] == 2
    assert [note["text"] for note in listed["items"]] == [
        "Met her at school.",
        "Called the shelter; she is safe.",
    ]
    assert listed["items"][0]["organisation"] == journey.sender.name
    assert listed["items"][0]["written_by"] == journey.worker.username
    second_page = worker.get(path, {"limit": 1, "offset": 1}).json()
    assert [note["text"] for note in second_page["items"]] == ["Called the shelter; she is safe."]

    empty = worker.post(path, {"text": "   "})
    assert empty.status_code == 422
    assert empty.json()["detail"] == "Write the note first."
    assert Note.objects.count() == 2


def test_each_side_reads_only_the_notes_its_own_organisation_wrote(journey, as_user):
    case = journey.to_referral()
    referral = journey.send(case)
    journey.run(add_note, journey.worker, case, "Her aunt in Tirana will meet her.")
    albania = as_user(journey.receiving_worker)
    path = f"/api/cases/{case.pk}/notes"
    assert albania.get(path).status_code == 404, "before accepting, nothing of the case"
    assert albania.post(path, {"text": "Ready."}).status_code == 404
    assert albania.client.get(f"/cases/{case.pk}/").status_code == 404

    journey.accept(referral)
    # Free text may hold any category of data, whatever the referral shared: the sending side's
    # notes stay with it, on the page as through the API.
    assert albania.get(path).json()["items"] == []
    assert "Her aunt in Tirana" not in albania.client.get(f"/cases/{case.pk}/").content.decode()
    assert albania.post(path, {"text": "A place is ready."}).status_code == 201
    [note] = albania.get(path).json()["items"]
    assert note["text"] == "A place is ready."
    assert note["text"] in albania.client.get(f"/cases/{case.pk}/").content.decode()
    spain = as_user(journey.worker).get(path).json()["items"]
    assert [note["text"] for note in spain] == ["Her aunt in Tirana will meet her."]


def test_reading_notes_and_consent_is_audited_as_on_the_pages(journey, as_user):
    case = journey.to_referral()
    api = as_user(journey.worker)
    for api_path, page_path in [
        (f"/api/cases/{case.pk}/notes", f"/cases/{case.pk}/"),
        (f"/api/cases/{case.pk}/consents", f"/consent/cases/{case.pk}/"),
    ]:
        assert api.client.get(page_path).status_code == 200
        by_the_page = _last_read(case)
        events = AuditEvent.objects.count()
        assert api.get(api_path).status_code == 200
        assert AuditEvent.objects.count() == events + 1, api_path
        assert _last_read(case) == by_the_page, api_path
        event = AuditEvent.objects.latest("sequence")
        assert (event.actor, event.object_id) == (journey.worker, str(case.pk))
    assert by_the_page == "trm.case.consent_viewed"


def test_consent_is_recorded_listed_and_withdrawn(journey):
    case = journey.open()
    api = token_api(journey.sender)
    path = f"/api/cases/{case.pk}/consents"
    created = api.post(path, {**REFERRAL_CONSENT, "recipient_organisation": journey.receiver.pk,
                              "interpreter_present": True})  # fmt: skip
    assert created.status_code == 201, created.json()
    consent = created.json()
    assert consent["status"] == "in_force"
    assert consent["categories"] == ["health", "identity"]
    assert consent["recipient_organisation"]["id"] == journey.receiver.pk
    assert consent["recipient_country"] == journey.receiver.country.code
    assert consent["guardian_consent"] is None
    api.post(path, {"purpose": "statistics", "categories": ["assistance"], "language": "es",
                    "expires_on": "2199-12-31"})  # fmt: skip

    listed = api.get(path).json()
    assert listed["count"] == 2
    assert [c["purpose"] for c in listed["items"]] == ["statistics", "referral"]
    assert listed["items"][0]["expires_at"].startswith("2199-12-31")

    withdrawal = api.post(f"{path}/{consent['id']}/withdraw", {"reason": "She changed her mind."})
    assert withdrawal.status_code == 201, withdrawal.json()
    assert withdrawal.json() == {**withdrawal.json(), "given": False, "status": "withdrawal",
                                 "withdraws": consent["id"], "purpose": "referral"}  # fmt: skip
    ended = next(c for c in api.get(path).json()["items"] if c["id"] == consent["id"])
    assert (ended["status"], ended["withdrawn_by"]) == ("ended", withdrawal.json()["id"])

    again = api.post(f"{path}/{consent['id']}/withdraw", {})
    assert again.status_code == 422
    assert again.json()["detail"] == "This consent was already withdrawn."
    assert ConsentRecord.objects.filter(person=case.person).count() == 3
    assert AuditEvent.objects.filter(action="trm.consent.withdrawn").count() == 1


def test_a_refused_consent_says_why_in_the_callers_language_and_records_nothing(journey):
    child = journey.open(child=True)
    api = token_api(journey.sender)
    path = f"/api/cases/{child.pk}/consents"
    french = {"Accept-Language": "fr"}
    no_guardian = api.post(path, {**REFERRAL_CONSENT, "recipient_organisation": journey.receiver.pk,
                                  "child_views": "I want to go home."}, headers=french)  # fmt: skip
    assert no_guardian.status_code == 422
    with translation.override("fr"):
        expected = gettext("For a child, the guardian must consent too.")
    assert expected != "For a child, the guardian must consent too.", "translated"
    assert no_guardian.json()["detail"] == expected

    adult = journey.open()
    refusals = {
        "A consent to a referral names the organisation it may go to.": REFERRAL_CONSENT,
        "A guardian's consent and a child's views apply to children only.": {
            **REFERRAL_CONSENT,
            "recipient_organisation": journey.receiver.pk,
            "guardian_consent": True,
        },  # fmt: skip
        "Recipient organisation: Select a valid choice. That choice is not one of the "
        "available choices.": {**REFERRAL_CONSENT, "recipient_organisation": 10**9},
    }
    for reason, body in refusals.items():
        refused = token_api(journey.sender).post(f"/api/cases/{adult.pk}/consents", body)
        assert refused.status_code == 422, body
        assert reason in refused.json()["reasons"], refused.json()

    given = journey.consent(adult)
    elsewhere = f"/api/cases/{child.pk}/consents/{given.pk}/withdraw"
    assert api.post(elsewhere, {}).json()["detail"] == (
        "This consent does not exist or you may not see it."
    ), "a consent of another case's person is not found through this one"
    assert api.post(f"{path}/{uuid.uuid4()}/withdraw", {}).status_code == 404
    assert ConsentRecord.objects.count() == 1
    assert not AuditEvent.objects.filter(action="trm.consent.withdrawn").exists()


def test_a_supervisor_reassigns_the_case_to_a_colleague_of_the_organisation(journey, as_user):
    case = journey.open()
    colleague = journey.staff(journey.sender, Role.CASE_WORKER)
    supervisor = as_user(journey.supervisor)
    path = f"/api/cases/{case.pk}/assignment"
    assigned = supervisor.post(path, {"case_worker": colleague.username, "version": 1})
    assert assigned.status_code == 200, assigned.json()
    assert assigned.json() == {**assigned.json(), "case_worker": colleague.username, "version": 2}
    assert assigned.headers["ETag"] == '"2"'
    back = supervisor.post(path, {"case_worker": journey.worker.pk}, headers={"If-Match": '"2"'})
    assert back.status_code == 200, back.json()
    assert Case.objects.get(pk=case.pk).case_worker == journey.worker

    for stranger in (journey.receiving_worker.pk, "nobody-by-that-name"):
        refused = supervisor.post(path, {"case_worker": stranger, "version": 3})
        assert refused.status_code == 422
        assert refused.json()["detail"] == "Choose a case worker of the owning organisation."
    stale = supervisor.post(path, {"case_worker": colleague.pk, "version": 2})
    assert stale.status_code == 409
    assert "Someone else changed this case" in stale.json()["detail"]
    assert supervisor.post(path, {"case_worker": colleague.pk}).status_code == 422, "no version"
    not_a_supervisor = as_user(journey.worker).post(path, {"case_worker": colleague.pk,
                                                          "version": 3})  # fmt: skip
    assert not_a_supervisor.status_code == 404, "as on the page: only who may assign finds it"
    case = Case.objects.get(pk=case.pk)
    assert (case.case_worker, case.version) == (journey.worker, 3)


def _paths(case, consent):
    """(path, body) of every new path about the case: a GET without a body, else a POST."""
    base = f"/api/cases/{case.pk}"
    return [
        (f"{base}/notes", None),
        (f"{base}/notes", {"text": "A note."}),
        (f"{base}/consents", None),
        (
            f"{base}/consents",
            {"purpose": "statistics", "categories": ["identity"], "language": "en"},
        ),  # fmt: skip
        (f"{base}/consents/{consent.pk}/withdraw", {}),
        (f"{base}/assignment", {"case_worker": 1, "version": 1}),
    ]


def _state(case):
    return (
        Case.objects.get(pk=case.pk).version,
        Case.objects.get(pk=case.pk).case_worker_id,
        Note.objects.count(),
        ConsentRecord.objects.count(),
    )


def test_outsiders_get_404_on_every_new_path_and_nothing_changes(journey):
    case = journey.to_referral()
    consent = ConsentRecord.objects.filter(case=case).first()
    other_supervisor = journey.staff(journey.personas.organisation("ES", focal_point=True),
                                     Role.SUPERVISOR)  # fmt: skip
    outsiders = [
        token_api(journey.personas.organisation("GR")),
        Api(journey.personas.signed_in(other_supervisor)),
        Api(journey.personas.signed_in(journey.receiving_worker)),  # the referral is not answered
    ]
    before, events = _state(case), AuditEvent.objects.count()
    for api in outsiders:
        for path, body in _paths(case, consent):
            response = api.get(path) if body is None else api.post(path, body)
            assert response.status_code == 404, (path, response.content)
            assert response.json()["detail"] == "This case does not exist or you may not see it."
    assert _state(case) == before
    assert AuditEvent.objects.count() == events, "nothing was read or written"


def test_a_token_without_the_write_scope_is_refused_every_write(journey):
    case = journey.to_referral()
    consent = ConsentRecord.objects.filter(case=case).first()
    reader = token_api(journey.sender, ["cases:read"])
    before = _state(case)
    for path, body in _paths(case, consent):
        if body is None:
            assert reader.get(path).status_code == 200, path
            continue
        refused = reader.post(path, body)
        assert refused.status_code == 403, path
        assert refused.json()["detail"] == "This API token lacks the scope cases:write."
    assert _state(case) == before
    directory_only = token_api(journey.sender, ["directory:read"])
    assert directory_only.get(f"/api/cases/{case.pk}/notes").status_code == 403
    assert directory_only.get(f"/api/cases/{case.pk}/consents").status_code == 403
