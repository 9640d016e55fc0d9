"""Sending to peers: a message is sealed and written to the outbox in the step that causes it
(`queue`), and the worker delivers it (`deliver_due`) by HTTPS POST to the peer's inbox, at
once after the commit (a nudge) and then with exponential backoff and jitter, until the peer's
signed receipt for exactly that envelope comes back.

Delivery is at least once; the receiver stores each message once and answers a repeat with
its first receipt, so the exchange is exactly once. A peer that does not answer trips its
circuit breaker: nothing more is tried with it until its own backoff has passed, so a peer
down for a day is not hammered once per waiting message.
"""

import dataclasses
import datetime
import json
import logging
import random
import urllib.error
import urllib.request
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.translation import gettext_lazy
from joserfc.jwk import OKPKey

from trm.audit.log import record
from trm.lib.errors import DomainError

from .envelope import Message, envelope_hash, message_hash, seal, stamped
from .identity import this_node
from .models import Conversation, OutgoingEnvelope, Peer
from .receipts import read_receipt

log = logging.getLogger(__name__)

LIFETIME = datetime.timedelta(days=7)
FIRST_RETRY = datetime.timedelta(seconds=5)
LONGEST_WAIT = datetime.timedelta(hours=1)
TIMEOUT_SECONDS = 10
INBOX_PATH = "/federation/inbox"
PEER_REMOVED = gettext_lazy("This peer was removed: nothing is exchanged with it any more.")


def backoff(attempts: int) -> datetime.timedelta:
    """How long to wait after `attempts` failed ones: doubling, capped, with ±50 % jitter so
    that many senders do not retry a recovering peer in step."""
    wait = min(FIRST_RETRY * 2 ** max(attempts - 1, 0), LONGEST_WAIT)
    return wait * random.uniform(0.5, 1.5)  # noqa: S311 (jitter, not a secret)


@transaction.atomic(savepoint=False)
def queue(message: Message, peer: Peer) -> OutgoingEnvelope:
    """Seal `message` to `peer` as the next of its conversation and write it to the outbox, in
    the caller's step; the worker is nudged when the step commits."""
    from trm.core.tasks import enqueue_unless_waiting

    from .tasks import deliver_envelopes

    if peer.removed_at is not None:
        raise DomainError(PEER_REMOVED)
    node = this_node()
    now = timezone.now()
    # The conversation's row is locked after what the step locked before (the case, the
    # referral) and before the audit chain's head: the step's lock order holds.
    conversation, _new = Conversation.objects.select_for_update().get_or_create(
        peer=peer, key=message.conversation
    )
    message = stamped(
        dataclasses.replace(
            message, sequence=conversation.sent + 1, previous=conversation.last_sent_hash
        ),
        now=now,
        lifetime=LIFETIME,
    )
    conversation.sent, conversation.last_sent_hash = message.sequence, message_hash(message)
    conversation.save(update_fields=["sent", "last_sent_hash"])
    envelope = seal(
        message,
        signing_key=node.signing_key,
        recipient_key=OKPKey.import_key(peer.encryption_key),
    )
    queued = OutgoingEnvelope.objects.create(
        peer=peer,
        message_id=message.id,
        type=message.type,
        conversation=message.conversation,
        sequence=message.sequence,
        envelope=envelope,
        envelope_hash=envelope_hash(envelope),
        queued_at=now,
        next_attempt_at=now,
    )
    record("trm.envelope.queued", target=queued, details=_identifiers(queued))
    transaction.on_commit(lambda: enqueue_unless_waiting(deliver_envelopes), robust=True)
    return queued


def _identifiers(envelope: OutgoingEnvelope) -> dict:
    # What both nodes' audit trails name, so that the two can be matched: no personal data.
    return {"peer": envelope.peer.name, "message": envelope.message_id, "type": envelope.type}


@dataclass
class Delivered:
    delivered: int = 0
    retried: int = 0
    refused: int = 0


def _claim(now) -> OutgoingEnvelope | None:
    """The next due envelope to a reachable peer, leased to this worker."""
    with transaction.atomic():
        due = (
            OutgoingEnvelope.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("peer__node")
            .filter(state=OutgoingEnvelope.State.QUEUED, next_attempt_at__lte=now)
            .filter(Q(leased_until__isnull=True) | Q(leased_until__lt=now))
            .filter(Q(peer__next_contact_at__isnull=True) | Q(peer__next_contact_at__lte=now))
            .filter(peer__removed_at__isnull=True)
            .order_by("peer_id", "conversation", "sequence")
            .first()
        )
        if due is not None:
            due.leased_until = now + datetime.timedelta(
                seconds=settings.FEDERATION_DELIVERY_LEASE_SECONDS
            )
            due.save(update_fields=["leased_until"])
        return due


def _post(envelope: OutgoingEnvelope) -> tuple[int, bytes]:
    request = urllib.request.Request(  # noqa: S310 (a pinned peer's address)
        envelope.peer.node.base_url.rstrip("/") + INBOX_PATH,
        data=envelope.envelope.encode(),
        headers={"Content-Type": "application/jose"},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as answer:  # noqa: S310
            return answer.status, answer.read(64 * 1024)
    except urllib.error.HTTPError as refused:
        return refused.code, refused.read(64 * 1024)


def deliver_due(*, limit: int = 500) -> Delivered:
    """Deliver what is due, up to `limit` envelopes; each outcome is committed on its own."""
    done = Delivered()
    for _ in range(limit):
        now = timezone.now()
        envelope = _claim(now)
        if envelope is None:
            break
        try:
            status, body = _post(envelope)
        except OSError as problem:
            _unreachable(envelope, now, type(problem).__name__)
            done.retried += 1
            continue
        if status == 200:
            _delivered(envelope, body, now, done)
        elif 400 <= status < 500:
            _refused(envelope, status, body)
            done.refused += 1
        else:
            _unreachable(envelope, now, f"http_{status}")
            done.retried += 1
    return done


def _delivered(envelope: OutgoingEnvelope, body: bytes, now, done: Delivered) -> None:
    try:
        receipt = read_receipt(
            body.decode("ascii", errors="replace"),
            key=OKPKey.import_key(envelope.peer.signing_key),
            envelope_hash=envelope.envelope_hash,
        )
    except ValueError:
        # A 200 without the peer's receipt is not a delivery: try again, and say so.
        _unreachable(envelope, now, "no_valid_receipt")
        done.retried += 1
        return
    # When the receipt came back, not when the attempt began: the latency counts the whole
    # exchange, and the peer's clock is read against this moment.
    answered = timezone.now()
    with transaction.atomic():
        outcome, refusal = str(receipt.get("outcome", ""))[:12], str(receipt.get("refusal", ""))
        OutgoingEnvelope.objects.filter(pk=envelope.pk).update(
            state=OutgoingEnvelope.State.DELIVERED,
            delivered_at=answered,
            receipt=body.decode("ascii"),
            peer_audit_head=receipt.get("audit_head"),
            attempts=envelope.attempts + 1,
            leased_until=None,
            last_problem="",
            outcome=outcome,
            refusal=refusal[:40],
        )
        envelope.state, envelope.delivered_at = OutgoingEnvelope.State.DELIVERED, answered
        envelope.outcome, envelope.refusal = outcome, refusal[:40]
        # What the receipt means here (a referral received, a withdrawal taken), in the same
        # transaction: it locks the case and the referral, and the audit head comes last.
        import_string(settings.FEDERATION_DELIVERED)(envelope)
        Peer.objects.filter(pk=envelope.peer_id).update(
            unreachable_since=None, next_contact_at=None
        )
        record("trm.envelope.delivered", target=envelope, details=_identifiers(envelope))
    done.delivered += 1


def _refused(envelope: OutgoingEnvelope, status: int, body: bytes) -> None:
    try:
        code = str(json.loads(body).get("code", ""))[:40]
    except (ValueError, AttributeError):
        code = ""
    log.warning("envelope %s refused by %s: %s", envelope.message_id, envelope.peer, code or status)
    with transaction.atomic():
        OutgoingEnvelope.objects.filter(pk=envelope.pk).update(
            state=OutgoingEnvelope.State.REFUSED,
            attempts=envelope.attempts + 1,
            leased_until=None,
            last_problem=f"refused_{status}_{code}"[:100],
        )
        record(
            "trm.envelope.refused_by_peer",
            target=envelope,
            details={**_identifiers(envelope), "code": code or str(status)},
        )


def _unreachable(envelope: OutgoingEnvelope, now, problem: str) -> None:
    attempts = envelope.attempts + 1
    wait = backoff(attempts)
    with transaction.atomic():
        OutgoingEnvelope.objects.filter(pk=envelope.pk).update(
            attempts=attempts,
            next_attempt_at=now + wait,
            leased_until=None,
            last_problem=problem[:100],
        )
        peer = Peer.objects.select_for_update().get(pk=envelope.peer_id)
        peer.unreachable_since = peer.unreachable_since or now
        peer.next_contact_at = now + wait
        peer.save(update_fields=["unreachable_since", "next_contact_at"])
