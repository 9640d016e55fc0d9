"""Telling people: a notification in the app and an e-mail, each in the recipient's language.

The e-mail says which case (its reference), what is due and when or what happened on its
referral, and links to the node: no name, no detail of the person, as e-mail leaves the node
unencrypted. The sweep tells of deadlines (`notify`); the referral actions tell of what the
other organisation did (`tell`).
"""

import logging

from django.conf import settings
from django.core.mail import EmailMessage, mailers
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from trm.directory.models import Node

from . import messages
from .models import Notification

logger = logging.getLogger("trm.deadlines")


def node_link(path: str) -> str:
    """An address on this node: its public address (the node's, or TRM_BASE_URL) and the path."""
    node = Node.objects.filter(is_this_node=True).first()
    base = (node.base_url if node and node.base_url else settings.BASE_URL).rstrip("/")
    return f"{base}{path}"


def notifications_link() -> str:
    """Where an e-mail sends its reader: the notifications page on this node."""
    return node_link(reverse("deadlines:notifications"))


def emails_for(deadline, event: str, users, link: str | None = None) -> list[EmailMessage]:
    """An e-mail to each of `users` with an address, telling of `event` on `deadline` in the
    user's language: the text is made once per language, not once per person. `link` is
    `notifications_link()`, given when many e-mails are made at once to read the node once."""
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
        subject, body = texts[language]
        emails.append(EmailMessage(subject, body, None, [user.email]))
    return emails


def notify(event: str, recipients_of, now) -> None:
    """Notify each recipient once of `event` on its deadline: `recipients_of` pairs deadlines with
    their users. The notifications are written in one insert; the e-mails leave together after
    the commit, so nothing is sent for a transaction that rolls back."""
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
    emails = [
        email
        for deadline, users in recipients_of
        for email in emails_for(deadline, event, users, link)
    ]
    if emails:
        transaction.on_commit(lambda: send(emails), robust=True)


def tell(notifications: list[Notification]) -> None:
    """Write `notifications` (new, one per user) in one insert, inside the caller's transaction,
    and e-mail each user with an address in their language once it commits: nothing is sent for
    a transaction that rolls back. A user told of the same message before is not told again."""
    Notification.objects.bulk_create(notifications, ignore_conflicts=True)
    link = notifications_link()
    texts = {}
    emails = []
    for notification in notifications:
        user = notification.user
        if not user.email:
            continue
        language = user.language or None
        # The same news to many readers: its text is made once per language.
        news = (notification.event, notification.message_id, notification.deadline_id)
        if (news, language) not in texts:
            with translation.override(language):
                texts[news, language] = (
                    messages.notification_subject(notification),
                    render_to_string(
                        "deadlines/email/deadline.txt",
                        {"text": messages.notification_text(notification), "link": link},
                    ),
                )
        subject, body = texts[news, language]
        emails.append(EmailMessage(subject, body, None, [user.email]))
    if emails:
        transaction.on_commit(lambda: send(emails), robust=True)


def send(emails) -> None:
    """Send the e-mails through one connection to the mail server, not one each."""
    try:
        with mailers.default as connection:
            for email in emails:
                try:
                    connection.send_messages([email])
                except Exception:
                    # One refused address must not hold back the others. The notification in
                    # the app stands; the e-mail is not retried.
                    logger.exception("deadline e-mail not sent")
    except Exception:
        # The server could not be reached (or left): the notifications in the app stand.
        logger.exception("deadline e-mails not sent")
