"""E-mails are rows of an outbox written in the step's transaction and sent by the worker: a
step that fails leaves none, a refusing mail server is tried again with a growing pause, an
e-mail sent is never sent again, and one that keeps failing is failed for the administrator."""

import datetime
import smtplib
import threading

import pytest
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend as MemoryBackend
from django.db import connection, connections
from django.test import TestCase

from trm.cli import main
from trm.core.health import node_problems
from trm.core.tasks import housekeeping
from trm.deadlines import outbox
from trm.deadlines import sweep as sweeping
from trm.deadlines.models import Deadline, DeadlineKind, Notification, OutgoingEmail
from trm.deadlines.outbox import deliver
from trm.lib.errors import DomainError
from trm.lib.steps import step

from .conftest import PERSONAL_WORDS, local

pytestmark = pytest.mark.django_db

OPENED = local("AL", 2026, 3, 2, 9, 0)
DUE = OPENED + datetime.timedelta(days=3)
OVERDUE = DUE + datetime.timedelta(hours=1)
Status = OutgoingEmail.Status


class RefusingBackend(MemoryBackend):
    """A mail server that answers every message with a temporary refusal quoting its address."""

    def send_messages(self, messages):
        raise smtplib.SMTPResponseException(451, f"try later, {messages[0].to[0]}")


class UnreachableBackend(MemoryBackend):
    def open(self):
        raise ConnectionRefusedError(111, "Connection refused")


def use_mail_server(settings, backend) -> None:
    settings.MAILERS = {"default": {"BACKEND": f"{backend.__module__}.{backend.__qualname__}"}}


def overdue(scene, count=1) -> list[Deadline]:
    """`count` answers to referrals due three days after OPENED, alerting the receiving
    country's focal point once overdue."""
    found = []
    for _ in range(count):
        deadline = Deadline.objects.create(
            case=scene.case(),
            kind=DeadlineKind.REFERRAL_RESPONSE,
            country=scene.receiver.country,
            starts_at=OPENED,
            due_at=DUE,
        )
        found.append(deadline)
    return found


@pytest.fixture
def waiting(scene, time_machine):
    """One overdue alert swept at OVERDUE: its e-mail in the outbox, not sent yet."""
    time_machine.move_to(OPENED, tick=False)
    overdue(scene)
    time_machine.move_to(OVERDUE, tick=False)
    with TestCase.captureOnCommitCallbacks(execute=True):
        assert sweeping.sweep() == {"reminded": 0, "escalated": 1}
    mail.outbox.clear()
    return OutgoingEmail.objects.get()


def later(time_machine, **delta) -> None:
    time_machine.move_to(datetime.datetime.now(datetime.UTC) + datetime.timedelta(**delta))


def test_the_sweep_writes_the_email_beside_its_notification_and_sends_nothing(scene, waiting):
    notification = Notification.objects.get()
    assert waiting.notification == notification
    assert waiting.recipient == scene.receiving_focal_point == notification.user
    assert waiting.status == Status.PENDING
    assert mail.outbox == []
    for word in [*PERSONAL_WORDS, scene.receiving_focal_point.email]:
        assert word not in f"{waiting.subject} {waiting.body}", "no personal data in the row"
    assert waiting.notification.case.reference in waiting.subject


def test_a_step_that_fails_leaves_no_email_in_the_outbox(scene, time_machine):
    time_machine.move_to(OPENED, tick=False)
    [deadline] = overdue(scene)
    time_machine.move_to(OVERDUE, tick=False)

    @step
    def escalate_then_refuse():
        assert sweeping.escalate(deadline.pk, OVERDUE)
        assert OutgoingEmail.objects.count() == 1, "written in the step's transaction"
        raise DomainError("refused after the alert was written")

    with pytest.raises(DomainError), TestCase.captureOnCommitCallbacks(execute=True) as nudges:
        escalate_then_refuse()
    assert not Notification.objects.exists()
    assert not OutgoingEmail.objects.exists()
    assert nudges == [], "nothing to nudge the worker for"
    deliver()
    assert mail.outbox == []


def test_the_email_is_sent_once_with_its_key_as_message_id(scene, waiting):
    assert deliver() == {"sent": 1, "retried": 0, "failed": 0}
    [message] = mail.outbox
    assert message.to == [scene.receiving_focal_point.email]
    assert message.subject == waiting.subject
    assert message.extra_headers["Message-ID"] == f"<{waiting.key}@127.0.0.1>"
    assert message.message()["Message-ID"] == f"<{waiting.key}@127.0.0.1>"
    waiting.refresh_from_db()
    assert waiting.status == Status.SENT
    assert waiting.sent_at is not None
    assert waiting.attempts == 1


def test_an_email_marked_sent_is_never_sent_again(waiting, time_machine):
    deliver()
    assert len(mail.outbox) == 1
    # Its claim's lease long over, as a row a dead worker had held would be: still not due.
    later(time_machine, days=1)
    OutgoingEmail.objects.update(next_attempt_at=datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC))
    assert deliver() == {"sent": 0, "retried": 0, "failed": 0}
    assert len(mail.outbox) == 1


def test_housekeeping_removes_emails_sent_long_ago_and_keeps_the_failed(waiting, time_machine):
    deliver()
    later(time_machine, days=29)
    assert housekeeping.call()["sent_emails"] == 0
    later(time_machine, days=2)
    assert housekeeping.call()["sent_emails"] == 1
    assert not OutgoingEmail.objects.exists()
    assert Notification.objects.exists(), "the notification in the app stays"


def test_writing_the_same_notifications_email_again_adds_no_second(scene, waiting):
    outbox.write([(waiting.notification_id, waiting.recipient_id, "again", "again")])
    assert OutgoingEmail.objects.get().subject == waiting.subject
    deliver()
    deliver()
    assert len(mail.outbox) == 1


def test_a_refusing_mail_server_is_tried_again_after_a_growing_pause(
    settings, waiting, time_machine
):
    use_mail_server(settings, RefusingBackend)
    assert deliver() == {"sent": 0, "retried": 1, "failed": 0}
    waiting.refresh_from_db()
    assert waiting.status == Status.PENDING
    assert waiting.attempts == 1
    assert waiting.last_error == "smtplib.SMTPResponseException 451", "no server text, no address"
    first = waiting.next_attempt_at - OVERDUE
    assert first == datetime.timedelta(seconds=settings.EMAIL_RETRY_SECONDS)

    later(time_machine, seconds=settings.EMAIL_RETRY_SECONDS - 1)
    assert deliver() == {"sent": 0, "retried": 0, "failed": 0}, "not before its time"
    later(time_machine, seconds=1)
    tried = datetime.datetime.now(datetime.UTC)
    assert deliver() == {"sent": 0, "retried": 1, "failed": 0}
    waiting.refresh_from_db()
    assert waiting.attempts == 2
    assert waiting.next_attempt_at - tried == 2 * first, "twice the pause"

    use_mail_server(settings, MemoryBackend)
    later(time_machine, seconds=2 * settings.EMAIL_RETRY_SECONDS)
    assert deliver() == {"sent": 1, "retried": 0, "failed": 0}
    [message] = mail.outbox
    assert message.extra_headers["Message-ID"].startswith(f"<{waiting.key}@")
    waiting.refresh_from_db()
    assert (waiting.status, waiting.attempts, waiting.last_error) == (Status.SENT, 3, "")


def test_after_its_last_attempt_an_email_fails_and_the_administrator_is_told(
    settings, waiting, time_machine, capsys
):
    settings.EMAIL_ATTEMPTS = 3
    use_mail_server(settings, UnreachableBackend)
    results = []
    for _ in range(5):
        results.append(deliver())
        later(time_machine, hours=1)
    assert results == [
        {"sent": 0, "retried": 1, "failed": 0},
        {"sent": 0, "retried": 1, "failed": 0},
        {"sent": 0, "retried": 0, "failed": 1},
        {"sent": 0, "retried": 0, "failed": 0},
        {"sent": 0, "retried": 0, "failed": 0},
    ]
    waiting.refresh_from_db()
    assert (waiting.status, waiting.attempts) == (Status.FAILED, 3)
    assert waiting.last_error == "builtins.ConnectionRefusedError"
    assert "1 e-mails could not be delivered: 'trm emails' lists them" in node_problems()
    main(["emails"])
    listed = capsys.readouterr().out
    assert listed.startswith("0 pending, 0 sending, 0 sent, 1 failed\n")
    assert f"failed {waiting.key} to {waiting.recipient.username} after 3 attempts" in listed
    assert "builtins.ConnectionRefusedError" in listed

    main(["emails", "--retry"])
    use_mail_server(settings, MemoryBackend)
    assert deliver() == {"sent": 1, "retried": 0, "failed": 0}


def test_an_email_a_dead_worker_held_is_sent_by_another_once_its_lease_ran_out(
    settings, waiting, time_machine
):
    [held] = outbox._claim(datetime.datetime.now(datetime.UTC))  # and then the worker died
    assert held.status == Status.SENDING
    assert deliver() == {"sent": 0, "retried": 0, "failed": 0}, "leased to the dead worker"
    later(time_machine, seconds=settings.TASK_RECLAIM_SECONDS)
    assert deliver() == {"sent": 1, "retried": 0, "failed": 0}
    assert len(mail.outbox) == 1
    waiting.refresh_from_db()
    assert waiting.attempts == 2


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="the in-memory SQLite test database shares one connection's cache between threads; "
    "on SQLite the IMMEDIATE transaction serialises the claims",
)
@pytest.mark.django_db(transaction=True)
def test_two_workers_delivering_at_once_send_each_email_once(scene, time_machine):
    time_machine.move_to(OPENED, tick=False)
    overdue(scene, 120)
    time_machine.move_to(OVERDUE, tick=False)
    sweeping.sweep()
    mail.outbox.clear()
    results, failures = [], []
    start = threading.Barrier(2)

    def worker():
        try:
            start.wait()
            results.append(deliver())
        except Exception as problem:  # noqa: BLE001 - reported to the test
            failures.append(problem)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    assert sum(result["sent"] for result in results) == 120
    ids = [message.extra_headers["Message-ID"] for message in mail.outbox]
    assert len(ids) == len(set(ids)) == 120
    assert OutgoingEmail.objects.filter(status=Status.SENT).count() == 120
