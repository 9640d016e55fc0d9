"""Appenders in parallel never fork the chain: each waits for the one before to commit."""

import os
import subprocess
import sys
import threading

import pytest
from django.db import connection, connections

from tests.audit.conftest import triggers_dropped
from trm.audit.log import record
from trm.audit.models import AuditEvent
from trm.audit.verify import verify_chain

WRITERS = 4
EVENTS_EACH = 10


@pytest.fixture
def emptied_afterwards():
    # Transactional tests end with a flush, which the triggers rightly refuse on a full table.
    yield
    with triggers_dropped():
        AuditEvent.objects.all().delete()


@pytest.mark.skipif(
    connection.vendor == "sqlite",
    reason="the in-memory SQLite test database shares one cache between threads, so its "
    "writers fail instead of waiting; a file database serialises them with IMMEDIATE",
)
@pytest.mark.django_db(transaction=True)
def test_parallel_appenders_leave_one_unbroken_chain(emptied_afterwards):
    failures = []

    def append(writer: int) -> None:
        try:
            for number in range(EVENTS_EACH):
                record("trm.case.viewed", object_type="cases.case", object_id=f"{writer}-{number}")
        except Exception as problem:  # noqa: BLE001 - reported by the main thread
            failures.append(problem)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=append, args=(writer,)) for writer in range(WRITERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    assert (
        str(verify_chain())
        == f"audit chain verified: {WRITERS * EVENTS_EACH} events, 0 checkpoints; "
        f"no checkpoint covers the newest {WRITERS * EVENTS_EACH} events yet"
    )


APPEND = f"""
import django
django.setup()
from trm.audit.log import record
for number in range({EVENTS_EACH}):
    record("trm.case.viewed", object_type="cases.case", object_id=str(number))
"""


@pytest.mark.skipif(connection.vendor != "sqlite", reason="the PostgreSQL test above covers it")
def test_parallel_processes_on_a_sqlite_file_leave_one_unbroken_chain(tmp_path):
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("TRM_", "DJANGO_"))}
    env = {**clean, "TRM_HOME": str(tmp_path), "DJANGO_SETTINGS_MODULE": "trm.settings"}

    def trm(*args):
        return subprocess.run(  # noqa: S603
            [sys.executable, "-m", "trm.cli", *args],
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )

    assert trm("manage", "migrate", "-v0").returncode == 0
    writers = [
        subprocess.Popen(  # noqa: S603
            [sys.executable, "-c", APPEND], env=env, stderr=subprocess.PIPE, text=True
        )
        for _ in range(WRITERS)
    ]
    for writer in writers:
        _out, errors = writer.communicate(timeout=120)
        assert writer.returncode == 0, errors
    verified = trm("audit", "verify")
    assert (
        verified.stdout == f"audit chain verified: {WRITERS * EVENTS_EACH} events, 0 checkpoints; "
        f"no checkpoint covers the newest {WRITERS * EVENTS_EACH} events yet\n"
    )
