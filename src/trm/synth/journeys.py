"""The journey of each invented case, step by step along the workflow, until today.

A case is opened on a day in the last four years and walks the procedure of domain.md §4 with
plausible delays and outcomes; wherever today falls, it stops: the stage it reached is its
stage. So the proportions of stages come out of the durations, as in a real caseload. Each
step writes what the actions would (records, moves, consents, referrals, approvals,
deadlines, audit events) and respects the workflow's guards, so a person can go on with any
synthetic case through the real pages. The return itself is in returns.py; what each step
writes, in casework.py.
"""

import datetime

from trm.access.categories import DataCategory
from trm.cases.stages import Exploitation, Indicator, MeansOfControl, Recruitment, Signal
from trm.deadlines.models import DeadlineKind

from . import texts
from .casework import UTC, Stop, end_of
from .people import weighted
from .plans import PlannedCase
from .returns import ReturnJourney
from .staff import RECEIVER_WEIGHTS, Directory

USUAL_REFERRAL_CATEGORIES = {DataCategory.IDENTITY, DataCategory.HEALTH, DataCategory.ASSISTANCE}
FEMALE_EXPLOITATION = {
    Exploitation.SEXUAL: 55, Exploitation.FORCED_LABOUR: 20, Exploitation.DOMESTIC_SERVITUDE: 10,
    Exploitation.FORCED_MARRIAGE: 5, Exploitation.FORCED_CRIMINALITY: 5,
    Exploitation.FORCED_BEGGING: 3, Exploitation.OTHER: 2,
}  # fmt: skip
MALE_EXPLOITATION = {
    Exploitation.FORCED_LABOUR: 60, Exploitation.FORCED_CRIMINALITY: 15,
    Exploitation.FORCED_BEGGING: 10, Exploitation.SEXUAL: 8, Exploitation.ORGAN_REMOVAL: 1,
    Exploitation.OTHER: 6,
}  # fmt: skip
CHILD_EXPLOITATION = {
    Exploitation.SEXUAL: 35, Exploitation.FORCED_BEGGING: 20, Exploitation.CHILD_LABOUR: 20,
    Exploitation.FORCED_CRIMINALITY: 15, Exploitation.FORCED_MARRIAGE: 5,
    Exploitation.DOMESTIC_SERVITUDE: 5,
}  # fmt: skip
SIGNALS = {
    Signal.POLICE: 30, Signal.NGO_OUTREACH: 25, Signal.LABOUR_INSPECTION: 12, Signal.HOTLINE: 10,
    Signal.SELF_REPORT: 13, Signal.FOREIGN_AUTHORITY: 5, Signal.OTHER: 5,
}  # fmt: skip


class Journey(ReturnJourney):
    """One case walked along the workflow; `plan()` returns it as it stands today."""

    def plan(self) -> PlannedCase:
        self.event("trm.case.opened", self.worker)
        try:
            self.identification()
        except Stop:
            pass
        self._sweep_deadlines()
        self.case.events.sort(key=lambda event: event.at)
        return self.case

    def identification(self):
        rng, person = self.rng, self.person
        self.advance(0, 3)
        table = (
            CHILD_EXPLOITATION
            if self.child
            else FEMALE_EXPLOITATION
            if person.sex == "female"
            else MALE_EXPLOITATION
        )
        exploitation = {weighted(rng, table)}
        if self.chance(0.2):
            exploitation.add(weighted(rng, table))
        presumed = self.chance(0.93)
        self.record(
            "screening",
            {
                "signal": weighted(rng, SIGNALS),
                "indicators": sorted(rng.sample(list(Indicator.values), rng.randint(2, 4))),
                "exploitation": sorted(exploitation),
                "means_of_control": sorted(
                    rng.sample(list(MeansOfControl.values), rng.randint(1, 3))
                ),
                "recruitment": rng.choice(Recruitment.values),
                "outcome": "presumed_victim" if presumed else "not_a_victim",
            },
            {
                "route": texts.route(rng, person.nationality, self.country),
                "notes": texts.pick(rng, texts.NOTES) if self.chance(0.7) else "",
            },
        )
        if self.child:
            self.advance(0, 2)
            self.record(
                "guardian",
                {"appointed_on": self.t.date().isoformat()},
                {"guardian": f"Guardian service of {texts.city(rng, self.country)}"},
            )
        self.viewed()
        if not presumed:
            self.close("not_a_victim", 1, 10)
            return
        self.advance(0, 7)
        self.move("presume_victim")
        self.first_assistance()

    def first_assistance(self):
        rng = self.rng
        self.advance(0, 2)
        self.record(
            "immediate_assessment",
            {
                "urgent_medical": self.chance(0.3),
                "danger_of_violence": self.chance(0.25),
                "risk_of_re_trafficking": weighted(rng, {"low": 40, "medium": 40, "high": 20}),
                "risk_to_life": self.chance(0.05),
            },
            {"needs": texts.pick(rng, texts.NEEDS)},
        )
        self.consent("assistance", USUAL_REFERRAL_CATEGORIES)
        if self.chance(0.6):
            self.consent("statistics", {DataCategory.IDENTITY, DataCategory.EXPLOITATION})
        self.advance(0, 1)
        days = self.rules.reflection_days
        starts = self.t.date()
        ends = starts + datetime.timedelta(days=days)
        self.record(
            "reflection_period",
            {"starts_on": starts.isoformat(), "days": days, "ends_on": ends.isoformat()},
        )
        self.deadline(
            DeadlineKind.REFLECTION_PERIOD_END,
            rules=self.rules,
            due=end_of(ends),
            organisations=[self.owner.id],
        )
        self.advance(0, 5)
        self.record(
            "support_plan",
            {"review_on": (starts + datetime.timedelta(days=30)).isoformat()}
            if self.chance(0.5)
            else {},
            {
                "needs": texts.pick(rng, texts.NEEDS),
                "actions": texts.pick(rng, texts.ACTIONS),
                "organisations": self.owner.name,
            },
        )
        self.services(rng.randint(1, 4), 2, 15)
        if self.chance(0.45):
            self.advance(3, 30)
            self.record(
                "identification_decision",
                {
                    "outcome": "identified" if self.chance(0.9) else "not_identified",
                    "decided_on": self.t.date().isoformat(),
                },
                {"authority": f"Competent authority of {self.country}",
                 "reference": f"ID-{rng.randrange(10**6):06d}"},
            )  # fmt: skip
        if self.chance(0.2):
            self.proceedings()
        if self.chance(0.06):
            self.close(rng.choice(["declined_assistance", "lost_contact"]), 5, 40)
            return
        self.viewed()
        # Counselling starts within the reflection period, or soon after it.
        wait = (datetime.datetime.combine(starts, datetime.time(), UTC) - self.t).days
        self.advance(max(1, wait + 14), max(2, wait + days + 15))
        self.move("start_counselling")
        self.counselling()

    def services(self, count: int, low: float, high: float):
        for _ in range(count):
            self.advance(low, high)
            self.record(
                "service",
                {
                    "service": weighted(
                        self.rng,
                        {
                            "shelter": 4,
                            "medical": 3,
                            "psychosocial": 3,
                            "legal_aid": 2,
                            "document_recovery": 1,
                            "education": 1,
                            "vocational_training": 1,
                        },
                    ),
                    "delivered_on": self.t.date().isoformat(),
                },  # fmt: skip
                {"provider": self.owner.name if self.chance(0.6) else ""},
            )

    def proceedings(self):
        self.advance(1, 20)
        self.record(
            "proceedings",
            {
                "status": weighted(
                    self.rng, {"witness": 4, "injured_party": 3, "both": 2, "none": 1}
                ),
                "hearing_from_abroad": self.chance(0.2),
                "compensation_route": self.rng.choice(["criminal", "civil", "state", None]),
            },  # fmt: skip
            {"legal_representative": "Legal aid lawyer" if self.chance(0.6) else ""},
        )

    def _choice(self) -> str:
        if self.home is None:  # no partner in the country of origin: no return through the TRM
            table = {"residence": 55, "asylum": 25, "third_country": 6, "undecided": 14}
        elif self.child:
            table = {"return": 65, "residence": 20, "asylum": 3, "undecided": 12}
        else:
            table = {"return": 55, "residence": 22, "asylum": 6, "third_country": 3,
                     "undecided": 14}  # fmt: skip
        return weighted(self.rng, table)

    def _counselled(self, choice: str, supersedes=None):
        return self.record(
            "counselling",
            {
                "choice": choice,
                "asylum_seeker": choice == "asylum",
                "language": self.person.language,
                "interpreter": self.chance(0.7),
            },
            {
                "childs_views": texts.pick(self.rng, texts.CHILDS_VIEWS) if self.child else "",
                "notes": texts.pick(self.rng, texts.NOTES) if self.chance(0.3) else "",
            },
            supersedes=supersedes,
        )

    def counselling(self):
        self.advance(1, 14)
        choice = self._choice()
        counselled = self._counselled(choice)
        if choice == "undecided":
            self.advance(20, 80)
            if self.chance(0.5):
                self.close(self.rng.choice(["lost_contact", "declined_assistance"]), 0, 5)
                return
            while choice == "undecided":
                choice = self._choice()
            counselled = self._counselled(choice, supersedes=counselled)
        if self.child and choice == "return":
            self.advance(0, 5)
            self.record(
                "best_interests_assessment",
                {},
                {"assessment": texts.pick(self.rng, texts.REASONING),
                 "childs_views": texts.pick(self.rng, texts.CHILDS_VIEWS)},
            )  # fmt: skip
        if choice == "return":
            self.receiver = self.directory.choose(
                self.rng, self.directory.receivers[self.home], RECEIVER_WEIGHTS, self.child
            )
            self.receiving_worker = self._pick(self.directory.workers[self.receiver.id])
            self.consent("referral", self._shared_categories(), self.receiver)
            self.advance(0, 7)
            self.move("choose_return")
            self.meet(DeadlineKind.REFLECTION_PERIOD_END)
            self.pre_return(counselled)
        else:
            self.advance(0, 7)
            self.move("choose_to_stay")
            self.meet(DeadlineKind.REFLECTION_PERIOD_END)
            self.long_term_assistance()

    def _shared_categories(self) -> set:
        shared = set(USUAL_REFERRAL_CATEGORIES)
        for category, probability in [
            (DataCategory.CONTACT, 0.7),
            (DataCategory.FAMILY, 1.0 if self.child else 0.4),
            (DataCategory.DOCUMENTS, 0.5),
            (DataCategory.LOCATION, 0.1),
            (DataCategory.EXPLOITATION, 0.1),
        ]:
            if self.chance(probability):
                shared.add(category)
        return shared

    def long_term_assistance(self):
        ends = self.t + datetime.timedelta(days=self.rng.uniform(120, 900))
        for _ in range(self.rng.randint(1, 6)):
            self.services(1, 20, 90)
            if self.chance(0.2):
                self.advance(0, 10)
                self.record(
                    "support_plan",
                    {},
                    {"needs": texts.pick(self.rng, texts.NEEDS),
                     "actions": texts.pick(self.rng, texts.ACTIONS)},
                )  # fmt: skip
            self.viewed(0.2)
        wait = max(1.0, (ends - self.t).days)
        reason = weighted(self.rng, {"completed": 55, "transferred": 15, "lost_contact": 15,
                                     "moved_again": 10, "consent_withdrawn": 5})  # fmt: skip
        self.close(reason, wait, wait + 30)

    def pre_return(self, counselled):
        rng = self.rng
        self.advance(3, 20)
        risk = weighted(rng, {"low": 40, "medium": 45, "high": 15})
        self.escort_needed = self.child or (
            self.chance(0.6) if risk == "high" else self.chance(0.1)
        )
        self.record(
            "risk_assessment",
            {"risk_level": risk, "escort_needed": self.escort_needed,
             "risk_to_life": self.chance(0.03)},
            {
                "risk_from_traffickers": texts.pick(rng, texts.RISKS_TRAFFICKERS)
                if self.chance(0.6) else "",
                "risk_from_family": texts.pick(rng, texts.RISKS_FAMILY) if self.chance(0.3) else "",
                "risk_in_community": texts.pick(rng, texts.RISKS_COMMUNITY)
                if self.chance(0.4) else "",
                "needs_on_arrival": texts.pick(rng, texts.NEEDS_ON_ARRIVAL),
            },
        )  # fmt: skip
        if self.child:
            self.advance(3, 15)
            in_interest = self.chance(0.92)
            determination = self.record(
                "best_interests_determination",
                {"return_in_best_interests": in_interest},
                {"reasoning": texts.pick(rng, texts.REASONING),
                 "childs_views": texts.pick(rng, texts.CHILDS_VIEWS)},
            )  # fmt: skip
            self.advance(0, 2)
            approval = self.ask_approval("best_interests_determination", determination)
            self.advance(1, 7)
            self.approve(approval)
            if not in_interest:
                self.advance(0, 5)
                self.record("return_decision", {"decision": "no_go"})
                return self.back_to_counselling(counselled)
        self.advance(0, 7)
        decision = weighted(rng, {"go": 88, "no_go": 5, "postpone": 7})
        decided = self.record("return_decision", {"decision": decision})
        if decision == "no_go":
            return self.back_to_counselling(counselled)
        if decision == "postpone":
            self.advance(20, 60)
            self.record("return_decision", {"decision": "go"}, supersedes=decided)
        self.advance(0, 5)
        self.move("decide_go")
        self.referral_stage()

    def back_to_counselling(self, counselled):
        self.advance(0, 3)
        self.move("decide_no_go")
        self.advance(3, 30)
        self._counselled("residence", supersedes=counselled)
        self.advance(0, 7)
        self.move("choose_to_stay")
        self.long_term_assistance()


def plan_case(seed: int, index: int, today: datetime.date, directory: Directory) -> PlannedCase:
    """Case `index` of the seed as it stands at the start of `today`."""
    return Journey(seed, index, today, directory).plan()
