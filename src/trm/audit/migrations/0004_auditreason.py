"""Typed reasons leave the chain: they are kept beside it, encrypted, append-only like it.

Events written before this migration keep their reason text in the chain (it cannot change);
the audit page shows it as it is.
"""

import django.db.models.deletion
from django.db import migrations, models


MESSAGE = "audit reasons are append-only"

SQLITE = [
    f"""CREATE TRIGGER audit_auditreason_no_update BEFORE UPDATE ON audit_auditreason
    BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END""",
    f"""CREATE TRIGGER audit_auditreason_no_delete BEFORE DELETE ON audit_auditreason
    BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END""",
]
SQLITE_REVERSE = [
    "DROP TRIGGER IF EXISTS audit_auditreason_no_update",
    "DROP TRIGGER IF EXISTS audit_auditreason_no_delete",
]
# The functions audit_refuse_change and audit_refuse_truncate come from 0002; the truncate one
# looks at audit_auditevent, so an empty trail (a test's flush) may still be emptied.
POSTGRESQL = [
    """CREATE TRIGGER audit_auditreason_append_only BEFORE UPDATE OR DELETE ON audit_auditreason
    FOR EACH ROW EXECUTE FUNCTION audit_refuse_change()""",
    """CREATE TRIGGER audit_auditreason_no_truncate BEFORE TRUNCATE ON audit_auditreason
    FOR EACH STATEMENT EXECUTE FUNCTION audit_refuse_truncate()""",
]
POSTGRESQL_REVERSE = [
    "DROP TRIGGER IF EXISTS audit_auditreason_no_truncate ON audit_auditreason",
    "DROP TRIGGER IF EXISTS audit_auditreason_append_only ON audit_auditreason",
]


def _run(schema_editor, statements_by_vendor):
    vendor = schema_editor.connection.vendor
    if vendor not in statements_by_vendor:
        raise RuntimeError(f"no append-only triggers for the {vendor} database")
    for statement in statements_by_vendor[vendor]:
        schema_editor.execute(statement, params=None)


def create_triggers(apps, schema_editor):
    _run(schema_editor, {"sqlite": SQLITE, "postgresql": POSTGRESQL})


def drop_triggers(apps, schema_editor):
    _run(schema_editor, {"sqlite": SQLITE_REVERSE, "postgresql": POSTGRESQL_REVERSE})


class Migration(migrations.Migration):

    dependencies = [
        ('audit', '0003_chain_head'),
        ('crypto', '0002_audit_reasons_key'),
    ]

    operations = [
        migrations.CreateModel(
            name='AuditReason',
            fields=[
                ('sequence', models.PositiveBigIntegerField(editable=False, primary_key=True, serialize=False, verbose_name='sequence')),
                ('text', models.BinaryField(verbose_name='encrypted reason')),
                ('data_key', models.ForeignKey(db_constraint=False, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='crypto.datakey', verbose_name='data key')),
            ],
            options={
                'verbose_name': 'audit reason',
                'verbose_name_plural': 'audit reasons',
            },
        ),
        migrations.RunPython(create_triggers, drop_triggers, elidable=False),
    ]
