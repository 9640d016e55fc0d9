"""Who is a child follows from the recorded birth date on the day of each step, or from the
"age uncertain" mark (domain.md §5): nobody has to tick a box, and a correction re-applies
every safeguard."""

import datetime

import pytest
from django.utils import timezone

from tests.referrals.journeys import USUAL_CONSENT, Journey, fresh, today
from trm.cases.actions import casework, journey
from trm.cases.age import child_on
from trm.cases.models import Case, Person
from trm.cases.stages import Stage
from trm.consent.actions import record_consent
from trm.consent.models import Purpose
from trm.deadlines.models import Deadline, DeadlineKind
from trm.lib.errors import DomainError

pytestmark = pytest.mark.django_db


def years_ago(years: int, days: int = 0) -> str:
    day = timezone.localdate() - datetime.timedelta(days=days)
    return day.replace(year=day.year - years, day=min(day.day, 28)).isoformat()


def person(birth_date, **more) -> dict:
    return {"given_name": "Arta", "family_name": "Berisha", "birth_date": birth_date,
            "sex": "female", "citizenship": "AL", **more}  # fmt: skip


def refused(action, *args, **kwargs) -> list[str]:
    """The reasons `action` is refused with (it must be)."""
    with pytest.raises(DomainError) as refusal:
        action(*args, **kwargs)
    return refusal.value.reasons


def moved(team, user, case, event, data=None):
    return team.move(user, case, event, data=data)


def move_refused(team, user, case, event, data=None) -> list[str]:
    return refused(journey.move, user, case, event, version=fresh(case).version, data=data)


SCREENING = {"signal": "hotline", "outcome": "presumed_victim"}


def test_a_child_whose_flag_was_never_ticked_gets_every_child_safeguard(personas):
    team = Journey(personas, sending="GR", receiving="AL")
    worker, receiving = team.worker, team.receiving_worker
    # Opened without ticking "may be a child", with a birth date eleven years ago.
    case = team.open(child=False, person=person(years_ago(11)))
    assert fresh(case).treated_as_child, "the list shows her as a child"

    # A guardian is recorded from identification.
    team.add(worker, case, "screening", SCREENING)
    assert move_refused(team, worker, case, "presume_victim") == [
        "A child needs a guardian recorded from identification."
    ]
    team.add(worker, case, "guardian", {"guardian": "EKKA guardianship", "appointed_on": today()})
    moved(team, worker, case, "presume_victim")
    team.add(worker, case, "immediate_assessment", {"risk_of_re_trafficking": "high",
                                                    "needs": "Shelter."})  # fmt: skip
    team.add(worker, case, "reflection_period", {"starts_on": today()})
    team.add(worker, case, "support_plan", {"needs": "Shelter.", "actions": "A place."})
    moved(team, worker, case, "start_counselling")

    # Her own views are part of the options counselling, and of her consent.
    assert refused(
        team.add, worker, case, "counselling", {"choice": "return", "language": "sq"}
    ) == ["The child's views: Record the child's own views on the options."]
    team.add(worker, case, "counselling", {"choice": "return", "language": "sq",
                                           "childs_views": "She misses her aunt."})  # fmt: skip
    without_guardian = refused(record_consent, worker, case, purpose=Purpose.ASSISTANCE,
                               categories=["identity"], language="sq")  # fmt: skip
    assert "For a child, the guardian must consent too." in without_guardian
    assert "For a child, record the child's own views." in without_guardian
    team.consent(case, ("identity", "health", "assistance"), purpose=Purpose.ASSISTANCE)
    team.consent(case, USUAL_CONSENT)
    moved(team, worker, case, "choose_return")

    # Her return needs a best-interests determination approved by a supervisor.
    team.add(worker, case, "risk_assessment", {"risk_level": "medium"})
    team.add(worker, case, "return_decision", {"decision": "go"})
    assert move_refused(team, worker, case, "decide_go") == [
        "A child's return needs a best-interests determination approved by a supervisor."
    ]
    team.add(worker, case, "best_interests_determination", {
        "return_in_best_interests": "yes", "reasoning": "Her aunt can care for her.",
        "childs_views": "She wants to live with her aunt."})  # fmt: skip
    approval = team.run(journey.request_approval, worker, case, "best_interests_determination")
    team.run(journey.decide_approval, team.supervisor, approval, approve=True)
    moved(team, worker, case, "decide_go")
    referral = team.send(case)
    assert referral.messages.get(kind="send").payload["summary"]["child"] is True
    team.accept(referral)

    # She travels only with an escort and after the receiving side's family assessment.
    team.add(receiving, case, "risk_assessment", {"risk_level": "low"})
    team.add(
        worker,
        case,
        "return_preparation",
        {"travel_documents_ready": True, "departure_on": today(7), "itinerary": "By air."},
    )
    departure = {"departed_at": timezone.now().isoformat()}
    reasons = move_refused(team, worker, case, "depart", departure)
    assert "A child may not travel without the receiving side's family or caregiver " \
        "assessment." in reasons  # fmt: skip
    assert "An escort is required and not arranged." in reasons
    team.add(
        receiving,
        case,
        "family_assessment",
        {"outcome": "suitable", "caregiver": "Her aunt", "assessment": "A stable home."},
    )
    preparation = case.records.get(kind="return_preparation")
    team.add(worker, case, "return_preparation", {
        "travel_documents_ready": True, "departure_on": today(7), "itinerary": "By air.",
        "escort_arranged": True, "escort": "IOM escort"}, supersedes=preparation)  # fmt: skip
    moved(team, worker, case, "depart", departure)

    # Her reception must be confirmed, within the hours, before the case may close.
    assert Deadline.objects.open().filter(case=case, kind=DeadlineKind.CHILD_RECEPTION).exists()
    closure = team.run(journey.request_approval, worker, case, "closure",
                       closure_reason="lost_contact")  # fmt: skip
    assert refused(team.run, journey.decide_approval, team.supervisor, closure, approve=True) == [
        "A child's case cannot be closed while the reception is unconfirmed."
    ]
    assert fresh(case).stage == Stage.TRAVEL

    # Her reception names the caregiver who took responsibility for her.
    received = {"received_at": timezone.now().isoformat(), "met_by": "Elira", "place": "Tirana"}
    assert move_refused(team, receiving, case, "confirm_reception", received) == [
        "Caregiver or body who took responsibility: Name the caregiver or body who took "
        "responsibility for the child."
    ]
    moved(team, receiving, case, "confirm_reception", {**received, "caregiver": "Her aunt"})

    # Her reintegration is led by child protection.
    plan = {"agreed_on": today(), "goals": "School in Tirana."}
    assert refused(team.add, receiving, case, "reintegration_plan", plan) == [
        "Led by child protection: A child's reintegration is led by child protection."
    ]
    team.add(receiving, case, "reintegration_plan", {**plan, "child_protection_lead": True})
    team.add(receiving, case, "assistance_item", {
        "type": "education", "provider": "Different and Equal", "status": "planned"})  # fmt: skip
    assert fresh(moved(team, receiving, case, "agree_plan")).stage == Stage.MONITORING


def test_a_child_counselled_before_her_age_was_known_is_heard_before_the_choice(personas):
    """The counselling was recorded while she was thought an adult: once her birth date says
    she is a child, the choice waits for her own views."""
    team = Journey(personas)
    worker = team.worker
    case = team.open(child=False, person=person("1994-03-08"))
    team.add(worker, case, "screening", SCREENING)
    moved(team, worker, case, "presume_victim")
    team.add(worker, case, "immediate_assessment", {"risk_of_re_trafficking": "low",
                                                    "needs": "Shelter."})  # fmt: skip
    team.add(worker, case, "reflection_period", {"starts_on": today()})
    team.add(worker, case, "support_plan", {"needs": "Shelter.", "actions": "A place."})
    moved(team, worker, case, "start_counselling")
    team.add(worker, case, "counselling", {"choice": "return", "language": "sq"})
    team.consent(case, ("identity", "health", "assistance"), purpose=Purpose.ASSISTANCE)
    casework.update_person(worker, case, {"birth_date": datetime.date.fromisoformat(
        years_ago(16))}, version=fresh(case).version)  # fmt: skip
    assert move_refused(team, worker, case, "choose_return") == [
        "Record the child's own views in the options counselling first."
    ]
    counselling = case.records.get(kind="counselling")
    team.add(worker, case, "counselling", {"choice": "return", "language": "sq",
             "childs_views": "She wants to go home."}, supersedes=counselling)  # fmt: skip
    assert fresh(moved(team, worker, case, "choose_return")).stage == Stage.PRE_RETURN_ASSESSMENT


def test_correcting_the_birth_date_re_applies_the_child_safeguards(personas):
    team = Journey(personas)
    case = team.open(child=False, person=person("1994-03-08"))
    team.add(team.worker, case, "screening", SCREENING)
    assert not fresh(case).treated_as_child
    assert refused(team.add, team.worker, case, "guardian",
                   {"guardian": "A tutor", "appointed_on": today()}) == [
        "This record is for children only."]  # fmt: skip

    casework.update_person(team.worker, case, {"birth_date": datetime.date.fromisoformat(
        years_ago(15))}, version=fresh(case).version)  # fmt: skip
    assert fresh(case).is_child, "the list follows the correction"
    assert move_refused(team, team.worker, case, "presume_victim") == [
        "A child needs a guardian recorded from identification."
    ]

    casework.update_person(team.worker, case, {"birth_date": datetime.date(1994, 3, 8)},
                          version=fresh(case).version)  # fmt: skip
    assert not fresh(case).is_child
    assert fresh(moved(team, team.worker, case, "presume_victim")).stage == Stage.FIRST_ASSISTANCE


def test_an_uncertain_age_makes_an_adult_on_paper_a_child(personas):
    team = Journey(personas)
    case = team.open(child=False, person=person("2001-01-01"))
    team.add(team.worker, case, "screening", SCREENING)
    casework.update_person(team.worker, case, {"age_uncertain": True}, version=fresh(case).version)
    assert fresh(case).treated_as_child
    assert move_refused(team, team.worker, case, "presume_victim") == [
        "A child needs a guardian recorded from identification."
    ]


def test_a_tick_cannot_contradict_the_birth_date(personas):
    team = Journey(personas)
    cases_before = Case.objects.count()
    with pytest.raises(DomainError) as refusal:
        casework.open_case(team.worker, team.sender, person=person("1990-05-05"), is_child=True)
    assert list(refusal.value.errors) == ["is_child"]
    assert "mark the age as uncertain" in refusal.value.errors["is_child"][0]
    assert Case.objects.count() == cases_before, "nothing was written"
    assert not Person.objects.filter(cases__isnull=True).exists()

    # An adult by the papers who may be a child: the age is uncertain.
    case = casework.open_case(team.worker, team.sender, person=person("1990-05-05"),
                             is_child=True, age_uncertain=True)  # fmt: skip
    assert case.treated_as_child
    assert not case.is_child, "the lists count her by the birth date, as uncertain"

    # Without a birth date, the tick is all there is to go on.
    case = casework.open_case(team.worker, team.sender, person=person(None), is_child=True)
    assert case.is_child
    child = fresh(case)
    casework.update_person(team.worker, child, {"birth_date": datetime.date(1990, 5, 5)},
                          version=child.version)  # fmt: skip
    assert not fresh(case).treated_as_child, "the birth date decides once it is known"


def test_a_child_is_an_adult_from_the_day_she_comes_of_age(personas, time_machine):
    time_machine.move_to(datetime.datetime(2026, 6, 9, 10, tzinfo=datetime.UTC), tick=False)
    team = Journey(personas)
    case = team.open(child=False, person=person("2008-06-10"))
    team.add(team.worker, case, "screening", SCREENING)
    assert move_refused(team, team.worker, case, "presume_victim") == [
        "A child needs a guardian recorded from identification."
    ]
    time_machine.move_to(datetime.datetime(2026, 6, 10, 10, tzinfo=datetime.UTC), tick=False)
    assert fresh(moved(team, team.worker, case, "presume_victim")).stage == Stage.FIRST_ASSISTANCE
    assert not fresh(case).is_child, "the step refreshed what the lists show"


def test_the_age_of_majority_is_the_owning_countrys():
    born = datetime.date(2008, 6, 10)
    day = datetime.date(2026, 6, 10)
    rule = {"birth_date": born, "age_uncertain": False, "declared_child": True}
    assert not child_on(day, **rule)
    assert child_on(day, **rule, majority=19)
    assert child_on(day, **{**rule, "age_uncertain": True})
    assert child_on(day, **{**rule, "birth_date": None})
