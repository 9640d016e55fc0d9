"""The case workflow as a table: (stage, event) → target, with guards and who may move.

Guards are plain functions of a `CaseFacts` snapshot returning the reasons a move is not
allowed, translated, for the user to read. No web code and no writes here: `actions.journey`
applies a move. The table reads as the procedure of domain.md §4-§5.

A move's consequences in other apps (the referral's notices, the deadlines) are its `effects`,
and a record's are `RECORD_EFFECTS`: dotted paths of `effect(case, actor)` and `effect(record,
actor)` that the step calls in its own transaction (`trm.lib.effects`), so a step commits with
everything it implies or not at all. Paths, not imports: this table names what happens in
referrals and deadlines without importing them (they import cases).
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property

from django.utils.translation import gettext_lazy as _

from trm.accounts.models import Role

from . import age
from .record_kinds import Choice, FamilyOutcome, Outcome, ReturnDecision, Side
from .stages import OPEN_STAGES, Stage

CASE_WORK = frozenset({Role.CASE_WORKER, Role.SUPERVISOR, Role.FOCAL_POINT})

# The effects' modules, written once.
DEADLINES = "trm.deadlines.effects"
NOTICES = "trm.referrals.notices"
CROSSING = "trm.referrals.crossing"
SUPERVISION = frozenset({Role.SUPERVISOR})


class CaseFacts:
    """What the guards look at, read once per decision: the case's current records and more."""

    def __init__(self, case):
        self.case = case

    @cached_property
    def child(self) -> bool:
        """Handled as a child on the day of this step: from the birth date or the "age
        uncertain" mark (domain.md §5), never only from a box ticked at opening."""
        return age.is_child_on(self.case)

    @cached_property
    def records(self) -> dict[str, list]:
        found: dict[str, list] = {}
        for record in self.case.records.filter(superseded_by__isnull=True).order_by("recorded_at"):
            found.setdefault(record.kind, []).append(record)
        return found

    def latest(self, kind: str, side: str | None = None):
        candidates = [r for r in self.records.get(kind, []) if side is None or r.side == side]
        return candidates[-1] if candidates else None

    def fact(self, kind: str, name: str, default=None):
        record = self.latest(kind)
        return record.facts.get(name, default) if record else default

    @cached_property
    def approved_determination(self):
        """The latest best-interests determination, if a supervisor approved it."""
        record = self.latest("best_interests_determination")
        if record is None:
            return None
        if record.approvals.filter(approved=True).exists():
            return record
        return None

    @cached_property
    def closure_approval(self):
        """An approved closure not yet used (a reopened case needs a new one)."""
        return (
            self.case.approvals.filter(subject="closure", approved=True, used_at__isnull=True)
            .order_by("-decided_at")
            .first()
        )

    # Consents and referrals are read through the case's own relations: those apps build on
    # cases, so cases do not import them.
    @cached_property
    def assistance_consent(self) -> bool:
        return self.case.person.consents.in_force().filter(purpose="assistance").exists()

    @cached_property
    def accepted_referral(self):
        return self.case.referrals.latest_accepted()

    @cached_property
    def offer_waiting_on_another_node(self):
        """The case's referral to an organisation on another node that awaits its answer."""
        waiting = self.case.referrals.awaiting_answer().filter(receiver__hosted_on__isnull=False)
        return next(
            (r for r in waiting.select_related("receiver__hosted_on")
             if not r.receiver.is_hosted_here),
            None,
        )  # fmt: skip

    @property
    def seeks_asylum(self) -> bool:
        return bool(self.fact("counselling", "asylum_seeker", False))

    @property
    def escort_needed(self) -> bool:
        return self.child or any(
            r.facts.get("escort_needed") for r in self.records.get("risk_assessment", [])
        )


Guard = Callable[[CaseFacts], list]


def needs(kind: str, message) -> Guard:
    def guard(facts: CaseFacts) -> list:
        return [] if facts.latest(kind) else [message]

    guard.__name__ = f"needs_{kind}"
    return guard


def screening_found_a_presumed_victim(facts):
    if facts.latest("screening") is None:
        return [_("Record the screening first.")]
    if facts.fact("screening", "outcome") != Outcome.PRESUMED_VICTIM:
        return [_("The screening did not find reasonable grounds: close the case instead.")]
    return []


def a_child_has_a_guardian(facts):
    if facts.child and facts.latest("guardian") is None:
        return [_("A child needs a guardian recorded from identification.")]
    return []


def the_person_chose_to_return(facts):
    choice = facts.fact("counselling", "choice")
    if choice is None:
        return [_("Record the options counselling and the person's choice first.")]
    if choice != Choice.RETURN:
        return [_("The person did not choose to return.")]
    return []


def the_person_chose_to_stay(facts):
    if facts.fact("counselling", "choice") not in {
        Choice.RESIDENCE, Choice.ASYLUM, Choice.THIRD_COUNTRY
    }:  # fmt: skip
        return [_("The person did not choose to stay or to go to a third country.")]
    return []


def assistance_is_consented(facts):
    if not facts.assistance_consent:
        return [_("Record the person's consent to assistance first.")]
    return []


def not_seeking_asylum(facts):
    if facts.seeks_asylum:
        return [
            _(
                "The person seeks asylum: no return may be prepared and the authorities of the "
                "country of origin may not be contacted."
            )
        ]
    return []


def the_sending_side_assessed_the_risks(facts):
    if facts.latest("risk_assessment", Side.SENDING) is None:
        return [_("The sending side's risk assessment is missing.")]
    return []


def the_receiving_side_assessed_the_risks(facts):
    if facts.latest("risk_assessment", Side.RECEIVING) is None:
        return [_("The receiving side's part of the joint risk assessment is missing.")]
    return []


def the_decision_is_go(facts):
    decision = facts.fact("return_decision", "decision")
    if decision is None:
        return [_("Record the return decision first.")]
    if decision != ReturnDecision.GO:
        return [_("The return decision is not 'go'.")]
    return []


def the_decision_is_not_go(facts):
    decision = facts.fact("return_decision", "decision")
    determination = facts.latest("best_interests_determination")
    not_in_interest = (
        facts.child
        and determination is not None
        and determination.facts.get("return_in_best_interests") is False
    )
    if decision in {ReturnDecision.NO_GO, ReturnDecision.POSTPONE} or not_in_interest:
        return []
    return [_("Only a 'no go' or 'postpone' decision, or a determination against return, "
              "leads back to counselling.")]  # fmt: skip


def a_child_return_is_in_their_best_interests(facts):
    if not facts.child:
        return []
    determination = facts.approved_determination
    if determination is None:
        return [_("A child's return needs a best-interests determination approved by a "
                  "supervisor.")]  # fmt: skip
    if not determination.facts.get("return_in_best_interests"):
        return [_("The best-interests determination found that return is not in the child's "
                  "best interests.")]  # fmt: skip
    return []


def a_referral_was_accepted(facts):
    if facts.accepted_referral is None:
        return [_("No organisation in the country of origin has accepted a referral yet.")]
    return []


def no_referral_is_accepted(facts):
    if facts.accepted_referral is not None:
        return [_("A referral is accepted: cancel it before referring elsewhere.")]
    return []


def no_offer_waits_on_another_node(facts):
    """A referral to another node that awaits its answer is withdrawn first, and its node has
    confirmed it: the case does not close (or go back) while that node may still accept it."""
    waiting = facts.offer_waiting_on_another_node
    if waiting is not None:
        return [
            _("The referral to %(organisation)s, on another trm node, waits for its answer: "
              "withdraw it first and wait for that node to confirm.")
            % {"organisation": waiting.receiver.name}
        ]  # fmt: skip
    return []


def travel_is_prepared(facts):
    reasons = []
    preparation = facts.latest("return_preparation")
    if preparation is None:
        return [_("Record the return preparation first.")]
    if not preparation.facts.get("travel_documents_ready"):
        reasons.append(_("The travel documents are not ready."))
    if facts.escort_needed and not preparation.facts.get("escort_arranged"):
        reasons.append(_("An escort is required and not arranged."))
    arrangements = facts.latest("reception_arrangements", Side.RECEIVING)
    if arrangements is None or not arrangements.facts.get("confirmed"):
        reasons.append(_("The receiving side has not confirmed the reception arrangements."))
    return reasons


def a_child_has_a_family_assessment_and_caregiver(facts):
    if not facts.child:
        return []
    assessment = facts.latest("family_assessment", Side.RECEIVING)
    if assessment is None:
        return [_("A child may not travel without the receiving side's family or caregiver "
                  "assessment.")]  # fmt: skip
    if assessment.facts.get("outcome") != FamilyOutcome.SUITABLE:
        return [_("The family or caregiver assessment found no one able to receive the child.")]
    return []


def a_child_was_heard(facts):
    """A child's own views are part of the choice made at options counselling (§5)."""
    counselling = facts.latest("counselling")
    if (
        facts.child
        and counselling is not None
        and not (counselling.details or {}).get("childs_views")
    ):
        return [_("Record the child's own views in the options counselling first.")]
    return []


def a_childs_plan_is_led_by_child_protection(facts):
    if facts.child and not facts.fact("reintegration_plan", "child_protection_lead", False):
        return [_("A child's reintegration plan must be led by child protection.")]
    return []


def the_plan_has_assistance(facts):
    if facts.latest("reintegration_plan") is None:
        return [_("Agree the reintegration plan with the person first.")]
    if facts.latest("assistance_item") is None:
        return [_("The reintegration plan has no assistance item yet.")]
    return []


def closure_was_approved(facts):
    if facts.closure_approval is None:
        return [_("Closure needs a supervisor's approval.")]
    return []


def a_childs_reception_is_confirmed(facts):
    """By the receiving organisation, or, once no referral is accepted any more (consent was
    withdrawn), through the authorities as the sending side recorded it."""
    case = facts.case
    if not (facts.child and case.returned_at) or case.received_at:
        return []
    if facts.latest("reception_reported") is not None and facts.accepted_referral is None:
        return []
    return [_("A child's case cannot be closed while the reception is unconfirmed.")]


@dataclass(frozen=True)
class Transition:
    event: str
    label: object
    sources: frozenset
    target: str | None  # None: back to the stage before closure
    guards: tuple = ()
    roles: frozenset = CASE_WORK
    side: str = Side.SENDING
    needs_reason: bool = False
    extra: dict = field(default_factory=dict)
    # What else the move implies, in order: dotted paths of `effect(case, actor)`.
    effects: tuple[str, ...] = ()

    def reasons(self, facts: CaseFacts) -> list[str]:
        """Why this move is not allowed now; empty when it is."""
        return [str(reason) for guard in self.guards for reason in guard(facts)]


TRANSITIONS = [
    Transition(
        "presume_victim",
        _("Presumed victim: start first assistance"),
        frozenset({Stage.IDENTIFICATION}),
        Stage.FIRST_ASSISTANCE,
        (screening_found_a_presumed_victim, a_child_has_a_guardian),
    ),
    Transition(
        "start_counselling",
        _("Start options counselling"),
        frozenset({Stage.FIRST_ASSISTANCE}),
        Stage.OPTIONS_COUNSELLING,
        (
            needs("immediate_assessment", _("Record the immediate risk and needs assessment.")),
            needs("reflection_period", _("Start the reflection and recovery period.")),
            needs("support_plan", _("Make the individual support and safety plan.")),
            a_child_has_a_guardian,
        ),
    ),
    Transition(
        "choose_return",
        _("The person chooses to return"),
        frozenset({Stage.OPTIONS_COUNSELLING}),
        Stage.PRE_RETURN_ASSESSMENT,
        (
            the_person_chose_to_return,
            a_child_was_heard,
            assistance_is_consented,
            not_seeking_asylum,
        ),
        effects=(f"{DEADLINES}.choice_made",),
    ),
    Transition(
        "choose_to_stay",
        _("The person stays in the destination country"),
        frozenset({Stage.OPTIONS_COUNSELLING}),
        Stage.LONG_TERM_ASSISTANCE,
        (the_person_chose_to_stay, a_child_was_heard),
        effects=(f"{DEADLINES}.choice_made",),
    ),
    Transition(
        "reconsider",
        _("Back to options counselling"),
        frozenset({Stage.LONG_TERM_ASSISTANCE}),
        Stage.OPTIONS_COUNSELLING,
    ),
    Transition(
        "decide_go",
        _("Go: prepare the referral"),
        frozenset({Stage.PRE_RETURN_ASSESSMENT}),
        Stage.REFERRAL,
        (
            the_sending_side_assessed_the_risks,
            the_decision_is_go,
            a_child_return_is_in_their_best_interests,
            not_seeking_asylum,
        ),
    ),
    Transition(
        "decide_no_go",
        _("No go: back to options counselling"),
        frozenset({Stage.PRE_RETURN_ASSESSMENT}),
        Stage.OPTIONS_COUNSELLING,
        (the_decision_is_not_go,),
    ),
    Transition(
        "referral_accepted",
        _("Referral accepted: prepare the return"),
        frozenset({Stage.REFERRAL}),
        Stage.RETURN_PREPARATION,
        (a_referral_was_accepted,),
        side=Side.EITHER,
    ),
    Transition(
        "withdraw_referral",
        _("Back to the pre-return assessment"),
        frozenset({Stage.REFERRAL}),
        Stage.PRE_RETURN_ASSESSMENT,
        (no_offer_waits_on_another_node,),
        # An unanswered referral lapses (and with it its answer deadline).
        effects=(f"{NOTICES}.referral_withdrawn",),
    ),
    Transition(
        "refer_again",
        _("Back to the referral: the accepted referral was cancelled"),
        frozenset({Stage.RETURN_PREPARATION}),
        Stage.REFERRAL,
        (no_referral_is_accepted,),
    ),
    Transition(
        "depart",
        _("Departure"),
        frozenset({Stage.RETURN_PREPARATION}),
        Stage.TRAVEL,
        (
            the_receiving_side_assessed_the_risks,
            the_decision_is_go,
            a_child_return_is_in_their_best_interests,
            a_child_has_a_family_assessment_and_caregiver,
            travel_is_prepared,
            a_referral_was_accepted,
        ),
        extra={"record": "departure"},
        effects=(f"{NOTICES}.departure_notice", f"{DEADLINES}.departed"),
    ),
    Transition(
        "confirm_reception",
        _("Confirm the reception"),
        frozenset({Stage.TRAVEL}),
        Stage.REINTEGRATION,
        side=Side.RECEIVING,
        extra={"record": "reception"},
        effects=(f"{NOTICES}.reception_confirmation", f"{DEADLINES}.received"),
    ),
    Transition(
        "agree_plan",
        _("Plan agreed: start monitoring"),
        frozenset({Stage.REINTEGRATION}),
        Stage.MONITORING,
        (the_plan_has_assistance, a_childs_plan_is_led_by_child_protection),
        side=Side.RECEIVING,
    ),
    Transition(
        "close",
        _("Close the case"),
        frozenset(OPEN_STAGES),
        Stage.CLOSED,
        (closure_was_approved, a_childs_reception_is_confirmed, no_offer_waits_on_another_node),
        side=Side.SENDING,
        effects=(f"{NOTICES}.closure_notice", f"{DEADLINES}.closed"),
    ),
    Transition(
        "reopen",
        _("Reopen the case"),
        frozenset({Stage.CLOSED}),
        None,
        needs_reason=True,
        effects=(f"{DEADLINES}.reopened",),
    ),
]

# What a record implies beyond itself (its correction too), in order: dotted paths of
# `effect(record, actor)`.
RECORD_EFFECTS = {
    "reflection_period": (f"{DEADLINES}.reflection_period_started",),
    "reintegration_plan": (f"{DEADLINES}.plan_agreed",),
    "monitoring_contact": (f"{DEADLINES}.monitoring_contact_made", f"{NOTICES}.monitoring_summary"),
}

# What every record and every step implies besides: a case referred to an organisation on
# another node tells that node (`effect(record, actor)` and `effect(case, event, actor)`).
EVERY_RECORD_EFFECTS = (f"{CROSSING}.record_written",)
EVERY_STEP_EFFECTS = (f"{CROSSING}.step_taken",)
# A document added to a case: to the other node, if the case went there and it may see it.
DOCUMENT_EFFECTS = (f"{CROSSING}.document_added",)

TABLE = {(source, t.event): t for t in TRANSITIONS for source in t.sources}
EVENTS = {t.event: t for t in TRANSITIONS}


def transition_for(stage: str, event: str) -> Transition | None:
    return TABLE.get((stage, event))


def moves_from(stage: str) -> list[Transition]:
    return [t for t in TRANSITIONS if stage in t.sources]
