"""The organisations and invented staff the synthetic cases are worked by, read once per run.

Staff are ordinary users with memberships (no usable password: they never sign in, except the
benchmark's, which it signs in itself). Their number grows with the cases, so that caseloads
stay plausible: about 250 cases a case worker over the years.
"""

import math
from dataclasses import dataclass, field
from decimal import Decimal

from django.contrib.auth.hashers import make_password
from django.db import transaction

from trm.accounts.models import Membership, Role, User
from trm.directory.models import Country, Organisation, OrganisationKind

SYNTH_PREFIX = "synth."
CASES_PER_WORKER = 250
# Who opens cases in a country of destination, and how often, by kind of organisation.
OWNER_WEIGHTS = {
    OrganisationKind.INTERNATIONAL: 3,
    OrganisationKind.NGO: 2,
    OrganisationKind.NRM_AUTHORITY: 2,
    OrganisationKind.SOCIAL_SERVICES: 1,
    OrganisationKind.CHILD_PROTECTION: 3,  # children only
}
# Who receives a returning person in the country of origin.
RECEIVER_WEIGHTS = {
    OrganisationKind.INTERNATIONAL: 3,
    OrganisationKind.NGO: 2,
    OrganisationKind.SOCIAL_SERVICES: 2,
    OrganisationKind.CHILD_PROTECTION: 3,  # children only
}
DESTINATION_COUNTRIES = ("ES", "FR", "GR", "IT", "PL")


@dataclass(frozen=True)
class OrganisationInfo:
    id: int
    slug: str
    name: str
    country: str
    kind: str
    serves_children: bool


@dataclass(frozen=True)
class CountryRules:
    """A country's configuration, as the journeys' deadlines and scores need it."""

    id: int
    code: str
    reflection_days: int
    referral_days: int
    plan_days: int
    child_hours: int
    monitoring_months: tuple[int, ...]
    weights: dict
    threshold: Decimal
    weekend_days: tuple[int, ...]


@dataclass
class Directory:
    countries: dict[str, CountryRules] = field(default_factory=dict)
    organisations: dict[int, OrganisationInfo] = field(default_factory=dict)
    owners: dict[str, list[OrganisationInfo]] = field(default_factory=dict)
    receivers: dict[str, list[OrganisationInfo]] = field(default_factory=dict)
    workers: dict[int, list[int]] = field(default_factory=dict)
    supervisors: dict[int, list[int]] = field(default_factory=dict)
    focal_points: dict[str, list[int]] = field(default_factory=dict)
    usernames: dict[int, str] = field(default_factory=dict)

    def choose(self, rng, organisations: list[OrganisationInfo], weights: dict, child: bool):
        fitting = [o for o in organisations if (o.serves_children or not child)
                   and (child or o.kind != OrganisationKind.CHILD_PROTECTION)]  # fmt: skip
        fitting = fitting or organisations
        return rng.choices(fitting, [weights.get(o.kind, 1) for o in fitting])[0]


def _rules(country: Country) -> CountryRules:
    return CountryRules(
        id=country.pk,
        code=country.code,
        reflection_days=country.reflection_period_days,
        referral_days=country.referral_response_days,
        plan_days=country.reintegration_plan_due_days,
        child_hours=country.child_reception_alert_hours,
        monitoring_months=tuple(country.monitoring_schedule_months or (1, 3, 6, 12)),
        weights=dict(country.sustainability_weights),
        threshold=country.sustainability_threshold,
        weekend_days=tuple(country.weekend_days or (5, 6)),
    )


def workers_per_organisation(cases: int) -> int:
    return max(3, math.ceil(cases / 24 / CASES_PER_WORKER))


@transaction.atomic
def _ensure_users(wanted: list[tuple[str, int, str]]) -> None:
    """Create the (username, organisation id, role) staff that do not exist yet."""
    existing = set(
        User.objects.filter(username__startswith=SYNTH_PREFIX).values_list("username", flat=True)
    )
    missing = [row for row in wanted if row[0] not in existing]
    if not missing:
        return
    users = User.objects.bulk_create(
        User(
            username=username,
            first_name=role.replace("_", " ").capitalize(),
            last_name=username.split(".")[1],
            email=f"{username}@synthetic.invalid",
            password=make_password(None),
        )
        for username, _organisation, role in missing
    )
    if users[0].pk is None:  # a backend that does not return keys from bulk inserts
        users = list(User.objects.filter(username__in=[row[0] for row in missing]))
    by_name = {user.username: user.pk for user in users}
    Membership.objects.bulk_create(
        Membership(user_id=by_name[username], organisation_id=organisation, role=role)
        for username, organisation, role in missing
    )


def load_directory(cases: int) -> Directory:
    """The seed directory and the staff for `cases` cases, created where missing."""
    directory = Directory()
    for country in Country.objects.all():
        directory.countries[country.code] = _rules(country)
    for organisation in Organisation.objects.filter(is_active=True).select_related("country"):
        info = OrganisationInfo(
            organisation.pk,
            organisation.slug,
            organisation.name,
            organisation.country.code,
            organisation.kind,
            organisation.serves_children,
        )
        directory.organisations[info.id] = info
        if info.country in DESTINATION_COUNTRIES and info.kind in OWNER_WEIGHTS:
            directory.owners.setdefault(info.country, []).append(info)
        if info.kind in RECEIVER_WEIGHTS:
            directory.receivers.setdefault(info.country, []).append(info)
    # Organisations in a stable order, so the same seed picks the same ones on every node.
    for table in (directory.owners, directory.receivers):
        for organisations in table.values():
            organisations.sort(key=lambda o: o.slug)
    working = {o.id for group in (*directory.owners.values(), *directory.receivers.values())
               for o in group}  # fmt: skip
    focal = dict(
        Organisation.objects.filter(is_active=True, is_focal_point=True).values_list(
            "pk", "country__code"
        )
    )
    count = workers_per_organisation(cases)
    wanted = []
    for organisation_id in sorted(working):
        slug = directory.organisations[organisation_id].slug
        wanted += [(f"{SYNTH_PREFIX}{slug}.worker{n:03d}", organisation_id, Role.CASE_WORKER)
                   for n in range(1, count + 1)]  # fmt: skip
        wanted += [(f"{SYNTH_PREFIX}{slug}.supervisor{n}", organisation_id, Role.SUPERVISOR)
                   for n in (1, 2)]  # fmt: skip
    for organisation_id in sorted(focal):
        slug = directory.organisations[organisation_id].slug
        wanted += [(f"{SYNTH_PREFIX}{slug}.focal{n}", organisation_id, Role.FOCAL_POINT)
                   for n in (1, 2)]  # fmt: skip
    _ensure_users(wanted)
    wanted_names = {row[0] for row in wanted}
    memberships = Membership.objects.filter(
        user__username__in=wanted_names, is_active=True
    ).values_list("user_id", "user__username", "organisation_id", "role")
    for user_id, username, organisation_id, role in sorted(memberships, key=lambda m: m[1]):
        directory.usernames[user_id] = username
        if role == Role.CASE_WORKER:
            directory.workers.setdefault(organisation_id, []).append(user_id)
        elif role == Role.SUPERVISOR:
            directory.supervisors.setdefault(organisation_id, []).append(user_id)
        elif role == Role.FOCAL_POINT:
            directory.focal_points.setdefault(focal[organisation_id], []).append(user_id)
    # A run asked for fewer cases than an earlier one uses only as many workers as it needs.
    for organisation_id, users in directory.workers.items():
        directory.workers[organisation_id] = users[:count]
    return directory
