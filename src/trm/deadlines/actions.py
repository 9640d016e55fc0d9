"""What a user does with their notifications, each a step."""

from django.utils import timezone

from trm.lib.steps import step

from .models import Notification


@step
def mark_read(user, notification: Notification) -> None:
    """Mark one of the user's notifications read (once: the first reading's moment stays)."""
    Notification.objects.filter(pk=notification.pk, user=user, read_at__isnull=True).update(
        read_at=timezone.now()
    )


@step
def mark_all_read(user) -> int:
    """Mark every unread notification of the user read; how many."""
    return Notification.objects.filter(user=user).unread().update(read_at=timezone.now())
