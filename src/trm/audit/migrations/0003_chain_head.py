"""The chain's head row, and the checkpoints made append-only like the events.

The head starts at the newest event. Chains written before hashes were keyed with the chain key
are not converted (trm is not released yet): `trm audit verify` reports them as broken.
"""

from django.db import migrations, models

CHECKPOINTS = "audit_auditcheckpoint"
MESSAGE = "audit checkpoints are append-only"

SQLITE = [
    f"""CREATE TRIGGER audit_auditcheckpoint_no_update BEFORE UPDATE ON {CHECKPOINTS}
    BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END""",
    f"""CREATE TRIGGER audit_auditcheckpoint_no_delete BEFORE DELETE ON {CHECKPOINTS}
    BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END""",
]
SQLITE_REVERSE = [
    "DROP TRIGGER IF EXISTS audit_auditcheckpoint_no_update",
    "DROP TRIGGER IF EXISTS audit_auditcheckpoint_no_delete",
]
# As for the events (0002): restrict_violation, and TRUNCATE allowed on an empty table only.
POSTGRESQL = [
    f"""CREATE FUNCTION audit_checkpoint_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        RAISE EXCEPTION '{MESSAGE}' USING ERRCODE = 'restrict_violation';
    END $$""",
    f"""CREATE TRIGGER audit_auditcheckpoint_append_only BEFORE UPDATE OR DELETE ON {CHECKPOINTS}
    FOR EACH ROW EXECUTE FUNCTION audit_checkpoint_refuse_change()""",
    f"""CREATE FUNCTION audit_checkpoint_refuse_truncate() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF EXISTS (SELECT 1 FROM {CHECKPOINTS}) THEN
            RAISE EXCEPTION '{MESSAGE}' USING ERRCODE = 'restrict_violation';
        END IF;
        RETURN NULL;
    END $$""",
    f"""CREATE TRIGGER audit_auditcheckpoint_no_truncate BEFORE TRUNCATE ON {CHECKPOINTS}
    FOR EACH STATEMENT EXECUTE FUNCTION audit_checkpoint_refuse_truncate()""",
]
POSTGRESQL_REVERSE = [
    f"DROP TRIGGER IF EXISTS audit_auditcheckpoint_no_truncate ON {CHECKPOINTS}",
    f"DROP TRIGGER IF EXISTS audit_auditcheckpoint_append_only ON {CHECKPOINTS}",
    "DROP FUNCTION IF EXISTS audit_checkpoint_refuse_truncate()",
    "DROP FUNCTION IF EXISTS audit_checkpoint_refuse_change()",
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


def head_at_the_newest_event(apps, schema_editor):
    # A database without events gets its head from the first appender (trm.audit.log).
    from trm.audit.models import head_seal

    AuditEvent = apps.get_model("audit", "AuditEvent")
    AuditHead = apps.get_model("audit", "AuditHead")
    last = AuditEvent.objects.order_by("-sequence").values_list("sequence", "hash").first()
    if last is not None:
        AuditHead.objects.create(pk=1, sequence=last[0], hash=last[1], seal=head_seal(*last))


class Migration(migrations.Migration):

    dependencies = [
        ('audit', '0002_append_only'),
    ]

    operations = [
        migrations.CreateModel(
            name='AuditHead',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('sequence', models.PositiveBigIntegerField(verbose_name='sequence')),
                ('hash', models.CharField(max_length=64, verbose_name='hash')),
                ('seal', models.CharField(max_length=64, verbose_name='seal')),
            ],
            options={
                'verbose_name': 'audit chain head',
                'verbose_name_plural': 'audit chain heads',
                'constraints': [models.CheckConstraint(condition=models.Q(('id', 1)), name='audit_head_one_row')],
            },
        ),
        migrations.RunPython(
            head_at_the_newest_event, migrations.RunPython.noop, elidable=False
        ),
        migrations.RunPython(create_triggers, drop_triggers, elidable=False),
    ]
