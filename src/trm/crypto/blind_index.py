"""Blind indexes: a keyed HMAC of a normalised value, for exact look-ups of encrypted data.

Names are normalised so that case, spacing, accents and Arabic vowel marks do not matter:
"Zieliński", "ZIELINSKI" and " zielinski " find the same person; scripts are not mixed.
"""

import hashlib
import hmac
import threading
import unicodedata
from contextlib import contextmanager

from django.db import IntegrityError, transaction

from . import envelope
from .models import DataKey

_lock = threading.Lock()
_cache: dict[tuple, bytes] = {}
_held = threading.local()


def normalise(value: str) -> str:
    decomposed = unicodedata.normalize("NFKD", value)
    without_marks = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(unicodedata.normalize("NFKC", without_marks).casefold().split())


def _index_key() -> bytes:
    data_key = DataKey.objects.filter(purpose=DataKey.Purpose.BLIND_INDEX).first()
    if data_key is None:
        try:
            with transaction.atomic():
                data_key = envelope.new_data_key(DataKey.Purpose.BLIND_INDEX)
        except IntegrityError:  # another process made it first
            data_key = DataKey.objects.get(purpose=DataKey.Purpose.BLIND_INDEX)
    cache_key = (data_key.pk, data_key.kek_id, bytes(data_key.wrapped))
    with _lock:
        if cache_key not in _cache:
            _cache.clear()
            _cache[cache_key] = envelope.unwrap(data_key)
        return _cache[cache_key]


@contextmanager
def key_held():
    """Within this block, this thread reads the index key once, not once per value (a database
    query each): for bulk jobs such as synthesis, where a million people would otherwise mean a
    million look-ups. The key's replacement meanwhile would go unnoticed, so keep such jobs apart
    from key changes."""
    _held.key = _index_key()
    try:
        yield
    finally:
        del _held.key


def blind_index(value: str, *, purpose: str) -> str:
    """32 hex digits; equal for values equal after normalisation, for the same purpose."""
    message = f"{purpose}\x00{normalise(value)}".encode()
    key = getattr(_held, "key", None) or _index_key()
    return hmac.new(key, message, hashlib.sha256).hexdigest()[:32]
