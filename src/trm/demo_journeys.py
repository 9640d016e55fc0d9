"""Cases walked along the real journey, through the actions only: the demo's cases, and the
tests' (tests/referrals/journeys.py runs each step as if committed).

    journey = ScriptedJourney(sender, receiver, worker, supervisor, receiving_worker)
    case = journey.to_referral(child=True)       # identification … go decision, consent recorded
    referral = journey.send(case)
    journey.accept(referral)                     # the case is at return preparation
    journey.depart(case); journey.confirm_reception(case)
    journey.agree_plan(case); journey.monitor(case); journey.close(case)

"""

import datetime

from django.utils import timezone

from trm.cases.actions import journey
from trm.cases.actions.casework import open_case
from trm.cases.models import Case
from trm.cases.record_kinds import DIMENSIONS
from trm.cases.stages import Stage
from trm.consent.actions import record_consent
from trm.consent.models import Purpose
from trm.referrals import actions as referrals

# What the person agrees to share in the usual scenario: who they are, their needs and health.
USUAL_CONSENT = ("identity", "contact", "health", "assistance", "family")
# Every question of the sustainability survey answered 3 of 4.
ALL_SCORES_3 = {code: 3 for questions in DIMENSIONS.values() for code, _label in questions}


CITIES = {"AL": "Tirana", "MA": "Casablanca", "UA": "Kyiv"}


def fresh(case: Case) -> Case:
    return Case.objects.get(pk=case.pk)


def today(days: int = 0) -> str:
    return (timezone.localdate() + datetime.timedelta(days=days)).isoformat()


class ScriptedJourney:
    """The staff of a sending and a receiving organisation, and the steps they take together."""

    def __init__(self, sender, receiver, worker, supervisor, receiving_worker):
        self.sender, self.receiver = sender, receiver
        self.worker, self.supervisor = worker, supervisor
        self.receiving_worker = receiving_worker
        # Where the person is received, for the invented texts of the steps.
        self.city = CITIES.get(receiver.country.code, "the capital")

    def run(self, action, *args, **kwargs):
        """Take one step (tests run it as if its transaction committed)."""
        return action(*args, **kwargs)

    # --- the sending side, up to the referral ----------------------------------------------

    def add(self, user, case, kind, data, **options):
        return self.run(journey.add_record, user, case, kind, data, **options)

    def move(self, user, case, event, data=None, reason=""):
        return self.run(
            journey.move, user, case, event, version=fresh(case).version, data=data, reason=reason
        )

    def open(self, *, child=False, person=None):
        return self.run(
            open_case,
            self.worker,
            self.sender,
            person=person
            or {
                "given_name": "Anila",
                "family_name": "Hoxha",
                "given_name_latin": "Anila",
                "family_name_latin": "Hoxha",
                "birth_date": "2009-05-14" if child else "1996-02-03",
                "sex": "female",
                "citizenship": self.receiver.country.code,
                "document_number": "BA 1234567",
                "contacts": {"phone": "+34 600 000 000"},
            },
            is_child=child,
        )

    def _child_consent(self, case):
        if not case.is_child:
            return {}
        return {"guardian_consent": True, "child_views": "She wants to go home to her aunt."}

    def consent(self, case, categories=USUAL_CONSENT, *, to=None, purpose=Purpose.REFERRAL):
        """The person's consent to a referral to `to` (the receiver) of `categories`."""
        recipient = (to or self.receiver) if purpose == Purpose.REFERRAL else None
        return self.run(
            record_consent,
            self.worker,
            case,
            purpose=purpose,
            categories=list(categories),
            language="sq",
            recipient_organisation=recipient,
            **self._child_consent(case),
        )

    def to_referral(
        self,
        *,
        child=False,
        consented=USUAL_CONSENT,
        risk_to_life=False,
        escort_needed=False,
        person=None,
        until=Stage.REFERRAL,
    ) -> Case:
        """A new case brought to the referral stage (or stopped at `until` on the way there);
        consent to refer `consented` recorded."""
        case = self.open(child=child, person=person)
        worker = self.worker
        self.add(worker, case, "screening", {
            "signal": "ngo_outreach", "indicators": ["withheld_documents", "debt_bondage"],
            "exploitation": ["forced_labour"], "route": "Durrës, Bari, Madrid by bus",
            "outcome": "presumed_victim",
            "notes": "Her testimony: recruited by a cousin for farm work near Almería.",
        })  # fmt: skip
        if child:
            self.add(worker, case, "guardian", {
                "guardian": "Servicio de tutela de Madrid", "appointed_on": today()})  # fmt: skip
        if until == Stage.IDENTIFICATION:
            return fresh(case)
        self.move(worker, case, "presume_victim")
        self.add(worker, case, "immediate_assessment", {
            "urgent_medical": True, "danger_of_violence": True, "risk_of_re_trafficking": "high",
            "risk_to_life": risk_to_life, "needs": "Treatment for a hand injury.",
        })  # fmt: skip
        self.add(worker, case, "reflection_period", {"starts_on": today()})
        self.add(worker, case, "support_plan", {
            "needs": "Safe housing, medical care.",
            "actions": "Shelter, a doctor, a lawyer.",
            "organisations": "IOM Spain",
        })  # fmt: skip
        if until == Stage.FIRST_ASSISTANCE:
            return fresh(case)
        self.move(worker, case, "start_counselling")
        self.add(worker, case, "counselling", {
            "choice": "return", "language": "sq", "interpreter": True,
            **({"childs_views": "She misses her aunt and school."} if child else {}),
        })  # fmt: skip
        self.consent(case, ("identity", "health", "assistance"), purpose=Purpose.ASSISTANCE)
        self.consent(case, consented)
        if until == Stage.OPTIONS_COUNSELLING:
            return fresh(case)
        self.move(worker, case, "choose_return")
        self.add(worker, case, "risk_assessment", {
            "risk_level": "medium", "risk_to_life": risk_to_life, "escort_needed": escort_needed,
            "risk_from_traffickers": "The recruiter, her cousin, lives in her home village.",
            "risk_from_family": "Her father owes the recruiter money.",
            "needs_on_arrival": "Housing away from the village.",
        })  # fmt: skip
        self.add(worker, case, "return_decision", {"decision": "go"})
        if child:
            self.add(worker, case, "best_interests_determination", {
                "return_in_best_interests": "yes", "reasoning": "Her aunt can care for her.",
                "childs_views": "She wants to live with her aunt.",
            })  # fmt: skip
            approval = self.run(
                journey.request_approval,
                self.worker,
                case,
                "best_interests_determination",
            )
            self.run(journey.decide_approval, self.supervisor, approval, approve=True)
        if until == Stage.PRE_RETURN_ASSESSMENT:
            return fresh(case)
        self.move(worker, case, "decide_go")
        return fresh(case)

    # --- the referral and the return ------------------------------------------------------

    def send(self, case, categories=USUAL_CONSENT, *, receiver=None, **options):
        return self.run(
            referrals.send_referral,
            self.worker,
            case,
            receiver or self.receiver,
            categories,
            **{"message": f"Please receive her in {self.city}.", **options},
        )

    def accept(self, referral, user=None, **options):
        return self.run(
            referrals.accept_referral,
            user or self.receiving_worker,
            referral,
            **{
                "met_by": "Elira, social worker",
                "place": f"{self.city} airport, arrivals hall",
                "meeting_at": timezone.now() + datetime.timedelta(days=20),
                **options,
            },
        )

    def depart(self, case):
        """`prepare_departure`, then the departure."""
        self.prepare_departure(case)
        return self.move(
            self.worker, case, "depart", data={"departed_at": timezone.now().isoformat()}
        )

    def prepare_departure(self, case):
        """The receiving side's risk assessment (and family assessment for a child) and the
        travel preparation: what the departure needs."""
        receiving = self.receiving_worker
        self.add(receiving, case, "risk_assessment", {
            "risk_level": "medium", "needs_on_arrival": "Shelter for the first weeks.",
        })  # fmt: skip
        if fresh(case).treated_as_child:
            self.add(receiving, case, "family_assessment", {
                "outcome": "suitable", "caregiver": "Her aunt, Drita Hoxha",
                "assessment": "The aunt has a stable home and income.",
            })  # fmt: skip
        self.add(self.worker, case, "return_preparation", {
            "travel_documents_ready": True, "consular_verification": True,
            "departure_on": today(14), "itinerary": f"Direct flight to {self.city}.",
            "escort_arranged": True, "escort": "IOM escort",
        })  # fmt: skip

    def confirm_reception(self, case):
        return self.move(
            self.receiving_worker,
            case,
            "confirm_reception",
            data={
                "received_at": timezone.now().isoformat(),
                "met_by": "Elira, social worker",
                "place": f"{self.city} airport",
                "caregiver": "Her aunt, Drita Hoxha" if fresh(case).treated_as_child else "",
            },
        )

    def agree_plan(self, case):
        self.prepare_plan(case)
        return self.move(self.receiving_worker, case, "agree_plan")

    def prepare_plan(self, case):
        """The reintegration plan and an assistance item: what agreeing the plan needs."""
        receiving = self.receiving_worker
        self.add(receiving, case, "reintegration_plan", {
            "agreed_on": today(), "goals": f"A job in a bakery in {self.city}.",
            # A child's reintegration is led by child protection (domain.md §5).
            "child_protection_lead": fresh(case).treated_as_child,
        })  # fmt: skip
        self.add(receiving, case, "assistance_item", {
            "type": "vocational_training", "provider": "Different and Equal",
            "status": "planned", "budget": "800",
        })  # fmt: skip

    def monitor(self, case, **scores):
        return self.add(self.receiving_worker, case, "monitoring_contact", {
            "contacted_on": today(), "situation": "She works at the bakery and feels safe.",
            **ALL_SCORES_3, **scores,
        })  # fmt: skip

    def close(self, case, reason="completed"):
        self.run(
            journey.decide_approval, self.supervisor, self.ask_closure(case, reason), approve=True
        )
        return fresh(case)

    def ask_closure(self, case, reason="completed"):
        """The closure's approval, asked for: a supervisor's approval closes the case."""
        return self.run(
            journey.request_approval, self.worker, case, "closure", closure_reason=reason
        )
