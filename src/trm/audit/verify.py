"""Checking the audit chain, and signing checkpoints of it with the node key.

What vouches for the chain, from the inside out: each event's HMAC (keyed with the chain key,
which is not in the database) finds an event changed, forged or rehashed; the head row, sealed
with the same key, finds a tail cut off after the newest checkpoint; signed checkpoints (node
key) and their copy in a file outside the database (`AUDIT_HEAD_FILE`) find a tail cut off or a
checkpoint table emptied by someone who owns the database.
"""

import json
import os
import secrets
from collections import defaultdict
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from django.conf import settings
from django.db import transaction

from trm.crypto.keyring import chain_key
from trm.crypto.node_key import node_public_key_hex, node_signing_key, public_key_hex

from .models import (
    GENESIS_HASH,
    HASHED_FIELDS,
    AuditCheckpoint,
    AuditEvent,
    AuditHead,
    checkpoint_message,
    event_hash,
    head_seal,
)

BATCH_SIZE = 2000


class Break(StrEnum):
    """The kinds of break `trm audit verify` names."""

    CHANGED = "changed event"
    MISSING = "missing event"
    INSERTED = "inserted or rehashed event"
    REORDERED = "reordered events"
    TRUNCATED_INSIDE = "truncated inside the checkpointed range"
    TRUNCATED_AFTER = "truncated after the checkpointed range"
    FORGED = "forged event"
    REWRITTEN_TAIL = "rewritten tail"
    ALTERED_CHECKPOINT = "altered checkpoint"
    CHECKPOINTS_DELETED = "checkpoints deleted"


@dataclass(frozen=True)
class VerificationResult:
    """What a walk of the chain found: counts, and the first event affected by a break, with
    the break's kind and what was seen; `uncovered` newest events no checkpoint vouches for."""

    events: int
    checkpoints: int
    broken_sequence: int | None = None
    kind: Break | None = None
    problem: str = ""
    uncovered: int = 0
    notes: tuple[str, ...] = field(default=())

    @property
    def ok(self) -> bool:
        return self.broken_sequence is None

    def __str__(self) -> str:
        if not self.ok:
            where = f"audit chain broken at sequence {self.broken_sequence}"
            return f"{where}: {self.kind}: {self.problem}"
        text = f"audit chain verified: {self.events} events, {self.checkpoints} checkpoints"
        if self.events:
            text += f"; no checkpoint covers the newest {self.uncovered} events yet"
        return "\n".join([text, *self.notes])


class AuditChainBroken(Exception):
    """The chain does not verify, so nothing may be signed on top of it."""

    def __init__(self, result: VerificationResult):
        super().__init__(str(result))
        self.result = result


@dataclass(frozen=True)
class _Broken:
    sequence: int
    kind: Break
    problem: str


# The head outside the database --------------------------------------------------------------


def write_head_file(checkpoint: AuditCheckpoint) -> None:
    """Copy a signed checkpoint to AUDIT_HEAD_FILE, atomically (temporary file, then rename),
    unless the file already holds a newer one."""
    path = Path(settings.AUDIT_HEAD_FILE)
    current = _read_head_file(path)
    if isinstance(current, dict) and _int(current.get("sequence")) > checkpoint.sequence:
        return
    content = json.dumps(
        {
            "sequence": checkpoint.sequence,
            "hash": checkpoint.hash,
            "signature": checkpoint.signature,
            "public_key": checkpoint.public_key,
        },
        indent=2,
    )
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{secrets.token_hex(4)}")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as out:
        out.write(content + "\n")
        out.flush()
        os.fsync(out.fileno())
    os.replace(temporary, path)


def _int(value) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) else -1


def _read_head_file(path: Path) -> dict | str | None:
    """The file's content; None when there is no file; a sentence when it cannot be read."""
    try:
        return json.loads(path.read_text())
    except FileNotFoundError:
        return None
    except (OSError, ValueError) as problem:
        return f"the head file {path} cannot be read ({problem.__class__.__name__})"


def _head_from_file(
    content: dict | str | None, node_key: str | None
) -> tuple[tuple[int, str] | None, _Broken | None]:
    """The (sequence, hash) the head file's content vouches for, or the break it shows."""
    path = Path(settings.AUDIT_HEAD_FILE)
    if content is None:
        return None, None
    if isinstance(content, str):
        return None, _Broken(0, Break.ALTERED_CHECKPOINT, content)
    sequence, hash_ = _int(content.get("sequence")), content.get("hash")
    where = max(sequence, 0)
    if not isinstance(hash_, str) or sequence < 1:
        return None, _Broken(where, Break.ALTERED_CHECKPOINT, f"the head file {path} is malformed")
    if node_key is None:
        node_key = node_public_key_hex()
    if content.get("public_key") != node_key:
        return None, _Broken(
            where,
            Break.ALTERED_CHECKPOINT,
            f"the head file {path} was not signed by this node's key",
        )
    try:
        Ed25519PublicKey.from_public_bytes(bytes.fromhex(node_key)).verify(
            bytes.fromhex(str(content.get("signature"))), checkpoint_message(sequence, hash_)
        )
    except (InvalidSignature, ValueError):
        return None, _Broken(
            where, Break.ALTERED_CHECKPOINT, f"the head file {path} has an invalid signature"
        )
    return (sequence, hash_), None


# Checkpoints and the head row ---------------------------------------------------------------


def _signed_checkpoints() -> tuple[dict[int, set[str]], _Broken | None, int, str | None]:
    """Checkpoints by sequence, the first whose signature fails, how many there are, and the
    node's public key if it was needed."""
    rows = list(
        AuditCheckpoint.objects.order_by("sequence").values_list(
            "sequence", "hash", "signature", "public_key"
        )
    )
    by_sequence: dict[int, set[str]] = defaultdict(set)
    if not rows:
        return by_sequence, None, 0, None
    # Read only, never generated: a missing key must be reported, not replaced.
    node_key = node_public_key_hex()
    public_key = Ed25519PublicKey.from_public_bytes(bytes.fromhex(node_key))
    for sequence, hash_, signature, signer in rows:
        if signer != node_key:
            problem = "its checkpoint was not signed by this node's key"
            return (
                by_sequence,
                _Broken(sequence, Break.ALTERED_CHECKPOINT, problem),
                len(rows),
                None,
            )
        try:
            public_key.verify(bytes.fromhex(signature), checkpoint_message(sequence, hash_))
        except (InvalidSignature, ValueError):
            problem = "its checkpoint has an invalid signature"
            return (
                by_sequence,
                _Broken(sequence, Break.ALTERED_CHECKPOINT, problem),
                len(rows),
                None,
            )
        by_sequence[sequence].add(hash_)
    return by_sequence, None, len(rows), node_key


@dataclass(frozen=True)
class _Head:
    sequence: int
    hash: str
    sealed: bool


def _head_row(key: bytes) -> _Head | None:
    row = AuditHead.objects.values_list("sequence", "hash", "seal").first()
    if row is None:
        return None
    sequence, hash_, seal = row
    return _Head(sequence, hash_, seal == head_seal(sequence, hash_, key=key))


# The walk -----------------------------------------------------------------------------------


def _rows(start: int, batch_size: int):
    return (
        AuditEvent.objects.filter(sequence__gte=start)
        .order_by("sequence")
        .values_list(*HASHED_FIELDS, "previous_hash", "hash")
        .iterator(chunk_size=batch_size)
    )


def _split(row) -> tuple[dict, str, str]:
    width = len(HASHED_FIELDS)
    return dict(zip(HASHED_FIELDS, row[:width], strict=True)), row[width], row[width + 1]


def _walk(
    key: bytes,
    vouched: dict[int, set[str]],
    head: _Head | None,
    *,
    start: int = 1,
    previous: str | None = GENESIS_HASH,
    batch_size: int = BATCH_SIZE,
) -> tuple[int, _Broken | None]:
    """Walk the events from sequence `start`; return the last sequence and the first break.

    `previous` None trusts the first event's link; its hash is still recomputed and checked.
    """
    expected = start
    for row in _rows(start, batch_size):
        fields, previous_hash, stored_hash = _split(row)
        sequence = fields["sequence"]
        if sequence != expected:
            return expected - 1, _Broken(
                expected, Break.MISSING, f"sequence {expected} is missing from the log"
            )
        if previous is not None and previous_hash != previous:
            own_hash_holds = event_hash(previous_hash, fields, key=key) == stored_hash
            return sequence - 1, _broken_link(sequence, previous_hash, own_hash_holds)
        if event_hash(previous_hash, fields, key=key) != stored_hash:
            return sequence - 1, _unkeyed(key, sequence, stored_hash, vouched, head, batch_size)
        signed = vouched.get(sequence, set())
        if signed and signed != {stored_hash}:
            return sequence - 1, _Broken(
                sequence,
                Break.INSERTED,
                "the event does not have the hash its signed checkpoint records: the log was "
                "rewritten at or before this sequence",
            )
        previous = stored_hash
        expected += 1
    return expected - 1, None


def _broken_link(sequence: int, previous_hash: str, own_hash_holds: bool) -> _Broken:
    """Name what an event that does not link to the one before it shows."""
    elsewhere = (
        AuditEvent.objects.filter(hash=previous_hash).values_list("sequence", flat=True).first()
    )
    if elsewhere is not None and elsewhere > sequence - 1:
        return _Broken(
            sequence,
            Break.REORDERED,
            f"the event links to the event now at sequence {elsewhere}: events were reordered",
        )
    if elsewhere is not None:
        return _Broken(
            elsewhere + 1,
            Break.INSERTED,
            f"the event at sequence {sequence} links to sequence {elsewhere}: an event was "
            "inserted before it",
        )
    if own_hash_holds:
        # The event is as it was written: what it linked to was replaced, by someone who had
        # the chain key (a sound event cannot link to a hash that never was).
        return _Broken(
            sequence - 1,
            Break.INSERTED,
            f"the event at sequence {sequence} links to a hash no event in the log has: the "
            "event before it was replaced",
        )
    return _Broken(
        sequence,
        Break.MISSING,
        "the event links to an event that is no longer in the log: an event was removed "
        "and the ones after it renumbered",
    )


def _unkeyed(
    key: bytes,
    sequence: int,
    stored_hash: str,
    vouched: dict[int, set[str]],
    head: _Head | None,
    batch_size: int,
) -> _Broken:
    """Name what an event whose hash was not made with the chain key over its content shows."""
    if stored_hash in vouched.get(sequence, set()) or (
        head is not None and head.sealed and (head.sequence, head.hash) == (sequence, stored_hash)
    ):
        return _Broken(sequence, Break.CHANGED, "the event's content no longer matches its hash")
    # How far the events without a keyed hash run, and whether the next good one vouches for it.
    run, last, previous = 1, sequence, stored_hash
    reaches_the_end = True
    for row in _rows(sequence + 1, batch_size):
        fields, previous_hash, hash_ = _split(row)
        good = event_hash(previous_hash, fields, key=key) == hash_
        if good and previous_hash == previous and run == 1:
            return _Broken(
                sequence, Break.CHANGED, "the event's content no longer matches its hash"
            )
        if good or previous_hash != previous or fields["sequence"] != last + 1:
            reaches_the_end = False
            break
        run, last, previous = run + 1, fields["sequence"], hash_
    checkpointed = max(vouched, default=0)
    if not reaches_the_end or sequence <= checkpointed:
        return _Broken(
            sequence,
            Break.INSERTED,
            f"{run} events from this sequence have hashes not made with the chain key",
        )
    appended = (head is not None and head.sealed and sequence > head.sequence) or run == 1
    if appended:
        return _Broken(
            sequence,
            Break.FORGED,
            f"{run} events at the end of the log have hashes not made with the chain key",
        )
    if sequence == 1:
        return _Broken(
            sequence,
            Break.REWRITTEN_TAIL,
            "no event's hash was made with this chain key: the key file is not the one the "
            "chain was written with (or the chain predates keyed hashes), or the whole log was "
            "rewritten",
        )
    return _Broken(
        sequence,
        Break.REWRITTEN_TAIL,
        f"the last {run} events were rewritten with hashes not made with the chain key",
    )


# Verification and signing -------------------------------------------------------------------


def _check(*, partial: bool, batch_size: int) -> VerificationResult:
    # The head file first (it is written after its checkpoint commits), then the checkpoints,
    # the head row and the events: each only grows, so nothing read earlier can point beyond
    # what is read after it.
    key = chain_key()
    head_file = _read_head_file(Path(settings.AUDIT_HEAD_FILE))
    checkpoints, refused, count, node_key = _signed_checkpoints()
    if refused:
        return VerificationResult(0, count, refused.sequence, refused.kind, refused.problem)
    from_file, file_broken = _head_from_file(head_file, node_key)
    if file_broken:
        return VerificationResult(
            0, count, file_broken.sequence, file_broken.kind, file_broken.problem
        )
    in_table = max(checkpoints, default=0)
    deleted = from_file is not None and from_file[0] > in_table
    vouched = {sequence: set(hashes) for sequence, hashes in checkpoints.items()}
    if from_file is not None:
        vouched.setdefault(from_file[0], set()).add(from_file[1])
    head = _head_row(key)
    # A partial walk (before signing) starts at the newest good checkpoint's own event, so a
    # change to it or a cut is found too.
    after = in_table if partial and not deleted else 0
    last, broken = _walk(
        key,
        vouched,
        head,
        start=max(after, 1),
        previous=None if after else GENESIS_HASH,
        batch_size=batch_size,
    )
    if deleted:
        first = broken.sequence if broken else (last + 1 if last < from_file[0] else in_table + 1)
        return VerificationResult(
            last,
            count,
            first,
            Break.CHECKPOINTS_DELETED,
            f"the head file vouches for sequence {from_file[0]}, but the newest checkpoint in "
            f"the database is at sequence {in_table}",
        )
    if broken:
        return VerificationResult(last, count, broken.sequence, broken.kind, broken.problem)
    beyond = max(vouched, default=0)
    if beyond > last:
        return VerificationResult(
            last,
            count,
            last + 1,
            Break.TRUNCATED_INSIDE,
            f"the log ends at sequence {last} but a signed checkpoint vouches for sequence "
            f"{beyond}",
        )
    tail = _tail_problem(head, last)
    if tail:
        return VerificationResult(last, count, last + 1, Break.TRUNCATED_AFTER, tail)
    notes = ()
    if count and from_file is None:
        notes = (
            f"note: there is no head file {settings.AUDIT_HEAD_FILE}; it is written with the "
            "next checkpoint",
        )
    return VerificationResult(last, count, uncovered=last - min(beyond, last), notes=notes)


def _tail_problem(head: _Head | None, last: int) -> str:
    """What the head row says about the end of the log, if it disagrees with it."""
    if head is None:
        return "the chain's head row is missing" if last else ""
    if not head.sealed:
        return (
            f"the chain's head row (sequence {head.sequence}) does not carry the chain key's "
            "seal: it was moved by someone without the key"
        )
    if head.sequence > last:
        return (
            f"the log ends at sequence {last} but the chain's head is at sequence {head.sequence}"
        )
    return ""


def verify_chain(*, batch_size: int = BATCH_SIZE) -> VerificationResult:
    """Recompute every hash and link in sequence order and check them against the head row, the
    checkpoints and the head file. Memory stays flat: events are read in batches. Raises
    NodeKeyError if checkpoints exist and the node key cannot be read."""
    return _check(partial=False, batch_size=batch_size)


def make_checkpoint(*, batch_size: int = BATCH_SIZE) -> AuditCheckpoint | None:
    """Sign the sequence and hash of the latest event, after checking the events since the last
    good checkpoint, and copy it to the head file; None when there is nothing new to sign.
    Raises AuditChainBroken. Called outside a transaction (the file follows the commit)."""
    result = _check(partial=True, batch_size=batch_size)
    if not result.ok:
        raise AuditChainBroken(result)
    newest = AuditCheckpoint.objects.order_by("-sequence").first()
    last = result.events
    if last == 0 or (newest is not None and newest.sequence >= last):
        return None
    key = node_signing_key()
    hash_ = AuditEvent.objects.values_list("hash", flat=True).get(sequence=last)
    with transaction.atomic():
        checkpoint = AuditCheckpoint.objects.create(
            sequence=last,
            hash=hash_,
            signature=key.sign(checkpoint_message(last, hash_)).hex(),
            public_key=public_key_hex(key),
        )
    write_head_file(checkpoint)
    return checkpoint
