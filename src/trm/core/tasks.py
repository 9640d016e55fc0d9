"""Background tasks of the node itself. Domain tables are the truth; tasks only nudge."""

from datetime import timedelta

from django.contrib.sessions.models import Session
from django.tasks import task
from django.utils import timezone

TASK_RESULTS_KEPT_DAYS = 30


@task
def housekeeping() -> dict:
    """Remove expired sessions, old login attempts and old task results."""
    from axes.models import AccessAttempt
    from django.conf import settings
    from django_tasks_db.models import DBTaskResult

    now = timezone.now()
    sessions, _ = Session.objects.filter(expire_date__lt=now).delete()
    attempts, _ = AccessAttempt.objects.filter(
        attempt_time__lt=now - timedelta(hours=settings.AXES_COOLOFF_TIME)
    ).delete()
    results, _ = (
        DBTaskResult.objects.finished()
        .filter(finished_at__lt=now - timedelta(days=TASK_RESULTS_KEPT_DAYS))
        .delete()
    )
    return {"sessions": sessions, "login_attempts": attempts, "task_results": results}
