"""The referral package as a document people read: labelled, translated sections.

A referral message's payload is data (codes, ISO dates, ids) meant for the other system; the
person reading it before the victim's data goes abroad, or on receiving it, reads sections: the
person, the risk, each record under its form's title with its fields' labels, dates in the
reader's language and format, countries by their names. The send page's preview, the referral
thread and (later) the referral PDF render from these sections, never from the payload itself.

A payload written by an older or newer version may carry keys this one does not know: they are
shown with a label made from their name when their value reads as words, and left out otherwise
(nested data, ids). Nothing is ever shown as a Python value.
"""

import datetime
import re
from dataclasses import asdict, dataclass, field, is_dataclass

from django.utils import formats
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from trm.access.categories import DataCategory
from trm.cases.models import Case, Person, Sex
from trm.cases.record_kinds import RECORD_KINDS, Field, RiskLevel
from trm.cases.stages import ClosureReason, Stage
from trm.cases.values import (
    date_in_words,
    fields_in_words,
    fields_of,
    in_words,
    label_of,
    scores_in_words,
)
from trm.directory.models import Country, ServiceKind
from trm.lib.translated import in_language

from .models import MessageKind, Referral
from .payload import AgeBand


@dataclass(frozen=True)
class Row:
    """One labelled value. `value` is words, or a list of them; `written` marks what a person
    typed (names, free text), which the page isolates for its direction of writing."""

    label: str
    value: str | list
    written: bool = False

    @property
    def is_list(self) -> bool:
        return isinstance(self.value, list)


@dataclass(frozen=True)
class Section:
    title: str
    rows: list = field(default_factory=list)
    note: str = ""


def country_names() -> dict[str, str]:
    """Each directory country's name in the active language, by its ISO 3166 code."""
    return {
        code: in_language(name) or code
        for code, name in Country.objects.values_list("code", "name")
    }


def _country(code, countries: dict) -> str:
    return countries.get(code, code) if isinstance(code, str) else ""


def _yes_no(value) -> str:
    return str(_("Yes") if value else _("No"))


def _verbose(model, name) -> str:
    return capfirst(model._meta.get_field(name).verbose_name)


# --- values nobody described: a payload from another version --------------------------------

UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$", re.I)
CODE = re.compile(r"^[a-z]+(_[a-z]+)+$")
ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
ISO_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}")


def _words(value) -> str | None:
    """A value no field describes, in words when it reads as such; None for what does not
    (nested data, ids)."""
    if isinstance(value, bool):
        return _yes_no(value)
    if isinstance(value, int | float):
        return in_words(Field("", "", "decimal"), value)
    if isinstance(value, str):
        if UUID.match(value):
            return None
        if ISO_DATETIME.match(value):
            return date_in_words(value, "datetime")
        if ISO_DATE.match(value):
            return date_in_words(value, "date")
        if CODE.match(value):  # a choice this version has no label for: its words at least
            return value.replace("_", " ")
        return value
    if isinstance(value, list) and value and all(isinstance(item, str | int) for item in value):
        words = [_words(item) for item in value]
        return None if None in words else ", ".join(words)
    return None


def _leftover_rows(values: dict, known) -> list[Row]:
    rows = []
    for name, value in values.items():
        if name in known or name == "id" or name.endswith("_id") or value in (None, "", []):
            continue
        words = _words(value)
        if words is not None:
            rows.append(Row(capfirst(name.replace("_", " ")), words, written=True))
    return rows


def _field_rows(fields, values: dict) -> list[Row]:
    """Rows of `values` by `fields` (see cases.values.in_words), then any others."""
    rows = [
        Row(spec.label, words, written=spec.kind in {"text", "longtext"})
        for spec, words in fields_in_words(fields, values)
    ]
    known = {spec.name for spec in fields} | {"scores"}
    rows += [Row(label, words) for label, words in scores_in_words(values.get("scores"))]
    return rows + _leftover_rows(values, known)


# --- the referral itself ----------------------------------------------------------------------


def _summary_rows(summary: dict, countries: dict, *, besides: dict) -> list[Row]:
    """The summary's rows (payload.Preview): what it says of the person only where the
    person's own data (`besides`) does not say it already."""
    rows = []
    if summary.get("age_band") and not besides.get("birth_date"):
        rows.append(Row(_("Age"), label_of(AgeBand, summary["age_band"])))
    if summary.get("sex") and not besides.get("sex"):
        rows.append(Row(_verbose(Person, "sex"), label_of(Sex, summary["sex"])))
    if summary.get("citizenship") and not besides.get("citizenship"):
        rows.append(
            Row(_verbose(Person, "citizenship"), _country(summary["citizenship"], countries))
        )
    if summary.get("services"):
        rows.append(
            Row(_("Services needed"), [label_of(ServiceKind, s) for s in summary["services"]])
        )
    if summary.get("planned_return_month"):
        rows.append(Row(_("Planned return"), _month(summary["planned_return_month"])))
    return rows


def _case_section(payload: dict, countries: dict) -> Section:
    case, summary = payload.get("case") or {}, payload.get("summary") or {}
    rows = []
    if case.get("reference"):
        rows.append(Row(_verbose(Case, "reference"), case["reference"], written=True))
    if "child" in case or "child" in summary:
        rows.append(
            Row(_verbose(Case, "is_child"), _yes_no(case.get("child", summary.get("child"))))
        )
    if case.get("age_uncertain"):
        rows.append(Row(_verbose(Case, "age_uncertain"), _yes_no(True)))
    rows += _summary_rows(summary, countries, besides=payload.get("person") or {})
    if payload.get("categories"):
        rows.append(
            Row(
                _verbose(Referral, "categories"),
                [label_of(DataCategory, category) for category in payload["categories"]],
            )
        )
    if payload.get("message"):  # the sender's covering note
        rows.append(Row(_("Message"), str(payload["message"]), written=True))
    return Section(str(_("The case")), rows)


def _month(value) -> str:
    """A month written "2026-12" in the reader's language: "December 2026"."""
    try:
        year, month = (int(part) for part in str(value).split("-")[:2])
        return formats.date_format(datetime.date(year, month, 1), "YEAR_MONTH_FORMAT")
    except ValueError:
        return str(value)


PERSON_WRITTEN = {"given_name", "family_name", "given_name_latin", "family_name_latin",
                  "document_number"}  # fmt: skip


def _person_section(person: dict, countries: dict) -> Section | None:
    rows = []
    for name in Person.CATEGORY_OF_FIELD:
        value = person.get(name)
        if value in (None, "", {}, []):
            continue
        label = _verbose(Person, name)
        if name == "birth_date":
            rows.append(Row(label, date_in_words(value)))
        elif name == "sex":
            rows.append(Row(label, label_of(Sex, value)))
        elif name == "citizenship":
            rows.append(Row(label, _country(value, countries)))
        elif name == "contacts" and isinstance(value, dict):
            rows.append(
                Row(label, [f"{kind}: {text}" for kind, text in value.items()], written=True)
            )
        elif isinstance(value, str):
            rows.append(Row(label, value, written=name in PERSON_WRITTEN))
    known = set(Person.CATEGORY_OF_FIELD)
    rows += _leftover_rows(person, known)
    return Section(str(_("The person")), rows) if rows else None


RISK_FIELDS = (
    Field("risk_to_life", _("Risk to life"), "bool"),
    Field("risk_level", _("Risk level"), "choice", RiskLevel),
    Field("risk_of_re_trafficking", _("Risk of re-trafficking"), "choice", RiskLevel),
    Field("danger_of_violence", _("In danger of violence"), "bool"),
    Field("escort_needed", _("An escort is needed"), "bool"),
)


def _risk_section(risk: dict) -> Section | None:
    # False is an answer here ("no risk to life"), unlike in a form where it may be unticked.
    rows = _field_rows(RISK_FIELDS, risk)
    return Section(str(_("Risk")), rows) if rows else None


def _record_section(record: dict) -> Section | None:
    values = record.get("fields")
    if not isinstance(values, dict):
        return None
    kind = RECORD_KINDS.get(record.get("kind"))
    if kind is not None:
        title, rows = str(kind.label), _field_rows(fields_of(kind), values)
    else:
        title = capfirst(str(record.get("kind") or _("Record")).replace("_", " "))
        rows = _leftover_rows(values, ())
    stage = record.get("stage")
    note = [label_of(Stage, stage)] if stage else []
    if record.get("recorded_at"):
        note.append(date_in_words(record["recorded_at"]))
    return Section(title, rows, " · ".join(note)) if rows else None


def package_sections(payload: dict, countries: dict | None = None) -> list[Section]:
    """The content of a referral (referrals.payload.build_payload) as sections to read."""
    countries = country_names() if countries is None else countries
    sections = [_case_section(payload, countries)]
    sections.append(_person_section(payload.get("person") or {}, countries))
    sections.append(_risk_section(payload.get("risk") or {}))
    for record in payload.get("records") or []:
        if isinstance(record, dict):
            sections.append(_record_section(record))
    known = {"categories", "case", "summary", "person", "risk", "records", "message"}
    others = _leftover_rows(payload, known)
    if others:
        sections.append(Section(str(_("Other information")), others))
    return [section for section in sections if section is not None and section.rows]


def preview_sections(summary, countries: dict | None = None) -> list[Section]:
    """What the receiving side sees before accepting (payload.Preview, or the payload's
    summary) as one section: nothing in it names the person."""
    countries = country_names() if countries is None else countries
    summary = asdict(summary) if is_dataclass(summary) else dict(summary or {})
    rows = [Row(_verbose(Case, "is_child"), _yes_no(summary.get("child")))]
    rows += _summary_rows(summary, countries, besides={})
    if summary.get("risk_level"):
        rows.append(Row(_("Risk level"), label_of(RiskLevel, summary["risk_level"])))
    rows.append(Row(_("Risk to life"), _yes_no(summary.get("risk_to_life"))))
    rows.append(Row(_("Escort needed"), _yes_no(summary.get("escort_needed"))))
    return [Section("", rows)]


# --- the other messages on a referral ---------------------------------------------------------


CANCELLED_BECAUSE = {
    "case_closed": _("The case was closed."),
    "referral_withdrawn": _("The case went back to the pre-return assessment."),
}

MESSAGE_FIELDS = {
    MessageKind.ACCEPT: (
        Field("met_by", _("Who will meet the person"), "text"),
        Field("place", _("Where"), "text"),
        Field("meeting_at", _("When"), "datetime"),
        Field("capacity_confirmed", _("We have the capacity to assist the person"), "bool"),
        Field("message", _("Message"), "longtext"),
    ),
    MessageKind.DECLINE: (Field("reason", _("Reason"), "longtext"),),
    MessageKind.ASK_INFORMATION: (Field("question", _("Question"), "longtext"),),
    MessageKind.ANSWER: (Field("text", _("Answer"), "longtext"),),
    MessageKind.DEPARTURE_NOTICE: (
        Field("departed_at", _("Departed at"), "datetime"),
        Field("recorded_at", _("Departure recorded"), "datetime"),
    ),
    MessageKind.RECEPTION_CONFIRMATION: RECORD_KINDS["reception"].fields,
    MessageKind.MONITORING_SUMMARY: (
        Field("contacted_on", _("Contacted on"), "date"),
        Field("days_after_return", _("Days after return"), "int"),
    ),
    MessageKind.CLOSURE_NOTICE: (
        Field("closure_reason", _verbose(Case, "closure_reason"), "choice", ClosureReason),
        Field("closed_at", _verbose(Case, "closed_at"), "datetime"),
    ),
    MessageKind.CANCEL: (Field("reason", _("Reason"), "longtext"),),
    MessageKind.COPY_DESTROYED: (Field("erased_at", _("Destroyed at"), "datetime"),),
}


def message_sections(kind: str, payload, countries: dict | None = None) -> list[Section]:
    """The payload of a message of `kind` on a referral as sections to read."""
    if not isinstance(payload, dict):
        return []
    if kind == MessageKind.SEND:
        return package_sections(payload, countries)
    values = dict(payload)
    values.pop("record", None)  # the id of the receiving side's record: no words for a reader
    rows = []
    because = values.pop("because", None)
    if because:
        rows.append(Row(_("Reason"), str(CANCELLED_BECAUSE.get(because, _words(because) or ""))))
    rows += _field_rows(MESSAGE_FIELDS.get(kind, ()), values)
    rows = [row for row in rows if row.value]
    return [Section("", rows)] if rows else []
