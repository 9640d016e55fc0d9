"""Practitioners find who does what: search and filter the directory, read an organisation."""

import pytest

from tests.lib.test_steps import aborted
from trm.accounts.models import Role
from trm.directory.forms import OrganisationForm
from trm.directory.models import Organisation

pytestmark = pytest.mark.django_db


@pytest.fixture
def browser(personas):
    return personas.signed_in(personas.spanish_case_worker())


def names(response):
    return [organisation.name for organisation in response.context["page"].object_list]


def test_the_directory_needs_a_signed_in_user(client, directory):
    response = client.get("/directory/")
    assert response.status_code == 302
    assert response.url.startswith("/accounts/login/")


def test_psychosocial_support_for_a_child_in_lviv_in_ukrainian(browser):
    response = browser.get(
        "/directory/",
        {"country": "UA", "service": "psychosocial", "area": "Lviv", "language": "uk",
         "children": "on"},
    )  # fmt: skip
    assert response.status_code == 200
    found = response.context["page"].object_list
    assert found, "the seed has a Ukrainian-speaking psychosocial service for children in Lviv"
    for organisation in found:
        assert organisation.country.code == "UA"
        assert organisation.serves_children
        assert "uk" in organisation.language_codes
        assert organisation.services.filter(kind="psychosocial").exists()
        assert "lviv" in organisation.area_served.lower() or organisation.area_served == ""


def test_each_country_shows_one_focal_point(browser):
    response = browser.get("/directory/", {"focal_point": "on"})
    countries = [organisation.country.code for organisation in response.context["page"].object_list]
    assert sorted(countries) == ["AL", "ES", "FR", "GR", "IT", "MA", "PL", "UA"]


def test_a_keyword_search_finds_names_in_any_case(browser):
    response = browser.get("/directory/", {"q": "iom"})
    assert response.context["page"].paginator.count >= 8
    assert all("iom" in o.search_text for o in response.context["page"].object_list)


def test_a_keyword_search_finds_descriptions_in_cyrillic(browser):
    organisation = Organisation.objects.filter(country__code="UA").first()
    organisation.description = {"en": "A test entry", "uk": "Психологічна підтримка"}
    organisation.save()
    response = browser.get("/directory/", {"q": "ПСИХОЛОГІЧНА"})
    assert organisation.name in names(response)


@pytest.mark.parametrize(
    ("filters", "message"),
    [
        ({"country": "ZZ"}, "There is no such country in the directory."),
        ({"service": "witchcraft"}, "Select a valid choice."),
        ({"language": "xx"}, "Select a valid choice."),
        ({"q": "x" * 101}, "Ensure this value has at most 100 characters"),
    ],
)
def test_a_malformed_filter_says_what_is_wrong_and_lists_nothing(browser, filters, message):
    response = browser.get("/directory/", filters)
    assert response.status_code == 200
    assert message in response.text
    assert names(response) == []


def test_an_organisation_page_shows_its_services_and_languages(browser):
    organisation = Organisation.objects.filter(services__isnull=False).first()
    response = browser.get(f"/directory/organisations/{organisation.pk}/")
    assert response.status_code == 200
    assert organisation.name in response.text
    for service in organisation.services.all():
        assert service.get_kind_display() in response.text


def test_an_unknown_organisation_is_a_translated_not_found_page(browser):
    response = browser.get("/directory/organisations/999999/")
    assert response.status_code == 404
    assert "Not found" in response.text
    browser.post("/accounts/language/", {"language": "uk", "next": "/"})
    response = browser.get("/directory/organisations/999999/")
    assert response.status_code == 404
    assert 'lang="uk"' in response.text
    assert "Not found" not in response.text


def test_a_country_page_explains_its_nrm(browser):
    response = browser.get("/directory/countries/ua/")
    assert response.status_code == 200
    assert "Identification abroad recognised" in response.text
    assert "Yes: no new interview is needed" in response.text
    assert browser.get("/directory/countries/XX/").status_code == 404


def test_the_directory_in_arabic_reads_right_to_left(browser):
    browser.post("/accounts/language/", {"language": "ar", "next": "/"})
    response = browser.get("/directory/", {"country": "MA"})
    assert '<html lang="ar" dir="rtl">' in response.text
    assert "المغرب" in response.text, "country names are translated data"


def test_an_organisation_administrator_edits_their_directory_entry(personas):
    admin = personas.albanian_administrator()
    organisation = admin.memberships.get().organisation
    browser = personas.signed_in(admin)
    form = {
        "name": organisation.name,
        "description_0": "Reintegration support across Albania.",
        "description_6": "Mbështetje për riintegrim në të gjithë Shqipërinë.",
        "area_served": "Tirana, Shkodër",
        "languages": ["sq", "en", "it"],
        "services": ["escort", "airport_reception", "family_tracing"],
        "serves_adults": "on",
        "serves_children": "on",
    }
    response = browser.post(f"/directory/organisations/{organisation.pk}/edit/", form)
    assert response.status_code == 302
    organisation.refresh_from_db()
    assert organisation.description["sq"].startswith("Mbështetje")
    assert organisation.language_codes == ["sq", "en", "it"]
    assert set(organisation.services.values_list("kind", flat=True)) == {
        "escort", "airport_reception", "family_tracing",
    }  # fmt: skip


def test_an_edit_the_database_aborted_once_is_saved_on_its_second_attempt(personas, monkeypatch):
    # Editing the entry is a step: should PostgreSQL abort it (a deadlock, a serialization
    # failure), it runs once more from its start, and the administrator never sees a 500.
    admin = personas.albanian_administrator()
    organisation = admin.memberships.get().organisation
    save, attempts = OrganisationForm.save, []

    def aborted_the_first_time(form, *args, **kwargs):
        attempts.append(1)
        saved = save(form, *args, **kwargs)
        if len(attempts) == 1:
            raise aborted("40P01")
        return saved

    monkeypatch.setattr(OrganisationForm, "save", aborted_the_first_time)
    response = personas.signed_in(admin).post(
        f"/directory/organisations/{organisation.pk}/edit/",
        {"name": organisation.name, "description_0": "Reintegration support.", "languages": ["sq"]},
    )
    assert response.status_code == 302
    assert len(attempts) == 2
    organisation.refresh_from_db()
    assert organisation.description["en"] == "Reintegration support."


def test_an_entry_without_english_text_is_refused_and_unchanged(personas):
    admin = personas.albanian_administrator()
    organisation = admin.memberships.get().organisation
    before = organisation.description
    browser = personas.signed_in(admin)
    response = browser.post(
        f"/directory/organisations/{organisation.pk}/edit/",
        {"name": "Renamed", "description_6": "Vetëm shqip", "languages": ["sq"]},
    )
    assert response.status_code == 200
    assert "Give at least the English text." in response.text
    organisation.refresh_from_db()
    assert organisation.name != "Renamed"
    assert organisation.description == before


def test_only_the_organisations_administrator_may_edit_it(personas):
    worker = personas.user("al.worker", "AL", Role.CASE_WORKER)
    organisation = worker.memberships.get().organisation
    browser = personas.signed_in(worker)
    assert browser.get(f"/directory/organisations/{organisation.pk}/edit/").status_code == 404
    response = browser.post(f"/directory/organisations/{organisation.pk}/edit/", {"name": "X"})
    assert response.status_code == 404
