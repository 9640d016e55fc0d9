"""Pinning a peer: two real nodes, each its own process, data directory and database. Albania
pins Greece after reading out its fingerprint; a wrong fingerprint pins nothing (issue 12,
item 2). Greece is a `trm serve` process; Albania is this test process with its own database
(tests/federation/conftest.py)."""

import base64
import json

import pytest
from joserfc.jwk import OKPKey

from tests.federation.conftest import free_port
from trm.audit.models import AuditEvent
from trm.cli import main
from trm.federation.identity import spoken_fingerprint
from trm.federation.models import Peer
from trm.federation.peers import add_peer, fetch_document, fingerprint_matches, pinned, remove_peer
from trm.lib.errors import DomainError


@pytest.mark.django_db
def test_a_peer_is_pinned_when_its_fingerprint_matches_and_then_believed(greece, albania):
    address, fingerprint = greece.address, greece.fingerprint
    peer = add_peer(address, fingerprint, fetch_document(address))
    assert (peer.name, peer.countries, peer.address) == ("gr", ["GR"], address)
    name, key = pinned(peer.fingerprint)
    assert name == "gr"
    assert key.thumbprint() == peer.fingerprint
    assert spoken_fingerprint(peer.fingerprint) == fingerprint
    assert AuditEvent.objects.filter(action="trm.peer.added", object_id=str(peer.pk)).exists()
    with pytest.raises(DomainError, match="pinned already"):
        add_peer(address, fingerprint, fetch_document(address))


@pytest.mark.django_db
def test_a_wrong_fingerprint_pins_nothing_and_says_what_the_node_presents(greece, albania):
    address, fingerprint = greece.address, greece.fingerprint
    with pytest.raises(DomainError) as refused:
        add_peer(address, "0000 1111 2222 3333 4444 5555 6666 7777", fetch_document(address))
    assert "does not match" in refused.value.reasons[0]
    assert fingerprint in refused.value.reasons[0]
    assert not Peer.objects.exists()


@pytest.mark.django_db
def test_a_document_altered_on_the_way_pins_nothing(greece, albania):
    address, fingerprint = greece.address, greece.fingerprint
    header, payload, signature = fetch_document(address).split(".")
    document = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    # A man in the middle swaps the encryption key for his own, keeping the signing key.
    document["keys"]["encryption"] = OKPKey.generate_key("X25519").as_dict(private=False)
    forged = base64.urlsafe_b64encode(json.dumps(document).encode()).rstrip(b"=").decode()
    with pytest.raises(DomainError, match="signed node document"):
        add_peer(address, fingerprint, f"{header}.{forged}.{signature}")
    assert not Peer.objects.exists()


@pytest.mark.django_db
def test_a_removed_peer_is_no_longer_believed(greece, albania):
    address, fingerprint = greece.address, greece.fingerprint
    peer = add_peer(address, fingerprint, fetch_document(address))
    remove_peer("gr")
    assert pinned(peer.fingerprint) is None
    with pytest.raises(DomainError):
        remove_peer("gr")
    # Pinned again after a new check, it is believed again.
    add_peer(address, fingerprint, fetch_document(address))
    assert pinned(peer.fingerprint)[0] == "gr"


@pytest.mark.django_db
def test_the_command_line_pins_lists_and_removes(greece, albania, capsys):
    address, fingerprint = greece.address, greece.fingerprint

    def command(*arguments) -> tuple[int, str, str]:
        try:
            main(list(arguments))
        except SystemExit as stopped:
            code = 1 if isinstance(stopped.code, str) else stopped.code or 0
            message = stopped.code if isinstance(stopped.code, str) else ""
        else:
            code, message = 0, ""
        out, err = capsys.readouterr()
        return code, out, err + message

    code, _out, said = command("peer", "add", address, "--fingerprint", "0000 1111")
    assert code == 1
    assert "does not match" in said
    code, _out, said = command(
        "peer", "add", f"http://127.0.0.1:{free_port()}", "--fingerprint", "x"
    )
    assert code == 1
    assert "cannot be reached" in said
    code, out, said = command("peer", "add", address, "--fingerprint", fingerprint)
    assert code == 0, said
    assert out.startswith(f"pinned gr (GR) at {address}")
    _code, out, _said = command("peer", "list")
    assert out.split("\t")[:3] == ["gr", "GR", address]
    assert command("peer", "remove", "gr")[0] == 0
    assert "\tremoved " in command("peer", "list")[1]


def test_the_spoken_fingerprint_or_the_thumbprint_both_pin():
    thumbprint = "C8iKdhxCD7Mz26zqDrfx-R7dw4MWTxf8spEsirYsmCs"
    spoken = spoken_fingerprint(thumbprint)
    assert fingerprint_matches(thumbprint, thumbprint)
    assert fingerprint_matches(spoken, thumbprint)
    assert fingerprint_matches(spoken.replace(" ", "").upper(), thumbprint)
    assert not fingerprint_matches(spoken[:-1] + ("1" if spoken[-1] == "0" else "0"), thumbprint)
    assert not fingerprint_matches("", thumbprint)
