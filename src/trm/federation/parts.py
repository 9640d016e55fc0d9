"""Parts: bytes too large to travel inside an envelope (a case's documents), each posted with
the envelope that references it and refused unless that envelope names exactly its hash.

The sender encrypts each part with a fresh AES-256-GCM key (`seal_part`); the key, the nonce
and the SHA-256 of the ciphertext travel inside the signed and encrypted envelope, the
ciphertext beside it, in the same POST (`framed`: the envelope's length in a header, then the
envelope, then the part). So the envelope stays small under its 10 MiB cap, a document up to
the attachment limit still crosses, and the part is unreadable anywhere it is kept on the way
(the sender's outbox, a server's request buffer, the receiver's inbox) but in the step that
applies its message. One envelope, one part, one request: the outbox's in-order, exactly-once
delivery holds for the part as for its envelope, and the message is never applied without it.
"""

import base64
import hashlib
import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from .apply import NotApplied
from .envelope import EnvelopeRefused, open_envelope
from .identity import this_node
from .messages import validate_payload
from .models import IncomingEnvelope, IncomingPart, Outcome, OutgoingEnvelope, OutgoingPart, Peer
from .peers import pinned

PART_PATH = "/federation/inbox/part"
CIPHER = "A256GCM"
TAG_BYTES = 16
# The envelope beside a part says what the part is, nothing more: a few KiB.
MAX_ENVELOPE_WITH_PART = 64 * 1024
ENVELOPE_LENGTH_HEADER = "TRM-Envelope-Length"

REFUSALS = {
    "no_envelope": _("A part is accepted only with the envelope that references it."),
    "not_referenced": _("The envelope posted with the part does not reference a part."),
    "part_mismatch": _("The part's SHA-256 is not the one its envelope names."),
    "part_too_large": _("The part is larger than the largest document this node keeps."),
}


class PartRefused(Exception):
    def __init__(self, code: str):
        self.code = code
        super().__init__(code)

    @property
    def reason(self) -> str:
        return str(REFUSALS[self.code])


def max_part_bytes() -> int:
    return settings.ATTACHMENT_MAX_BYTES + TAG_BYTES


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


# --- sending -------------------------------------------------------------------------------


def seal_part(plaintext: bytes, *, bound_to: str) -> tuple[bytes, dict]:
    """The ciphertext of `plaintext` under a fresh key, and the reference to it that the
    envelope carries. `bound_to` (the document's id) is authenticated with it: a part cannot be
    passed off as another document's."""
    key, nonce = AESGCM.generate_key(bit_length=256), os.urandom(12)
    ciphertext = AESGCM(key).encrypt(nonce, plaintext, bound_to.encode())
    return ciphertext, {
        "sha256": hashlib.sha256(ciphertext).hexdigest(),
        "size": len(ciphertext),
        "cipher": CIPHER,
        "key": _b64(key),
        "nonce": _b64(nonce),
    }


def attach_part(envelope: OutgoingEnvelope, ciphertext: bytes) -> OutgoingPart:
    """Keep `ciphertext` to be posted with `envelope` (just queued, in the same step)."""
    return OutgoingPart.objects.create(
        envelope=envelope, sha256=hashlib.sha256(ciphertext).hexdigest(), content=ciphertext
    )


def framed(envelope: OutgoingEnvelope) -> tuple[str, bytes, dict] | None:
    """The path, body and headers that post `envelope` with its part; None if it has none."""
    part = OutgoingPart.objects.filter(envelope_id=envelope.pk).first()
    if part is None:
        return None
    sealed = envelope.envelope.encode()
    return (
        PART_PATH,
        sealed + bytes(part.content),
        {"Content-Type": "application/octet-stream", ENVELOPE_LENGTH_HEADER: str(len(sealed))},
    )


def part_delivered(envelope: OutgoingEnvelope) -> None:
    """The peer answered for the envelope: its part is not posted again."""
    OutgoingPart.objects.filter(envelope_id=envelope.pk).delete()


# --- receiving -----------------------------------------------------------------------------


def split(body: bytes, declared: str) -> tuple[bytes, bytes]:
    """The envelope and the part of a framed POST; PartRefused if no envelope comes first."""
    try:
        length = int(declared)
    except ValueError:
        raise PartRefused("no_envelope") from None
    if length <= 0 or length > min(len(body), MAX_ENVELOPE_WITH_PART):
        raise PartRefused("no_envelope")
    envelope, part = body[:length], body[length:]
    if len(part) > max_part_bytes():
        raise PartRefused("part_too_large")
    return envelope, part


def _referenced(envelope: bytes, part: bytes) -> tuple[Peer, str]:
    """The sending peer and the message id of `envelope`, once it is believed and references
    exactly `part`: opened here to read the reference before anything is kept."""
    node = this_node()
    opened = open_envelope(
        envelope, node=node.name, encryption_key=node.decryption_keys(), pinned=pinned
    )
    message = opened.message
    validate_payload(message.type, message.payload)
    reference = message.payload.get("part") if isinstance(message.payload, dict) else None
    if not isinstance(reference, dict):
        raise PartRefused("not_referenced")
    if reference.get("size") != len(part):
        raise PartRefused("part_mismatch")
    if reference.get("sha256") != hashlib.sha256(part).hexdigest():
        raise PartRefused("part_mismatch")
    sender = Peer.objects.active().filter(node__name=opened.sender_node).first()
    if sender is None:
        raise EnvelopeRefused("unknown_sender", claimed_sender=opened.sender_node)
    return sender, message.id


def receive_with_part(envelope: bytes, part: bytes, stamp: str, receive):
    """Receive `envelope` (through the inbox's `receive`) with the part it references: the part
    is kept first (still encrypted), for the message's applier to take (`take_part`); if the
    envelope is refused, or was refused or applied before, nothing of the part stays."""
    sender, message_id = _referenced(envelope, part)
    if IncomingEnvelope.objects.filter(sender=sender, message_id=message_id).exists():
        return receive(envelope, stamp)  # a repeat: its first receipt, the part not kept again
    with transaction.atomic():
        IncomingPart.objects.get_or_create(
            sender=sender,
            message_id=message_id,
            defaults={"sha256": hashlib.sha256(part).hexdigest(), "content": part},
        )
    try:
        stored, new = receive(envelope, stamp)
    except Exception:
        IncomingPart.objects.filter(sender=sender, message_id=message_id).delete()
        raise
    drop_settled(sender)
    return stored, new


def drop_settled(sender: Peer) -> None:
    """Drop the parts whose messages are settled (applied: the applier took the part; refused:
    it is never needed): a part held with its early message stays until the gap before it
    fills, whichever delivery fills it."""
    settled = IncomingEnvelope.objects.filter(sender=sender).exclude(outcome=Outcome.HELD)
    IncomingPart.objects.filter(sender=sender, message_id__in=settled.values("message_id")).delete()


def take_part(peer: Peer, message_id: str, reference: dict, *, bound_to: str) -> bytes:
    """The plaintext of the part kept for `message_id`, checked against its `reference`, and
    the part dropped (in the applier's step). Held in memory only: never written unencrypted."""
    kept = IncomingPart.objects.filter(sender=peer, message_id=message_id).first()
    if kept is None:
        raise NotApplied("part_missing")
    ciphertext = bytes(kept.content)
    if hashlib.sha256(ciphertext).hexdigest() != reference["sha256"]:
        raise NotApplied("part_mismatch")
    try:
        plaintext = AESGCM(_unb64(reference["key"])).decrypt(
            _unb64(reference["nonce"]), ciphertext, bound_to.encode()
        )
    except (InvalidTag, ValueError):
        raise NotApplied("part_undecryptable") from None
    kept.delete()
    return plaintext
