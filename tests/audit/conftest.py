from contextlib import contextmanager

import pytest

from tests import append_only
from trm.audit.models import AuditEvent, event_hash

TABLE = AuditEvent._meta.db_table


@pytest.fixture(autouse=True)
def _node_key_in_tmp(settings, tmp_path):
    # Every test signs with a key of its own, never the developer's key in TRM_HOME.
    settings.NODE_KEY_FILE = tmp_path / "keys" / "node_ed25519.pem"


@contextmanager
def triggers_dropped(table: str = TABLE, *, at_least: int = 2):
    """What an intruder who owns the database does: drop the append-only triggers, then put
    them back exactly as they were."""
    with append_only.triggers_dropped(table) as count:
        assert count >= at_least, "the append-only triggers should be installed"
        yield


def rewrite(event: AuditEvent, previous_hash: str, **changes) -> str:
    """Change an event and give it a hash that fits, as a careful intruder would; return it."""
    for name, value in changes.items():
        setattr(event, name, value)
    event.previous_hash = previous_hash
    event.hash = event_hash(previous_hash, event.canonical_fields())
    AuditEvent.objects.filter(pk=event.pk).update(
        **changes, previous_hash=event.previous_hash, hash=event.hash
    )
    return event.hash
