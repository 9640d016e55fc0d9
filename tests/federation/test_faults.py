"""Nodes killed while envelopes cross (issue 12, "Done means": the sender killed with -9 between
writing the outbox and delivering; the receiver killed after storing but before answering).

A stream of messages in a few conversations crosses while one side is killed outright, then
started again: every message arrives exactly once, in its conversation's order, and nothing is
left half done. Greece is `trm serve` in its own process (tests/federation/conftest.py);
Albania is this test process, served by the live server.
"""

import json
import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
import threading
import time
import uuid

import pytest
from django.db import OperationalError
from django.utils import timezone

from tests.core.test_cli import trm
from tests.federation.conftest import ONE_AT_A_TIME
from trm.federation.envelope import Message, Party
from trm.federation.models import IncomingEnvelope, Outcome, OutgoingEnvelope, Peer
from trm.federation.outbox import deliver_due, queue
from trm.federation.peers import add_peer, fetch_document
from trm.lib.steps import step

pytestmark = pytest.mark.django_db(transaction=True)

MESSAGES = 40
CONVERSATIONS = 4


@pytest.fixture
def nodes(greece_pins_albania):
    greece = greece_pins_albania
    add_peer(greece.address, greece.fingerprint, fetch_document(greece.address))
    return greece


def questions(sender: str, recipient: str, conversations: list[str]):
    """The stream: questions in `conversations`, taking turns."""
    for number in range(MESSAGES):
        yield Message(
            type="ask",
            sender=Party(sender, "iom-greece" if sender == "gr" else "iom-albania"),
            recipient=Party(recipient, "iom-albania" if sender == "gr" else "iom-greece"),
            conversation=conversations[number % len(conversations)],
            sequence=0,
            previous="",
            expects="received",
            payload={"question": f"Question {number}?"},
        )


@step
def queued_to(peer: Peer, conversations: list[str]) -> list[OutgoingEnvelope]:
    return [queue(message, peer) for message in questions("al", "gr", conversations)]


def arrived() -> int:
    """How many envelopes Albania stored so far. The live server writes meanwhile: on SQLite's
    shared in-memory test database a read can meet its table lock, and is then tried again."""
    while True:
        try:
            return IncomingEnvelope.objects.count()
        except OperationalError:
            time.sleep(0.05)


def until(condition, *, seconds=120.0):
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "waited too long"
        time.sleep(0.1)


def greek_conversations(greece, keys) -> dict[str, int]:
    with sqlite3.connect(greece.home / "trm.sqlite3") as database:
        marks = ",".join("?" * len(keys))
        return dict(database.execute(
            f"SELECT key, applied FROM federation_conversation WHERE key IN ({marks})",  # noqa: S608
            keys).fetchall())  # fmt: skip


def test_a_receiver_killed_while_a_stream_arrives_loses_and_doubles_nothing(nodes):
    greece = nodes
    peer = Peer.objects.get()
    conversations = [str(uuid.uuid4()) for _ in range(CONVERSATIONS)]
    sent = queued_to(peer, conversations)

    # Kill Greece outright once a part has arrived: some envelopes are stored there and their
    # answers never leave; others are in flight.
    def kill_when_a_part_arrived():
        until(lambda: len(greece.envelopes_received()) >= MESSAGES // 4)
        greece.kill()

    killer = threading.Thread(target=kill_when_a_part_arrived)
    killer.start()
    while killer.is_alive():
        deliver_due(limit=1)
    killer.join()
    assert not greece.running
    assert len(greece.envelopes_received()) < MESSAGES, "killed too late to show anything"

    greece.start()
    while OutgoingEnvelope.objects.filter(state=OutgoingEnvelope.State.QUEUED).exists():
        # As if the backoff had passed: the peer is tried again now.
        OutgoingEnvelope.objects.update(next_attempt_at=timezone.now())
        Peer.objects.update(next_contact_at=None)
        deliver_due()

    received = greece.envelopes_received()
    assert sorted(message for message, _type in received) == sorted(e.message_id for e in sent)
    # Each conversation applied whole, in order, every message once.
    assert greek_conversations(greece, conversations) == dict.fromkeys(
        conversations, MESSAGES // CONVERSATIONS
    )
    assert set(OutgoingEnvelope.objects.values_list("outcome", flat=True)) != {Outcome.HELD}


GREEK_STREAM = """
import json, os, sys
import django
os.environ["DJANGO_SETTINGS_MODULE"] = "trm.settings"
django.setup()
from trm.federation.envelope import Message, Party
from trm.federation.models import Peer
from trm.federation.outbox import queue
from trm.lib.steps import step

conversations = json.loads(sys.argv[1])

@step
def stream():
    peer = Peer.objects.active().get(node__name="al")
    for number in range(%(messages)d):
        queue(Message(type="ask", sender=Party("gr", "iom-greece"),
                      recipient=Party("al", "iom-albania"),
                      conversation=conversations[number %% len(conversations)], sequence=0,
                      previous="", expects="received",
                      payload={"question": f"Question {number}?"}), peer)

stream()
"""


def test_a_sender_killed_while_delivering_its_outbox_loses_and_doubles_nothing(nodes):
    greece = nodes
    conversations = [str(uuid.uuid4()) for _ in range(CONVERSATIONS)]
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("TRM_", "DJANGO_"))}
    env = {**clean, "TRM_HOME": str(greece.home), "TRM_FEDERATION_DELIVERY_LEASE_SECONDS": "2",
           **ONE_AT_A_TIME}  # fmt: skip
    # The outbox is written in Greece's step; its worker is not running yet.
    script = textwrap.dedent(GREEK_STREAM) % {"messages": MESSAGES}
    written = subprocess.run(  # noqa: S603
        [sys.executable, "-c", script, json.dumps(conversations)],
        env=env, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert written.returncode == 0, written.stderr[-3000:]
    assert IncomingEnvelope.objects.count() == 0

    worker = subprocess.Popen(  # noqa: S603
        [sys.executable, "-m", "trm.cli", "worker"], env=env, start_new_session=True,
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        until(lambda: arrived() >= MESSAGES // 4)
    finally:
        os.killpg(worker.pid, signal.SIGKILL)
        worker.wait(timeout=30)
    assert arrived() < MESSAGES, "killed too late to show anything"

    time.sleep(2.5)  # the dead worker's lease on what it was sending runs out
    again = trm("worker", "--once", home=greece.home,
                env={"TRM_FEDERATION_DELIVERY_LEASE_SECONDS": "2", **ONE_AT_A_TIME})  # fmt: skip
    assert again.returncode == 0, again.stderr[-3000:]

    assert IncomingEnvelope.objects.count() == MESSAGES
    assert IncomingEnvelope.objects.values("message_id").distinct().count() == MESSAGES
    assert IncomingEnvelope.objects.filter(outcome=Outcome.HELD).count() == 0
    for conversation in conversations:
        sequences = list(
            IncomingEnvelope.objects.filter(conversation=conversation)
            .order_by("applied_at", "id")
            .values_list("sequence", flat=True)
        )
        assert sorted(sequences) == list(range(1, MESSAGES // CONVERSATIONS + 1))
