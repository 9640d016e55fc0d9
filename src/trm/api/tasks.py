"""The caller's work: open deadlines of their organisations' cases, and their notifications."""

import datetime
import uuid

from django.db.models import Q
from django.utils import timezone
from ninja import Query, Router, Schema
from pydantic import Field

from trm.access.policy import visible_cases
from trm.cases.workflow import CASE_WORK
from trm.deadlines.messages import notification_text
from trm.deadlines.models import Deadline, DeadlineKind, Notification, NotificationEvent
from trm.referrals.models import Referral

from .auth import caller, needs
from .models import Scope
from .schemas import Limit, Offset, Page, codes, page_of, responses

router = Router(tags=["tasks"])


class DeadlineOut(Schema):
    id: uuid.UUID
    case_id: uuid.UUID
    case_reference: str | None = Field(
        description="None for news of the exchange with other nodes, not about one case."
    )
    referral_id: uuid.UUID | None
    kind: codes(DeadlineKind)
    label: str
    sequence: int = Field(description="For monitoring contacts: the months after return.")
    due_at: datetime.datetime
    remind_at: datetime.datetime | None
    overdue: bool


class NotificationOut(Schema):
    id: int
    kind: codes(DeadlineKind) | None = Field(
        description="The deadline it is about; None for news of a referral that is not."
    )
    event: codes(NotificationEvent)
    text: str
    case_id: uuid.UUID | None = Field(description="Only where the caller may open the case.")
    case_reference: str | None = Field(
        description="None for news of the exchange with other nodes, not about one case."
    )
    referral_id: uuid.UUID | None = Field(description="The referral it is news of, if any.")
    created_at: datetime.datetime
    read_at: datetime.datetime | None


class DeadlineFilters(Schema):
    overdue: bool | None = None
    limit: Limit = 50
    offset: Offset = 0


class NotificationFilters(Schema):
    unread: bool | None = None
    limit: Limit = 50
    offset: Offset = 0


@router.get("/deadlines", response=responses(200, Page[DeadlineOut]))
@needs(Scope.TASKS_READ)
def deadlines(request, filters: Query[DeadlineFilters]):
    """Open deadlines where the caller's organisations must act, on the cases they may see or
    on referrals they received; soonest first."""
    user = caller(request)
    organisations = user.memberships.filter(is_active=True, role__in=CASE_WORK).values(
        "organisation_id"
    )
    now = timezone.now()
    # The answer to a referral is owed before the receiving side may see the case.
    referrals = Referral.objects.filter(receiver_id__in=organisations).values("pk")
    found = Deadline.objects.open().filter(
        Q(case__in=visible_cases(user)) | Q(referral_id__in=referrals),
        organisations__in=organisations,
    )
    if filters.overdue is not None:
        found = found.filter(due_at__lt=now) if filters.overdue else found.exclude(due_at__lt=now)
    pks = found.values("pk")  # an organisation may be named twice: count each deadline once
    queryset = Deadline.objects.filter(pk__in=pks).select_related("case").order_by("due_at", "pk")
    count, items = page_of(queryset, filters.limit, filters.offset)
    return {
        "count": count,
        "limit": filters.limit,
        "offset": filters.offset,
        "items": [
            DeadlineOut(
                id=d.pk,
                case_id=d.case_id,
                case_reference=d.case.reference,
                referral_id=d.referral_id,
                kind=d.kind,
                label=str(d.get_kind_display()),
                sequence=d.sequence,
                due_at=d.due_at,
                remind_at=d.remind_at,
                overdue=d.due_at < now,
            )
            for d in items
        ],
    }


@router.get("/notifications", response=responses(200, Page[NotificationOut]))
@needs(Scope.TASKS_READ)
def notifications(request, filters: Query[NotificationFilters]):
    """The caller's reminders, overdue alerts and news of referrals, newest first, in the
    caller's language."""
    user = caller(request)
    mine = Notification.objects.filter(user=user)
    if filters.unread is not None:
        mine = mine.filter(read_at__isnull=filters.unread)
    queryset = mine.select_related(
        "case", "deadline__case", "deadline__country", "organisation", "node"
    ).order_by("-created_at", "-pk")
    count, items = page_of(queryset, filters.limit, filters.offset)
    visible = set(
        visible_cases(user).filter(pk__in=[n.case_id for n in items]).values_list("pk", flat=True)
    )
    return {
        "count": count,
        "limit": filters.limit,
        "offset": filters.offset,
        "items": [
            NotificationOut(
                id=n.pk,
                kind=n.kind or None,
                event=n.event,
                text=notification_text(n),
                case_id=n.case_id if n.case_id in visible else None,
                case_reference=n.case.reference if n.case_id else None,
                referral_id=n.referral_id,
                created_at=n.created_at,
                read_at=n.read_at,
            )
            for n in items
        ],
    }
