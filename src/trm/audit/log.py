"""Writing to the audit trail: one event per read of personal data and per change.

Lock order: a writer locks the case row first (`cases.locking.lock_case`), and the audit
chain's head (`AuditHead`, one row) last, in `record_many`, for as short a time as its
transaction has left. The head row is what makes appenders take turns: it holds the newest
sequence and hash, and is moved in the same transaction as the events it vouches for. On
SQLite the IMMEDIATE transactions (settings.py) already serialise writers from BEGIN.
"""

import re

from django.conf import settings
from django.db import models, transaction
from django.utils import timezone

from trm.crypto.keyring import chain_key

from .models import ACTION_PATTERN, GENESIS_HASH, AuditEvent, AuditHead, event_hash, head_seal

HEAD_ID = 1

_action = re.compile(ACTION_PATTERN)
_plain = (str, int, bool, type(None))


class AuditDetailsError(ValueError):
    """The details of an event hold something other than identifiers and field names."""


def _checked_details(details: dict | None) -> dict:
    if details is None:
        return {}
    if not isinstance(details, dict):
        raise AuditDetailsError(f"audit details must be a dict, not {type(details).__name__}")
    for key, value in details.items():
        if not isinstance(key, str):
            raise AuditDetailsError(f"audit detail names must be strings, not {key!r}")
        values = value if isinstance(value, list) else [value]
        for item in values:
            # Floats are refused too: their text differs between databases and would break hashes.
            if not isinstance(item, _plain) or isinstance(item, float):
                raise AuditDetailsError(
                    f"audit detail {key!r} holds a {type(item).__name__}; details hold only "
                    "identifiers and field names (str, int, bool, None or lists of them)"
                )
            if isinstance(item, str) and "\x00" in item:
                raise AuditDetailsError(f"audit detail {key!r} holds a NUL character")
    return details


class AuditChainHeadMissing(RuntimeError):
    """The chain has events but its head row is gone: nothing is appended until it is
    explained, since recreating it from the newest event would bless a cut-off tail."""


def lock_chain() -> AuditHead:
    """Lock the chain's head row until the transaction ends, and return it. Must be inside a
    transaction; `record_many` calls it, so callers need it only to hold the head earlier."""
    head = AuditHead.objects.select_for_update().filter(pk=HEAD_ID).first()
    if head is not None:
        return head
    # A new (or emptied test) database: make the genesis head once, whoever comes first (an
    # insert of the same row waits for the other's commit, where a SELECT would not).
    genesis = AuditHead(pk=HEAD_ID, sequence=0, hash=GENESIS_HASH, seal=head_seal(0, GENESIS_HASH))
    AuditHead.objects.bulk_create([genesis], ignore_conflicts=True)
    head = AuditHead.objects.select_for_update().get(pk=HEAD_ID)
    if head.sequence == 0 and AuditEvent.objects.exists():
        raise AuditChainHeadMissing(
            "the audit chain's head row is missing; run 'trm audit verify' and restore it"
        )
    return head


def new_event(
    action: str,
    *,
    actor=None,
    organisation=None,
    target: models.Model | None = None,
    object_type: str = "",
    object_id: str = "",
    reason: str = "",
    details: dict | None = None,
) -> AuditEvent:
    """An event checked and ready for `record_many`: not yet in the chain, so with no sequence,
    time or hash.

    Events hold no personal data: identifiers, action and field names, and a reason that must
    not describe the person. Details accept only str, int, bool, None or lists of them.
    """
    if not _action.match(action):
        raise ValueError(f"audit action {action!r} is not a name like trm.case.viewed")
    details = _checked_details(details)
    if target is not None:
        if target.pk is None:
            raise ValueError("an audit event cannot refer to an unsaved object")
        object_type, object_id = target._meta.label_lower, str(target.pk)
    if actor is not None and not actor.is_authenticated:
        actor = None
    return AuditEvent(
        actor=actor,
        actor_username=actor.get_username() if actor is not None else "",
        organisation=organisation,
        action=action,
        object_type=object_type,
        object_id=str(object_id),
        reason=reason,
        details=details,
    )


def record_many(events: list[AuditEvent]) -> list[AuditEvent]:
    """Append events made by `new_event` to the chain, in their order, in one insert, moving
    the head row; inside the caller's transaction if there is one."""
    if not events:
        return []
    key = chain_key()
    with transaction.atomic(savepoint=False):
        # The head's lock is held until the outermost transaction ends, so the chain never
        # forks: the next appender reads the head only after this one commits or rolls back.
        head = lock_chain()
        start = head.sequence
        sequence, previous_hash = head.sequence, head.hash
        occurred_at = timezone.now()
        for event in events:
            sequence += 1
            event.sequence, event.occurred_at = sequence, occurred_at
            event.previous_hash = previous_hash
            event.hash = previous_hash = event_hash(
                previous_hash, event.canonical_fields(), key=key
            )
        AuditEvent.objects.bulk_create(events)
        move_head(sequence, previous_hash, key=key)
        if sequence // settings.AUDIT_CHECKPOINT_EVENTS > start // settings.AUDIT_CHECKPOINT_EVENTS:
            transaction.on_commit(_nudge_checkpoint)
    return events


def move_head(sequence: int, hash_: str, *, key: bytes | None = None) -> None:
    """Set the locked head row to the newest event, sealed with the chain key."""
    AuditHead.objects.filter(pk=HEAD_ID).update(
        sequence=sequence, hash=hash_, seal=head_seal(sequence, hash_, key=key)
    )


def _nudge_checkpoint() -> None:
    # A nudge only: the worker's periodic job signs on time even if this enqueue is lost.
    from .tasks import audit_checkpoint

    audit_checkpoint.enqueue()


def record(action: str, **event) -> AuditEvent:
    """Append one event to the chain, inside the caller's transaction if there is one. Its
    fields, and what it may hold (no personal data), are `new_event`'s."""
    [recorded] = record_many([new_event(action, **event)])
    return recorded
