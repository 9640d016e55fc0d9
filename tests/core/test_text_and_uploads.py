"""What people type is valid Unicode and shows as it was meant; uploads never touch the disk.

Issue 11, item 6: a lone surrogate answered 500, names took right-to-left overrides and
terminal control characters, and a file over the limit was spooled unencrypted to the system's
temporary folder before the size check refused it.
"""

import pytest
from django.core.files import temp as spooling
from django.core.files.uploadedfile import SimpleUploadedFile

from tests.api.conftest import Api, token_api
from tests.referrals.journeys import Journey
from trm.cases.models import Attachment, Case, Note, StageRecord
from trm.lib import text

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.7\n% an invented document\n%%EOF\n"
# As JSON carries it: an escape that parses to half of a UTF-16 pair.
LONE_SURROGATE = '"x\\ud800y"'


@pytest.fixture
def team(personas):
    return Journey(personas, sending="PL", receiving="UA")


def test_a_lone_surrogate_in_a_records_text_is_refused_with_422_and_saves_nothing(personas, team):
    case = team.open()
    api = Api(personas.signed_in(team.worker))
    body = (
        '{"kind": "screening", "data": {"signal": "police", "outcome": "presumed_victim", '
        f'"notes": {LONE_SURROGATE}}}}}'
    )
    refused = api.post(f"/api/cases/{case.pk}/records", raw=body)
    assert refused.status_code == 422
    answer = refused.json()
    assert answer["errors"] == [
        {"loc": ["body", "data", "notes"], "msg": str(text.NOT_UNICODE), "type": "value_error"}
    ]
    assert not StageRecord.objects.exists()
    assert Case.objects.get(pk=case.pk).version == 1


def test_a_lone_surrogate_is_refused_in_every_body_of_the_api_in_the_callers_language(
    personas, team
):
    case = team.open()
    api = token_api(team.sender)
    refused = api.post(
        f"/api/cases/{case.pk}/notes", raw=f'{{"text": {LONE_SURROGATE}}}',
        headers={"Accept-Language": "fr"},
    )  # fmt: skip
    assert refused.status_code == 422
    assert "Rien n'a été enregistré" in refused.json()["detail"]
    assert not Note.objects.exists()


def test_a_text_posted_by_a_page_with_broken_utf8_is_read_not_crashed_on(personas, team):
    case = team.open()
    browser = personas.signed_in(team.worker)
    # The bytes of an encoded surrogate are not UTF-8: Django reads them as replacement marks.
    answer = browser.post(
        f"/cases/{case.pk}/notes/", "text=x%ED%A0%80y",
        content_type="application/x-www-form-urlencoded",
    )  # fmt: skip
    assert answer.status_code < 500
    assert Note.objects.get().text == "x\ufffd\ufffd\ufffdy"


@pytest.mark.parametrize(
    "name",
    [
        "Anna\u202eavoN",  # right-to-left override: displays as "AnnaNova"
        "Anna\u2067Nova",  # right-to-left isolate
        "Anna\x1b[31mNova",  # a terminal's colour escape
        "Anna\nNova",
        "Anna\x00Nova",
    ],
)
def test_a_name_with_invisible_controls_is_refused_where_the_name_is(personas, team, name):
    browser = personas.signed_in(team.worker)
    api = Api(browser)
    refused = api.post("/api/cases/", {"person": {"given_name": name}})
    assert refused.status_code == 422
    assert refused.json()["errors"][0]["loc"][-1] == "given_name"
    assert not Case.objects.exists()
    page = browser.post(
        "/cases/new/",
        {"given_name": name, "sex": "unknown", "organisation": team.sender.pk},
    )
    assert page.status_code == 200
    assert str(text.NOT_A_PLAIN_NAME) in page.text or "Null characters" in page.text
    assert not Case.objects.exists()


def test_names_keep_what_scripts_need(personas, team):
    api = Api(personas.signed_in(team.worker))
    # A zero-width non-joiner and a right-to-left mark are part of how these names are written.
    opened = api.post(
        "/api/cases/", {"person": {"given_name": "می\u200cخواهم", "family_name": "علي\u200f"}}
    )
    assert opened.status_code == 201, opened.json()


def test_free_text_loses_invisible_controls_and_keeps_its_lines(personas, team):
    case = team.open()
    browser = personas.signed_in(team.worker)
    browser.post(f"/cases/{case.pk}/notes/", {"text": "Line one\u202e\x07\nLine two\ttabbed"})
    assert Note.objects.get().text == "Line one\nLine two\ttabbed"
    api = Api(browser)
    data = {"signal": "police", "outcome": "presumed_victim", "notes": "Found\u202d at\x1b a farm."}
    added = api.post(f"/api/cases/{case.pk}/records", {"kind": "screening", "data": data})
    assert added.status_code == 201
    [record] = api.get(f"/api/cases/{case.pk}/records").json()["items"]
    assert record["fields"]["notes"] == "Found at a farm."


def test_a_documents_name_cannot_hide_its_extension(personas, team):
    case = team.open()
    browser = personas.signed_in(team.worker)
    browser.post(
        f"/cases/{case.pk}/attachments/", {"file": SimpleUploadedFile("scan\u202efdp.exe", PDF)}
    )
    assert Attachment.objects.get().filename == "scanfdp.exe"


@pytest.fixture
def files_spooled(monkeypatch, settings):
    """The temporary files opened while a request is read: Django's default handlers spool an
    upload, in clear, through `django.core.files.temp` (with these settings, any over 1 kB)."""
    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 1000
    opened = []
    real = spooling.NamedTemporaryFile

    def recording(*args, **kwargs):
        spooled = real(*args, **kwargs)
        opened.append(spooled.name)
        return spooled

    monkeypatch.setattr(spooling, "NamedTemporaryFile", recording)
    return opened


def test_an_upload_over_the_limit_is_refused_from_its_content_length_and_never_spooled(
    personas, team, settings, files_spooled
):
    settings.ATTACHMENT_MAX_BYTES = 100_000
    case = team.open()
    browser = personas.signed_in(team.worker)
    big = SimpleUploadedFile("big.pdf", b"%PDF-" + b"0" * 300_000)
    answer = browser.post(f"/cases/{case.pk}/attachments/", {"file": big}, follow=True)
    assert "The file is too large: at most 0 MB." in answer.text
    assert not Attachment.objects.exists()
    assert files_spooled == []
    # A file within the limit is kept in memory too, then encrypted with the case.
    within = SimpleUploadedFile("scan.pdf", PDF + b"0" * 50_000)
    browser.post(f"/cases/{case.pk}/attachments/", {"file": within})
    assert Attachment.objects.get().size == len(PDF) + 50_000
    assert files_spooled == []


def test_an_upload_over_the_limit_is_refused_while_streaming(personas, team, settings):
    """The request's size is within the allowance for the form, the file alone is not: the
    handler counts the bytes as they arrive."""
    from trm.core import uploads

    settings.ATTACHMENT_MAX_BYTES = 100_000
    case = team.open()
    browser = personas.signed_in(team.worker)
    slightly = SimpleUploadedFile(
        "big.pdf", b"%PDF-" + b"0" * (100_000 + uploads.FORM_ALLOWANCE // 2)
    )
    answer = browser.post(f"/cases/{case.pk}/attachments/", {"file": slightly}, follow=True)
    assert "too large" in answer.text
    assert not Attachment.objects.exists()
    small = SimpleUploadedFile("small.pdf", PDF)
    browser.post(f"/cases/{case.pk}/attachments/", {"file": small})
    assert Attachment.objects.get().size == len(PDF)


def test_uploads_are_never_handed_to_a_temporary_file():
    from django.conf import settings

    assert settings.FILE_UPLOAD_HANDLERS == ["trm.core.uploads.BoundedMemoryUploadHandler"]
