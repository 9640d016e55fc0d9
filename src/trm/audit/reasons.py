"""Reasons typed by people, kept out of the append-only chain.

A reason ("why I open this case in an emergency", "why this step") may name the person, and the
chain can never forget. So the chain's `reason` field holds only an HMAC of the text under a
node key (a bare hash of a short text could be guessed), and the text itself is an
`AuditReason` beside the event: encrypted under the person's data key when the event concerns
their case, so erasing them makes it unreadable, or under the node's audit key otherwise.
Reading a reason checks it against the chain's HMAC, so a changed text shows as changed.
"""

import hashlib
import hmac
import threading
from dataclasses import dataclass
from itertools import batched

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.db import IntegrityError, transaction
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from trm.crypto import envelope
from trm.crypto.models import DataKey
from trm.lib.errors import DomainError

from .models import AuditEvent, AuditReason

# What the chain's reason field holds for a typed reason: this prefix and 64 hex digits.
DIGEST_PREFIX = "hmac-sha256:"
ERASED = _("Erased")
MISSING = _("The reason is missing: it was removed from beside the trail.")
UNREADABLE = _("The reason cannot be read: it was altered, or its key is missing.")
ALTERED = _("The reason was changed: it does not match the audit trail.")
NOT_KEPT_FOR_ERASED = _(
    "This person's data was erased: a reason typed now could name them and cannot be kept. "
    "Nothing was changed."
)

_lock = threading.Lock()
_cache: dict[tuple, tuple[bytes, bytes]] = {}


def _derive(key: bytes, use: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=use).derive(key)


def node_reason_key() -> DataKey:
    """The node's audit key (a data key wrapped by the key file's KEK), made on first use."""
    data_key = DataKey.objects.filter(purpose=DataKey.Purpose.AUDIT_REASONS).first()
    if data_key is None:
        try:
            with transaction.atomic():
                data_key = envelope.new_data_key(DataKey.Purpose.AUDIT_REASONS)
        except IntegrityError:  # another process made it first
            data_key = DataKey.objects.get(purpose=DataKey.Purpose.AUDIT_REASONS)
    return data_key


def _node_keys(data_key: DataKey) -> tuple[bytes, bytes]:
    """(encryption key, HMAC key), both derived from the node's audit key, kept per process."""
    cache_key = (data_key.pk, data_key.kek_id, bytes(data_key.wrapped))
    with _lock:
        if cache_key not in _cache:
            plain = envelope.unwrap(data_key)
            _cache.clear()
            _cache[cache_key] = (
                _derive(plain, b"trm.audit.reason.encryption"),
                _derive(plain, b"trm.audit.reason.hmac"),
            )
        return _cache[cache_key]


def _mac(text: str, mac_key: bytes) -> str:
    mac = hmac.new(mac_key, b"trm.audit.reason\x00" + text.encode(), hashlib.sha256)
    return DIGEST_PREFIX + mac.hexdigest()


def digest(text: str) -> str:
    """What the chain keeps of a typed reason: a keyed HMAC-SHA-256, prefixed."""
    return _mac(text, _node_keys(node_reason_key())[1])


def is_digest(value: str) -> bool:
    return value.startswith(DIGEST_PREFIX)


def _context(sequence: int) -> str:
    return f"audit.auditreason.text:{sequence}"


def _plain_key(data_key: DataKey) -> bytes:
    if data_key.purpose == DataKey.Purpose.AUDIT_REASONS:
        return _node_keys(data_key)[0]
    return envelope.unwrap(data_key)


def check_keepable(reason_key: DataKey | None) -> None:
    """Refuse a typed reason for an erased person: their key is gone, and keeping the text
    under another key would undo their erasure for it."""
    if reason_key is not None and reason_key.is_destroyed:
        raise DomainError(NOT_KEPT_FOR_ERASED)


def keep(events: list[AuditEvent]) -> None:
    """Store the typed reasons of events just appended to the chain (they have sequences)."""
    rows = []
    for event in events:
        typed = getattr(event, "typed_reason", None)
        if typed is None:
            continue
        text, data_key = typed
        data_key = data_key or node_reason_key()
        ciphertext = envelope.encrypt(text.encode(), _plain_key(data_key), _context(event.sequence))
        rows.append(AuditReason(sequence=event.sequence, data_key=data_key, text=ciphertext))
    AuditReason.objects.bulk_create(rows)


@dataclass(frozen=True)
class ShownReason:
    """An event's reason for display: the text, or why it cannot be shown."""

    text: str = ""
    problem: Promise | None = None

    @property
    def erased(self) -> bool:
        return self.problem is ERASED

    def __str__(self) -> str:
        return self.text if self.problem is None else str(self.problem)


def _read(event: AuditEvent, kept: AuditReason | None, keys: dict, mac_key: bytes) -> ShownReason:
    if kept is None:
        return ShownReason(problem=MISSING)
    data_key = kept.data_key
    try:
        if data_key.pk not in keys:
            keys[data_key.pk] = _plain_key(data_key)
        plain = envelope.decrypt(bytes(kept.text), keys[data_key.pk], _context(kept.sequence))
    except envelope.DataKeyDestroyed:
        return ShownReason(problem=ERASED)
    except envelope.DecryptionError:
        return ShownReason(problem=UNREADABLE)
    text = plain.decode()
    if not hmac.compare_digest(_mac(text, mac_key), event.reason):
        return ShownReason(problem=ALTERED)
    return ShownReason(text=text)


def shown_reasons(events) -> dict[int, ShownReason]:
    """The reason of each event that has one, by sequence, read for someone allowed to see it.

    An event written before reasons left the chain still holds its text there; it is shown as is.
    """
    events = [event for event in events if event.reason]
    digested = [event.sequence for event in events if is_digest(event.reason)]
    kept = AuditReason.objects.select_related("data_key").in_bulk(digested)
    keys: dict = {}
    mac_key = _node_keys(node_reason_key())[1] if digested else b""
    return {
        event.sequence: (
            _read(event, kept.get(event.sequence), keys, mac_key)
            if is_digest(event.reason)
            else ShownReason(text=event.reason)
        )
        for event in events
    }


@dataclass(frozen=True)
class ReasonsChecked:
    """What reading every typed reason found: how many read and match the chain, how many are
    erased, and the events whose reason is missing, unreadable or changed."""

    readable: int
    erased: int
    problems: list[tuple[int, str]]

    @property
    def ok(self) -> bool:
        return not self.problems

    def __str__(self) -> str:
        counts = f"{self.readable} readable and matching the chain, {self.erased} erased"
        if self.ok:
            return f"audit reasons checked: {counts}"
        sequence, problem = self.problems[0]
        return (
            f"audit reasons: {len(self.problems)} do not check ({counts}); the first at "
            f"sequence {sequence}: {problem}"
        )


def check_reasons(*, batch_size: int = 500) -> ReasonsChecked:
    """Read every typed reason kept beside the chain and compare it with the chain's HMAC."""
    readable = erased = 0
    problems: list[tuple[int, str]] = []
    events = (
        AuditEvent.objects.filter(reason__startswith=DIGEST_PREFIX)
        .order_by("sequence")
        .only("sequence", "reason")
        .iterator(chunk_size=batch_size)
    )
    for batch in batched(events, batch_size):
        for sequence, shown in sorted(shown_reasons(batch).items()):
            if shown.problem is None:
                readable += 1
            elif shown.erased:
                erased += 1
            else:
                problems.append((sequence, str(shown.problem)))
    return ReasonsChecked(readable, erased, problems)
