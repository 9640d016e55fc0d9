"""Every guard of the workflow, with the reason the user reads when it refuses."""

from types import SimpleNamespace

import pytest

from trm.cases import workflow
from trm.cases.record_kinds import Side
from trm.cases.stages import Stage


def record(kind, side=Side.SENDING, details=None, **facts):
    return SimpleNamespace(kind=kind, side=side, facts=facts, details=details)


def facts_of(*records, child=False, returned=False, received=False, **known):
    """A CaseFacts with the given current records and derived facts (`child`: a child on the
    day of the step), no database needed."""
    facts = workflow.CaseFacts(
        SimpleNamespace(
            is_child=child,
            age_uncertain=False,
            treated_as_child=child,
            returned_at="then" if returned else None,
            received_at="then" if received else None,
        )
    )
    by_kind = {}
    for item in records:
        by_kind.setdefault(item.kind, []).append(item)
    facts.__dict__["records"] = by_kind
    facts.__dict__.update(
        {"child": child, "approved_determination": None, "closure_approval": None,
         "assistance_consent": False, "accepted_referral": None,
         "offer_waiting_on_another_node": None, **known}
    )  # fmt: skip
    return facts


DETERMINATION_FOR_RETURN = record("best_interests_determination", return_in_best_interests=True)
PREPARED = record("return_preparation", travel_documents_ready=True, escort_arranged=True)
ARRANGED = record("reception_arrangements", Side.RECEIVING, confirmed=True)

# (guard, facts that refuse, the reason shown, facts that allow)
TABLE = [
    (workflow.no_offer_waits_on_another_node,
     facts_of(offer_waiting_on_another_node=SimpleNamespace(
         receiver=SimpleNamespace(name="IOM Albania"))),
     "The referral to IOM Albania, on another trm node, waits for its answer", facts_of()),
    (workflow.screening_found_a_presumed_victim, facts_of(), "Record the screening first.",
     facts_of(record("screening", outcome="presumed_victim"))),
    (workflow.screening_found_a_presumed_victim,
     facts_of(record("screening", outcome="not_a_victim")),
     "The screening did not find reasonable grounds", None),
    (workflow.a_child_has_a_guardian, facts_of(child=True),
     "A child needs a guardian recorded from identification.",
     facts_of(record("guardian"), child=True)),
    (workflow.needs("support_plan", "Make the individual support and safety plan."), facts_of(),
     "Make the individual support and safety plan.", facts_of(record("support_plan"))),
    (workflow.the_person_chose_to_return, facts_of(),
     "Record the options counselling and the person's choice first.",
     facts_of(record("counselling", choice="return"))),
    (workflow.the_person_chose_to_return, facts_of(record("counselling", choice="asylum")),
     "The person did not choose to return.", None),
    (workflow.the_person_chose_to_stay, facts_of(record("counselling", choice="return")),
     "The person did not choose to stay", facts_of(record("counselling", choice="residence"))),
    (workflow.assistance_is_consented, facts_of(),
     "Record the person's consent to assistance first.", facts_of(assistance_consent=True)),
    (workflow.not_seeking_asylum, facts_of(record("counselling", asylum_seeker=True)),
     "The person seeks asylum", facts_of(record("counselling", asylum_seeker=False))),
    (workflow.the_sending_side_assessed_the_risks,
     facts_of(record("risk_assessment", Side.RECEIVING)),
     "The sending side's risk assessment is missing.",
     facts_of(record("risk_assessment", Side.SENDING))),
    (workflow.the_receiving_side_assessed_the_risks,
     facts_of(record("risk_assessment", Side.SENDING)),
     "The receiving side's part of the joint risk assessment is missing.",
     facts_of(record("risk_assessment", Side.RECEIVING))),
    (workflow.the_decision_is_go, facts_of(), "Record the return decision first.",
     facts_of(record("return_decision", decision="go"))),
    (workflow.the_decision_is_go, facts_of(record("return_decision", decision="postpone")),
     "The return decision is not 'go'.", None),
    (workflow.the_decision_is_not_go, facts_of(record("return_decision", decision="go")),
     "Only a 'no go' or 'postpone' decision",
     facts_of(record("return_decision", decision="no_go"))),
    (workflow.the_decision_is_not_go, facts_of(record("return_decision", decision="go")),
     "Only a 'no go' or 'postpone' decision",
     facts_of(record("best_interests_determination", return_in_best_interests=False),
              record("return_decision", decision="go"), child=True)),
    (workflow.a_child_return_is_in_their_best_interests, facts_of(child=True),
     "A child's return needs a best-interests determination approved by a supervisor.",
     facts_of(child=True, approved_determination=DETERMINATION_FOR_RETURN)),
    (workflow.a_child_return_is_in_their_best_interests,
     facts_of(child=True, approved_determination=record(
         "best_interests_determination", return_in_best_interests=False)),
     "found that return is not in the child's best interests", facts_of(child=False)),
    (workflow.a_referral_was_accepted, facts_of(),
     "No organisation in the country of origin has accepted a referral yet.",
     facts_of(accepted_referral=object())),
    (workflow.no_referral_is_accepted, facts_of(accepted_referral=object()),
     "A referral is accepted: cancel it before referring elsewhere.", facts_of()),
    (workflow.travel_is_prepared, facts_of(), "Record the return preparation first.",
     facts_of(PREPARED, ARRANGED)),
    (workflow.travel_is_prepared,
     facts_of(record("return_preparation", escort_arranged=True), ARRANGED),
     "The travel documents are not ready.", None),
    (workflow.travel_is_prepared,
     facts_of(record("return_preparation", travel_documents_ready=True), ARRANGED, child=True),
     "An escort is required and not arranged.",
     facts_of(record("return_preparation", travel_documents_ready=True), ARRANGED)),
    (workflow.travel_is_prepared,
     facts_of(record("return_preparation", travel_documents_ready=True),
              record("risk_assessment", escort_needed=True), ARRANGED),
     "An escort is required and not arranged.", None),
    (workflow.travel_is_prepared, facts_of(PREPARED),
     "The receiving side has not confirmed the reception arrangements.", None),
    (workflow.a_child_has_a_family_assessment_and_caregiver, facts_of(child=True),
     "A child may not travel without the receiving side's family or caregiver assessment.",
     facts_of(record("family_assessment", Side.RECEIVING, outcome="suitable"), child=True)),
    (workflow.a_child_has_a_family_assessment_and_caregiver,
     facts_of(record("family_assessment", Side.RECEIVING, outcome="not_suitable"), child=True),
     "found no one able to receive the child.", None),
    (workflow.a_child_was_heard, facts_of(record("counselling", choice="return"), child=True),
     "Record the child's own views in the options counselling first.",
     facts_of(record("counselling", details={"childs_views": "Wants her aunt."}), child=True)),
    (workflow.a_child_was_heard, facts_of(record("counselling", details={"notes": "x"}),
                                          child=True),
     "Record the child's own views", facts_of(record("counselling", choice="return"))),
    (workflow.a_childs_plan_is_led_by_child_protection,
     facts_of(record("reintegration_plan", child_protection_lead=False), child=True),
     "A child's reintegration plan must be led by child protection.",
     facts_of(record("reintegration_plan", child_protection_lead=True), child=True)),
    (workflow.the_plan_has_assistance, facts_of(),
     "Agree the reintegration plan with the person first.",
     facts_of(record("reintegration_plan"), record("assistance_item"))),
    (workflow.the_plan_has_assistance, facts_of(record("reintegration_plan")),
     "The reintegration plan has no assistance item yet.", None),
    (workflow.closure_was_approved, facts_of(), "Closure needs a supervisor's approval.",
     facts_of(closure_approval=object())),
    (workflow.a_childs_reception_is_confirmed, facts_of(child=True, returned=True),
     "A child's case cannot be closed while the reception is unconfirmed.",
     facts_of(child=True, returned=True, received=True)),
]  # fmt: skip


@pytest.mark.parametrize(("guard", "refusing", "reason", "allowing"), TABLE)
def test_each_guard_refuses_with_its_reason_and_allows_when_satisfied(
    guard, refusing, reason, allowing
):
    reasons = [str(text) for text in guard(refusing)]
    assert any(reason in text for text in reasons), reasons
    if allowing is not None:
        assert guard(allowing) == []


def test_every_guard_of_the_table_is_tested():
    tested = {row[0].__name__ for row in TABLE}
    used = {g.__name__ for t in workflow.TRANSITIONS for g in t.guards}
    # needs(kind, message) guards share one shape; needs_support_plan stands for them.
    generic = {name for name in used if name.startswith("needs_")}
    assert used - generic <= tested


def test_the_table_reaches_every_stage_and_every_stage_can_move_on():
    targets = {t.target for t in workflow.TRANSITIONS if t.target} | {Stage.IDENTIFICATION}
    assert targets == set(Stage)
    for stage in Stage:
        assert workflow.moves_from(stage), f"{stage} is a dead end"


def test_guard_reasons_are_translated():
    from django.utils import translation

    with translation.override("fr"):
        text = workflow.closure_was_approved(facts_of())[0]
        assert str(text) != "Closure needs a supervisor's approval."
