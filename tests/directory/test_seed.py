"""The production seed of the directory: the eight TACT countries and who does what in each."""

import pytest
from django.conf import settings

from tests.conftest import NO_IDENTITY
from trm.accounts.models import User
from trm.demo import create_demo_cases, create_demo_data
from trm.directory.models import (
    Country,
    Node,
    Organisation,
    OrganisationKind,
    Service,
    ServiceKind,
)
from trm.directory.seed import COUNTRIES, ORGANISATIONS, seed_directory
from trm.federation.identity import init_node
from trm.lib.languages import SPOKEN_LANGUAGES

pytestmark = pytest.mark.django_db

NAME_LANGUAGES = {"en", "fr", "es", "it", "el", "pl", "sq", "uk", "ar"}


@pytest.fixture(autouse=True)
def _a_node_on_its_own(settings):
    # Without an identity (`trm node init`), whatever the developer's TRM_HOME holds.
    settings.TRM_HOME = NO_IDENTITY


def snapshot():
    """Everything the seed writes, in a comparable form."""
    return (
        list(Node.objects.order_by("pk").values()),
        list(Country.objects.order_by("pk").values()),
        list(Organisation.objects.order_by("pk").values()),
        list(Service.objects.order_by("pk").values()),
    )


def test_seeding_twice_gives_the_same_rows():
    seed_directory()
    first = snapshot()
    seed_directory()
    assert snapshot() == first


def test_the_eight_tact_countries_are_seeded_with_their_role():
    seed_directory()
    roles = dict(Country.objects.values_list("code", "trm_role"))
    assert roles == {
        "FR": "destination", "GR": "destination", "IT": "destination", "PL": "destination",
        "ES": "destination", "AL": "origin", "MA": "origin", "UA": "origin",
    }  # fmt: skip
    assert Organisation.objects.count() == len(ORGANISATIONS)


def test_every_country_has_its_name_in_nine_languages_and_an_english_identifying_authority():
    seed_directory()
    for country in Country.objects.all():
        assert set(country.name) == NAME_LANGUAGES, country.code
        assert all(text.strip() for text in country.name.values()), country.code
        assert country.identifying_authority.get("en"), country.code
        assert country.nrm_summary.get("en"), country.code
        assert country.reflection_period_days >= 30
        assert country.monitoring_schedule_months == [1, 3, 6, 12]
        country.full_clean()


def test_ukraine_recognises_an_identification_made_abroad():
    seed_directory()
    assert Country.objects.get(code="UA").identification_abroad_recognised


def test_each_country_has_exactly_one_focal_point():
    seed_directory()
    for country in Country.objects.all():
        focal_points = country.organisations.filter(is_focal_point=True)
        assert focal_points.count() == 1, country.code


def test_each_country_has_an_iom_mission_and_a_child_protection_authority():
    seed_directory()
    for country in Country.objects.all():
        organisations = country.organisations.all()
        assert organisations.filter(slug__startswith="iom-", kind="international").exists()
        assert organisations.filter(kind=OrganisationKind.CHILD_PROTECTION).exists()


def test_every_organisation_offers_valid_services_and_speaks_known_languages():
    seed_directory()
    for organisation in Organisation.objects.all():
        assert organisation.kind in OrganisationKind.values
        assert organisation.language_codes, organisation.slug
        assert set(organisation.language_codes) <= set(SPOKEN_LANGUAGES), organisation.slug
        kinds = set(organisation.services.values_list("kind", flat=True))
        assert kinds <= set(ServiceKind.values), organisation.slug
        assert organisation.description.get("en"), organisation.slug
        assert organisation.hosted_on is None
        organisation.full_clean()


def test_a_practitioner_finds_psychosocial_support_for_a_child_in_lviv_in_ukrainian():
    seed_directory()
    found = Organisation.objects.filter(
        country__code="UA",
        area_served__icontains="Lviv",
        serves_children=True,
        services__kind="psychosocial",
    ).speaking("uk")
    assert found.exists()


def test_the_search_text_follows_a_changed_seed():
    seed_directory()
    organisation = Organisation.objects.get(slug="ua-lviv-regional-social-services")
    organisation.area_served = "Somewhere else"
    organisation.save()
    seed_directory()
    organisation.refresh_from_db()
    assert organisation.area_served == "Lviv oblast"
    assert organisation.area_served_folded == "lviv oblast"
    assert "lviv oblast" in organisation.search_text


def test_services_are_synchronised_with_the_seed():
    seed_directory()
    organisation = Organisation.objects.get(slug="iom-albania")
    organisation.services.filter(kind="escort").delete()
    Service.objects.create(organisation=organisation, kind="shelter")
    seed_directory()
    seeded = next(data for data in ORGANISATIONS if data["slug"] == "iom-albania")
    assert set(organisation.services.values_list("kind", flat=True)) == set(seeded["services"])


def test_this_node_is_created_once_and_named_from_the_settings():
    seed_directory()
    seed_directory()
    node = Node.objects.get(is_this_node=True)
    assert node.name == settings.NODE_NAME
    assert Node.objects.count() == 1


def test_an_existing_local_node_is_kept():
    Node.objects.update(name="athens")
    seed_directory()
    assert list(Node.objects.values_list("name", "is_this_node")) == [("athens", True)]


def test_the_seed_data_names_every_country_it_uses():
    codes = {data["code"] for data in COUNTRIES}
    assert {data["country"] for data in ORGANISATIONS} == codes
    slugs = [data["slug"] for data in ORGANISATIONS]
    assert len(slugs) == len(set(slugs))


def test_a_node_with_an_identity_hosts_its_own_countries_and_learns_the_others_from_peers(
    settings, tmp_path
):
    settings.TRM_HOME = tmp_path
    settings.NODE_KEY_FILE = tmp_path / "keys" / "node_ed25519.pem"
    settings.NODE_ENCRYPTION_KEY_FILE = tmp_path / "keys" / "node_x25519.pem"
    init_node(name="gr", countries=["GR", "IT"], address="https://trm.example.gr")
    Organisation.objects.all().delete()  # a node seeded for the first time
    seed_directory()
    hosted = set(Organisation.objects.values_list("country__code", flat=True))
    assert hosted == {"GR", "IT"}
    assert Organisation.objects.count() == sum(
        1 for data in ORGANISATIONS if data["country"] in {"GR", "IT"}
    )
    assert all(organisation.is_hosted_here for organisation in Organisation.objects.all())
    # Every country's NRM is still configured: a peer's organisations are shown with it.
    assert Country.objects.count() == len(COUNTRIES)
    # The demo's staff and cases are those of the node's own countries only.
    create_demo_data()
    create_demo_cases()
    assert {name.split(".")[0] for name in User.objects.values_list("username", flat=True)} == {
        "gr",
        "it",
    }
