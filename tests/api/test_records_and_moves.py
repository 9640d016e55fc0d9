"""Stage records, moves and approvals through the API: the journey's actions, its guards' own
words on refusal, and versions that keep concurrent changes apart."""

import pytest

from tests.api.conftest import token_api
from trm.access.categories import DataCategory
from trm.access.models import Grant
from trm.cases.models import Case, StageRecord
from trm.cases.record_kinds import RECORD_KINDS
from trm.cases.workflow import TRANSITIONS

pytestmark = pytest.mark.django_db

SCREENING = {"signal": "police", "outcome": "presumed_victim", "notes": "Found at a farm."}


def test_the_catalogue_describes_every_record_kind(journey):
    kinds = token_api(journey.sender, ["directory:read"]).get("/api/record-kinds").json()
    assert [kind["code"] for kind in kinds] == list(RECORD_KINDS)
    screening = next(kind for kind in kinds if kind["code"] == "screening")
    signal = next(field for field in screening["fields"] if field["name"] == "signal")
    assert signal["required"] is True
    assert {"value": "hotline", "label": "Hotline"} in signal["choices"]
    notes = next(field for field in screening["fields"] if field["name"] == "notes")
    assert notes["encrypted"] is True


def test_a_record_is_added_and_listed_with_its_details_decrypted(journey, as_user):
    case = journey.open()
    api = as_user(journey.worker)
    created = api.post(f"/api/cases/{case.pk}/records", {"kind": "screening", "data": SCREENING})
    assert created.status_code == 201, created.json()
    listed = api.get(f"/api/cases/{case.pk}/records").json()
    assert listed["count"] == 1
    [record] = listed["items"]
    assert record["fields"] == SCREENING
    assert record["recorded_by"] == journey.worker.username
    stored = StageRecord.objects.get()
    assert stored.facts == {"signal": "police", "outcome": "presumed_victim"}
    assert Case.objects.get(pk=case.pk).version == 2


def test_an_invalid_record_is_refused_with_the_forms_reasons(journey, as_user):
    case = journey.open()
    api = as_user(journey.worker)
    path = f"/api/cases/{case.pk}/records"
    missing = api.post(path, {"kind": "screening", "data": {"signal": "carrier pigeon"}})
    assert missing.status_code == 422
    reasons = missing.json()["reasons"]
    assert any(r.startswith("How the case came to light:") for r in reasons), reasons
    assert any(r.startswith("Outcome:") for r in reasons), reasons
    unknown = api.post(path, {"kind": "screening", "data": {**SCREENING, "mood": "calm"}})
    assert unknown.json()["detail"] == "Unknown fields: mood"
    wrong_types = api.post(path, {"kind": "screening", "data": {
        "signal": ["police"], "indicators": "debt_bondage", "outcome": {"a": 1}}})  # fmt: skip
    assert wrong_types.status_code == 422
    assert len(wrong_types.json()["reasons"]) == 3
    far = api.post(path, {"kind": "identification_decision", "data": {
        "outcome": "identified", "decided_on": "9999-12-31", "authority": "Police"}})  # fmt: skip
    assert far.status_code == 422
    wrong_stage = api.post(path, {"kind": "reintegration_plan", "data": {}})
    assert wrong_stage.status_code == 422
    assert "cannot be recorded at the stage" in wrong_stage.json()["detail"]
    assert not StageRecord.objects.exists()
    assert Case.objects.get(pk=case.pk).version == 1


def test_a_record_is_corrected_and_the_correction_replaces_it(journey, as_user):
    case = journey.open()
    api = as_user(journey.worker)
    path = f"/api/cases/{case.pk}/records"
    first = api.post(path, {"kind": "screening", "data": SCREENING}).json()
    corrected = api.post(path, {"kind": "screening", "supersedes": first["id"],
                                "data": {**SCREENING, "signal": "hotline"}})  # fmt: skip
    assert corrected.status_code == 201
    assert corrected.json()["supersedes"] == first["id"]
    [current] = api.get(path).json()["items"]
    assert current["fields"]["signal"] == "hotline"
    again = api.post(path, {"kind": "screening", "supersedes": first["id"], "data": SCREENING})
    assert again.status_code == 409, "someone corrected it meanwhile"
    other_kind = api.post(path, {"kind": "guardian", "supersedes": first["id"], "data": {}})
    assert other_kind.status_code == 422
    second = api.post(path, {"kind": "screening", "data": SCREENING})
    assert second.status_code == 409, "one screening: correct it instead"
    stale = api.post(path, {"kind": "proceedings", "data": {"status": "witness"}, "version": 1})
    assert stale.status_code == 409
    assert StageRecord.objects.count() == 2


def test_a_partner_sees_only_the_fields_of_the_shared_categories(journey, as_user):
    case = journey.open()
    journey.add(journey.worker, case, "screening", SCREENING)
    Grant.objects.create(case=case, organisation=journey.receiver, source="referral",
                         categories=[DataCategory.IDENTITY])  # fmt: skip
    listed = as_user(journey.receiving_worker).get(f"/api/cases/{case.pk}/records").json()
    assert listed == {"count": 0, "limit": 100, "offset": 0, "items": []}, (
        "a record of no shared category is absent: not its id, kind or field names"
    )


def test_the_moves_say_what_is_missing_and_a_refused_move_changes_nothing(journey, as_user):
    case = journey.open(child=True)
    api = as_user(journey.worker)
    moves = api.get(f"/api/cases/{case.pk}/moves").json()
    presume = next(move for move in moves if move["event"] == "presume_victim")
    assert presume["allowed"] is False
    assert presume["reasons"] == [
        "Record the screening first.",
        "A child needs a guardian recorded from identification.",
    ]
    refused = api.post(presume["path"], {"version": 1})
    assert refused.status_code == 409
    assert refused.json()["reasons"] == presume["reasons"]
    assert refused.json()["detail"] == "Record the screening first."
    assert Case.objects.get(pk=case.pk).stage == "identification"


def test_a_move_needs_the_current_version(journey, as_user):
    case = journey.open()
    journey.add(journey.worker, case, "screening", SCREENING)  # version 2
    api = as_user(journey.worker)
    path = f"/api/cases/{case.pk}/moves/presume_victim"
    assert api.post(path, {}).status_code == 422
    stale = api.post(path, {"version": 1})
    assert stale.status_code == 409
    assert "Someone else changed this case" in stale.json()["detail"]
    assert Case.objects.get(pk=case.pk).stage == "identification"
    with_data = api.post(path, {"version": 2, "data": {"x": 1}})
    assert with_data.status_code == 422
    moved = api.post(path, {}, headers={"If-Match": '"2"'})
    assert moved.status_code == 200, moved.json()
    assert moved.json() == {**moved.json(), "stage": "first_assistance", "version": 3}
    assert moved.headers["ETag"] == '"3"'


def test_every_transition_is_its_own_endpoint(journey):
    paths = token_api(journey.sender).get("/api/openapi.json").json()["paths"]
    for transition in TRANSITIONS:
        operation = paths[f"/api/cases/{{case_id}}/moves/{transition.event}"]["post"]
        assert operation["summary"] == str(transition.label)
        assert {"200", "404", "409", "422"} <= set(operation["responses"])


def test_closure_is_approved_by_another_supervisor_and_closes_the_case(journey, as_user):
    case = journey.open()
    worker, supervisor = as_user(journey.worker), as_user(journey.supervisor)
    path = f"/api/cases/{case.pk}/approvals"
    requested = worker.post(path, {"subject": "closure", "closure_reason": "not_a_victim"})
    assert requested.status_code == 201, requested.json()
    approval = requested.json()
    assert (
        worker.post(path, {"subject": "closure", "closure_reason": "lost_contact"}).status_code
        == 409
    )
    decision = f"{path}/{approval['id']}/decision"
    assert worker.post(decision, {"approve": True}).status_code == 403, "not a supervisor"
    assert Case.objects.get(pk=case.pk).stage == "identification"
    decided = supervisor.post(decision, {"approve": True, "comment": "Agreed."})
    assert decided.status_code == 200, decided.json()
    assert decided.json()["approved"] is True
    assert Case.objects.get(pk=case.pk).stage == "closed"
    [listed] = worker.get(path).json()
    assert (listed["decided_by"], listed["comment"]) == (journey.supervisor.username, "Agreed.")
    reopen = worker.post(f"/api/cases/{case.pk}/moves/reopen", {"version": 2})
    assert reopen.status_code == 422, "a reason is needed"
    version = Case.objects.get(pk=case.pk).version
    body = {"version": version, "reason": "New evidence from the labour inspection."}
    assert worker.post(f"/api/cases/{case.pk}/moves/reopen", body).status_code == 200
