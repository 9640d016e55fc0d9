"""A person withdraws their consent to a referral: whichever side hears it, the sharing ends on
both sides and the case can go on; nobody waits for a side that can no longer act."""

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.api.conftest import token_api
from trm.access.models import Grant
from trm.access.policy import access_to
from trm.cases.actions import journey as journey_actions
from trm.cases.actions.journey import available_moves
from trm.cases.models import Approval
from trm.cases.stages import Stage
from trm.cases.workflow import CaseFacts, a_childs_reception_is_confirmed
from trm.consent.actions import withdraw_consent
from trm.consent.models import ConsentRecord, Purpose
from trm.consent.state import current_consents
from trm.deadlines.models import Deadline
from trm.lib.errors import DomainError, Forbidden, NotAllowed
from trm.referrals.models import MessageKind, ReferralMessage, ReferralState
from trm.referrals.withdrawal import report_withdrawal

from .journeys import Journey, committed, fresh

pytestmark = pytest.mark.django_db


@pytest.fixture
def journey(personas):
    return Journey(personas)


@pytest.fixture
def accepted(journey):
    case = journey.to_referral()
    referral = journey.send(case)
    journey.accept(referral)
    referral.refresh_from_db()
    assert fresh(case).stage == Stage.RETURN_PREPARATION
    return case, referral


def _referral_consents(case, receiver):
    return current_consents(case.person).filter(
        purpose=Purpose.REFERRAL, recipient_organisation=receiver
    )


def _then_the_sharing_ended(journey, case, referral, *, told, by):
    referral.refresh_from_db()
    assert referral.state == ReferralState.CANCELLED
    assert not Grant.objects.active().filter(case=case, organisation=journey.receiver).exists()
    assert not access_to(journey.receiving_worker, case), "the receiver's access ended"
    assert not _referral_consents(case, journey.receiver).exists()
    message = ReferralMessage.objects.get(referral=referral, kind=MessageKind.CONSENT_WITHDRAWN)
    assert message.to_organisation == told
    withdrawal = ConsentRecord.objects.get(case=case, given=False, purpose=Purpose.REFERRAL)
    assert withdrawal.recorded_by == by
    assert not Deadline.objects.filter(
        referral_id=referral.pk, met_at__isnull=True, cancelled_at__isnull=True
    ).exists()
    moves = {t.event: reasons for t, reasons in available_moves(journey.worker, fresh(case))}
    assert moves["refer_again"] == [], "the sender can refer the person elsewhere"


def test_the_receiving_side_passes_on_a_withdrawal_and_the_sharing_ends_on_both_sides(
    journey, accepted
):
    case, referral = accepted
    committed(report_withdrawal, journey.receiving_worker, referral, "She wants to stay.")
    _then_the_sharing_ended(
        journey, case, referral, told=journey.sender, by=journey.receiving_worker
    )


def test_the_sender_records_a_withdrawal_and_the_receiver_is_told(journey, accepted):
    case, referral = accepted
    [consent] = _referral_consents(case, journey.receiver)
    committed(withdraw_consent, journey.worker, case, consent, "")
    _then_the_sharing_ended(journey, case, referral, told=journey.receiver, by=journey.worker)


def test_the_receiving_side_never_withdraws_on_the_senders_consent_page(journey, accepted):
    case, _referral = accepted
    [consent] = _referral_consents(case, journey.receiver)
    with pytest.raises(Forbidden, match="tell the sender on the referral"):
        withdraw_consent(journey.receiving_worker, case, consent, "")
    assert _referral_consents(case, journey.receiver).exists()


def test_only_the_receiving_organisation_passes_a_withdrawal_on_and_only_once(journey, accepted):
    case, referral = accepted
    with pytest.raises(Forbidden):
        report_withdrawal(journey.worker, referral, "")
    committed(report_withdrawal, journey.receiving_worker, referral, "")
    with pytest.raises(NotAllowed):  # its access to the case has ended already
        report_withdrawal(journey.receiving_worker, referral, "")
    assert ConsentRecord.objects.filter(case=case, given=False).count() == 1


def test_the_referral_page_offers_the_receiver_to_pass_a_withdrawal_on(journey, accepted, personas):
    case, referral = accepted
    browser = personas.signed_in(journey.receiving_worker)
    page = reverse("referrals:referral", args=[referral.pk])
    assert "The person withdrew consent" in browser.get(page).content.decode()
    response = browser.post(page, {"action": "consent_withdrawn", "note": "She said so today."})
    assert response.status_code == 302
    referral.refresh_from_db()
    assert referral.state == ReferralState.CANCELLED
    sender = personas.signed_in(journey.worker)
    thread = sender.get(page).content.decode()
    assert "Consent withdrawn" in thread


def test_a_receiving_system_passes_a_withdrawal_on_through_the_api(journey, accepted):
    case, referral = accepted
    albania = token_api(journey.receiver)
    answer = albania.post(f"/api/referrals/{referral.pk}/consent-withdrawn", {"note": "No."})
    assert answer.status_code == 200, answer.json()
    assert answer.json()["state"] == ReferralState.CANCELLED
    assert albania.get(f"/api/cases/{case.pk}").status_code == 404, "its access ended"
    spain = token_api(journey.sender)
    kinds = [m["kind"] for m in spain.get(f"/api/referrals/{referral.pk}/thread").json()]
    assert MessageKind.CONSENT_WITHDRAWN in kinds


def test_a_child_on_the_way_home_is_still_received_when_consent_is_withdrawn(journey):
    """The child departed; then the person withdrew their consent to the referral, so the
    receiving organisation can no longer confirm the reception. The case is not stuck, and
    it does not close on an unverified reception either: the sending side records the
    confirmation it obtained from the authorities, then the closure may go ahead."""
    case = journey.to_referral(child=True)
    referral = journey.send(case)
    journey.accept(referral)
    journey.depart(case)
    committed(report_withdrawal, journey.receiving_worker, referral, "She no longer agrees")
    assert not access_to(journey.receiving_worker, case)
    closure = committed(
        journey_actions.request_approval, journey.worker, fresh(case), "closure",
        closure_reason="consent_withdrawn",
    )  # fmt: skip
    with pytest.raises(DomainError) as refused:
        committed(journey_actions.decide_approval, journey.supervisor, closure, approve=True)
    assert refused.value.reasons == [
        "A child's case cannot be closed while the reception is unconfirmed."
    ]
    journey.add(journey.worker, case, "reception_reported", {
        "received_at": timezone.now().isoformat(),
        "confirmed_by": "State Agency for Child Rights, duty officer",
        "caregiver": "Her aunt",
    })  # fmt: skip
    closure = fresh_approval(closure)
    committed(journey_actions.decide_approval, journey.supervisor, closure, approve=True)
    assert fresh(case).stage == Stage.CLOSED


def test_the_authorities_confirmation_does_not_stand_in_for_an_accepted_referral(journey):
    case = journey.to_referral(child=True)
    referral = journey.send(case)
    journey.accept(referral)
    journey.depart(case)
    journey.add(journey.worker, case, "reception_reported", {
        "received_at": timezone.now().isoformat(), "confirmed_by": "Someone", "caregiver": "Aunt",
    })  # fmt: skip
    facts = CaseFacts(fresh(case))
    assert a_childs_reception_is_confirmed(facts) == [
        "A child's case cannot be closed while the reception is unconfirmed."
    ], "while a referral is accepted, the receiving organisation confirms the reception"


def fresh_approval(approval):
    return Approval.objects.get(pk=approval.pk)
