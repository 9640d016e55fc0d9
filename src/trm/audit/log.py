"""Writing to the audit trail: one event per read of personal data and per change."""

import re

from django.db import connection, models, transaction
from django.utils import timezone

from . import reasons
from .actions import is_catalogued
from .models import ACTION_PATTERN, GENESIS_HASH, AuditEvent, event_hash

# The key of the PostgreSQL advisory lock that lets one appender at a time extend the chain
# ("trmaudit" as a number).
CHAIN_LOCK_KEY = int.from_bytes(b"trmaudit")

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


def lock_chain() -> None:
    """Hold the right to append to the chain until the transaction ends. A writer that will
    also lock rows other writers lock after auditing takes this first, so that the two locks are
    always taken in the same order and never deadlock."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [CHAIN_LOCK_KEY])
    # SQLite needs no lock here: the project's IMMEDIATE transactions (settings.py) take the
    # database's write lock at BEGIN, so appenders already run one after the other.


def new_event(
    action: str,
    *,
    actor=None,
    organisation=None,
    target: models.Model | None = None,
    object_type: str = "",
    object_id: str = "",
    reason: str = "",
    reason_key=None,
    details: dict | None = None,
) -> AuditEvent:
    """An event checked and ready for `record_many`: not yet in the chain, so with no sequence,
    time or hash. `action` must be in the vocabulary (`trm.audit.actions`).

    Events hold no personal data: identifiers, action and field names. Details accept only str,
    int, bool, None or lists of them. A `reason` a person typed is not put in the chain: the chain
    keeps its HMAC, and `record` stores the text encrypted beside it under `reason_key` (the
    person's data key when the event concerns their case) or, when None, the node's audit key;
    DomainError if that person was erased. Fixed codes belong in the details.
    """
    if not _action.match(action):
        raise ValueError(f"audit action {action!r} is not a name like trm.case.viewed")
    if not is_catalogued(action):
        # A programming error, not a refusal: every name is a literal in the catalogue.
        raise ValueError(f"audit action {action!r} is not in the catalogue trm.audit.actions")
    details = _checked_details(details)
    if reason:
        reasons.check_keepable(reason_key)
    if target is not None:
        if target.pk is None:
            raise ValueError("an audit event cannot refer to an unsaved object")
        object_type, object_id = target._meta.label_lower, str(target.pk)
    if actor is not None and not actor.is_authenticated:
        actor = None
    event = AuditEvent(
        actor=actor,
        actor_username=actor.get_username() if actor is not None else "",
        organisation=organisation,
        action=action,
        object_type=object_type,
        object_id=str(object_id),
        reason=reasons.digest(reason) if reason else "",
        details=details,
    )
    if reason:
        event.typed_reason = (reason, reason_key)
    return event


def record_many(events: list[AuditEvent]) -> list[AuditEvent]:
    """Append events made by `new_event` to the chain, in their order, under one lock and in one
    insert, inside the caller's transaction if there is one."""
    if not events:
        return []
    with transaction.atomic():
        # The lock is held until the outermost transaction ends, so the chain never forks: the
        # next appender reads the last event only after this one is committed or rolled back.
        lock_chain()
        last = AuditEvent.objects.order_by("-sequence").values_list("sequence", "hash").first()
        sequence, previous_hash = last or (0, GENESIS_HASH)
        occurred_at = timezone.now()
        for event in events:
            sequence += 1
            event.sequence, event.occurred_at = sequence, occurred_at
            event.previous_hash = previous_hash
            event.hash = previous_hash = event_hash(previous_hash, event.canonical_fields())
        AuditEvent.objects.bulk_create(events)
    return events


def record(action: str, **event) -> AuditEvent:
    """Append one event to the chain, inside the caller's transaction if there is one. Its
    fields, and what it may hold (no personal data), are `new_event`'s; its typed reason is
    stored beside it, in the same transaction."""
    checked = new_event(action, **event)  # a refused event leaves the caller's transaction usable
    with transaction.atomic(savepoint=False):
        [recorded] = record_many([checked])
        reasons.keep([recorded])
    return recorded
