"""Cases and the person they follow: list, search (by POST: names stay out of URLs), read,
open, correct."""

import datetime
import uuid
from typing import Annotated, Any

from django.http import HttpResponse
from django.utils.translation import gettext_lazy as _
from ninja import Query, Router, Schema, Status
from pydantic import Field, StringConstraints

from trm.access.categories import DataCategory
from trm.access.policy import categories_by_case, may_open_cases, visible_cases
from trm.access.reads import read_case
from trm.access.view import case_view
from trm.audit.log import record
from trm.cases import finding
from trm.cases.actions import casework
from trm.cases.age import is_child_on
from trm.cases.models import Case, NameIndex, Sex
from trm.cases.stages import Stage
from trm.deadlines.models import Deadline
from trm.lib import limits
from trm.lib.errors import DomainError

from .auth import caller, needs
from .lookup import visible_case
from .models import Scope
from .schemas import (
    Date,
    IfMatch,
    In,
    Limit,
    Offset,
    Page,
    Version,
    codes,
    etag,
    page_of,
    responses,
    text,
    version_wanted,
)

router = Router(tags=["cases"])

Citizenship = Annotated[str, StringConstraints(pattern=r"^([A-Za-z]{2})?$")]
Contacts = Annotated[dict[text(50, 1), text(200)], Field(max_length=20)]


class PersonOut(Schema):
    """The person's fields in the data categories the caller may see; the others are absent."""

    fields: dict[str, Any]


class CaseOut(Schema):
    id: uuid.UUID
    reference: str
    owner: str
    owner_slug: str
    stage: codes(Stage)
    is_child: bool
    age_uncertain: bool
    treated_as_child: bool
    opened_at: datetime.datetime
    returned_at: datetime.datetime | None
    received_at: datetime.datetime | None
    closed_at: datetime.datetime | None
    closure_reason: str
    version: int
    categories: list[str]
    person: PersonOut


class CaseState(Schema):
    """Where a case stands after a change: enough to go on, no personal data."""

    id: uuid.UUID
    reference: str
    stage: codes(Stage)
    version: int
    closed_at: datetime.datetime | None


class CaseSummary(Schema):
    id: uuid.UUID
    reference: str
    owner: str
    stage: codes(Stage)
    treated_as_child: bool
    opened_at: datetime.datetime
    version: int
    overdue: bool
    name: str | None = Field(description="Only where the caller may see the person's identity.")


class CaseFilters(Schema):
    """The list's filters: none of them personal data, so they may travel in the URL."""

    stage: codes(Stage) | None = None
    child: bool | None = Field(None, description="Children (and age uncertain) or adults only.")
    overdue: bool | None = Field(None, description="Cases with an overdue deadline, or without.")
    reference: text(20, 1) | None = None
    limit: Limit = 50
    offset: Offset = 0


class CaseSearch(CaseFilters):
    """A search by name or document number, with the list's filters: sent as the body of a
    POST, because a name must never travel in a URL (logs, proxies, Referer headers)."""

    model_config = In.model_config  # unknown fields are refused, as in every body

    name: text(limits.NAME, 1) | None = Field(
        None, description="A name, exactly, in any script: given, family or both."
    )
    document: text(limits.DOCUMENT_NUMBER, 1) | None = Field(
        None, description="An identity document number."
    )


# What the list answers to the old way of searching, which put the name in the URL.
SEARCH_IN_URL = ("name", "document")


class PersonIn(In):
    given_name: text(limits.NAME, 1)
    family_name: text(limits.NAME) = ""
    given_name_latin: text(limits.NAME) = ""
    family_name_latin: text(limits.NAME) = ""
    birth_date: Date | None = None
    sex: codes(Sex) = Sex.UNKNOWN.value
    citizenship: Citizenship = ""
    document_number: text(limits.DOCUMENT_NUMBER) = ""
    contacts: Contacts | None = None


class CaseIn(In):
    organisation: text(80, 1) | None = Field(
        None, description="The opening organisation's short name; needed if you work for several."
    )
    is_child: bool = Field(
        False, description="Where no birth date is given: the person is or may be a child."
    )
    age_uncertain: bool = Field(
        False, description="There is reason to think the person is a child, whatever the "
        "birth date says: handled as a child.",
    )  # fmt: skip
    person: PersonIn


class PersonPatch(In):
    """The fields to correct, and only those; `version` (or If-Match) is the case's version."""

    version: Version | None = None
    given_name: text(limits.NAME, 1) = None
    family_name: text(limits.NAME) = None
    given_name_latin: text(limits.NAME) = None
    family_name_latin: text(limits.NAME) = None
    birth_date: Date | None = None
    sex: codes(Sex) = None
    citizenship: Citizenship = None
    document_number: text(limits.DOCUMENT_NUMBER) = None
    contacts: Contacts | None = None
    is_child: bool | None = Field(
        None, description="Where no birth date is known; one that contradicts it is refused."
    )
    age_uncertain: bool | None = None


def state_of(case: Case) -> CaseState:
    return CaseState(
        id=case.pk,
        reference=case.reference,
        stage=case.stage,
        version=case.version,
        closed_at=case.closed_at,
    )


def _value(value):
    if isinstance(value, datetime.date):
        return value.isoformat()
    return None if value == "" else value


def _person(data: dict) -> dict:
    if data.get("citizenship"):
        data["citizenship"] = data["citizenship"].upper()
    return data


def _filtered(user, filters: CaseFilters):
    """The cases the caller may see, narrowed by the list's filters."""
    return finding.filtered(
        visible_cases(user),
        user,
        stage=filters.stage,
        child=filters.child,
        overdue=filters.overdue,
        reference=filters.reference,
    )


def _searched(user, cases, search: CaseSearch):
    """Narrow to exact matches of a name or document (`cases.finding`)."""
    for wanted, kind in [(search.name, NameIndex.Kind.NAME),
                         (search.document, NameIndex.Kind.DOCUMENT)]:  # fmt: skip
        if wanted is not None:
            cases = finding.with_person(cases, user, wanted, kind)
    return cases


def _page(user, cases, filters: CaseFilters, searched: list[str]) -> dict:
    """One page of case summaries, names only where their identity is shared; the listing is
    audited with the kinds searched for, never the values."""
    count, found = page_of(
        cases.select_related("person__data_key", "owner").order_by("-opened_at", "pk"),
        filters.limit,
        filters.offset,
    )
    ids = [case.pk for case in found]
    categories = categories_by_case(user, ids)
    named = {
        case.pk
        for case in found
        if DataCategory.IDENTITY in categories.get(case.pk, ()) and case.person.erased_at is None
    }
    overdue = set(
        Deadline.objects.overdue().filter(case_id__in=ids).values_list("case_id", flat=True)
    )
    if found:
        record(
            "trm.case.listed",
            actor=user,
            details={"cases": [str(pk) for pk in sorted(named, key=str)], "search": searched},
        )
    items = [
        CaseSummary(
            id=case.pk,
            reference=case.reference,
            owner=case.owner.name,
            stage=case.stage,
            treated_as_child=case.treated_as_child,
            opened_at=case.opened_at,
            version=case.version,
            overdue=case.pk in overdue,
            name=case.person.full_name if case.pk in named else None,
        )
        for case in found
    ]
    return {"count": count, "limit": filters.limit, "offset": filters.offset, "items": items}


@router.get("/", response=responses(200, Page[CaseSummary]))
@needs(Scope.CASES_READ)
def list_cases(request, filters: Query[CaseFilters]):
    """The cases the caller may see, newest first; names only where their identity is shared.

    Filters combine. To find a person by name or document number, POST to `/api/cases/search`:
    a name is never sent in a URL, and `name` or `document` here is refused (422)."""
    if any(name in request.GET for name in SEARCH_IN_URL):
        # Refused rather than ignored: ignoring would answer every case as if it matched.
        raise DomainError(
            _("Names and document numbers never go in a URL: search with POST /api/cases/search.")
        )
    user = caller(request)
    return _page(user, _filtered(user, filters), filters, searched=[])


@router.post("/search", response=responses(200, Page[CaseSummary]))
@needs(Scope.CASES_READ)
def search_cases(request, payload: CaseSearch):
    """The cases whose person has this name or document number, exactly, through the blind
    index, among those the caller may see and where that part of the person is shared with
    them; newest first, with the list's filters and pages.

    The search travels in the body, never in the URL; the audit trail records which kinds
    were searched (`name`, `document`), never what."""
    if payload.name is None and payload.document is None:
        raise DomainError(_("Say what to search for: a name, a document number, or both."))
    user = caller(request)
    cases = _searched(user, _filtered(user, payload), payload)
    searched = [kind for kind in ("name", "document") if getattr(payload, kind) is not None]
    return _page(user, cases, payload, searched)


@router.post("/", response=responses(201, CaseState))
@needs(Scope.CASES_WRITE)
def open_case(request, payload: CaseIn, response: HttpResponse):
    """Open a case for a new person, owned by the caller's organisation."""
    user = caller(request)
    openable = [
        membership.organisation
        for membership in user.active_memberships()
        if may_open_cases(user, membership.organisation)
    ]
    if payload.organisation is not None:
        openable = [o for o in openable if o.slug == payload.organisation]
        if not openable:
            raise DomainError(
                _("You cannot open cases for %(organisation)s.")
                % {"organisation": payload.organisation}
            )
    if not openable:
        raise DomainError(_("You cannot open cases."))
    if len(openable) > 1:
        raise DomainError(_("You work for several organisations: say which opens the case."))
    try:
        case = casework.open_case(
            user,
            openable[0],
            person=_person(payload.person.model_dump(exclude_none=True)),
            is_child=payload.is_child,
            age_uncertain=payload.age_uncertain,
        )
    except DomainError as refused:
        raise refused.within("person", fields=casework.PERSON_FIELDS) from None
    response["Location"] = f"{request.path.rstrip('/')}/{case.pk}"
    response["ETag"] = etag(case.version)
    return Status(201, state_of(case))


@router.get("/{case_id}", response=responses(200, CaseOut))
@needs(Scope.CASES_READ)
def get_case(request, case_id: uuid.UUID, response: HttpResponse):
    """One case; one the caller may not see answers 404 like one that does not exist.

    The ETag is the case's version: send it back as If-Match (or `version`) to change it."""
    case, access = read_case(caller(request), case_id)
    response["ETag"] = etag(case.version)
    return CaseOut(
        id=case.pk,
        reference=case.reference,
        owner=case.owner.name,
        owner_slug=case.owner.slug,
        stage=case.stage,
        is_child=case.is_child,
        age_uncertain=case.age_uncertain,
        treated_as_child=is_child_on(case),
        opened_at=case.opened_at,
        returned_at=case.returned_at,
        received_at=case.received_at,
        closed_at=case.closed_at,
        closure_reason=case.closure_reason,
        version=case.version,
        categories=sorted(access.categories),
        person=PersonOut(
            fields={shown.name: _value(shown.value) for shown in case_view(case, access).person}
        ),
    )


@router.patch("/{case_id}/person", response=responses(200, CaseState))
@needs(Scope.CASES_WRITE)
def correct_person(
    request,
    case_id: uuid.UUID,
    payload: PersonPatch,
    response: HttpResponse,
    if_match: IfMatch = None,
):
    """Correct the person's data: only the fields given, each in a category you may change."""
    user = caller(request)
    case, _access = visible_case(user, case_id)
    version = version_wanted(payload.version, if_match, required=True)
    changes = _person(payload.model_dump(exclude_unset=True, exclude={"version"}))
    for name in casework.AGE_FIELDS:  # a null answers nothing about the person's age
        if changes.get(name, False) is None:
            del changes[name]
    if not changes:
        raise DomainError(_("Nothing to correct: give at least one of the person's fields."))
    casework.update_person(user, case, changes, version=version)
    case = Case.objects.get(pk=case.pk)
    response["ETag"] = etag(case.version)
    return state_of(case)
