"""Every write to a case starts here: its row locked, and a stale version refused."""

from django.db import connection

from trm.lib.errors import CASE_CHANGED, Conflict

from .models import Case


def lock_case(case_id, *, version: int | None = None, related=("owner__country", "person")):
    """The case, its row locked until the transaction ends (only its row: not its
    organisation's or country's, which other writers' foreign keys need). `version`: refuse
    if the case changed since the writer read it. Call inside the action's transaction.

    `FOR NO KEY UPDATE`: writers of the case still take it in turns, but a transaction that
    only refers to the case (a row with a foreign key to it, checked with `FOR KEY SHARE` at
    its commit) does not wait for the writer holding it. The case's key never changes."""
    query = Case.objects.select_for_update(no_key=True, of=("self",))
    locked = (query.select_related(*related) if related else query).get(pk=case_id)
    if version is not None and locked.version != version:
        raise Conflict(CASE_CHANGED)
    return locked


def share_case(case_id, *, related=("owner__country", "person")):
    """The case, its row held against every `lock_case` until the transaction ends, for a
    writer that only adds beside it and changes nothing of it (a note, a document): such
    writers hold the row together (`FOR SHARE`), while a step, a record, a revocation or an
    erasure waits for them, and they for it. Never followed by `lock_case` on the same case
    in one transaction (two sharers upgrading would wait for each other)."""
    if connection.vendor == "postgresql":
        # The ORM has no FOR SHARE. SQLite has no row locks: its IMMEDIATE transactions take
        # turns from BEGIN.
        with connection.cursor() as cursor:
            table = connection.ops.quote_name(Case._meta.db_table)
            cursor.execute(f"SELECT 1 FROM {table} WHERE id = %s FOR SHARE", [case_id])  # noqa: S608
    return Case.objects.select_related(*related).get(pk=case_id)


def lock_cases(cases) -> list:
    """The ids of `cases` (a queryset), their rows locked as `lock_case` locks one, in the order
    of their ids: two steps that each lock several cases take them in the same order, so
    neither waits for the other in a circle."""
    locked = cases.select_for_update(no_key=True, of=("self",)).order_by("pk")
    return list(locked.values_list("pk", flat=True))
