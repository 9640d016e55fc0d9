"""Receipts: a node's signed word that it stored an envelope, naming the envelope's hash and the
node's own audit chain's latest signed head, so that each node witnesses the other's log."""

import json
from collections.abc import Sequence

from joserfc import jws
from joserfc.errors import JoseError
from joserfc.jwk import OKPKey

from trm.audit.models import AuditCheckpoint

from .envelope import SIGNING, canonical

RECEIPT_TYPE = "trm-receipt+jws"


def audit_head() -> dict | None:
    """The newest signed checkpoint of this node's audit chain, as a peer keeps it."""
    checkpoint = AuditCheckpoint.objects.order_by("-sequence").first()
    if checkpoint is None:
        return None
    return {
        "sequence": checkpoint.sequence,
        "hash": checkpoint.hash,
        "signature": checkpoint.signature,
    }


def sign_receipt(
    *,
    key: OKPKey,
    node: str,
    envelope_hash: str,
    message_id: str,
    received_at,
    outcome: str,
    refusal: str = "",
    waiting_for: int | None = None,
    problem: str = "",
    settled=(),
) -> str:
    document = {
        "node": node,
        "envelope": envelope_hash,
        "message": message_id,
        "received": received_at.isoformat(),
        "outcome": outcome,
        "refusal": refusal,
        "audit_head": audit_head(),
    }
    if waiting_for is not None:
        # Not applied yet: the sequence of the message its conversation waits for, which the
        # sender sends again if it has it (this node may have lost it, restored from a backup).
        document["waiting_for"] = waiting_for
    if problem:
        document["problem"] = problem[:500]  # where and how its content is refused, no value
    if settled:
        # The held messages it was the gap before, applied (or refused) after it: their own
        # receipts said `held`, and the sender learns here what became of them.
        document["settled"] = [
            {"message": message, "outcome": outcome, "refusal": refusal}
            for message, outcome, refusal in settled
        ]
    return jws.serialize_compact(
        {"alg": SIGNING, "kid": key.thumbprint(), "typ": RECEIPT_TYPE},
        canonical(document),
        key,
        algorithms=[SIGNING],
    )


def read_receipt(compact: str, *, key: OKPKey | Sequence[OKPKey], envelope_hash: str) -> dict:
    """The receipt's content if `key` (or one of the peer's keys, during the overlap of its
    rotation) signed it for this envelope; ValueError otherwise (the message then stays
    undelivered)."""
    keys = [key] if isinstance(key, OKPKey) else list(key)
    try:
        kid = jws.extract_compact(compact.encode()).headers().get("kid")
        key = next((k for k in keys if k.thumbprint() == kid), keys[0])
        verified = jws.deserialize_compact(compact, key, algorithms=[SIGNING])
        document = json.loads(verified.payload)
    except (JoseError, ValueError) as problem:
        raise ValueError(f"not a receipt signed by the peer ({problem})") from None
    if document.get("envelope") != envelope_hash:
        raise ValueError("the receipt names another envelope")
    return document
