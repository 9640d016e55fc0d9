"""Background tasks of the node itself. Domain tables are the truth; tasks only nudge."""

from datetime import timedelta

from django.contrib.sessions.models import Session
from django.tasks import task
from django.utils import timezone

TASK_RESULTS_KEPT_DAYS = 30


@task
def housekeeping() -> dict:
    """Remove expired sessions, old login attempts, old task results and e-mails sent long
    ago (a failed e-mail stays until an administrator saw to it)."""
    from axes.models import AccessAttempt
    from django.conf import settings
    from django_tasks_db.models import DBTaskResult

    from trm.deadlines.models import OutgoingEmail

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
    emails, _ = OutgoingEmail.objects.filter(
        status=OutgoingEmail.Status.SENT,
        sent_at__lt=now - timedelta(days=TASK_RESULTS_KEPT_DAYS),
    ).delete()
    return {
        "sessions": sessions,
        "login_attempts": attempts,
        "task_results": results,
        "sent_emails": emails,
    }


class WorkerLost(Exception):
    """The worker running a task stopped (killed, its machine gone) before the task finished."""


def enqueue_unless_waiting(task_object) -> None:
    """Enqueue `task_object` (taking no arguments) unless it already waits to run: a nudge, so
    many steps in a moment ask the worker once."""
    from django_tasks_db.models import DBTaskResult

    if not DBTaskResult.objects.ready().filter(task_path=task_object.module_path).exists():
        task_object.enqueue()


def reclaim_abandoned_tasks(again: set[str], now=None) -> dict:
    """Fail every task RUNNING for longer than TASK_RECLAIM_SECONDS, its worker taken for dead,
    and enqueue again those whose path is in `again` (idempotent: the domain tables are the
    truth). How many were failed and enqueued again."""
    from django.conf import settings
    from django_tasks_db.compat import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    from trm.lib.steps import step

    now = now or timezone.now()
    timeout = settings.TASK_RECLAIM_SECONDS

    @step
    def reclaim() -> dict:
        # Locked and skipped as the worker claims tasks: two workers never reclaim one twice.
        abandoned = list(
            DBTaskResult.objects.running()
            .filter(started_at__lt=now - timedelta(seconds=timeout))
            .select_for_update(skip_locked=True)
        )
        enqueued = 0
        for result in abandoned:
            reason = (
                f"{WorkerLost.__module__}.WorkerLost: RUNNING for more than {timeout} s "
                f"on worker {', '.join(result.worker_ids) or '?'}, taken for dead"
            )
            if result.task_path in again:
                retry = result.task.enqueue(
                    *result.args_kwargs["args"], **result.args_kwargs["kwargs"]
                )
                reason += f"; enqueued again as {retry.id}"
                enqueued += 1
            result.status = TaskResultStatus.FAILED
            result.finished_at = now
            result.return_value = None
            result.exception_class_path = f"{WorkerLost.__module__}.WorkerLost"
            result.traceback = reason
            result.save(
                update_fields=[
                    "status",
                    "finished_at",
                    "return_value",
                    "exception_class_path",
                    "traceback",
                ]
            )
        return {"failed": len(abandoned), "enqueued": enqueued}

    return reclaim()
