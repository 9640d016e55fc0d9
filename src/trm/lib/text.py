"""What may be in a text people type: valid Unicode, and nothing invisible that changes how
other text is shown.

A lone surrogate cannot be stored (it is not UTF-8); control characters and the bidirectional
embeddings, overrides and isolates are invisible yet can reorder what a page shows around them
(a name that displays as another one, a note that flips the line after it). Names refuse them,
so what is recorded is what is seen; free text loses them quietly, keeping tabs and line breaks,
since a pasted testimony may carry them from another program and they carry no meaning.
The marks that scripts need (U+200C/U+200D joiners, U+200E/U+200F and U+061C direction marks)
stay: they change no other text's order.
"""

import unicodedata

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

NOT_UNICODE = _(
    "This text holds a character that is not valid Unicode (a lone surrogate). Nothing was "
    "saved: type or paste it again."
)
NOT_A_PLAIN_NAME = _(
    "A name may not hold control characters or characters that reverse the direction of the "
    "text around them."
)

# U+202A–U+202E: embeddings and overrides; U+2066–U+2069: isolates.
BIDI_CONTROLS = frozenset(chr(c) for c in [*range(0x202A, 0x202F), *range(0x2066, 0x206A)])
# Kept in free text: what people type on purpose.
LAYOUT = frozenset("\t\n\r")


def has_lone_surrogate(value: str) -> bool:
    return any("\ud800" <= character <= "\udfff" for character in value)


def _invisible(character: str) -> bool:
    return character in BIDI_CONTROLS or (
        unicodedata.category(character) == "Cc" and character not in LAYOUT
    )


def without_invisible_controls(value: str) -> str:
    """Free text without control characters (tabs and line breaks stay) and bidi controls."""
    if not any(_invisible(c) for c in value):
        return value
    return "".join(c for c in value if not _invisible(c))


def name_problem(value: str) -> str | None:
    """What is wrong with `value` as a name, or None."""
    if has_lone_surrogate(value):
        return str(NOT_UNICODE)
    if any(_invisible(c) or c in LAYOUT for c in value):
        return str(NOT_A_PLAIN_NAME)
    return None


def validate_unicode(value) -> None:
    """A form or model validator: refuse a lone surrogate."""
    if isinstance(value, str) and has_lone_surrogate(value):
        raise ValidationError(NOT_UNICODE, code="not_unicode")


def lone_surrogate_paths(data, path=()) -> list[tuple]:
    """Where in parsed JSON (dicts, lists, strings) a string, or a key, is not valid Unicode."""
    found = []
    if isinstance(data, str):
        return [path] if has_lone_surrogate(data) else []
    if isinstance(data, dict):
        for key, value in data.items():
            if isinstance(key, str) and has_lone_surrogate(key):
                found.append((*path, "(key)"))
            else:
                found.extend(lone_surrogate_paths(value, (*path, key)))
    elif isinstance(data, list):
        for index, value in enumerate(data):
            found.extend(lone_surrogate_paths(value, (*path, index)))
    return found


class FreeTextField(forms.CharField):
    """A form's free text: valid Unicode, without invisible controls."""

    default_validators = [validate_unicode]

    def to_python(self, value):
        value = super().to_python(value)
        return without_invisible_controls(value) if isinstance(value, str) else value
