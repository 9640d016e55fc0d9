"""A caller from another organisation gets 404 on every API path of a case they may not see,
as for a case that does not exist: nothing is shown, nothing changes, nothing is read.

The paths come from the OpenAPI document itself, so a new endpoint about a case is covered (or
this test fails until a valid body for it is given below)."""

import datetime
import uuid

import pytest
from django.utils import timezone

from tests.api.conftest import Api, token_api
from tests.referrals.journeys import committed
from trm.accounts.models import Role
from trm.audit.models import AuditEvent
from trm.cases.actions.journey import request_approval
from trm.cases.models import Approval, Case, Note, StageRecord
from trm.consent.models import ConsentRecord
from trm.referrals.actions import ask_for_information
from trm.referrals.models import ReferralMessage

pytestmark = pytest.mark.django_db

# Paths naming one of these are about a case (a referral is about its case too).
CASE_SCOPED = ("{case_id}", "{referral_id}")

# A valid body for each kind of request, so that a refusal can only come from the policy.
BODIES = {
    "PersonPatch": {"version": 1, "family_name": "Changed"},
    "RecordIn": {"kind": "proceedings", "data": {"status": "witness"}},
    "MoveIn": {"version": 1, "reason": "A reason to move."},
    "ApprovalIn": {"subject": "closure", "closure_reason": "lost_contact"},
    "DecisionIn": {"approve": True},
    "ReferralIn": {"receiver": 0, "categories": ["identity"]},
    "AcceptIn": {"met_by": "Someone", "place": "Somewhere", "meeting_at": "2030-01-01T10:00Z"},
    "ReasonIn": {"reason": "A reason."},
    "QuestionIn": {"question": "A question?"},
    "AnswerIn": {"in_reply_to": "", "text": "An answer."},
    "NoteIn": {"text": "A note."},
    "ConsentIn": {"purpose": "statistics", "categories": ["identity"], "language": "en"},
    "WithdrawIn": {"reason": "A reason."},
    "WithdrawnIn": {"note": "She no longer agrees."},
    "AssignmentIn": {"case_worker": 1, "version": 1},
}


def case_scoped_operations(api) -> list[tuple[str, str, str | None]]:
    """(method, path, body schema name) of every operation about a case, from the document."""
    found = []
    for path, operations in api.get("/api/openapi.json").json()["paths"].items():
        if not any(name in path for name in CASE_SCOPED):
            continue
        for method, operation in operations.items():
            schema = (
                (
                    operation.get("requestBody", {})
                    .get("content", {})
                    .get("application/json", {})
                    .get("schema", {})
                    .get("$ref", "")
                    .rsplit("/", 1)[-1]
                )
                or None
            )
            found.append((method, path, schema))
    return found


@pytest.fixture
def hidden(journey):
    """A case referred to Albania and accepted there, with a question on its referral and an
    approval waiting: every identifier a case-scoped path can name."""
    case = journey.to_referral()
    referral = journey.send(case)
    question = committed(
        ask_for_information,
        journey.receiving_worker,
        referral,
        "Is there a place for her?",
    )
    journey.accept(referral, meeting_at=timezone.now() + datetime.timedelta(days=5))
    approval = committed(
        request_approval,
        journey.worker,
        case,
        "closure",
        closure_reason="lost_contact",
    )
    return {
        "case": Case.objects.get(pk=case.pk),
        "ids": {
            "{case_id}": str(case.pk),
            "{referral_id}": str(referral.pk),
            "{approval_id}": str(approval.pk),
            "{consent_id}": str(case.consents.first().pk),
        },
        "body_ids": {"receiver": journey.receiver.pk, "in_reply_to": str(question.pk)},
    }


def _state(case):
    return (
        Case.objects.get(pk=case.pk).version,
        Case.objects.get(pk=case.pk).stage,
        StageRecord.objects.filter(case=case).count(),
        ReferralMessage.objects.filter(referral__case=case).count(),
        Approval.objects.filter(case=case).count(),
        Note.objects.filter(case=case).count(),
        ConsentRecord.objects.filter(case=case).count(),
    )


def _outsiders(journey):
    """Callers who may not see the case: staff of another Spanish organisation and of a
    Moroccan one, signed in; a system of a Greek organisation with every scope."""
    other_spanish = journey.personas.organisation("ES", focal_point=True)
    worker = journey.staff(other_spanish, Role.SUPERVISOR)
    moroccan = journey.staff(journey.personas.organisation("MA"), Role.FOCAL_POINT)
    return {
        "Spanish supervisor of another organisation": Api(journey.personas.signed_in(worker)),
        "Moroccan focal point": Api(journey.personas.signed_in(moroccan)),
        "Greek system": token_api(journey.personas.organisation("GR")),
    }


def test_an_outsider_gets_404_on_every_path_of_a_case(journey, hidden):
    insider = token_api(journey.sender)
    operations = case_scoped_operations(insider)
    assert len(operations) >= 30, "every case-scoped operation is enumerated"
    missing_bodies = {schema for _m, _p, schema in operations if schema} - set(BODIES)
    assert not missing_bodies, f"give a valid body for {missing_bodies}"
    outsiders = _outsiders(journey)
    before = _state(hidden["case"])
    events = AuditEvent.objects.count()
    for who, api in outsiders.items():
        for method, template, schema in operations:
            path = template
            for name, value in hidden["ids"].items():
                path = path.replace(name, value)
            body = None
            if schema:
                body = {**BODIES[schema]}
                body.update({k: v for k, v in hidden["body_ids"].items() if k in body})
            response = getattr(api, method)(path, body) if body is not None else api.get(path)
            assert response.status_code == 404, (who, method, path, response.content)
            assert set(response.json()) == {"detail", "reasons", "errors"}
    assert _state(hidden["case"]) == before, "nothing changed"
    assert AuditEvent.objects.count() == events, "nothing was read or written"


def test_a_missing_case_answers_like_a_hidden_one(journey, hidden):
    outsider = token_api(journey.personas.organisation("GR"))
    hidden_answer = outsider.get(f"/api/cases/{hidden['case'].pk}")
    missing_answer = outsider.get(f"/api/cases/{uuid.uuid4()}")
    assert hidden_answer.status_code == missing_answer.status_code == 404
    assert hidden_answer.json() == missing_answer.json()
    assert outsider.get("/api/cases/").json()["count"] == 0


def test_an_outsider_finds_the_person_neither_by_name_nor_by_document(journey, hidden):
    outsiders, insider = _outsiders(journey), token_api(journey.sender)
    events = AuditEvent.objects.count()
    searches = [{"name": "Anila Hoxha"}, {"name": "hoxha"}, {"document": "BA 1234567"},
                {"name": "Anila Hoxha", "reference": hidden["case"].reference}]  # fmt: skip
    for who, api in outsiders.items():
        for search in searches:
            response = api.post("/api/cases/search", search)
            assert response.status_code == 200, (who, search, response.content)
            assert response.json()["count"] == 0, (who, search)
    assert AuditEvent.objects.count() == events, "nothing was read"
    assert insider.post("/api/cases/search", searches[0]).json()["count"] == 1


def test_the_receiving_side_before_accepting_sees_only_the_referral(journey):
    case = journey.to_referral()
    referral = journey.send(case)
    albania = token_api(journey.receiver)
    assert albania.get(f"/api/referrals/{referral.pk}/preview").status_code == 200
    for path in ["", "/records", "/moves", "/approvals", "/referrals"]:
        assert albania.get(f"/api/cases/{case.pk}{path}").status_code == 404, path
