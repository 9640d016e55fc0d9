"""The directory, read only: who does what in each country. It holds no victim data."""

import datetime
from typing import Annotated, Literal

from django.utils.translation import gettext_lazy as _
from ninja import Query, Router, Schema
from pydantic import Field, StringConstraints

from trm.directory.forms import DirectorySearchForm
from trm.directory.models import Country, Organisation, OrganisationKind, ServiceKind, TrmRole
from trm.lib.errors import DomainError, NotAllowed
from trm.lib.languages import SPOKEN_LANGUAGES
from trm.lib.translated import in_language

from .auth import needs
from .models import Scope
from .schemas import DirectoryId, Limit, Offset, Page, codes, page_of, responses, text

router = Router(tags=["directory"])


class ServiceOut(Schema):
    kind: codes(ServiceKind)
    note: str


class OrganisationOut(Schema):
    id: int
    slug: str
    name: str
    country: str
    kind: codes(OrganisationKind)
    description: str = Field(description="In the caller's language where there is one.")
    area_served: str
    languages: list[str]
    serves_adults: bool
    serves_children: bool
    email: str
    phone: str
    website: str
    address: str
    capacity_note: str
    is_focal_point: bool
    is_active: bool
    hosted_here: bool = Field(
        description="False: it works on another trm node (`node`); referrals to it cross as "
        "messages between the nodes while `reachable`."
    )
    node: str = Field(description="The trm node it is hosted on; blank: this node.")
    reachable: bool = Field(
        description="False: this node no longer exchanges with the node it is hosted on."
    )
    directory_copied_at: datetime.datetime | None = Field(
        description="When this node last copied its node's signed directory; null if hosted here."
    )
    services: list[ServiceOut]


class CountryOut(Schema):
    code: str
    name: str
    trm_role: codes(TrmRole)
    nrm_summary: str
    identifying_authority: str
    guardian_authority: str
    reflection_period_days: int
    referral_response_days: int
    monitoring_schedule_months: list[int]
    identification_abroad_recognised: bool
    child_age_threshold: int
    child_reception_alert_hours: int
    reintegration_plan_due_days: int


class DirectoryFilters(Schema):
    q: text(100) | None = Field(None, description="Words of the name or description.")
    country: Annotated[str, StringConstraints(pattern=r"^[A-Za-z]{2}$")] | None = Field(
        None, description="ISO 3166 code, such as UA."
    )
    service: codes(ServiceKind) | None = None
    kind: codes(OrganisationKind) | None = None
    area: text(100) | None = None
    language: Literal[tuple(SPOKEN_LANGUAGES)] | None = Field(
        None, description="A language code, such as uk."
    )
    children: bool = Field(False, description="Only organisations working with children.")
    focal_point: bool = Field(False, description="Only the TRM focal points.")
    limit: Limit = 50
    offset: Offset = 0


class Paging(Schema):
    limit: Limit = 50
    offset: Offset = 0


def organisation_out(organisation: Organisation) -> OrganisationOut:
    return OrganisationOut(
        id=organisation.pk,
        slug=organisation.slug,
        name=organisation.name,
        country=organisation.country.code,
        kind=organisation.kind,
        description=in_language(organisation.description),
        area_served=organisation.area_served,
        languages=organisation.language_codes,
        serves_adults=organisation.serves_adults,
        serves_children=organisation.serves_children,
        email=organisation.email,
        phone=organisation.phone,
        website=organisation.website,
        address=organisation.address,
        capacity_note=organisation.capacity_note,
        is_focal_point=organisation.is_focal_point,
        is_active=organisation.is_active,
        hosted_here=organisation.is_hosted_here,
        node="" if organisation.is_hosted_here else organisation.hosted_on.name,
        reachable=organisation.is_reachable,
        directory_copied_at=None
        if organisation.is_hosted_here
        else organisation.hosted_on.directory_fetched_at,
        services=[ServiceOut(kind=s.kind, note=s.note) for s in organisation.services.all()],
    )


@router.get("/organisations", response=responses(200, Page[OrganisationOut]))
@needs(Scope.DIRECTORY_READ)
def search(request, filters: Query[DirectoryFilters]):
    """Search the active organisations, as the directory page does; filters combine."""
    data = filters.model_dump(exclude={"limit", "offset"}, exclude_none=True)
    if "country" in data:
        data["country"] = data["country"].upper()
    form = DirectorySearchForm({key: value for key, value in data.items() if value is not False})
    if not form.is_valid():
        raise DomainError(
            *[f"{name}: {error}" for name, errors in form.errors.items() for error in errors]
        )
    found = form.organisations().order_by("country__code", "name")
    count, items = page_of(found, filters.limit, filters.offset)
    return {
        "count": count,
        "limit": filters.limit,
        "offset": filters.offset,
        "items": [organisation_out(o) for o in items],
    }


@router.get("/organisations/{organisation_id}", response=responses(200, OrganisationOut))
@needs(Scope.DIRECTORY_READ)
def organisation(request, organisation_id: DirectoryId):
    """One organisation of the directory."""
    found = (
        Organisation.objects.with_node()
        .select_related("country")
        .prefetch_related("services")
        .filter(pk=organisation_id)
        .first()
    )
    if found is None:
        raise NotAllowed(_("There is no such organisation in the directory."))
    return organisation_out(found)


@router.get("/countries", response=responses(200, Page[CountryOut]))
@needs(Scope.DIRECTORY_READ)
def countries(request, paging: Query[Paging]):
    """The countries and their NRM configuration: the rules that differ between countries."""
    count, found = page_of(Country.objects.order_by("code"), paging.limit, paging.offset)
    items = [
        CountryOut(
            code=c.code,
            name=c.display_name,
            trm_role=c.trm_role,
            nrm_summary=in_language(c.nrm_summary),
            identifying_authority=in_language(c.identifying_authority),
            guardian_authority=in_language(c.guardian_authority),
            reflection_period_days=c.reflection_period_days,
            referral_response_days=c.referral_response_days,
            monitoring_schedule_months=list(c.monitoring_schedule_months or []),
            identification_abroad_recognised=c.identification_abroad_recognised,
            child_age_threshold=c.child_age_threshold,
            child_reception_alert_hours=c.child_reception_alert_hours,
            reintegration_plan_due_days=c.reintegration_plan_due_days,
        )
        for c in found
    ]
    return {"count": count, "limit": paging.limit, "offset": paging.offset, "items": items}
