"""`trm audit verify` and `trm audit checkpoint` as an administrator uses them."""

import pytest
from django.db import connection

from tests.audit.conftest import TABLE, triggers_dropped
from trm.audit.log import record
from trm.audit.tasks import audit_checkpoint
from trm.cli import main
from trm.core.worker import periodic_jobs

pytestmark = pytest.mark.django_db


@pytest.fixture
def five_events():
    for number in range(1, 6):
        record("trm.case.viewed", object_type="cases.case", object_id=str(number))


def run(*args) -> int:
    try:
        main(list(args))
    except SystemExit as exit_:
        return exit_.code
    return 0


@pytest.mark.parametrize("command", ["verify", "checkpoint"])
def test_every_audit_command_explains_itself(command, capsys):
    assert run("audit", command, "--help") == 0
    assert "usage: trm audit" in capsys.readouterr().out


def test_trm_audit_verify_reports_a_sound_chain(five_events, capsys):
    assert run("audit", "checkpoint") == 0
    assert capsys.readouterr().out == "audit checkpoint signed at sequence 5\n"
    assert run("audit", "checkpoint") == 0
    assert capsys.readouterr().out == "no new audit events since the last checkpoint\n"
    assert run("audit", "verify") == 0
    assert capsys.readouterr().out == (
        "audit chain verified: 5 events, 1 checkpoints; no checkpoint covers the newest 0 "
        "events yet\n"
    )


def test_trm_audit_verify_exits_non_zero_naming_the_broken_sequence(five_events, capsys):
    with triggers_dropped(), connection.cursor() as cursor:
        cursor.execute(f"UPDATE {TABLE} SET action = 'trm.case.exported' WHERE sequence = 3")  # noqa: S608
    assert run("audit", "verify") == 1
    assert capsys.readouterr().out == (
        "audit chain broken at sequence 3: changed event: the event's content no longer matches "
        "its hash\n"
    )
    assert run("audit", "checkpoint") == 1
    assert "sequence 3: changed event" in capsys.readouterr().out


def test_trm_audit_verify_names_a_missing_key_file(five_events, settings, tmp_path):
    assert run("audit", "checkpoint") == 0
    settings.NODE_KEY_FILE = tmp_path / "gone.pem"
    problem = run("audit", "verify")
    assert problem == (
        f"trm: the audit checkpoints cannot be checked: the node key file {tmp_path}/gone.pem "
        "does not exist"
    )


def test_trm_audit_verify_names_a_truncated_log(five_events, capsys):
    assert run("audit", "checkpoint") == 0
    with triggers_dropped(), connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {TABLE} WHERE sequence > 2")  # noqa: S608
    capsys.readouterr()
    assert run("audit", "verify") == 1
    assert capsys.readouterr().out == (
        "audit chain broken at sequence 3: truncated inside the checkpointed range: the log ends "
        "at sequence 2 but a signed checkpoint vouches for sequence 5\n"
    )


def test_the_worker_signs_a_checkpoint_every_ten_minutes(five_events):
    jobs = {job.task: job.every_seconds for job in periodic_jobs()}
    assert jobs[audit_checkpoint] == 600
    assert audit_checkpoint.call() == {"sequence": 5}
    assert audit_checkpoint.call() == {"sequence": None}
