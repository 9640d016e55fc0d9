"""Envelope encryption: AES-256-GCM under a person's data key, the data key wrapped by a KEK."""

import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.utils import timezone

from .keyring import KEY_BYTES, keyring
from .models import DataKey

VERSION = b"\x01"
NONCE_BYTES = 12


class DecryptionError(Exception):
    """A value could not be decrypted; the message says why, never what the value is."""


class DataKeyDestroyed(DecryptionError):
    """The person was erased: their data key no longer exists."""


def encrypt(plaintext: bytes, key: bytes, context: str) -> bytes:
    """Version, nonce and AES-GCM ciphertext; `context` is bound as associated data."""
    nonce = os.urandom(NONCE_BYTES)
    return VERSION + nonce + AESGCM(key).encrypt(nonce, plaintext, context.encode())


def decrypt(blob: bytes, key: bytes, context: str) -> bytes:
    if len(blob) < 1 + NONCE_BYTES + 16 or blob[:1] != VERSION:
        raise DecryptionError(f"the stored value for {context} is not trm ciphertext")
    nonce, ciphertext = blob[1 : 1 + NONCE_BYTES], blob[1 + NONCE_BYTES :]
    try:
        return AESGCM(key).decrypt(nonce, ciphertext, context.encode())
    except InvalidTag:
        raise DecryptionError(
            f"the stored value for {context} fails its integrity check: it was altered, "
            "or copied from another record or field"
        ) from None


def _wrap_context(data_key_id) -> str:
    return f"trm.data-key:{data_key_id}"


def wrap(data_key: DataKey, key: bytes) -> None:
    """Wrap `key` with the current KEK into `data_key` (not saved)."""
    ring = keyring()
    data_key.kek_id = ring.current_id
    data_key.wrapped = encrypt(key, ring.key(ring.current_id), _wrap_context(data_key.id))


def new_data_key(purpose: str = DataKey.Purpose.PERSON) -> DataKey:
    data_key = DataKey(purpose=purpose)
    wrap(data_key, os.urandom(KEY_BYTES))
    data_key.save()
    return data_key


def unwrap(data_key: DataKey) -> bytes:
    """The plain data key; raises DataKeyDestroyed after erasure."""
    if data_key.is_destroyed or not data_key.wrapped:
        raise DataKeyDestroyed(f"{data_key} was destroyed: the person's data was erased")
    kek = keyring().key(data_key.kek_id) or keyring(reload=True).key(data_key.kek_id)
    if kek is None:
        raise DecryptionError(
            f"{data_key} is wrapped by key {data_key.kek_id}, which is not in the key file"
        )
    return decrypt(bytes(data_key.wrapped), kek, _wrap_context(data_key.id))


def destroy(data_key: DataKey) -> None:
    """Crypto-shredding: forget the wrapped key, so no copy of the data can be read again."""
    data_key.wrapped = b""
    data_key.destroyed_at = timezone.now()
    data_key.save(update_fields=["wrapped", "destroyed_at"])
