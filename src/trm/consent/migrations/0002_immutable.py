"""Database triggers that make consent records immutable on SQLite and PostgreSQL.

A consent is never changed or removed: a withdrawal is a new record. Erasure needs no UPDATE
either: it destroys the person's data key, which leaves the encrypted fields unreadable.
The SQLite schema editor rebuilds a table (copy, drop, rename) to alter most columns, and the
triggers go with the old table: a later migration that alters ConsentRecord on SQLite must run
`create_triggers` again. tests/consent catches it if that is forgotten.
"""

from django.db import migrations

MESSAGE = "consent records cannot be changed or deleted"
TABLE = "consent_consentrecord"

SQLITE = [
    f"""CREATE TRIGGER {TABLE}_no_update BEFORE UPDATE ON {TABLE}
    BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END""",
    f"""CREATE TRIGGER {TABLE}_no_delete BEFORE DELETE ON {TABLE}
    BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END""",
]
SQLITE_REVERSE = [
    f"DROP TRIGGER IF EXISTS {TABLE}_no_update",
    f"DROP TRIGGER IF EXISTS {TABLE}_no_delete",
]

# restrict_violation (SQLSTATE 23001) makes the refusal an IntegrityError, as on SQLite.
POSTGRESQL = [
    f"""CREATE FUNCTION consent_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        RAISE EXCEPTION '{MESSAGE}' USING ERRCODE = 'restrict_violation';
    END $$""",
    f"""CREATE TRIGGER {TABLE}_immutable BEFORE UPDATE OR DELETE ON {TABLE}
    FOR EACH ROW EXECUTE FUNCTION consent_refuse_change()""",
    # Emptying an empty table loses nothing; allowing it keeps Django's flush (used between
    # transactional tests) working.
    f"""CREATE FUNCTION consent_refuse_truncate() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF EXISTS (SELECT 1 FROM {TABLE}) THEN
            RAISE EXCEPTION '{MESSAGE}' USING ERRCODE = 'restrict_violation';
        END IF;
        RETURN NULL;
    END $$""",
    f"""CREATE TRIGGER {TABLE}_no_truncate BEFORE TRUNCATE ON {TABLE}
    FOR EACH STATEMENT EXECUTE FUNCTION consent_refuse_truncate()""",
]
POSTGRESQL_REVERSE = [
    f"DROP TRIGGER IF EXISTS {TABLE}_no_truncate ON {TABLE}",
    f"DROP TRIGGER IF EXISTS {TABLE}_immutable ON {TABLE}",
    "DROP FUNCTION IF EXISTS consent_refuse_truncate()",
    "DROP FUNCTION IF EXISTS consent_refuse_change()",
]


def _run(schema_editor, statements_by_vendor):
    vendor = schema_editor.connection.vendor
    if vendor not in statements_by_vendor:
        raise RuntimeError(f"no immutability triggers for consent on the {vendor} database")
    for statement in statements_by_vendor[vendor]:
        schema_editor.execute(statement, params=None)


def create_triggers(apps, schema_editor):
    _run(schema_editor, {"sqlite": SQLITE, "postgresql": POSTGRESQL})


def drop_triggers(apps, schema_editor):
    _run(schema_editor, {"sqlite": SQLITE_REVERSE, "postgresql": POSTGRESQL_REVERSE})


class Migration(migrations.Migration):
    dependencies = [("consent", "0001_initial")]

    operations = [migrations.RunPython(create_triggers, drop_triggers, elidable=False)]
