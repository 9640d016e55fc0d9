"""Telling the other organisation what happened on a referral, in the app and by e-mail.

A new referral is told to the receiving organisation's focal points and case workers; its
acceptance, its decline and a question to the sender, to the sending side: whoever sent the
referral, the case's case worker and the sending organisation's focal points. An answer is told
to the side that asked; a cancellation, to the receiving side; a withdrawal of the person's
consent, to the side that did not record it. The actions call `notify_of` in their transaction;
the notifications name the case by its reference and the organisation that acted, never the
person; their e-mails are written into the outbox with them, and the worker sends them once the
step committed (trm.deadlines.outbox).
"""

from trm.accounts.models import Role, User
from trm.deadlines.models import DeadlineKind, Notification, NotificationEvent
from trm.deadlines.notify import tell

from .models import MessageKind, ReferralMessage

EVENT_OF_KIND = {
    MessageKind.SEND: NotificationEvent.REFERRED,
    MessageKind.ACCEPT: NotificationEvent.ACCEPTED,
    MessageKind.DECLINE: NotificationEvent.DECLINED,
    MessageKind.ASK_INFORMATION: NotificationEvent.ASKED,
    MessageKind.ANSWER: NotificationEvent.ANSWERED,
    MessageKind.CANCEL: NotificationEvent.CANCELLED,
    MessageKind.CONSENT_WITHDRAWN: NotificationEvent.CONSENT_WITHDRAWN,
}
# Who receives referrals for an organisation: its focal points and case workers.
RECEIVING_ROLES = [Role.FOCAL_POINT, Role.CASE_WORKER]


def _active_members(organisation, roles):
    return User.objects.filter(
        is_active=True,
        memberships__organisation_id=organisation.pk,
        memberships__is_active=True,
        memberships__role__in=roles,
    )


def recipients(message: ReferralMessage) -> list[User]:
    """Who is told of `message`: the people of the organisation it went to who work on such
    messages (see the module), active users in active memberships only, in a stable order."""
    referral = message.referral
    if not message.to_organisation.is_hosted_here:
        return []  # its people are told on their own node, when the message arrives there
    if message.to_organisation_id == referral.receiver_id:
        found = _active_members(referral.receiver, RECEIVING_ROLES)
    else:
        people = set(
            _active_members(referral.sender, [Role.FOCAL_POINT]).values_list("pk", flat=True)
        )
        sent_by = (
            ReferralMessage.objects.filter(referral_id=referral.pk, kind=MessageKind.SEND)
            .values_list("sent_by_id", flat=True)
            .first()
        )
        people.update(pk for pk in [sent_by, referral.case.case_worker_id] if pk)
        # Still working the case for the sending organisation: a former member is not told.
        found = _active_members(
            referral.sender, [Role.CASE_WORKER, Role.SUPERVISOR, Role.FOCAL_POINT]
        ).filter(pk__in=people)
    return list(found.distinct().order_by("pk"))


def notify_of(message: ReferralMessage, actor, deadline=None) -> list[Notification]:
    """Notify the other organisation of `message`, just written on its (locked) referral, inside
    the caller's transaction; `deadline`: the answer deadline a new referral opened. The actor
    is not told of their own step."""
    referral = message.referral
    event = EVENT_OF_KIND[message.kind]
    notifications = [
        Notification(
            user=user,
            kind=DeadlineKind.REFERRAL_RESPONSE if deadline is not None else "",
            event=event,
            case=referral.case,
            deadline=deadline,
            referral_id=referral.pk,
            message_id=message.pk,
            organisation=message.from_organisation,
            created_at=message.sent_at,
        )
        for user in recipients(message)
        if actor is None or user.pk != actor.pk
    ]
    tell(notifications)
    return notifications
