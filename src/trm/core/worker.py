"""The worker loop: take over the tasks of dead workers, enqueue periodic jobs when due, then
run every ready task."""

import logging
import os
import socket
import time
from dataclasses import dataclass, field

from django.conf import settings
from django_tasks_db.management.commands.db_worker import Worker

from trm.audit.tasks import audit_checkpoint
from trm.deadlines.tasks import deliver_emails, sweep_deadlines
from trm.federation.tasks import (
    alert_undelivered_envelopes,
    check_peer_keys,
    deliver_envelopes,
    refresh_directories,
)
from trm.rights.tasks import apply_retention

from .tasks import enqueue_unless_waiting, housekeeping, reclaim_abandoned_tasks

logger = logging.getLogger("trm.worker")


@dataclass
class PeriodicJob:
    task: object
    every_seconds: int
    last_enqueued: float = field(default=float("-inf"))

    def enqueue_if_due(self, now: float) -> bool:
        if now - self.last_enqueued < self.every_seconds:
            return False
        # Not twice: a worker restarted before its jobs ran finds them waiting still.
        enqueue_unless_waiting(self.task)
        self.last_enqueued = now
        return True


def periodic_jobs() -> list[PeriodicJob]:
    # Later parts of trm (deadlines, reminders, outbox) add their jobs here.
    return [
        PeriodicJob(housekeeping, every_seconds=3600),
        # Signed checkpoints bound how much of the audit chain's tail could be cut unseen; the
        # appenders also nudge a checkpoint every AUDIT_CHECKPOINT_EVENTS events.
        PeriodicJob(audit_checkpoint, every_seconds=settings.AUDIT_CHECKPOINT_MINUTES * 60),
        # Daily: retention reports first, erasure only after their grace period.
        PeriodicJob(apply_retention, every_seconds=86400),
        # Reminders and overdue alerts: the sweep is cheap and idempotent, so every 5 minutes.
        PeriodicJob(sweep_deadlines, every_seconds=300),
        # Steps nudge the deliveries when they commit; these send the retries once they are
        # due and what a lost nudge left: e-mails, and envelopes to peer nodes.
        PeriodicJob(deliver_emails, every_seconds=60),
        PeriodicJob(deliver_envelopes, every_seconds=30),
        # A peer's key rotation is also learnt when its new key is met; this finds it when
        # nothing was exchanged, well within the overlap (14 days by default).
        PeriodicJob(check_peer_keys, every_seconds=6 * 3600),
        # Envelopes undelivered for too long, told to the administrators and focal points.
        PeriodicJob(alert_undelivered_envelopes, every_seconds=300),
        # The peers' directories, each refreshed once its copy is older than the setting; a
        # run every 5 minutes (at most) tries a peer that did not answer again soon.
        PeriodicJob(
            refresh_directories,
            every_seconds=min(300, settings.FEDERATION_DIRECTORY_REFRESH_MINUTES * 60),
        ),
    ]


def idempotent_tasks() -> set[str]:
    """The tasks run again when their worker died: each works from the domain tables (what is
    due, what is sent), so running one twice does nothing twice."""
    return {job.task.module_path for job in periodic_jobs()}


def worker_id() -> str:
    """Which process runs a task, as the task table records it: host and process id."""
    return f"{socket.gethostname()[:40]}-{os.getpid()}"


def run_ready_tasks() -> None:
    Worker(
        queue_names=["default"],
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id=worker_id(),
        excluded_queue_names=[],
    ).run()


def reclaim(again: set[str]) -> None:
    found = reclaim_abandoned_tasks(again)
    if found["failed"]:
        logger.warning(
            "%(failed)d tasks of a dead worker failed, %(enqueued)d of them enqueued again", found
        )


def run_worker(*, once: bool = False, interval: float = 5.0) -> None:
    from django.conf import settings

    jobs = periodic_jobs()
    again = idempotent_tasks()
    # Often enough that a dead worker's task is taken over soon after its timeout.
    reclaim_every = max(1.0, min(60.0, settings.TASK_RECLAIM_SECONDS / 2))
    last_reclaim = float("-inf")
    logger.info("worker started with %d periodic jobs", len(jobs))
    while True:
        now = time.monotonic()
        if now - last_reclaim >= reclaim_every:
            reclaim(again)
            last_reclaim = now
        for job in jobs:
            if job.enqueue_if_due(now):
                logger.info("enqueued %s", job.task.name)
        run_ready_tasks()
        if once:
            return
        _wait(interval)


# How often an idle worker looks for a task a step just enqueued (a nudge: an e-mail, an
# envelope to a peer), between its full rounds: one indexed query.
WAKE_SECONDS = 0.25


def _wait(interval: float) -> None:
    """Until the next round, or sooner when a task is ready to run."""
    from django_tasks_db.models import DBTaskResult

    until = time.monotonic() + interval
    while time.monotonic() < until:
        time.sleep(min(WAKE_SECONDS, max(0.0, until - time.monotonic())))
        if DBTaskResult.objects.ready().exists():
            return
