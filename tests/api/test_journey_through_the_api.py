"""A child's case from identification in Spain to monitoring in Albania and closure, all through
the API: systems of both organisations with tokens, supervisors with their signed-in browsers.
Only consent, which the API does not take, is recorded through its action."""

import datetime

import pytest
from django.test import TestCase
from django.utils import timezone

from tests.api.conftest import token_api
from tests.referrals.journeys import ALL_SCORES_3, USUAL_CONSENT, today
from trm.audit.models import AuditEvent
from trm.cases.models import Case
from trm.consent.models import Purpose
from trm.deadlines.models import Deadline
from trm.referrals.models import Referral

pytestmark = pytest.mark.django_db


class Caller:
    """One caller of the API about one case; writes run as committed (announcements too)."""

    def __init__(self, api, case_id=None):
        self.api, self.case_id = api, case_id

    def __call__(self, method, path, body=None, expect=200):
        with TestCase.captureOnCommitCallbacks(execute=True):
            response = getattr(self.api, method)(path, body) if body is not None else (
                getattr(self.api, method)(path)
            )  # fmt: skip
        assert response.status_code == expect, (path, response.json())
        return response.json()

    @property
    def case(self):
        return f"/api/cases/{self.case_id}"

    def version(self) -> int:
        return int(self.api.get(self.case).headers["ETag"].strip('"'))

    def record(self, kind, data):
        return self("post", f"{self.case}/records", {"kind": kind, "data": data}, expect=201)

    def move(self, event, data=None, reason=""):
        body = {"version": self.version(), "data": data, "reason": reason}
        return self("post", f"{self.case}/moves/{event}", body)

    def approved(self, supervisor, subject, **details):
        approval = self("post", f"{self.case}/approvals", {"subject": subject, **details}, 201)
        decision = f"{self.case}/approvals/{approval['id']}/decision"
        return supervisor("post", decision, {"approve": True, "comment": "Agreed."})


def test_a_childs_return_walked_through_the_api(journey, as_user):
    spain = Caller(token_api(journey.sender))
    albania = Caller(token_api(journey.receiver))
    supervisor = Caller(as_user(journey.supervisor))
    second_supervisor = Caller(as_user(journey.second_supervisor))

    opened = spain("post", "/api/cases/", {"is_child": True, "person": {
        "given_name": "Drita", "family_name": "Leka", "birth_date": "2010-06-01",
        "sex": "female", "citizenship": "AL"}}, expect=201)  # fmt: skip
    spain.case_id = albania.case_id = opened["id"]
    supervisor.case_id = second_supervisor.case_id = opened["id"]
    case = Case.objects.get(pk=opened["id"])

    spain.record("screening", {"signal": "hotline", "outcome": "presumed_victim",
                               "exploitation": ["forced_begging"]})  # fmt: skip
    refused = spain.api.post(f"{spain.case}/moves/presume_victim", {"version": spain.version()})
    assert refused.status_code == 409
    assert refused.json()["reasons"] == ["A child needs a guardian recorded from identification."]
    spain.record("guardian", {"guardian": "Servicio de tutela", "appointed_on": today()})
    assert spain.move("presume_victim")["stage"] == "first_assistance"

    spain.record("immediate_assessment", {"risk_of_re_trafficking": "high", "needs": "Shelter."})
    spain.record("reflection_period", {"starts_on": today()})
    spain.record("support_plan", {"needs": "Shelter, school.", "actions": "A place, a tutor."})
    spain.move("start_counselling")
    spain.record("counselling", {"choice": "return", "language": "sq",
                                 "childs_views": "She wants to live with her aunt."})  # fmt: skip
    journey.consent(case, ("identity", "health", "assistance"), purpose=Purpose.ASSISTANCE)
    journey.consent(case, USUAL_CONSENT)
    spain.move("choose_return")

    spain.record("risk_assessment", {"risk_level": "medium", "escort_needed": True})
    spain.record("return_decision", {"decision": "go"})
    spain.record("best_interests_determination", {"return_in_best_interests": "yes",
                 "reasoning": "Her aunt can care for her.", "childs_views": "Yes."})  # fmt: skip
    supervisor.approved(second_supervisor, "best_interests_determination")
    assert spain.move("decide_go")["stage"] == "referral"

    sent = spain("post", f"{spain.case}/referrals", {
        "receiver": journey.receiver.pk, "categories": list(USUAL_CONSENT),
        "services": ["shelter"], "planned_return": today(30)}, expect=201)  # fmt: skip
    assert albania.api.get(albania.case).status_code == 404, "not before accepting"
    [waiting] = albania("get", "/api/referrals/inbox")["items"]
    assert waiting["id"] == sent["id"]
    assert waiting["preview"]["child"] is True
    assert "shelter" in waiting["preview"]["services"]
    assert 0 < waiting["seconds_left"]
    albania("post", f"/api/referrals/{sent['id']}/accept", {
        "met_by": "Elira, social worker", "place": "Tirana airport",
        "meeting_at": (timezone.now() + datetime.timedelta(days=20)).isoformat()})  # fmt: skip
    assert albania("get", albania.case)["stage"] == "return_preparation"

    albania.record("risk_assessment", {"risk_level": "low"})
    albania.record("family_assessment", {"outcome": "suitable", "caregiver": "Her aunt",
                                         "assessment": "A stable home."})  # fmt: skip
    spain.record("return_preparation", {"travel_documents_ready": True, "departure_on": today(7),
                 "itinerary": "Madrid to Tirana.", "escort_arranged": True})  # fmt: skip
    spain.move("depart", data={"departed_at": timezone.now().isoformat()})
    albania.move("confirm_reception", data={
        "received_at": timezone.now().isoformat(), "met_by": "Elira", "place": "Tirana airport",
        "caregiver": "Her aunt"})  # fmt: skip
    albania.record("reintegration_plan", {"agreed_on": today(), "goals": "School in Tirana.",
                                          "child_protection_lead": True})  # fmt: skip
    albania.record("assistance_item", {"type": "education", "provider": "A school",
                                       "status": "planned", "budget": 300})  # fmt: skip
    assert albania.move("agree_plan")["stage"] == "monitoring"
    contact = albania.record("monitoring_contact", {"contacted_on": today(),
                             "situation": "She goes to school.", **ALL_SCORES_3})  # fmt: skip
    assert contact["fields"]["scores"]["overall"] > 0

    closed = spain.approved(supervisor, "closure", closure_reason="completed")
    assert closed["approved"] is True
    case.refresh_from_db()
    assert case.stage == "closed"
    assert Referral.objects.get().state == "completed", "the receiving side was told"
    assert not Deadline.objects.open().filter(case=case).exists(), "closure ends what was due"
    actors = set(AuditEvent.objects.filter(object_id=str(case.pk)).values_list(
        "actor__username", flat=True))  # fmt: skip
    assert {spain.api.token.user.username, albania.api.token.user.username} <= actors
