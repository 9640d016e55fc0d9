"""Withdrawing the consent to a referral ends the receiving organisation's access."""

import pytest

from tests.referrals.journeys import Journey, committed
from trm.access.policy import Action, can
from trm.consent.actions import withdraw_consent
from trm.consent.models import ConsentRecord

pytestmark = pytest.mark.django_db


def test_the_receiver_loses_access_when_the_referral_consent_is_withdrawn(personas):
    team = Journey(personas, sending="ES", receiving="MA")
    case = team.to_referral()
    team.accept(team.send(case))
    assert can(team.receiving_worker, Action.VIEW, case)
    consent = ConsentRecord.objects.get(
        person=case.person, purpose="referral", recipient_organisation=team.receiver, given=True
    )
    committed(withdraw_consent, team.worker, case, consent, "She no longer wants it shared.")
    assert not can(team.receiving_worker, Action.VIEW, case)
    assert can(team.worker, Action.VIEW, case), "the owning organisation keeps the case"
