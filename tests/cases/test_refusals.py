"""Bad input to the journey: a clear reason, and the case exactly as it was."""

import pytest

from tests.referrals.journeys import Journey, committed
from trm.cases.actions import journey
from trm.cases.models import Case, StageRecord
from trm.lib.errors import Conflict, DomainError, Forbidden, GuardRefused

pytestmark = pytest.mark.django_db


@pytest.fixture
def team(personas):
    return Journey(personas, sending="ES", receiving="MA")


def unchanged(case):
    fresh = Case.objects.get(pk=case.pk)
    return fresh.stage, fresh.version, StageRecord.objects.filter(case=case).count()


def test_a_step_out_of_order_is_refused_with_the_reason(team):
    case = team.open()
    before = unchanged(case)
    with pytest.raises(GuardRefused) as refused:
        journey.move(team.worker, case, "depart", version=case.version)
    assert refused.value.reasons == ["This step is not possible at the stage Identification."]
    with pytest.raises(GuardRefused) as refused:
        journey.move(team.worker, case, "presume_victim", version=case.version)
    assert refused.value.reasons == ["Record the screening first."]
    assert unchanged(case) == before


def test_missing_required_data_names_each_field(team):
    case = team.open()
    before = unchanged(case)
    with pytest.raises(DomainError) as refused:
        journey.add_record(team.worker, case, "screening", {"signal": "hotline"})
    assert refused.value.reasons == ["Outcome: This field is required."]
    with pytest.raises(DomainError) as refused:
        journey.add_record(team.worker, case, "screening", {"signal": "gossip", "outcome": "x"})
    assert len(refused.value.reasons) == 2
    assert unchanged(case) == before


def test_two_people_recording_the_same_form_the_second_is_told(team):
    case = team.open()
    first = committed(journey.add_record, team.worker, case, "screening",
                      {"signal": "police", "outcome": "presumed_victim"})  # fmt: skip
    before = unchanged(case)
    with pytest.raises(Conflict) as refused:
        journey.add_record(team.supervisor, case, "screening",
                           {"signal": "hotline", "outcome": "not_a_victim"})  # fmt: skip
    assert "Screening was recorded meanwhile" in refused.value.reasons[0]
    # Both open the screening to correct it; the second correction is stale.
    committed(journey.add_record, team.worker, case, "screening",
              {"signal": "police", "outcome": "presumed_victim", "notes": "More."},
              supersedes=first)  # fmt: skip
    before = unchanged(case)
    with pytest.raises(Conflict) as refused:
        journey.add_record(
            team.supervisor, case, "screening", {"signal": "hotline", "outcome": "not_a_victim"},
            supersedes=first,
        )  # fmt: skip
    assert "corrected by someone else meanwhile" in refused.value.reasons[0]
    assert unchanged(case) == before


def test_a_stale_version_is_refused(team):
    case = team.open()
    committed(journey.add_record, team.worker, case, "screening",
              {"signal": "police", "outcome": "presumed_victim"})  # fmt: skip
    before = unchanged(case)
    with pytest.raises(Conflict):
        journey.move(team.worker, case, "presume_victim", version=case.version)  # read earlier
    assert unchanged(case) == before


def test_a_record_of_the_other_side_or_the_wrong_stage_is_refused(team):
    case = team.open()
    with pytest.raises(DomainError, match="cannot be recorded at the stage"):
        journey.add_record(team.worker, case, "return_decision", {"decision": "go"})
    with pytest.raises(DomainError, match="for children only"):
        journey.add_record(
            team.worker, case, "guardian", {"guardian": "X", "appointed_on": "2026-01-01"}
        )


def test_no_one_approves_their_own_request(team):
    case = team.to_referral(until="options_counselling")
    approval = committed(journey.request_approval, team.supervisor, case, "closure",
                         closure_reason="lost_contact")  # fmt: skip
    with pytest.raises(DomainError, match="cannot approve your own request"):
        journey.decide_approval(team.supervisor, approval, approve=True)
    with pytest.raises(Forbidden, match="Only a supervisor"):
        journey.decide_approval(team.worker, approval, approve=True)
    assert Case.objects.get(pk=case.pk).stage == "options_counselling"
