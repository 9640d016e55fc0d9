"""Background tasks of the audit trail."""

from django.tasks import task


@task
def audit_checkpoint() -> dict:
    """Sign a checkpoint of the chain's newest event, if there are events since the last one."""
    from .verify import make_checkpoint

    checkpoint = make_checkpoint()
    return {"sequence": checkpoint.sequence if checkpoint else None}
