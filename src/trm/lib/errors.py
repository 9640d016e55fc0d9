"""Typed domain errors with translatable messages; views turn them into form errors or 4xx."""


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
