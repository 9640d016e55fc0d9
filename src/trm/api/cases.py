import datetime
import uuid

from ninja import Router, Schema

from trm.access.categories import DataCategory
from trm.access.policy import categories_by_case
from trm.access.reads import read_case, visible_person_fields
from trm.audit.log import record
from trm.cases.models import Case

router = Router(tags=["cases"])


class PersonOut(Schema):
    fields: dict[str, str | None]


class CaseOut(Schema):
    id: uuid.UUID
    reference: str
    owner: str
    opened_at: datetime.datetime
    is_child: bool
    version: int
    categories: list[str]
    person: PersonOut


class CaseSummary(Schema):
    id: uuid.UUID
    reference: str
    owner: str
    name: str | None


def _text(value) -> str | None:
    if value is None or value == "":
        return None
    return value.isoformat() if isinstance(value, datetime.date) else str(value)


@router.get("/", response=list[CaseSummary])
def list_cases(request, limit: int = 50, offset: int = 0):
    """The cases the signed-in user may see, newest first; names only where shared."""
    limit = max(1, min(limit, 200))
    cases = list(
        Case.objects.visible_to(request.user).select_related("person__data_key", "owner")[
            max(offset, 0) : max(offset, 0) + limit
        ]
    )
    categories = categories_by_case(request.user, [case.pk for case in cases])
    named = {
        case.pk
        for case in cases
        if DataCategory.IDENTITY in categories.get(case.pk, ()) and case.person.erased_at is None
    }
    if cases:
        record(
            "trm.case.listed",
            actor=request.user,
            details={"cases": [str(pk) for pk in sorted(named, key=str)]},
        )
    return [
        CaseSummary(
            id=case.pk,
            reference=case.reference,
            owner=case.owner.name,
            name=case.person.full_name if case.pk in named else None,
        )
        for case in cases
    ]


@router.get("/{case_id}", response=CaseOut)
def get_case(request, case_id: uuid.UUID):
    """One case; a case the user may not see answers 404 like one that does not exist."""
    case, access = read_case(request.user, case_id)
    return CaseOut(
        id=case.pk,
        reference=case.reference,
        owner=case.owner.name,
        opened_at=case.opened_at,
        is_child=case.is_child,
        version=case.version,
        categories=sorted(access.categories),
        person=PersonOut(
            fields={
                name: _text(value)
                for name, _label, value in visible_person_fields(case.person, access)
            }
        ),
    )
