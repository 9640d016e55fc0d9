"""Every role × relationship × action, written out: who may do what on a case."""

from datetime import timedelta

import pytest
from django.utils import timezone

from trm.access.categories import DataCategory
from trm.access.models import BreakGlass, Grant
from trm.access.policy import Action, access_to, can, visible_cases
from trm.accounts.models import Membership, Role, User
from trm.cases.actions.casework import open_case
from trm.directory.models import Organisation

pytestmark = pytest.mark.django_db

V, E, A, X, R, B = (Action.VIEW, Action.EDIT, Action.ASSIGN, Action.EXPORT, Action.ERASE,
                    Action.BREAK_GLASS)  # fmt: skip

# What each role may do on a case of its own organisation.
OWN = {
    Role.CASE_WORKER: {V, E},
    Role.FOCAL_POINT: {V, E},
    Role.SUPERVISOR: {V, E, A},
    Role.DATA_PROTECTION_OFFICER: {V, X, R},
    Role.COORDINATOR: set(),
    Role.ORGANISATION_ADMIN: set(),
}
# Holding an active grant (an accepted referral): the shared part, view and edit; the receiving
# organisation's data protection officer reads and never writes.
GRANTED = {
    **{role: {V, E} for role in (Role.CASE_WORKER, Role.FOCAL_POINT, Role.SUPERVISOR)},
    Role.DATA_PROTECTION_OFFICER: {V},
    Role.COORDINATOR: set(),
    Role.ORGANISATION_ADMIN: set(),
}
NOTHING = {role: set() for role in OWN}
# Another organisation of the same country: only a supervisor may break the glass.
SAME_COUNTRY = {**NOTHING, Role.SUPERVISOR: {B}}

RELATIONSHIPS = {
    "own organisation": OWN,
    "other organisation, same country": SAME_COUNTRY,
    "other country": NOTHING,
    # Granted users sit in the owner's country: a supervisor may still break the glass for
    # the parts not shared.
    "organisation granted": {**GRANTED, Role.SUPERVISOR: {V, E, B}},
    "grant expired": SAME_COUNTRY,
    "grant revoked": SAME_COUNTRY,
    "user granted": {**{role: {V, E} for role in OWN}, Role.SUPERVISOR: {V, E, B}},
    "break the glass open": {**NOTHING, Role.SUPERVISOR: {V, B}},
    "break the glass expired": SAME_COUNTRY,
}

CASES = [
    (relationship, role, expected[role])
    for relationship, expected in RELATIONSHIPS.items()
    for role in OWN
]


@pytest.fixture
def world(personas):
    """A Greek case owned by IOM Greece; the tested user sits at ARSIS (Greece) or in Albania."""
    owner = personas.organisation("GR")
    worker = personas.user("gr.owner", "GR", Role.CASE_WORKER)
    case = open_case(worker, owner, person={"given_name": "Eleni"})
    same_country = Organisation.objects.filter(country__code="GR").exclude(pk=owner.pk).first()
    other_country = personas.organisation("AL")
    return {"case": case, "owner": owner, "same": same_country, "abroad": other_country}


def make_user(role, organisation) -> User:
    user = User.objects.create_user(username=f"tested-{role}", password="x" * 12)
    Membership.objects.create(user=user, organisation=organisation, role=role)
    return user


def arrange(relationship, role, world) -> User:
    case, now = world["case"], timezone.now()
    home = {
        "own organisation": world["owner"],
        "other country": world["abroad"],
    }.get(relationship, world["same"])
    user = make_user(role, home)
    grant = {"case": case, "categories": [DataCategory.IDENTITY], "source": "referral"}
    if relationship == "organisation granted":
        Grant.objects.create(organisation=home, **grant)
    elif relationship == "grant expired":
        Grant.objects.create(organisation=home, expires_at=now - timedelta(minutes=1), **grant)
    elif relationship == "grant revoked":
        Grant.objects.create(organisation=home, revoked_at=now, **grant)
    elif relationship == "user granted":
        Grant.objects.create(user=user, **grant)
    elif relationship == "break the glass open":
        BreakGlass.objects.create(user=user, case=case, reason="a child is missing",
                                  expires_at=now + timedelta(hours=1))  # fmt: skip
    elif relationship == "break the glass expired":
        BreakGlass.objects.create(user=user, case=case, reason="a child is missing",
                                  expires_at=now - timedelta(minutes=1))  # fmt: skip
    return user


@pytest.mark.parametrize(("relationship", "role", "allowed"), CASES)
def test_who_may_do_what(world, relationship, role, allowed):
    user = arrange(relationship, role, world)
    for action in Action:
        assert can(user, action, world["case"]) is (action in allowed), action
    visible = visible_cases(user).filter(pk=world["case"].pk).exists()
    assert visible is can(user, Action.VIEW, world["case"]), "list and object checks agree"


def test_a_grant_shows_only_its_data_categories(world):
    user = arrange("organisation granted", Role.CASE_WORKER, world)
    access = access_to(user, world["case"])
    assert access.categories == {DataCategory.IDENTITY}
    assert access.allows(Action.VIEW, DataCategory.IDENTITY)
    assert not access.allows(Action.VIEW, DataCategory.LOCATION)


def test_a_deactivated_membership_gives_nothing(world):
    user = arrange("own organisation", Role.CASE_WORKER, world)
    user.memberships.update(is_active=False)
    assert not can(user, Action.VIEW, world["case"])
    assert not visible_cases(user).exists()
