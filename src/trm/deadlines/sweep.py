"""The worker's sweep: remind once before a deadline, alert once after it passed unmet.

Each reminder and each alert is claimed by an UPDATE that only succeeds while its time stamp is
empty, in the transaction that writes its notifications and audit event: two workers sweeping
at once never send it twice, and a failure sends nothing and leaves it for the next sweep.
"""

import logging

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from trm.accounts.models import Role, User
from trm.audit.log import record as audit

from .models import Deadline, DeadlineKind, NotificationEvent
from .notify import notify

logger = logging.getLogger("trm.deadlines")

CASE_ROLES = [Role.CASE_WORKER, Role.SUPERVISOR, Role.FOCAL_POINT]


def _members(organisations, roles) -> Q:
    return Q(
        memberships__is_active=True,
        memberships__role__in=roles,
        memberships__organisation__in=organisations,
    )


def _users(condition: Q) -> list:
    return list(User.objects.filter(condition, is_active=True).distinct().order_by("pk"))


def focal_points(*countries) -> Q:
    """The TRM focal points of the countries: who sends and receives their referrals."""
    return Q(
        memberships__is_active=True,
        memberships__role=Role.FOCAL_POINT,
        memberships__organisation__is_active=True,
        memberships__organisation__country__in=countries,
    )


def owners_people(case) -> Q:
    """The case worker and the supervisors of the owning organisation."""
    condition = _members([case.owner], [Role.SUPERVISOR])
    if case.case_worker_id:
        condition |= Q(pk=case.case_worker_id)
    return condition


def reminder_recipients(deadline) -> list:
    """Who must act: the case worker if the owning organisation must (else its supervisors), the
    case staff of each other organisation to remind; the owners while none is known."""
    case = deadline.case
    organisations = list(deadline.organisations.all())
    if not organisations:
        return _users(owners_people(case))
    condition = Q(pk__in=[])
    for organisation in organisations:
        if organisation.pk == case.owner_id:
            condition |= (
                Q(pk=case.case_worker_id)
                if case.case_worker_id
                else _members([organisation], [Role.SUPERVISOR])
            )
        else:
            condition |= _members([organisation], CASE_ROLES)
    return _users(condition)


def escalation_recipients(deadline) -> list:
    """An unanswered referral goes to the receiving country's focal points, an unconfirmed
    child's reception to both countries' focal points, anything else to the case's owners."""
    case = deadline.case
    if deadline.kind == DeadlineKind.REFERRAL_RESPONSE:
        condition = focal_points(deadline.country)
    elif deadline.kind == DeadlineKind.CHILD_RECEPTION:
        condition = focal_points(deadline.country, case.owner.country)
    else:
        condition = owners_people(case)
    found = _users(condition)
    # An alert must reach someone: a country without a focal point falls back to the owners.
    return found or _users(owners_people(case))


def _loaded(pk):
    return Deadline.objects.select_related("case__owner__country", "country").get(pk=pk)


@transaction.atomic
def remind(pk, now) -> bool:
    """Send the reminder of one deadline, unless someone already did or it is no longer due."""
    claimed = (
        Deadline.objects.open()
        .filter(pk=pk, reminded_at__isnull=True, due_at__gt=now)
        .update(reminded_at=now)
    )
    if claimed != 1:
        return False
    deadline = _loaded(pk)
    recipients = reminder_recipients(deadline)
    notify(deadline, NotificationEvent.REMINDER, recipients, now)
    audit(
        "trm.deadline.reminded",
        organisation=deadline.case.owner,
        target=deadline.case,
        details=_details(deadline, recipients),
    )
    return True


@transaction.atomic
def escalate(pk, now) -> bool:
    """Send the overdue alert of one deadline, unless someone already did or it was met."""
    claimed = (
        Deadline.objects.open()
        .filter(pk=pk, escalated_at__isnull=True, due_at__lt=now)
        .update(escalated_at=now)
    )
    if claimed != 1:
        return False
    deadline = _loaded(pk)
    recipients = escalation_recipients(deadline)
    notify(deadline, NotificationEvent.OVERDUE, recipients, now)
    audit(
        "trm.deadline.escalated",
        organisation=deadline.case.owner,
        target=deadline.case,
        details=_details(deadline, recipients),
    )
    return True


def _details(deadline, recipients) -> dict:
    return {
        "deadline": str(deadline.pk),
        "kind": deadline.kind,
        "sequence": deadline.sequence,
        "referral": str(deadline.referral_id) if deadline.referral_id else None,
        "recipients": [user.pk for user in recipients],
    }


def sweep(now=None) -> dict:
    """Remind and alert whatever is due at `now` (default: now); the numbers of each sent."""
    now = now or timezone.now()
    open_deadlines = Deadline.objects.open()
    to_remind = open_deadlines.filter(
        remind_at__lte=now, reminded_at__isnull=True, due_at__gt=now
    ).values_list("pk", flat=True)
    to_escalate = open_deadlines.filter(due_at__lt=now, escalated_at__isnull=True).values_list(
        "pk", flat=True
    )
    sent = {"reminded": 0, "escalated": 0}
    for outcome, send, pks in [
        ("reminded", remind, list(to_remind)),
        ("escalated", escalate, list(to_escalate)),
    ]:
        for pk in pks:
            try:
                sent[outcome] += send(pk, now)
            except Exception:
                # Rolled back, so the next sweep tries again; the others go on meanwhile.
                logger.exception("deadline %s not %s", pk, outcome)
    if any(sent.values()):
        logger.info("deadlines swept: %(reminded)d reminded, %(escalated)d escalated", sent)
    return sent
