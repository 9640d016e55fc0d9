"""What a synthetic case is made of before it is written: plain values, nothing encrypted yet.

A journey (journeys.py) fills a PlannedCase; the writer (writer.py) turns it into rows.
"""

import datetime
import uuid
from dataclasses import dataclass, field

from .people import PlannedPerson


@dataclass
class PlannedRecord:
    id: uuid.UUID
    kind: str
    stage: str
    side: str
    facts: dict
    details: dict | None
    organisation: int
    user: int
    at: datetime.datetime
    supersedes: uuid.UUID | None = None


@dataclass
class PlannedGrant:
    organisation: int
    categories: list
    granted_by: int
    at: datetime.datetime
    revoked_at: datetime.datetime | None = None
    pk: int | None = None  # known once written


@dataclass(frozen=True)
class GrantRef:
    """An audit detail naming a grant, whose key the database gives only when it is written."""

    grant: PlannedGrant
    as_text: bool

    def resolve(self):
        return str(self.grant.pk) if self.as_text else self.grant.pk


@dataclass
class PlannedEvent:
    at: datetime.datetime
    action: str
    actor: int | None
    organisation: int | None
    details: dict
    reason: str = ""


@dataclass
class PlannedConsent:
    id: uuid.UUID
    purpose: str
    categories: list
    recipient_organisation: int | None
    recipient_country: int | None
    language: str
    interpreter_present: bool
    recorded_by: int
    at: datetime.datetime
    guardian_consent: bool | None
    child_views: str | None


@dataclass
class PlannedMessage:
    id: uuid.UUID
    kind: str
    from_organisation: int
    to_organisation: int
    payload: dict
    sent_by: int | None
    at: datetime.datetime
    in_reply_to: uuid.UUID | None = None


@dataclass
class PlannedReferral:
    id: uuid.UUID
    sender: int
    receiver: int
    categories: list
    state: str
    sent_at: datetime.datetime
    response_due_at: datetime.datetime
    decided_at: datetime.datetime | None = None
    grant: PlannedGrant | None = None
    messages: list[PlannedMessage] = field(default_factory=list)


@dataclass
class PlannedApproval:
    id: uuid.UUID
    subject: str
    record: uuid.UUID | None
    closure_reason: str
    requested_by: int
    requested_at: datetime.datetime
    decided_by: int | None = None
    decided_at: datetime.datetime | None = None
    approved: bool | None = None
    used_at: datetime.datetime | None = None


@dataclass
class PlannedDeadline:
    id: uuid.UUID
    kind: str
    sequence: int
    country: int
    organisations: list[int]
    starts_at: datetime.datetime
    due_at: datetime.datetime
    remind_at: datetime.datetime | None
    opened_at: datetime.datetime
    referral: uuid.UUID | None = None
    reminded_at: datetime.datetime | None = None
    escalated_at: datetime.datetime | None = None
    met_at: datetime.datetime | None = None
    met_by: uuid.UUID | None = None
    cancelled_at: datetime.datetime | None = None
    cancel_reason: str = ""

    @property
    def is_open(self) -> bool:
        return self.met_at is None and self.cancelled_at is None


@dataclass
class PlannedCase:
    index: int
    id: uuid.UUID
    reference: str
    person: PlannedPerson
    person_id: uuid.UUID
    data_key_id: uuid.UUID
    owner: int
    case_worker: int
    is_child: bool
    age_uncertain: bool
    opened_at: datetime.datetime
    stage: str = "identification"
    stage_before_closure: str = ""
    closure_reason: str = ""
    returned_at: datetime.datetime | None = None
    received_at: datetime.datetime | None = None
    closed_at: datetime.datetime | None = None
    version: int = 1
    last_change: datetime.datetime | None = None
    last_actor: int | None = None
    records: list[PlannedRecord] = field(default_factory=list)
    events: list[PlannedEvent] = field(default_factory=list)
    consents: list[PlannedConsent] = field(default_factory=list)
    referrals: list[PlannedReferral] = field(default_factory=list)
    grants: list[PlannedGrant] = field(default_factory=list)
    approvals: list[PlannedApproval] = field(default_factory=list)
    deadlines: list[PlannedDeadline] = field(default_factory=list)
