"""Property: for any world of memberships, grants and emergency accesses, the list filter
(`visible_cases`) and the object check (`can`) give the same answer for every user and case."""

from datetime import timedelta

from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase

from trm.access.models import BreakGlass, Grant
from trm.access.policy import Action, can, visible_cases
from trm.accounts.models import Membership, Role, User
from trm.cases.models import Case, Person
from trm.directory.models import Organisation

ROLES = list(Role)
WHEN = st.sampled_from(["none", "past", "future"])

memberships = st.lists(
    st.tuples(st.integers(0, 3), st.integers(0, 5), st.sampled_from(ROLES), st.booleans()),
    max_size=8,
)
cases = st.lists(st.integers(0, 5), min_size=1, max_size=4)
grants = st.lists(
    st.tuples(st.integers(0, 3), st.one_of(st.none(), st.integers(0, 5)), st.integers(0, 3),
              WHEN, st.booleans()),
    max_size=6,
)  # fmt: skip
emergencies = st.lists(st.tuples(st.integers(0, 3), st.integers(0, 3), WHEN), max_size=4)


def moment(when):
    now = timezone.now()
    return {"none": None, "past": now - timedelta(hours=1), "future": now + timedelta(hours=1)}[
        when
    ]


class VisibleToAgreesWithCan(TestCase):
    @settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(memberships, cases, grants, emergencies)
    def test_the_list_and_the_object_check_agree(self, members, owners, given_grants, glass):
        # Six organisations over three countries, so "same country" happens often.
        organisations = list(
            Organisation.objects.filter(country__code__in=["GR", "ES", "AL"]).order_by("pk")
        )[::4][:6]
        users = [User.objects.create(username=f"user{n}") for n in range(4)]
        for user_index, organisation_index, role, active in members:
            Membership.objects.get_or_create(
                user=users[user_index],
                organisation=organisations[organisation_index % len(organisations)],
                role=role,
                defaults={"is_active": active},
            )
        all_cases = []
        for owner_index in owners:
            person = Person(given_name="Invented")
            person.save()
            all_cases.append(
                Case.objects.create(
                    person=person, owner=organisations[owner_index % len(organisations)]
                )
            )
        for case_index, organisation_index, user_index, expiry, revoked in given_grants:
            holder = (
                {"organisation": organisations[organisation_index % len(organisations)]}
                if organisation_index is not None
                else {"user": users[user_index]}
            )
            Grant.objects.create(
                case=all_cases[case_index % len(all_cases)],
                categories=["identity"],
                source="referral",
                expires_at=moment(expiry),
                revoked_at=timezone.now() if revoked else None,
                **holder,
            )
        for user_index, case_index, expiry in glass:
            BreakGlass.objects.create(
                user=users[user_index],
                case=all_cases[case_index % len(all_cases)],
                reason="an emergency",
                expires_at=moment(expiry) or timezone.now() + timedelta(hours=1),
            )
        for user in users:
            visible = set(visible_cases(user).values_list("pk", flat=True))
            for case in all_cases:
                assert (case.pk in visible) is can(user, Action.VIEW, case), (user, case)
