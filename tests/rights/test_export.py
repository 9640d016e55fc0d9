"""Subject access: the data protection officer exports everything held about the person."""

import datetime
import json

import pytest

from trm.access.actions import grant_access
from trm.accounts.models import Role
from trm.audit.models import AuditEvent
from trm.cases.actions import journey
from trm.cases.actions.casework import add_note, attach_file
from trm.directory.models import Organisation
from trm.lib.errors import NotAllowed
from trm.rights.erasure import erase_person
from trm.rights.export import export_person


def test_the_dpo_exports_everything_held_about_the_person(spanish_dpo, case_worker, full_case):
    albania = Organisation.objects.get(slug="al-national-reception-centre")
    grant_access(
        case_worker, full_case, organisation=albania, categories=["identity"], source="referral"
    )
    export = export_person(spanish_dpo, full_case)

    person = export["person"]
    assert person["given_name"] == "Amira"
    assert person["family_name"] == "Haddad-Benali"
    assert person["birth_date"] == datetime.date(2001, 4, 17)
    assert person["document_number"] == "MA-4471902"
    assert person["contacts"] == {"phone": "+34 600 111 222"}
    assert (person["sex"], person["citizenship"], person["erased_at"]) == ("female", "MA", None)
    assert [version["family_name"] for version in export["person_history"]] == [
        "Haddad",
        "Haddad-Benali",
    ]
    assert [version["change"] for version in export["person_history"]] == ["created", "changed"]

    [case] = export["cases"]
    assert case["reference"] == full_case.reference
    assert case["owner"]["name"] == full_case.owner.name
    assert case["opened_at"] == full_case.opened_at

    consents = export["consents"]
    assert [(c["purpose"], c["given"]) for c in consents] == [
        ("referral", True),
        ("assistance", True),
        ("referral", False),
    ]
    assert consents[0]["recipient_organisation"]["name"] == albania.name
    assert consents[0]["interpreter_present"] is True
    assert consents[2]["reason"] == "She fears the Tirana network"
    assert consents[2]["withdraws"] == consents[0]["id"]

    [grant] = export["access_given"]
    assert (grant["organisation"]["name"], grant["categories"]) == (albania.name, ["identity"])
    [emergency] = export["emergency_access"]
    assert emergency["reason"] == "Police call at night about Amira"
    assert export["name_index_entries"] > 0

    actions = [event["action"] for event in export["audit_events"]]
    for action in [
        "trm.case.opened",
        "trm.person.updated",
        "trm.consent.recorded",
        "trm.consent.withdrawn",
        "trm.access.granted",
    ]:
        assert action in actions
    assert set(export["audit_events"][0]) == {
        "case",
        "action",
        "occurred_at",
        "organisation",
        "had_reason",
        "reason",
    }

    exported = AuditEvent.objects.get(action="trm.person.exported")
    assert (exported.actor, exported.object_id) == (spanish_dpo, str(full_case.pk))
    assert exported.details == {"person": str(full_case.person.pk), "cases": [str(full_case.pk)]}


def test_the_export_names_no_staff(spanish_dpo, case_worker, full_case):
    text = json.dumps(export_person(spanish_dpo, full_case), default=str)
    for staff in [case_worker, spanish_dpo]:
        assert staff.username not in text
        assert staff.email not in text
        assert staff.last_name not in text


def test_a_case_worker_cannot_export_or_erase(personas, case_worker, case):
    supervisor = personas.user("es.supervisor", "ES", Role.SUPERVISOR)
    greek_dpo = personas.user("gr.dpo", "GR", Role.DATA_PROTECTION_OFFICER)
    for user in [case_worker, supervisor, greek_dpo]:
        with pytest.raises(NotAllowed):
            export_person(user, case)
        with pytest.raises(NotAllowed):
            erase_person(user, case, "asked to")
        browser = personas.signed_in(user)
        for page in ["", "export.json", "export/"]:
            assert browser.get(f"/rights/cases/{case.pk}/{page}").status_code == 404
        erase = browser.post(
            f"/rights/cases/{case.pk}/erase/",
            {"reason": "asked to", "confirm_reference": case.reference},
        )
        assert erase.status_code == 404
        assert browser.get("/rights/").status_code == (404 if user != greek_dpo else 200)
    case.person.refresh_from_db()
    assert case.person.erased_at is None
    assert not AuditEvent.objects.filter(action__in=["trm.person.exported", "trm.person.erased"])


def test_the_json_export_is_a_download_never_shown_inline(personas, spanish_dpo, full_case):
    response = personas.signed_in(spanish_dpo).get(f"/rights/cases/{full_case.pk}/export.json")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json; charset=utf-8"
    assert response["Content-Disposition"] == (
        f'attachment; filename="trm-subject-access-{full_case.reference}.json"'
    )
    assert "no-store" in response["Cache-Control"]
    export = json.loads(response.content)
    assert export["format"] == "trm-subject-access/1"
    assert export["person"]["birth_date"] == "2001-04-17"
    assert export["consents"][2]["reason"] == "She fears the Tirana network"


def test_the_printable_export_reads_in_words_not_codes(personas, spanish_dpo, full_case):
    response = personas.signed_in(spanish_dpo).get(f"/rights/cases/{full_case.pk}/export/")
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    page = response.content.decode()
    for words in [
        "Haddad-Benali",
        "Referral to a named organisation",
        "Identity: names, birth date, sex, citizenship",
        "Health and medical needs",
        "Arabic",
        "with an interpreter",
        "She fears the Tirana network",
        "A consent was withdrawn",
        "The case was opened",
        "Female",
    ]:
        assert words in page, words
    assert "trm.consent" not in page
    assert AuditEvent.objects.filter(action="trm.person.exported").count() == 1


def test_the_dpo_finds_the_case_by_its_reference(personas, spanish_dpo, case):
    browser = personas.signed_in(spanish_dpo)
    found = browser.get("/rights/", {"reference": case.reference.lower()})
    assert found.status_code == 302
    assert found["Location"] == f"/rights/cases/{case.pk}/"
    page = browser.get(found["Location"]).content.decode()
    assert "Export (JSON)" in page
    assert "Erase" in page
    missing = browser.get("/rights/", {"reference": "ES-0000-0000"})
    assert "No case of your organisations has this reference." in missing.content.decode()


def test_what_was_recorded_in_the_case_reaches_the_export_in_words(
    personas, spanish_dpo, case_worker, full_case
):
    journey.add_record(case_worker, full_case, "screening", {
        "signal": "police", "outcome": "presumed_victim", "route": "By bus through Tangier",
    })  # fmt: skip
    add_note(case_worker, full_case, "She asked for a female interpreter")
    attach_file(case_worker, full_case, "passport-scan.pdf", b"%PDF-1.4 scan")
    [written] = export_person(spanish_dpo, full_case)["recorded"]
    [screening] = written["records"]
    assert screening["kind"] == "screening"
    assert screening["fields"]["route"] == "By bus through Tangier"
    assert [note["text"] for note in written["notes"]] == ["She asked for a female interpreter"]
    assert [doc["file_name"] for doc in written["documents"]] == ["passport-scan.pdf"]
    page = personas.signed_in(spanish_dpo).get(f"/rights/cases/{full_case.pk}/export/").text
    for words in [
        "What was recorded in your cases",
        "Screening",
        "How the case came to light",
        "By bus through Tangier",
        "She asked for a female interpreter",
        "passport-scan.pdf",
    ]:
        assert words in page, words
    assert "presumed_victim" not in page, "choices read by their labels"
    assert case_worker.username not in page
