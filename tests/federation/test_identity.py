"""A node's identity: made once by `trm node init`, its keys private to the node's user, its
public half printed for peers to pin (issue 12, item 1)."""

import base64
import json
import stat

import pytest

from tests.core.test_cli import trm
from trm.crypto.node_key import node_public_key_hex
from trm.federation.identity import (
    NodeIdentityError,
    init_node,
    public_document,
    read_signed_document,
    spoken_fingerprint,
    this_node,
)


@pytest.fixture
def home(settings, tmp_path):
    settings.TRM_HOME = tmp_path
    settings.NODE_KEY_FILE = tmp_path / "keys" / "node_ed25519.pem"
    settings.NODE_ENCRYPTION_KEY_FILE = tmp_path / "keys" / "node_x25519.pem"
    return tmp_path


def test_a_node_without_an_identity_says_how_to_make_one(home):
    with pytest.raises(NodeIdentityError, match="trm node init"):
        this_node()


def test_init_makes_the_keys_once_readable_by_the_node_alone(home):
    first = init_node(name="gr", countries=["GR"], address="https://trm.gr.example")
    for key_file in (home / "keys").iterdir():
        assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    again = init_node(name="greece", countries=["GR", "CY"], address="https://trm.gr.example")
    assert again.fingerprint == first.fingerprint
    assert again.public_keys() == first.public_keys()
    assert (again.name, again.countries) == ("greece", ("CY", "GR"))


def test_the_signing_key_is_the_node_key_that_signs_the_audit_checkpoints(home):
    node = init_node(name="gr", countries=["GR"], address="https://trm.gr.example")
    signing = node.public_keys()["signing"]
    assert signing["crv"] == "Ed25519"
    assert node.signing_key.as_dict(private=False)["x"] == signing["x"]
    raw = base64.urlsafe_b64decode(signing["x"] + "=")
    assert raw.hex() == node_public_key_hex()
    assert "d" not in signing
    assert "d" not in node.public_keys()["encryption"]


def test_the_spoken_fingerprint_is_eight_groups_of_hex():
    spoken = spoken_fingerprint("C8iKdhxCD7Mz26zqDrfx-R7dw4MWTxf8spEsirYsmCs")
    groups = spoken.split(" ")
    assert len(groups) == 8
    assert all(len(group) == 4 and int(group, 16) >= 0 for group in groups)


def test_node_show_prints_public_keys_only(tmp_path):
    missing = trm("node", "show", home=tmp_path)
    assert missing.returncode == 1
    assert "trm node init" in missing.stderr
    made = trm("node", "init", "--countries", "al", "--name", "al",
               "--address", "https://al.example", home=tmp_path)  # fmt: skip
    shown = trm("node", "show", home=tmp_path)
    document = json.loads(shown.stdout.rsplit("read out:", 1)[0])
    assert document["countries"] == ["AL"]
    assert document["keys"]["signing"]["kid"] == document["fingerprint"]
    assert made.stdout.splitlines()[-1].removeprefix("fingerprint: ") in shown.stdout
    private = (tmp_path / "keys" / "node_x25519.pem").read_text()
    assert private.splitlines()[1] not in shown.stdout


def test_node_init_refuses_what_is_not_a_country_code(tmp_path):
    refused = trm("node", "init", "--countries", "Greece", home=tmp_path)
    assert refused.returncode == 1
    assert "two-letter" in refused.stderr
    assert not (tmp_path / "node.json").exists()


def test_the_node_publishes_its_signed_document_and_nothing_before_it_has_one(home, client):
    assert client.get("/.well-known/trm-node").status_code == 404
    node = init_node(name="gr", countries=["GR"], address="https://trm.gr.example")
    answer = client.get("/.well-known/trm-node")
    assert answer.status_code == 200
    assert answer["Content-Type"] == "application/jose"
    document, key = read_signed_document(answer.content.decode())
    assert key.thumbprint() == node.fingerprint
    assert document == public_document(node)
