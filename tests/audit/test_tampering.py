"""Whatever is changed behind the triggers' back, verification finds and names.

The intruder owns the database (drops the append-only triggers, writes any row) and knows the
code, but not the chain key in the key file nor the node's private key, and cannot write to
TRM_HOME's head file.
"""

import hashlib
import hmac

import pytest
from django.db import IntegrityError, connection, transaction

from tests.audit.conftest import TABLE, rewrite, triggers_dropped
from trm.audit.log import record
from trm.audit.models import AuditCheckpoint, AuditEvent, AuditHead, canonical_json
from trm.audit.verify import AuditChainBroken, Break, make_checkpoint, verify_chain
from trm.crypto.node_key import NodeKeyError, node_signing_key

pytestmark = pytest.mark.django_db

CHECKPOINTS = AuditCheckpoint._meta.db_table


@pytest.fixture
def ten_events():
    for number in range(1, 11):
        record("trm.case.viewed", object_type="cases.case", object_id=str(number))


@pytest.fixture
def checkpointed_at_seven():
    """Seven events under a signed checkpoint (in the table and the head file), then three
    the next checkpoint will cover."""
    for number in range(1, 8):
        record("trm.case.viewed", object_type="cases.case", object_id=str(number))
    assert make_checkpoint().sequence == 7
    for number in range(8, 11):
        record("trm.case.viewed", object_type="cases.case", object_id=str(number))


def event(sequence: int) -> AuditEvent:
    return AuditEvent.objects.get(sequence=sequence)


# What an intruder without the chain key computes: the hash as the code computes it, with the
# key guessed (here: the unkeyed SHA-256 the chain used before it was keyed).
def forged_hash(previous_hash: str, event: AuditEvent) -> str:
    return hashlib.sha256(
        (previous_hash + canonical_json(event.canonical_fields())).encode()
    ).hexdigest()


def move_head(sequence: int, hash_: str) -> None:
    seal = hmac.new(b"a guess", f"trm-audit-head:{sequence}:{hash_}".encode(), "sha256")
    AuditHead.objects.update(sequence=sequence, hash=hash_, seal=seal.hexdigest())


def rehash_from(sequence: int) -> None:
    """Relink and rehash every event from `sequence` on, as the chain's code would, but with
    hashes not made with the chain key; then move the head to the new end."""
    previous = event(sequence - 1).hash
    for each in AuditEvent.objects.filter(sequence__gte=sequence).order_by("sequence"):
        each.previous_hash = previous
        each.hash = previous = forged_hash(previous, each)
        AuditEvent.objects.filter(pk=each.pk).update(
            previous_hash=each.previous_hash, hash=each.hash
        )
    last = AuditEvent.objects.order_by("-sequence").first()
    move_head(last.sequence, last.hash)


def modify():
    AuditEvent.objects.filter(sequence=4).update(object_id="99")


def delete():
    AuditEvent.objects.filter(sequence=5).delete()


def insert_and_rehash():
    for sequence in range(10, 4, -1):
        AuditEvent.objects.filter(sequence=sequence).update(sequence=sequence + 1)
    inserted = event(4)
    inserted.pk, inserted.sequence, inserted.object_id = None, 5, "inserted"
    inserted.save()
    rehash_from(5)


def reorder():
    AuditEvent.objects.filter(sequence=4).update(sequence=1000)
    AuditEvent.objects.filter(sequence=5).update(sequence=4)
    AuditEvent.objects.filter(sequence=1000).update(sequence=5)


def truncate_inside():
    AuditEvent.objects.filter(sequence__gt=5).delete()
    move_head(5, event(5).hash)


def truncate_after():
    AuditEvent.objects.filter(sequence__gt=8).delete()
    move_head(8, event(8).hash)


def append_forged():
    forged = event(10)
    forged.pk, forged.sequence, forged.object_id = None, 11, "forged"
    forged.previous_hash = event(10).hash
    forged.hash = forged_hash(forged.previous_hash, forged)
    forged.save()
    move_head(11, forged.hash)


def rewrite_tail():
    AuditEvent.objects.filter(sequence__gte=8).update(object_id="rewritten")
    rehash_from(8)


def alter_checkpoint():
    AuditCheckpoint.objects.update(sequence=6, hash=event(6).hash)


def delete_checkpoints_then_truncate():
    AuditCheckpoint.objects.all().delete()
    AuditEvent.objects.filter(sequence__gt=3).delete()
    move_head(3, event(3).hash)


TAMPERINGS = [
    (modify, Break.CHANGED, 4),
    (delete, Break.MISSING, 5),
    (insert_and_rehash, Break.INSERTED, 5),
    (reorder, Break.REORDERED, 4),
    (truncate_inside, Break.TRUNCATED_INSIDE, 6),
    (truncate_after, Break.TRUNCATED_AFTER, 9),
    (append_forged, Break.FORGED, 11),
    (rewrite_tail, Break.REWRITTEN_TAIL, 8),
    (alter_checkpoint, Break.ALTERED_CHECKPOINT, 6),
    (delete_checkpoints_then_truncate, Break.CHECKPOINTS_DELETED, 4),
]


def test_the_untouched_chain_verifies_and_counts_what_no_checkpoint_covers(checkpointed_at_seven):
    assert str(verify_chain()) == (
        "audit chain verified: 10 events, 1 checkpoints; no checkpoint covers the newest 3 "
        "events yet"
    )


@pytest.mark.parametrize(
    ("tamper", "kind", "first_affected"), TAMPERINGS, ids=[t[0].__name__ for t in TAMPERINGS]
)
def test_every_tampering_by_a_database_owner_is_detected_and_named(
    checkpointed_at_seven, tamper, kind, first_affected
):
    with triggers_dropped(), triggers_dropped(CHECKPOINTS, at_least=2):
        tamper()
    result = verify_chain()
    assert (result.kind, result.broken_sequence) == (kind, first_affected), str(result)
    assert str(result).startswith(f"audit chain broken at sequence {first_affected}: {kind}: ")


def test_the_triggers_are_back_after_the_intruder_leaves(checkpointed_at_seven):
    with triggers_dropped(), triggers_dropped(CHECKPOINTS, at_least=2):
        modify()
    with pytest.raises(IntegrityError, match="audit events are append-only"), transaction.atomic():
        AuditEvent.objects.filter(sequence=4).delete()
    with pytest.raises(IntegrityError, match="checkpoints are append-only"), transaction.atomic():
        AuditCheckpoint.objects.all().delete()


def test_checkpoints_are_append_only_in_the_database(checkpointed_at_seven):
    with pytest.raises(IntegrityError, match="checkpoints are append-only"), transaction.atomic():
        AuditCheckpoint.objects.update(sequence=6)
    with pytest.raises(IntegrityError, match="checkpoints are append-only"), transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {CHECKPOINTS}")  # noqa: S608
    assert AuditCheckpoint.objects.get().sequence == 7


def test_a_rehashed_event_made_with_the_chain_key_is_still_found_by_the_next_link(ten_events):
    # Only someone holding the key file could do this; the next event still gives it away.
    with triggers_dropped():
        rewrite(event(6), event(5).hash, object_id="99")
    result = verify_chain()
    assert (result.kind, result.broken_sequence) == (Break.INSERTED, 6)


def test_an_emptied_log_is_found(ten_events):
    make_checkpoint()
    with triggers_dropped():
        AuditEvent.objects.all().delete()
    result = verify_chain()
    assert (result.kind, result.broken_sequence) == (Break.TRUNCATED_INSIDE, 1)
    assert "the log ends at sequence 0" in result.problem


def test_a_head_file_that_was_altered_is_refused(checkpointed_at_seven, settings):
    path = settings.AUDIT_HEAD_FILE
    path.write_text(path.read_text().replace('"sequence": 7', '"sequence": 6'))
    result = verify_chain()
    assert (result.kind, result.broken_sequence) == (Break.ALTERED_CHECKPOINT, 6)
    assert "has an invalid signature" in result.problem


def test_a_checkpoint_signed_by_another_key_is_refused(ten_events, settings, tmp_path):
    make_checkpoint()
    # Another key in the node's place: its checkpoints, old and new, prove nothing.
    settings.NODE_KEY_FILE = tmp_path / "other" / "node_ed25519.pem"
    node_signing_key()
    result = verify_chain()
    assert (result.kind, result.broken_sequence) == (Break.ALTERED_CHECKPOINT, 10)
    assert result.problem == "its checkpoint was not signed by this node's key"
    with pytest.raises(AuditChainBroken, match="not signed by this node's key"):
        make_checkpoint()


def test_no_checkpoint_is_signed_on_top_of_a_broken_chain(ten_events):
    make_checkpoint()
    record("trm.case.viewed", object_id="11")
    with triggers_dropped(), connection.cursor() as cursor:
        cursor.execute(f"UPDATE {TABLE} SET reason = 'x' WHERE sequence = 11")  # noqa: S608
    with pytest.raises(AuditChainBroken, match="sequence 11: changed event"):
        make_checkpoint()
    assert AuditCheckpoint.objects.count() == 1


def test_no_checkpoint_is_signed_on_a_log_cut_after_the_last_one(checkpointed_at_seven):
    with triggers_dropped():
        truncate_after()
    with pytest.raises(AuditChainBroken, match="truncated after the checkpointed range"):
        make_checkpoint()


def test_a_checkpoint_is_made_only_when_there_are_new_events(ten_events, settings):
    assert make_checkpoint().sequence == 10
    assert make_checkpoint() is None
    record("trm.case.viewed")
    assert make_checkpoint().sequence == 11
    assert '"sequence": 11' in settings.AUDIT_HEAD_FILE.read_text()
    assert str(verify_chain()) == (
        "audit chain verified: 11 events, 2 checkpoints; no checkpoint covers the newest 0 "
        "events yet"
    )


def test_verification_with_a_missing_key_file_names_the_file(ten_events, settings, tmp_path):
    make_checkpoint()
    settings.NODE_KEY_FILE = tmp_path / "nowhere" / "node.pem"
    with pytest.raises(NodeKeyError, match=f"the node key file {tmp_path}/nowhere/node.pem does"):
        verify_chain()
    assert not settings.NODE_KEY_FILE.exists(), "verification must never generate a key"
