"""The chain's head row, and checkpoints signed often and kept outside the database too."""

import json

import pytest
from django.db import connection, transaction
from django_tasks_db.models import DBTaskResult

from tests.audit.conftest import triggers_dropped
from trm.audit.log import AuditChainHeadMissing, new_event, record, record_many
from trm.audit.models import AuditHead, head_seal
from trm.audit.tasks import audit_checkpoint
from trm.audit.verify import make_checkpoint, verify_chain, write_head_file
from trm.core.worker import periodic_jobs

pytestmark = pytest.mark.django_db

CHECKPOINT_TASK = audit_checkpoint.module_path


def checkpoint_nudges() -> int:
    return DBTaskResult.objects.filter(task_path=CHECKPOINT_TASK).count()


def test_the_head_row_follows_the_newest_event_sealed_with_the_chain_key():
    record("trm.case.viewed", object_id="1")
    newest = record_many([new_event("trm.case.viewed", object_id=str(n)) for n in (2, 3)])[-1]
    head = AuditHead.objects.get()
    assert (head.sequence, head.hash) == (3, newest.hash)
    assert head.seal == head_seal(3, newest.hash)


def test_nothing_is_appended_when_the_head_row_is_gone():
    record("trm.case.viewed", object_id="1")
    AuditHead.objects.all().delete()
    # Recreating it from the newest event would bless whatever tail an intruder left.
    with pytest.raises(AuditChainHeadMissing), transaction.atomic():
        record("trm.case.viewed", object_id="2")
    result = verify_chain()
    assert (result.kind, result.broken_sequence) == ("truncated after the checkpointed range", 2)
    assert result.problem == "the chain's head row is missing"


def test_a_checkpoint_is_nudged_when_the_chain_crosses_a_multiple_of_n(
    settings, django_capture_on_commit_callbacks
):
    settings.AUDIT_CHECKPOINT_EVENTS = 5
    with django_capture_on_commit_callbacks(execute=True):
        for number in range(1, 5):
            record("trm.case.viewed", object_id=str(number))
    assert checkpoint_nudges() == 0
    with django_capture_on_commit_callbacks(execute=True):
        record_many([new_event("trm.case.viewed", object_id=str(n)) for n in range(5, 12)])
    assert checkpoint_nudges() == 1, "one append that crosses 5 and 10 nudges once"
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        record("trm.case.viewed", object_id="12")
    assert callbacks == []


def test_the_worker_signs_every_m_minutes_as_configured(settings):
    settings.AUDIT_CHECKPOINT_MINUTES = 3
    jobs = {job.task: job.every_seconds for job in periodic_jobs()}
    assert jobs[audit_checkpoint] == 180


def test_each_checkpoint_is_copied_to_the_head_file_and_it_never_goes_back(settings):
    for number in range(3):
        record("trm.case.viewed", object_id=str(number))
    first = make_checkpoint()
    content = json.loads(settings.AUDIT_HEAD_FILE.read_text())
    assert content == {
        "sequence": 3,
        "hash": first.hash,
        "signature": first.signature,
        "public_key": first.public_key,
    }
    assert oct(settings.AUDIT_HEAD_FILE.stat().st_mode & 0o777) == "0o600"
    record("trm.case.viewed", object_id="4")
    make_checkpoint()
    write_head_file(first)  # a slower signer finishing late
    assert json.loads(settings.AUDIT_HEAD_FILE.read_text())["sequence"] == 4
    left = [path.name for path in settings.AUDIT_HEAD_FILE.parent.iterdir()]
    assert not [name for name in left if name.startswith(".")], "no temporary file is left"


def test_an_emptied_checkpoint_table_is_found_through_the_head_file():
    for number in range(3):
        record("trm.case.viewed", object_id=str(number))
    make_checkpoint()
    with triggers_dropped("audit_auditcheckpoint"), connection.cursor() as cursor:
        cursor.execute("DELETE FROM audit_auditcheckpoint")
    result = verify_chain()
    assert (result.kind, result.broken_sequence) == ("checkpoints deleted", 1)
    assert "the head file vouches for sequence 3" in result.problem
