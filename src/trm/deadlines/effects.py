"""What each step implies for the deadlines: the effects the workflow tables name.

`trm.cases.workflow` names these on the case's moves (`effect(case, actor)`) and records
(`effect(record, actor)`), `trm.referrals.workflow` on the referral's (`effect(referral,
actor)`). Each runs inside the step's transaction, the case row locked by the step, so the
deadline changes with the step or not at all.
"""

from . import tracking
from .models import Deadline, DeadlineKind


def _of(case, kind):
    return Deadline.objects.filter(case=case, kind=kind)


# -- the case's moves --------------------------------------------------------------------------


def choice_made(case, actor) -> None:
    """The person chose: the end of the reflection period needs no alert any more."""
    tracking.meet(_of(case, DeadlineKind.REFLECTION_PERIOD_END))


def departed(case, actor) -> None:
    """A child who left must be confirmed received within the receiving country's hours."""
    tracking.track_child_reception(case)


def received(case, actor) -> None:
    """The person arrived: a child's reception is confirmed, the plan and monitoring are due."""
    tracking.meet(_of(case, DeadlineKind.CHILD_RECEPTION))
    tracking.track_return(case)


def closed(case, actor) -> None:
    tracking.close_case(case)


def reopened(case, actor) -> None:
    tracking.reopen_case(case)


# -- the case's records ------------------------------------------------------------------------


def reflection_period_started(record, actor) -> None:
    tracking.track_reflection_period(record)


def plan_agreed(record, actor) -> None:
    tracking.meet(_of(record.case, DeadlineKind.REINTEGRATION_PLAN_DUE), record=record)


def monitoring_contact_made(record, actor) -> None:
    tracking.meet_monitoring_contact(record)


# -- the referral's steps ----------------------------------------------------------------------


def answer_due(referral, actor) -> None:
    """The referral reached the receiver: its answer is due (`referral.response_due_at`)."""
    tracking.track_referral(referral)


def answered(referral, actor) -> None:
    """The receiver accepted, declined or asked: the answer deadline is met, here only."""
    tracking.referral_answered(referral)


def referral_ended(referral, actor) -> None:
    """The referral was cancelled: nothing is due on it any more."""
    tracking.referral_withdrawn(referral)
