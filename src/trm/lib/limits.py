"""How long each kind of text people type may be: one table that the page forms, the API's
schemas and the actions all read, so that a text refused in one interface is refused in all.

The actions check again (`checked`) because a page may post a field no form validated, and
because the federation will hand them texts no form of this node has seen.
"""

from django.utils.translation import ngettext

from . import text
from .errors import DomainError

NAME = 200  # a person's given or family name, in either script
DOCUMENT_NUMBER = 100
LINE = 300  # one line: who will meet the person, where
SHORT_TEXT = 500  # a record's one-line field
REASON = 2000  # why: a step, a decline, a cancellation, a withdrawal, an approval's comment
MESSAGE = 5000  # a message on a referral's thread, a question, an answer, a child's own views
NOTE = 10_000  # a note on a case, a record's narrative


def too_long(value: str, limit: int) -> str | None:
    """What to say of `value` if it is longer than `limit`; None if it fits."""
    if len(value) <= limit:
        return None
    return ngettext(
        "Keep this to %(limit)d character (it has %(length)d).",
        "Keep this to %(limit)d characters (it has %(length)d).",
        limit,
    ) % {"limit": limit, "length": len(value)}


def checked(value, limit: int, field: str, *, label=None) -> str:
    """`value` without surrounding space or invisible controls (`text`); refused, at its
    field, when longer than `limit` or not valid Unicode."""
    value = text.without_invisible_controls((value or "").strip())
    message = text.NOT_UNICODE if text.has_lone_surrogate(value) else too_long(value, limit)
    if message:
        raise DomainError(errors={field: [message]}, labels={field: label or field})
    return value
