"""Stage records: the forms of the procedure, as data. Read the current ones, add one, correct
one. The catalogue of kinds tells clients every field, its type and its codes."""

import datetime
import uuid
from typing import Any, Literal

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from ninja import Query, Router, Schema, Status
from pydantic import Field

from trm.access.policy import access_to
from trm.access.reads import read_case
from trm.access.view import RecordShown, case_view
from trm.cases.actions import journey
from trm.cases.models import StageRecord
from trm.cases.record_kinds import RECORD_KINDS, RecordKind, Side
from trm.cases.stages import Stage
from trm.lib.errors import DomainError, NotAllowed

from .auth import caller, needs
from .lookup import visible_case
from .models import Scope
from .schemas import (
    IfMatch,
    In,
    Limit,
    Offset,
    Page,
    Version,
    codes,
    responses,
    version_wanted,
)

router = Router(tags=["stage records"])
kinds_router = Router(tags=["stage records"])

KindCode = Literal[tuple(RECORD_KINDS)]
ANSWERS = {"yes": True, "true": True, "no": False, "false": False}
RECORD_NOT_FOUND = _("This record does not exist or you may not see it.")


class ChoiceOut(Schema):
    value: str
    label: str


class FieldOut(Schema):
    name: str
    label: str
    kind: str = Field(description="text, longtext, choice, multi, bool, date, datetime, int, "
                      "decimal, score or language")  # fmt: skip
    required: bool
    required_for_a_child: str | None = Field(
        description="For a child, the field is required (a bool must be true); this says why."
    )
    encrypted: bool
    category: str
    choices: list[ChoiceOut] | None


class RecordKindOut(Schema):
    code: str
    label: str
    stages: list[codes(Stage)]
    side: codes(Side)
    category: str
    children_only: bool
    repeatable: bool
    needs_approval: bool
    fields: list[FieldOut]


class RecordOut(Schema):
    id: uuid.UUID
    kind: str
    label: str
    stage: codes(Stage)
    side: codes(Side)
    organisation: str
    recorded_by: str
    recorded_at: datetime.datetime
    supersedes: uuid.UUID | None
    fields: dict[str, Any] = Field(
        description="Only the fields the caller may see: of another organisation's record, "
        "those in the categories shared with the caller, narrative only where the sender "
        "included it. A record the caller may see nothing of is not listed."
    )


class RecordIn(In):
    kind: KindCode
    data: dict[str, Any] = Field(
        default_factory=dict, description="The record's fields: see GET /api/record-kinds."
    )
    supersedes: uuid.UUID | None = Field(None, description="The record this one corrects.")
    version: Version | None = Field(None, description="Refuse the record if the case changed.")


class RecordFilters(Schema):
    kind: KindCode | None = None
    limit: Limit = 100
    offset: Offset = 0


def _choices(spec) -> list[ChoiceOut] | None:
    if spec.kind == "language":
        from trm.lib.languages import spoken_language_choices

        return [ChoiceOut(value=v, label=str(label)) for v, label in spoken_language_choices()]
    if spec.kind == "score":
        return [ChoiceOut(value=str(n), label=str(n)) for n in range(5)]
    if spec.choices is None:
        return None
    return [ChoiceOut(value=v, label=str(label)) for v, label in spec.choices.choices]


def kind_out(kind: RecordKind) -> RecordKindOut:
    return RecordKindOut(
        code=kind.code,
        label=str(kind.label),
        stages=list(kind.stages),
        side=kind.side,
        category=kind.category,
        children_only=kind.children_only,
        repeatable=kind.repeatable,
        needs_approval=kind.needs_approval,
        fields=[
            FieldOut(
                name=spec.name,
                label=str(spec.label),
                kind=spec.kind,
                required=spec.required,
                required_for_a_child=str(spec.for_a_child) if spec.for_a_child else None,
                encrypted=spec.encrypted,
                category=kind.category_of(spec.name),
                choices=_choices(spec),
            )
            for spec in kind.fields
        ],
    )


def record_out(record: RecordShown) -> RecordOut:
    """A record as the caller's view of the case holds it (`access.view`)."""
    return RecordOut(
        id=record.id,
        kind=record.kind,
        label=str(record.label),
        stage=record.stage,
        side=record.side,
        organisation=record.organisation,
        recorded_by=record.recorded_by,
        recorded_at=record.recorded_at,
        supersedes=record.supersedes,
        fields=record.values,
    )


def form_data(kind_code: str, data: dict) -> dict:
    """The JSON of a record as its form reads a posted form: one string per field, a list of
    codes for a multiple choice, yes or no for a question. Anything else is refused here, so
    the form only ever sees what a browser could send."""
    kind = RECORD_KINDS[kind_code]
    specs = {spec.name: spec for spec in kind.fields}
    unknown = sorted(set(data) - set(specs))
    if unknown:
        raise DomainError(_("Unknown fields: %(fields)s") % {"fields": ", ".join(unknown)})
    cleaned, errors = {}, {}
    for name, value in data.items():
        spec, label = specs[name], specs[name].label
        if value is None:
            continue
        if spec.kind == "multi":
            if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                errors[name] = [_("%(field)s: give a list of codes.") % {"field": label}]
                continue
        elif spec.kind == "bool":
            # A form reads any other text as "yes": an API takes only clear answers.
            value = ANSWERS.get(value.lower(), value) if isinstance(value, str) else value
            if not isinstance(value, bool):
                errors[name] = [_("%(field)s: give true or false.") % {"field": label}]
                continue
        elif isinstance(value, bool) or not isinstance(value, str | int | float):
            errors[name] = [_("%(field)s: give a single value.") % {"field": label}]
            continue
        elif spec.kind in {"date", "datetime"} and not _plausible_date(spec, str(value)):
            errors[name] = [_("%(field)s: give a date between 1900 and 2200.") % {"field": label}]
            continue
        cleaned[name] = value if isinstance(value, bool | list) else str(value)
    if errors:
        raise DomainError(errors=errors).within("data")
    return cleaned


def _plausible_date(spec, value: str) -> bool:
    # Records count days from their dates (deadlines, reflection periods): keep them in range.
    try:
        parsed = spec.form_field().clean(value)
    except ValidationError:
        return True  # the record's form says what is wrong with it
    return parsed is None or 1900 <= parsed.year <= 2200


@kinds_router.get("", response=responses(200, list[RecordKindOut]))
def record_kinds(request):
    """Every kind of stage record: its fields, their types and codes, where and by whom it is
    recorded. Reference data: any caller may read it."""
    return [kind_out(kind) for kind in RECORD_KINDS.values()]


@router.get("/{case_id}/records", response=responses(200, Page[RecordOut]))
@needs(Scope.CASES_READ)
def list_records(request, case_id: uuid.UUID, filters: Query[RecordFilters]):
    """The case's current records (corrections replace what they correct), oldest first."""
    case, access = read_case(caller(request), case_id, purpose="records_viewed")
    records = [
        record
        for record in case_view(case, access).records
        if not filters.kind or record.kind == filters.kind
    ]
    return {
        "count": len(records),
        "limit": filters.limit,
        "offset": filters.offset,
        "items": [
            record_out(record)
            for record in records[filters.offset : filters.offset + filters.limit]
        ],
    }


@router.post("/{case_id}/records", response=responses(201, RecordOut))
@needs(Scope.CASES_WRITE)
def add_record(request, case_id: uuid.UUID, payload: RecordIn, if_match: IfMatch = None):
    """Record a form of the procedure, or correct one: `supersedes` names the record corrected,
    of the same kind. Validated like the page's form; refusals say why (422, 409)."""
    user = caller(request)
    case, access = visible_case(user, case_id)
    version = version_wanted(payload.version, if_match, required=False)
    corrected = None
    if payload.supersedes is not None:
        # Only a record the caller sees; the action lets only its organisation correct it.
        if case_view(case, access).any_record(payload.supersedes) is None:
            raise NotAllowed(RECORD_NOT_FOUND)
        corrected = StageRecord.objects.get(pk=payload.supersedes, case=case)
        if corrected.kind != payload.kind:
            raise DomainError(_("A correction is of the same kind as the record it corrects."))
    data = form_data(payload.kind, payload.data)
    try:
        created = journey.add_record(
            user, case, payload.kind, data, supersedes=corrected, version=version
        )
    except DomainError as refused:
        raise refused.within("data") from None  # the record's fields are in `data`
    shown = case_view(case, access_to(user, case)).record(created.pk)
    return Status(201, record_out(shown))
