"""The worker's part in the exchange: delivering the outbox, refreshing the peers'
directories."""

import datetime

from django.conf import settings
from django.tasks import task


@task
def deliver_envelopes() -> dict:
    """Deliver the envelopes that are due; idempotent (the outbox is the truth)."""
    from .outbox import deliver_due

    done = deliver_due()
    return {"delivered": done.delivered, "retried": done.retried, "refused": done.refused}


@task
def check_peer_keys() -> dict:
    """Look at every peer's document for a key rotation: a peer that rotated while nothing
    was exchanged is believed with its new keys before its overlap ends."""
    from .peers import check_peer_keys

    return {"rotated": check_peer_keys()}


@task
def alert_undelivered_envelopes() -> dict:
    """Tell the administrators and focal points of envelopes undelivered too long; idempotent
    (each envelope is told of once, as its row records)."""
    from .alerts import alert_undelivered

    return {"alerted": alert_undelivered()}


@task
def refresh_directories() -> dict:
    """Copy the directory of every peer whose copy is older than
    FEDERATION_DIRECTORY_REFRESH_MINUTES; idempotent."""
    from .shared_directory import refresh_due

    return refresh_due(
        older_than=datetime.timedelta(minutes=settings.FEDERATION_DIRECTORY_REFRESH_MINUTES)
    )
