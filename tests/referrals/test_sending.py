"""Sending a referral: the guards, and what the message carries across the border."""

import datetime
import json

import pytest
import time_machine
from django.utils import timezone

from trm.access.categories import DataCategory
from trm.accounts.models import Role
from trm.audit.models import AuditEvent
from trm.cases.models import Case, StageRecord
from trm.cases.stages import Stage
from trm.deadlines.calendar import add_working_days
from trm.directory.models import Holiday, Organisation
from trm.lib.errors import DomainError, GuardRefused, NotAllowed
from trm.referrals.actions import send_referral
from trm.referrals.models import MessageKind, Referral, ReferralMessage, ReferralState
from trm.referrals.payload import narratives

from .journeys import USUAL_CONSENT, Journey, committed

pytestmark = pytest.mark.django_db


@pytest.fixture
def journey(personas):
    return Journey(personas)


def refused(action, *args, **kwargs) -> list[str]:
    with pytest.raises(GuardRefused) as refusal:
        action(*args, **kwargs)
    return refusal.value.reasons


def test_a_referral_is_delivered_at_once_with_its_deadline_in_working_days(journey):
    case = journey.to_referral()
    referral = journey.send(case)
    assert referral.state == ReferralState.RECEIVED
    assert referral.sender == journey.sender
    assert referral.receiver == journey.receiver
    assert referral.categories == sorted({*USUAL_CONSENT, DataCategory.RISK_TO_LIFE})
    sent = referral.messages.get()
    assert sent.kind == MessageKind.SEND
    assert sent.from_organisation == journey.sender
    assert sent.to_organisation == journey.receiver
    assert sent.received_at == sent.sent_at, "on one node a message arrives as it is sent"
    assert referral.response_due_at == add_working_days(
        journey.receiver.country, referral.sent_at, journey.receiver.country.referral_response_days
    )
    actions = list(
        AuditEvent.objects.filter(action__startswith="trm.referral.").values_list(
            "action", flat=True
        )
    )
    assert actions == ["trm.referral.sent", "trm.referral.received"]


def test_the_answer_is_due_in_working_days_of_the_receiving_country(journey):
    case = journey.to_referral()
    today = timezone.now().date()
    friday = datetime.datetime.combine(
        today + datetime.timedelta(days=(4 - today.weekday()) % 7 + 7),
        datetime.time(9, 0),
        tzinfo=datetime.UTC,
    )
    # The Monday after is the only public holiday: five working days from Friday end a week
    # later.
    Holiday.objects.filter(country=journey.receiver.country).delete()
    monday = friday.date() + datetime.timedelta(days=3)
    Holiday.objects.create(country=journey.receiver.country, date=monday)
    with time_machine.travel(friday, tick=False):
        referral = journey.send(case)
    assert referral.response_due_at == friday + datetime.timedelta(days=10)


def test_sending_needs_consent_for_the_receiver_and_every_category_sent(journey, personas):
    case = journey.to_referral(consented=("identity", "assistance"))
    reasons = refused(
        send_referral, journey.worker, case, journey.receiver, ["identity", "health", "traffickers"]
    )
    assert reasons == [
        "The person has not consented to share: Health and medical needs, "
        "Information about the traffickers"
    ]
    elsewhere = Organisation.objects.get(slug="al-different-and-equal")
    reasons = refused(send_referral, journey.worker, case, elsewhere, ["identity"])
    assert reasons == [
        f"The person has not consented to a referral to {elsewhere.name}.",
        "The person has not consented to share: Identity: names, birth date, sex, citizenship",
    ]
    assert not Referral.objects.exists(), "a refusal changes nothing"
    assert not AuditEvent.objects.filter(action__startswith="trm.referral.").exists()


def test_risk_to_life_alone_still_needs_the_persons_consent_to_the_referral(journey):
    case = journey.to_referral()
    elsewhere = Organisation.objects.get(slug="al-different-and-equal")
    reasons = refused(send_referral, journey.worker, case, elsewhere, [])
    assert reasons == [f"The person has not consented to a referral to {elsewhere.name}."]


def test_a_childs_referral_needs_an_approved_best_interests_determination(journey):
    case = journey.to_referral()
    # The age turns out uncertain after the go decision: the person is now treated as a child.
    Case.objects.filter(pk=case.pk).update(age_uncertain=True)
    case.refresh_from_db()
    reasons = refused(send_referral, journey.worker, case, journey.receiver, USUAL_CONSENT)
    assert reasons == [
        "A child's return needs a best-interests determination approved by a supervisor."
    ]


def test_a_child_with_an_approved_determination_is_referred(journey):
    case = journey.to_referral(child=True)
    referral = journey.send(case)
    assert referral.state == ReferralState.RECEIVED


def test_an_asylum_seeker_is_never_referred_to_an_authority_of_the_country_of_origin(
    journey, personas
):
    case = journey.to_referral()
    authority = personas.organisation("AL", focal_point=True)
    assert authority.kind == "coordinator"
    journey.consent(case, USUAL_CONSENT, to=authority)
    # The workflow keeps asylum seekers out of the return stages; the referral guards anyway.
    StageRecord.objects.filter(case=case, kind="counselling").update(
        facts={"choice": "return", "language": "sq", "asylum_seeker": True}
    )
    reasons = refused(send_referral, journey.worker, case, authority, USUAL_CONSENT)
    assert reasons == [
        "The person seeks asylum: no authority of the country of origin may be contacted, and "
        f"{authority.name} is a public authority. Refer only to an NGO, an international "
        "organisation or a health or other service provider."
    ]
    assert journey.send(case).receiver.kind == "international", "IOM may still be asked"


def test_the_receiver_is_active_and_in_another_country(journey):
    case = journey.to_referral()
    spanish = Organisation.objects.get(slug="es-accem")
    journey.consent(case, USUAL_CONSENT, to=spanish)
    reasons = refused(send_referral, journey.worker, case, spanish, USUAL_CONSENT)
    assert reasons == ["A transnational referral goes to an organisation in another country."]
    Organisation.objects.filter(pk=journey.receiver.pk).update(is_active=False)
    journey.receiver.refresh_from_db()
    reasons = refused(send_referral, journey.worker, case, journey.receiver, USUAL_CONSENT)
    assert reasons == [f"{journey.receiver.name} is no longer active in the directory."]


def test_a_case_has_only_one_open_referral_at_a_time(journey):
    case = journey.to_referral()
    journey.send(case)
    elsewhere = Organisation.objects.get(slug="al-different-and-equal")
    journey.consent(case, USUAL_CONSENT, to=elsewhere)
    reasons = refused(send_referral, journey.worker, case, elsewhere, USUAL_CONSENT)
    assert reasons == [
        f"This case already has an open referral, to {journey.receiver.name}: wait for its "
        "answer or cancel it first."
    ]
    assert Referral.objects.filter(case=case).count() == 1


def test_a_referral_is_sent_only_at_the_referral_stage_by_the_owning_organisation(
    journey, personas
):
    case = journey.open()
    reasons = refused(send_referral, journey.worker, case, journey.receiver, USUAL_CONSENT)
    assert reasons == [
        "A referral is sent at the stage Transnational referral; this case is at Identification."
    ]
    case = journey.to_referral()
    with pytest.raises(NotAllowed):
        send_referral(journey.receiving_worker, case, journey.receiver, USUAL_CONSENT)
    officer = journey.staff(journey.sender, Role.DATA_PROTECTION_OFFICER)
    with pytest.raises(NotAllowed):
        send_referral(officer, case, journey.receiver, USUAL_CONSENT)
    assert case.stage == Stage.REFERRAL
    assert not Referral.objects.exists()


def content_of(referral) -> dict:
    sent = referral.messages.get(kind=MessageKind.SEND)
    return sent.payload


def test_the_payload_holds_only_the_consented_categories_and_always_risk_to_life(journey):
    case = journey.to_referral(consented=("identity", "assistance"), risk_to_life=True)
    referral = journey.send(case, ("identity", "assistance"))
    content = content_of(referral)
    assert content["categories"] == ["assistance", "identity", "risk_to_life"]
    assert content["person"] == {
        "given_name": "Anila",
        "family_name": "Hoxha",
        "given_name_latin": "Anila",
        "family_name_latin": "Hoxha",
        "birth_date": "1996-02-03",
        "sex": "female",
        "citizenship": "AL",
    }, "no document number, no contact details"
    assert content["risk"]["risk_to_life"] is True
    assert content["risk"]["risk_level"] == "medium"
    shared = {item["kind"]: item["fields"] for item in content["records"]}
    assert "screening" not in shared, "the testimony never crosses without consent"
    assert shared["immediate_assessment"] == {
        "risk_to_life": True,
        "danger_of_violence": True,
        "risk_of_re_trafficking": "high",
    }, "the risk fields only: health was not consented"
    assert shared["risk_assessment"] == {
        "risk_level": "medium",
        "risk_to_life": True,
        "escort_needed": False,
    }, "nothing about the traffickers or the family, and no narrative the sender did not include"
    assert "support_plan" in shared
    assert "counselling" in shared
    text = json.dumps(content, ensure_ascii=False)
    for secret in ["cousin", "Almería", "owes the recruiter", "BA 1234567", "+34 600"]:
        assert secret not in text


def test_with_consent_the_testimony_and_the_traffickers_are_shared_as_the_sender_includes_them(
    journey,
):
    everything = (*USUAL_CONSENT, "exploitation", "traffickers", "family")
    case = journey.to_referral(consented=everything)
    offered = narratives(case, everything)
    content = content_of(journey.send(case, everything, texts=[item.key for item in offered]))
    shared = {item["kind"]: item["fields"] for item in content["records"]}
    assert shared["screening"]["notes"].startswith("Her testimony")
    assert "cousin" in shared["risk_assessment"]["risk_from_traffickers"]
    assert shared["risk_assessment"]["risk_from_family"] == "Her father owes the recruiter money."


def test_narrative_crosses_only_when_the_sender_includes_it(journey):
    everything = (*USUAL_CONSENT, "exploitation", "traffickers", "family")
    case = journey.to_referral(consented=everything)
    offered = {item.field.name: item.key for item in narratives(case, everything)}
    assert {"notes", "risk_from_traffickers", "risk_from_family"} <= set(offered)
    content = content_of(journey.send(case, everything, texts=[offered["risk_from_family"]]))
    shared = {item["kind"]: item["fields"] for item in content["records"]}
    assert "notes" not in shared["screening"], "the testimony was not included"
    assert "risk_from_traffickers" not in shared["risk_assessment"]
    assert shared["risk_assessment"]["risk_from_family"] == "Her father owes the recruiter money."
    assert shared["screening"]["exploitation"], "the coded facts of the category still cross"


def test_a_text_outside_the_shared_categories_cannot_be_included(journey):
    everything = (*USUAL_CONSENT, "exploitation", "traffickers")
    case = journey.to_referral(consented=everything)
    testimony = next(i.key for i in narratives(case, everything) if i.field.name == "notes")
    with pytest.raises(DomainError):
        journey.send(case, USUAL_CONSENT, texts=[testimony])
    assert not case.referrals.exists()


def test_the_payload_is_stored_encrypted(journey):
    referral = journey.send(journey.to_referral())
    stored = ReferralMessage.objects.filter(referral=referral).values_list("payload", flat=True)
    assert b"Anila" not in bytes(stored.get())


def test_sending_is_audited_without_personal_data(journey):
    Holiday.objects.filter(country=journey.receiver.country).delete()  # plain working days
    with time_machine.travel(
        datetime.datetime(2026, 11, 27, 9, 0, tzinfo=datetime.UTC), tick=False
    ):
        referral = committed(
            send_referral,
            journey.worker,
            journey.to_referral(),
            journey.receiver,
            USUAL_CONSENT,
            "Anila needs a shelter in Tirana.",
        )
    event = AuditEvent.objects.get(action="trm.referral.sent")
    assert event.actor == journey.worker
    assert event.object_id == str(referral.case_id)
    assert event.details["referral"] == str(referral.pk)
    assert "Anila" not in json.dumps(event.details)
    assert referral.response_due_at == datetime.datetime(2026, 12, 4, 9, 0, tzinfo=datetime.UTC)
