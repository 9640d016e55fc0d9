"""Which documents of a referred case each side sees: one left unclassed stays with the
organisation that uploaded it; one classed in a data category is seen like a field of it, by
the owner's side and by the receiving organisation when its referral shares the category."""

import pytest

from tests.referrals.journeys import Journey, committed
from trm.access.policy import access_to
from trm.access.view import case_view
from trm.cases.actions import casework
from trm.lib.errors import DomainError

pytestmark = pytest.mark.django_db(transaction=True)

PDF = b"%PDF-1.7\n% an invented document\n%%EOF\n"


def seen(user, case) -> set[str]:
    return {document.filename for document in case_view(case, access_to(user, case)).attachments}


def test_a_classed_document_is_shared_as_its_category_and_an_unclassed_one_stays(personas):
    team = Journey(personas)
    case = team.to_referral(child=False)
    for name, category in [("medical.pdf", "health"), ("testimony.pdf", "exploitation"),
                           ("memo.pdf", "")]:  # fmt: skip
        committed(casework.attach_file, team.worker, case, name, PDF, category=category)
    team.accept(team.send(case, ("identity", "health")))

    assert seen(team.receiving_worker, case) == {"medical.pdf"}
    assert seen(team.worker, case) == {"medical.pdf", "testimony.pdf", "memo.pdf"}
    browser = personas.signed_in(team.receiving_worker)
    for document in case.attachments.all():
        answer = browser.get(f"/cases/{case.pk}/attachments/{document.pk}/")
        assert answer.status_code == (200 if document.filename == "medical.pdf" else 404)

    # The receiving side's own: classed, the owner sees it; unclassed, it stays there.
    committed(casework.attach_file, team.receiving_worker, case, "plan.pdf", PDF,
              category="assistance")  # fmt: skip
    committed(casework.attach_file, team.receiving_worker, case, "diary.pdf", PDF)
    assert {"plan.pdf"} <= seen(team.worker, case)
    assert "diary.pdf" not in seen(team.worker, case)
    assert {"medical.pdf", "plan.pdf", "diary.pdf"} == seen(team.receiving_worker, case)


def test_a_document_is_classed_in_a_known_category_only(personas):
    team = Journey(personas)
    case = team.open()
    with pytest.raises(DomainError):
        committed(casework.attach_file, team.worker, case, "x.pdf", PDF, category="secrets")
    assert not case.attachments.exists()


def test_the_case_page_classes_an_upload(personas):
    from django.core.files.uploadedfile import SimpleUploadedFile

    team = Journey(personas)
    case = team.open()
    browser = personas.signed_in(team.worker)
    page = browser.get(f"/cases/{case.pk}/").text
    assert 'name="category"' in page
    assert "Not said: kept with this organisation" in page
    upload = SimpleUploadedFile("report.pdf", PDF, content_type="application/pdf")
    browser.post(f"/cases/{case.pk}/attachments/", {"file": upload, "category": "health"})
    assert case.attachments.get().category == "health"
