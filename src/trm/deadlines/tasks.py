"""The deadlines' tasks. The Deadline and OutgoingEmail rows are the truth; tasks only nudge, so
each can run again after its worker died (`trm.core.tasks.reclaim_abandoned_tasks`)."""

from django.tasks import task


@task
def sweep_deadlines() -> dict:
    """Send the reminders and overdue alerts that are due now."""
    from .sweep import sweep

    return sweep()


@task
def deliver_emails() -> dict:
    """Send the e-mails of the outbox that are due now."""
    from .outbox import deliver

    return deliver()
