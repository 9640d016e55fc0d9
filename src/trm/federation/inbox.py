"""Receiving envelopes from peers: verified first (encryption to this node, a pinned sender's
signature, addressed here, in time, its payload conforming to its type's published schema
(messages.py)), then stored as they arrived, exactly once per sender and message, and answered
with a signed receipt. A duplicate — the sender did not get the receipt and sends again,
however late — gets the first receipt back and is stored once.

What each message does is applied in the same step, in its conversation's order (`apply`):
the receipt says the envelope is kept and what applying it did (applied, refused with a code,
or held until the messages before it arrive, naming the one it waits for).

Two kinds of refusal. Before this node can believe an envelope (undecryptable, not signed by a
pinned peer, not for this node, too large, the clocks apart) it is answered 4xx and nothing is
kept: its place in its conversation stays empty, and its sender sends nothing after it until
its operators mend the cause and send it again. An envelope its pinned peer signed for this
node but whose content is refused (off its type's schema, of a type unknown here, a receipt,
expired) is kept, settled as refused in its place, and receipted so: the conversation goes on.
"""

import datetime
import logging

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from trm.audit.log import record
from trm.lib.steps import step

from .apply import apply_in_order
from .envelope import EnvelopeRefused, check_times, open_envelope, read_stamp
from .identity import this_node
from .messages import validate_payload
from .models import Conversation, IncomingEnvelope, Outcome, Peer
from .outbox import CLOCK_REFUSALS
from .peers import pinned
from .receipts import sign_receipt

log = logging.getLogger(__name__)


@step
def receive(envelope: bytes, stamp: str = "") -> tuple[IncomingEnvelope, bool]:
    """The stored envelope and whether it is new; EnvelopeRefused, storing nothing, if it may
    not be believed, is for another node, or its payload is off its type's schema. `stamp`:
    the sender's signed word of when it posted this attempt (the `TRM-Delivery` header)."""
    node = this_node()
    content_refused = None
    try:
        opened = open_envelope(
            envelope,
            node=node.name,
            encryption_key=node.decryption_keys(),
            pinned=pinned,
            any_type=True,
        )
        message = opened.message
        sender = Peer.objects.active().get(node__name=opened.sender_node)
        first = _stored_before(sender, message.id, opened.hash)
        if first is not None:
            # Judged when it was stored: a repeat gets its receipt, whatever changed since.
            return first, False
        now = timezone.now()
        stamped_at = read_stamp(stamp, opened=opened, pinned=pinned) if stamp else None
        try:
            check_times(
                message,
                now=now,
                skew=datetime.timedelta(seconds=settings.FEDERATION_CLOCK_SKEW_SECONDS),
                stamped_at=stamped_at,
            )
            validate_payload(message.type, message.payload)
        except EnvelopeRefused as refused:
            if refused.code in CLOCK_REFUSALS:
                raise  # the clocks disagree: the sender tries again once they agree
            content_refused = refused
    except EnvelopeRefused as refused:
        # The code, and for a schema violation where and how: never a value of the message,
        # which says nothing about anyone until it is believed and may say too much after.
        log.warning("envelope refused: %s%s", refused.code, _loggable(refused))
        raise
    if content_refused is not None:
        # Signed by the pinned peer, for this node, but refused for what it says: kept and
        # settled as refused in its place, so that the conversation goes on past it.
        log.warning("envelope refused: %s%s", content_refused.code, _loggable(content_refused))
    stored = IncomingEnvelope(
        sender=sender,
        message_id=message.id,
        envelope_hash=opened.hash,
        envelope=envelope.decode("ascii"),
        type=message.type[:32],
        conversation=message.conversation,
        sequence=message.sequence,
        received_at=now,
    )
    try:
        with transaction.atomic():
            stored.save()
    except IntegrityError:
        # The same envelope, delivered twice at once: the other delivery stored it (and
        # committed, or the unique index would not have answered), so its receipt stands.
        first = _stored_before(sender, message.id, opened.hash)
        if first is None:
            raise
        return first, False
    applied = apply_in_order(
        sender,
        stored,
        message,
        lambda held: _reopen(node, held),
        refused=content_refused.code if content_refused is not None else "",
    )
    # Last: the audit chain's head is locked from the first event until the commit, and every
    # delivery from every peer appends to it.
    record(
        "trm.envelope.received",
        target=stored,
        details={"peer": sender.name, "message": message.id, "type": message.type},
    )
    stored.receipt = sign_receipt(
        key=node.signing_key,
        node=node.name,
        envelope_hash=opened.hash,
        message_id=message.id,
        received_at=now,
        outcome=applied.outcome,
        refusal=applied.refusal,
        waiting_for=applied.waiting_for,
        settled=applied.settled,
        problem=_problem(content_refused),
    )
    stored.save(update_fields=["receipt"])
    return stored, True


def _loggable(refused: EnvelopeRefused) -> str:
    return f" ({refused.detail})" if refused.code == "schema_violation" else ""


def _problem(refused: EnvelopeRefused | None) -> str:
    """Where and how a content refused is off its schema, for the receipt: never a value."""
    return refused.detail if refused is not None and refused.code == "schema_violation" else ""


def _reopen(node, stored: IncomingEnvelope):
    """The message of an envelope kept earlier (its sender's key is still pinned)."""
    return open_envelope(
        stored.envelope,
        node=node.name,
        encryption_key=node.decryption_keys(),
        pinned=pinned,
        any_type=True,
    ).message


def _stored_before(sender: Peer, message_id: str, envelope_hash: str) -> IncomingEnvelope | None:
    """The envelope of this message stored already, if any; refused if it was another one."""
    first = IncomingEnvelope.objects.filter(sender=sender, message_id=message_id).first()
    if first is not None and first.envelope_hash != envelope_hash:
        raise EnvelopeRefused("reused_id")
    return first


def forget_contents(conversations) -> int:
    """Blank the kept envelopes of `conversations` (their person was erased here): this node's
    key still opens them, so what they carried would outlive the erasure. Their ids, hashes,
    receipts and outcomes stay, so a duplicate still gets its first receipt. Kept: the ones
    held for a gap, which are applied (or refused) later and need opening; the one being
    applied now (its sequence is next) is blanked with the rest. How many were blanked."""
    blanked = 0
    for conversation in Conversation.objects.filter(key__in=[str(key) for key in conversations]):
        kept = IncomingEnvelope.objects.filter(
            sender_id=conversation.peer_id, conversation=conversation.key
        ).exclude(envelope="")
        still_needed = Q(outcome=Outcome.HELD, sequence__gt=conversation.applied + 1)
        blanked += kept.exclude(still_needed).update(envelope="")
    return blanked
