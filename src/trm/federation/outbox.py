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
import threading
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.translation import gettext_lazy
from joserfc.jwk import OKPKey

from trm.audit.log import record
from trm.lib.errors import DomainError

from .envelope import Message, delivery_stamp, envelope_hash, message_hash, seal, stamped
from .identity import this_node
from .models import Conversation, Outcome, OutgoingEnvelope, Peer
from .parts import framed, part_delivered
from .peers import learn_rotation, signing_keys_of
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
            # Never ahead of an earlier message of its conversation still to deliver: each
            # conversation in its order, while several are delivered side by side. Nor past
            # one the peer refused before it could believe it: its place there stays empty,
            # and what follows would wait for it for ever (the conversation is stopped until
            # an operator mends the cause and sends it again, `trm outbox --retry`).
            .exclude(
                Exists(
                    OutgoingEnvelope.objects.filter(
                        peer_id=OuterRef("peer_id"),
                        conversation=OuterRef("conversation"),
                        state__in=[OutgoingEnvelope.State.QUEUED, OutgoingEnvelope.State.REFUSED],
                        pk__lt=OuterRef("pk"),
                    )
                )
            )  # fmt: skip
            # Oldest first, whatever its conversation: a busy referral must not hold back the
            # others' messages behind its own. Within a conversation the order is its
            # sequence's, as each is written under the conversation's lock (`queue`).
            .order_by("pk")
            .first()
        )
        if due is not None:
            due.leased_until = now + datetime.timedelta(
                seconds=settings.FEDERATION_DELIVERY_LEASE_SECONDS
            )
            due.save(update_fields=["leased_until"])
        return due


def _post(envelope: OutgoingEnvelope) -> tuple[int, bytes]:
    node = this_node()
    # The envelope is as it was sealed (its hash is in the conversation's chain); the stamp says
    # this attempt is fresh, so a retry after a long outage is not taken for a replay.
    stamp = delivery_stamp(signing_key=node.signing_key, node=node.name,
                           envelope_hash=envelope.envelope_hash, at=timezone.now())  # fmt: skip
    path, body = INBOX_PATH, envelope.envelope.encode()
    headers = {"Content-Type": "application/jose"}
    with_part = framed(envelope)  # an envelope referencing a part is posted with it
    if with_part is not None:
        path, body, headers = with_part
    request = urllib.request.Request(  # noqa: S310 (a pinned peer's address)
        envelope.peer.node.base_url.rstrip("/") + path,
        data=body,
        headers={**headers, "TRM-Delivery": stamp},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as answer:  # noqa: S310
            return answer.status, answer.read(64 * 1024)
    except urllib.error.HTTPError as refused:
        return refused.code, refused.read(64 * 1024)


def deliver_due(*, limit: int = 500, threads: int | None = None) -> Delivered:
    """Deliver what is due, up to `limit` envelopes, `threads` at a time (each conversation
    still in order); each outcome is committed on its own. One at a time on an in-memory
    SQLite database (the tests'), whose shared cache locks whole tables without waiting."""
    if threads is None:
        in_memory = connection.vendor == "sqlite" and connection.is_in_memory_db()
        threads = 1 if in_memory else settings.FEDERATION_DELIVERY_THREADS
    budget = _Budget(limit)
    if threads <= 1:
        return _deliver(budget)

    def in_a_thread(_number) -> Delivered:
        try:
            return _deliver(budget)
        finally:
            connection.close()  # the thread's own connection

    done = Delivered()
    with ThreadPoolExecutor(threads) as pool:
        for part in pool.map(in_a_thread, range(threads)):
            done.delivered += part.delivered
            done.retried += part.retried
            done.refused += part.refused
    return done


class _Budget:
    """How many envelopes a run may still take, shared by its threads."""

    def __init__(self, limit: int):
        self.left, self.lock = limit, threading.Lock()

    def take(self) -> bool:
        with self.lock:
            self.left -= 1
            return self.left >= 0


def _deliver(budget: _Budget) -> Delivered:
    done = Delivered()
    while budget.take():
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
        elif 400 <= status < 500 and _code(body) in CLOCK_REFUSALS:
            # The two clocks disagree by more than the window: the operators can set them
            # right, so the message waits (the status page shows the skew) rather than is lost.
            _unreachable(envelope, now, f"clock_{_code(body)}")
            done.retried += 1
        elif 400 <= status < 500:
            _refused(envelope, status, body)
            done.refused += 1
        else:
            _unreachable(envelope, now, f"http_{status}")
            done.retried += 1
    return done


def _read_receipt(envelope: OutgoingEnvelope, body: bytes) -> dict:
    compact = body.decode("ascii", errors="replace")
    try:
        return read_receipt(
            compact, key=signing_keys_of(envelope.peer), envelope_hash=envelope.envelope_hash
        )
    except ValueError:
        # Signed by a key not pinned here: the peer may have rotated its keys.
        if not learn_rotation(envelope.peer):
            raise
        envelope.peer.refresh_from_db()
        return read_receipt(
            compact, key=signing_keys_of(envelope.peer), envelope_hash=envelope.envelope_hash
        )


def _delivered(envelope: OutgoingEnvelope, body: bytes, now, done: Delivered) -> None:
    try:
        receipt = _read_receipt(envelope, body)
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
        part_delivered(envelope)
        _settled_after(envelope, receipt.get("settled"))
        _send_again_what_is_waited_for(envelope, receipt.get("waiting_for"))
        Peer.objects.filter(pk=envelope.peer_id).update(
            unreachable_since=None, next_contact_at=None
        )
        record("trm.envelope.delivered", target=envelope, details=_identifiers(envelope))
    done.delivered += 1


def _settled_after(envelope: OutgoingEnvelope, settled) -> None:
    """The receipt of `envelope` says what became of the held messages it was the gap before:
    each now has the outcome applying it had there, and means here what its receipt would."""
    if not isinstance(settled, list):
        return
    for entry in settled:
        if not isinstance(entry, dict) or entry.get("outcome") not in (
            Outcome.APPLIED,
            Outcome.REFUSED,
        ):
            continue
        held = OutgoingEnvelope.objects.filter(
            peer_id=envelope.peer_id,
            conversation=envelope.conversation,
            message_id=str(entry.get("message", ""))[:64],
            state=OutgoingEnvelope.State.DELIVERED,
            outcome=Outcome.HELD,
        ).first()
        if held is None:
            continue
        held.outcome, held.refusal = entry["outcome"], str(entry.get("refusal", ""))[:40]
        held.save(update_fields=["outcome", "refusal"])
        import_string(settings.FEDERATION_DELIVERED)(held)


def _send_again_what_is_waited_for(envelope: OutgoingEnvelope, waiting_for) -> None:
    """The peer holds `envelope` waiting for an earlier message of its conversation that it
    does not have (it lost it: restored from a backup, say): every message from that one on
    is sent again at once, in order. A peer that has one after all answers its first receipt."""
    if not isinstance(waiting_for, int) or isinstance(waiting_for, bool):
        return
    if not 1 <= waiting_for < envelope.sequence:
        return
    again = OutgoingEnvelope.objects.filter(
        peer_id=envelope.peer_id,
        conversation=envelope.conversation,
        state=OutgoingEnvelope.State.DELIVERED,
        sequence__gte=waiting_for,
        sequence__lt=envelope.sequence,
    ).order_by("pk")
    resent = list(again.values_list("message_id", flat=True))
    if not resent:
        return
    now = timezone.now()
    again.update(
        state=OutgoingEnvelope.State.QUEUED,
        # Queued anew: its wait counts from now, not from its first sending, for the late
        # warning and the undelivered alert.
        queued_at=now,
        next_attempt_at=now,
        leased_until=None,
        last_problem=f"asked_again_from_{waiting_for}",
    )
    record(
        "trm.envelope.asked_again",
        target=envelope,
        details={**_identifiers(envelope), "from": waiting_for, "messages": resent},
    )


# What a peer refuses because its clock and this node's disagree: tried again, not given up.
CLOCK_REFUSALS = frozenset({"stale", "from_the_future"})


def _code(body: bytes) -> str:
    """The refusal's code in a peer's answer, if it gave one."""
    try:
        return str(json.loads(body).get("code", ""))[:40]
    except (ValueError, AttributeError):
        return ""


def _refused(envelope: OutgoingEnvelope, status: int, body: bytes) -> None:
    code = _code(body)
    log.warning("envelope %s refused by %s: %s", envelope.message_id, envelope.peer, code or status)
    with transaction.atomic():
        OutgoingEnvelope.objects.filter(pk=envelope.pk).update(
            state=OutgoingEnvelope.State.REFUSED,
            attempts=envelope.attempts + 1,
            leased_until=None,
            last_problem=f"refused_{status}_{code}"[:100],
            refusal=code[:40],
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
