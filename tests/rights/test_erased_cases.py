"""An erased person's case: every page and form of it says when and by whom the person was
erased, and that the records remain without personal data; none fails."""

import pytest
from django.urls import reverse

from tests.referrals.journeys import Journey
from trm.accounts.models import Role
from trm.cases.actions import casework
from trm.cases.record_kinds import RECORD_KINDS
from trm.cases.workflow import EVENTS
from trm.directory.models import Organisation
from trm.rights.erasure import erase_person
from trm.rights.retention import carry_out, make_report

PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 64


@pytest.fixture
def journey(personas):
    return Journey(personas)


@pytest.fixture
def dpo(journey):
    return journey.staff(journey.sender, Role.DATA_PROTECTION_OFFICER)


@pytest.fixture
def erased(journey, dpo):
    """A case at the referral stage, referred, with a note and a document; then erased."""
    case = journey.to_referral()
    referral = journey.send(case)
    casework.add_note(journey.worker, case, "Anila called from the shelter.")
    attachment = casework.attach_file(journey.worker, case, "Anila Hoxha passport.png", PNG)
    erase_person(dpo, case, "The person's request of 3 May")
    return case, referral, attachment


def every_case_url(case, referral, attachment):
    """(method, url, data) for every page, form and download of the case."""
    pk = case.pk
    urls = [
        ("get", reverse("cases:case", args=[pk]), None),
        ("get", reverse("cases:edit_person", args=[pk]), None),
        ("post", reverse("cases:edit_person", args=[pk]), {"family_name": "X", "version": 1}),
        ("get", reverse("cases:download", args=[pk, attachment.pk]), None),
        ("post", reverse("cases:add_note", args=[pk]), {"text": "One more"}),
        ("post", reverse("cases:attach", args=[pk]), None),
        ("post", reverse("cases:assign", args=[pk]), {"case_worker": 1}),
        ("post", reverse("cases:ask_approval", args=[pk]), {"subject": "closure"}),
        ("get", reverse("consent:case", args=[pk]), None),
        ("post", reverse("consent:case", args=[pk]), {"purpose": "statistics"}),
        ("get", reverse("referrals:send", args=[pk]), None),
        ("get", reverse("referrals:referral", args=[referral.pk]), None),
        ("get", reverse("rights:case", args=[pk]), None),
    ]
    for kind in RECORD_KINDS:
        urls.append(("get", reverse("cases:record", args=[pk, kind]), None))
        urls.append(("post", reverse("cases:record", args=[pk, kind]), {"notes": "x"}))
    for record in case.records.all():
        urls.append(("get", reverse("cases:correct", args=[pk, record.kind, record.pk]), None))
    for event in EVENTS:
        urls.append(("get", reverse("cases:step", args=[pk, event]), None))
        urls.append(("post", reverse("cases:step", args=[pk, event]), {"version": case.version}))
    return urls


def answers(browser, urls):
    """{url: (status, text)} of each request; a failing view is a 500, as a browser sees it."""
    browser.raise_request_exception = False
    found = {}
    for method, url, data in urls:
        response = getattr(browser, method)(url, data or {})
        text = response.content.decode() if response.status_code != 302 else ""
        found[method, url] = (response.status_code, text)
    return found


@pytest.mark.parametrize("reader", ["case worker", "data protection officer"])
def test_every_page_of_an_erased_persons_case_says_who_erased_them_and_none_fails(
    personas, journey, dpo, erased, reader
):
    case, referral, attachment = erased
    user = journey.worker if reader == "case worker" else dpo
    browser = personas.signed_in(user)
    found = answers(browser, every_case_url(case, referral, attachment))

    failed = {url: status for url, (status, _text) in found.items() if status >= 500}
    assert failed == {}
    shown = {url: status for url, (status, _text) in found.items() if status not in (302, 404)}
    assert shown, "the reader sees the case"
    clear = f"by {dpo.get_full_name()} ({journey.sender.name})"
    unclear = [url for url, (status, text) in found.items() if url in shown and clear not in text]
    assert unclear == []
    named = [url for url, (_status, text) in found.items() if "Anila" in text or "Hoxha" in text]
    assert named == [], "nothing of the person is shown"
    # The case is there; the document, which needed the person's key, is gone for good.
    assert found["get", reverse("cases:case", args=[case.pk])][0] == 200
    assert found["get", reverse("cases:download", args=[case.pk, attachment.pk])][0] == 410


def test_the_case_page_of_an_erased_person_lists_the_records_that_remain(personas, journey, erased):
    case, _referral, _attachment = erased
    response = personas.signed_in(journey.worker).get(reverse("cases:case", args=[case.pk]))
    assert response.status_code == 200
    assert "These records remain without personal data" in response.text
    assert "Screening" in response.text
    assert "erased on" in response.text


def test_erased_on_the_retention_schedule_the_page_says_so(personas, journey, time_machine):
    case = journey.to_referral()
    closed = journey.close(case, reason="lost_contact")
    time_machine.move_to(closed.closed_at.replace(year=closed.closed_at.year + 11))
    report = make_report()
    time_machine.shift(60 * 60 * 24 * 60)
    assert carry_out(report) == 1
    response = personas.signed_in(journey.worker).get(reverse("cases:case", args=[case.pk]))
    assert response.status_code == 200
    assert "by the retention schedule" in response.text


def test_a_supervisor_cannot_break_the_glass_on_an_erased_persons_case(personas, erased):
    case, _referral, _attachment = erased
    other = Organisation.objects.filter(country__code="ES").exclude(pk=case.owner_id).first()
    supervisor = personas.user("es.other.supervisor", "ES", Role.SUPERVISOR)
    supervisor.memberships.update(organisation=other)
    browser = personas.signed_in(supervisor)
    url = reverse("cases:emergency_access", args=[case.pk])
    for response in [browser.get(url), browser.post(url, {"reason": "A police call at night"})]:
        assert response.status_code == 410
        assert "data was erased on" in response.text, response.text
