"""The referral package reads as a document: labelled, translated sections, in the reader's
language, never a Python value, an id, a code or an ISO timestamp."""

import re
from html.parser import HTMLParser

import pytest
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext

from tests.referrals.journeys import ALL_SCORES_3, Journey, committed
from trm.referrals import actions
from trm.referrals.package import message_sections, package_sections

pytestmark = pytest.mark.django_db

UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", re.I)
ISO_TIMESTAMP = re.compile(r"\d{4}-\d{2}-\d{2}T")
ISO_DATE = re.compile(r"\b\d{4}-\d{2}-\d{2}\b")
CODES = ("risk_to_life", "child_protection", "presumed_victim", "female", "'low'", "None")


class _VisibleText(HTMLParser):
    def __init__(self):
        super().__init__()
        self.parts, self._hidden = [], 0

    def handle_starttag(self, tag, attrs):
        self._hidden += tag in {"script", "style", "textarea", "select"}

    def handle_endtag(self, tag):
        self._hidden -= tag in {"script", "style", "textarea", "select"}

    def handle_data(self, data):
        if not self._hidden:
            self.parts.append(data)


def visible_text(response) -> str:
    """What a reader sees of the page: its text, not its markup (ids live in links)."""
    parser = _VisibleText()
    parser.feed(response.content.decode())
    return " ".join(" ".join(parser.parts).split())


def assert_reads_as_a_document(response):
    assert response.status_code == 200
    html, text = response.content.decode(), visible_text(response)
    assert "{'" not in html
    assert "DataCategory." not in html
    assert not ISO_TIMESTAMP.search(html), ISO_TIMESTAMP.search(html)
    assert not UUID.search(text), UUID.search(text)
    assert not ISO_DATE.search(text), ISO_DATE.search(text)
    for code in CODES:
        assert code not in text, code
    return text


def in_language(language, *msgids) -> list[str]:
    with translation.override(language):
        return [gettext(msgid) for msgid in msgids]


@pytest.fixture
def team(personas):
    return Journey(personas, sending="ES", receiving="MA")


@pytest.fixture
def child_case(team):
    """A child's case at the referral stage: screening, guardian, assessments, counselling,
    best-interests determination, and a last risk assessment that finds the risk low."""
    case = team.to_referral(child=True)
    team.add(team.worker, case, "risk_assessment", {
        "risk_level": "low", "needs_on_arrival": "A place at school."})  # fmt: skip
    return case


def reader(personas, user, language):
    """`user` signed in, reading in `language` (their own setting)."""
    user.language = language
    user.save(update_fields=["language"])
    return personas.signed_in(user)


@pytest.mark.parametrize("language", ["en", "ar"])
def test_the_send_preview_reads_as_labelled_sections(personas, team, child_case, language):
    browser = reader(personas, team.worker, language)
    page = browser.post(f"/referrals/send/{child_case.pk}/", {
        "receiver": team.receiver.pk,
        "categories": ["identity", "contact", "health", "assistance", "family"],
        "message": "Please receive her in Casablanca.",
    })  # fmt: skip
    text = assert_reads_as_a_document(page)
    assert page.context["package"], "a preview, not a refusal"
    for expected in in_language(
        language,
        "What will be sent",
        "The person",
        "Risk level",
        "Low",
        "Risk of re-trafficking",
        "High",
        "Female",
        "Immediate risk and needs assessment",
        "Needs urgent medical care",
        "Joint risk assessment of the return",
        "Guardian",
        "Best-interests determination",
        "Return is in the child's best interests",
        "Options counselling",
        "Contact details",
        "Health and medical needs",
    ):
        assert expected in text, expected
    assert ("المغرب" if language == "ar" else "Morocco") in text
    with translation.override(language):
        assert date_format(child_case.person.birth_date, "DATE_FORMAT") in text
        assert str(translation.get_language_info("sq")["name_translated"]) in text
    assert "Anila" in text
    assert "Please receive her in Casablanca." in text
    # People's names and free text are isolated from the page's direction of writing.
    assert "<bdi>Anila</bdi>" in page.content.decode()
    if language == "ar":
        assert 'dir="rtl"' in page.content.decode()
        assert "ديسمبر" in text or any(month in text for month in ARABIC_MONTHS)


ARABIC_MONTHS = ("يناير", "فبراير", "مارس", "أبريل", "مايو", "يونيو", "يوليو", "أغسطس",
                 "سبتمبر", "أكتوبر", "نوفمبر", "ديسمبر")  # fmt: skip


@pytest.mark.parametrize("language", ["en", "ar"])
def test_the_receiver_reads_the_preview_in_words_before_accepting(
    personas, team, child_case, language
):
    referral = team.send(child_case)
    page = reader(personas, team.receiving_worker, language).get(f"/referrals/{referral.pk}/")
    text = assert_reads_as_a_document(page)
    assert "Anila" not in text
    for expected in in_language(
        language, "Age", "15 to 17", "Female", "Child protection", "Escort needed", "Low"
    ):
        assert expected in text, expected
    assert ("المغرب" if language == "ar" else "Morocco") in text


@pytest.mark.parametrize("language", ["en", "ar"])
def test_the_whole_thread_reads_as_a_document_on_both_sides(personas, team, child_case, language):
    referral = team.send(child_case)
    question = committed(
        actions.ask_for_information, team.receiving_worker, referral, "Does she need a doctor?"
    )
    committed(actions.answer, team.worker, referral, question, "Yes, for her hand.")
    team.accept(referral)
    team.depart(child_case)
    team.confirm_reception(child_case)
    team.agree_plan(child_case)
    team.add(team.receiving_worker, child_case, "monitoring_contact", {
        "contacted_on": timezone.localdate().isoformat(), "situation": "She goes to school.",
        **ALL_SCORES_3,
    })  # fmt: skip
    team.close(child_case)
    kinds = set(referral.messages.values_list("kind", flat=True))
    assert {"send", "ask_information", "answer", "accept", "departure_notice",
            "reception_confirmation", "monitoring_summary", "closure_notice"} <= kinds  # fmt: skip
    for user in (team.worker, team.receiving_worker):
        page = reader(personas, user, language).get(f"/referrals/{referral.pk}/")
        text = assert_reads_as_a_document(page)
        for expected in in_language(
            language,
            "Who will meet the person",
            "When",
            "Departed at",
            "Received at",
            "Contacted on",
            "Sustainability score",
            "Plan completed and monitoring period over",
            "Risk level",
            "Low",
            "Best-interests determination",
        ):
            assert expected in text, (user, expected)
        assert "Elira, social worker" in text
        assert "Yes, for her hand." in text
        with translation.override(language):
            assert date_format(child_case.person.birth_date, "DATE_FORMAT") in text


def test_a_package_from_another_version_still_reads_or_leaves_out_what_it_cannot_say(
    personas,
):
    payload = {
        "categories": ["identity", "a_new_category"],
        "case": {"reference": "ES-AB12-CD34", "child": False},
        "person": {
            "given_name": "Anila",
            "sex": "female",
            "citizenship": "AL",
            "nickname": "Ani",
        },  # fmt: skip
        "risk": {"risk_level": "high", "risk_to_life": True},
        "records": [
            {
                "id": "7f1c2a3e-4b5d-4e6f-8a9b-0c1d2e3f4a5b",
                "kind": "a_future_form",
                "stage": "referral",
                "recorded_at": "2026-11-30T09:15:00+00:00",
                "fields": {"seen_on": "2026-11-29", "urgent": True, "nested": {"deep": [1, 2]}},
            },  # fmt: skip
            {
                "kind": "immediate_assessment",
                "recorded_at": "2026-11-30T10:00:00",
                "fields": {"urgent_medical": True, "retired_field": "kept in words"},
            },  # fmt: skip
            "not a record",
        ],
        "signed_by": "7f1c2a3e-4b5d-4e6f-8a9b-0c1d2e3f4a5c",
        "batch": {"id": 3},
    }
    with translation.override("en"):
        sections = package_sections(payload)
        rows = {
            (section.title, row.label): row.value for section in sections for row in section.rows
        }
        assert rows[("The person", "Citizenship")] == "Albania"
        assert rows[("The person", "Sex")] == "Female"
        assert rows[("The person", "Nickname")] == "Ani"
        assert rows[("Risk", "Risk level")] == "High"
        assert rows[("A future form", "Seen on")] == "Nov. 29, 2026"
        assert rows[("A future form", "Urgent")] == "Yes"
        assert rows[("Immediate risk and needs assessment", "Retired field")] == "kept in words"
        assert "a_new_category" in rows[("The case", "Data categories shared")]
        shown = repr([(section.title, section.note, section.rows) for section in sections])
        assert "deep" not in shown
        assert "batch" not in shown
        assert not ISO_TIMESTAMP.search(shown)
        assert "7f1c2a3e" not in shown
        assert message_sections("a_future_message", {"note": "Hello", "at": "2026-11-29"})
        assert message_sections("cancel", {"because": "case_closed"})[0].rows[0].value == (
            "The case was closed."
        )
        assert message_sections("accept", "not a payload") == []


def test_a_closure_lapses_an_unanswered_referral_with_a_reason_in_words(personas, team):
    case = team.to_referral()
    referral = team.send(case)
    team.close(case, "lost_contact")
    page = reader(personas, team.worker, "en").get(f"/referrals/{referral.pk}/")
    text = assert_reads_as_a_document(page)
    assert "The case was closed." in text
