"""Envelopes between nodes: what a Greek node seals for an Albanian one opens there, exactly as
sent, and nothing else does (issue 12, item 3 and the fault list of "Done means")."""

import base64
import datetime

import pytest
from joserfc import jwe, jws
from joserfc.jwk import OKPKey

from tests.federation.test_messages import example
from trm.federation.envelope import (
    MAX_ENVELOPE_BYTES,
    EnvelopeRefused,
    Message,
    Party,
    canonical,
    check_times,
    message_hash,
    open_envelope,
    seal,
    stamped,
)

NOW = datetime.datetime(2026, 12, 3, 12, 0, tzinfo=datetime.UTC)
SKEW = datetime.timedelta(minutes=5)
HOUR = datetime.timedelta(hours=1)


class Node:
    def __init__(self, name):
        self.name = name
        self.signing = OKPKey.generate_key("Ed25519")
        self.encryption = OKPKey.generate_key("X25519")
        self.pins = {}

    def pin(self, peer: "Node"):
        self.pins[peer.signing.thumbprint()] = (peer.name, public(peer.signing))

    @classmethod
    def holding(cls, identity) -> "Node":
        """This node's identity (`trm.federation.identity`), its keys as these tests hold them."""
        node = cls(identity.name)
        node.signing, node.encryption = identity.signing_key, identity.encryption_key
        return node

    def pinned_here(self) -> "Node":
        """This peer pinned in the test database, as `trm peer add` pins one."""
        from trm.directory.models import Node as DirectoryNode
        from trm.federation.models import Peer

        Peer.objects.create(
            node=DirectoryNode.objects.create(name=self.name, base_url="http://127.0.0.1:2"),
            countries=[self.name.upper()],
            signing_key=public(self.signing).as_dict(),
            encryption_key=public(self.encryption).as_dict(),
            fingerprint=self.signing.thumbprint(),
        )
        return self

    def open(self, envelope, *, now=NOW):
        opened = open_envelope(
            envelope, node=self.name, encryption_key=self.encryption, pinned=self.pins.get
        )
        check_times(opened.message, now=now, skew=SKEW)
        return opened


def public(key: OKPKey) -> OKPKey:
    return OKPKey.import_key(key.as_dict(private=False))


@pytest.fixture
def greece():
    return Node("gr")


@pytest.fixture
def albania(greece):
    node = Node("al")
    node.pin(greece)
    return node


def offer(to="al", *, sender="gr", now=NOW, **changes) -> Message:
    message = Message(
        type="offer",
        sender=Party(sender, "iom-greece"),
        recipient=Party(to, "iom-albania"),
        conversation="c6d7e1f0-5c8a-4f0e-9d59-4a8f2f6a1b11",
        sequence=1,
        previous="",
        expects="none",
        payload=example("offer"),
        consent="7b1d",
    )
    return stamped(Message(**{**message.__dict__, **changes}), now=now, lifetime=HOUR)


def sealed(message, sender, receiver) -> str:
    return seal(message, signing_key=sender.signing, recipient_key=public(receiver.encryption))


def refused(receiver, envelope, **options) -> str:
    with pytest.raises(EnvelopeRefused) as caught:
        receiver.open(envelope, **options)
    return caught.value.code


def test_a_sealed_offer_opens_on_its_recipient_node_exactly_as_sent(greece, albania):
    message = offer()
    opened = albania.open(sealed(message, greece, albania))
    assert opened.message == message
    assert opened.sender_node == "gr"
    assert len(opened.hash) == 64
    assert message_hash(opened.message) == message_hash(message)


def test_nothing_of_the_message_is_readable_in_the_envelope(greece, albania):
    envelope = sealed(offer(payload={"given_name": "Elira"}), greece, albania)
    parts = [
        base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)) for part in envelope.split(".")
    ]
    for hidden in (b"Elira", b"iom-greece", b"offer"):
        assert not any(hidden in part for part in parts)


def test_a_payload_altered_in_transit_is_refused(greece, albania):
    envelope = sealed(offer(), greece, albania)
    header, key, iv, ciphertext, tag = envelope.split(".")
    flipped = ciphertext[:10] + ("A" if ciphertext[10] != "A" else "B") + ciphertext[11:]
    assert refused(albania, ".".join([header, key, iv, flipped, tag])) == "undecryptable"


def test_a_message_signed_by_an_unpinned_key_is_refused(greece, albania):
    impostor = Node("gr")  # claims to be Greece, with a key nobody pinned
    assert refused(albania, sealed(offer(), impostor, albania)) == "unknown_sender"


def test_a_signature_made_with_another_key_under_the_pinned_keys_name_is_refused(greece, albania):
    forger = OKPKey.generate_key("Ed25519")
    signed = jws.serialize_compact(
        {"alg": "Ed25519", "kid": greece.signing.thumbprint()},
        canonical(offer().as_json()), forger, algorithms=["Ed25519"],
    )  # fmt: skip
    envelope = jwe.encrypt_compact(
        {"alg": "ECDH-ES+A256KW", "enc": "A256GCM", "kid": albania.encryption.thumbprint()},
        signed.encode(), public(albania.encryption),
    )  # fmt: skip
    assert refused(albania, envelope) == "bad_signature"


def test_a_message_addressed_to_another_node_is_refused(greece, albania):
    morocco = Node("ma")
    # Encrypted to Morocco's key: Albania cannot even decrypt it.
    assert refused(albania, sealed(offer("ma"), greece, morocco)) == "not_for_this_node"
    # Encrypted to Albania but naming Morocco inside the signature (a relayed message).
    assert refused(albania, sealed(offer("ma"), greece, albania)) == "not_for_this_node"


def test_a_pinned_node_cannot_speak_for_another(greece, albania):
    assert refused(albania, sealed(offer(sender="ma"), greece, albania)) == "sender_mismatch"


def test_an_envelope_replayed_a_day_later_is_refused(greece, albania):
    envelope = sealed(offer(), greece, albania)
    assert refused(albania, envelope, now=NOW + datetime.timedelta(days=1)) == "stale"


@pytest.mark.parametrize(
    ("sender_clock", "code"),
    [
        (datetime.timedelta(minutes=10), "from_the_future"),
        (-datetime.timedelta(minutes=10), "stale"),
    ],
)
def test_clocks_skewed_by_ten_minutes_are_refused_and_four_are_not(
    greece, albania, sender_clock, code
):
    assert refused(albania, sealed(offer(now=NOW + sender_clock), greece, albania)) == code
    within = NOW + sender_clock * 0.4
    assert albania.open(sealed(offer(now=within), greece, albania)).message.type == "offer"


def test_an_expired_message_is_refused(greece, albania):
    message = stamped(
        offer(), now=NOW - datetime.timedelta(minutes=2), lifetime=datetime.timedelta(minutes=1)
    )
    assert refused(albania, sealed(message, greece, albania)) == "expired"


def test_a_compressed_envelope_is_refused_before_it_is_inflated(greece, albania):
    signed = jws.serialize_compact(
        {"alg": "Ed25519", "kid": greece.signing.thumbprint()},
        canonical(offer().as_json()), greece.signing, algorithms=["Ed25519"],
    )  # fmt: skip
    envelope = jwe.encrypt_compact(
        {"alg": "ECDH-ES+A256KW", "enc": "A256GCM", "zip": "DEF",
         "kid": albania.encryption.thumbprint()},
        signed.encode(), public(albania.encryption),
    )  # fmt: skip
    assert refused(albania, envelope) == "compressed"


@pytest.mark.parametrize("characters", [60_000, 200_000, 2_000_000])
def test_a_large_package_opens_on_its_recipient_node(greece, albania, characters):
    # A package of many records with long narratives: far over joserfc's default limits.
    package = {**example("package"), "message": "Ελπίδα " * (characters // 7)}
    message = offer(type="package", payload=package)
    envelope = sealed(message, greece, albania)
    assert len(envelope) > characters
    assert albania.open(envelope).message == message


def test_an_oversized_envelope_is_refused_unread(albania):
    assert refused(albania, "a." * (MAX_ENVELOPE_BYTES // 2 + 1)) == "too_large"


@pytest.mark.parametrize(
    "garbage", ["", "not an envelope", "a.b.c.d.e", "{}", "e30.e30.e30.e30.e30"]
)
def test_garbage_is_refused_as_malformed(albania, garbage):
    assert refused(albania, garbage) in {"malformed", "wrong_algorithm", "not_for_this_node"}


def test_an_unknown_type_is_refused(greece, albania):
    assert (
        refused(albania, sealed(offer(type="transfer_everything"), greece, albania))
        == "unknown_type"
    )


def test_a_message_with_fields_of_the_wrong_kind_is_refused(greece, albania):
    assert refused(albania, sealed(offer(sequence="1"), greece, albania)) == "malformed"
    assert refused(albania, sealed(offer(sequence=True), greece, albania)) == "malformed"


def test_every_refusal_has_a_reason_in_words(greece, albania):
    from trm.federation.envelope import REFUSALS

    with pytest.raises(EnvelopeRefused) as caught:
        albania.open(sealed(offer(), Node("gr"), albania))
    assert caught.value.reason == str(REFUSALS["unknown_sender"])
    assert all(str(reason).endswith(".") for reason in REFUSALS.values())
