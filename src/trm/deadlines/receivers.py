"""The journey's signals, turned into deadlines opened, met and cancelled.

Signals arrive after the case change committed: a failure here must not undo or hide it, so it
is rolled back alone, logged (identifiers only), and the journey goes on.
"""

import logging

from django.db import transaction

from trm.cases import signals

from . import tracking
from .models import CancelReason, Deadline, DeadlineKind

logger = logging.getLogger("trm.deadlines")

# The person's choice is made: the end of the reflection period needs no alert any more.
CHOICE_EVENTS = {"choose_return", "choose_to_stay"}


def _record_added(record):
    if record.kind == "reflection_period":
        tracking.track_reflection_period(record)
    elif record.kind == "reintegration_plan":
        plan = Deadline.objects.filter(case=record.case, kind=DeadlineKind.REINTEGRATION_PLAN_DUE)
        tracking.meet(plan, record=record)
    elif record.kind == "monitoring_contact":
        tracking.meet_monitoring_contact(record)


def _case_moved(case, event: str):
    deadlines = Deadline.objects.filter(case=case)
    if event in CHOICE_EVENTS:
        tracking.meet(deadlines.filter(kind=DeadlineKind.REFLECTION_PERIOD_END))
    elif event == "referral_accepted":
        tracking.meet(deadlines.filter(kind=DeadlineKind.REFERRAL_RESPONSE))
    elif event == "withdraw_referral":
        tracking.cancel(
            deadlines.filter(kind=DeadlineKind.REFERRAL_RESPONSE), CancelReason.WITHDRAWN
        )
    elif event == "depart":
        tracking.track_child_reception(case)
    elif event == "confirm_reception":
        tracking.meet(deadlines.filter(kind=DeadlineKind.CHILD_RECEPTION))
        tracking.track_return(case)
    elif event == "close":
        tracking.close_case(case)
    elif event == "reopen":
        tracking.reopen_case(case)


def on_record_added(sender, record, actor=None, **kwargs):
    try:
        with transaction.atomic():
            _record_added(record)
    except Exception:
        logger.exception("deadlines of case %s not updated after %s", record.case_id, record.pk)


def on_case_moved(sender, case, transition, actor=None, source=None, **kwargs):
    try:
        with transaction.atomic():
            _case_moved(case, transition.event)
    except Exception:
        logger.exception("deadlines of case %s not updated after %s", case.pk, transition.event)


def connect():
    signals.record_added.connect(on_record_added, dispatch_uid="trm.deadlines.record_added")
    signals.case_moved.connect(on_case_moved, dispatch_uid="trm.deadlines.case_moved")
