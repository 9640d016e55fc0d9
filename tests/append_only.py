"""Append-only tables (the audit log, consent records) refuse UPDATE and DELETE through
database triggers. Tests that must step around them, as an intruder or as the test database's
own clean-up would, use this."""

from contextlib import contextmanager

from django.db import connection

APPEND_ONLY_TABLES = ["audit_auditevent", "audit_auditcheckpoint", "consent_consentrecord"]


def _triggers(cursor, table: str) -> list[tuple[str, str]]:
    if connection.vendor == "sqlite":
        cursor.execute(
            "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = %s",
            [table],
        )
    else:
        cursor.execute(
            "SELECT tgname, pg_get_triggerdef(oid) FROM pg_trigger "
            "WHERE tgrelid = to_regclass(%s) AND NOT tgisinternal",
            [table],
        )
    return cursor.fetchall()


@contextmanager
def triggers_dropped(table: str):
    """Drop the table's triggers, then put them back exactly as they were."""
    with connection.cursor() as cursor:
        triggers = _triggers(cursor, table)
        for name, _definition in triggers:
            if connection.vendor == "sqlite":
                cursor.execute(f'DROP TRIGGER "{name}"')
            else:
                cursor.execute(f'DROP TRIGGER "{name}" ON {table}')
    try:
        yield len(triggers)
    finally:
        with connection.cursor() as cursor:
            for _name, definition in triggers:
                cursor.execute(definition)


def empty_append_only_tables() -> None:
    """What the test database's flush cannot do: empty the append-only tables."""
    existing = set(connection.introspection.table_names())
    for table in APPEND_ONLY_TABLES:
        if table in existing:
            with triggers_dropped(table), connection.cursor() as cursor:
                cursor.execute(f"DELETE FROM {table}")  # noqa: S608 (a fixed table name)
