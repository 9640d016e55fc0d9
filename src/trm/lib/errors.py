"""Typed domain errors with translatable messages; views turn them into form errors or 4xx."""

from collections.abc import Iterable, Mapping

from django.utils.translation import gettext_lazy as _

# The refusals said in many places, written once.
CASE_NOT_FOUND = _("This case does not exist or you may not see it.")
CASE_CHANGED = _(
    "Someone else changed this case while you were working on it. Nothing was saved: reload "
    "it and try again."
)


class DomainError(Exception):
    """A refused request: nothing was changed. `reasons` are translated, user-facing texts.

    `errors` maps a field's name to what is wrong with its value (`labels` names the fields in
    `reasons`): pages show them at their form's field, the API lists them in its `errors`.
    """

    status = 422
    # False for refusals a page does not show at its form: the refusal middleware answers them
    # with a page of their own (404 for what the reader may not see, 503 when busy).
    shown_on_page = True

    def __init__(
        self,
        *reasons,
        errors: Mapping[str, Iterable] | None = None,
        labels: Mapping[str, object] | None = None,
    ):
        errors = errors or {}
        self.errors = {name: [str(m) for m in messages] for name, messages in errors.items()}
        self.general = [str(reason) for reason in reasons]
        labels = labels or {}
        self.reasons = self.general + [
            _labelled(labels.get(name), message)
            for name, messages in self.errors.items()
            for message in messages
        ]
        # Where the fields sit in an API request body, if not at its top level ("person", …).
        self.locations: dict[str, tuple[str, ...]] = {}
        super().__init__(*self.reasons)

    def within(self, *path: str, fields: Iterable[str] | None = None) -> "DomainError":
        """The same refusal, its field errors (those of `fields`, or all) located under `path`
        of a request body; returned for `raise error.within(...)`."""
        for name in self.errors if fields is None else fields:
            if name in self.errors:
                self.locations[name] = tuple(path)
        return self

    def add_to(self, form) -> None:
        """Show the refusal on a Django form: each field's messages at the field when the form
        has it, everything else above the form. A refusal not `shown_on_page` goes on to the
        refusal middleware instead (404 for what must not tell the case exists, 503 when busy)."""
        self.raise_if_not_for_the_page()
        for reason in self.general:
            form.add_error(None, reason)
        labelled = iter(self.reasons[len(self.general) :])
        for name, messages in self.errors.items():
            for message in messages:
                shown = next(labelled)
                if name in form.fields:
                    form.add_error(name, message)
                else:
                    form.add_error(None, shown)

    def tell(self, request) -> None:
        """Show the refusal's reasons as messages on the next page (or 404, as `add_to`)."""
        from django.contrib import messages

        self.raise_if_not_for_the_page()
        for reason in self.reasons:
            messages.error(request, reason)

    def raise_if_not_for_the_page(self) -> None:
        if not self.shown_on_page:
            raise self


def _labelled(label, message: str) -> str:
    # A message that names its field already ("Departed at cannot be…") needs no label before it.
    if not label or message.startswith(str(label)):
        return message
    return f"{label}: {message}"


class NotAllowed(DomainError):
    """The user may not do this. Shown as 404 where existence itself must not leak."""

    status = 404
    shown_on_page = False


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
