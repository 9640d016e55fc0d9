"""The worker loop: enqueue periodic jobs when due, then run every ready task."""

import logging
import time
from dataclasses import dataclass, field

from django.conf import settings
from django_tasks_db.management.commands.db_worker import Worker

from trm.audit.tasks import audit_checkpoint
from trm.deadlines.tasks import sweep_deadlines
from trm.federation.tasks import deliver_envelopes
from trm.rights.tasks import apply_retention

from .tasks import housekeeping

logger = logging.getLogger("trm.worker")


@dataclass
class PeriodicJob:
    task: object
    every_seconds: int
    last_enqueued: float = field(default=float("-inf"))

    def enqueue_if_due(self, now: float) -> bool:
        if now - self.last_enqueued < self.every_seconds:
            return False
        self.task.enqueue()
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
        # Steps nudge the delivery to peers when they commit; this sends the retries when due.
        PeriodicJob(deliver_envelopes, every_seconds=30),
    ]


def run_ready_tasks() -> None:
    Worker(
        queue_names=["default"],
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id="trm-worker",
        excluded_queue_names=[],
    ).run()


def run_worker(*, once: bool = False, interval: float = 5.0) -> None:
    jobs = periodic_jobs()
    logger.info("worker started with %d periodic jobs", len(jobs))
    while True:
        now = time.monotonic()
        for job in jobs:
            if job.enqueue_if_due(now):
                logger.info("enqueued %s", job.task.name)
        run_ready_tasks()
        if once:
            return
        time.sleep(interval)
