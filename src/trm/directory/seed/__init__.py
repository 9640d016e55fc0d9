"""Production seed data of the directory: the eight TACT countries and their organisations.

Public institutions only: no person is named, and contact details are given only where they are
public institutional contacts (helplines, websites). Shelter addresses are never published; a
shelter's location is given on referral.

`seed_directory()` creates or updates everything idempotently and can be run on every deploy.
Every country is seeded (its NRM configuration shows beside any organisation of it). The
organisations: a node on its own (no `trm node init`) hosts every country's, as one
installation of the whole TRM; a node with an identity hosts only those of the countries it
serves and learns the others' from its peers' signed directories (trm.federation.
shared_directory), so that no organisation is hosted on two nodes. An organisation seeded
before the node had an identity is left as it is: referrals may point at it.
"""

from django.conf import settings
from django.db import transaction

from trm.directory.hosting import served_countries
from trm.directory.models import Country, Node, Organisation, Service

from .countries import COUNTRIES
from .holidays import seed_holidays
from .organisations import ORGANISATIONS

# Defaults shared by every seeded country (each stays editable per country in the admin).
REFERRAL_RESPONSE_DAYS = 5
MONITORING_SCHEDULE_MONTHS = [1, 3, 6, 12]
CHILD_AGE_THRESHOLD = 18


# ---------------------------------------------------------------------------------------------
# Seeding
# ---------------------------------------------------------------------------------------------

_COUNTRY_DEFAULTS = {
    "referral_response_days": REFERRAL_RESPONSE_DAYS,
    "monitoring_schedule_months": MONITORING_SCHEDULE_MONTHS,
    "child_age_threshold": CHILD_AGE_THRESHOLD,
}

_ORGANISATION_DEFAULTS = {
    "area_served": "",
    "languages": "",
    "serves_adults": True,
    "serves_children": False,
    "email": "",
    "phone": "",
    "website": "",
    "address": "",
    "capacity_note": "",
    "is_focal_point": False,
    "is_active": True,
}


def ensure_this_node() -> Node:
    """The Node for this deployment: created if missing, never a second one."""
    node = Node.objects.filter(is_this_node=True).first()
    if node is not None:
        return node
    node, _created = Node.objects.get_or_create(name=settings.NODE_NAME)
    node.is_this_node = True
    node.save(update_fields=["is_this_node"])
    return node


def _seed_country(data: dict) -> Country:
    fields = {**_COUNTRY_DEFAULTS, **data}
    code = fields.pop("code")
    fields["monitoring_schedule_months"] = list(fields["monitoring_schedule_months"])
    country, _created = Country.objects.update_or_create(code=code, defaults=fields)
    country.full_clean()
    return country


def _seed_organisation(data: dict, countries: dict[str, Country]) -> Organisation:
    fields = {**_ORGANISATION_DEFAULTS, **data}
    slug = fields.pop("slug")
    kinds = fields.pop("services")
    fields["country"] = countries[fields["country"]]
    fields["hosted_on"] = None
    organisation, _created = Organisation.objects.update_or_create(slug=slug, defaults=fields)
    organisation.full_clean()
    _sync_services(organisation, kinds)
    return organisation


def _sync_services(organisation: Organisation, kinds: list[str]) -> None:
    """Make the organisation's services exactly `kinds` (notes entered by hand are kept)."""
    organisation.services.exclude(kind__in=kinds).delete()
    for kind in kinds:
        service, _created = Service.objects.get_or_create(organisation=organisation, kind=kind)
        service.full_clean()


def seed_directory() -> None:
    """Create or update the seed countries and organisations; running it again changes nothing."""
    with transaction.atomic():
        ensure_this_node()
        countries = {data["code"]: _seed_country(data) for data in COUNTRIES}
        served = served_countries()
        for data in ORGANISATIONS:
            if served is None or data["country"] in served:
                _seed_organisation(data, countries)
        # Public holidays make the countries' working-day deadlines right.
        seed_holidays()
