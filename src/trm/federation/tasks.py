"""The worker's part in the exchange: delivering the outbox."""

from django.tasks import task


@task
def deliver_envelopes() -> dict:
    """Deliver the envelopes that are due; idempotent (the outbox is the truth)."""
    from .outbox import deliver_due

    done = deliver_due()
    return {"delivered": done.delivered, "retried": done.retried, "refused": done.refused}


@task
def alert_undelivered_envelopes() -> dict:
    """Tell the administrators and focal points of envelopes undelivered too long; idempotent
    (each envelope is told of once, as its row records)."""
    from .alerts import alert_undelivered

    return {"alerted": alert_undelivered()}
