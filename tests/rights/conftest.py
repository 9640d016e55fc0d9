from datetime import timedelta

import pytest
from django.utils import timezone

from trm.access.models import BreakGlass
from trm.accounts.models import Role
from trm.cases.actions.casework import open_case, update_person
from trm.consent.actions import record_consent, withdraw_consent
from trm.directory.models import Organisation

PERSON = {
    "given_name": "Amira",
    "family_name": "Haddad",
    "given_name_latin": "Amira",
    "birth_date": "2001-04-17",
    "sex": "female",
    "citizenship": "MA",
    "document_number": "MA-4471902",
    "contacts": {"phone": "+34 600 111 222"},
}


@pytest.fixture
def case_worker(personas):
    return personas.spanish_case_worker()


@pytest.fixture
def spain(case_worker):
    return case_worker.memberships.get().organisation


@pytest.fixture
def spanish_dpo(personas):
    return personas.user("es.dpo", "ES", Role.DATA_PROTECTION_OFFICER)


@pytest.fixture
def case(case_worker, spain):
    return open_case(case_worker, spain, person=dict(PERSON))


@pytest.fixture
def full_case(case_worker, case):
    """A case with a correction, consent given and withdrawn, a child's views, emergency access."""
    update_person(case_worker, case, {"family_name": "Haddad-Benali"}, version=case.version)
    consent = record_consent(
        case_worker,
        case,
        purpose="referral",
        categories=["identity", "health"],
        language="ar",
        interpreter_present=True,
        recipient_organisation=Organisation.objects.get(slug="al-national-reception-centre"),
    )
    record_consent(
        case_worker, case, purpose="assistance", categories=["identity", "contact"], language="ar"
    )
    withdraw_consent(case_worker, case, consent, "She fears the Tirana network")
    BreakGlass.objects.create(
        user=case_worker,
        case=case,
        reason="Police call at night about Amira",
        expires_at=timezone.now() + timedelta(hours=4),
    )
    case.refresh_from_db()
    return case
