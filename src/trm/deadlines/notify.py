"""Telling people: a notification in the app and an e-mail, each in the recipient's language.

The e-mail says which case (its reference), what is due and when or what happened on its
referral, and links to the node: no name, no detail of the person, as e-mail leaves the node
unencrypted. The sweep tells of deadlines (`notify`); the referral actions tell of what the
other organisation did (`tell`). Both write in the step's transaction; the worker sends the
e-mails from the outbox (`trm.deadlines.outbox`).
"""

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from trm.directory.models import Node

from . import messages, outbox
from .models import Notification, NotificationEvent


def node_link(path: str) -> str:
    """An address on this node: its public address (the node's, or TRM_BASE_URL) and the path."""
    node = Node.objects.filter(is_this_node=True).first()
    base = (node.base_url if node and node.base_url else settings.BASE_URL).rstrip("/")
    return f"{base}{path}"


def notifications_link() -> str:
    """Where an e-mail sends its reader: the notifications page on this node."""
    return node_link(reverse("deadlines:notifications"))


def emails_for(deadline, event: str, users, link: str | None = None) -> list[tuple]:
    """What to e-mail each of `users` with an address, telling of `event` on `deadline` in the
    user's language: `(user, subject, body)`; the text is made once per language, not once per
    person. `link` is `notifications_link()`, given when many are made at once to read the node
    once."""
    link = link or notifications_link()
    texts = {}
    emails = []
    for user in users:
        if not user.email:
            continue
        language = user.language or None
        if language not in texts:
            with translation.override(language):
                texts[language] = (
                    messages.subject(deadline, event),
                    render_to_string(
                        "deadlines/email/deadline.txt",
                        {"text": messages.describe(deadline, event), "link": link},
                    ),
                )
        emails.append((user, *texts[language]))
    return emails


def notify(event: str, recipients_of, now) -> None:
    """Notify each recipient once of `event` on its deadline: `recipients_of` pairs deadlines with
    their users. The notifications and their e-mails are written in the caller's transaction, a
    few inserts for all; the worker sends the e-mails once it commits (`outbox`)."""
    Notification.objects.bulk_create(
        [
            Notification(
                user=user,
                kind=deadline.kind,
                event=event,
                case=deadline.case,
                deadline=deadline,
                created_at=now,
            )
            for deadline, users in recipients_of
            for user in users
        ],
        ignore_conflicts=True,
    )
    link = notifications_link()
    texts = {
        (deadline.pk, user.pk): (subject, body)
        for deadline, users in recipients_of
        for user, subject, body in emails_for(deadline, event, users, link)
    }
    if not texts:
        return
    # The inserts ignored conflicts, so they gave no ids back: read them by what makes each one.
    written = Notification.objects.filter(
        event=event, deadline__in={deadline for deadline, _user in texts}
    ).values_list("pk", "deadline_id", "user_id")
    outbox.write(
        [
            (pk, user, *texts[deadline, user])
            for pk, deadline, user in written
            if (deadline, user) in texts
        ]
    )


def tell(notifications: list[Notification], *, by: str = "message_id") -> None:
    """Write `notifications` (new, one per user, each of a referral message, or of what field
    `by` names: an undelivered envelope) and the e-mail of each user with an address, in their
    language, inside the caller's transaction; the worker sends the e-mails once it commits
    (`outbox`). A user told of the same news before is not told again."""
    Notification.objects.bulk_create(notifications, ignore_conflicts=True)
    link = notifications_link()
    texts = {}
    emails = {}
    for notification in notifications:
        user = notification.user
        if not user.email:
            continue
        language = user.language or None
        # The same news to many readers: its text is made once per language.
        news = (notification.event, getattr(notification, by), notification.deadline_id)
        if (news, language) not in texts:
            with translation.override(language):
                texts[news, language] = (
                    messages.notification_subject(notification),
                    render_to_string(
                        "deadlines/email/deadline.txt",
                        {"text": messages.notification_text(notification), "link": link},
                    ),
                )
        emails[getattr(notification, by), user.pk] = texts[news, language]
    if not emails:
        return
    written = Notification.objects.filter(
        **{f"{by}__in": {news for news, _user in emails}}
    ).values_list("pk", by, "user_id")
    outbox.write(
        [(pk, user, *emails[news, user]) for pk, news, user in written if (news, user) in emails]
    )


def tell_of_emergency_access(case, actor, officers, now) -> None:
    """Tell each of `officers` (users) in the app and by e-mail that `actor` opened `case`
    with emergency access, in the caller's transaction (the break-the-glass step)."""
    written = [
        Notification.objects.create(
            user=officer,
            event=NotificationEvent.BREAK_GLASS,
            case=case,
            actor=actor,
            created_at=now,
        )  # fmt: skip
        for officer in officers
    ]
    link = notifications_link()
    emails = []
    for notification in written:
        if not notification.user.email:
            continue
        with translation.override(notification.user.language or None):
            text = messages.notification_text(notification)
            body = render_to_string("deadlines/email/deadline.txt", {"text": text, "link": link})
            emails.append(
                (notification.pk, notification.user_id,
                 messages.notification_subject(notification), body)
            )  # fmt: skip
    outbox.write(emails)
