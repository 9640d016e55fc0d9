"""Random sequences of real actions by several people; the journey's invariants never break.

Hypothesis drives records, moves, approvals, consent, referrals, stale forms and reopenings on
adult and child cases. After every step: a refused action changed nothing; every change of
stage follows an edge of the workflow table; no child travels without an approved
best-interests determination, a suitable family assessment and an escort; no one returns
without a 'go'; no case closes without an approved closure; no child's case closes with the
reception unconfirmed; and every move is in the audit trail.
"""

import datetime

from django.db.models import F
from django.test import TestCase
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from tests.personas import Personas
from tests.referrals.journeys import ALL_SCORES_3, Journey, committed
from trm.audit.models import AuditEvent
from trm.audit.verify import verify_chain
from trm.cases.actions import journey
from trm.cases.models import Approval, Case, StageRecord
from trm.cases.record_kinds import RECORD_KINDS
from trm.cases.stages import Stage
from trm.cases.workflow import TRANSITIONS
from trm.consent.models import Purpose
from trm.lib.errors import DomainError
from trm.referrals import actions as referrals

TODAY = datetime.date.today().isoformat()
EDGES = {(source, t.target) for t in TRANSITIONS for source in t.sources if t.target}


def record_data(kind: str, choice: tuple) -> dict:
    """Valid data for each kind; `choice` picks the decisions that steer the journey."""
    decisions = iter(choice)

    def pick(options):
        # Each decision has a number of its own in `choice`, so decisions vary independently.
        return options[next(decisions) % len(options)]

    return {
        "screening": {"signal": "police", "outcome": pick(["presumed_victim", "not_a_victim"])},
        "guardian": {"guardian": "Guardian service", "appointed_on": TODAY},
        "immediate_assessment": {"risk_of_re_trafficking": "medium", "needs": "Shelter.",
                                 "risk_to_life": pick([False, True])},
        "reflection_period": {"starts_on": TODAY},
        "support_plan": {"needs": "Rest.", "actions": "Shelter and counselling."},
        "counselling": {"choice": pick(["return", "return", "residence"]), "language": "sq",
                        "asylum_seeker": pick([False, False, False, True])},
        "risk_assessment": {"risk_level": "low", "escort_needed": pick([False, True])},
        "return_decision": {"decision": pick(["go", "go", "no_go", "postpone"])},
        "best_interests_assessment": {"assessment": "Seen.", "childs_views": "Wants to go."},
        "best_interests_determination": {"return_in_best_interests": pick([True, True, False]),
                                         "reasoning": "Aunt.", "childs_views": "Wants to go."},
        "family_assessment": {"outcome": pick(["suitable", "suitable", "not_suitable"]),
                              "caregiver": "Aunt", "assessment": "Visited."},
        "return_preparation": {"travel_documents_ready": pick([True, True, False]),
                               "escort_arranged": pick([True, False]), "departure_on": TODAY,
                               "itinerary": "Madrid to Tirana by air."},
        "reintegration_plan": {"agreed_on": TODAY, "goals": "Work and housing."},
        "assistance_item": {"type": "housing", "provider": "Shelter", "status": "planned"},
        "monitoring_contact": {"contacted_on": TODAY, "situation": "Stable.", **ALL_SCORES_3},
        "reception_arrangements": {"confirmed": True, "met_by": "Caseworker", "place": "Airport"},
    }[kind]  # fmt: skip


# One number per decision that record_data takes, plus one for go / no go.
CHOICES = st.lists(st.integers(0, 5), min_size=12, max_size=12).map(tuple)

KINDS = [
    "screening", "guardian", "immediate_assessment", "reflection_period", "support_plan",
    "counselling", "risk_assessment", "return_decision", "best_interests_assessment",
    "best_interests_determination", "family_assessment", "return_preparation",
    "reintegration_plan", "assistance_item", "monitoring_contact", "reception_arrangements",
]  # fmt: skip
EVENTS = [t.event for t in TRANSITIONS if t.event != "close"]
MOVE_DATA = {
    "depart": {"departed_at": f"{TODAY}T08:00"},
    "confirm_reception": {
        "received_at": f"{TODAY}T12:00",
        "met_by": "Focal point",
        "place": "Airport",
    },  # fmt: skip
}


class JourneyMachine(RuleBasedStateMachine):
    @initialize(child=st.booleans())
    def open_a_case(self, child):
        self.team = Journey(Personas())
        self.case = self.team.open(child=child)
        self.stage = self.case.stage
        self.moves = 0
        self.referral = None

    def people(self):
        team = self.team
        return [team.worker, team.supervisor, team.second_supervisor, team.receiving_worker]

    def snapshot(self):
        case = Case.objects.get(pk=self.case.pk)
        return (case.stage, case.version, StageRecord.objects.filter(case=case).count(),
                Approval.objects.filter(case=case).count())  # fmt: skip

    def attempt(self, action, *args, **kwargs):
        """Run an action; if refused, nothing may have changed."""
        before = self.snapshot()
        try:
            return committed(action, *args, **kwargs)
        except DomainError as refused:
            reasons = refused.reasons
        assert reasons, "a refusal says why"
        assert self.snapshot() == before, "a refused action changed the case"
        return None

    @rule(data=st.data())
    def do_something_unexpected(self, data):
        """Anyone tries anything: a record, a step, a stale form, an approval, consent, a
        referral."""
        action = data.draw(st.sampled_from([
            lambda: self.add_a_record(
                data.draw(st.sampled_from(KINDS)), data.draw(st.integers(0, 3)),
                data.draw(CHOICES)),
            lambda: self.take_a_step(
                data.draw(st.sampled_from(EVENTS)), data.draw(st.integers(0, 3))),
            lambda: self.submit_a_stale_form(data.draw(st.sampled_from(EVENTS))),
            lambda: self.ask_and_decide_an_approval(
                data.draw(st.sampled_from(list(Approval.Subject))), data.draw(st.integers(0, 3)),
                data.draw(st.booleans())),
            lambda: self.record_consent(data.draw(st.sampled_from(list(Purpose)))),
            self.refer_and_accept,
        ]))  # fmt: skip
        action()

    def add_a_record(self, kind, who, choice):
        self.attempt(
            journey.add_record, self.people()[who], self.case, kind, record_data(kind, choice)
        )

    def take_a_step(self, event, who):
        version = Case.objects.get(pk=self.case.pk).version
        moved = self.attempt(
            journey.move, self.people()[who], self.case, event, version=version,
            data=MOVE_DATA.get(event), reason="The person asked for it.",
        )  # fmt: skip
        if moved is not None:
            self.moves += 1

    def submit_a_stale_form(self, event):
        version = Case.objects.get(pk=self.case.pk).version - 1
        assert (
            self.attempt(journey.move, self.team.worker, self.case, event, version=version) is None
        )

    def ask_and_decide_an_approval(self, subject, approver, approve):
        approval = self.attempt(
            journey.request_approval, self.team.worker, self.case, subject,
            closure_reason="lost_contact",
        )  # fmt: skip
        if approval is None:
            return
        self.attempt(journey.decide_approval, self.people()[approver], approval, approve=approve)
        if Case.objects.get(pk=self.case.pk).stage == Stage.CLOSED:
            self.moves += 1  # an approved closure closes the case (it was open to be asked)

    def record_consent(self, purpose):
        try:
            self.team.consent(self.case, purpose=purpose)
        except DomainError:
            pass

    def refer_and_accept(self):
        referral = self.attempt(
            referrals.send_referral, self.team.worker, self.case, self.team.receiver,
            ["identity", "assistance", "family"],
        )  # fmt: skip
        if referral is not None:
            self.referral = referral
            moved = self.attempt(
                referrals.accept_referral, self.team.receiving_worker, referral,
                met_by="Focal point", place="Airport",
                meeting_at=datetime.datetime.now(datetime.UTC) + datetime.timedelta(days=20),
            )  # fmt: skip
            if moved is not None:
                self.moves += 1

    @rule(choice=CHOICES)
    def take_the_next_usual_step(self, choice):
        """What a diligent team does next at this stage (random decisions along the way), so
        that the random rules around it meet every stage."""
        team, case = self.team, Case.objects.get(pk=self.case.pk)
        worker, receiving = team.worker, team.receiving_worker

        def add(who, kind):
            # A record already there is corrected: the team changes its mind too.
            current = case.records.filter(kind=kind, superseded_by__isnull=True).last()
            repeatable = RECORD_KINDS[kind].repeatable
            self.attempt(
                journey.add_record, who, case, kind, record_data(kind, choice),
                supersedes=None if repeatable else current,
            )  # fmt: skip

        stage = case.stage
        if stage == Stage.IDENTIFICATION:
            add(worker, "screening")
            add(worker, "guardian")
            self.take_a_step("presume_victim", 0)
        elif stage == Stage.FIRST_ASSISTANCE:
            for kind in ["immediate_assessment", "reflection_period", "support_plan"]:
                add(worker, kind)
            self.take_a_step("start_counselling", 0)
        elif stage == Stage.OPTIONS_COUNSELLING:
            self.record_consent(Purpose.ASSISTANCE)
            add(worker, "counselling")
            stays = record_data("counselling", choice)["choice"] == "residence"
            self.take_a_step("choose_to_stay" if stays else "choose_return", 0)
        elif stage == Stage.LONG_TERM_ASSISTANCE:
            self.take_a_step("reconsider", 0)
        elif stage == Stage.PRE_RETURN_ASSESSMENT:
            for kind in ["risk_assessment", "return_decision", "best_interests_assessment",
                         "best_interests_determination"]:  # fmt: skip
                add(worker, kind)
            if case.treated_as_child:
                self.ask_and_decide_an_approval(Approval.Subject.BEST_INTERESTS, 1, True)
            self.record_consent(Purpose.REFERRAL)
            self.take_a_step("decide_go" if choice[-1] % 4 else "decide_no_go", 0)
        elif stage == Stage.REFERRAL:
            self.refer_and_accept()
        elif stage == Stage.RETURN_PREPARATION:
            add(receiving, "risk_assessment")
            add(receiving, "family_assessment")
            add(worker, "return_preparation")
            self.take_a_step("depart", 0)
        elif stage == Stage.TRAVEL:
            self.take_a_step("confirm_reception", 3)
        elif stage == Stage.REINTEGRATION:
            add(receiving, "reintegration_plan")
            add(receiving, "assistance_item")
            self.take_a_step("agree_plan", 3)
        elif stage == Stage.MONITORING:
            add(receiving, "monitoring_contact")
            self.ask_and_decide_an_approval(Approval.Subject.CLOSURE, 1, True)
        elif stage == Stage.CLOSED:
            self.take_a_step("reopen", 0)

    @invariant()
    def stages_follow_the_table(self):
        if not hasattr(self, "case"):
            return
        case = Case.objects.get(pk=self.case.pk)
        if case.stage != self.stage:
            assert (self.stage, case.stage) in EDGES or self.stage == Stage.CLOSED, (
                self.stage, case.stage,
            )  # fmt: skip
            self.stage = case.stage

    @invariant()
    def no_return_without_the_safeguards(self):
        if not hasattr(self, "case"):
            return
        case = Case.objects.get(pk=self.case.pk)
        if not case.returned_at:
            return
        # After departure the earlier stages' records can no longer change: the current ones
        # are those the departure was allowed on.
        current = StageRecord.objects.filter(case=case, superseded_by__isnull=True)
        assert current.filter(kind="return_decision", facts__decision="go").exists()
        assert current.filter(kind="risk_assessment", side="receiving").exists()
        if case.treated_as_child:
            assert current.filter(
                kind="best_interests_determination",
                facts__return_in_best_interests=True,
                approvals__approved=True,
            ).exists(), "a child returned without an approved best-interests determination"
            assert current.filter(
                kind="family_assessment", side="receiving", facts__outcome="suitable"
            ).exists(), "a child returned without a suitable family or caregiver"
            assert current.filter(
                kind="return_preparation", facts__escort_arranged=True
            ).exists(), "a child travelled without an escort"

    @invariant()
    def closure_needs_approval_and_a_childs_reception(self):
        if not hasattr(self, "case"):
            return
        case = Case.objects.get(pk=self.case.pk)
        if case.stage == Stage.CLOSED:
            assert case.closed_at
            approved = case.approvals.filter(subject="closure", approved=True)
            assert approved.exclude(decided_by=F("requested_by")).exists(), "self-approved"
            if case.treated_as_child and case.returned_at:
                assert case.received_at, "a child's case closed with the reception unconfirmed"

    @invariant()
    def every_move_is_audited(self):
        if not hasattr(self, "case"):
            return
        moved = AuditEvent.objects.filter(
            action="trm.case.moved", object_id=str(self.case.pk)
        ).count()
        assert moved == self.moves


class JourneyInvariants(TestCase):
    def test_random_journeys_never_break_the_rules(self):
        from hypothesis.stateful import run_state_machine_as_test

        from trm.directory.seed import seed_directory

        seed_directory()
        run_state_machine_as_test(
            JourneyMachine,
            settings=settings(
                max_examples=14,
                stateful_step_count=50,
                deadline=None,
                suppress_health_check=list(HealthCheck),
            ),
        )
        assert verify_chain().ok
