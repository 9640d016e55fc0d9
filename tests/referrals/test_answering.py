"""The receiving side's answer: accept, decline or ask; the sender's answer and cancellation."""

import json

import pytest

from trm.access.models import Grant
from trm.access.reads import read_case
from trm.accounts.models import Role
from trm.audit.models import AuditEvent
from trm.cases.stages import Stage
from trm.cases.workflow import CaseFacts
from trm.directory.models import Organisation
from trm.lib.errors import Conflict, DomainError, NotAllowed
from trm.referrals import actions
from trm.referrals.models import MessageKind, ReferralState
from trm.referrals.state import accepted_referral, open_referral

from .journeys import USUAL_CONSENT, Journey, committed, fresh

pytestmark = pytest.mark.django_db


@pytest.fixture
def journey(personas):
    return Journey(personas)


@pytest.fixture
def referral(journey):
    return journey.send(journey.to_referral())


def test_accepting_grants_exactly_the_shared_categories_and_moves_the_case_on(journey, referral):
    accepted = journey.accept(referral)
    assert accepted.state == ReferralState.ACCEPTED
    assert accepted.decided_at is not None
    grant = Grant.objects.get(case=referral.case, organisation=journey.receiver)
    assert accepted.grant == grant
    assert grant.source == Grant.Source.REFERRAL
    assert grant.categories == sorted({*USUAL_CONSENT, "risk_to_life"})
    case, access = read_case(journey.receiving_worker, referral.case_id)
    assert access.categories == frozenset(grant.categories)
    assert "exploitation" not in access.categories
    assert "location" not in access.categories
    assert case.stage == Stage.RETURN_PREPARATION
    arrangements = CaseFacts(case).latest("reception_arrangements")
    assert arrangements.side == "receiving"
    assert arrangements.organisation == journey.receiver
    assert arrangements.facts["confirmed"] is True
    assert "meeting_at" in arrangements.facts, "when the person will be met"
    assert arrangements.details == {
        "met_by": "Elira, social worker",
        "place": "Tirana airport, arrivals hall",
    }
    acceptance = accepted.messages.get(kind=MessageKind.ACCEPT)
    assert acceptance.from_organisation == journey.receiver
    assert acceptance.to_organisation == journey.sender
    assert acceptance.payload["capacity_confirmed"] is True
    assert acceptance.payload["meeting_at"]
    assert accepted_referral(case) == accepted
    assert open_referral(case) == accepted
    event = AuditEvent.objects.get(action="trm.referral.accepted")
    assert event.actor == journey.receiving_worker
    assert event.organisation == journey.receiver
    assert "Elira" not in json.dumps(event.details)


def test_the_receiver_may_not_read_the_case_before_accepting(journey, referral):
    with pytest.raises(NotAllowed):
        read_case(journey.receiving_worker, referral.case_id)
    journey.accept(referral)
    case, _access = read_case(journey.receiving_worker, referral.case_id)
    assert case.pk == referral.case_id


def test_only_the_receiving_organisations_case_staff_answer(journey, referral, personas):
    stranger = journey.staff(Organisation.objects.get(slug="al-different-and-equal"), "case_worker")
    officer = journey.staff(journey.receiver, Role.DATA_PROTECTION_OFFICER)
    for user in [stranger, officer, journey.worker]:
        with pytest.raises(NotAllowed):
            actions.accept_referral(
                user, referral, met_by="Someone", place="Somewhere", meeting_at=referral.sent_at
            )
        with pytest.raises(NotAllowed):
            actions.decline_referral(user, referral, "No capacity.")
    focal_point = journey.staff(journey.receiver, Role.FOCAL_POINT)
    assert journey.accept(referral, focal_point).state == ReferralState.ACCEPTED


def test_acceptance_names_who_meets_the_person_where_and_when(journey, referral):
    with pytest.raises(DomainError) as refusal:
        actions.accept_referral(
            journey.receiving_worker, referral, met_by=" ", place="", meeting_at=None
        )
    assert refusal.value.reasons == [
        "Name who will meet the person.",
        "Say where the person will be met.",
        "Say when the person will be met.",
    ]
    assert not Grant.objects.exists()
    assert fresh(referral.case).stage == Stage.REFERRAL


def test_a_referral_is_answered_once(journey, referral):
    journey.accept(referral)
    with pytest.raises(Conflict):
        journey.accept(referral)
    with pytest.raises(Conflict):
        actions.decline_referral(journey.receiving_worker, referral, "Changed our mind.")
    assert Grant.objects.count() == 1


def test_declining_leaves_no_access_and_the_sender_refers_elsewhere(journey, referral):
    with pytest.raises(DomainError):
        actions.decline_referral(journey.receiving_worker, referral, "  ")
    declined = committed(
        actions.decline_referral, journey.receiving_worker, referral, "No shelter place."
    )
    assert declined.state == ReferralState.DECLINED
    assert declined.grant is None
    assert not Grant.objects.filter(case=referral.case).exists()
    with pytest.raises(NotAllowed):
        read_case(journey.receiving_worker, referral.case_id)
    message = declined.messages.get(kind=MessageKind.DECLINE)
    assert message.payload == {"reason": "No shelter place."}
    assert message.to_organisation == journey.sender
    assert open_referral(referral.case) is None
    elsewhere = Organisation.objects.get(slug="al-different-and-equal")
    journey.consent(referral.case, USUAL_CONSENT, to=elsewhere)
    again = journey.send(fresh(referral.case), receiver=elsewhere)
    assert again.state == ReferralState.RECEIVED
    assert open_referral(referral.case) == again


def test_cancelling_an_accepted_referral_revokes_the_receivers_access(journey, referral):
    journey.accept(referral)
    with pytest.raises(NotAllowed):
        actions.cancel_referral(journey.receiving_worker, referral, "Not yours to cancel.")
    cancelled = committed(
        actions.cancel_referral, journey.worker, referral, "The person changed her mind."
    )
    assert cancelled.state == ReferralState.CANCELLED
    assert Grant.objects.get(pk=cancelled.grant_id).revoked_at is not None
    with pytest.raises(NotAllowed):
        read_case(journey.receiving_worker, referral.case_id)
    assert cancelled.messages.latest("sent_at").kind == MessageKind.CANCEL
    assert accepted_referral(referral.case) is None
    with pytest.raises(Conflict):
        actions.cancel_referral(journey.worker, referral, "Twice.")


def test_the_receiver_asks_for_information_and_the_sender_answers(journey, referral):
    question = committed(
        actions.ask_for_information,
        journey.receiving_worker,
        referral,
        "Does she need a wheelchair?",
    )
    assert question.from_organisation == journey.receiver
    assert question.to_organisation == journey.sender
    with pytest.raises(NotAllowed):
        actions.answer(journey.receiving_worker, referral, question, "Answering myself.")
    reply = committed(actions.answer, journey.worker, referral, question, "No, she walks.")
    assert reply.in_reply_to == question
    assert reply.payload == {"text": "No, she walks."}
    assert reply.from_organisation == journey.sender
    with pytest.raises(DomainError):
        actions.answer(journey.receiving_worker, referral, reply, "An answer to an answer.")
    kinds = list(referral.messages.values_list("kind", flat=True))
    assert kinds == ["send", "ask_information", "answer"]
    assert fresh(referral.case).stage == Stage.REFERRAL, "asking is not answering"
    actions_audited = set(AuditEvent.objects.values_list("action", flat=True))
    assert {"trm.referral.information_requested", "trm.referral.answered"} <= actions_audited
