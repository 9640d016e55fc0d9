"""The deadlines' periodic task. The Deadline rows are the truth; the task only sweeps them."""

from django.tasks import task


@task
def sweep_deadlines() -> dict:
    """Send the reminders and overdue alerts that are due now."""
    from .sweep import sweep

    return sweep()
