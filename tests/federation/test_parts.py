"""The inbox's part endpoint: a document's encrypted bytes are taken only with the signed envelope
that names their hash, from a pinned peer, under the receiver's size limit; anything else is
refused with a code and keeps nothing (issue 12, item 3)."""

import dataclasses
import datetime

import pytest
from django.test import Client

from tests.federation.test_envelope import Node, offer, sealed
from trm.federation.envelope import message_hash
from trm.federation.models import IncomingEnvelope, IncomingPart, Peer
from trm.federation.parts import ENVELOPE_LENGTH_HEADER, PART_PATH, seal_part, take_part

pytestmark = pytest.mark.django_db


@pytest.fixture
def albania(albania):
    """This node (conftest.py), its keys as the envelope tests hold them."""
    return Node.holding(albania)


@pytest.fixture
def greece(albania):
    """The Greek node's keys, pinned here as a peer."""
    return Node("gr").pinned_here()


DOCUMENT_ID = "3c2b1a09-8f7e-4d6c-9b5a-4e3d2c1b0a98"
PDF = b"%PDF-1.4\n" + b"a scanned passport " * 100


def document_message(reference: dict):
    payload = {
        "document": {
            "id": DOCUMENT_ID, "name": "passport.pdf", "media_type": "application/pdf",
            "size": len(PDF), "category": "documents",
            "uploaded_at": "2026-12-04T09:30:00+00:00",
        },
        "part": reference,
    }  # fmt: skip
    return offer(now=datetime.datetime.now(datetime.UTC), type="document", payload=payload)


def post(envelope: str | bytes, part: bytes, *, length=None):
    sealed_bytes = envelope.encode() if isinstance(envelope, str) else envelope
    headers = {} if length is False else {ENVELOPE_LENGTH_HEADER: str(length or len(sealed_bytes))}
    return Client().post(PART_PATH, sealed_bytes + part, content_type="application/octet-stream",
                         headers=headers)  # fmt: skip


def nothing_kept():
    return not IncomingEnvelope.objects.exists() and not IncomingPart.objects.exists()


def test_a_part_with_its_envelope_is_receipted_once_and_kept_only_until_applied(greece, albania):
    ciphertext, reference = seal_part(PDF, bound_to=DOCUMENT_ID)
    envelope = sealed(document_message(reference), greece, albania)
    first, again = post(envelope, ciphertext), post(envelope, ciphertext)
    assert first.status_code == again.status_code == 200, first.content
    assert first.content == again.content, "a repeat gets the first receipt"
    assert IncomingEnvelope.objects.count() == 1
    # No referral here for it: refused when applied, and the part is not kept for nothing.
    assert IncomingEnvelope.objects.get().refusal == "unknown_referral"
    assert not IncomingPart.objects.exists()


def test_a_part_without_an_envelope_is_refused(greece, albania):
    ciphertext, _reference = seal_part(PDF, bound_to=DOCUMENT_ID)
    answer = post(b"", ciphertext, length=False)
    assert (answer.status_code, answer.json()["code"]) == (422, "no_envelope")
    answer = post(b"", ciphertext, length=len(ciphertext) + 1)
    assert (answer.status_code, answer.json()["code"]) == (422, "no_envelope")
    assert nothing_kept()


def test_a_part_whose_hash_is_not_the_one_its_envelope_names_is_refused(greece, albania):
    ciphertext, reference = seal_part(PDF, bound_to=DOCUMENT_ID)
    envelope = sealed(document_message(reference), greece, albania)
    tampered = bytes([ciphertext[0] ^ 1]) + ciphertext[1:]
    answer = post(envelope, tampered)
    assert (answer.status_code, answer.json()["code"]) == (422, "part_mismatch")
    assert "SHA-256" in answer.json()["detail"]
    assert nothing_kept()
    # The right part afterwards is taken: the refusal kept nothing in its way.
    assert post(envelope, ciphertext).status_code == 200


def test_an_envelope_that_references_no_part_is_refused_with_a_part(greece, albania):
    envelope = sealed(offer(now=datetime.datetime.now(datetime.UTC)), greece, albania)
    answer = post(envelope, b"some bytes")
    assert (answer.status_code, answer.json()["code"]) == (422, "not_referenced")
    assert nothing_kept()


def test_a_part_over_the_document_limit_is_refused(greece, albania, settings):
    settings.ATTACHMENT_MAX_BYTES = 1000
    ciphertext, reference = seal_part(PDF * 2, bound_to=DOCUMENT_ID)
    envelope = sealed(document_message(reference), greece, albania)
    answer = post(envelope, ciphertext)
    assert (answer.status_code, answer.json()["code"]) == (413, "part_too_large")
    assert nothing_kept()


def test_a_part_from_a_node_not_pinned_here_is_refused(greece, albania):
    stranger = Node("gr")  # claims to be Greece, with keys nobody pinned
    ciphertext, reference = seal_part(PDF, bound_to=DOCUMENT_ID)
    envelope = sealed(document_message(reference), stranger, albania)
    answer = post(envelope, ciphertext)
    assert (answer.status_code, answer.json()["code"]) == (400, "unknown_sender")
    assert nothing_kept()


def test_a_part_opens_only_as_the_document_it_was_sealed_for(greece, albania):
    from trm.federation.apply import NotApplied

    ciphertext, reference = seal_part(PDF, bound_to=DOCUMENT_ID)
    peer = Peer.objects.get()
    IncomingPart.objects.create(sender=peer, message_id="m1", sha256=reference["sha256"],
                                content=ciphertext)  # fmt: skip
    with pytest.raises(NotApplied) as caught:
        take_part(peer, "m1", reference, bound_to="another-document")
    assert caught.value.code == "part_undecryptable"
    assert take_part(peer, "m1", reference, bound_to=DOCUMENT_ID) == PDF
    assert not IncomingPart.objects.exists()


def test_a_part_that_arrives_early_is_kept_with_its_held_message_until_the_gap_fills(
    greece, albania
):
    first_part, first_reference = seal_part(PDF, bound_to=DOCUMENT_ID)
    early_part, early_reference = seal_part(PDF, bound_to=DOCUMENT_ID)
    first = document_message(first_reference)
    early = dataclasses.replace(document_message(early_reference), sequence=2,
                                previous=message_hash(first))  # fmt: skip
    assert post(sealed(early, greece, albania), early_part).status_code == 200
    assert IncomingEnvelope.objects.get().outcome == "held"
    assert IncomingPart.objects.get().message_id == early.id, "kept, still encrypted"
    assert post(sealed(first, greece, albania), first_part).status_code == 200
    assert set(IncomingEnvelope.objects.values_list("outcome", flat=True)) == {"refused"}
    assert not IncomingPart.objects.exists(), "both settled: no part stays"
