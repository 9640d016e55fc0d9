import pytest

from trm.accounts.models import Role
from trm.cases.actions.casework import open_case
from trm.consent.actions import record_consent
from trm.consent.models import Purpose
from trm.directory.models import Organisation


@pytest.fixture
def case_worker(personas):
    return personas.spanish_case_worker()


@pytest.fixture
def spain(case_worker):
    return case_worker.memberships.get().organisation


@pytest.fixture
def case(case_worker, spain):
    return open_case(case_worker, spain, person={"given_name": "Amira", "family_name": "Haddad"})


@pytest.fixture
def child_case(case_worker, spain):
    return open_case(case_worker, spain, person={"given_name": "Dilnoza"}, is_child=True)


@pytest.fixture
def spanish_dpo(personas):
    return personas.user("es.dpo", "ES", Role.DATA_PROTECTION_OFFICER)


def organisation(slug: str) -> Organisation:
    return Organisation.objects.get(slug=slug)


def give(actor, case, **options):
    """Record a consent with plain defaults: assistance, identity data, in Spanish."""
    return record_consent(
        actor,
        case,
        **{
            "purpose": Purpose.ASSISTANCE,
            "categories": ["identity"],
            "language": "es",
            **options,
        },
    )
