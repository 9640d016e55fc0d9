"""The worker's sweep: remind once before a deadline, alert once after it passed unmet.

It works in batches, each in one transaction that claims its deadlines by filling their empty
time stamp and writes their notifications, their e-mails (into the outbox, which the worker
sends after the commit) and audit events.
Two workers sweeping at once never send one twice: on PostgreSQL the claim locks the rows and
skips those another worker holds, and on SQLite the IMMEDIATE transaction holds the database's
write lock from its start. A failure sends nothing and leaves what failed for the next sweep: a
batch that fails is tried again deadline by deadline, so one bad deadline holds back only itself.
"""

import logging
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from trm.accounts.models import Membership, Role, User
from trm.audit.log import lock_chain, new_event, record_many

from .models import Deadline, DeadlineKind, NotificationEvent
from .notify import notify

logger = logging.getLogger("trm.deadlines")

CASE_ROLES = [Role.CASE_WORKER, Role.SUPERVISOR, Role.FOCAL_POINT]

# Deadlines per transaction: enough to share the fixed costs (the claim, the staff, the audit
# chain's lock), few enough that a transaction holds the chain's lock, which every audited
# page waits for, only for a moment (~0.2 s).
BATCH_SIZE = 100


class Staff:
    """Who works where, for a batch of deadlines: the case staff of every organisation involved
    and the focal points of every country involved, read in one query. People are user ids, and
    only active users in active memberships count."""

    def __init__(self, deadlines):
        organisations, countries = set(), set()
        for deadline in deadlines:
            organisations.add(deadline.case.owner_id)
            organisations.update(organisation.pk for organisation in deadline.organisations.all())
            countries.update([deadline.country_id, deadline.case.owner.country_id])
        rows = (
            Membership.objects.filter(is_active=True, user__is_active=True)
            .filter(
                Q(organisation__in=organisations, role__in=CASE_ROLES)
                | Q(role=Role.FOCAL_POINT, organisation__country__in=countries)
            )
            .values_list(
                "user_id",
                "organisation_id",
                "role",
                "organisation__country_id",
                "organisation__is_active",
            )
        )
        self._members: dict[tuple, set[int]] = defaultdict(set)
        self._focal_points: dict[int, set[int]] = defaultdict(set)
        for user, organisation, role, country, organisation_is_active in rows:
            self._members[organisation, role].add(user)
            # A focal point speaks for its country only while its organisation is active.
            if role == Role.FOCAL_POINT and organisation_is_active:
                self._focal_points[country].add(user)

    def members(self, organisation_id, roles) -> set[int]:
        return set().union(*(self._members[organisation_id, role] for role in roles))

    def focal_points(self, *country_ids) -> set[int]:
        """The TRM focal points of the countries: who sends and receives their referrals."""
        return set().union(*(self._focal_points[country] for country in country_ids))

    def owners_people(self, case) -> set[int]:
        """The case worker and the supervisors of the owning organisation."""
        people = self.members(case.owner_id, [Role.SUPERVISOR])
        if case.case_worker_id:
            people.add(case.case_worker_id)
        return people


def reminder_recipients(deadline, staff: Staff) -> set[int]:
    """Who must act: the case worker if the owning organisation must (else its supervisors), the
    case staff of each other organisation to remind; the owners while none is known."""
    case = deadline.case
    organisations = list(deadline.organisations.all())
    if not organisations:
        return staff.owners_people(case)
    people = set()
    for organisation in organisations:
        if organisation.pk == case.owner_id:
            people |= (
                {case.case_worker_id}
                if case.case_worker_id
                else staff.members(organisation.pk, [Role.SUPERVISOR])
            )
        else:
            people |= staff.members(organisation.pk, CASE_ROLES)
    return people


def escalation_recipients(deadline, staff: Staff) -> set[int]:
    """An unanswered referral goes to the receiving country's focal points, an unconfirmed
    child's reception to both countries' focal points, anything else to the case's owners."""
    case = deadline.case
    if deadline.kind == DeadlineKind.REFERRAL_RESPONSE:
        found = staff.focal_points(deadline.country_id)
    elif deadline.kind == DeadlineKind.CHILD_RECEPTION:
        found = staff.focal_points(deadline.country_id, case.owner.country_id)
    else:
        found = staff.owners_people(case)
    # An alert must reach someone: a country without a focal point falls back to the owners.
    return found or staff.owners_people(case)


@dataclass(frozen=True)
class Outcome:
    """What the sweep sends for a deadline: a reminder before it is due, or an alert after."""

    name: str  # the count's key in what `sweep` returns, and the word in the log
    stamp: str  # the time stamp that claims it: empty until it is sent
    event: str  # the notifications'
    action: str  # the audit events'
    due: Callable[[datetime], Q]  # which deadlines it is due for at a moment
    recipients: Callable[[Deadline, Staff], set[int]]

    def waiting(self, now):
        """The open deadlines this is due for at `now` and not yet sent."""
        return Deadline.objects.open().filter(self.due(now), **{f"{self.stamp}__isnull": True})


REMINDER = Outcome(
    name="reminded",
    stamp="reminded_at",
    event=NotificationEvent.REMINDER,
    action="trm.deadline.reminded",
    due=lambda now: Q(remind_at__lte=now, due_at__gt=now),
    recipients=reminder_recipients,
)
ALERT = Outcome(
    name="escalated",
    stamp="escalated_at",
    event=NotificationEvent.OVERDUE,
    action="trm.deadline.escalated",
    due=lambda now: Q(due_at__lt=now),
    recipients=escalation_recipients,
)


def _claim(outcome: Outcome, pks, now) -> list:
    """Those of the deadlines still waiting for `outcome`, now claimed by this transaction."""
    # PostgreSQL locks the rows and skips those another worker is claiming; SQLite ignores
    # select_for_update, but its IMMEDIATE transaction holds the write lock since BEGIN, so no
    # other worker can claim between this read and the UPDATE.
    claimed = list(
        outcome.waiting(now)
        .filter(pk__in=pks)
        .select_for_update(skip_locked=True)
        .values_list("pk", flat=True)
    )
    # Still guarded on the empty stamp: should the locking above ever fail, this fails loudly
    # (and sends nothing) instead of sending twice.
    unsent = Deadline.objects.filter(pk__in=claimed, **{f"{outcome.stamp}__isnull": True})
    updated = unsent.update(**{outcome.stamp: now})
    if updated != len(claimed):
        raise RuntimeError(f"{len(claimed) - updated} deadlines were claimed by another worker")
    return claimed


@transaction.atomic
def _send(outcome: Outcome, pks, now) -> int:
    """Claim the deadlines still waiting for `outcome` and send it for each, in one transaction;
    how many were sent."""
    # The chain's lock before the deadlines' rows: actions audit first and then update
    # deadlines, so the reverse order here could deadlock with them on PostgreSQL.
    lock_chain()
    claimed = _claim(outcome, pks, now)
    if not claimed:
        return 0
    deadlines = list(
        Deadline.objects.filter(pk__in=claimed)
        .select_related("case__owner__country", "country")
        .prefetch_related("organisations")
    )
    staff = Staff(deadlines)
    people = {deadline.pk: outcome.recipients(deadline, staff) for deadline in deadlines}
    users = User.objects.filter(is_active=True).in_bulk(set().union(*people.values()))
    recipients_of = [
        (deadline, [users[pk] for pk in sorted(people[deadline.pk]) if pk in users])
        for deadline in deadlines
    ]
    notify(outcome.event, recipients_of, now)
    record_many(
        [
            new_event(
                outcome.action,
                organisation=deadline.case.owner,
                target=deadline.case,
                details=_details(deadline, recipients),
            )
            for deadline, recipients in recipients_of
        ]
    )
    return len(deadlines)


def _details(deadline, recipients) -> dict:
    return {
        "deadline": str(deadline.pk),
        "kind": deadline.kind,
        "sequence": deadline.sequence,
        "referral": str(deadline.referral_id) if deadline.referral_id else None,
        "recipients": [user.pk for user in recipients],
    }


def _send_batch(outcome: Outcome, pks, now) -> int:
    """Send for a batch in one transaction; should that fail, for each deadline in its own."""
    if len(pks) > 1:
        try:
            return _send(outcome, pks, now)
        except Exception:
            logger.warning(
                "%d deadlines not %s together; trying each alone",
                len(pks),
                outcome.name,
                exc_info=True,
            )
    sent = 0
    for pk in pks:
        try:
            sent += _send(outcome, [pk], now)
        except Exception:
            # Rolled back, so the next sweep tries again; the others go on meanwhile.
            logger.exception("deadline %s not %s", pk, outcome.name)
    return sent


def remind(pk, now) -> bool:
    """Send the reminder of one deadline, unless someone already did or it is not due now."""
    return _send(REMINDER, [pk], now) == 1


def escalate(pk, now) -> bool:
    """Send the overdue alert of one deadline, unless someone already did or it was met."""
    return _send(ALERT, [pk], now) == 1


def sweep(now=None) -> dict:
    """Remind and alert whatever is due at `now` (default: now); the numbers of each sent."""
    now = now or timezone.now()
    sent = {}
    for outcome in [REMINDER, ALERT]:
        # Read once, then sent batch by batch: what fails is not read again in this sweep.
        pks = list(outcome.waiting(now).values_list("pk", flat=True))
        sent[outcome.name] = sum(
            _send_batch(outcome, pks[start : start + BATCH_SIZE], now)
            for start in range(0, len(pks), BATCH_SIZE)
        )
    if any(sent.values()):
        logger.info("deadlines swept: %(reminded)d reminded, %(escalated)d escalated", sent)
    return sent
