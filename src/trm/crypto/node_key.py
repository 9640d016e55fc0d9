"""The node's Ed25519 key: it signs audit checkpoints (and, later, messages to other nodes)."""

import os
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured


class NodeKeyError(ImproperlyConfigured):
    """The node key file is missing, unreadable or not an Ed25519 private key."""


def _load(path: Path) -> Ed25519PrivateKey:
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise NodeKeyError(f"the node key file {path} does not exist") from None
    except OSError as problem:
        raise NodeKeyError(f"the node key file {path} cannot be read: {problem.strerror}") from None
    try:
        key = serialization.load_pem_private_key(data, password=None)
    except (ValueError, TypeError):
        raise NodeKeyError(
            f"the node key file {path} does not hold an unencrypted PEM private key"
        ) from None
    if not isinstance(key, Ed25519PrivateKey):
        raise NodeKeyError(f"the node key file {path} holds a key that is not Ed25519")
    return key


def _generate(path: Path) -> None:
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    pem = Ed25519PrivateKey.generate().private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return  # another process generated it first; use theirs
    with os.fdopen(fd, "wb") as out:
        out.write(pem)


def node_signing_key() -> Ed25519PrivateKey:
    """The node's private key from NODE_KEY_FILE, generated there outside production mode."""
    path = Path(settings.NODE_KEY_FILE)
    if not path.exists():
        if settings.PRODUCTION:
            raise NodeKeyError(
                f"Production mode needs TRM_NODE_KEY_FILE to name an existing Ed25519 key file; "
                f"{path} does not exist."
            )
        _generate(path)
    return _load(path)


def node_public_key_hex() -> str:
    """The node's public key as hex, read without ever generating a key."""
    return public_key_hex(_load(Path(settings.NODE_KEY_FILE)))


def public_key_hex(key: Ed25519PrivateKey) -> str:
    public = key.public_key()
    return public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw).hex()
