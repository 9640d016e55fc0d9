"""A task whose worker died is not left RUNNING: after TRM_TASK_RECLAIM_SECONDS the worker's
housekeeping fails it with the reason, and enqueues it again when running it twice is safe."""

import datetime

import pytest
from django.utils import timezone
from django_tasks_db.compat import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from trm.core.tasks import reclaim_abandoned_tasks
from trm.core.worker import idempotent_tasks, run_worker
from trm.deadlines.tasks import deliver_emails, sweep_deadlines
from trm.rights.tasks import apply_retention

pytestmark = pytest.mark.django_db


def running(task, *, for_seconds: float, worker: str = "host-4242") -> DBTaskResult:
    """`task` claimed by `worker` `for_seconds` ago, as a worker killed meanwhile leaves it."""
    result = DBTaskResult.objects.get(pk=task.enqueue().id)
    result.claim(worker)
    DBTaskResult.objects.filter(pk=result.pk).update(
        started_at=timezone.now() - datetime.timedelta(seconds=for_seconds)
    )
    return result


def test_the_sweep_and_the_delivery_are_run_again_after_their_worker_died(settings):
    settings.TASK_RECLAIM_SECONDS = 600
    sweep = running(sweep_deadlines, for_seconds=601)
    delivery = running(deliver_emails, for_seconds=3600)

    assert reclaim_abandoned_tasks(idempotent_tasks()) == {"failed": 2, "enqueued": 2}

    for lost in [sweep, delivery]:
        lost.refresh_from_db()
        assert lost.status == TaskResultStatus.FAILED
        assert lost.finished_at is not None
        assert lost.exception_class_path == "trm.core.tasks.WorkerLost"
        assert lost.traceback.startswith(
            "trm.core.tasks.WorkerLost: RUNNING for more than 600 s on worker host-4242"
        )
        [again] = DBTaskResult.objects.ready().filter(task_path=lost.task_path)
        assert lost.traceback.endswith(f"enqueued again as {again.pk}")
    assert not DBTaskResult.objects.running().exists()


def test_a_task_running_for_less_than_the_timeout_is_left_alone(settings):
    settings.TASK_RECLAIM_SECONDS = 600
    alive = running(sweep_deadlines, for_seconds=599)
    assert reclaim_abandoned_tasks(idempotent_tasks()) == {"failed": 0, "enqueued": 0}
    alive.refresh_from_db()
    assert alive.status == TaskResultStatus.RUNNING


def test_a_task_not_known_to_be_idempotent_is_failed_but_not_run_again(settings):
    settings.TASK_RECLAIM_SECONDS = 60
    lost = running(apply_retention, for_seconds=61)
    assert reclaim_abandoned_tasks({sweep_deadlines.module_path}) == {"failed": 1, "enqueued": 0}
    lost.refresh_from_db()
    assert lost.status == TaskResultStatus.FAILED
    assert "enqueued again" not in lost.traceback
    assert not DBTaskResult.objects.ready().exists()


@pytest.mark.django_db(transaction=True)
def test_the_worker_reclaims_before_it_runs_what_is_ready(settings, directory):
    settings.TASK_RECLAIM_SECONDS = 60
    lost = running(sweep_deadlines, for_seconds=120)
    run_worker(once=True)
    lost.refresh_from_db()
    assert lost.status == TaskResultStatus.FAILED
    assert not DBTaskResult.objects.running().exists()
    assert not DBTaskResult.objects.ready().exists(), "the sweep ran again, with the rest"
    # Once: the periodic job found the sweep enqueued again and waiting, and added none.
    assert DBTaskResult.objects.successful().filter(task_path=lost.task_path).count() == 1
