"""Notes, documents and reassignment on the case page."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tests.referrals.journeys import Journey
from trm.accounts.models import Role
from trm.audit.models import AuditEvent
from trm.cases.models import Attachment, Case, Note

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.7\n% an invented document\n%%EOF\n"


@pytest.fixture
def team(personas):
    return Journey(personas, sending="PL", receiving="UA")


def test_a_note_is_kept_encrypted_and_shown_to_the_team(personas, team):
    case = team.open()
    browser = personas.signed_in(team.worker)
    browser.post(f"/cases/{case.pk}/notes/", {"text": "Called the shelter; she is safe."})
    assert Note.objects.get().text == "Called the shelter; she is safe."
    assert b"shelter" not in bytes(Note.objects.values_list("text", flat=True).get())
    assert "she is safe" in browser.get(f"/cases/{case.pk}/").text
    refused = browser.post(f"/cases/{case.pk}/notes/", {"text": "  "}, follow=True)
    assert "Write the note first." in refused.text
    assert Note.objects.count() == 1


def test_a_document_is_checked_encrypted_and_only_downloaded(personas, team):
    case = team.open()
    browser = personas.signed_in(team.worker)
    path = f"/cases/{case.pk}/attachments/"
    fake = SimpleUploadedFile("notes.pdf", b"MZ\x90\x00 not a pdf", content_type="application/pdf")
    assert "Only PDF, PNG and JPEG" in browser.post(path, {"file": fake}, follow=True).text
    big = SimpleUploadedFile("big.pdf", b"%PDF-" + b"0" * 10_000_001)
    assert "The file is too large" in browser.post(path, {"file": big}, follow=True).text
    assert not Attachment.objects.exists()

    browser.post(path, {"file": SimpleUploadedFile("Паспорт.pdf", PDF)})
    attachment = Attachment.objects.get()
    assert attachment.content_type == "application/pdf"
    assert PDF not in bytes(Attachment.objects.values_list("content", flat=True).get())
    download = browser.get(f"{path}{attachment.pk}/")
    assert download.content == PDF
    assert download["Content-Disposition"].startswith("attachment;")
    assert "Паспорт" not in download["Content-Disposition"], "no name in the headers"
    assert AuditEvent.objects.filter(action="trm.case.attachment_downloaded").exists()


def test_outsiders_get_404_on_notes_and_documents(personas, team):
    case = team.open()
    committed_pdf = SimpleUploadedFile("a.pdf", PDF)
    personas.signed_in(team.worker).post(f"/cases/{case.pk}/attachments/", {"file": committed_pdf})
    attachment = Attachment.objects.get()
    outsider = personas.signed_in(personas.albanian_focal_point())
    assert outsider.get(f"/cases/{case.pk}/attachments/{attachment.pk}/").status_code == 404
    assert outsider.post(f"/cases/{case.pk}/notes/", {"text": "x"}).status_code == 404
    assert not Note.objects.exists()


def test_a_supervisor_reassigns_the_case_to_a_colleague(personas, team):
    case = team.open()
    colleague = team.staff(team.sender, Role.CASE_WORKER)
    worker_browser = personas.signed_in(team.worker)
    assert worker_browser.post(f"/cases/{case.pk}/assign/",
                               {"case_worker": colleague.pk}).status_code == 404  # fmt: skip
    supervisor = personas.signed_in(team.supervisor)
    supervisor.post(f"/cases/{case.pk}/assign/", {"case_worker": colleague.pk})
    assert Case.objects.get(pk=case.pk).case_worker == colleague
    stranger = personas.albanian_focal_point()
    refused = supervisor.post(f"/cases/{case.pk}/assign/", {"case_worker": stranger.pk},
                              follow=True)  # fmt: skip
    assert "Choose a case worker of the owning organisation." in refused.text
    assert Case.objects.get(pk=case.pk).case_worker == colleague


def test_with_htmx_a_note_replaces_only_the_notes_section(personas, team):
    case = team.open()
    browser = personas.signed_in(team.worker)
    response = browser.post(
        f"/cases/{case.pk}/notes/", {"text": "Met her at school."}, headers={"HX-Request": "true"}
    )
    assert response.status_code == 200
    assert response.text.lstrip().startswith('<section id="notes"')
    assert "Met her at school." in response.text
    assert "The note was added." in response.text
    assert "<html" not in response.text
    refused = browser.post(f"/cases/{case.pk}/notes/", {"text": ""}, headers={"HX-Request": "true"})
    assert "Write the note first." in refused.text


def test_without_htmx_the_page_reloads_with_one_message(personas, team):
    case = team.open()
    browser = personas.signed_in(team.worker)
    page = browser.post(f"/cases/{case.pk}/notes/", {"text": "Called."}, follow=True)
    assert page.text.count("The note was added.") == 1


def test_notes_and_documents_stay_with_the_organisation_that_wrote_them(personas, team):
    """Free text and files may hold any category of data, whatever the referral shares: the
    receiving organisation sees its own, not the sending side's, on the page and at download."""
    from trm.access.actions import break_the_glass
    from trm.directory.models import Organisation

    case = team.to_referral()
    sending = personas.signed_in(team.worker)
    sending.post(f"/cases/{case.pk}/notes/", {"text": "Her trafficker still calls her mother."})
    upload = SimpleUploadedFile("statement.pdf", PDF, content_type="application/pdf")
    sending.post(f"/cases/{case.pk}/attachments/", {"file": upload})
    statement = Attachment.objects.get()
    team.accept(team.send(case))

    receiving = personas.signed_in(team.receiving_worker)
    page = receiving.get(f"/cases/{case.pk}/")
    assert page.status_code == 200
    assert "still calls her mother" not in page.text
    assert "statement.pdf" not in page.text
    download = f"/cases/{case.pk}/attachments/{statement.pk}/"
    assert receiving.get(download).status_code == 404
    receiving.post(f"/cases/{case.pk}/notes/", {"text": "A room is ready in Kyiv."})
    assert "A room is ready in Kyiv." in receiving.get(f"/cases/{case.pk}/").text
    sending_page = sending.get(f"/cases/{case.pk}/").text
    assert "still calls her mother" in sending_page
    assert "A room is ready in Kyiv." not in sending_page
    assert sending.get(download).status_code == 200

    # An emergency (break the glass, by a supervisor of another organisation of the owner's
    # country) sees everything.
    other = Organisation.objects.filter(country=case.owner.country).exclude(pk=case.owner_id)[0]
    supervisor = personas.user("pl.other-supervisor", "PL", Role.SUPERVISOR)
    supervisor.memberships.update(organisation=other)
    break_the_glass(supervisor, case, "She called the hotline: she is in danger tonight.")
    emergency = personas.signed_in(supervisor)
    page = emergency.get(f"/cases/{case.pk}/").text
    assert "still calls her mother" in page
    assert "A room is ready in Kyiv." in page
    assert emergency.get(download).status_code == 200


def test_a_note_is_written_for_the_organisation_the_case_was_referred_to(personas, team):
    """Someone working for two organisations writes for the one the case concerns, and so
    keeps seeing their note."""
    from trm.accounts.models import Membership
    from trm.directory.models import Organisation

    case = team.to_referral()
    team.accept(team.send(case))
    elsewhere = Organisation.objects.exclude(pk__in=[case.owner_id, team.receiver.pk]).order_by(
        "pk"
    )[0]
    # Their other membership is the older one.
    receiving_membership = Membership.objects.get(user=team.receiving_worker)
    Membership.objects.create(
        user=team.receiving_worker, organisation=elsewhere, role=Role.CASE_WORKER
    )
    receiving_membership.delete()
    Membership.objects.create(
        user=team.receiving_worker, organisation=team.receiver, role=Role.CASE_WORKER
    )
    receiving = personas.signed_in(team.receiving_worker)
    receiving.post(f"/cases/{case.pk}/notes/", {"text": "Met her at the airport."})
    assert Note.objects.get().organisation == team.receiver
    assert "Met her at the airport." in receiving.get(f"/cases/{case.pk}/").text
