"""Recording and withdrawing consent: who may, what a record must hold, what the trail keeps."""

import pytest
from django.db import connection

from tests.consent.conftest import give, organisation
from trm.audit.models import AuditEvent
from trm.consent.actions import withdraw_consent
from trm.consent.models import ConsentRecord, Purpose
from trm.consent.state import current_consents
from trm.lib.errors import DomainError, Forbidden, NotAllowed


def test_a_case_worker_records_consent_and_the_trail_holds_no_personal_data(case_worker, case):
    consent = give(
        case_worker,
        case,
        categories=["contact", "identity", "contact"],
        language="ar",
        interpreter_present=True,
    )
    consent.refresh_from_db()
    assert consent.person == case.person
    assert consent.given
    assert consent.categories == ["contact", "identity"]
    assert (consent.language, consent.interpreter_present) == ("ar", True)
    assert consent.recorded_by == case_worker
    event = AuditEvent.objects.get(action="trm.consent.recorded")
    assert (event.actor, event.organisation, event.object_id) == (
        case_worker,
        case.owner,
        str(case.pk),
    )
    assert event.details == {
        "consent": str(consent.pk),
        "purpose": "assistance",
        "categories": ["contact", "identity"],
        "recipient_organisation": None,
    }


def test_a_referral_consent_names_its_recipient_and_takes_its_country(case_worker, case):
    with pytest.raises(DomainError, match="names the organisation"):
        give(case_worker, case, purpose=Purpose.REFERRAL)
    albania = organisation("iom-albania")
    consent = give(case_worker, case, purpose=Purpose.REFERRAL, recipient_organisation=albania)
    assert consent.recipient_country == albania.country
    greece = organisation("iom-greece").country
    with pytest.raises(DomainError, match="not in the recipient country"):
        give(
            case_worker,
            case,
            purpose=Purpose.REFERRAL,
            recipient_organisation=albania,
            recipient_country=greece,
        )


def test_a_child_consent_needs_the_guardian_and_the_childs_views(case_worker, child_case):
    with pytest.raises(DomainError) as refused:
        give(case_worker, child_case)
    assert refused.value.reasons == [
        "For a child, the guardian must consent too.",
        "For a child, record the child's own views.",
    ]
    with pytest.raises(DomainError, match="the guardian must consent"):
        give(case_worker, child_case, guardian_consent=False, child_views="I want to go home.")
    consent = give(
        case_worker, child_case, guardian_consent=True, child_views="  I want to go home.  "
    )
    consent = ConsentRecord.objects.get(pk=consent.pk)
    assert consent.guardian_consent is True
    assert consent.child_views == "I want to go home."
    assert ConsentRecord.objects.count() == 1


def test_an_adult_consent_has_no_guardian_or_childs_views(case_worker, case):
    with pytest.raises(DomainError, match="children only"):
        give(case_worker, case, guardian_consent=True)
    with pytest.raises(DomainError, match="children only"):
        give(case_worker, case, child_views="views")


def test_the_childs_views_and_the_withdrawal_reason_are_stored_encrypted(case_worker, child_case):
    consent = give(case_worker, child_case, guardian_consent=True, child_views="Mama in Tirana")
    withdraw_consent(case_worker, child_case, consent, "afraid of Uncle Besnik")
    with connection.cursor() as cursor:
        cursor.execute("SELECT child_views, reason FROM consent_consentrecord")
        raw = b"".join(bytes(value) for row in cursor.fetchall() for value in row if value)
    assert b"Tirana" not in raw
    assert b"Besnik" not in raw
    withdrawal = ConsentRecord.objects.get(given=False)
    assert withdrawal.reason == "afraid of Uncle Besnik"


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"categories": []}, "at least one data category"),
        ({"categories": ["identity", "horoscope"]}, "Unknown data categories: horoscope"),
        ({"language": "xx"}, "Unknown language code: xx"),
        ({"purpose": "marketing"}, "Choose the purpose"),
    ],
)
def test_a_consent_with_bad_input_is_refused_and_nothing_is_written(
    case_worker, case, options, message
):
    with pytest.raises(DomainError, match=message):
        give(case_worker, case, **options)
    assert not ConsentRecord.objects.exists()
    assert not AuditEvent.objects.filter(action="trm.consent.recorded").exists()


def test_a_consent_cannot_expire_before_it_is_given(case_worker, case):
    from django.utils import timezone

    with pytest.raises(DomainError, match="expire before"):
        give(case_worker, case, expires_at=timezone.now())


def test_only_those_who_may_edit_the_case_record_or_withdraw_consent(
    personas, case_worker, case, spanish_dpo
):
    consent = give(case_worker, case)
    greek = personas.greek_supervisor()
    # An outsider learns nothing of the case; its data protection officer reads, never writes.
    for outsider, refusal in [(greek, NotAllowed), (spanish_dpo, Forbidden)]:
        with pytest.raises(refusal):
            give(outsider, case)
        with pytest.raises(refusal):
            withdraw_consent(outsider, case, consent, "")
    assert ConsentRecord.objects.count() == 1


def test_withdrawal_ends_the_consent(case_worker, case):
    consent = give(case_worker, case)
    assert list(current_consents(case.person)) == [consent]
    withdrawal = withdraw_consent(case_worker, case, consent, "")
    assert list(current_consents(case.person)) == []
    assert (withdrawal.given, withdrawal.withdraws, withdrawal.purpose) == (
        False,
        consent,
        consent.purpose,
    )
    assert withdrawal.reason is None, "a person need not say why"
    event = AuditEvent.objects.get(action="trm.consent.withdrawn")
    assert event.details == {
        "consent": str(consent.pk),
        "withdrawal": str(withdrawal.pk),
        "purpose": "assistance",
        "categories": ["identity"],
    }


def test_a_consent_is_withdrawn_once_and_a_withdrawal_not_at_all(case_worker, case):
    consent = give(case_worker, case)
    withdrawal = withdraw_consent(case_worker, case, consent, "")
    with pytest.raises(DomainError, match="already withdrawn"):
        withdraw_consent(case_worker, case, consent, "")
    with pytest.raises(DomainError, match="cannot itself be withdrawn"):
        withdraw_consent(case_worker, case, withdrawal, "")


def test_a_consent_of_another_person_cannot_be_withdrawn_through_this_case(
    case_worker, spain, case
):
    from trm.cases.actions.casework import open_case

    other = open_case(case_worker, spain, person={"given_name": "Olena"})
    consent = give(case_worker, other)
    with pytest.raises(NotAllowed):
        withdraw_consent(case_worker, case, consent, "")
    assert list(current_consents(other.person)) == [consent]
