"""A record's values in words, as its reader reads them: choices by their labels, yes or no,
dates and numbers in the reader's language and format. The case page (cases.timeline), the
referral package (referrals.package) and what else displays stage records share these."""

import datetime
import decimal

from django.utils import formats, timezone
from django.utils.translation import get_language_info
from django.utils.translation import gettext_lazy as _

from .record_kinds import RECORD_KINDS, Field

# Facts trm derives for some records (actions.journey._derived_facts), shown after the form's own.
DERIVED_FIELDS = (
    Field("days", _("Length (days)"), "int"),
    Field("ends_on", _("Ends on"), "date"),
    Field("days_after_return", _("Days after return"), "int"),
)
DIMENSION_LABELS = {
    "economic": _("Economic score"),
    "social": _("Social score"),
    "psychosocial": _("Psychosocial score"),
}


def label_of(choices, value) -> str:
    """The label of `value` among `choices` (a TextChoices class); the value if unknown."""
    return str(dict(choices.choices).get(value, value))


def date_in_words(value, kind: str = "date") -> str:
    """An ISO date or date-time (or a date object) in the reader's language and format: a
    date-time in the reader's time zone, and as a date only when `kind` is "date"."""
    when = value
    try:
        if isinstance(value, str):
            when = (
                datetime.datetime.fromisoformat(value)
                if "T" in value or " " in value.strip()
                else datetime.date.fromisoformat(value)
            )
    except ValueError:
        return str(value)
    if isinstance(when, datetime.datetime):
        if timezone.is_aware(when):
            when = timezone.localtime(when)
        if kind == "datetime":
            return formats.date_format(when, "DATETIME_FORMAT")
        when = when.date()
    if isinstance(when, datetime.date):
        return formats.date_format(when, "DATE_FORMAT")
    return str(value)


def in_words(spec: Field | None, value) -> str:
    """One field's value as its reader reads it: choices by their labels, yes or no, dates and
    numbers in the reader's language and format. A value no field describes (`spec` None) as
    it is."""
    if spec is None:
        return str(value)
    if spec.kind == "choice" and spec.choices:
        return label_of(spec.choices, value)
    if spec.kind == "multi":
        items = value if isinstance(value, list | tuple) else [value]
        if spec.choices:
            items = [label_of(spec.choices, item) for item in items]
        return ", ".join(str(item) for item in items)
    if spec.kind == "bool":
        return str(_("Yes") if value else _("No"))
    if spec.kind == "language":
        try:
            return str(get_language_info(value)["name_translated"])
        except KeyError:
            return str(value)
    if spec.kind in {"date", "datetime"}:
        return date_in_words(value, spec.kind)
    if spec.kind in {"int", "decimal", "score"} and not isinstance(value, bool):
        try:
            return formats.localize(decimal.Decimal(str(value)))
        except decimal.InvalidOperation:
            return str(value)
    return str(value)


def fields_in_words(fields, values: dict) -> list[tuple[Field, str]]:
    """(field, value in words) of `values` by `fields`, in their order; empty values and values
    no field names are left out."""
    return [
        (spec, in_words(spec, values[spec.name]))
        for spec in fields
        if values.get(spec.name) not in (None, "", [])
    ]


def fields_of(kind) -> tuple:
    """A record kind's fields, then the facts trm derives for it."""
    own = {spec.name for spec in kind.fields}
    return (*kind.fields, *(spec for spec in DERIVED_FIELDS if spec.name not in own))


def scores_in_words(scores) -> list[tuple[str, str]]:
    """A monitoring contact's sustainability scores: overall, each dimension, and whether the
    reintegration counts as sustainable."""
    if not isinstance(scores, dict) or "overall" not in scores:
        return []
    shown = [(_("Sustainability score"), formats.localize(round(scores["overall"], 2)))]
    shown += [
        (label, formats.localize(round(scores[name], 2)))
        for name, label in DIMENSION_LABELS.items()
        if isinstance(scores.get(name), int | float)
    ]
    if "sustainable" in scores:
        shown.append(
            (_("Sustainable reintegration"), str(_("Yes") if scores["sustainable"] else _("No")))
        )
    return shown


def record_in_words(kind_code: str, values: dict) -> list[tuple[str, str]]:
    """(label, value in words) of a record of `kind_code` with `values` (its facts and details):
    its fields in form order, then what trm derives from them."""
    shown = fields_in_words(fields_of(RECORD_KINDS[kind_code]), values)
    return [(spec.label, words) for spec, words in shown] + scores_in_words(values.get("scores"))
