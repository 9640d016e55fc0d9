"""The inbox: a pinned peer's envelope is stored once and answered with a signed receipt; a
duplicate, however late, gets the same receipt; anything else is refused with a code and a
reason and stores nothing; a conversation's messages are applied in their sender's order, an early
one held until the gap fills (issue 12, item 4 and the fault list of "Done means")."""

import datetime
import logging

import pytest
import time_machine
from django.test import Client
from joserfc import jwe, jws
from joserfc.jwk import OKPKey

from tests.federation.test_envelope import Node, offer, public, sealed
from tests.federation.test_messages import example
from trm.audit.models import AuditEvent
from trm.federation.envelope import (
    MAX_ENVELOPE_BYTES,
    Party,
    canonical,
    message_hash,
    stamped,
)
from trm.federation.models import Conversation, IncomingEnvelope, Outcome, Peer
from trm.federation.receipts import read_receipt

pytestmark = pytest.mark.django_db

INBOX = "/federation/inbox"


@pytest.fixture
def albania(albania):
    """This node (tests/federation/conftest.py), its keys as the envelope tests hold them."""
    return Node.holding(albania)


@pytest.fixture
def greece(albania):
    """The Greek node's keys, pinned here as a peer."""
    return Node("gr").pinned_here()


def now_offer(**changes):
    return offer(now=datetime.datetime.now(datetime.UTC), **changes)


def deliver(envelope: str | bytes):
    data = envelope.encode() if isinstance(envelope, str) else envelope
    return Client().post(INBOX, data, content_type="application/jose")


def test_an_envelope_from_a_pinned_peer_is_stored_and_receipted(greece, albania):
    message = now_offer()
    envelope = sealed(message, greece, albania)
    answer = deliver(envelope)
    assert answer.status_code == 200, answer.content
    stored = IncomingEnvelope.objects.get()
    assert (stored.message_id, stored.type, stored.sequence) == (message.id, "offer", 1)
    assert stored.envelope == envelope
    receipt = read_receipt(
        answer.content.decode(), key=public(albania.signing), envelope_hash=stored.envelope_hash
    )
    assert receipt["message"] == message.id
    assert receipt["node"] == "al"
    event = AuditEvent.objects.get(action="trm.envelope.received")
    assert event.details == {"peer": "gr", "message": message.id, "type": "offer"}


def test_the_same_envelope_delivered_twice_gets_the_same_receipt_and_is_stored_once(
    greece, albania
):
    envelope = sealed(now_offer(), greece, albania)
    first, second = deliver(envelope), deliver(envelope)
    assert first.status_code == second.status_code == 200
    assert first.content == second.content
    assert IncomingEnvelope.objects.count() == 1
    assert AuditEvent.objects.filter(action="trm.envelope.received").count() == 1


def test_a_duplicate_a_day_later_still_gets_its_receipt_but_a_new_envelope_then_is_stale(
    greece, albania
):
    envelope = sealed(now_offer(), greece, albania)
    first = deliver(envelope)
    never_delivered = sealed(now_offer(), greece, albania)
    with time_machine.travel(datetime.datetime.now(datetime.UTC) + datetime.timedelta(days=1)):
        assert deliver(envelope).content == first.content
        replayed = deliver(never_delivered)
    assert replayed.status_code == 400
    assert replayed.json()["code"] in {"stale", "expired"}
    assert IncomingEnvelope.objects.count() == 1


def test_another_envelope_reusing_a_message_id_is_refused(greece, albania):
    message = now_offer()
    assert deliver(sealed(message, greece, albania)).status_code == 200
    other = stamped(
        type(message)(**{**message.__dict__, "payload": {**message.payload, "message": "Other"}}),
        now=datetime.datetime.now(datetime.UTC), lifetime=datetime.timedelta(hours=1),
    )  # fmt: skip
    refused = deliver(sealed(other, greece, albania))
    assert refused.status_code == 409
    assert refused.json()["code"] == "reused_id"
    assert IncomingEnvelope.objects.count() == 1


def encrypted(content: bytes, receiver, *, zip_header=False) -> str:
    """`content` encrypted to `receiver` as an envelope would be, whatever it is."""
    header = {"alg": "ECDH-ES+A256KW", "enc": "A256GCM", "kid": receiver.encryption.thumbprint()}
    if zip_header:
        header["zip"] = "DEF"
    return jwe.encrypt_compact(header, content, public(receiver.encryption))


def signed(content: bytes, sender) -> bytes:
    """`content` signed by `sender` as a message would be, whatever it is."""
    return jws.serialize_compact(
        {"alg": "Ed25519", "kid": sender.signing.thumbprint()}, content, sender.signing,
        algorithms=["Ed25519"],
    ).encode()  # fmt: skip


def off_schema(greece, albania):
    payload = {**example("offer"), "given_name": "Elira", "reference": "Elira Hoxha " * 3}
    return sealed(now_offer(payload=payload), greece, albania)


BAD_INPUT = {
    "unpinned sender": (
        lambda greece, albania: sealed(now_offer(), Node("gr"), albania), 400, "unknown_sender"
    ),
    "addressed to another node": (
        lambda greece, albania: sealed(now_offer(to="ma"), greece, albania), 400,
        "not_for_this_node",
    ),
    "encrypted to another key": (
        lambda greece, albania: sealed(now_offer(), greece, Node("al")), 400, "not_for_this_node"
    ),
    "not a JWE": (lambda greece, albania: "not an envelope", 400, "malformed"),
    "a JWE of garbage": (lambda greece, albania: "eyJ.@@.!!.~~.%%", 400, "malformed"),
    "a JWE holding no JWS": (
        lambda greece, albania: encrypted(b"just some words", albania), 400, "malformed"
    ),
    "a signed message that is not JSON": (
        lambda greece, albania: encrypted(signed(b"{not json", greece), albania), 400,
        "malformed",
    ),
    "a signed JSON that is not an object": (
        lambda greece, albania: encrypted(signed(b'["offer", 1]', greece), albania), 400,
        "malformed",
    ),
    "a message missing its fields": (
        lambda greece, albania: encrypted(signed(b'{"type": "offer"}', greece), albania), 400,
        "malformed",
    ),
    "a signed message nested too deep": (
        lambda greece, albania: encrypted(
            signed(b'{"payload": ' + b"[" * 5000 + b"]" * 5000 + b"}", greece), albania
        ),
        400,
        "malformed",
    ),
    # Out of the published schema's bounds: it could not take a place in a conversation.
    "a conversation id too long to keep": (
        lambda greece, albania: sealed(now_offer(conversation="c" * 65), greece, albania), 400,
        "malformed",
    ),
    "a place before the first": (
        lambda greece, albania: sealed(now_offer(sequence=0), greece, albania), 400, "malformed"
    ),
    "a place past what a database counts": (
        lambda greece, albania: sealed(now_offer(sequence=2**31), greece, albania), 400,
        "malformed",
    ),
    "a previous hash that is not one": (
        lambda greece, albania: sealed(now_offer(previous="../x"), greece, albania), 400,
        "malformed",
    ),
    "an organisation name too long to keep": (
        lambda greece, albania: sealed(now_offer(recipient=Party("al", "o" * 65)), greece, albania),
        400, "malformed",
    ),
    "compressed": (
        lambda greece, albania: encrypted(
            signed(canonical(now_offer().as_json()), greece), albania, zip_header=True
        ),
        400,
        "compressed",
    ),
}  # fmt: skip


@pytest.mark.parametrize(("make", "status", "code"), BAD_INPUT.values(), ids=BAD_INPUT)
def test_what_may_not_be_believed_is_refused_with_a_code_and_changes_nothing(
    greece, albania, make, status, code, caplog
):
    envelope = make(greece, albania)
    events = AuditEvent.objects.count()
    with caplog.at_level(logging.WARNING, logger="trm.federation.inbox"):
        refused = deliver(envelope)
    assert refused.status_code == status
    assert refused.json()["code"] == code
    assert refused.json()["detail"].endswith(".")
    assert not IncomingEnvelope.objects.exists()
    assert AuditEvent.objects.count() == events
    # The refusal's line (an unknown sender also makes this node look for a key rotation).
    lines = [r.getMessage().split()[:3] for r in caplog.records if r.name == "trm.federation.inbox"]
    assert lines == [["envelope", "refused:", code]]
    assert "Elira" not in caplog.text


# Signed by the pinned peer for this node, refused for what it says: kept in its place.
CONTENT_REFUSED = {
    "an unknown type": (
        lambda greece, albania: sealed(now_offer(type="everything"), greece, albania),
        "unknown_type",
    ),
    "a receipt as a message": (
        lambda greece, albania: sealed(now_offer(type="receipt", payload=example("receipt")),
                                       greece, albania),
        "not_a_message",
    ),
    "a payload off its schema": (off_schema, "schema_violation"),
    "an empty payload": (
        lambda greece, albania: sealed(now_offer(type="accept", payload={}), greece, albania),
        "schema_violation",
    ),
}  # fmt: skip


@pytest.mark.parametrize(("make", "code"), CONTENT_REFUSED.values(), ids=CONTENT_REFUSED)
def test_what_the_peer_signed_but_may_not_be_applied_is_kept_refused_in_its_place(
    greece, albania, make, code, caplog
):
    with caplog.at_level(logging.WARNING, logger="trm.federation.inbox"):
        receipt = delivered(make(greece, albania), albania)
    assert (receipt["outcome"], receipt["refusal"]) == (Outcome.REFUSED, code)
    stored = IncomingEnvelope.objects.get()
    assert (stored.outcome, stored.refusal, stored.applied_at) == (Outcome.REFUSED, code, None)
    # Its place is taken: the conversation goes on past it.
    assert Conversation.objects.get().applied == 1
    lines = [r.getMessage().split()[:3] for r in caplog.records if r.name == "trm.federation.inbox"]
    assert lines == [["envelope", "refused:", code]]
    assert "Elira" not in caplog.text


def test_a_schema_violation_tells_the_sender_where_and_how_never_what(greece, albania, caplog):
    with caplog.at_level(logging.WARNING, logger="trm.federation.inbox"):
        receipt = delivered(off_schema(greece, albania), albania)
    assert receipt["problem"] == "reference: string_too_long; *: extra_forbidden"
    assert "Elira" not in str(receipt)
    assert "reference: string_too_long" in caplog.text


def test_a_message_refused_for_its_content_lets_the_ones_after_it_apply(greece, albania):
    """Without its place settled, the messages after a refused one would be held for ever."""
    first, second, third = chain(3)
    broken = type(second)(**{**second.__dict__, "payload": {"question": ""}})  # off its schema
    # Sealed as its sender sealed it: the chain names the message as it was sent.
    third = type(third)(**{**third.__dict__, "previous": message_hash(broken)})
    delivered(sealed(first, greece, albania), albania)
    receipt = delivered(sealed(broken, greece, albania), albania)
    assert (receipt["outcome"], receipt["refusal"]) == (Outcome.REFUSED, "schema_violation")
    # Not held: applied (the referrals refuse a question about no referral they know).
    after = delivered(sealed(third, greece, albania), albania)
    assert (after["outcome"], after["refusal"]) == (Outcome.REFUSED, "unknown_referral")
    assert Conversation.objects.get().applied == 3


def test_an_early_message_refused_for_its_content_takes_its_place_when_the_gap_fills(
    greece, albania
):
    first, second, third = chain(3)
    broken = type(second)(**{**second.__dict__, "payload": {"question": ""}})
    third = type(third)(**{**third.__dict__, "previous": message_hash(broken)})
    assert delivered(sealed(third, greece, albania), albania)["waiting_for"] == 1
    receipt = delivered(sealed(broken, greece, albania), albania)
    assert (receipt["outcome"], receipt["refusal"], receipt["waiting_for"]) == (
        Outcome.REFUSED, "schema_violation", 1,
    )  # fmt: skip
    delivered(sealed(first, greece, albania), albania)
    assert Conversation.objects.get().applied == 3
    settled = IncomingEnvelope.objects.order_by("sequence").values_list("outcome", "refusal")
    assert list(settled) == [
        (Outcome.REFUSED, "unknown_referral"),  # applied, and refused by the referrals
        (Outcome.REFUSED, "schema_violation"),
        (Outcome.REFUSED, "unknown_referral"),
    ]


def test_the_reason_of_a_refusal_is_in_the_language_the_sender_asks_for(albania):
    refused = Client().post(
        INBOX, b"not an envelope", content_type="application/jose", HTTP_ACCEPT_LANGUAGE="fr"
    )
    assert refused.json() == {
        "code": "malformed",
        "detail": "L'enveloppe n'est pas un JWE compact contenant un message signé.",
    }


def test_an_altered_envelope_is_refused(greece, albania):
    header, key, iv, ciphertext, tag = sealed(now_offer(), greece, albania).split(".")
    altered = ciphertext[:-3] + ("AAA" if not ciphertext.endswith("AAA") else "BBB")
    refused = deliver(".".join([header, key, iv, altered, tag]))
    assert refused.json()["code"] == "undecryptable"
    assert not IncomingEnvelope.objects.exists()


def test_an_oversized_body_is_refused_from_its_length(greece, albania):
    refused = deliver(b"a" * (MAX_ENVELOPE_BYTES + 1))
    assert refused.status_code == 413
    assert refused.json()["code"] == "too_large"
    assert not IncomingEnvelope.objects.exists()


def test_an_oversized_body_is_refused_before_it_is_read(greece, albania, monkeypatch):
    def read(*args):
        raise AssertionError("the body was read")

    monkeypatch.setattr("trm.federation.views.receive", read)
    refused = Client().post(
        INBOX, b"short", content_type="application/jose", CONTENT_LENGTH=str(MAX_ENVELOPE_BYTES + 1)
    )
    assert refused.status_code == 413
    assert refused.json()["code"] == "too_large"


def test_a_removed_peer_is_not_believed_any_more(greece, albania):
    Peer.objects.update(removed_at=datetime.datetime.now(datetime.UTC))
    refused = deliver(sealed(now_offer(), greece, albania))
    assert refused.json()["code"] == "unknown_sender"


def test_the_inbox_takes_only_posts(albania):
    assert Client().get(INBOX).status_code == 405


def test_a_node_without_an_identity_has_no_inbox(settings, tmp_path):
    settings.TRM_HOME = tmp_path
    settings.NODE_ENCRYPTION_KEY_FILE = tmp_path / "keys" / "none.pem"
    assert deliver(".".join(["e30"] * 5)).status_code == 404


def test_the_receipt_is_signed_by_this_node_alone(greece, albania):
    envelope = sealed(now_offer(), greece, albania)
    answer = deliver(envelope)
    stored = IncomingEnvelope.objects.get()
    with pytest.raises(ValueError, match="not a receipt"):
        read_receipt(answer.content.decode(), key=public(OKPKey.generate_key("Ed25519")),
                     envelope_hash=stored.envelope_hash)  # fmt: skip
    with pytest.raises(ValueError, match="another envelope"):
        read_receipt(answer.content.decode(), key=public(albania.signing), envelope_hash="0" * 64)


# --- order: a conversation's messages are applied as their sender numbered them --------------


def delivered(envelope: str, albania) -> dict:
    answer = deliver(envelope)
    assert answer.status_code == 200, answer.content
    stored = IncomingEnvelope.objects.get(envelope=envelope)
    return read_receipt(
        answer.content.decode(), key=public(albania.signing), envelope_hash=stored.envelope_hash
    )


def chain(count: int) -> list:
    """`count` messages of one conversation, each naming the one before it."""
    messages, previous = [], ""
    for sequence in range(1, count + 1):
        message = now_offer(type="ask", sequence=sequence, previous=previous,
                            payload={"question": f"Question {sequence}?"})  # fmt: skip
        messages.append(message)
        previous = message_hash(message)
    return messages


def test_an_early_message_is_held_until_the_one_before_it_arrives(greece, albania):
    first, second, third = chain(3)
    held = delivered(sealed(third, greece, albania), albania)
    # The receipt asks for the message the conversation waits for.
    assert (held["outcome"], held["waiting_for"]) == (Outcome.HELD, 1)
    assert delivered(sealed(second, greece, albania), albania)["outcome"] == Outcome.HELD
    conversation = Conversation.objects.get()
    assert conversation.applied == 0
    # The first arrives: it is applied, and then the two it held back, in their order; its
    # receipt tells the sender what became of them.
    receipt = delivered(sealed(first, greece, albania), albania)
    assert [(s["message"], s["outcome"]) for s in receipt["settled"]] == [
        (second.id, Outcome.REFUSED), (third.id, Outcome.REFUSED),  # no such referral here
    ]  # fmt: skip
    conversation.refresh_from_db()
    assert conversation.applied == 3
    assert conversation.last_applied_hash == message_hash(third)
    assert Outcome.HELD not in set(IncomingEnvelope.objects.values_list("outcome", flat=True))


def test_a_message_whose_link_to_the_previous_does_not_hold_is_refused(greece, albania):
    first, _second = chain(2)
    forged = now_offer(type="ask", sequence=2, previous="0" * 64, payload={"question": "?"})
    delivered(sealed(first, greece, albania), albania)
    receipt = delivered(sealed(forged, greece, albania), albania)
    assert (receipt["outcome"], receipt["refusal"]) == (Outcome.REFUSED, "broken_chain")


def test_a_place_in_the_conversation_taken_twice_is_refused(greece, albania):
    first, _second = chain(2)
    again = now_offer(type="ask", sequence=1, previous="", payload={"question": "Again?"})
    delivered(sealed(first, greece, albania), albania)
    receipt = delivered(sealed(again, greece, albania), albania)
    assert (receipt["outcome"], receipt["refusal"]) == (Outcome.REFUSED, "out_of_sequence")


# --- the delivery stamp: each attempt's time, signed by the sender ---------------------------


def stamped_delivery(envelope: str, greece, *, at) -> object:
    from trm.federation.envelope import delivery_stamp, envelope_hash

    stamp = delivery_stamp(signing_key=greece.signing, node="gr",
                           envelope_hash=envelope_hash(envelope), at=at)  # fmt: skip
    return Client().post(INBOX, envelope.encode(), content_type="application/jose",
                         headers={"TRM-Delivery": stamp})  # fmt: skip


@pytest.mark.parametrize(
    ("minutes", "code"), [(10, "from_the_future"), (-10, "stale"), (4, None), (-4, None)]
)
def test_a_delivery_stamped_by_a_clock_ten_minutes_off_is_refused_four_is_not(
    greece, albania, minutes, code
):
    sent_at = datetime.datetime.now(datetime.UTC)
    # Sealed half an hour ago and sent again now: the stamp, not the message, says when.
    envelope = sealed(offer(now=sent_at - datetime.timedelta(minutes=30), type="ask",
                            expects="received", payload={"question": "Is she safe?"}),
                      greece, albania)  # fmt: skip
    answer = stamped_delivery(envelope, greece, at=sent_at + datetime.timedelta(minutes=minutes))
    if code is None:
        assert answer.status_code == 200, answer.content
    else:
        assert answer.json()["code"] == code
        assert not IncomingEnvelope.objects.exists()


def test_a_stamp_another_key_signed_or_for_another_envelope_is_refused(greece, albania):
    now = datetime.datetime.now(datetime.UTC)
    envelope = sealed(now_offer(type="ask", expects="received", payload={"question": "?"}),
                      greece, albania)  # fmt: skip
    impostor = Node("gr")
    assert stamped_delivery(envelope, impostor, at=now).json()["code"] == "bad_signature"
    other = sealed(now_offer(type="ask", expects="received", payload={"question": "!"}),
                   greece, albania)  # fmt: skip
    from trm.federation.envelope import delivery_stamp, envelope_hash

    stamp = delivery_stamp(signing_key=greece.signing, node="gr",
                           envelope_hash=envelope_hash(other), at=now)  # fmt: skip
    answer = Client().post(INBOX, envelope.encode(), content_type="application/jose",
                           headers={"TRM-Delivery": stamp})  # fmt: skip
    assert answer.json()["code"] == "malformed"
    assert not IncomingEnvelope.objects.exists()
