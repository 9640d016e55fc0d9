"""Listening to the case journey: each move or record that concerns a referral sends a notice.

The journey announces its changes once committed; a failing notice must not undo the user's
step, so it is logged for the operators instead of raised.
"""

import logging

from trm.cases import signals as case_signals

from . import notices

logger = logging.getLogger(__name__)

NOTICE_OF_EVENT = {
    "depart": notices.departure_notice,
    "confirm_reception": notices.reception_confirmation,
    "close": notices.closure_notice,
    "withdraw_referral": notices.referral_withdrawn,
}


def on_case_moved(sender, *, case, transition, actor, **kwargs):
    notice = NOTICE_OF_EVENT.get(transition.event)
    if notice is None:
        return
    try:
        notice(case, actor)
    except Exception:
        logger.exception("the %s notice of case %s was not sent", transition.event, case.pk)


def on_record_added(sender, *, record, actor, **kwargs):
    if record.kind != "monitoring_contact":
        return
    try:
        notices.monitoring_summary(record, actor)
    except Exception:
        logger.exception("the monitoring summary of record %s was not sent", record.pk)


def connect():
    case_signals.case_moved.connect(on_case_moved, dispatch_uid="referrals.case_moved")
    case_signals.record_added.connect(on_record_added, dispatch_uid="referrals.record_added")
