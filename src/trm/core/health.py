"""What `trm check` looks at: configuration, database, migrations, the data directory."""

from django.conf import settings
from django.core import checks
from django.db import DatabaseError, connection
from django.db.migrations.executor import MigrationExecutor


def node_problems() -> list[str]:
    """Every problem found, in words an administrator can act on; empty when healthy."""
    problems = []
    tags = [checks.Tags.security] if settings.PRODUCTION else None
    for message in checks.run_checks(include_deployment_checks=settings.PRODUCTION, tags=tags):
        if message.level >= checks.WARNING and not message.is_silenced():
            problems.append(f"{message.id}: {message.msg}")
    try:
        connection.ensure_connection()
    except DatabaseError as error:
        return [*problems, f"the database does not answer ({error.__class__.__name__})"]
    pending = MigrationExecutor(connection).migration_plan(
        MigrationExecutor(connection).loader.graph.leaf_nodes()
    )
    if pending:
        problems.append(
            f"{len(pending)} database migrations are not applied: run 'trm manage migrate'"
        )
    else:
        from trm.deadlines.models import OutgoingEmail

        failed = OutgoingEmail.objects.filter(status=OutgoingEmail.Status.FAILED).count()
        if failed:
            problems.append(f"{failed} e-mails could not be delivered: 'trm emails' lists them")
    probe = settings.TRM_HOME / ".write-test"
    try:
        probe.write_text("ok")
        probe.unlink()
    except OSError:
        problems.append(f"the data directory {settings.TRM_HOME} is not writable")
    if settings.PRODUCTION and not settings.BASE_URL:
        problems.append("TRM_BASE_URL is not set: e-mails cannot link to this node")
    if settings.PRODUCTION and not settings.KEY_FILE.is_file():
        problems.append(f"the key file {settings.KEY_FILE} is missing")
    elif settings.PRODUCTION:
        from trm.crypto.keyring import KeyFileError, parse_chain_key

        try:
            parse_chain_key(settings.KEY_FILE)
        except KeyFileError as problem:
            problems.append(str(problem))
    return problems
