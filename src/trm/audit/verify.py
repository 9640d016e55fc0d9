"""Checking the audit chain, and signing checkpoints of it with the node key.

The hash chain finds an event changed in place; a signed checkpoint also finds a tail that was
rewritten with fresh hashes or cut off, which the chain alone cannot.
"""

from collections import defaultdict
from dataclasses import dataclass

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from trm.crypto.node_key import node_public_key_hex, node_signing_key, public_key_hex

from .models import (
    GENESIS_HASH,
    HASHED_FIELDS,
    AuditCheckpoint,
    AuditEvent,
    checkpoint_message,
    event_hash,
)

BATCH_SIZE = 2000


@dataclass(frozen=True)
class VerificationResult:
    """What a walk of the chain found: counts, and the first broken sequence with the reason."""

    events: int
    checkpoints: int
    broken_sequence: int | None = None
    problem: str = ""

    @property
    def ok(self) -> bool:
        return self.broken_sequence is None

    def __str__(self) -> str:
        if self.ok:
            return f"audit chain verified: {self.events} events, {self.checkpoints} checkpoints"
        return f"audit chain broken at sequence {self.broken_sequence}: {self.problem}"


class AuditChainBroken(Exception):
    """The chain does not verify, so nothing may be signed on top of it."""

    def __init__(self, result: VerificationResult):
        super().__init__(str(result))
        self.result = result


def _signed_checkpoints() -> tuple[dict[int, set[str]], list[tuple[int, str]], int]:
    """Checkpoints by sequence, the ones whose signature fails, and how many there are."""
    rows = list(
        AuditCheckpoint.objects.order_by("sequence").values_list(
            "sequence", "hash", "signature", "public_key"
        )
    )
    by_sequence: dict[int, set[str]] = defaultdict(set)
    refused: list[tuple[int, str]] = []
    if not rows:
        return by_sequence, refused, 0
    # Read only, never generated: a missing key must be reported, not replaced.
    node_key = node_public_key_hex()
    public_key = Ed25519PublicKey.from_public_bytes(bytes.fromhex(node_key))
    for sequence, hash_, signature, signer in rows:
        if signer != node_key:
            refused.append((sequence, "its checkpoint was not signed by this node's key"))
            continue
        try:
            public_key.verify(bytes.fromhex(signature), checkpoint_message(sequence, hash_))
        except (InvalidSignature, ValueError):
            refused.append((sequence, "its checkpoint has an invalid signature"))
            continue
        by_sequence[sequence].add(hash_)
    return by_sequence, refused, len(rows)


def _walk(
    checkpoints: dict[int, set[str]],
    *,
    start: int = 1,
    previous: str | None = GENESIS_HASH,
    batch_size: int = BATCH_SIZE,
) -> tuple[int, int | None, str]:
    """Walk the events from sequence `start`; return the last sequence and the first break.

    `previous` None trusts the first event's link; its hash is still recomputed and checked.
    """
    rows = (
        AuditEvent.objects.filter(sequence__gte=start)
        .order_by("sequence")
        .values_list(*HASHED_FIELDS, "previous_hash", "hash")
        .iterator(chunk_size=batch_size)
    )
    expected = start
    vouched = max((s for s in checkpoints if s < start), default=0)
    width = len(HASHED_FIELDS)
    for row in rows:
        fields = dict(zip(HASHED_FIELDS, row[:width], strict=True))
        previous_hash, stored_hash = row[width], row[width + 1]
        sequence = fields["sequence"]
        if sequence != expected:
            return expected - 1, expected, f"sequence {expected} is missing"
        if previous is not None and previous_hash != previous:
            return sequence - 1, sequence, "previous hash does not link"
        if event_hash(previous_hash, fields) != stored_hash:
            return sequence - 1, sequence, "hash does not match"
        signed = checkpoints.get(sequence, set())
        if signed and signed != {stored_hash}:
            since = f" (after sequence {vouched}, which a checkpoint vouches for)"
            return (
                sequence - 1,
                sequence,
                "the event does not have the hash its signed checkpoint records: the log was "
                f"rewritten at or before this sequence{since if vouched else ''}",
            )
        if signed:
            vouched = sequence
        previous = stored_hash
        expected += 1
    last = expected - 1
    beyond = max((s for s in checkpoints if s > last), default=None)
    if beyond is not None:
        return (
            last,
            last + 1,
            f"the log ends at sequence {last} but a signed checkpoint vouches for sequence "
            f"{beyond}: the log was truncated",
        )
    return last, None, ""


def verify_chain(*, batch_size: int = BATCH_SIZE) -> VerificationResult:
    """Recompute every hash and link in sequence order and check every checkpoint against them.

    Memory stays flat: events are read in batches. Raises NodeKeyError if checkpoints exist and
    the node key cannot be read.
    """
    # Checkpoints first: events only grow, so none read now can point beyond the events read next.
    checkpoints, refused, count = _signed_checkpoints()
    if refused:
        sequence, problem = refused[0]
        return VerificationResult(0, count, sequence, problem)
    last, broken, problem = _walk(checkpoints, batch_size=batch_size)
    return VerificationResult(last, count, broken, problem)


def make_checkpoint(*, batch_size: int = BATCH_SIZE) -> AuditCheckpoint | None:
    """Sign the sequence and hash of the latest event, after checking the events since the last
    good checkpoint; None when there is nothing new to sign. Raises AuditChainBroken."""
    checkpoints, refused, count = _signed_checkpoints()
    if refused:
        sequence, problem = refused[0]
        raise AuditChainBroken(VerificationResult(0, count, sequence, problem))
    # Start at the newest good checkpoint's own event, so a change to it or a cut is found too.
    after = max(checkpoints, default=0)
    last, broken, problem = _walk(
        checkpoints,
        start=max(after, 1),
        previous=None if after else GENESIS_HASH,
        batch_size=batch_size,
    )
    if broken is not None:
        raise AuditChainBroken(VerificationResult(last, count, broken, problem))
    if last == after:
        return None
    key = node_signing_key()
    hash_ = AuditEvent.objects.values_list("hash", flat=True).get(sequence=last)
    return AuditCheckpoint.objects.create(
        sequence=last,
        hash=hash_,
        signature=key.sign(checkpoint_message(last, hash_)).hex(),
        public_key=public_key_hex(key),
    )
