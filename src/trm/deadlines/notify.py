"""Telling people: a notification in the app and an e-mail, each in the recipient's language.

The e-mail says which case (its reference), what is due and when, and links to the node: no
name, no detail of the person, as e-mail leaves the node unencrypted.
"""

import logging

from django.conf import settings
from django.core.mail import EmailMessage
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


def email_for(user, deadline, event: str) -> EmailMessage:
    with translation.override(user.language or None):
        body = render_to_string(
            "deadlines/email/deadline.txt",
            {
                "text": messages.describe(deadline, event),
                "link": node_link(reverse("deadlines:notifications")),
            },
        )
        return EmailMessage(messages.subject(deadline, event), body, None, [user.email])


def notify(deadline, event: str, recipients, now) -> list[Notification]:
    """Notify each recipient once of `event` on `deadline`; e-mails leave after the commit."""
    created = Notification.objects.bulk_create(
        [
            Notification(
                user=user,
                kind=deadline.kind,
                event=event,
                case=deadline.case,
                deadline=deadline,
                created_at=now,
            )
            for user in recipients
        ],
        ignore_conflicts=True,
    )
    emails = [email_for(user, deadline, event) for user in recipients if user.email]
    if emails:
        transaction.on_commit(lambda: _send(emails), robust=True)
    return created


def _send(emails) -> None:
    for email in emails:
        try:
            email.send()
        except Exception:
            # The notification in the app stands; the e-mail is not retried.
            logger.exception("deadline e-mail not sent")
