"""What operators see of the exchange: the envelopes in the outbox and the inbox, what happened
to one, step by step, and how each peer is doing (queue, delivery latency, clock skew, circuit
breaker). Everything here is identifiers, states, codes and times: an envelope's content is
encrypted to the peer, and what it says stays in the cases it is about."""

import dataclasses
import datetime
import math
import statistics
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from joserfc.jwk import OKPKey

from trm.audit.log import record
from trm.audit.models import AuditEvent
from trm.lib.steps import step

from .models import Conversation, IncomingEnvelope, Outcome, OutgoingEnvelope, Peer
from .receipts import read_receipt

LATENCY_WINDOW = datetime.timedelta(hours=24)
SKEW_SAMPLE = 20  # the latest receipts a peer's clock skew is read from


class NoSuchEnvelope(LookupError):
    pass


class NotRetried(ValueError):
    pass


def age(since: datetime.datetime | None, now: datetime.datetime) -> str:
    """A duration as operators read it in a table: 45s, 12m, 3h05m, 2d04h."""
    if since is None:
        return "-"
    seconds = max(int((now - since).total_seconds()), 0)
    if seconds < 60:
        return f"{seconds}s"
    minutes = seconds // 60
    if minutes < 60:
        return f"{minutes}m"
    hours = minutes // 60
    if hours < 48:
        return f"{hours}h{minutes % 60:02d}m"
    return f"{hours // 24}d{hours % 24:02d}h"


def outgoing(envelope_id: str) -> OutgoingEnvelope:
    """An outgoing envelope by its row id or its message id."""
    return _find(OutgoingEnvelope.objects.select_related("peer__node"), envelope_id)


def incoming(envelope_id: str) -> IncomingEnvelope:
    return _find(IncomingEnvelope.objects.select_related("sender__node"), envelope_id)


def _find(queryset, envelope_id: str):
    found = queryset.filter(message_id=envelope_id).first()
    if found is None and envelope_id.isdigit():
        found = queryset.filter(pk=int(envelope_id)).first()
    if found is None:
        raise NoSuchEnvelope(envelope_id)
    return found


@step
def retry(envelope: OutgoingEnvelope, *, actor=None) -> OutgoingEnvelope:
    """Queue a refused envelope again, or one waiting out its backoff at once; the peer's
    circuit breaker lets it through (the operator says the peer is back). The same envelope:
    the peer stores it once however often it comes."""
    locked = OutgoingEnvelope.objects.select_for_update().get(pk=envelope.pk)
    if locked.state == OutgoingEnvelope.State.DELIVERED:
        raise NotRetried("it was delivered: the peer's receipt is kept")
    if locked.peer.removed_at is not None:
        raise NotRetried("its peer was removed: nothing is exchanged with it any more")
    now = timezone.now()
    was = locked.state
    OutgoingEnvelope.objects.filter(pk=locked.pk).update(
        state=OutgoingEnvelope.State.QUEUED, next_attempt_at=now, leased_until=None
    )
    Peer.objects.filter(pk=locked.peer_id).update(next_contact_at=None)
    record(
        "trm.envelope.retried",
        actor=actor,
        target=locked,
        details={
            "peer": locked.peer.name,
            "message": locked.message_id,
            "type": locked.type,
            "was": was,
        },
    )
    from trm.core.tasks import enqueue_unless_waiting

    from .tasks import deliver_envelopes

    transaction.on_commit(lambda: enqueue_unless_waiting(deliver_envelopes), robust=True)
    locked.refresh_from_db()
    return locked


def _events(envelope) -> list[AuditEvent]:
    return list(
        AuditEvent.objects.filter(
            object_type=envelope._meta.label_lower, object_id=str(envelope.pk)
        ).order_by("sequence")
    )


def _when(moment) -> str:
    return f"{moment:%Y-%m-%d %H:%M:%S} UTC" if moment else "-"


def explain_outgoing(envelope: OutgoingEnvelope, now=None) -> list[str]:
    """What happened to an outgoing envelope, step by step, from its row and its audit events."""
    now = now or timezone.now()
    lines = [
        f"{envelope.type} {envelope.message_id} to {envelope.peer.name}, conversation "
        f"{envelope.conversation}, sequence {envelope.sequence}",
        f"envelope hash {envelope.envelope_hash}",
    ]
    for event in _events(envelope):
        said = {
            "trm.envelope.queued": "sealed and queued",
            "trm.envelope.delivered": "delivered: the peer's signed receipt came back",
            "trm.envelope.refused_by_peer": "refused by the peer, code "
            + str(event.details.get("code", "")),
            "trm.envelope.retried": "queued again by "
            + (event.actor_username or "an operator")
            + f" (it was {event.details.get('was', '')})",
            "trm.envelope.undelivered": "administrators and focal points alerted: undelivered",
            "trm.envelope.asked_again": "the peer holds it waiting for sequence "
            + str(event.details.get("from", ""))
            + ": the messages from there on were sent again",
        }.get(event.action, event.action)
        lines.append(f"{_when(event.occurred_at)}  #{event.sequence}  {said}")
    lines.append(f"attempts: {envelope.attempts}")
    if envelope.last_problem:
        lines.append(f"last problem: {envelope.last_problem}")
    if envelope.state == OutgoingEnvelope.State.DELIVERED:
        head = envelope.peer_audit_head or {}
        if envelope.outcome:
            lines.append(
                f"the peer's receipt says: {envelope.outcome}"
                + (f", code {envelope.refusal}" if envelope.refusal else "")
            )
        lines.append(
            f"delivered {_when(envelope.delivered_at)}, "
            f"{age(envelope.queued_at, envelope.delivered_at)} after it was queued; the peer's "
            f"audit head then: {head.get('sequence', '-')} {str(head.get('hash', ''))[:16]}"
        )
    elif envelope.state == OutgoingEnvelope.State.REFUSED:
        lines.append(
            "refused: not sent again unless an operator mends the cause and runs "
            f"'trm outbox --retry {envelope.pk}'"
        )
        waiting = behind(envelope).count()
        lines.append(
            f"the conversation is stopped at sequence {envelope.sequence}: the peer keeps no "
            f"place for it, so the {waiting} message(s) after it are not sent until it is"
        )
    elif (stopper := stopped_by(envelope)) is not None:
        lines.append(
            f"stopped: the peer refused {stopper.type} {stopper.message_id} (sequence "
            f"{stopper.sequence}, code {stopper.refusal or '-'}) before it; nothing after it is "
            f"sent until an operator mends the cause and runs 'trm outbox --retry {stopper.pk}'"
        )
    else:
        wait = envelope.next_attempt_at
        if envelope.peer.next_contact_at and envelope.peer.next_contact_at > wait:
            wait = envelope.peer.next_contact_at
        lines.append(
            f"waiting {age(envelope.queued_at, now)} since it was queued; next attempt "
            f"{_when(wait)}"
            + (
                f" (the peer is unreachable since {_when(envelope.peer.unreachable_since)})"
                if envelope.peer.unreachable_since
                else ""
            )
        )
    return lines


def explain_incoming(envelope: IncomingEnvelope, now=None) -> list[str]:
    """What happened to an envelope a peer delivered, from its row and its audit events."""
    lines = [
        f"{envelope.type} {envelope.message_id} from {envelope.sender.name}, conversation "
        f"{envelope.conversation}, sequence {envelope.sequence}",
        f"envelope hash {envelope.envelope_hash}",
        f"{_when(envelope.received_at)}  verified, stored and receipted",
    ]
    for event in _events(envelope):
        lines.append(f"{_when(event.occurred_at)}  #{event.sequence}  {event.action}")
    if envelope.outcome == Outcome.APPLIED:
        lines.append(f"applied {_when(envelope.applied_at)}")
    elif envelope.outcome == Outcome.REFUSED:
        lines.append(f"refused when applied, code {envelope.refusal}; the sender was told so")
    else:
        lines.append("held until the messages before it in its conversation arrive")
        waiting = waiting_for(envelope)
        lines.append(
            f"its conversation waits for sequence {waiting}; the receipt asked the sender for it"
        )
        if envelope.received_at < (now or timezone.now()) - held_too_long():
            lines.append(
                f"held {age(envelope.received_at, now or timezone.now())}, longer than "
                f"{settings.FEDERATION_HELD_ALERT_MINUTES} minutes: ask the operators of "
                f"{envelope.sender.name} what became of sequence {waiting} "
                f"('trm outbox' there)"
            )
    return lines


# --- stopped conversations and held messages --------------------------------------------------


def behind(envelope: OutgoingEnvelope):
    """The messages of `envelope`'s conversation queued after it."""
    return OutgoingEnvelope.objects.filter(
        peer_id=envelope.peer_id,
        conversation=envelope.conversation,
        state=OutgoingEnvelope.State.QUEUED,
        pk__gt=envelope.pk,
    )


def stopped_by(envelope: OutgoingEnvelope) -> OutgoingEnvelope | None:
    """The message the peer refused before it could believe it, that `envelope` (queued) waits
    behind in its conversation: none is sent past it (outbox._claim)."""
    if envelope.state != OutgoingEnvelope.State.QUEUED:
        return None
    return (
        OutgoingEnvelope.objects.filter(
            peer_id=envelope.peer_id,
            conversation=envelope.conversation,
            state=OutgoingEnvelope.State.REFUSED,
            pk__lt=envelope.pk,
        )
        .order_by("pk")
        .first()
    )


def held_too_long() -> datetime.timedelta:
    return datetime.timedelta(minutes=settings.FEDERATION_HELD_ALERT_MINUTES)


def waiting_for(envelope: IncomingEnvelope) -> int:
    """The sequence the conversation of a held envelope waits for."""
    found = Conversation.objects.filter(peer_id=envelope.sender_id, key=envelope.conversation)
    applied = found.values_list("applied", flat=True).first() or 0
    return applied + 1


def outbox_rows(now=None, *, limit: int = 200) -> list[dict]:
    """The newest outgoing envelopes, what `trm outbox` lists."""
    now = now or timezone.now()
    # The first envelope the peer refused in each conversation: what is queued after it waits.
    stopped = {}
    for refused in OutgoingEnvelope.objects.filter(state=OutgoingEnvelope.State.REFUSED).order_by(
        "-pk"
    ):
        stopped[(refused.peer_id, refused.conversation)] = refused.pk
    return [
        {
            "id": envelope.pk,
            "message": envelope.message_id,
            "peer": envelope.peer.name,
            "type": envelope.type,
            "conversation": envelope.conversation,
            "sequence": envelope.sequence,
            "state": _listed_state(envelope, stopped),
            "attempts": envelope.attempts,
            "problem": envelope.refusal or envelope.last_problem or "-",
            "age": age(envelope.queued_at, now),
            "delivered after": age(envelope.queued_at, envelope.delivered_at)
            if envelope.delivered_at
            else "-",
        }
        for envelope in OutgoingEnvelope.objects.select_related("peer__node").order_by("-pk")[
            :limit
        ]
    ]


def _listed_state(envelope: OutgoingEnvelope, stopped: dict) -> str:
    """Delivered, and what the peer's receipt says applying it did there; or queued behind one
    the peer refused (`stopped`: the first refused envelope's pk of each conversation)."""
    if envelope.outcome:
        return f"{envelope.state}/{envelope.outcome}"
    first_refused = stopped.get((envelope.peer_id, envelope.conversation), envelope.pk)
    if envelope.state == OutgoingEnvelope.State.QUEUED and first_refused < envelope.pk:
        return "queued/stopped"
    return envelope.state


def inbox_rows(now=None, *, limit: int = 200) -> list[dict]:
    now = now or timezone.now()
    return [
        {
            "id": envelope.pk,
            "message": envelope.message_id,
            "peer": envelope.sender.name,
            "type": envelope.type,
            "conversation": envelope.conversation,
            "sequence": envelope.sequence,
            "state": envelope.outcome,
            "problem": envelope.refusal or "-",
            "age": age(envelope.received_at, now),
        }
        for envelope in IncomingEnvelope.objects.select_related("sender__node").order_by("-pk")[
            :limit
        ]
    ]


# --- each peer's state, for the status page -------------------------------------------------


@dataclass
class PeerStatus:
    peer: Peer
    queued: int
    oldest: OutgoingEnvelope | None  # the oldest envelope not acknowledged by a receipt
    oldest_age: datetime.timedelta | None
    refused: int  # by the peer's inbox, or when it applied them
    held: int  # delivered, and held there until the messages before them arrive
    delivered: int  # in the last 24 hours
    latency_p50: datetime.timedelta | None
    latency_p95: datetime.timedelta | None
    clock_skew: datetime.timedelta | None  # the peer's clock minus this node's
    received: int  # envelopes from the peer in the last 24 hours
    directory_age: datetime.timedelta | None  # of this node's copy of the peer's directory
    # Conversations the peer refused a message of before it could believe it: nothing after
    # it is sent until an operator sends it again.
    stopped: list[OutgoingEnvelope] = dataclasses.field(default_factory=list)
    # Messages from the peer held here longer than FEDERATION_HELD_ALERT_MINUTES.
    held_here: list[IncomingEnvelope] = dataclasses.field(default_factory=list)

    @property
    def breaker_open(self) -> bool:
        return self.peer.unreachable_since is not None


def percentile(values: list[float], share: float) -> float:
    """The nearest-rank percentile: a value that occurred, `share` of the values at or below."""
    ordered = sorted(values)
    return ordered[max(1, math.ceil(len(ordered) * share)) - 1]


def clock_skew(peer: Peer, delivered: list[OutgoingEnvelope]) -> datetime.timedelta | None:
    """The median, over the latest receipts, of the peer's time of receipt minus this node's
    time when the receipt came back: the peer's clock ahead (positive) or behind. The request's
    own time makes it at most that much too low."""
    key = OKPKey.import_key(peer.signing_key)
    offsets = []
    for envelope in delivered[:SKEW_SAMPLE]:
        try:
            receipt = read_receipt(envelope.receipt, key=key, envelope_hash=envelope.envelope_hash)
            received = datetime.datetime.fromisoformat(receipt["received"])
        except (ValueError, KeyError, TypeError):
            continue
        offsets.append((received - envelope.delivered_at).total_seconds())
    if not offsets:
        return None
    return datetime.timedelta(seconds=statistics.median(offsets))


def peer_statuses(now=None) -> list[PeerStatus]:
    now = now or timezone.now()
    since = now - LATENCY_WINDOW
    found = []
    for peer in Peer.objects.active().select_related("node").order_by("node__name"):
        sent = OutgoingEnvelope.objects.filter(peer=peer)
        waiting = sent.filter(state=OutgoingEnvelope.State.QUEUED)
        oldest = (
            sent.exclude(state=OutgoingEnvelope.State.DELIVERED).order_by("queued_at", "pk").first()
        )
        delivered = list(
            sent.filter(state=OutgoingEnvelope.State.DELIVERED, delivered_at__gte=since)
            .only("queued_at", "delivered_at", "receipt", "envelope_hash")
            .order_by("-delivered_at")
        )
        latencies = [(e.delivered_at - e.queued_at).total_seconds() for e in delivered]
        found.append(
            PeerStatus(
                peer=peer,
                queued=waiting.count(),
                oldest=oldest,
                oldest_age=now - oldest.queued_at if oldest else None,
                refused=sent.filter(
                    Q(state=OutgoingEnvelope.State.REFUSED) | Q(outcome=Outcome.REFUSED)
                ).count(),
                held=sent.filter(
                    state=OutgoingEnvelope.State.DELIVERED, outcome=Outcome.HELD
                ).count(),
                delivered=len(delivered),
                latency_p50=_seconds(percentile(latencies, 0.5)) if latencies else None,
                latency_p95=_seconds(percentile(latencies, 0.95)) if latencies else None,
                clock_skew=clock_skew(peer, delivered),
                received=IncomingEnvelope.objects.filter(
                    sender=peer, received_at__gte=since
                ).count(),
                directory_age=now - peer.node.directory_fetched_at
                if peer.node.directory_fetched_at
                else None,
                stopped=list(sent.filter(state=OutgoingEnvelope.State.REFUSED).order_by("pk")[:20]),
                held_here=list(
                    IncomingEnvelope.objects.filter(
                        sender=peer, outcome=Outcome.HELD, received_at__lt=now - held_too_long()
                    ).order_by("received_at", "pk")[:20]
                ),
            )
        )
    return found


def _seconds(value: float) -> datetime.timedelta:
    return datetime.timedelta(seconds=value)
