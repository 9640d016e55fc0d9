"""The referral's response deadline follows the referral: opened, met, re-timed, cancelled."""

import datetime

import pytest
import time_machine

from trm.deadlines.models import Deadline, DeadlineKind
from trm.referrals import actions

from .journeys import Journey, committed

pytestmark = pytest.mark.django_db


@pytest.fixture
def journey(personas):
    return Journey(personas)


@pytest.fixture
def referral(journey):
    return journey.send(journey.to_referral())


def deadline_of(referral) -> Deadline:
    return Deadline.objects.get(referral_id=referral.pk, kind=DeadlineKind.REFERRAL_RESPONSE)


def test_sending_opens_the_deadline_for_the_receiver(journey, referral):
    deadline = deadline_of(referral)
    assert deadline.due_at == referral.response_due_at
    assert list(deadline.organisations.all()) == [journey.receiver]
    assert deadline.met_at is None


def test_accepting_meets_the_deadline(journey, referral):
    journey.accept(referral)
    assert deadline_of(referral).met_at is not None


def test_declining_meets_the_deadline(journey, referral):
    committed(actions.decline_referral, journey.receiving_worker, referral, "No place.")
    assert deadline_of(referral).met_at is not None


def test_cancelling_cancels_the_deadline(journey, referral):
    committed(actions.cancel_referral, journey.worker, referral, "She stays.")
    assert deadline_of(referral).cancelled_at is not None


def test_a_question_stops_the_clock_and_the_answer_starts_it_again(journey, referral):
    question = committed(
        actions.ask_for_information, journey.receiving_worker, referral, "Any allergies?"
    )
    assert deadline_of(referral).met_at is not None
    later = referral.sent_at + datetime.timedelta(days=3)
    with time_machine.travel(later, tick=False):
        committed(actions.answer, journey.worker, referral, question, "None known.")
    referral.refresh_from_db()
    assert referral.response_due_at > later + datetime.timedelta(days=5)
    renewed = Deadline.objects.open().get(referral_id=referral.pk)
    assert renewed.due_at == referral.response_due_at
