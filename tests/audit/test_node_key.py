"""The node's Ed25519 key: generated for development, required in production."""

import stat

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.core.exceptions import ImproperlyConfigured

from trm.crypto.node_key import NodeKeyError, node_public_key_hex, node_signing_key, public_key_hex


def test_a_development_node_generates_its_key_once_readable_by_the_owner_only(settings):
    key = node_signing_key()
    assert stat.S_IMODE(settings.NODE_KEY_FILE.stat().st_mode) == 0o600
    assert public_key_hex(node_signing_key()) == public_key_hex(key) == node_public_key_hex()


def test_a_production_node_without_its_key_file_names_the_path(settings):
    settings.PRODUCTION = True
    with pytest.raises(ImproperlyConfigured, match=str(settings.NODE_KEY_FILE)):
        node_signing_key()
    assert not settings.NODE_KEY_FILE.exists()


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        (b"not a key at all", "does not hold an unencrypted PEM private key"),
        (b"", "does not hold an unencrypted PEM private key"),
    ],
)
def test_an_unreadable_key_file_is_named_and_never_replaced(settings, content, problem):
    settings.NODE_KEY_FILE.parent.mkdir(parents=True)
    settings.NODE_KEY_FILE.write_bytes(content)
    with pytest.raises(NodeKeyError, match=f"{settings.NODE_KEY_FILE} {problem}"):
        node_signing_key()
    assert settings.NODE_KEY_FILE.read_bytes() == content


def test_a_key_of_another_kind_is_refused(settings):
    pem = ec.generate_private_key(ec.SECP256R1()).private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    settings.NODE_KEY_FILE.parent.mkdir(parents=True)
    settings.NODE_KEY_FILE.write_bytes(pem)
    with pytest.raises(NodeKeyError, match="holds a key that is not Ed25519"):
        node_signing_key()


def test_the_key_signs_and_verifies():
    key = node_signing_key()
    assert isinstance(key, Ed25519PrivateKey)
    key.public_key().verify(key.sign(b"checkpoint"), b"checkpoint")
