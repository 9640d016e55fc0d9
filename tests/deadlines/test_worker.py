"""The worker sweeps the deadlines every five minutes."""

import pytest

from trm.core.worker import periodic_jobs
from trm.deadlines.tasks import sweep_deadlines

pytestmark = pytest.mark.django_db


def test_the_worker_sweeps_the_deadlines_every_five_minutes():
    [job] = [job for job in periodic_jobs() if job.task is sweep_deadlines]
    assert job.every_seconds == 300


def test_the_task_sweeps(directory):
    assert sweep_deadlines.call() == {"reminded": 0, "escalated": 0}
