"""Erasure by crypto-shredding: after it, no copy of the person's data can be read."""

import pytest
from django.apps import apps

from trm.audit.models import AuditEvent
from trm.audit.reasons import digest, shown_reasons
from trm.audit.verify import verify_chain
from trm.cases.models import Case, NameIndex, Person
from trm.crypto.envelope import DataKeyDestroyed
from trm.crypto.fields import Ciphertext, EncryptedField
from trm.crypto.models import DataKey
from trm.lib.errors import DomainError
from trm.rights.erasure import erase_person
from trm.rights.export import export_person


def encrypted_values():
    """(model, field name, row) for every stored encrypted value of every model of the node."""
    for model in apps.get_models():
        fields = [
            field for field in model._meta.concrete_fields if isinstance(field, EncryptedField)
        ]
        for row in model._base_manager.all():
            for field in fields:
                if isinstance(row.__dict__.get(field.attname), Ciphertext):
                    yield model, field.name, row


def test_an_erased_person_is_unreadable_everywhere_including_history(spanish_dpo, full_case):
    person = full_case.person
    before = {(model._meta.label, name) for model, name, _row in encrypted_values()}
    # The scenario leaves encrypted copies in all of these; each must become unreadable.
    assert {
        ("cases.Person", "given_name"),
        ("cases.HistoricalPerson", "family_name"),
        ("consent.ConsentRecord", "reason"),
        ("access.BreakGlass", "reason"),
    } <= before
    assert NameIndex.search("Amira").exists()

    erase_person(spanish_dpo, full_case, "The person's request of 3 May")

    readable = []
    for model, name, row in encrypted_values():
        try:
            getattr(row, name)
        except DataKeyDestroyed:
            continue
        readable.append((model._meta.label, name))
    assert readable == []
    assert {(model._meta.label, name) for model, name, _row in encrypted_values()} == before

    person = Person.objects.get(pk=person.pk)
    assert person.erased_at is not None
    assert (person.sex, person.citizenship) == ("unknown", "")
    assert set(person.history.values_list("sex", "citizenship")) == {("unknown", "")}
    assert not NameIndex.objects.filter(person=person).exists()
    assert not NameIndex.search("Amira").exists()
    assert not NameIndex.search("MA-4471902", kind=NameIndex.Kind.DOCUMENT).exists()
    with pytest.raises(DataKeyDestroyed):
        person.given_name  # noqa: B018

    data_key = DataKey.objects.get(pk=person.data_key_id)
    assert (bytes(data_key.wrapped), data_key.is_destroyed) == (b"", True)

    erased = AuditEvent.objects.get(action="trm.person.erased")
    assert (erased.actor, erased.object_id) == (spanish_dpo, str(full_case.pk))
    # The chain holds the reason's HMAC; the text, under the node's key, outlives the person's.
    assert erased.reason == digest("The person's request of 3 May")
    assert str(shown_reasons([erased])[erased.sequence]) == "The person's request of 3 May"
    assert erased.details["person"] == str(person.pk)
    assert erased.details["cases"] == [str(full_case.pk)]
    assert erased.details["name_index_entries"] > 0
    assert verify_chain().ok


def test_the_instance_in_hand_is_unreadable_too(spanish_dpo, case):
    person = case.person
    assert person.given_name == "Amira"
    erased = erase_person(spanish_dpo, case, "request")
    with pytest.raises(DataKeyDestroyed):
        erased.given_name  # noqa: B018


def test_erasure_needs_a_reason_and_happens_once(spanish_dpo, case):
    with pytest.raises(DomainError, match="Say why"):
        erase_person(spanish_dpo, case, "   ")
    assert Person.objects.get(pk=case.person.pk).erased_at is None
    erase_person(spanish_dpo, case, "request")
    with pytest.raises(DomainError, match="erased already"):
        erase_person(spanish_dpo, case, "request")
    assert AuditEvent.objects.filter(action="trm.person.erased").count() == 1


def test_a_person_with_a_case_of_another_organisation_is_not_erased_by_one_officer(
    personas, spanish_dpo, case
):
    greece = personas.organisation("GR")
    Case.objects.create(person=case.person, owner=greece)
    with pytest.raises(DomainError, match="other organisations"):
        erase_person(spanish_dpo, case, "request")
    assert Person.objects.get(pk=case.person.pk).given_name == "Amira"


def test_the_export_of_an_erased_person_says_erased(spanish_dpo, full_case):
    erase_person(spanish_dpo, full_case, "request")
    export = export_person(spanish_dpo, full_case)
    assert export["person"]["erased_at"] is not None
    assert export["person"]["given_name"] is None
    assert {version["family_name"] for version in export["person_history"]} == {None}
    assert export["consents"][2]["reason"] is None
    assert export["emergency_access"][0]["reason"] is None
    assert export["name_index_entries"] == 0
    assert export["cases"][0]["reference"] == full_case.reference


def test_the_dpo_erases_on_the_page_after_typing_the_reference(
    personas, case_worker, spanish_dpo, full_case
):
    browser = personas.signed_in(spanish_dpo)
    wrong = browser.post(
        f"/rights/cases/{full_case.pk}/erase/",
        {"reason": "The person's request", "confirm_reference": "ES-0000-0000"},
    )
    assert wrong.status_code == 422
    assert "This is not the reference of this case." in wrong.content.decode()
    assert Person.objects.get(pk=full_case.person.pk).erased_at is None

    done = browser.post(
        f"/rights/cases/{full_case.pk}/erase/",
        {"reason": "The person's request", "confirm_reference": full_case.reference},
    )
    assert done.status_code == 302
    page = browser.get(done["Location"]).content.decode()
    assert "The person&#x27;s data was erased." in page
    assert "data was erased on" in page
    assert 'action="/rights/cases/' not in page, "nothing is left to erase"

    printable = browser.get(f"/rights/cases/{full_case.pk}/export/")
    assert printable.status_code == 200
    assert "Erased" in printable.content.decode()
    assert "Amira" not in printable.content.decode()
    download = browser.get(f"/rights/cases/{full_case.pk}/export.json")
    assert download.status_code == 200
    consent_page = personas.signed_in(case_worker).get(f"/consent/cases/{full_case.pk}/")
    assert consent_page.status_code == 200


@pytest.mark.parametrize("page", ["list", "case"])
def test_the_case_pages_show_an_erased_person_as_erased(
    personas, case_worker, spanish_dpo, case, page
):
    erase_person(spanish_dpo, case, "request")
    browser = personas.signed_in(case_worker)
    response = browser.get("/cases/" if page == "list" else f"/cases/{case.pk}/")
    assert response.status_code == 200
    assert "rased" in response.text


def test_after_erasure_no_consent_covers_anything_and_none_can_be_recorded(
    case_worker, spanish_dpo, full_case
):
    from trm.consent.actions import record_consent
    from trm.consent.state import covers

    assert covers(full_case.person, purpose="assistance", categories=["identity"])
    erase_person(spanish_dpo, full_case, "request")
    person = Person.objects.get(pk=full_case.person_id)
    coverage = covers(person, purpose="assistance", categories=["identity", "risk_to_life"])
    assert coverage.missing == {"identity"}
    with pytest.raises(DomainError, match="was erased"):
        record_consent(
            case_worker, full_case, purpose="assistance", categories=["identity"], language="es"
        )
