"""The guard the workflow calls: does consent in force cover this use of the person's data?"""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from tests.consent.conftest import give, organisation
from trm.consent.actions import withdraw_consent
from trm.consent.models import Purpose
from trm.consent.state import Coverage, covers

GIVEN = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)
WITHDRAWN = GIVEN + timedelta(days=10)
NOW = GIVEN + timedelta(days=20)
STATISTICS_EXPIRE = GIVEN + timedelta(days=30)


@pytest.fixture
def person(case_worker, case):
    """A person who gave five consents on one day and withdrew one ten days later."""
    with time_machine.travel(GIVEN, tick=False):
        give(case_worker, case, purpose=Purpose.ASSISTANCE, categories=["identity", "contact"])
        give(
            case_worker,
            case,
            purpose=Purpose.REFERRAL,
            categories=["identity", "health"],
            recipient_organisation=organisation("al-national-reception-centre"),
        )
        to_greece = give(
            case_worker,
            case,
            purpose=Purpose.REFERRAL,
            categories=["identity"],
            recipient_organisation=organisation("gr-a21"),
        )
        give(
            case_worker,
            case,
            purpose=Purpose.STATISTICS,
            categories=["identity"],
            expires_at=STATISTICS_EXPIRE,
        )
        give(
            case_worker,
            case,
            purpose=Purpose.LAW_ENFORCEMENT,
            categories=["exploitation"],
            recipient_country=organisation("es-policia-nacional-trata").country,
        )
    with time_machine.travel(WITHDRAWN, tick=False):
        withdraw_consent(case_worker, case, to_greece, "")
    return case.person


ALBANIAN_CENTRE = "al-national-reception-centre"
# (purpose, categories, organisation slug, when, missing categories)
TABLE = [
    (Purpose.ASSISTANCE, ["identity", "contact"], None, NOW, set()),
    (Purpose.ASSISTANCE, ["identity", "health"], None, NOW, {"health"}),
    (Purpose.REFERRAL, ["identity", "health"], ALBANIAN_CENTRE, NOW, set()),
    (Purpose.REFERRAL, ["identity", "location"], ALBANIAN_CENTRE, NOW, {"location"}),
    # Only the named organisation: not another one of the same country.
    (Purpose.REFERRAL, ["identity"], "iom-albania", NOW, {"identity"}),
    # A consent to assistance is no consent to a referral.
    (Purpose.REFERRAL, ["contact"], ALBANIAN_CENTRE, NOW, {"contact"}),
    # Risk to life is always shared and needs no consent.
    (Purpose.REFERRAL, ["risk_to_life"], "iom-albania", NOW, set()),
    (Purpose.REFERRAL, ["identity", "risk_to_life"], ALBANIAN_CENTRE, NOW, set()),
    # Withdrawn on day 10: covered before, not after.
    (Purpose.REFERRAL, ["identity"], "gr-a21", NOW, {"identity"}),
    (Purpose.REFERRAL, ["identity"], "gr-a21", WITHDRAWN - timedelta(seconds=1), set()),
    # Expiry ends a consent.
    (Purpose.STATISTICS, ["identity"], None, NOW, set()),
    (Purpose.STATISTICS, ["identity"], None, STATISTICS_EXPIRE, {"identity"}),
    # Nothing is covered before it was consented to.
    (Purpose.ASSISTANCE, ["identity"], None, GIVEN - timedelta(seconds=1), {"identity"}),
    # A consent naming a country covers its organisations only.
    (Purpose.LAW_ENFORCEMENT, ["exploitation"], "es-policia-nacional-trata", NOW, set()),
    (
        Purpose.LAW_ENFORCEMENT,
        ["exploitation"],
        "gr-hellenic-police-anti-trafficking",
        NOW,
        {"exploitation"},
    ),
    (Purpose.LAW_ENFORCEMENT, ["exploitation"], None, NOW, {"exploitation"}),
    (Purpose.LAW_ENFORCEMENT, ["traffickers"], "es-policia-nacional-trata", NOW, {"traffickers"}),
    (Purpose.STATISTICS, [], None, NOW, set()),
]


@pytest.mark.parametrize(("purpose", "categories", "slug", "at", "missing"), TABLE)
def test_covers(person, purpose, categories, slug, at, missing):
    recipient = organisation(slug) if slug else None
    coverage = covers(person, purpose=purpose, categories=categories, organisation=recipient, at=at)
    assert coverage.missing == missing
    assert coverage.ok is (not missing)


def test_covers_says_which_consents_it_relied_on_and_why_not(person):
    with time_machine.travel(NOW, tick=False):
        centre = organisation(ALBANIAN_CENTRE)
        coverage = covers(
            person, purpose=Purpose.REFERRAL, categories=["health"], organisation=centre
        )
        assert [consent.recipient_organisation for consent in coverage.consents] == [centre]
        assert coverage.reasons() == []
        refused = covers(
            person,
            purpose=Purpose.REFERRAL,
            categories=["location", "traffickers"],
            organisation=centre,
        )
    assert not refused
    assert refused.reasons() == [
        "The person has not consented to share: "
        "Current location or shelter address, Information about the traffickers"
    ]


def test_a_referral_consent_covers_only_the_named_organisation(case_worker, case):
    centre = organisation(ALBANIAN_CENTRE)
    give(
        case_worker,
        case,
        purpose=Purpose.REFERRAL,
        categories=["identity", "health"],
        recipient_organisation=centre,
    )
    assert covers(case.person, purpose=Purpose.REFERRAL, categories=["health"], organisation=centre)
    for slug in ["iom-albania", "al-vatra", "iom-greece"]:
        assert covers(
            case.person,
            purpose=Purpose.REFERRAL,
            categories=["health"],
            organisation=organisation(slug),
        ) == Coverage(missing=frozenset({"health"}))


def test_covers_refuses_questions_it_cannot_answer(person):
    with pytest.raises(ValueError, match="name it"):
        covers(person, purpose=Purpose.REFERRAL, categories=["identity"])
    with pytest.raises(ValueError, match="unknown data categories"):
        covers(person, purpose=Purpose.ASSISTANCE, categories=["horoscope"])
    with pytest.raises(ValueError, match="unknown consent purpose"):
        covers(person, purpose="marketing", categories=["identity"])
