"""Whatever is changed behind the triggers' back, verification finds and names."""

import pytest
from django.db import IntegrityError, connection, transaction

from tests.audit.conftest import TABLE, rewrite, triggers_dropped
from trm.audit.log import record
from trm.audit.models import AuditCheckpoint, AuditEvent
from trm.audit.verify import AuditChainBroken, make_checkpoint, verify_chain
from trm.crypto.node_key import NodeKeyError, node_signing_key

pytestmark = pytest.mark.django_db


@pytest.fixture
def ten_events():
    for number in range(1, 11):
        record("trm.case.viewed", object_type="cases.case", object_id=str(number))


def event(sequence: int) -> AuditEvent:
    return AuditEvent.objects.get(sequence=sequence)


def test_a_value_changed_behind_the_triggers_back_is_found(ten_events):
    with triggers_dropped(), connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {TABLE} SET object_id = %s WHERE sequence = %s",  # noqa: S608
            ["99", 4],
        )
    result = verify_chain()
    assert (result.broken_sequence, result.problem) == (4, "hash does not match")
    assert str(result) == "audit chain broken at sequence 4: hash does not match"
    # The triggers are back: the intruder's way in is closed again.
    with pytest.raises(IntegrityError, match="append-only"), transaction.atomic():
        AuditEvent.objects.filter(sequence=4).delete()


def test_a_rehashed_event_is_found_by_the_next_link(ten_events):
    with triggers_dropped():
        rewrite(event(6), event(5).hash, object_id="99")
    result = verify_chain()
    assert (result.broken_sequence, result.problem) == (7, "previous hash does not link")


def test_a_missing_event_is_found(ten_events):
    with triggers_dropped():
        AuditEvent.objects.filter(sequence=5).delete()
    result = verify_chain()
    assert (result.broken_sequence, result.problem) == (5, "sequence 5 is missing")
    assert result.events == 4


def test_a_rewritten_tail_is_found_by_the_checkpoint(ten_events):
    assert make_checkpoint().sequence == 10
    # A careful intruder rewrites events 8 to 10 with fresh hashes: the chain itself still links.
    with triggers_dropped():
        previous = event(7).hash
        for sequence in (8, 9, 10):
            previous = rewrite(event(sequence), previous, object_id=f"forged-{sequence}")
    result = verify_chain()
    assert result.broken_sequence == 10
    assert "does not have the hash its signed checkpoint records" in result.problem


def test_a_truncated_log_is_found(ten_events):
    make_checkpoint()
    with triggers_dropped():
        AuditEvent.objects.filter(sequence__gt=7).delete()
    result = verify_chain()
    assert result.broken_sequence == 8
    assert result.problem == (
        "the log ends at sequence 7 but a signed checkpoint vouches for sequence 10: "
        "the log was truncated"
    )


def test_an_emptied_log_is_found(ten_events):
    make_checkpoint()
    with triggers_dropped():
        AuditEvent.objects.all().delete()
    result = verify_chain()
    assert result.broken_sequence == 1
    assert "the log ends at sequence 0" in result.problem


def test_a_forged_checkpoint_is_refused(ten_events):
    checkpoint = make_checkpoint()
    AuditCheckpoint.objects.filter(pk=checkpoint.pk).update(sequence=9, hash=event(9).hash)
    result = verify_chain()
    assert (result.broken_sequence, result.problem) == (
        9,
        "its checkpoint has an invalid signature",
    )


def test_a_checkpoint_signed_by_another_key_is_refused(ten_events, settings, tmp_path):
    make_checkpoint()
    # Another key in the node's place: its checkpoints, old and new, prove nothing.
    settings.NODE_KEY_FILE = tmp_path / "other" / "node_ed25519.pem"
    node_signing_key()
    result = verify_chain()
    assert result.broken_sequence == 10
    assert result.problem == "its checkpoint was not signed by this node's key"
    with pytest.raises(AuditChainBroken, match="not signed by this node's key"):
        make_checkpoint()


def test_no_checkpoint_is_signed_on_top_of_a_broken_chain(ten_events):
    make_checkpoint()
    record("trm.case.viewed", object_id="11")
    with triggers_dropped(), connection.cursor() as cursor:
        cursor.execute(f"UPDATE {TABLE} SET reason = 'x' WHERE sequence = 11")  # noqa: S608
    with pytest.raises(AuditChainBroken, match="sequence 11: hash does not match"):
        make_checkpoint()
    assert AuditCheckpoint.objects.count() == 1


def test_a_checkpoint_is_made_only_when_there_are_new_events(ten_events):
    assert make_checkpoint().sequence == 10
    assert make_checkpoint() is None
    record("trm.case.viewed")
    assert make_checkpoint().sequence == 11
    assert str(verify_chain()) == "audit chain verified: 11 events, 2 checkpoints"


def test_verification_with_a_missing_key_file_names_the_file(ten_events, settings, tmp_path):
    make_checkpoint()
    settings.NODE_KEY_FILE = tmp_path / "nowhere" / "node.pem"
    with pytest.raises(NodeKeyError, match=f"the node key file {tmp_path}/nowhere/node.pem does"):
        verify_chain()
    assert not settings.NODE_KEY_FILE.exists(), "verification must never generate a key"
