"""Rotating a node's keys (issue 12, item 1): a new signing and encryption key, announced in a
document signed by the old signing key and the new one, with an overlap during which both are
believed. Two real nodes: Greece (`trm serve` in its own process, rotating with `trm node
rotate-keys`) and Albania (this test process), each with a data directory of its own here, so
that the session's nodes keep the keys the other tests pinned."""

import base64
import datetime
import json
import os
import sqlite3
import subprocess
import sys
import textwrap
import uuid

import pytest
import time_machine
from django.utils import timezone
from joserfc import jws
from joserfc.jwk import OKPKey

from tests.core.test_cli import trm
from tests.federation.conftest import ONE_AT_A_TIME, GreekNode
from trm.audit.models import AuditEvent
from trm.directory.models import Node as DirectoryNode
from trm.federation.envelope import EnvelopeRefused, Message, Party, open_envelope, seal
from trm.federation.identity import (
    init_node,
    public_jwk,
    read_signed_document,
    sign_announcement,
    signed_document,
    spoken_fingerprint,
    this_node,
)
from trm.federation.models import IncomingEnvelope, OutgoingEnvelope, Peer
from trm.federation.outbox import deliver_due, queue
from trm.federation.peers import (
    RotationRefused,
    accept_rotation,
    add_peer,
    check_peer_keys,
    fetch_document,
    learn_rotation,
    pinned,
    rotate_own_keys,
    signing_keys_of,
)
from trm.federation.receipts import read_receipt, sign_receipt
from trm.lib.errors import DomainError
from trm.lib.steps import step

# Queued on the Greek node, in its own process and database; its worker sends it.
GREEK_SENDS = """
import os, sys
import django
os.environ["DJANGO_SETTINGS_MODULE"] = "trm.settings"
django.setup()
from trm.federation.envelope import Message, Party
from trm.federation.models import Peer
from trm.federation.outbox import queue
from trm.lib.steps import step

@step
def send():
    return queue(
        Message(type="ask", sender=Party("gr", "iom-greece"),
                recipient=Party("al", "iom-albania"), conversation=sys.argv[1], sequence=1,
                previous="", expects="received", payload={"question": "Is she safe?"}),
        Peer.objects.active().get(node__name="al"),
    )

print(send().message_id)
"""


class Greece:
    """A Greek node of this module's own, and what its database holds."""

    def __init__(self, node: GreekNode):
        self.node = node
        self.home, self.address, self.fingerprint = node.home, node.address, node.fingerprint

    def sends(self) -> str:
        """Queue a message to Albania on the Greek node; its message id."""
        clean = {k: v for k, v in os.environ.items() if not k.startswith(("TRM_", "DJANGO_"))}
        done = subprocess.run(  # noqa: S603
            [sys.executable, "-c", textwrap.dedent(GREEK_SENDS), str(uuid.uuid4())],
            env={**clean, "TRM_HOME": str(self.home)}, capture_output=True, text=True,
            timeout=300, check=False,
        )  # fmt: skip
        assert done.returncode == 0, done.stderr[-3000:]
        return done.stdout.split()[-1]

    def deliver(self):
        done = trm("worker", "--once", home=self.home, env=ONE_AT_A_TIME)
        assert done.returncode == 0, done.stderr[-3000:]

    def query(self, sql: str, *parameters):
        with sqlite3.connect(self.home / "trm.sqlite3") as database:
            return database.execute(sql, parameters).fetchall()

    def sent_state(self, message_id: str) -> str:
        [(state,)] = self.query(
            "SELECT state FROM federation_outgoingenvelope WHERE message_id = ?", message_id
        )
        return state

    def received(self) -> list[str]:
        return [m for (m,) in self.query("SELECT message_id FROM federation_incomingenvelope")]

    def pin_of_albania(self) -> tuple[str, str]:
        [found] = self.query(
            "SELECT fingerprint, previous_fingerprint FROM federation_peer WHERE removed_at IS NULL"
        )
        return found


@pytest.fixture
def albania(settings, tmp_path, live_server):
    """This process as the Albanian node, with keys of its own for this test."""
    home = tmp_path / "albania"
    settings.TRM_HOME = home
    settings.NODE_KEY_FILE = home / "keys" / "node_ed25519.pem"
    settings.NODE_ENCRYPTION_KEY_FILE = home / "keys" / "node_x25519.pem"
    return init_node(name="al", countries=["AL"], address=live_server.url)


@pytest.fixture
def greece(tmp_path, albania, live_server):
    """A Greek node that pinned this node, and is pinned here."""
    node = GreekNode(tmp_path / "greece")
    node.start()
    try:
        made = trm("peer", "add", live_server.url, "--fingerprint",
                   spoken_fingerprint(albania.fingerprint), home=node.home)  # fmt: skip
        assert made.returncode == 0, made.stderr
        add_peer(node.address, node.fingerprint, fetch_document(node.address))
        yield Greece(node)
    finally:
        node.stop()


@step
def albania_sends(peer: Peer) -> OutgoingEnvelope:
    return queue(
        Message(
            type="ask",
            sender=Party("al", "iom-albania"),
            recipient=Party("gr", "iom-greece"),
            conversation=str(uuid.uuid4()),
            sequence=1,
            previous="",
            expects="received",
            payload={"question": "Is she safe?"},
        ),
        peer,
    )


def audited(action: str) -> list[dict]:
    return list(AuditEvent.objects.filter(action=action).values_list("details", flat=True))


@pytest.mark.django_db(transaction=True)
def test_greece_rotates_its_keys_and_albania_keeps_exchanging_with_it(greece, albania):
    peer = Peer.objects.get()
    old = peer.fingerprint
    # Sealed before the rotation: to the Greek encryption key pinned then, and on the Greek
    # node with its old signing key.
    early = albania_sends(peer)
    early_greek = greece.sends()

    rotated = trm("node", "rotate-keys", "--overlap-days", "10", home=greece.home)
    assert rotated.returncode == 0, rotated.stderr
    assert "previous ones are valid until" in rotated.stdout
    shown = trm("node", "show", home=greece.home).stdout
    document = json.loads(shown[: shown.rindex("}") + 1])
    new = document["fingerprint"]
    assert new != old
    assert document["previous"]["signing"]["kid"] == old
    until = datetime.datetime.fromisoformat(document["previous"]["until"])
    assert until - timezone.now() > datetime.timedelta(days=9, hours=23)
    assert "previous keys valid until" in shown
    # Its public document shows both pairs, and the announcement, until the overlap ends.
    published, _key = read_signed_document(fetch_document(greece.address))
    assert published["keys"]["signing"]["kid"] == new
    assert published["previous"]["signing"]["kid"] == old
    assert "rotation" in published

    # The early envelope opens with Greece's previous encryption key; its receipt is signed
    # by the new signing key, which Albania learns from the announcement.
    assert deliver_due().delivered == 1
    early.refresh_from_db()
    assert early.state == OutgoingEnvelope.State.DELIVERED
    assert early.message_id in greece.received()
    peer.refresh_from_db()
    assert (peer.fingerprint, peer.previous_fingerprint) == (new, old)
    assert abs(peer.previous_until - until) < datetime.timedelta(seconds=1)
    assert peer.encryption_key["kid"] == document["keys"]["encryption"]["kid"]
    [event] = audited("trm.peer.keys_rotated")
    assert (event["peer"], event["fingerprint"], event["previous"]) == ("gr", new, old)
    listed = trm("peer", "list", home=greece.home)  # Greece's own list is unchanged
    assert "keys as pinned" in listed.stdout

    # What Albania seals now goes to the new encryption key; what Greece signs with the new
    # key is believed.
    later = albania_sends(peer)
    assert deliver_due().delivered == 1
    assert later.message_id in greece.received()
    message_id = greece.sends()
    greece.deliver()
    assert greece.sent_state(early_greek) == greece.sent_state(message_id) == "delivered"
    assert IncomingEnvelope.objects.filter(message_id__in=[early_greek, message_id]).count() == 2
    assert len(audited("trm.peer.keys_rotated")) == 1, "learnt once"


@pytest.mark.django_db(transaction=True)
def test_albania_rotates_and_greece_learns_it_from_the_first_envelope_signed_by_the_new_key(
    greece, albania
):
    # Sealed on the Greek node to Albania's encryption key before Albania rotates.
    early = greece.sends()
    node = rotate_own_keys(overlap_days=14)
    assert node.previous.signing_key.thumbprint() == albania.fingerprint
    [event] = audited("trm.node.keys_rotated")
    assert (event["fingerprint"], event["previous"]) == (node.fingerprint, albania.fingerprint)
    with pytest.raises(DomainError, match="rotated already"):
        rotate_own_keys(overlap_days=14)

    # Signed by the new key: Greece's inbox does not know it, fetches the announcement from
    # this node, checks the old key's signature against its pin, and takes the envelope.
    sent = albania_sends(Peer.objects.get())
    assert deliver_due().delivered == 1
    assert sent.message_id in greece.received()
    assert greece.pin_of_albania() == (node.fingerprint, albania.fingerprint)
    listed = trm("peer", "list", home=greece.home).stdout
    assert "rotated, previous keys until" in listed
    assert listed.rstrip().endswith("active")

    # Greece's early envelope, sealed to the previous encryption key, still opens here; one
    # sealed now goes to the new key.
    later = greece.sends()
    greece.deliver()
    assert greece.sent_state(early) == greece.sent_state(later) == "delivered"
    assert IncomingEnvelope.objects.filter(message_id__in=[early, later]).count() == 2
    [(envelope,)] = greece.query(
        "SELECT envelope FROM federation_outgoingenvelope WHERE message_id = ?", later
    )
    header = json.loads(_b64(envelope.split(".")[0]))
    assert header["kid"] == node.encryption_key.thumbprint()


def _b64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


@pytest.mark.django_db(transaction=True)
def test_the_worker_learns_a_rotation_while_nothing_is_exchanged_and_only_once(greece, albania):
    rotated = trm("node", "rotate-keys", home=greece.home)
    assert rotated.returncode == 0, rotated.stderr
    assert check_peer_keys() == 1
    peer = Peer.objects.get()
    assert spoken_fingerprint(peer.fingerprint) in rotated.stdout
    # The announcement is still published: fetched again, it is the one pinned already.
    pinned_now = Peer.objects.values().get()
    assert check_peer_keys() == 0
    assert Peer.objects.values().get() == pinned_now
    assert len(audited("trm.peer.keys_rotated")) == 1
    assert audited("trm.peer.rotation_refused") == []


@pytest.mark.django_db(transaction=True)
def test_a_forged_announcement_served_by_the_peer_pins_nothing(greece, albania):
    peer = Peer.objects.get()
    pinned_before = (peer.fingerprint, peer.signing_key, peer.encryption_key)
    # Someone who holds the Greek node's address but not its key announces keys of theirs.
    thief = OKPKey.generate_key("Ed25519")
    stolen = OKPKey.generate_key("Ed25519"), OKPKey.generate_key("X25519")
    forged = announcement("gr", thief, OKPKey.generate_key("X25519"), *stolen)
    node_file = greece.home / "node.json"
    rotated = trm("node", "rotate-keys", home=greece.home)
    assert rotated.returncode == 0, rotated.stderr
    document = json.loads(node_file.read_text())
    document["previous"]["announcement"] = forged
    node_file.write_text(json.dumps(document))

    assert learn_rotation(peer) is False
    peer.refresh_from_db()
    assert (peer.fingerprint, peer.signing_key, peer.encryption_key) == pinned_before
    [event] = audited("trm.peer.rotation_refused")
    assert event == {"peer": "gr", "code": "bad_signature"}
    assert audited("trm.peer.keys_rotated") == []
    # And asked again at once, the peer's document is not fetched again.
    assert learn_rotation(peer) is False
    assert len(audited("trm.peer.rotation_refused")) == 1


# Without servers: a peer pinned here by keys this test holds. -------------------------------


def keys():
    return OKPKey.generate_key("Ed25519"), OKPKey.generate_key("X25519")


def announcement(node, old_signing, old_encryption, new_signing, new_encryption, **times):
    now = timezone.now()
    return sign_announcement(
        node=node,
        old_signing=old_signing,
        old_encryption=old_encryption,
        new_signing=new_signing,
        new_encryption=new_encryption,
        created=times.get("created", now),
        until=times.get("until", now + datetime.timedelta(days=14)),
    )


def impostor_signed(genuine: dict, slot: int) -> dict:
    """`genuine`'s content, its signature in `slot` (0 the old key's, 1 the new one's) made by
    another key under the same kid."""
    payload = _b64(genuine["payload"])
    signatures = []
    for place, member in enumerate(genuine["signatures"]):
        if place == slot:
            header = json.loads(_b64(member["protected"]))
            impostor = OKPKey.generate_key("Ed25519")
            flat = jws.serialize_json(
                {"protected": header}, payload, impostor, algorithms=["Ed25519"]
            )
            member = {"protected": flat["protected"], "signature": flat["signature"]}
        signatures.append(member)
    return {"payload": genuine["payload"], "signatures": signatures}


@pytest.fixture
def portugal(db):
    """A peer pinned here by its first keys (the test holds their private halves)."""
    signing, encryption = keys()
    Peer.objects.create(
        node=DirectoryNode.objects.create(name="pt", base_url="http://127.0.0.1:3"),
        countries=["PT"],
        signing_key=public_jwk(signing, use="sig"),
        encryption_key=public_jwk(encryption, use="enc"),
        fingerprint=signing.thumbprint(),
    )
    return signing, encryption


def test_an_announcement_signed_by_the_pinned_key_and_the_new_one_pins_the_new_keys(portugal):
    old, new = portugal, keys()
    assert accept_rotation("pt", announcement("pt", *old, *new)) is True
    peer = Peer.objects.get()
    assert (peer.fingerprint, peer.previous_fingerprint) == (
        new[0].thumbprint(),
        old[0].thumbprint(),
    )
    assert pinned(new[0].thumbprint())[1].thumbprint() == new[0].thumbprint()
    assert pinned(old[0].thumbprint())[1].thumbprint() == old[0].thumbprint()
    # The same announcement again (the peer publishes it until the overlap ends): no change.
    assert accept_rotation("pt", announcement("pt", *old, *new)) is False
    assert len(audited("trm.peer.keys_rotated")) == 1


@pytest.mark.parametrize(
    "forgery",
    [
        "signed_by_another_old_key",
        "old_key_did_not_sign",
        "new_key_did_not_sign",
        "another_node",
        "overlap_ended",
    ],
)
def test_an_announcement_that_may_not_be_believed_changes_nothing(portugal, forgery):
    old, new = portugal, keys()
    if forgery == "signed_by_another_old_key":
        made, code = announcement("pt", *keys(), *new), "bad_signature"
    elif forgery == "new_key_did_not_sign":
        # The old key vouches for a new key, but someone else signed in its name: whoever
        # announced it does not hold it.
        made, code = impostor_signed(announcement("pt", *old, *new), 1), "bad_signature"
    elif forgery == "old_key_did_not_sign":
        # It names the pinned key as the one before, but that key did not sign it.
        made, code = impostor_signed(announcement("pt", *old, *new), 0), "bad_signature"
    elif forgery == "another_node":
        made, code = announcement("es", *old, *new), "another_node"
    else:
        past = timezone.now() - datetime.timedelta(days=1)
        made = announcement("pt", *old, *new, created=past - datetime.timedelta(days=14),
                            until=past)  # fmt: skip
        code = "overlap_ended"
    before = Peer.objects.values().get()
    with pytest.raises(RotationRefused) as refused:
        accept_rotation("pt", made)
    assert refused.value.code == code
    assert Peer.objects.values().get() == before
    assert audited("trm.peer.keys_rotated") == []


def test_a_replayed_older_announcement_changes_nothing(portugal):
    first, second, third = portugal, keys(), keys()
    older = announcement("pt", *first, *second)
    assert accept_rotation("pt", older)
    with time_machine.travel(timezone.now() + datetime.timedelta(days=15)):
        assert accept_rotation("pt", announcement("pt", *second, *third))
        before = Peer.objects.values().get()
        # Replayed after the next rotation: signed by a key that is no longer the pin.
        with pytest.raises(RotationRefused):
            accept_rotation("pt", older)
    assert Peer.objects.values().get() == before


def test_after_the_overlap_the_peers_old_signing_key_is_refused(portugal):
    old, new = portugal, keys()
    accept_rotation("pt", announcement("pt", *old, *new))
    peer = Peer.objects.get()
    receipt = sign_receipt(key=old[0], node="pt", envelope_hash="e" * 64, message_id="m",
                           received_at=timezone.now(), outcome="applied")  # fmt: skip
    assert read_receipt(receipt, key=signing_keys_of(peer), envelope_hash="e" * 64)
    with time_machine.travel(peer.previous_until - datetime.timedelta(minutes=1)):
        assert pinned(old[0].thumbprint()) is not None
    with time_machine.travel(peer.previous_until + datetime.timedelta(seconds=1)):
        assert pinned(old[0].thumbprint()) is None
        assert pinned(new[0].thumbprint()) is not None
        with pytest.raises(ValueError, match="not a receipt signed by the peer"):
            read_receipt(receipt, key=signing_keys_of(peer), envelope_hash="e" * 64)


def test_after_the_overlap_this_nodes_old_encryption_key_opens_nothing(settings, tmp_path, db):
    settings.TRM_HOME = tmp_path
    settings.NODE_KEY_FILE = tmp_path / "keys" / "node_ed25519.pem"
    settings.NODE_ENCRYPTION_KEY_FILE = tmp_path / "keys" / "node_x25519.pem"
    before = init_node(name="al", countries=["AL"], address="http://127.0.0.1:1")
    after = rotate_own_keys(overlap_days=3)
    greek = OKPKey.generate_key("Ed25519")
    message = Message(type="offer", sender=Party("gr", "o"), recipient=Party("al", "o"),
                      conversation="c", sequence=1, previous="", expects="none",
                      payload={}, id="m", created="x", expires="x")  # fmt: skip
    envelope = seal(message, signing_key=greek, recipient_key=before.encryption_key)

    def opened(node):
        return open_envelope(envelope, node="al", encryption_key=node.decryption_keys(),
                             pinned=lambda kid: ("gr", greek))  # fmt: skip

    assert opened(this_node()).message.id == "m"
    # The first signing key stays on disk (it signs the audit checkpoints); envelopes and the
    # node document are signed with the new one.
    assert settings.NODE_KEY_FILE.exists()
    assert read_signed_document(signed_document(after))[1].thumbprint() == after.fingerprint
    with time_machine.travel(after.previous.until + datetime.timedelta(seconds=1)):
        node = this_node()
        assert node.previous is None
        with pytest.raises(EnvelopeRefused) as refused:
            opened(node)
        assert refused.value.code == "not_for_this_node"
        assert "previous" not in json.loads(_b64(signed_document(node).split(".")[1]))
        # Now it may rotate again; the retired encryption key is deleted.
        rotate_own_keys(overlap_days=3)
        assert not settings.NODE_ENCRYPTION_KEY_FILE.exists()
        assert settings.NODE_KEY_FILE.exists()


def test_init_again_after_a_rotation_keeps_the_keys_and_the_next_rotation_makes_new_files(
    settings, tmp_path, db
):
    settings.TRM_HOME = tmp_path
    settings.NODE_KEY_FILE = tmp_path / "keys" / "node_ed25519.pem"
    settings.NODE_ENCRYPTION_KEY_FILE = tmp_path / "keys" / "node_x25519.pem"
    init_node(name="al", countries=["AL"], address="http://127.0.0.1:1")
    rotated = rotate_own_keys(overlap_days=1)
    again = init_node(name="al", countries=["AL", "XK"], address="http://127.0.0.1:1")
    assert again.fingerprint == rotated.fingerprint
    assert again.previous == rotated.previous
    (document := json.loads((tmp_path / "node.json").read_text())).pop("generation")
    (tmp_path / "node.json").write_text(json.dumps(document))  # as written before it was kept
    with time_machine.travel(timezone.now() + datetime.timedelta(days=2)):
        latest = rotate_own_keys(overlap_days=1)
        assert latest.previous.signing_key.thumbprint() == rotated.fingerprint
        assert this_node().fingerprint == latest.fingerprint != rotated.fingerprint
