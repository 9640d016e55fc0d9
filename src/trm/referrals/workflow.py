"""The referral's life as a table: (state, event) → target, and what each step implies.

The same shape as the case's table (`trm.cases.workflow`): data, no writes. `referrals.actions`
moves a referral only through `transition_for` (its `move`), so a referral cannot reach a state
this table does not lead to, and each step's consequences (`effects`, dotted paths of
`effect(referral, actor)`) run inside the step's transaction, named here rather than wired
through signals. The states are those of a FHIR Task, the status the exchange between nodes
carries (design.md §5): `FHIR_TASK_STATUS` names each.
"""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from .models import AWAITING_ANSWER, OPEN_STATES, ReferralState

# The FHIR Task status (http://hl7.org/fhir/task-status) each state is.
FHIR_TASK_STATUS = {
    ReferralState.REQUESTED: "requested",
    ReferralState.RECEIVED: "received",
    ReferralState.ACCEPTED: "accepted",
    ReferralState.DECLINED: "rejected",
    ReferralState.IN_PROGRESS: "in-progress",
    ReferralState.COMPLETED: "completed",
    ReferralState.CANCELLED: "cancelled",
}

# The effects' modules, written once.
DEADLINES = "trm.deadlines.effects"
REFERRALS = "trm.referrals.actions"


@dataclass(frozen=True)
class Transition:
    event: str
    label: object
    sources: frozenset  # None among them: the referral does not exist yet
    target: str | None  # None: the state stays (a message that changes no state)
    # Said when the referral is in no source state: %(state)s is where it is.
    refused: object = _("This referral is %(state)s: this step is not possible now.")
    effects: tuple[str, ...] = ()


TRANSITIONS = [
    Transition(
        "send",
        _("The sending organisation refers the case"),
        frozenset({None}),
        ReferralState.REQUESTED,
    ),
    Transition(
        "deliver",
        _("The referral reaches the receiving organisation"),
        frozenset({ReferralState.REQUESTED}),
        ReferralState.RECEIVED,
        # The answer is due from delivery, in the receiving country's working days.
        effects=(f"{DEADLINES}.answer_due",),
    ),
    Transition(
        "accept",
        _("The receiving organisation takes the person on"),
        frozenset(AWAITING_ANSWER),
        ReferralState.ACCEPTED,
        refused=_("This referral was answered or withdrawn already: it is %(state)s."),
        effects=(f"{DEADLINES}.answered",),
    ),
    Transition(
        "decline",
        _("The receiving organisation cannot take the person on"),
        frozenset(AWAITING_ANSWER),
        ReferralState.DECLINED,
        refused=_("This referral was answered or withdrawn already: it is %(state)s."),
        effects=(f"{DEADLINES}.answered",),
    ),
    Transition(
        "ask",
        _("The receiving organisation asks the sender something"),
        frozenset(OPEN_STATES),
        None,
        refused=_("This referral is closed: no more questions can be asked on it."),
        # A question is an answer for the deadline: the clock starts again with the reply.
        effects=(f"{DEADLINES}.answered",),
    ),
    Transition(
        "answer",
        _("Either side answers a question on the referral"),
        frozenset(OPEN_STATES),
        None,
        refused=_("This referral is closed: it takes no more answers."),
    ),
    Transition(
        "start",
        _("The return is under way"),
        frozenset({ReferralState.ACCEPTED}),
        ReferralState.IN_PROGRESS,
    ),
    Transition(
        "complete",
        _("The case is closed after the return"),
        frozenset({ReferralState.ACCEPTED, ReferralState.IN_PROGRESS}),
        ReferralState.COMPLETED,
    ),
    Transition(
        "cancel",
        _("The referral is withdrawn"),
        frozenset(OPEN_STATES),
        ReferralState.CANCELLED,
        refused=_("This referral is %(state)s already: it cannot be cancelled."),
        # The receiver loses what it was given and owes nothing any more.
        effects=(f"{REFERRALS}.revoke_grant", f"{DEADLINES}.referral_ended"),
    ),
]

TABLE = {(source, t.event): t for t in TRANSITIONS for source in t.sources}
EVENTS = {t.event: t for t in TRANSITIONS}


def transition_for(state: str | None, event: str) -> Transition | None:
    """The step `event` from `state` (None: a referral not yet made), if the table has it."""
    return TABLE.get((state, event))


def moves_from(state: str | None) -> list[Transition]:
    return [t for t in TRANSITIONS if state in t.sources]
