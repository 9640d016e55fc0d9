"""When a person was erased and by whom, for every page about their case.

Read here, beside the cases, from what the erasure left (`trm.rights.erasure` does it): the
time on the person, the eraser in the audit chain.
"""

from dataclasses import dataclass
from datetime import datetime

from trm.audit.models import AuditEvent

from .models import Person

# The audit action of an erasure, which `erasure_of` looks for.
ERASED = "trm.person.erased"


@dataclass(frozen=True)
class Erasure:
    """When a person was erased and by whom, as the system recorded it: the time on the person,
    the eraser in the audit chain (nothing else keeps it). `by` is None for an erasure the
    retention schedule made, or one whose event is not found."""

    at: datetime
    by: str | None = None
    organisation: str | None = None
    by_retention: bool = False


def erasure_of(person: Person) -> Erasure | None:
    """The erasure of `person`, or None if they were not erased. Reads no personal data."""
    if person.erased_at is None:
        return None
    event = (
        AuditEvent.objects.filter(action=ERASED, details__person=str(person.pk))
        .select_related("actor", "organisation")
        .order_by("-sequence")
        .first()
    )
    if event is None:
        return Erasure(at=person.erased_at)
    by = None
    if event.actor is not None:
        by = event.actor.get_full_name() or event.actor.get_username()
    elif event.actor_username:  # the account is gone; the chain kept its name
        by = event.actor_username
    return Erasure(
        at=person.erased_at,
        by=by,
        organisation=event.organisation.name if event.organisation else None,
        by_retention="retention_report" in event.details,
    )
