"""My work on the home page, and finding cases in the list: filters by GET, bookmarkable; the
search by name or reference by POST, so that a name is never in an address."""

import re
import urllib.parse
from html.parser import HTMLParser

import pytest
import time_machine
from django.utils import timezone
from django.views.debug import SafeExceptionReporterFilter

from tests.referrals.journeys import Journey
from trm.accounts.models import Role
from trm.audit.models import AuditEvent

pytestmark = pytest.mark.django_db


@pytest.fixture
def team(personas):
    return Journey(personas, sending="ES", receiving="MA")


def test_my_work_shows_my_cases_by_stage_and_what_waits(personas, team):
    team.open()
    team.to_referral(until="first_assistance")
    referral_case = team.to_referral()
    team.send(referral_case)
    home = personas.signed_in(team.worker).get("/")
    assert home.status_code == 200
    stages = dict(home.context["stages"])
    assert stages == {"identification": 1, "first_assistance": 1, "referral": 1}
    receiving = personas.signed_in(team.receiving_worker).get("/")
    assert [r.case_id for r in receiving.context["referrals"]] == [referral_case.pk]
    assert "days left" in receiving.text


def test_overdue_tasks_show_on_my_work_and_filter_the_list(personas, team):
    case = team.to_referral()
    team.send(case)
    with time_machine.travel(timezone.now() + timezone.timedelta(days=30)):
        browser = personas.signed_in(team.receiving_worker)
        sender = personas.signed_in(team.worker)
        assert "answer overdue" in browser.get("/").text
        overdue = sender.get("/cases/", {"overdue": "on"})
        assert [row[0].pk for row in overdue.context["rows"]] == [case.pk]


UKRAINIAN = {"given_name": "Іванна", "family_name": "Петренко", "given_name_latin": "Ivanna",
             "family_name_latin": "Petrenko"}  # fmt: skip
MOROCCAN = {"given_name": "يوسف", "family_name": "العمراني", "given_name_latin": "Youssef",
            "family_name_latin": "El Amrani"}  # fmt: skip


class Page(HTMLParser):
    """What a browser could send on from a page: its addresses (href, src, action, formaction),
    its forms by id and the buttons that submit a form from outside it."""

    def __init__(self, html: str):
        super().__init__()
        self.addresses, self.forms, self.buttons = [], {}, []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        for name in ("href", "src", "action", "formaction"):
            if attributes.get(name) is not None:
                self.addresses.append(attributes[name])
        if tag == "form" and "id" in attributes:
            self.forms[attributes["id"]] = attributes
        if tag == "button" and "form" in attributes:
            self.buttons.append(attributes)


def assert_nowhere_in_addresses(response, person: dict):
    """No part of the person's name, in any spelling or encoding, in the page's addresses or in
    the address the page was answered from."""
    parts = [part for value in person.values() for part in value.split()]
    addresses = [response.request["PATH_INFO"] + "?" + response.request.get("QUERY_STRING", "")]
    addresses += Page(response.text).addresses
    for address in addresses:
        readable = urllib.parse.unquote_plus(address).casefold()
        for part in parts:
            assert part.casefold() not in readable, (part, address)
            assert urllib.parse.quote(part).casefold() not in address.casefold(), (part, address)


def searched(browser, text, filters="", **more):
    """The list searched as its search form sends it: by POST to its action (the filters)."""
    action = Page(browser.get(f"/cases/?{filters}").text).forms["case-search"]["action"]
    assert urllib.parse.urlsplit(action).path == "/cases/"
    assert urllib.parse.urlsplit(action).query == filters, "the action keeps the filters"
    response = browser.post(action, {"q": text, **more})
    assert response.status_code == 200, "answered directly, never redirected to an address"
    return response


def test_the_list_filters_by_stage_and_age_and_searches_names_in_any_script(personas, team):
    adult = team.to_referral(until="first_assistance", person=MOROCCAN)
    child = team.open(child=True)
    ukrainian = team.open(person=UKRAINIAN)
    browser = personas.signed_in(team.worker)

    def filtered(**filters):
        return [row[0].pk for row in browser.get("/cases/", filters).context["rows"]]

    def found(text):
        return [row[0].pk for row in searched(browser, text).context["rows"]]

    assert filtered(stage="first_assistance") == [adult.pk]
    assert filtered(age="child") == [child.pk]
    assert found("el amrani youssef") == [adult.pk]
    assert found("العمراني") == [adult.pk]
    assert found("Петренко Іванна") == [ukrainian.pk]
    assert found("ivanna petrenko") == [ukrainian.pk]
    assert found(adult.reference.lower()) == [adult.pk]
    assert found("El Amran") == [], "exact names only"
    assert len(found("")) == 3, "an empty search is no search"
    page = browser.get("/cases/", {"stage": "nowhere"})
    assert "Select a valid choice" in page.text
    assert page.context["rows"] == []
    event = AuditEvent.objects.filter(action="trm.case.listed").latest("sequence")
    assert "amrani" not in str(event.details).casefold(), "no search text in the audit trail"


def test_a_searched_name_is_in_no_address_of_the_answer(personas, team):
    ukrainian = team.to_referral(until="first_assistance", person=UKRAINIAN)
    browser = personas.signed_in(team.worker)
    response = searched(browser, "Іванна Петренко", "stage=first_assistance")
    assert [row[0].pk for row in response.context["rows"]] == [ukrainian.pk]
    assert "Петренко" in response.text, "the person is shown in the page, not in its links"
    assert_nowhere_in_addresses(response, UKRAINIAN)
    assert "no-store" in response.headers["Cache-Control"]
    report = SafeExceptionReporterFilter().get_post_parameters(response.wsgi_request)
    assert "Петренко" not in report["q"], "nor in an error report"
    latin = searched(browser, "Ivanna Petrenko")
    assert [row[0].pk for row in latin.context["rows"]] == [ukrainian.pk]
    assert_nowhere_in_addresses(latin, UKRAINIAN)


def test_a_name_in_a_get_address_is_not_searched_and_not_passed_on(personas, team):
    ukrainian = team.to_referral(until="first_assistance", person=UKRAINIAN)
    other = team.to_referral(until="first_assistance")
    browser = personas.signed_in(team.worker)
    old_bookmark = browser.get(
        "/cases/", {"q": "Ivanna Petrenko", "stage": "first_assistance"}, follow=True
    )
    assert old_bookmark.redirect_chain == [("/cases/?stage=first_assistance", 302)]
    assert {row[0].pk for row in old_bookmark.context["rows"]} == {ukrainian.pk, other.pk}
    assert old_bookmark.context["search"]["q"].value() is None, "the box is not filled from it"
    assert_nowhere_in_addresses(old_bookmark, UKRAINIAN)


def test_a_search_combines_with_the_filters_of_its_address(personas, team):
    assisted = team.to_referral(until="first_assistance", person=UKRAINIAN)
    identified = team.open(person=UKRAINIAN)
    team.open(child=True)
    browser = personas.signed_in(team.worker)

    def found(text, filters=""):
        return {row[0].pk for row in searched(browser, text, filters).context["rows"]}

    assert found("Ivanna Petrenko") == {assisted.pk, identified.pk}
    assert found("Ivanna Petrenko", "stage=first_assistance") == {assisted.pk}
    assert found("Ivanna Petrenko", "stage=identification&age=adult") == {identified.pk}
    assert found("Ivanna Petrenko", "age=child") == set()


def test_the_pages_of_a_search_are_asked_for_by_post(personas, team, monkeypatch):
    monkeypatch.setattr("trm.cases.views.PAGE_SIZE", 2)
    namesakes = {team.open(person=UKRAINIAN).pk for _ in range(3)}
    team.open()
    team.open()
    browser = personas.signed_in(team.worker)
    first = searched(browser, "Ivanna Petrenko")
    assert first.context["page"].paginator.count == 3
    [next_page] = Page(first.text).buttons
    assert (next_page["form"], next_page["name"], next_page["value"]) == (
        "case-search",
        "page",
        "2",
    )
    assert not [a for a in Page(first.text).addresses if "page=" in a], "no page links"
    assert_nowhere_in_addresses(first, UKRAINIAN)
    second = browser.post("/cases/", {"q": "Ivanna Petrenko", "page": "2"})
    assert second.context["page"].number == 2
    shown = {row[0].pk for row in first.context["rows"]} | {
        row[0].pk for row in second.context["rows"]
    }
    assert shown == namesakes
    assert [b["value"] for b in Page(second.text).buttons] == ["1"]
    assert_nowhere_in_addresses(second, UKRAINIAN)
    unsearched = browser.get("/cases/", {"age": "adult"})
    assert Page(unsearched.text).buttons == [], "without a search, pages stay links"
    assert "?age=adult&page=2" in Page(unsearched.text).addresses


def test_the_search_is_refused_without_the_csrf_token(personas, team):
    team.open(person=UKRAINIAN)
    browser = personas.signed_in(team.worker)
    browser.handler.enforce_csrf_checks = True
    assert browser.post("/cases/", {"q": "Ivanna Petrenko"}).status_code == 403
    form = browser.get("/cases/")
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form.text).group(1)
    answer = browser.post("/cases/", {"q": "Ivanna Petrenko", "csrfmiddlewaretoken": token})
    assert answer.status_code == 200
    assert answer.context["page"].paginator.count == 1


def test_a_search_finds_nothing_the_searcher_may_not_see(personas, team):
    case = team.to_referral(person=UKRAINIAN)
    team.send(case)  # sent, not yet accepted: Morocco sees its preview only
    other_spanish = team.staff(personas.organisation("ES", focal_point=True), Role.CASE_WORKER)
    for outsider in (team.receiving_worker, other_spanish):
        browser = personas.signed_in(outsider)
        for text in ("Ivanna Petrenko", "Петренко", case.reference):
            response = browser.post("/cases/", {"q": text})
            assert response.context["rows"] == [], (outsider, text)


def test_a_name_search_does_not_confirm_an_identity_that_was_not_shared(personas, team):
    case = team.to_referral(person=UKRAINIAN)
    team.accept(team.send(case, ("assistance",)))  # Morocco holds the case, not her identity
    browser = personas.signed_in(team.receiving_worker)
    by_reference = browser.post("/cases/", {"q": case.reference})
    assert [(row[0].pk, row[1]) for row in by_reference.context["rows"]] == [(case.pk, False)]
    assert browser.post("/cases/", {"q": "Ivanna Petrenko"}).context["rows"] == []
