"""Referral pages: the sender sees what consent covers and what will go; the receiver answers."""

import datetime

import pytest
from django.utils import timezone

from trm.cases.models import Case
from trm.referrals.models import Referral

from .journeys import Journey

pytestmark = pytest.mark.django_db


@pytest.fixture
def team(personas):
    return Journey(personas, sending="ES", receiving="MA")


def test_the_sender_previews_then_sends_only_what_is_consented(personas, team):
    case = team.to_referral()
    browser = personas.signed_in(team.worker)
    path = f"/referrals/send/{case.pk}/"
    chosen = browser.get(path, {"receiver": team.receiver.pk})
    assert "What the person agreed to share" in chosen.text
    assert "Identity: names, birth date, sex, citizenship" in chosen.text
    refused = browser.post(path, {"receiver": team.receiver.pk, "categories": ["traffickers"]})
    assert "The person has not consented to share" in refused.text
    assert not Referral.objects.exists()
    previewed = browser.post(path, {"receiver": team.receiver.pk, "categories": ["identity"]})
    assert "What will be sent" in previewed.text
    assert not Referral.objects.exists(), "a preview sends nothing"
    sent = browser.post(
        path, {"receiver": team.receiver.pk, "categories": ["identity"], "confirm": "1"}
    )
    assert sent.status_code == 302
    assert Referral.objects.get().categories == ["identity", "risk_to_life"]


def test_the_receiver_sees_the_preview_then_accepts(personas, team):
    case = team.to_referral()
    referral = team.send(case)
    browser = personas.signed_in(team.receiving_worker)
    inbox = browser.get("/referrals/")
    assert str(referral.pk) in inbox.text
    page = browser.get(f"/referrals/{referral.pk}/")
    assert "Only this preview is shown" in page.text
    assert "Anila" not in page.text
    accepted = browser.post(f"/referrals/{referral.pk}/", {
        "action": "accept", "met_by": "A social worker", "place": "Casablanca airport",
        "meeting_at": (timezone.localtime() + datetime.timedelta(days=18)).strftime(
            "%Y-%m-%dT%H:%M"), "capacity_confirmed": "on"})  # fmt: skip
    assert accepted.status_code == 302
    assert Case.objects.get(pk=case.pk).stage == "return_preparation"
    assert "Anila" in browser.get(f"/referrals/{referral.pk}/").text


def test_an_outsider_gets_404_on_a_referral(personas, team):
    referral = team.send(team.to_referral())
    outsider = personas.signed_in(personas.albanian_focal_point())
    assert outsider.get(f"/referrals/{referral.pk}/").status_code == 404
    declined = outsider.post(f"/referrals/{referral.pk}/", {"action": "decline", "text": "no"})
    assert declined.status_code == 404
    assert outsider.get(f"/referrals/send/{referral.case_id}/").status_code == 404
