"""Receipts: a node's signed word that it stored an envelope, naming the envelope's hash and the
node's own audit chain's latest signed head, so that each node witnesses the other's log."""

import json

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
    return jws.serialize_compact(
        {"alg": SIGNING, "kid": key.thumbprint(), "typ": RECEIPT_TYPE},
        canonical(document),
        key,
        algorithms=[SIGNING],
    )


def read_receipt(compact: str, *, key: OKPKey, envelope_hash: str) -> dict:
    """The receipt's content if `key` signed it for this envelope; ValueError otherwise (the
    message then stays undelivered)."""
    try:
        verified = jws.deserialize_compact(compact, key, algorithms=[SIGNING])
        document = json.loads(verified.payload)
    except (JoseError, ValueError) as problem:
        raise ValueError(f"not a receipt signed by the peer ({problem})") from None
    if document.get("envelope") != envelope_hash:
        raise ValueError("the receipt names another envelope")
    return document
