"""The alert when a message to a peer node stays undelivered (issue 12, item 4): after
FEDERATION_UNDELIVERED_ALERT_MINUTES, the node's administrators and focal points are told once
per envelope, in the app and by e-mail (the e-mail outbox of trm.deadlines), naming the node
and the message id only: what the message carries stays encrypted to the peer."""

import datetime

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import Q
from django.utils import timezone

from trm.accounts.models import Role
from trm.audit.log import record
from trm.deadlines.models import Notification, NotificationEvent
from trm.deadlines.notify import tell
from trm.lib.steps import step

from .models import OutgoingEnvelope

BATCH = 200


def who_is_alerted():
    """The node's administrators (its staff, its organisations' administrators) and its focal
    points, active, as users."""
    return (
        get_user_model()
        .objects.filter(is_active=True)
        .filter(
            Q(is_staff=True)
            | Q(
                memberships__is_active=True,
                memberships__role__in=[Role.ORGANISATION_ADMIN, Role.FOCAL_POINT],
            )
        )
        .distinct()
        .order_by("pk")
    )


def undelivered(now) -> list[OutgoingEnvelope]:
    """Envelopes not delivered (waiting or refused) for longer than the setting, not told yet."""
    limit = now - datetime.timedelta(minutes=settings.FEDERATION_UNDELIVERED_ALERT_MINUTES)
    return list(
        OutgoingEnvelope.objects.select_related("peer__node")
        .exclude(state=OutgoingEnvelope.State.DELIVERED)
        .filter(queued_at__lt=limit, alerted_at__isnull=True)
        .order_by("queued_at", "pk")[:BATCH]
    )


@step
def alert_undelivered(now=None) -> int:
    """Tell of each envelope undelivered too long, once; how many envelopes were told of."""
    now = now or timezone.now()
    envelopes = undelivered(now)
    if not envelopes:
        return 0
    # Locked and read again: two workers' sweeps tell of each envelope once.
    locked = list(
        OutgoingEnvelope.objects.select_for_update()
        .filter(pk__in=[e.pk for e in envelopes], alerted_at__isnull=True)
        .select_related("peer__node")
    )
    users = list(who_is_alerted())
    tell(
        [
            Notification(
                user=user,
                event=NotificationEvent.UNDELIVERED,
                envelope=envelope.message_id,
                node=envelope.peer.node,
                created_at=now,
            )
            for envelope in locked
            for user in users
        ],
        by="envelope",
    )
    for envelope in locked:
        record(
            "trm.envelope.undelivered",
            target=envelope,
            details={
                "peer": envelope.peer.name,
                "message": envelope.message_id,
                "type": envelope.type,
                "told": len(users),
            },
        )
    OutgoingEnvelope.objects.filter(pk__in=[e.pk for e in locked]).update(alerted_at=now)
    return len(locked)
