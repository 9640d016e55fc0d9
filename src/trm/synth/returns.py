"""The referral and the return: from the go decision to the last monitoring contact.

The receiving organisation answers (most accept, some decline and the sender refers
elsewhere, a few ask a question first), then the return is prepared, the person travels and
is received, a reintegration plan is agreed and monitoring contacts follow at the receiving
country's schedule, each summary going back to the sender.
"""

import datetime

from trm.access.categories import DataCategory
from trm.cases.record_kinds import DIMENSIONS, Side
from trm.cases.sustainability import scores
from trm.deadlines.models import DeadlineKind
from trm.referrals.models import MessageKind, ReferralState

from . import texts
from .casework import CaseWork, end_of, working_days_after
from .people import weighted
from .plans import GrantRef, PlannedGrant, PlannedReferral
from .staff import RECEIVER_WEIGHTS


class ReturnJourney(CaseWork):
    """The steps of a return through the TRM."""

    def send_referral(self):
        receiver, rules = self.receiver, self.directory.countries[self.receiver.country]
        due = working_days_after(self.t, rules.referral_days, rules.weekend_days)
        consented = next(c for c in reversed(self.case.consents) if c.purpose == "referral")
        self.referral = PlannedReferral(
            self.uuid(),
            self.owner.id,
            receiver.id,
            sorted({*consented.categories, DataCategory.RISK_TO_LIFE}),
            ReferralState.REQUESTED,
            self.t,
            due,
        )
        self.case.referrals.append(self.referral)
        person = self.person
        sent = self.message(
            MessageKind.SEND,
            {
                "person": {
                    "given_name": person.given_name,
                    "family_name": person.family_name,
                    "sex": person.sex,
                    "citizenship": person.nationality,
                },
                "message": f"Please receive the person in {texts.city(self.rng, self.home)}.",
                "risk": {"escort_needed": self.escort_needed},
                "categories": self.referral.categories,
            },  # fmt: skip
            by=self.worker,
        )
        self.referral_event(
            "trm.referral.sent", self.worker, sent, self.owner.id,
            receiver=receiver.id, categories=self.referral.categories,
        )  # fmt: skip
        self.referral.state = ReferralState.RECEIVED
        self.referral_event("trm.referral.received", None, sent, receiver.id)
        self.deadline(
            DeadlineKind.REFERRAL_RESPONSE,
            rules=rules,
            due=due,
            organisations=[receiver.id],
            referral=self.referral.id,
        )
        return sent

    def referral_stage(self):
        for attempt in range(3):
            self.advance(0, 5)
            sent = self.send_referral()
            referral = self.referral
            self.advance(0.3, 9)
            answer = weighted(self.rng, {"accept": 80, "decline": 14, "ask": 6})
            if answer == "ask":
                self.meet(DeadlineKind.REFERRAL_RESPONSE, referral=referral.id)
                asked = self.message(
                    MessageKind.ASK_INFORMATION,
                    {"question": "Is a family member aware of the return?"},
                    to_sender=True,
                    by=self.receiving_worker,
                )
                self.referral_event("trm.referral.information_requested",
                                    self.receiving_worker, asked, referral.receiver)  # fmt: skip
                self.advance(0.5, 4)
                answered = self.message(
                    MessageKind.ANSWER,
                    {"text": "No; the aunt will be told by the social worker."},
                    by=self.worker,
                    in_reply_to=asked.id,
                )
                self.referral_event("trm.referral.answered", self.worker, answered, referral.sender)
                rules = self.directory.countries[self.receiver.country]
                referral.response_due_at = working_days_after(
                    self.t, rules.referral_days, rules.weekend_days
                )
                self.deadline(
                    DeadlineKind.REFERRAL_RESPONSE,
                    rules=rules,
                    due=referral.response_due_at,
                    organisations=[referral.receiver],
                    referral=referral.id,
                )
                self.advance(0.3, 5)
                answer = "accept"
            if answer == "accept":
                return self.accept(sent)
            referral.state, referral.decided_at = ReferralState.DECLINED, self.t
            self.meet(DeadlineKind.REFERRAL_RESPONSE, referral=referral.id)
            declined = self.message(
                MessageKind.DECLINE,
                {"reason": "No place in the shelter for the coming months."},
                to_sender=True,
                by=self.receiving_worker,
            )
            self.referral_event(
                "trm.referral.declined", self.receiving_worker, declined, referral.receiver
            )
            if attempt == 1:
                break
            # Refer elsewhere: another organisation of the country of origin, consent first.
            others = [o for o in self.directory.receivers[self.home] if o.id != referral.receiver]
            self.advance(1, 6)
            self.receiver = self.directory.choose(self.rng, others, RECEIVER_WEIGHTS, self.child)
            self.receiving_worker = self._pick(self.directory.workers[self.receiver.id])
            self.consent("referral", self._shared_categories(), self.receiver)
        self.advance(1, 10)
        self.move("withdraw_referral")
        self.close(self.rng.choice(["transferred", "moved_again"]), 5, 40)

    def accept(self, sent):
        referral, by = self.referral, self.receiving_worker
        grant = PlannedGrant(referral.receiver, referral.categories, by, self.t)
        self.case.grants.append(grant)
        self.event(
            "trm.access.granted",
            by,
            {"grant": GrantRef(grant, as_text=True), "categories": grant.categories,
             "source": "referral"},
        )  # fmt: skip
        referral.state, referral.decided_at, referral.grant = ReferralState.ACCEPTED, self.t, grant
        self.meet(DeadlineKind.REFERRAL_RESPONSE, referral=referral.id)
        city = texts.city(self.rng, self.home)
        meeting = self.t + datetime.timedelta(days=self.rng.uniform(14, 40))
        accepted = self.message(
            MessageKind.ACCEPT,
            {"met_by": "Social worker on duty", "place": f"{city} airport, arrivals hall",
             "meeting_at": meeting.isoformat(), "capacity_confirmed": True, "message": ""},
            to_sender=True,
            by=by,
        )  # fmt: skip
        self.record(
            "reception_arrangements",
            {"confirmed": True, "meeting_at": meeting.isoformat()},
            {"met_by": "Social worker on duty", "place": f"{city} airport, arrivals hall"},
        )
        self.move("referral_accepted", by=by)
        self.referral_event(
            "trm.referral.accepted",
            by,
            accepted,
            referral.receiver,
            grant=GrantRef(grant, as_text=False),
        )
        self.return_preparation(city)

    def return_preparation(self, city):
        rng = self.rng
        self.advance(2, 10)
        self.record(
            "risk_assessment",
            {"risk_level": weighted(rng, {"low": 50, "medium": 40, "high": 10})},
            {"needs_on_arrival": texts.pick(rng, texts.NEEDS_ON_ARRIVAL)},
            side=Side.RECEIVING,
        )
        if self.child:
            self.advance(3, 15)
            self.caregiver = rng.choice(texts.CAREGIVERS)
            self.record(
                "family_assessment",
                {"outcome": "suitable"},
                {"caregiver": self.caregiver, "assessment": texts.pick(rng, texts.ASSESSMENTS)},
            )
        self.advance(3, 20)
        departure = self.t.date() + datetime.timedelta(days=rng.randint(5, 20))
        escort = self.escort_needed or self.chance(0.2)
        self.record(
            "return_preparation",
            {"travel_documents_ready": True, "consular_verification": self.chance(0.8),
             "departure_on": departure.isoformat(), "escort_arranged": escort},
            {"itinerary": f"Flight from {texts.city(rng, self.country)} to {city}.",
             "escort": "IOM escort" if escort else ""},
        )  # fmt: skip
        self.viewed()
        self.advance((departure - self.t.date()).days, (departure - self.t.date()).days + 0.2)
        self.record("departure", {"departed_at": self.t.isoformat()})
        self.move("depart")
        self.case.returned_at = self.t
        self.referral.state = ReferralState.IN_PROGRESS
        self.notice(
            MessageKind.DEPARTURE_NOTICE,
            {"departed_at": self.t.isoformat(), "recorded_at": self.t.isoformat()},
            by=self.worker,
        )
        receiving = self.directory.countries[self.receiver.country]
        if self.child:
            self.deadline(
                DeadlineKind.CHILD_RECEPTION,
                rules=receiving,
                due=self.t + datetime.timedelta(hours=receiving.child_hours),
                organisations=[self.receiver.id],
            )
        late = self.chance(0.04)
        self.advance(1.2 if late else 0.05, 2.5 if late else 0.8)
        self.reception(city, receiving)

    def reception(self, city, receiving):
        by = self.receiving_worker
        caregiver = self.caregiver if self.child else ""
        self.record(
            "reception",
            {"received_at": self.t.isoformat()},
            {"met_by": "Social worker on duty", "place": f"{city} airport", "caregiver": caregiver},
            side=Side.RECEIVING,
        )
        self.move("confirm_reception", by=by)
        self.case.received_at = self.t
        self.notice(
            MessageKind.RECEPTION_CONFIRMATION,
            {"received_at": self.t.isoformat(), "met_by": "Social worker on duty",
             "place": f"{city} airport", "caregiver": caregiver},
            to_sender=True,
            by=by,
        )  # fmt: skip
        self.meet(DeadlineKind.CHILD_RECEPTION)
        returned = self.case.returned_at
        self.deadline(
            DeadlineKind.REINTEGRATION_PLAN_DUE,
            rules=receiving,
            due=end_of(self.t.date() + datetime.timedelta(days=receiving.plan_days)),
            organisations=[self.receiver.id],
        )
        for months in receiving.monitoring_months:
            self.deadline(
                DeadlineKind.MONITORING_CONTACT,
                rules=receiving,
                due=end_of(returned.date() + datetime.timedelta(days=round(months * 30.44))),
                organisations=[self.receiver.id],
                starts=returned,
                sequence=months,
            )
        self.reintegration(city, receiving)

    def reintegration(self, city, receiving):
        rng = self.rng
        self.advance(7, 40)
        plan = self.record(
            "reintegration_plan",
            {"agreed_on": self.t.date().isoformat(), "child_protection_lead": self.child},
            {"goals": texts.pick(rng, texts.GOALS, city=city)},
        )
        self.meet(DeadlineKind.REINTEGRATION_PLAN_DUE, plan)
        for _ in range(rng.randint(1, 4)):
            self.advance(0, 5)
            starts = self.t.date() + datetime.timedelta(days=rng.randint(0, 20))
            self.record(
                "assistance_item",
                {
                    "type": rng.choice(["housing", "medical", "psychosocial", "education",
                                        "vocational_training", "job_placement",
                                        "income_generation", "documents", "allowance"]),
                    "budget": str(rng.randrange(100, 3000, 50)),
                    "starts_on": starts.isoformat(),
                    "ends_on": (starts + datetime.timedelta(days=rng.randint(30, 240))).isoformat(),
                    "status": rng.choice(["planned", "in_progress", "delivered"]),
                },
                {"provider": self.receiver.name},
            )  # fmt: skip
        self.advance(0, 3)
        self.move("agree_plan", by=self.receiving_worker)
        self.monitoring(receiving)

    def monitoring(self, receiving):
        rng = self.rng
        resilience = rng.betavariate(4, 2.5)
        returned = self.case.returned_at
        for number, months in enumerate(receiving.monitoring_months):
            target = returned + datetime.timedelta(days=months * 30.44 + rng.uniform(-10, 12))
            self.advance(max(0.1, (target - self.t).days), max(0.2, (target - self.t).days + 1))
            if not self.chance(0.88):
                continue  # missed: the deadline is left to alert
            answers = {}
            for dimension, questions in DIMENSIONS.items():
                shift = -0.3 if dimension == "economic" else 0.0
                for code, _label in questions:
                    value = round(4 * resilience + shift + number * 0.15 + rng.gauss(0, 0.8))
                    answers[code] = min(4, max(0, value))
            facts = {"contacted_on": self.t.date().isoformat(), **answers}
            facts["scores"] = scores(answers, receiving.weights, receiving.threshold)
            facts["days_after_return"] = (self.t.date() - returned.date()).days
            band = facts["scores"]["overall"]
            situation = "good" if band >= 0.65 else "fair" if band >= 0.45 else "poor"
            contact = self.record(
                "monitoring_contact",
                facts,
                {"situation": texts.pick(rng, texts.SITUATIONS[situation])},
            )
            self._meet_monitoring(months, contact)
            self.notice(
                MessageKind.MONITORING_SUMMARY,
                {"record": str(contact.id), "contacted_on": facts["contacted_on"],
                 "days_after_return": facts["days_after_return"], "scores": facts["scores"]},
                to_sender=True,
                by=self.receiving_worker,
            )  # fmt: skip
            if self.chance(0.05):
                return self.close("lost_contact", 20, 60)
            if self.chance(0.015):
                return self.close("re_trafficked", 5, 30)
        self.close("completed", 7, 40)

    def _meet_monitoring(self, months, contact):
        for deadline in self.case.deadlines:
            if deadline.kind == DeadlineKind.MONITORING_CONTACT and deadline.sequence == months:
                if deadline.is_open:
                    deadline.met_at, deadline.met_by = self.t, contact.id
                return
