"""What the people of a node see of a message they sent to another node: delivered, then read
by a person of the organisation it is to, then answered by it (issue 12, item 6).

One real node, this test process, and a pinned peer whose identity (real keys) the test holds:
what the peer sends is sealed with its key and posted to this node's inbox, and what this node
queues for it is opened with its key, as the peer would open it."""

import datetime
import uuid

import pytest
from django.db import transaction
from django.urls import reverse

from tests.api.conftest import token_api
from tests.federation.test_envelope import Node, public, sealed
from tests.federation.test_inbox import deliver
from tests.federation.test_messages import example
from tests.referrals.journeys import Journey
from tests.synth.test_pages import signed_in
from trm.directory.models import Node as DirectoryNode
from trm.federation.envelope import Message, Party, open_envelope, stamped
from trm.federation.models import IncomingEnvelope, Outcome, OutgoingEnvelope, Peer
from trm.federation.outbox import Delivered, _delivered, deliver_due
from trm.federation.receipts import sign_receipt
from trm.referrals import actions
from trm.referrals.crossing import envoy
from trm.referrals.inbox import thread
from trm.referrals.models import MessageKind, Referral, ReferralMessage

pytestmark = pytest.mark.django_db

SECOND = datetime.timedelta(seconds=1)  # the API gives times to the millisecond


class Peer_:
    """The other node, as the test holds it: its keys, its name, what it has sent so far."""

    def __init__(self, name: str, this_node):
        self.keys, self.this_node, self.sent = Node(name), this_node, {}
        self.name = name
        self.node = DirectoryNode.objects.create(name=name, base_url="http://127.0.0.1:2")
        self.pin = Peer.objects.create(
            node=self.node,
            countries=["XX"],
            signing_key=public(self.keys.signing).as_dict(),
            encryption_key=public(self.keys.encryption).as_dict(),
            fingerprint=self.keys.signing.thumbprint(),
        )

    def hosts(self, organisation):
        organisation.hosted_on = self.node
        organisation.save(update_fields=["hosted_on"])
        return organisation

    def says(self, type_: str, payload: dict, *, referral, sender, recipient, refused=""):
        """Post this node the peer's next message of the referral's conversation."""
        from trm.federation.envelope import message_hash

        conversation = str(referral if isinstance(referral, str) else referral.pk)
        sequence, previous = self.sent.get(conversation, (0, ""))
        message = stamped(
            Message(
                id=str(uuid.uuid4()),
                type=type_,
                sender=Party(self.name, sender.slug),
                recipient=Party("al", recipient.slug),
                conversation=conversation,
                sequence=sequence + 1,
                previous=previous,
                expects="received",
                payload=payload,
            ),
            now=datetime.datetime.now(datetime.UTC),
            lifetime=datetime.timedelta(hours=1),
        )
        self.sent[conversation] = (sequence + 1, message_hash(message))
        answer = deliver(sealed(message, self.keys, self.this_node))
        assert answer.status_code == 200, answer.content
        stored = IncomingEnvelope.objects.get(message_id=message.id)
        assert (stored.outcome, stored.refusal) == (
            (Outcome.REFUSED, refused) if refused else (Outcome.APPLIED, "")
        )
        return message

    def receipts(self, envelope: OutgoingEnvelope) -> None:
        """The peer's signed receipt for `envelope` comes back to this node's worker."""
        receipt = sign_receipt(
            key=self.keys.signing, node=self.name, envelope_hash=envelope.envelope_hash,
            message_id=envelope.message_id, received_at=datetime.datetime.now(datetime.UTC),
            outcome=Outcome.APPLIED,
        )  # fmt: skip
        _delivered(envelope, receipt.encode(), datetime.datetime.now(datetime.UTC), Delivered())

    def reads(self, envelope: OutgoingEnvelope):
        """The message in an envelope this node queued for the peer, as the peer opens it."""
        here = self.this_node
        return open_envelope(
            envelope.envelope, node=self.name, encryption_key=self.keys.encryption,
            pinned={here.signing.thumbprint(): ("al", public(here.signing))}.get,
        ).message  # fmt: skip


@pytest.fixture
def this_node(albania):
    """This node (tests/federation/conftest.py), its keys as the envelope tests hold them."""
    node = Node("al")
    node.signing, node.encryption = albania.signing_key, albania.encryption_key
    return node


@pytest.fixture
def peer(this_node, directory):
    return Peer_("tr", this_node)


def reads_sent_to(peer) -> list[Message]:
    return [peer.reads(e) for e in OutgoingEnvelope.objects.filter(type="read").order_by("pk")]


def delivery_in_the_api(api, referral, message) -> dict:
    answer = api.get(f"/api/referrals/{referral.pk}/thread")
    assert answer.status_code == 200, answer.content
    return next(m for m in answer.json() if m["id"] == str(message.pk))["delivery"]


def test_the_sender_sees_its_referral_read_then_answered_on_the_other_node(personas, peer):
    journey = Journey(personas)
    peer.hosts(journey.receiver)
    referral = journey.send(journey.to_referral())
    offer = OutgoingEnvelope.objects.get(type="offer")
    peer.receipts(offer)
    sent = referral.messages.get(kind=MessageKind.SEND)
    page, api = signed_in(journey.worker), token_api(journey.sender)
    assert delivery_in_the_api(api, referral, sent)["state"] == "delivered"

    # A person of the receiving organisation opens it there: its node says so.
    opened_at = datetime.datetime(2027, 4, 1, 9, 12, 30, tzinfo=datetime.UTC)
    peer.says("read", {"message": str(sent.pk), "read_at": opened_at.isoformat()},
              referral=referral, sender=journey.receiver, recipient=journey.sender)  # fmt: skip
    delivery = delivery_in_the_api(api, referral, sent)
    assert (delivery["state"], delivery["read_at"]) == ("read", "2027-04-01T09:12:30Z")
    assert delivery["since"] == delivery["read_at"]
    shown = page.get(reverse("referrals:referral", args=[referral.pk])).content.decode()
    assert "Read on the node tr (" in shown

    # A second notice for the same message (its node sent it again) changes nothing.
    peer.says("read", {"message": str(sent.pk), "read_at": "2027-04-02T10:00:00+00:00"},
              referral=referral, sender=journey.receiver, recipient=journey.sender)  # fmt: skip
    assert delivery_in_the_api(api, referral, sent)["read_at"] == "2027-04-01T09:12:30Z"

    # It accepts: the referral is answered.
    accepted = peer.says("accept", example("accept"), referral=referral,
                         sender=journey.receiver, recipient=journey.sender)  # fmt: skip
    delivery = delivery_in_the_api(api, referral, sent)
    assert delivery["state"] == "answered"
    answered_at = datetime.datetime.fromisoformat(delivery["answered_at"])
    assert abs(answered_at - datetime.datetime.fromisoformat(accepted.created)) < SECOND
    shown = page.get(reverse("referrals:referral", args=[referral.pk])).content.decode()
    assert "Answered on the node tr (" in shown

    # The other node cannot say its own acceptance was read: only what this side sent.
    read_here = ReferralMessage.objects.get(pk=accepted.id).read_at  # by the sender's system
    peer.says("read", {"message": accepted.id, "read_at": "2027-04-02T10:00:00+00:00"},
              referral=referral, sender=journey.receiver, recipient=journey.sender,
              refused="not_their_message")  # fmt: skip
    assert ReferralMessage.objects.get(pk=accepted.id).read_at == read_here

    # The acceptance came from the other node: opening the thread here (page and API, twice)
    # tells it once that the sender read it; nothing of what this node's side wrote is told.
    read = reads_sent_to(peer)
    assert [m.payload["message"] for m in read] == [accepted.id]
    assert set(read[0].payload) == {"message", "read_at"}, "nobody is named"
    assert read[0].recipient == Party("tr", journey.receiver.slug)


def test_the_receiving_node_tells_once_per_message_that_it_was_read(personas, peer):
    journey = Journey(personas)
    sender = peer.hosts(journey.sender)
    referral_id = str(uuid.uuid4())
    offered = peer.says(
        "offer", {**example("offer"), "referral": referral_id, "reference": "ES-2027-00001"},
        referral=referral_id, sender=sender, recipient=journey.receiver,
    )  # fmt: skip
    referral = Referral.objects.get(pk=referral_id)
    # The envoy that stands for the sender here, reading the thread, reads nothing for anyone.
    thread(envoy(sender), referral)
    assert reads_sent_to(peer) == []

    worker = journey.receiving_worker
    signed_in(worker).get(reverse("referrals:referral", args=[referral.pk]))
    signed_in(worker).get(reverse("referrals:referral", args=[referral.pk]))
    read = reads_sent_to(peer)
    assert [m.payload["message"] for m in read] == [offered.id]
    assert read[0].type == "read"
    with transaction.atomic():
        first_read = ReferralMessage.objects.get(pk=offered.id).read_at
    assert read[0].payload["read_at"] == first_read.isoformat()

    # It asks a question; the sender's node answers it: the question is answered, and the
    # answer (from there) is read once the worker opens the thread; the question (from here)
    # never is.
    question = actions.ask_for_information(worker, referral, "Does she have a passport?")
    api = token_api(journey.receiver)
    assert delivery_in_the_api(api, referral, question)["state"] == "queued"
    answered = peer.says(
        "answer", {"text": "Yes, with the police.", "in_reply_to": str(question.pk)},
        referral=referral, sender=sender, recipient=journey.receiver,
    )  # fmt: skip
    delivery = delivery_in_the_api(api, referral, question)
    assert delivery["state"] == "answered"
    thread(worker, referral)
    assert [m.payload["message"] for m in reads_sent_to(peer)] == [offered.id, answered.id]


@pytest.mark.django_db(transaction=True)
def test_the_sender_sees_a_refused_referral_and_what_waits_behind_it(
    personas, this_node, live_server
):
    """The other node's address answers with an inbox that cannot open what this node sealed
    for it (encrypted to another key): refused before it was believed. The withdrawal after it
    is not sent, and the thread says why, in words."""
    peer = Peer_("tr", this_node)
    DirectoryNode.objects.filter(pk=peer.node.pk).update(base_url=live_server.url)
    journey = Journey(personas)
    peer.hosts(journey.receiver)
    referral = journey.send(journey.to_referral())
    assert deliver_due().refused == 1
    journey.run(actions.cancel_referral, journey.worker, referral, "She changed her mind.")
    assert deliver_due().refused == 0, "nothing is sent past the refused offer"

    api = token_api(journey.sender)
    sent = referral.messages.get(kind=MessageKind.SEND)
    cancelled = referral.messages.get(kind=MessageKind.CANCEL)
    assert delivery_in_the_api(api, referral, sent)["state"] == "refused"
    assert delivery_in_the_api(api, referral, sent)["refusal"] == "not_for_this_node"
    waiting = delivery_in_the_api(api, referral, cancelled)
    assert (waiting["state"], waiting["refusal"]) == ("stopped", "not_for_this_node")
    shown = signed_in(journey.worker).get(reverse("referrals:referral", args=[referral.pk]))
    text = shown.content.decode()
    assert "Not sent yet to the node tr: an earlier message of this referral was refused" in text
    assert "The receiving node could not verify it. Nothing after it is sent until" in text
