"""The bookkeeping of one synthetic case: what each action of the real write path leaves.

`CaseWork` keeps the case's clock, its ids and its staff, and writes what the actions would:
records, moves, consents, deadlines, referral messages, approvals, closure and the audit
events of each, and at the end the reminders and alerts the worker's sweep sent meanwhile.
The procedure itself (which step follows which) is in journeys.py and returns.py.
"""

import datetime
import random
import uuid

from trm.cases.record_kinds import RECORD_KINDS, Side
from trm.cases.workflow import transition_for
from trm.deadlines.models import CancelReason, DeadlineKind
from trm.referrals.models import MessageKind, ReferralState

from . import people, texts
from .people import weighted
from .plans import (
    PlannedApproval,
    PlannedCase,
    PlannedConsent,
    PlannedDeadline,
    PlannedEvent,
    PlannedMessage,
    PlannedRecord,
    PlannedReferral,
)
from .staff import OWNER_WEIGHTS, Directory

UTC = datetime.UTC
REFERENCE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
# An odd multiplier makes index → reference a bijection modulo 32**8: no two cases of a run
# share a reference, and neighbouring cases do not look alike.
REFERENCE_MULTIPLIER = 0x9E3779B97F
REMINDER_DAYS = {
    DeadlineKind.REFLECTION_PERIOD_END: 7,
    DeadlineKind.REFERRAL_RESPONSE: 1,
    DeadlineKind.REINTEGRATION_PLAN_DUE: 7,
    DeadlineKind.MONITORING_CONTACT: 7,
}


class Stop(Exception):
    """Today came before the next step: the case stays where it is."""


def reference(seed: int, index: int, country: str) -> str:
    offset = random.Random(f"{seed}/reference").getrandbits(40)
    number = (index * REFERENCE_MULTIPLIER + offset) % 32**8
    token = ""
    for _ in range(8):
        number, digit = divmod(number, 32)
        token += REFERENCE_ALPHABET[digit]
    return f"{country}-{token[:4]}-{token[4:]}"


def working_days_after(moment, days: int, weekend) -> datetime.datetime:
    """`days` working days later (weekends only: holidays are left out of synthetic data)."""
    counted = 0
    while counted < days:
        moment += datetime.timedelta(days=1)
        counted += moment.weekday() not in weekend
    return moment


def end_of(day: datetime.date) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(23, 59, 59), tzinfo=UTC)


class CaseWork:
    """One case's clock, ids, staff and writes; subclasses walk the procedure."""

    def __init__(self, seed: int, index: int, today: datetime.date, directory: Directory):
        self.rng = random.Random(f"{seed}/case/{index}")
        self.rng.random()  # the opening day: people.opening_offset draws it
        self.ids = random.Random(f"{seed}/ids/{index}")
        # Staff are drawn from their own stream: their number grows with the run, the facts
        # of a case must not.
        self.staff = random.Random(f"{seed}/staff/{index}")
        self.directory = directory
        self.limit = datetime.datetime.combine(today, datetime.time(), tzinfo=UTC)
        self.person = people.person(seed, index, today)
        rng, person = self.rng, self.person
        opened_on = today - datetime.timedelta(days=people.opening_offset(seed, index))
        self.t = self._office_hours(datetime.datetime.combine(opened_on, datetime.time(), UTC))
        self.country = weighted(rng, people.DESTINATIONS[person.nationality])
        birth = person.birth_date
        age = None if birth is None else (opened_on - birth).days // 365.25
        self.is_child = age is not None and age < 18
        self.child = self.is_child or person.age_uncertain
        self.owner = directory.choose(
            rng, directory.owners[self.country], OWNER_WEIGHTS, self.child
        )
        self.rules = directory.countries[self.country]
        self.worker = self._pick(directory.workers[self.owner.id])
        self.supervisor = self._pick(directory.supervisors[self.owner.id])
        self.home = person.nationality if person.nationality in directory.receivers else None
        self.receiver = None
        self.receiving_worker = None
        self.escort_needed = False  # decided by the risk assessment before the return
        self.caregiver = ""  # a child's, found by the family assessment
        self.case = PlannedCase(
            index=index,
            id=self.uuid(),
            reference=reference(seed, index, self.country),
            person=person,
            person_id=self.uuid(),
            data_key_id=self.uuid(),
            owner=self.owner.id,
            case_worker=self.worker,
            is_child=self.is_child,
            age_uncertain=person.age_uncertain,
            opened_at=self.t,
        )
        self.referral: PlannedReferral | None = None

    # -- time, ids, staff -----------------------------------------------------------------------

    def uuid(self) -> uuid.UUID:
        return uuid.UUID(int=self.ids.getrandbits(128), version=4)

    def _pick(self, users: list[int]) -> int:
        return users[int(self.staff.random() * len(users))]

    def _office_hours(self, moment: datetime.datetime) -> datetime.datetime:
        # People work by day: steps land between 07:00 and 17:00 UTC.
        seconds = 7 * 3600 + int(self.rng.random() * 10 * 3600)
        return moment.replace(
            hour=seconds // 3600,
            minute=seconds // 60 % 60,
            second=seconds % 60,
            microsecond=int(self.rng.random() * 1_000_000),
        )

    def advance(self, low: float, high: float) -> None:
        """Move on by low..high days; raise Stop if that is today or later."""
        moment = self.t + datetime.timedelta(days=self.rng.uniform(low, high))
        if moment.date() != self.t.date():
            moment = self._office_hours(moment)
        if moment <= self.t:
            moment = self.t + datetime.timedelta(minutes=1 + self.rng.random() * 90)
        if moment >= self.limit:
            raise Stop
        self.t = moment

    def chance(self, probability: float) -> bool:
        return self.rng.random() < probability

    # -- what the actions write -----------------------------------------------------------------

    def event(self, action, actor, details=None, *, organisation=None, reason=""):
        self.case.events.append(
            PlannedEvent(
                self.t, action, actor, organisation or self.owner.id, details or {}, reason
            )
        )

    def record(self, kind, facts, details=None, *, side=None, supersedes=None) -> PlannedRecord:
        spec = RECORD_KINDS[kind]
        side = side or (Side.SENDING if spec.side == Side.EITHER else spec.side)
        receiving = side == Side.RECEIVING
        by = self.receiving_worker if receiving else self.worker
        facts = {name: value for name, value in facts.items() if value not in (None, "", [])}
        details = {name: value for name, value in (details or {}).items() if value}
        record = PlannedRecord(
            self.uuid(),
            kind,
            self.case.stage,
            side,
            facts,
            details or None,
            (self.receiver if receiving else self.owner).id,
            by,
            self.t,
            supersedes.id if supersedes else None,
        )
        self.case.records.append(record)
        self._changed(by)
        self.event(
            "trm.record.corrected" if supersedes else "trm.record.added",
            by,
            {"record": str(record.id), "kind": kind, "fields": sorted([*facts, *details])},
        )
        return record

    def _changed(self, actor) -> None:
        self.case.version += 1
        self.case.last_change, self.case.last_actor = self.t, actor

    def move(self, event: str, by=None) -> None:
        transition = transition_for(self.case.stage, event)
        by = by or self.worker
        source, self.case.stage = self.case.stage, transition.target
        self._changed(by)
        self.event("trm.case.moved", by, {"event": event, "from": source, "to": self.case.stage})

    def viewed(self, probability=0.3) -> None:
        if self.chance(probability):
            self.event("trm.case.viewed", self.worker, {"via": ["membership:case_worker"]})

    def consent(self, purpose: str, categories, recipient=None) -> None:
        child = self.child
        consent = PlannedConsent(
            self.uuid(),
            purpose,
            sorted(str(category) for category in categories),
            recipient.id if recipient else None,
            self.directory.countries[recipient.country].id if recipient else None,
            self.person.language,
            self.chance(0.7),
            self.worker,
            self.t,
            True if child else None,
            texts.pick(self.rng, texts.CHILDS_VIEWS) if child else None,
        )
        self.case.consents.append(consent)
        self.event(
            "trm.consent.recorded",
            self.worker,
            {
                "consent": str(consent.id),
                "purpose": purpose,
                "categories": consent.categories,
                "recipient_organisation": consent.recipient_organisation,
            },
        )

    def deadline(self, kind, *, rules, due, organisations, starts=None, sequence=0, referral=None):
        starts = starts or self.t
        if kind == DeadlineKind.CHILD_RECEPTION:
            remind = starts + (due - starts) / 2
        else:
            remind = due - datetime.timedelta(days=REMINDER_DAYS[kind])
        deadline = PlannedDeadline(
            self.uuid(),
            kind,
            sequence,
            rules.id,
            organisations,
            starts,
            due,
            remind if remind > starts else None,
            self.t,
            referral=referral,
        )
        self.case.deadlines.append(deadline)
        return deadline

    def meet(self, kind, record=None, referral=None) -> None:
        for deadline in self.case.deadlines:
            if deadline.is_open and deadline.kind == kind and deadline.referral == referral:
                deadline.met_at, deadline.met_by = self.t, record.id if record else None
                return

    def message(self, kind, payload, *, to_sender=False, by=None, in_reply_to=None):
        referral = self.referral
        sender, receiver = referral.sender, referral.receiver
        message = PlannedMessage(
            self.uuid(),
            kind,
            receiver if to_sender else sender,
            sender if to_sender else receiver,
            payload,
            by,
            self.t,
            in_reply_to,
        )
        referral.messages.append(message)
        return message

    def referral_event(self, action, by, message, organisation, **details):
        self.event(
            action,
            by,
            {
                "referral": str(self.referral.id),
                "message": str(message.id) if message else None,
                "state": self.referral.state,
                **details,
            },
            organisation=organisation,
        )

    def notice(self, kind, payload, *, to_sender=False, by=None):
        message = self.message(kind, payload, to_sender=to_sender, by=by)
        organisation = self.referral.receiver if to_sender else self.referral.sender
        self.referral_event("trm.referral.notice_sent", by, message, organisation, kind=kind)

    # -- approvals and closure ------------------------------------------------------------------

    def ask_approval(self, subject, record=None, reason="") -> PlannedApproval:
        approval = PlannedApproval(
            self.uuid(), subject, record.id if record else None, reason, self.worker, self.t
        )
        self.case.approvals.append(approval)
        self.event(
            "trm.approval.requested",
            self.worker,
            {"approval": str(approval.id), "subject": subject, "reason": reason},
        )
        return approval

    def approve(self, approval: PlannedApproval) -> None:
        approval.decided_by, approval.decided_at, approval.approved = (
            self.supervisor,
            self.t,
            True,
        )
        self.event(
            "trm.approval.approved",
            self.supervisor,
            {"approval": str(approval.id), "subject": approval.subject},
        )

    def close(self, reason: str, low: float, high: float) -> None:
        """Ask a supervisor to close the case; the approval closes it at once."""
        self.advance(low, high)
        approval = self.ask_approval("closure", reason=reason)
        self.advance(0, 5)
        self.approve(approval)
        approval.used_at = self.t
        case = self.case
        case.stage_before_closure, case.closure_reason, case.closed_at = case.stage, reason, self.t
        self.move("close", by=self.supervisor)
        referral = self.referral
        if referral is not None and referral.state in {ReferralState.REQUESTED,
                                                       ReferralState.RECEIVED}:  # fmt: skip
            self.meet_cancelled(referral)
        elif referral is not None and referral.state in {ReferralState.ACCEPTED,
                                                         ReferralState.IN_PROGRESS}:  # fmt: skip
            referral.state = ReferralState.COMPLETED
            self.notice(
                MessageKind.CLOSURE_NOTICE,
                {"closure_reason": reason, "closed_at": self.t.isoformat()},
                by=self.supervisor,
            )
        for deadline in case.deadlines:
            if deadline.is_open:
                deadline.cancelled_at, deadline.cancel_reason = self.t, CancelReason.CLOSURE

    def meet_cancelled(self, referral) -> None:
        referral.state = ReferralState.CANCELLED
        for deadline in self.case.deadlines:
            if deadline.is_open and deadline.referral == referral.id:
                deadline.cancelled_at, deadline.cancel_reason = self.t, CancelReason.WITHDRAWN
        cancelled = self.message(MessageKind.CANCEL, {"because": "case_closed"}, by=self.supervisor)
        self.referral_event("trm.referral.cancelled", self.supervisor, cancelled, referral.sender)

    # -- what the worker's sweep did meanwhile --------------------------------------------------

    def _sweep_deadlines(self) -> None:
        """Reminders and overdue alerts the worker sent before today, each once."""
        for deadline in self.case.deadlines:
            ended = deadline.met_at or deadline.cancelled_at or self.limit
            owner_side = deadline.kind == DeadlineKind.REFLECTION_PERIOD_END
            actor_staff = [self.worker] if owner_side else [self.receiving_worker]
            details = {
                "deadline": str(deadline.id),
                "kind": deadline.kind,
                "sequence": deadline.sequence,
                "referral": str(deadline.referral) if deadline.referral else None,
            }
            remind = deadline.remind_at
            if remind is not None and remind < ended and remind < deadline.due_at:
                deadline.reminded_at = remind
                self.case.events.append(
                    PlannedEvent(remind, "trm.deadline.reminded", None, self.owner.id,
                                 {**details, "recipients": actor_staff})
                )  # fmt: skip
            if deadline.due_at < ended:
                deadline.escalated_at = deadline.due_at + datetime.timedelta(minutes=1)
                if deadline.escalated_at < ended:
                    recipients = [self.worker, self.supervisor]
                    if deadline.kind == DeadlineKind.REFERRAL_RESPONSE:
                        country = self.directory.organisations[deadline.organisations[0]].country
                        recipients = self.directory.focal_points.get(country, recipients)
                    self.case.events.append(
                        PlannedEvent(deadline.escalated_at, "trm.deadline.escalated", None,
                                     self.owner.id, {**details, "recipients": recipients})
                    )  # fmt: skip
                else:
                    deadline.escalated_at = None


def ids_of(seed: int, index: int) -> tuple[uuid.UUID, uuid.UUID]:
    """The case and person ids of case `index`: the first two its journey draws."""
    ids = random.Random(f"{seed}/ids/{index}")
    return tuple(uuid.UUID(int=ids.getrandbits(128), version=4) for _ in range(2))
