"""Applying what peers send, in order: each node numbers its own messages in a conversation
and names the previous one's hash, so the receiver applies message n only after n - 1, holds
one that arrives early (the sender's outbox delivers in order, so the gap fills), and refuses
one whose link to the previous does not hold. The receipt of a held one names the sequence the
conversation waits for (`waiting_for`): the sender sends that one again if it has it.

A message its sender signed but this node refuses for what it says (off its type's schema, of
a type unknown here, expired) takes its place all the same, settled as refused: the sender is
told the code, and the conversation goes on past it.

What a message does is the domain's (`settings.FEDERATION_APPLY`, the referrals' `arriving`):
it is applied in a savepoint of the inbox's step, so a message refused changes nothing, and the
refusal's code goes back to the sender in the receipt.
"""

import dataclasses
import re
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.module_loading import import_string

from trm.lib.errors import DomainError

from .envelope import Message, message_hash
from .models import Conversation, IncomingEnvelope, Outcome, Peer

# The held messages a receipt tells the sender were settled after it, at most (the others keep
# `held` on the sender's side; what they did is on this node).
SETTLED_IN_A_RECEIPT = 200


class NotApplied(Exception):
    """A message that may not be applied: `code` tells the sender why, `detail` says more
    (never personal data)."""

    def __init__(self, code: str, detail: str = ""):
        self.code, self.detail = code, detail
        super().__init__(f"{code}: {detail}" if detail else code)


@dataclass(frozen=True)
class Applied:
    outcome: str
    refusal: str = ""
    waiting_for: int | None = None  # the sequence the conversation waits for, if not settled
    # The held messages this one was the gap before, as applying them settled them: (message
    # id, outcome, refusal), for the receipt (their own receipts said `held`).
    settled: tuple = ()


def _apply_one(message: Message, peer: Peer) -> Applied:
    try:
        with transaction.atomic():
            import_string(settings.FEDERATION_APPLY)(message, peer)
    except NotApplied as refused:
        return Applied(Outcome.REFUSED, refused.code[:40])
    except DomainError as refused:
        # A rule of this node refuses it as it would refuse the step taken here.
        code = re.sub(r"(?<!^)(?=[A-Z])", "_", type(refused).__name__).lower()
        return Applied(Outcome.REFUSED, code[:40])
    return Applied(Outcome.APPLIED)


def apply_in_order(
    peer: Peer, stored: IncomingEnvelope, message: Message, reopen, *, refused: str = ""
) -> Applied:
    """Apply `stored` (just kept, holding `message`) if it is next in its conversation, then
    every held one it was the gap before; what became of `stored`. `reopen(envelope)` gives
    the message of a held envelope. `refused`: the code this node refuses the message's content
    with; it is settled so, in its place."""
    conversation, _new = Conversation.objects.select_for_update().get_or_create(
        peer=peer, key=message.conversation
    )
    if message.sequence <= conversation.applied:
        # Another message with a place already taken: the peer numbers wrongly, or replays.
        return _settle(stored, Applied(Outcome.REFUSED, refused or "out_of_sequence"))
    if message.sequence > conversation.applied + 1:
        waiting = conversation.applied + 1
        if refused:
            # Refused now; its place is passed when the messages before it arrive.
            _settle(stored, Applied(Outcome.REFUSED, refused))
            return Applied(Outcome.REFUSED, refused, waiting_for=waiting)
        return Applied(Outcome.HELD, waiting_for=waiting)
    outcome, current, settled = None, (stored, message), []
    while current is not None:
        envelope, opened = current
        if opened.previous != conversation.last_applied_hash:
            applied = Applied(Outcome.REFUSED, "broken_chain")
        elif envelope.pk == stored.pk and refused:
            applied = Applied(Outcome.REFUSED, refused)
        elif envelope.outcome == Outcome.REFUSED:
            applied = Applied(Outcome.REFUSED, envelope.refusal)  # refused for its content
        else:
            applied = _apply_one(opened, peer)
        _settle(envelope, applied)
        conversation.applied, conversation.last_applied_hash = opened.sequence, message_hash(opened)
        if envelope.pk == stored.pk:
            outcome = applied
        elif len(settled) < SETTLED_IN_A_RECEIPT:
            settled.append((envelope.message_id, applied.outcome, applied.refusal))
        following = (
            IncomingEnvelope.objects.filter(
                sender=peer,
                conversation=message.conversation,
                sequence=conversation.applied + 1,
                # Held, or refused for its content and waiting for its place.
                outcome__in=[Outcome.HELD, Outcome.REFUSED],
            )
            .order_by("pk")
            .first()
        )
        current = (following, reopen(following)) if following is not None else None
    conversation.save(update_fields=["applied", "last_applied_hash"])
    return dataclasses.replace(outcome, settled=tuple(settled))


def _settle(envelope: IncomingEnvelope, applied: Applied) -> Applied:
    envelope.outcome, envelope.refusal = applied.outcome, applied.refusal
    envelope.applied_at = timezone.now() if applied.outcome == Outcome.APPLIED else None
    envelope.save(update_fields=["outcome", "refusal", "applied_at"])
    return applied
