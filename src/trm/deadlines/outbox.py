"""E-mails that are not lost: written in the step's transaction, sent by the worker.

A step that notifies someone writes an `OutgoingEmail` row beside the notification, in its own
transaction, and only nudges the worker once it commits; it sends nothing itself. The worker
(`deliver`) claims the due rows in a short transaction (PostgreSQL locks them and skips those
another worker holds; SQLite's IMMEDIATE transaction serialises the claims), sends each through
Django's mail backend outside any transaction, and marks it sent in a transaction of its own.
A failure is tried again after 1, 2, 4… times `EMAIL_RETRY_SECONDS`, and after `EMAIL_ATTEMPTS`
attempts the row is failed, for `trm check` and `trm emails` to show.

Exactly once per recipient, with one window. A row marked sent is never claimed again. A claim
is a lease of `TASK_RECLAIM_SECONDS`: should the worker die, another sends the row once the
lease ran out. Between the mail server's acceptance and the commit that marks the row sent a
crash cannot be told from a failure before sending, so that e-mail goes out a second time; it
carries the same Message-ID (`<key@node>`), so the receiving server or the reader's client can
drop the duplicate. That window is one e-mail wide: each is marked sent as soon as it left.
"""

import logging
import uuid
from datetime import timedelta
from urllib.parse import urlsplit

from django.conf import settings
from django.core.mail import EmailMessage, mailers
from django.core.mail.utils import DNS_NAME
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from trm.lib.steps import step

from .models import OutgoingEmail

logger = logging.getLogger("trm.deadlines")

# The idempotency keys' namespace: a key is the same however often the same notification's
# e-mail is written, so a repeated write adds no second row.
KEY_NAMESPACE = uuid.UUID("6f1d4c1e-58c4-4a4b-9a53-2f0d3c7e8b10")
# Rows per claim: one mail server connection sends them.
CLAIM_SIZE = 50

Status = OutgoingEmail.Status


def key_of(notification_id: int, recipient_id: int) -> uuid.UUID:
    """The idempotency key of the e-mail telling `recipient_id` of `notification_id`."""
    return uuid.uuid5(KEY_NAMESPACE, f"{notification_id}/{recipient_id}")


def write(emails: list[tuple[int, int, str, str]]) -> None:
    """Write the e-mails `(notification id, recipient id, subject, body)` into the outbox in the
    caller's transaction, and nudge the worker once it commits. One already written (same
    notification and recipient) is left as it is: it is sent once."""
    if not emails:
        return
    now = timezone.now()
    OutgoingEmail.objects.bulk_create(
        [
            OutgoingEmail(
                key=key_of(notification, recipient),
                notification_id=notification,
                recipient_id=recipient,
                subject=subject,
                body=body,
                next_attempt_at=now,
                created_at=now,
            )
            for notification, recipient, subject, body in emails
        ],
        ignore_conflicts=True,
    )
    transaction.on_commit(nudge, robust=True)


def nudge() -> None:
    """Ask the worker to deliver soon; its periodic delivery catches what a lost nudge misses."""
    from trm.core.tasks import enqueue_unless_waiting

    from .tasks import deliver_emails

    enqueue_unless_waiting(deliver_emails)


def message_id(email: OutgoingEmail, domain: str) -> str:
    return f"<{email.key}@{domain}>"


def _domain() -> str:
    """This node's host name, for Message-IDs: the same on every attempt of an e-mail."""
    from .notify import node_link

    return urlsplit(node_link("/")).hostname or str(DNS_NAME)


def error_code(error: BaseException) -> str:
    """What is kept of a failure: its class and SMTP code, never its text (it may quote the
    address)."""
    kind = type(error)
    code = getattr(error, "smtp_code", None)
    name = f"{kind.__module__}.{kind.__qualname__}"
    return (f"{name} {code}" if code else name)[:120]


@step
def _claim(now) -> list[OutgoingEmail]:
    """Claim up to CLAIM_SIZE due e-mails for this worker: a lease until `now` plus
    TASK_RECLAIM_SECONDS, an attempt begun. A row whose worker died on its last attempt fails."""
    due = list(
        OutgoingEmail.objects.due(now)
        .order_by("next_attempt_at")
        .select_for_update(skip_locked=True)
        .values_list("pk", "attempts")[:CLAIM_SIZE]
    )
    spent = [pk for pk, attempts in due if attempts >= settings.EMAIL_ATTEMPTS]
    if spent:
        OutgoingEmail.objects.filter(pk__in=spent).update(
            status=Status.FAILED, last_error="trm.WorkerLost"
        )
        logger.warning("%d e-mails failed: their worker died on their last attempt", len(spent))
    claimed = [pk for pk, attempts in due if attempts < settings.EMAIL_ATTEMPTS]
    lease = now + timedelta(seconds=settings.TASK_RECLAIM_SECONDS)
    OutgoingEmail.objects.filter(pk__in=claimed).update(
        status=Status.SENDING, attempts=F("attempts") + 1, next_attempt_at=lease
    )
    return list(
        OutgoingEmail.objects.filter(pk__in=claimed)
        .select_related("recipient")
        .order_by("next_attempt_at", "pk")
    )


def _held(email: OutgoingEmail):
    """The row while this worker's lease on it holds: status and lease as it claimed them."""
    return OutgoingEmail.objects.filter(
        pk=email.pk, status=Status.SENDING, next_attempt_at=email.next_attempt_at
    )


def _mark_sent(email: OutgoingEmail) -> None:
    """Mark it sent at once, one UPDATE committing on its own (autocommit: one round trip, the
    window as short as it gets)."""
    if not _held(email).update(status=Status.SENT, sent_at=timezone.now(), last_error=""):
        # Only if this worker outlived its lease and another took the row over.
        logger.warning("e-mail %s was sent after its lease ended", email.key)


def backoff(attempts: int) -> timedelta:
    """How long after its `attempts`-th failed attempt an e-mail is tried again."""
    return timedelta(seconds=settings.EMAIL_RETRY_SECONDS * 2 ** (attempts - 1))


@step
def _mark_failed(email: OutgoingEmail, code: str) -> str:
    """Try it again later, or, after its last attempt, fail it; which of the two."""
    if email.attempts >= settings.EMAIL_ATTEMPTS:
        _held(email).update(status=Status.FAILED, last_error=code)
        return "failed"
    _held(email).update(
        status=Status.PENDING,
        next_attempt_at=timezone.now() + backoff(email.attempts),
        last_error=code,
    )
    return "retried"


def _send(emails: list[OutgoingEmail], counts: dict) -> None:
    """Send the claimed `emails` through one connection, marking each as soon as it is done."""
    domain = _domain()
    from_address = settings.DEFAULT_FROM_EMAIL
    try:
        connection = mailers.default
        connection.open()
    except Exception as error:  # noqa: BLE001 - the server is down: each is tried again
        code = error_code(error)
        logger.warning("mail server not reached (%s): %d e-mails wait", code, len(emails))
        for email in emails:
            counts[_mark_failed(email, code)] += 1
        return
    try:
        for email in emails:
            if timezone.now() >= email.next_attempt_at:
                # The lease ran out (a very slow server): another worker may hold these now.
                logger.warning("e-mail lease ended; %s left to the next claim", email.key)
                break
            user = email.recipient
            if not (user.is_active and user.email):
                counts[_mark_failed(email, "trm.NoAddress")] += 1
                continue
            message = EmailMessage(
                email.subject,
                email.body,
                from_address,
                [user.email],
                headers={"Message-ID": message_id(email, domain)},
            )
            try:
                accepted = connection.send_messages([message])
            except Exception as error:  # noqa: BLE001 - recorded on the row, tried again
                code = error_code(error)
                logger.warning("e-mail %s not sent (%s)", email.key, code)
                counts[_mark_failed(email, code)] += 1
                continue
            if not accepted:
                counts[_mark_failed(email, "trm.NotAccepted")] += 1
                continue
            # The window: accepted by the server, not yet marked. A crash here sends it again.
            _mark_sent(email)
            counts["sent"] += 1
    finally:
        try:
            connection.close()
        except Exception:  # noqa: BLE001 - the messages were accepted or marked already
            logger.warning("mail server connection not closed cleanly", exc_info=True)


def deliver() -> dict:
    """Send every e-mail due now, claim by claim; how many were sent, will be tried again, and
    failed for good."""
    counts = {"sent": 0, "retried": 0, "failed": 0}
    while emails := _claim(timezone.now()):
        _send(emails, counts)
    if any(counts.values()):
        logger.info(
            "e-mails delivered: %(sent)d sent, %(retried)d to try again, %(failed)d failed", counts
        )
    return counts


@step
def retry_failed() -> int:
    """Give every failed e-mail its attempts anew, due now (once the mail server is mended);
    how many."""
    return OutgoingEmail.objects.filter(status=Status.FAILED).update(
        status=Status.PENDING, attempts=0, next_attempt_at=timezone.now()
    )
