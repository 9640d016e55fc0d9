"""Delivery between two real nodes: Albania (this test process, served by the live server) sends
to Greece (`trm serve` in its own process, data directory and SQLite database). What is queued
in a step arrives once, however often it is sent, and waits out a receiver that is down
(issue 12, item 4 and "Done means": receiver down then back, the same envelope twice)."""

import datetime

import pytest
import time_machine
from django.utils import timezone

from tests.core.test_cli import trm
from tests.federation.test_messages import example
from trm.audit.models import AuditEvent
from trm.federation.envelope import Message, Party
from trm.federation.models import OutgoingEnvelope, Peer
from trm.federation.outbox import deliver_due, queue
from trm.federation.peers import add_peer, fetch_document
from trm.lib.steps import step


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
