"""Cases through the API: list, search (by POST, never in a URL), read, open, correct, with
versions and clear refusals."""

import datetime

import pytest
from django.utils import timezone

from tests.api.conftest import token_api
from trm.access.categories import DataCategory
from trm.access.models import Grant
from trm.audit.models import AuditEvent
from trm.cases.models import Case, Person
from trm.deadlines.models import DeadlineKind
from trm.deadlines.tracking import open_deadline

pytestmark = pytest.mark.django_db

GREEK_NAMES = {
    "given_name": "Ελένη",
    "family_name": "Παπαδάκη",
    "given_name_latin": "Eleni",
    "family_name_latin": "Papadaki",
    "sex": "female",
    "document_number": "AK 445566",
}


def test_the_case_list_is_paginated_with_its_total(journey, as_user):
    opened = [journey.open() for _ in range(3)]
    api = as_user(journey.worker)
    first = api.get("/api/cases/", {"limit": 2}).json()
    assert first["count"] == 3
    assert [item["id"] for item in first["items"]] == [str(c.pk) for c in reversed(opened)][:2]
    rest = api.get("/api/cases/", {"limit": 2, "offset": 2}).json()
    assert [item["id"] for item in rest["items"]] == [str(opened[0].pk)]
    assert api.get("/api/cases/", {"limit": 500}).status_code == 422


def test_cases_are_filtered_by_stage_child_and_overdue(journey, as_user):
    adult, child = journey.open(), journey.open(child=True)
    journey.add(
        journey.worker, adult, "screening", {"signal": "police", "outcome": "presumed_victim"}
    )
    journey.move(journey.worker, adult, "presume_victim")
    open_deadline(
        child,
        DeadlineKind.REFLECTION_PERIOD_END,
        country=journey.sender.country,
        starts_at=timezone.now() - datetime.timedelta(days=40),
        due_at=timezone.now() - datetime.timedelta(days=1),
        organisations=[journey.sender],
    )
    api = as_user(journey.worker)

    def ids(**filters):
        return {item["id"] for item in api.get("/api/cases/", filters).json()["items"]}

    assert ids(stage="first_assistance") == {str(adult.pk)}
    assert ids(child="true") == {str(child.pk)}
    assert ids(child="false") == {str(adult.pk)}
    assert ids(overdue="true") == {str(child.pk)}
    assert ids(overdue="false") == {str(adult.pk)}
    assert ids(reference=adult.reference.lower()) == {str(adult.pk)}
    [listed] = [i for i in api.get("/api/cases/").json()["items"] if i["id"] == str(child.pk)]
    assert listed["overdue"] is True
    assert listed["treated_as_child"] is True


def test_a_name_is_found_exactly_in_either_script(journey, as_user):
    case = journey.open(person=GREEK_NAMES)
    journey.open()
    api = as_user(journey.worker)

    def found(**search):
        response = api.post("/api/cases/search", search)
        assert response.status_code == 200, response.json()
        return [item["id"] for item in response.json()["items"]]

    assert found(name="Ελένη Παπαδάκη") == [str(case.pk)]
    assert found(name="papadaki eleni") == [str(case.pk)]
    event = AuditEvent.objects.filter(action="trm.case.listed").latest("sequence")
    assert event.details["search"] == ["name"]
    assert "apadaki" not in str(event.details), "the searched name is not in the audit trail"
    assert found(document="AK 445566") == [str(case.pk)]
    event = AuditEvent.objects.filter(action="trm.case.listed").latest("sequence")
    assert event.details["search"] == ["document"]
    assert "445566" not in str(event.details)
    assert found(name="Eleni Papadaki", document="AK 445566") == [str(case.pk)]
    assert found(name="Eleni Papadaki", document="AK 000000") == [], "both must match"
    assert found(name="Papadak") == [], "exact, never partial"


def test_a_search_takes_the_lists_filters_and_pages(journey, as_user):
    first = journey.to_referral(until="first_assistance", person=GREEK_NAMES)
    second, third = journey.open(person=GREEK_NAMES), journey.open(person=GREEK_NAMES)
    journey.open(child=True, person=GREEK_NAMES)
    api = as_user(journey.worker)

    def found(**search):
        return api.post("/api/cases/search", {"name": "Eleni Papadaki", **search}).json()

    assert found()["count"] == 4
    assert [i["id"] for i in found(stage="first_assistance")["items"]] == [str(first.pk)]
    adults = found(child=False, limit=1, offset=1)
    assert (adults["count"], adults["limit"], adults["offset"]) == (3, 1, 1)
    assert [i["id"] for i in adults["items"]] == [str(second.pk)]
    assert [i["id"] for i in found(reference=third.reference)["items"]] == [str(third.pk)]
    assert found(overdue=True)["count"] == 0


def test_a_search_needs_a_name_or_a_document_and_takes_nothing_else(journey, as_user):
    api = as_user(journey.worker)
    empty = api.post("/api/cases/search", {"stage": "identification"})
    assert empty.status_code == 422
    assert set(empty.json()) == {"detail", "reasons", "errors"}
    assert "a name, a document number, or both" in empty.json()["detail"]
    unknown = api.post("/api/cases/search", {"name": "Eleni Papadaki", "surname": "Papadaki"})
    assert unknown.status_code == 422
    assert "Papadaki" not in unknown.content.decode(), "a refusal does not repeat the name"
    assert api.post("/api/cases/search", {"name": "   "}).status_code == 422


def test_the_list_refuses_a_name_or_document_in_its_url(journey, as_user):
    journey.open(person=GREEK_NAMES)
    journey.open()
    api = as_user(journey.worker)
    for search in ({"name": "Eleni Papadaki"}, {"document": "AK 445566"}, {"name": ""}):
        refused = api.get("/api/cases/", search)
        assert refused.status_code == 422, search
        assert "POST /api/cases/search" in refused.json()["detail"]
        assert "Papadaki" not in refused.content.decode()
    assert api.get("/api/cases/").json()["count"] == 2


def test_a_search_works_with_a_token_of_the_read_scope_only(journey):
    case = journey.open(person=GREEK_NAMES)
    reader = token_api(journey.sender, ["cases:read"])
    found = reader.post("/api/cases/search", {"name": "Eleni Papadaki"}).json()
    assert [item["id"] for item in found["items"]] == [str(case.pk)]
    assert found["items"][0]["name"] == "Ελένη Παπαδάκη"
    without = token_api(journey.sender, ["referrals:read"])
    refused = without.post("/api/cases/search", {"name": "Eleni Papadaki"})
    assert refused.status_code == 403
    assert "cases:read" in refused.json()["detail"]


def test_a_search_does_not_confirm_a_name_the_caller_may_not_see(journey, as_user):
    case = journey.open(person=GREEK_NAMES)
    Grant.objects.create(
        case=case,
        organisation=journey.receiver,
        categories=[DataCategory.ASSISTANCE],
        source="referral",
    )
    api = as_user(journey.receiving_worker)
    by_name = api.post("/api/cases/search", {"name": "Eleni Papadaki"}).json()
    assert by_name["count"] == 0
    by_document = api.post("/api/cases/search", {"document": "AK 445566"}).json()
    assert by_document["count"] == 0
    by_reference = api.get("/api/cases/", {"reference": case.reference}).json()
    assert by_reference["items"][0]["name"] is None, "the identity was not shared"


def test_a_case_is_read_with_its_version_as_etag_and_the_read_is_audited(journey, as_user):
    case = journey.open()
    response = as_user(journey.worker).get(f"/api/cases/{case.pk}")
    assert response.status_code == 200
    assert response.headers["ETag"] == '"1"'
    body = response.json()
    assert body["version"] == 1
    assert body["person"]["fields"]["contacts"] == {"phone": "+34 600 000 000"}
    assert body["stage"] == "identification"
    event = AuditEvent.objects.filter(action="trm.case.viewed").latest("sequence")
    assert (event.actor, event.object_id) == (journey.worker, str(case.pk))


def test_a_system_opens_a_case_through_the_action(journey):
    api = token_api(journey.sender, ["cases:write", "cases:read"])
    response = api.post(
        "/api/cases/",
        {
            "is_child": True,
            "person": {**GREEK_NAMES, "citizenship": "al", "birth_date": "2010-03-04"},
        },
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert response.headers["Location"] == f"/api/cases/{body['id']}"
    assert response.headers["ETag"] == '"1"'
    case = Case.objects.get(pk=body["id"])
    assert (case.owner, case.is_child, case.case_worker) == (journey.sender, True, api.token.user)
    assert case.person.citizenship == "AL"
    assert case.person.family_name == "Παπαδάκη"
    raw = Person.objects.filter(pk=case.person_id).values_list("family_name", flat=True).get()
    assert "Παπαδάκη".encode() not in bytes(raw), "stored encrypted"
    event = AuditEvent.objects.get(action="trm.case.opened", object_id=str(case.pk))
    assert event.actor == api.token.user


def test_a_case_is_opened_only_for_ones_own_organisation(journey):
    api = token_api(journey.sender)
    response = api.post(
        "/api/cases/", {"organisation": journey.receiver.slug, "person": {"given_name": "Ana"}}
    )
    assert response.status_code == 422
    assert journey.receiver.slug in response.json()["detail"]
    assert not Case.objects.exists()


def test_the_person_is_corrected_with_the_version_read(journey, as_user):
    case = journey.open()
    api = as_user(journey.worker)
    etag = api.get(f"/api/cases/{case.pk}").headers["ETag"]
    response = api.patch(
        f"/api/cases/{case.pk}/person",
        {"family_name": "Hoxha-Leka", "birth_date": None},
        headers={"If-Match": etag},
    )
    assert response.status_code == 200, response.json()
    assert response.json()["version"] == 2
    assert response.headers["ETag"] == '"2"'
    case.refresh_from_db()
    assert (case.person.family_name, case.person.birth_date) == ("Hoxha-Leka", None)
    event = AuditEvent.objects.get(action="trm.person.updated")
    assert event.details == {"fields": ["birth_date", "family_name"]}
    again = api.patch(f"/api/cases/{case.pk}/person", {"version": 2, "given_name": "Anila Drita"})
    assert again.status_code == 200


def test_a_stale_version_is_refused_and_nothing_changes(journey, as_user):
    case = journey.open()
    api = as_user(journey.worker)
    Case.objects.filter(pk=case.pk).update(version=4)  # someone else saved meanwhile
    for attempt in [
        {"body": {"version": 1, "family_name": "Changed"}},
        {"body": {"family_name": "Changed"}, "headers": {"If-Match": '"1"'}},
        {"body": {"version": 4, "family_name": "Changed"}, "headers": {"If-Match": '"3"'}},
    ]:
        response = api.patch(f"/api/cases/{case.pk}/person", attempt["body"],
                             headers=attempt.get("headers"))  # fmt: skip
        assert response.status_code == 409, response.json()
        assert (
            "Someone else changed" in response.json()["detail"]
            or "different" in (response.json()["detail"])
        )
    case.refresh_from_db()
    assert (case.person.family_name, case.version) == ("Hoxha", 4)
    missing = api.patch(f"/api/cases/{case.pk}/person", {"family_name": "Changed"})
    assert missing.status_code == 422
    assert "version" in missing.json()["detail"]


def test_bad_input_gets_a_structured_422_and_nothing_is_saved(journey, as_user):
    case = journey.open()
    api = as_user(journey.worker)
    malformed = api._send("patch", f"/api/cases/{case.pk}/person", raw='{"version": 1, "fam')
    assert malformed.status_code == 422
    assert malformed.json() == {
        "detail": "The request body is not valid JSON.",
        "reasons": [],
        "errors": [],
    }
    unknown = api.patch(
        f"/api/cases/{case.pk}/person", {"version": 1, "family_name": "X", "nickname": "Ani"}
    )
    assert unknown.status_code == 422
    body = unknown.json()
    assert body["reasons"] == ["nickname: Extra inputs are not permitted"]
    assert body["errors"][0]["type"] == "extra_forbidden"
    wrong_type = api.patch(f"/api/cases/{case.pk}/person", {"version": 1, "birth_date": "soon"})
    assert wrong_type.status_code == 422
    assert wrong_type.json()["reasons"][0].startswith("birth_date:")
    not_an_object = api._send("post", "/api/cases/", raw="[1, 2]")
    assert not_an_object.status_code == 422
    nul = api.patch(f"/api/cases/{case.pk}/person", {"version": 1, "family_name": "A\x00B"})
    assert nul.status_code == 422
    case.refresh_from_db()
    assert (case.person.family_name, case.version) == ("Hoxha", 1)
    assert Case.objects.count() == 1


def test_refusals_speak_the_callers_language(journey):
    case = journey.open()
    api = token_api(journey.receiver)
    response = api.get(f"/api/cases/{case.pk}", headers={"Accept-Language": "fr"})
    assert response.status_code == 404
    assert response.json()["detail"] == (
        "Ce dossier n'existe pas ou vous n'êtes pas autorisé à le voir."
    )
