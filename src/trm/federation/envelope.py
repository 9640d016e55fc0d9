"""Envelopes between nodes: a message as canonical JSON, signed by the sending node (JWS with
Ed25519) and then encrypted to the receiving node (JWE, ECDH-ES+A256KW with A256GCM).

Everything a receiver needs to decide whether to apply a message is inside the signature:
who sent it and to whom (node and organisation), the conversation, its place in it (sequence
and the previous message's hash), the state the sender expects the conversation to be in, when
it was made and until when it holds, its schema, the consent it relies on, and its payload.
Encryption names the recipient's key; the signature names the sender's, and only a key pinned
with `trm peer add` is believed. `open_envelope` refuses anything else with a code a peer's
operator can act on; `check_times` refuses what is stale, early or expired, and replays within
the clock window are the inbox's to refuse, by message id.

The signing algorithm is named "Ed25519" (RFC 9864's fully specified name for RFC 8037's
"EdDSA", which joserfc no longer recommends). Compression is refused before decryption:
joserfc would inflate a "zip" payload, and a small envelope could then fill the memory.
"""

import base64
import datetime
import hashlib
import json
import re
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _
from joserfc import jwe, jws
from joserfc.errors import JoseError
from joserfc.jwe import JWERegistry
from joserfc.jwk import OKPKey
from joserfc.jws import JWSRegistry

SIGNING = "Ed25519"
KEY_WRAPPING = "ECDH-ES+A256KW"
CONTENT_ENCRYPTION = "A256GCM"
SCHEMA_VERSION = 1
# An envelope carries one message; documents travel as parts of their own, referenced by hash.
MAX_ENVELOPE_BYTES = 10 * 1024 * 1024


def _registries() -> tuple[JWERegistry, JWSRegistry]:
    """joserfc's algorithms for envelopes, with its size limits raised to the envelope's own:
    by default it refuses a ciphertext over 64 KiB and a signed content over 125 KB, so a
    package with a few records would be "undecryptable" on its recipient node."""
    encryption = JWERegistry(algorithms=[KEY_WRAPPING, CONTENT_ENCRYPTION])
    encryption.max_ciphertext_length = MAX_ENVELOPE_BYTES
    signature = JWSRegistry(algorithms=[SIGNING])
    signature.max_payload_length = MAX_ENVELOPE_BYTES
    return encryption, signature


ENCRYPTION, SIGNATURE = _registries()

TYPES = (
    "offer",
    "accept",
    "decline",
    "ask",
    "answer",
    "package",
    "update",
    "invalidate",
    "withdraw",
    "departure",
    "reception",
    "monitoring_summary",
    "closure",
    "consent_withdrawn",
    "erased",
    "document",
    "read",
    "receipt",
)

REFUSALS = {
    "too_large": _("The envelope is larger than 10 MiB."),
    "malformed": _("The envelope is not a JWE in compact form holding a signed message."),
    "compressed": _("Compressed envelopes are refused."),
    "wrong_algorithm": _("The envelope uses an algorithm this node does not accept."),
    "not_for_this_node": _("The envelope is addressed to another node."),
    "undecryptable": _("The envelope cannot be decrypted: it was altered or is for another key."),
    "unknown_sender": _("The message is signed by a key that is not pinned on this node."),
    "bad_signature": _("The message's signature does not verify."),
    "sender_mismatch": _("The message names a sender other than the node whose key signed it."),
    "unknown_type": _("The message's type is not one this node knows."),
    "stale": _("The message was made too long ago, or on a clock far behind this node's."),
    "from_the_future": _("The message's time is ahead of this node's clock."),
    "expired": _("The message has expired."),
    "reused_id": _("Another envelope with this message's id was received already."),
    "schema_violation": _("The message's payload does not conform to the schema of its type."),
    "not_a_message": _("A receipt answers a delivery; it is not delivered to an inbox."),
}


class EnvelopeRefused(Exception):
    """An envelope that is not applied; `code` is one of REFUSALS, `detail` says more.
    `claimed_sender` is the node an `unknown_sender` envelope names, unverified: the inbox
    looks there for a key rotation it has not heard of."""

    def __init__(self, code: str, detail: str = "", *, claimed_sender: str = ""):
        self.code, self.detail, self.claimed_sender = code, detail, claimed_sender
        super().__init__(f"{code}: {detail}" if detail else code)

    @property
    def reason(self) -> str:
        return str(REFUSALS[self.code])


@dataclass(frozen=True)
class Party:
    node: str
    organisation: str


@dataclass(frozen=True)
class Message:
    type: str
    sender: Party
    recipient: Party
    conversation: str
    sequence: int
    previous: str  # the hash of the previous message in the conversation, "" for the first
    expects: str  # the state the sender takes the conversation to be in
    payload: dict
    consent: str = ""  # the consent record the message relies on, if it carries personal data
    id: str = ""
    created: str = ""
    expires: str = ""
    schema: int = SCHEMA_VERSION

    def as_json(self) -> dict:
        return {
            "id": self.id,
            "type": self.type,
            "sender": {"node": self.sender.node, "organisation": self.sender.organisation},
            "recipient": {
                "node": self.recipient.node,
                "organisation": self.recipient.organisation,
            },
            "conversation": self.conversation,
            "sequence": self.sequence,
            "previous": self.previous,
            "expects": self.expects,
            "created": self.created,
            "expires": self.expires,
            "schema": self.schema,
            "consent": self.consent,
            "payload": self.payload,
        }


def canonical(document: dict) -> bytes:
    """JSON that reads the same wherever it is made: sorted keys, no spaces, UTF-8."""
    return json.dumps(
        document, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    ).encode()


def message_hash(message: Message) -> str:
    """What the next message of the conversation names as `previous`."""
    return hashlib.sha256(canonical(message.as_json())).hexdigest()


def _instant(moment: datetime.datetime) -> str:
    return moment.astimezone(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def stamped(message: Message, *, now: datetime.datetime, lifetime: datetime.timedelta) -> Message:
    """The message with its id and times, as it is sealed."""
    return Message(
        **{
            **message.__dict__,
            "id": message.id or str(uuid.uuid4()),
            "created": _instant(now),
            "expires": _instant(now + lifetime),
        }
    )


def seal(message: Message, *, signing_key: OKPKey, recipient_key: OKPKey) -> str:
    """Sign `message` (stamped) with this node's key and encrypt it to the recipient's."""
    signed = jws.serialize_compact(
        {"alg": SIGNING, "kid": signing_key.thumbprint(), "typ": "trm-message+jws"},
        canonical(message.as_json()),
        signing_key,
        algorithms=[SIGNING],
    )
    return jwe.encrypt_compact(
        {
            "alg": KEY_WRAPPING,
            "enc": CONTENT_ENCRYPTION,
            "kid": recipient_key.thumbprint(),
            "cty": "JWS",
        },
        signed.encode(),
        recipient_key,
        algorithms=[KEY_WRAPPING, CONTENT_ENCRYPTION],
    )


def envelope_hash(envelope: str | bytes) -> str:
    """The envelope's name in receipts and in both nodes' audit trails."""
    data = envelope.encode() if isinstance(envelope, str) else envelope
    return hashlib.sha256(data).hexdigest()


@dataclass(frozen=True)
class Opened:
    message: Message
    sender_node: str  # the node whose pinned key signed it
    hash: str


def _protected_header(compact: bytes) -> dict:
    try:
        header = compact.split(b".", 1)[0]
        padded = header + b"=" * (-len(header) % 4)
        found = json.loads(base64.urlsafe_b64decode(padded))
    except (ValueError, IndexError):
        raise EnvelopeRefused("malformed", "its protected header is not JSON") from None
    if not isinstance(found, dict):
        raise EnvelopeRefused("malformed", "its protected header is not an object")
    return found


def open_envelope(
    envelope: str | bytes,
    *,
    node: str,
    encryption_key: OKPKey | Sequence[OKPKey],
    pinned: Callable[[str], tuple[str, OKPKey] | None],
    any_type: bool = False,
) -> Opened:
    """Decrypt and verify an envelope addressed to `node` with its encryption key (or one of
    its keys: the one before a rotation, during the overlap); `pinned(kid)` gives the peer
    node and key a signing key's thumbprint belongs to. Raises EnvelopeRefused, changing
    nothing. Its times are `check_times`'s to judge. `any_type`: a message of a type not known
    here opens too (the inbox refuses its content, in its place in its conversation)."""
    data = envelope.encode() if isinstance(envelope, str) else envelope
    if len(data) > MAX_ENVELOPE_BYTES:
        raise EnvelopeRefused("too_large")
    if data.count(b".") != 4:
        raise EnvelopeRefused("malformed", "a compact JWE has five parts")
    outer = _protected_header(data)
    if "zip" in outer:
        raise EnvelopeRefused("compressed")
    if outer.get("alg") != KEY_WRAPPING or outer.get("enc") != CONTENT_ENCRYPTION:
        raise EnvelopeRefused("wrong_algorithm", f"{outer.get('alg')}/{outer.get('enc')}")
    keys = [encryption_key] if isinstance(encryption_key, OKPKey) else list(encryption_key)
    encryption_key = next((k for k in keys if k.thumbprint() == outer.get("kid")), None)
    if encryption_key is None:
        raise EnvelopeRefused("not_for_this_node", "encrypted to another key")
    try:
        signed = jwe.decrypt_compact(data, encryption_key, registry=ENCRYPTION).plaintext
    except (JoseError, ValueError):
        raise EnvelopeRefused("undecryptable") from None
    if signed is None or signed.count(b".") != 2:
        raise EnvelopeRefused("malformed", "the encrypted content is not a compact JWS")
    inner = _protected_header(signed)
    if inner.get("alg") != SIGNING:
        raise EnvelopeRefused("wrong_algorithm", str(inner.get("alg")))
    peer = pinned(str(inner.get("kid", "")))
    if peer is None:
        raise EnvelopeRefused("unknown_sender", claimed_sender=_claimed_sender(signed))
    peer_node, peer_key = peer
    try:
        verified = jws.deserialize_compact(signed, peer_key, registry=SIGNATURE)
    except (JoseError, ValueError):
        raise EnvelopeRefused("bad_signature") from None
    message = _message(verified.payload, any_type=any_type)
    if message.sender.node != peer_node:
        raise EnvelopeRefused("sender_mismatch", f"signed by {peer_node}")
    if message.recipient.node != node:
        raise EnvelopeRefused("not_for_this_node", f"addressed to {message.recipient.node}")
    return Opened(message=message, sender_node=peer_node, hash=envelope_hash(data))


def _claimed_sender(signed: bytes) -> str:
    """The sender node a JWS's message names, read without verifying it (to know where to
    look for the key), "" if it names none."""
    try:
        encoded = signed.split(b".")[1]
        document = json.loads(base64.urlsafe_b64decode(encoded + b"=" * (-len(encoded) % 4)))
        return str(document["sender"]["node"])[:100]
    except (ValueError, IndexError, KeyError, TypeError):
        return ""


def check_times(
    message: Message, *, now: datetime.datetime, skew: datetime.timedelta, stamped_at=None
) -> None:
    """Refuse a message made outside `skew` of `now`, or expired. Apart from `open_envelope`:
    a duplicate of an envelope already stored is answered its receipt whenever it comes.

    `stamped_at`: when the sender posted this attempt, from its signed delivery stamp
    (`delivery_stamp`). A message sent again after its receiver was down is as old as the
    outage, but its attempt is fresh: the clocks are then judged by the stamp, and the message
    only by its expiry (its id, stored, refuses a replay)."""
    created, expires = _time(message.created), _time(message.expires)
    if stamped_at is not None:
        if stamped_at < now - skew:
            raise EnvelopeRefused("stale")
        if stamped_at > now + skew:
            raise EnvelopeRefused("from_the_future")
    elif created < now - skew:
        raise EnvelopeRefused("stale")
    if created > now + skew:
        raise EnvelopeRefused("from_the_future")
    if expires <= now:
        raise EnvelopeRefused("expired")


def _time(text: str) -> datetime.datetime:
    try:
        moment = datetime.datetime.fromisoformat(text)
    except ValueError:
        raise EnvelopeRefused("malformed", "a time is not ISO 8601") from None
    if moment.tzinfo is None:
        raise EnvelopeRefused("malformed", "a time has no time zone")
    return moment


LONGEST_NAME = 64  # ids, types, conversations, states, node and organisation names
LAST_SEQUENCE = 2**31 - 1  # what every database keeps as an integer
_PREVIOUS = re.compile(r"([0-9a-f]{64})?")

FIELDS = {
    "id": str,
    "type": str,
    "sender": dict,
    "recipient": dict,
    "conversation": str,
    "sequence": int,
    "previous": str,
    "expects": str,
    "created": str,
    "expires": str,
    "schema": int,
    "consent": str,
    "payload": dict,
}


def _message(payload: bytes, *, any_type: bool = False) -> Message:
    try:
        document = json.loads(payload)
    except ValueError:
        raise EnvelopeRefused("malformed", "the message is not JSON") from None
    except RecursionError:
        # Arrays in arrays thousands deep: the parser gives up, and so does this node.
        raise EnvelopeRefused("malformed", "the message is nested too deep") from None
    if not isinstance(document, dict) or set(document) != set(FIELDS):
        raise EnvelopeRefused("malformed", "the message's fields are not the envelope's")
    for name, kind in FIELDS.items():
        value = document[name]
        if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
            raise EnvelopeRefused("malformed", f"{name} is not a {kind.__name__}")
    # The bounds the published schema gives, here before anything is stored: a message that
    # cannot take a place in its conversation is not believed either.
    for name in ("id", "type", "conversation", "expects", "consent"):
        if len(document[name]) > LONGEST_NAME:
            raise EnvelopeRefused("malformed", f"{name} is longer than {LONGEST_NAME} characters")
    if not 1 <= document["sequence"] <= LAST_SEQUENCE:
        raise EnvelopeRefused("malformed", f"sequence is not between 1 and {LAST_SEQUENCE}")
    if not _PREVIOUS.fullmatch(document["previous"]):
        raise EnvelopeRefused("malformed", "previous is not a SHA-256 in hexadecimal")
    parties = {}
    for side in ("sender", "recipient"):
        party = document[side]
        if set(party) != {"node", "organisation"} or not all(
            isinstance(v, str) and len(v) <= LONGEST_NAME for v in party.values()
        ):
            raise EnvelopeRefused("malformed", f"{side} names a node and an organisation")
        parties[side] = Party(**party)
    if document["type"] not in TYPES and not any_type:
        raise EnvelopeRefused("unknown_type", document["type"][:40])
    if document["schema"] != SCHEMA_VERSION:
        raise EnvelopeRefused("malformed", f"schema {document['schema']} is not {SCHEMA_VERSION}")
    return Message(**{**document, **parties})


STAMP_TYPE = "trm-delivery+jws"


def delivery_stamp(*, signing_key: OKPKey, node: str, envelope_hash: str, at) -> str:
    """The sender's signed word of one delivery attempt: this envelope, now (the header
    `TRM-Delivery`)."""
    document = {"node": node, "envelope": envelope_hash, "at": _instant(at)}
    return jws.serialize_compact(
        {"alg": SIGNING, "kid": signing_key.thumbprint(), "typ": STAMP_TYPE},
        canonical(document),
        signing_key,
        algorithms=[SIGNING],
    )


def read_stamp(stamp: str, *, opened: "Opened", pinned) -> datetime.datetime:
    """When the sender says it posted the `opened` envelope; refused unless the node that
    signed the message signed the stamp, for this envelope."""
    try:
        header = _protected_header(stamp.encode("ascii"))
        peer = pinned(str(header.get("kid", "")))
        if peer is None or peer[0] != opened.sender_node:
            raise EnvelopeRefused("bad_signature", "the delivery stamp")
        document = json.loads(jws.deserialize_compact(stamp, peer[1], algorithms=[SIGNING]).payload)
    except (JoseError, ValueError, UnicodeEncodeError):
        raise EnvelopeRefused("malformed", "the delivery stamp") from None
    if not isinstance(document, dict) or document.get("envelope") != opened.hash:
        raise EnvelopeRefused("malformed", "the delivery stamp names another envelope")
    return _time(str(document.get("at", "")))
