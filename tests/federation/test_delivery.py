"""Delivery between two real nodes: Albania (this test process, served by the live server) sends
to Greece (`trm serve` in its own process, data directory and SQLite database). What is queued
in a step arrives once, however often it is sent, and waits out a receiver that is down
(issue 12, item 4 and "Done means": receiver down then back, the same envelope twice)."""

import datetime
import sqlite3
import uuid

import pytest
import time_machine
from django.utils import timezone

from tests.core.test_cli import trm
from tests.federation.test_messages import example
from trm.audit.models import AuditEvent
from trm.federation.envelope import Message, Party
from trm.federation.identity import spoken_fingerprint
from trm.federation.models import OutgoingEnvelope, Peer
from trm.federation.operations import explain_outgoing, peer_statuses, retry
from trm.federation.outbox import deliver_due, queue
from trm.federation.peers import add_peer, fetch_document
from trm.lib.steps import step
from trm.referrals.crossing import deliveries


@pytest.fixture
def nodes(greece_pins_albania):
    """Greece pinned by this node, after Greece pinned it."""
    greece = greece_pins_albania
    add_peer(greece.address, greece.fingerprint, fetch_document(greece.address))
    return greece


@step
def offer_to(
    peer: Peer, sequence: int = 1, conversation: str = "6f7c1c2e-0d4b-4c3e-9a55-0d3c5b7f9e21"
) -> OutgoingEnvelope:
    return queue(
        Message(
            type="offer",
            sender=Party("al", "iom-albania"),
            recipient=Party("gr", "iom-greece"),
            conversation=conversation,
            sequence=sequence,
            previous="",
            expects="none",
            payload=example("offer"),
        ),
        peer,
    )


@pytest.mark.django_db(transaction=True)
def test_a_message_crosses_once_waits_out_a_receiver_that_is_down_and_is_never_doubled(nodes):
    greece = nodes
    peer = Peer.objects.get()

    first = offer_to(peer)
    assert deliver_due().delivered == 1
    first.refresh_from_db()
    assert first.state == OutgoingEnvelope.State.DELIVERED
    assert greece.envelopes_received() == [(first.message_id, "offer")]
    audited = AuditEvent.objects.filter(
        object_type="federation.outgoingenvelope", object_id=str(first.pk)
    ).values_list("action", "details")
    identifiers = {"peer": "gr", "message": first.message_id, "type": "offer"}
    assert list(audited) == [
        ("trm.envelope.queued", identifiers),
        ("trm.envelope.delivered", identifiers),
    ]

    # The receipt was lost: the same envelope is sent again, and answered the same receipt.
    receipt = first.receipt
    OutgoingEnvelope.objects.filter(pk=first.pk).update(state="queued", receipt="")
    assert deliver_due().delivered == 1
    first.refresh_from_db()
    assert first.receipt == receipt
    assert greece.envelopes_received() == [(first.message_id, "offer")]

    # Greece is down: the message waits, and the peer's circuit breaker holds the others back.
    greece.stop()
    second, third = offer_to(peer, 2), offer_to(peer, 3)
    tried = deliver_due()
    assert (tried.delivered, tried.retried) == (0, 1)
    assert deliver_due().retried == 0, "no second try before the backoff has passed"
    peer.refresh_from_db()
    assert peer.unreachable_since is not None
    second.refresh_from_db()
    assert second.state == OutgoingEnvelope.State.QUEUED
    assert second.attempts == 1
    assert second.last_problem

    # Back after a while: both arrive, in their order, once.
    greece.start()
    OutgoingEnvelope.objects.update(next_attempt_at=timezone.now())  # as if the wait had passed
    Peer.objects.update(next_contact_at=None)
    assert deliver_due().delivered == 2
    assert [m for m, _type in greece.envelopes_received()] == [
        first.message_id,
        second.message_id,
        third.message_id,
    ]
    peer.refresh_from_db()
    assert peer.unreachable_since is None


@pytest.mark.django_db(transaction=True)
def test_a_peer_that_refuses_an_envelope_is_not_sent_it_again(nodes):
    greece = nodes
    peer = Peer.objects.get()
    # Greece removes Albania's pin: it believes nothing from it any more.
    assert trm("peer", "remove", "al", home=greece.home).returncode == 0
    refused = offer_to(peer)
    assert deliver_due().refused == 1
    refused.refresh_from_db()
    assert refused.state == OutgoingEnvelope.State.REFUSED
    assert refused.last_problem == "refused_400_unknown_sender"
    assert deliver_due().refused == 0
    assert greece.envelopes_received() == []


@pytest.mark.django_db(transaction=True)
def test_the_oldest_message_goes_first_whatever_its_conversation(nodes):
    greece = nodes
    peer = Peer.objects.get()
    busy, other = "f0000000-0000-4000-8000-000000000001", "00000000-0000-4000-8000-000000000002"
    first = offer_to(peer, 1, busy)
    waiting = offer_to(peer, 1, other)
    later = offer_to(peer, 2, busy)
    assert deliver_due(threads=1).delivered == 3  # the order one worker thread takes
    assert [m for m, _type in greece.envelopes_received()] == [
        first.message_id,
        waiting.message_id,
        later.message_id,
    ], "the other referral's message waits behind no more than what was queued before it"


@pytest.mark.django_db(transaction=True)
def test_a_message_sent_again_hours_after_it_was_sealed_is_delivered_not_taken_for_a_replay(nodes):
    """The envelope keeps the time it was sealed (its hash is in its conversation's chain);
    each attempt carries a fresh delivery stamp, signed, which the receiver judges the clocks
    by. Without it, a receiver down for more than the clock window would refuse every message
    that waited for it as stale, for good."""
    greece = nodes
    peer = Peer.objects.get()
    with time_machine.travel(timezone.now() - datetime.timedelta(hours=2), tick=True):
        waited = offer_to(peer)
    assert deliver_due().delivered == 1
    assert [m for m, _type in greece.envelopes_received()] == [waited.message_id]


@pytest.mark.django_db(transaction=True)
def test_a_peer_whose_clock_is_ten_minutes_off_is_tried_again_not_given_up(nodes):
    greece = nodes
    peer = Peer.objects.get()
    waiting = offer_to(peer)
    with time_machine.travel(timezone.now() + datetime.timedelta(minutes=10), tick=True):
        tried = deliver_due()
    assert (tried.delivered, tried.refused, tried.retried) == (0, 0, 1)
    waiting.refresh_from_db()
    assert (waiting.state, waiting.last_problem) == ("queued", "clock_from_the_future")
    # The clocks agree again: it goes.
    OutgoingEnvelope.objects.update(next_attempt_at=timezone.now())
    Peer.objects.update(next_contact_at=None)
    assert deliver_due().delivered == 1
    assert [m for m, _type in greece.envelopes_received()] == [waiting.message_id]


# --- a conversation stopped behind a refused message, and a gap asked for ---------------------


@step
def questions_to(peer: Peer, conversation: str, count: int) -> list[OutgoingEnvelope]:
    return [
        queue(
            Message(
                type="ask",
                sender=Party("al", "iom-albania"),
                recipient=Party("gr", "iom-greece"),
                conversation=conversation,
                sequence=0,
                previous="",
                expects="received",
                payload={"question": f"Question {number}?"},
            ),
            peer,
        )
        for number in range(1, count + 1)
    ]


def settled_in_greece(greece, conversation: str) -> list[tuple[int, str, str]]:
    """(sequence, outcome, refusal) of what Greece keeps of `conversation`, in its order."""
    with sqlite3.connect(greece.home / "trm.sqlite3") as database:
        return database.execute(
            "SELECT sequence, outcome, refusal FROM federation_incomingenvelope "
            "WHERE conversation = ? ORDER BY sequence, id",
            (conversation,),
        ).fetchall()


@pytest.mark.django_db(transaction=True)
def test_a_refused_message_stops_its_conversation_until_it_is_sent_again(
    nodes, live_server, albania
):
    """Greece refuses the first message before it can believe it (it removed Albania's pin):
    it keeps no place for it, so the two after it are not sent, where they would wait for it
    for ever. Pinned again and the first sent again, all three arrive once, in order."""
    greece = nodes
    peer = Peer.objects.get()
    conversation = str(uuid.uuid4())
    assert trm("peer", "remove", "al", home=greece.home).returncode == 0
    first, second, third = questions_to(peer, conversation, 3)
    tried = deliver_due()
    assert (tried.delivered, tried.refused) == (0, 1)
    assert deliver_due().refused == 0, "nothing after the refused one is sent"
    assert settled_in_greece(greece, conversation) == []
    for waiting in (second, third):
        waiting.refresh_from_db()
        assert (waiting.state, waiting.attempts) == ("queued", 0)

    # What the operators see: the conversation stopped, and how to go on.
    first.refresh_from_db()
    explained = "\n".join(explain_outgoing(first))
    assert "the conversation is stopped at sequence 1" in explained
    assert f"'trm outbox --retry {first.pk}'" in explained
    assert "stopped: the peer refused ask" in "\n".join(explain_outgoing(second))
    (status,) = peer_statuses()
    assert [e.pk for e in status.stopped] == [first.pk]
    # And the people whose messages they are, on the referral's thread (and in the API).
    shown = deliveries(uuid.UUID(e.message_id) for e in (first, second, third))
    assert [shown[uuid.UUID(e.message_id)].state for e in (first, second, third)] == [
        "refused", "stopped", "stopped",
    ]  # fmt: skip
    assert shown[uuid.UUID(second.message_id)].reason.startswith(
        "The receiving node could not verify it. Nothing after it is sent"
    )

    # Greece pins Albania again; Albania's operator sends the first again.
    pinned = trm("peer", "add", live_server.url, "--fingerprint",
                 spoken_fingerprint(albania.fingerprint), home=greece.home)  # fmt: skip
    assert pinned.returncode == 0, pinned.stderr
    retry(first)
    assert deliver_due().delivered == 3
    # Applied in order, each once (the referrals there refuse questions about no referral).
    assert settled_in_greece(greece, conversation) == [
        (1, "refused", "unknown_referral"),
        (2, "refused", "unknown_referral"),
        (3, "refused", "unknown_referral"),
    ]


def copy_database(source, target) -> None:
    """SQLite's online backup: a consistent copy, whatever its journal holds."""
    origin, copy = sqlite3.connect(source), sqlite3.connect(target)
    try:
        origin.backup(copy)
    finally:
        origin.close()
        copy.close()


@pytest.mark.django_db(transaction=True)
def test_a_receiver_restored_from_a_backup_asks_for_what_it_lost_and_gets_it(nodes, tmp_path):
    """Greece is restored from a backup made before it got the second message: the third's
    receipt says Greece waits for the second, which Albania sends again at once."""
    greece = nodes
    peer = Peer.objects.get()
    conversation = str(uuid.uuid4())
    first, second, third = questions_to(peer, conversation, 3)
    OutgoingEnvelope.objects.filter(pk__in=[second.pk, third.pk]).update(
        next_attempt_at=timezone.now() + datetime.timedelta(days=1)
    )
    assert deliver_due().delivered == 1
    backup = tmp_path / "greece-backup.sqlite3"
    copy_database(greece.home / "trm.sqlite3", backup)
    OutgoingEnvelope.objects.filter(pk=second.pk).update(next_attempt_at=timezone.now())
    assert deliver_due().delivered == 1
    assert [s for s, _o, _r in settled_in_greece(greece, conversation)] == [1, 2]

    greece.stop()
    copy_database(backup, greece.home / "trm.sqlite3")
    greece.start()
    assert [s for s, _o, _r in settled_in_greece(greece, conversation)] == [1]

    OutgoingEnvelope.objects.filter(pk=third.pk).update(next_attempt_at=timezone.now())
    Peer.objects.update(next_contact_at=None)
    asked_at = timezone.now()
    assert deliver_due().delivered == 2, "the third, and the second sent again"
    assert [(s, o) for s, o, _r in settled_in_greece(greece, conversation)] == [
        (1, "refused"),
        (2, "refused"),
        (3, "refused"),
    ], "none held: the gap filled"
    second.refresh_from_db()
    assert second.state == "delivered"
    assert second.queued_at >= asked_at, "queued anew: no alert counts its first wait"
    third.refresh_from_db()
    assert (third.outcome, third.refusal) == ("refused", "unknown_referral"), (
        "held no more: the second's receipt said what became of it"
    )
    asked = AuditEvent.objects.get(action="trm.envelope.asked_again")
    assert asked.details["from"] == 2
    assert asked.details["messages"] == [second.message_id]
