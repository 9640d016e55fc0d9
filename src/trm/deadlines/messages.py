"""What a notification says, in the active language: the kind of deadline or what happened on a
referral, the case reference, the due time and the organisation that acted, never anything about
the person (a question's or a reason's text stays on the referral, where it is encrypted)."""

from django.conf import settings
from django.utils import formats
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from trm.directory.clock import time_zone

from .models import DEADLINE_EVENTS, DeadlineKind, NotificationEvent

REMINDERS = {
    DeadlineKind.REFLECTION_PERIOD_END: _(
        "Case %(reference)s: the reflection and recovery period ends on %(due)s."
    ),
    DeadlineKind.REFERRAL_RESPONSE: _(
        "Case %(reference)s: the answer to the referral is due by %(due)s."
    ),
    DeadlineKind.CHILD_RECEPTION: _(
        "Case %(reference)s: confirm the child's reception by %(due)s."
    ),
    DeadlineKind.REINTEGRATION_PLAN_DUE: _(
        "Case %(reference)s: the reintegration plan is due by %(due)s."
    ),
}
OVERDUE = {
    DeadlineKind.REFLECTION_PERIOD_END: _(
        "Case %(reference)s: the reflection and recovery period ended on %(due)s."
    ),
    DeadlineKind.REFERRAL_RESPONSE: _(
        "Case %(reference)s: the referral was not answered by %(due)s."
    ),
    DeadlineKind.CHILD_RECEPTION: _(
        "Case %(reference)s: the child's reception was not confirmed by %(due)s."
    ),
    DeadlineKind.REINTEGRATION_PLAN_DUE: _(
        "Case %(reference)s: no reintegration plan was agreed by %(due)s."
    ),
}
SUBJECTS = {
    NotificationEvent.REMINDER: _("Reminder: case %(reference)s"),
    NotificationEvent.OVERDUE: _("Overdue: case %(reference)s"),
    NotificationEvent.REFERRED: _("New referral: case %(reference)s"),
    NotificationEvent.ACCEPTED: _("Referral accepted: case %(reference)s"),
    NotificationEvent.DECLINED: _("Referral declined: case %(reference)s"),
    NotificationEvent.ASKED: _("Question on the referral: case %(reference)s"),
    NotificationEvent.ANSWERED: _("Answer on the referral: case %(reference)s"),
    NotificationEvent.CANCELLED: _("Referral cancelled: case %(reference)s"),
    NotificationEvent.CONSENT_WITHDRAWN: _("Consent withdrawn: case %(reference)s"),
    NotificationEvent.UNDELIVERED: _("Undelivered message to the node %(node)s"),
    NotificationEvent.BREAK_GLASS: _("Emergency access: case %(reference)s"),
}
REFERRAL_NEWS = {
    NotificationEvent.REFERRED: _(
        "Case %(reference)s: a new referral from %(organisation)s waits for your answer by %(due)s."
    ),
    NotificationEvent.ACCEPTED: _("Case %(reference)s: %(organisation)s accepted the referral."),
    NotificationEvent.DECLINED: _("Case %(reference)s: %(organisation)s declined the referral."),
    NotificationEvent.ASKED: _(
        "Case %(reference)s: %(organisation)s asks a question about the referral."
    ),
    NotificationEvent.ANSWERED: _(
        "Case %(reference)s: %(organisation)s answered the question about the referral."
    ),
    NotificationEvent.CANCELLED: _(
        "Case %(reference)s: %(organisation)s cancelled the referral; its access to the case "
        "has ended."
    ),
    NotificationEvent.CONSENT_WITHDRAWN: _(
        "Case %(reference)s: the person withdrew their consent to the referral, as "
        "%(organisation)s records; the referral has ended."
    ),
}


def due_text(deadline) -> str:
    """The due moment in the local time of the country whose calendar counts, saying which."""
    local = deadline.due_at.astimezone(time_zone(deadline.country))
    return _("%(time)s, time in %(country)s") % {
        "time": formats.date_format(local, "DATETIME_FORMAT"),
        "country": deadline.country.display_name,
    }


def describe(deadline, event: str) -> str:
    """One sentence: what is due (or overdue) on which case, and by when."""
    values = {"reference": deadline.case.reference, "due": due_text(deadline)}
    if deadline.kind == DeadlineKind.MONITORING_CONTACT:
        values["months"] = deadline.sequence
        if event == NotificationEvent.REMINDER:
            text = ngettext(
                "Case %(reference)s: the monitoring contact %(months)d month after return is due "
                "by %(due)s.",
                "Case %(reference)s: the monitoring contact %(months)d months after return is due "
                "by %(due)s.",
                deadline.sequence,
            )
        else:
            text = ngettext(
                "Case %(reference)s: the monitoring contact %(months)d month after return was not "
                "recorded by %(due)s.",
                "Case %(reference)s: the monitoring contact %(months)d months after return was not "
                "recorded by %(due)s.",
                deadline.sequence,
            )
        return text % values
    table = REMINDERS if event == NotificationEvent.REMINDER else OVERDUE
    return str(table[deadline.kind]) % values


def subject(deadline, event: str) -> str:
    return str(SUBJECTS[event]) % {"reference": deadline.case.reference}


def describe_referral(notification) -> str:
    """One sentence: what the other organisation did on which case's referral (and, for a new
    referral, by when it must be answered)."""
    values = {
        "reference": notification.case.reference,
        "organisation": notification.organisation.name if notification.organisation else "",
        "due": due_text(notification.deadline) if notification.deadline else "",
    }
    return str(REFERRAL_NEWS[notification.event]) % values


def describe_undelivered(notification) -> str:
    """One sentence: which node a message waits for, since more than how long, and its id (to
    find it with `trm outbox --explain`); nothing of what it carries."""
    minutes = settings.FEDERATION_UNDELIVERED_ALERT_MINUTES
    return ngettext(
        "A message to the node %(node)s is still not delivered after more than %(minutes)d "
        "minute (message %(message)s). See the exchange with other nodes.",
        "A message to the node %(node)s is still not delivered after more than %(minutes)d "
        "minutes (message %(message)s). See the exchange with other nodes.",
        minutes,
    ) % {"node": _node(notification), "minutes": minutes, "message": notification.envelope}


def describe_emergency_access(notification) -> str:
    """One sentence for the data protection officers: who opened which case in an emergency;
    the reason they gave stays with the case's audit trail, encrypted."""
    return str(
        _(
            "Case %(reference)s: %(user)s opened it with emergency access. The reason they gave "
            "is in the case's audit trail: review it there."
        )
    ) % {
        "reference": notification.case.reference,
        "user": notification.actor.get_username() if notification.actor_id else "",
    }


def _node(notification) -> str:
    return notification.node.name if notification.node_id else ""


def notification_subject(notification) -> str:
    """An e-mail's subject for `notification`: what happened, on which case (or node)."""
    if notification.event == NotificationEvent.UNDELIVERED:
        return str(SUBJECTS[notification.event]) % {"node": _node(notification)}
    return str(SUBJECTS[notification.event]) % {"reference": notification.case.reference}


def notification_text(notification) -> str:
    if notification.event in DEADLINE_EVENTS:
        return describe(notification.deadline, notification.event)
    if notification.event == NotificationEvent.UNDELIVERED:
        return describe_undelivered(notification)
    if notification.event == NotificationEvent.BREAK_GLASS:
        return describe_emergency_access(notification)
    return describe_referral(notification)
