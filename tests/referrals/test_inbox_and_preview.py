"""What the receiving side sees: its inbox, the preview before accepting, the thread after."""

import dataclasses
import datetime
import json

import pytest
from django.utils import timezone

from trm.audit.models import AuditEvent
from trm.deadlines.calendar import add_working_days
from trm.directory.models import Organisation
from trm.lib.errors import NotAllowed
from trm.referrals import actions
from trm.referrals.inbox import inbox_for, outbox_for, thread
from trm.referrals.payload import age_band, preview
from trm.rights.erasure import erase

from .journeys import Journey, committed

pytestmark = pytest.mark.django_db

IDENTIFYING = ["Anila", "Hoxha", "1996-02-03", "BA 1234567", "+34 600"]


@pytest.fixture
def journey(personas):
    return Journey(personas)


@pytest.fixture
def referral(journey):
    case = journey.to_referral(escort_needed=True)
    return journey.send(
        case,
        services=["shelter", "psychosocial"],
        planned_return=datetime.date(2027, 1, 15),
    )


def test_the_preview_holds_no_name_and_no_birth_date(referral):
    seen = preview(referral)
    assert dataclasses.asdict(seen) == {
        "child": False,
        "age_band": age_band(datetime.date(1996, 2, 3), timezone.localdate()),
        "sex": "female",
        "citizenship": "AL",
        "services": ["escort", "medical", "psychosocial", "shelter"],
        "planned_return_month": "2027-01",
        "risk_level": "medium",
        "risk_to_life": False,
        "escort_needed": True,
    }
    text = json.dumps(dataclasses.asdict(seen))
    for secret in IDENTIFYING:
        assert secret not in text


def test_a_childs_preview_says_child_and_asks_for_child_protection(journey):
    referral = journey.send(journey.to_referral(child=True))
    seen = preview(referral)
    assert seen.child is True
    assert seen.age_band == age_band(datetime.date(2009, 5, 14), timezone.localdate())
    assert {"child_protection", "escort"} <= set(seen.services)
    assert seen.escort_needed


@pytest.mark.parametrize(
    ("born", "band"),
    [("2020-01-01", "0-11"), ("2014-11-28", "0-11"), ("2014-11-27", "12-14"),
     ("2011-11-27", "15-17"), ("2008-11-27", "18-24"), ("1960-01-01", "60+")],
)  # fmt: skip
def test_age_bands_count_whole_years(born, band):
    assert age_band(datetime.date.fromisoformat(born), datetime.date(2026, 11, 27)) == band


def test_the_inbox_lists_referrals_to_the_users_organisations_with_the_time_left(journey, referral):
    inbox = list(inbox_for(journey.receiving_worker))
    assert inbox == [referral]
    left = inbox[0].time_left
    # Five working days in Albania: weekends and public holidays (late November has two) skipped.
    country = referral.receiver.country
    assert referral.response_due_at == add_working_days(
        country, referral.sent_at, country.referral_response_days
    )
    assert datetime.timedelta(days=5) <= left <= referral.response_due_at - referral.sent_at
    later = referral.response_due_at + datetime.timedelta(hours=2)
    assert inbox_for(journey.receiving_worker, at=later)[0].time_left == -datetime.timedelta(
        hours=2
    ), "negative once overdue"
    assert list(inbox_for(journey.worker)) == []
    assert list(outbox_for(journey.worker)) == [referral]
    stranger = journey.staff(Organisation.objects.get(slug="al-different-and-equal"), "case_worker")
    assert list(inbox_for(stranger)) == []
    journey.accept(referral)
    assert inbox_for(journey.receiving_worker)[0].time_left is None, "answered: no deadline"


def test_the_inbox_is_newest_first(journey, referral):
    other = journey.send(journey.to_referral(person={"given_name": "Mira", "citizenship": "AL"}))
    assert list(inbox_for(journey.receiving_worker)) == [other, referral]


def test_before_accepting_the_receiver_reads_the_preview_not_the_content(journey, referral):
    entries = thread(journey.receiving_worker, referral)
    assert [entry.message.kind for entry in entries] == ["send"]
    assert entries[0].content is None
    assert entries[0].preview == preview(referral)
    journey.accept(referral)
    entries = thread(journey.receiving_worker, referral)
    assert entries[0].content["person"]["given_name"] == "Anila"
    assert [entry.message.kind for entry in entries] == ["send", "accept"]
    reads = AuditEvent.objects.filter(action="trm.referral.read", actor=journey.receiving_worker)
    assert [event.details["content"] for event in reads.order_by("sequence")] == [False, True]


def test_after_a_cancellation_the_receiver_is_back_to_the_preview(journey, referral):
    journey.accept(referral)
    committed(actions.cancel_referral, journey.worker, referral, "She stays in Spain.")
    referral.refresh_from_db()
    entries = thread(journey.receiving_worker, referral)
    assert entries[0].content is None
    assert entries[-1].content == {"reason": "She stays in Spain."}


def test_the_sender_reads_the_whole_thread_and_strangers_nothing(journey, referral):
    assert thread(journey.worker, referral)[0].content["message"] == "Please receive her in Tirana."
    stranger = journey.staff(Organisation.objects.get(slug="al-different-and-equal"), "case_worker")
    with pytest.raises(NotAllowed):
        thread(stranger, referral)


def test_once_the_person_is_erased_no_referral_content_can_be_read(journey, referral):
    journey.accept(referral)
    case = referral.case
    erase(case.person, actor=journey.supervisor, case=case, reason="The person asked.")
    assert preview(referral) is None
    entries = thread(journey.worker, referral)
    assert [entry.content for entry in entries] == [None, None]
