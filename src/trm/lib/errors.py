"""Typed domain errors with translatable messages; views turn them into form errors or 4xx."""

from django.utils.translation import gettext_lazy as _

# The refusals said in many places, written once.
CASE_NOT_FOUND = _("This case does not exist or you may not see it.")
CASE_CHANGED = _(
    "Someone else changed this case while you were working on it. Nothing was saved: reload "
    "it and try again."
)


class DomainError(Exception):
    """A refused request: nothing was changed. `reasons` are translated, user-facing texts."""

    status = 422

    def __init__(self, *reasons):
        super().__init__(*reasons)
        self.reasons = [str(reason) for reason in reasons]


class NotAllowed(DomainError):
    """The user may not do this. Shown as 404 where existence itself must not leak."""

    status = 404


class Forbidden(DomainError):
    """The user sees the case but may not make this change (a read-only role, the other side's
    part of it). Said plainly: they know the case exists."""

    status = 403


class Conflict(DomainError):
    """Someone else changed the record first (a stale version)."""

    status = 409


class GuardRefused(DomainError):
    """The workflow does not allow this move now; `reasons` say what is missing."""

    status = 409
