"""Background tasks of the person's rights."""

from django.tasks import task


@task
def apply_retention() -> dict:
    """Carry out the retention reports whose grace period passed, then report who is due."""
    from .retention import run_retention

    return run_retention().as_dict()
