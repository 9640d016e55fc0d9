"""kill -9 of `trm worker`, first in the middle of a sweep of a few hundred overdue deadlines and
then in the middle of sending their e-mails: after a restart every deadline is escalated once,
every e-mail is there with its Message-ID (a second copy only of the one the kill may have caught
between the mail server's acceptance and its mark as sent), and no task is left RUNNING."""

import datetime
import email
import os
import signal
import subprocess
import sys
import time
import uuid
from collections import Counter

import pytest
from django.db import connection
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from trm.accounts.models import Role
from trm.audit.models import AuditEvent
from trm.deadlines import sweep as sweeping
from trm.deadlines.models import Deadline, DeadlineKind, Notification, OutgoingEmail

DEADLINES = 300
RECLAIM_SECONDS = 2

pytestmark = [
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="the worker runs in another process, which cannot see the in-memory SQLite test "
        "database; on PostgreSQL it works on the test database itself",
    ),
    pytest.mark.django_db(transaction=True),
]


def overdue_backlog(scene) -> None:
    """DEADLINES unanswered referrals on a few cases, an hour overdue, each alerting the two
    focal points of the receiving country."""
    scene.staff(scene.personas.organisation("AL", focal_point=True), Role.FOCAL_POINT)
    cases = [scene.case() for _ in range(8)]
    due = timezone.now() - datetime.timedelta(hours=1)
    Deadline.objects.bulk_create(
        Deadline(
            case=cases[number % len(cases)],
            referral_id=uuid.uuid4(),
            kind=DeadlineKind.REFERRAL_RESPONSE,
            country=scene.receiver.country,
            starts_at=due - datetime.timedelta(days=3),
            due_at=due,
        )
        for number in range(DEADLINES)
    )


class Worker:
    """`trm worker` in its own process on the test database, mailing to files in `mail`."""

    def __init__(self, tmp_path, settings):
        database = connection.settings_dict
        clean = {k: v for k, v in os.environ.items() if not k.startswith(("TRM_", "DJANGO_"))}
        self.mail = tmp_path / "mail"
        self.log = tmp_path / "worker.log"
        self.env = {
            **clean,
            "TRM_HOME": str(tmp_path / "home"),
            "TRM_DATABASE_URL": (
                f"postgres://{database['USER']}@{database['HOST']}:{database['PORT']}/"
                f"{database['NAME']}"
            ),
            "TRM_KEY_FILE": str(settings.KEY_FILE),
            "TRM_NODE_KEY_FILE": str(settings.NODE_KEY_FILE),
            "TRM_EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
            "TRM_EMAIL_FILE_PATH": str(self.mail),
            "TRM_TASK_RECLAIM_SECONDS": str(RECLAIM_SECONDS),
        }
        self.process = None

    def command(self, *options):
        return [sys.executable, "-m", "trm.cli", "worker", "--interval", "0.2", *options]

    def start(self) -> None:
        with self.log.open("a") as log:
            self.process = subprocess.Popen(  # noqa: S603
                self.command(), env=self.env, stdout=log, stderr=subprocess.STDOUT
            )

    def kill_when(self, condition, timeout=30.0) -> None:
        """kill -9 the worker as soon as `condition()` holds."""
        deadline = time.monotonic() + timeout
        while not condition():
            assert self.process.poll() is None, self.log.read_text()
            assert time.monotonic() < deadline, self.log.read_text()
            time.sleep(0.005)
        os.kill(self.process.pid, signal.SIGKILL)
        self.process.wait()

    def run_once(self) -> None:
        """Run what is due, as a restarted worker does first, to its end."""
        with self.log.open("a") as log:
            subprocess.run(  # noqa: S603
                self.command("--once"),
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
                timeout=60,
                check=True,
            )

    def message_ids(self) -> list[tuple[str, str]]:
        """(Message-ID, recipient) of every e-mail in the files, duplicates included."""
        found = []
        for path in sorted(self.mail.iterdir()):
            for chunk in path.read_bytes().split(b"\n" + b"-" * 79 + b"\n"):
                if chunk.strip():
                    message = email.message_from_bytes(chunk)
                    found.append((message["Message-ID"], message["To"]))
        return found


def escalated() -> int:
    return Deadline.objects.filter(escalated_at__isnull=False).count()


def sent() -> int:
    return OutgoingEmail.objects.filter(status=OutgoingEmail.Status.SENT).count()


def test_a_worker_killed_during_a_sweep_and_its_emails_loses_and_repeats_nothing(
    scene, tmp_path, settings, capsys
):
    overdue_backlog(scene)
    worker = Worker(tmp_path, settings)
    started = time.monotonic()

    worker.start()
    worker.kill_when(lambda: escalated() >= sweeping.BATCH_SIZE)
    at_first_kill = escalated(), OutgoingEmail.objects.count(), sent()
    assert at_first_kill[0] < DEADLINES, "killed in the middle of the sweep"

    worker.start()  # at once, as a supervisor restarts it
    worker.kill_when(lambda: sent() >= 100)
    at_second_kill = escalated(), sent()
    second_kill = timezone.now()
    assert at_second_kill[1] < 2 * DEADLINES, "killed in the middle of the delivery"

    time.sleep(RECLAIM_SECONDS + 0.5)  # restarted a moment later: the killed claims expired
    restarted = time.monotonic()
    worker.run_once()
    finished = time.monotonic()

    # Every deadline escalated once: one audit event and two notifications each.
    assert escalated() == DEADLINES
    assert AuditEvent.objects.filter(action="trm.deadline.escalated").count() == DEADLINES
    assert Notification.objects.count() == 2 * DEADLINES
    # Every e-mail sent, and in the files with its own Message-ID to its own reader.
    emails = OutgoingEmail.objects.select_related("recipient")
    assert emails.count() == sent() == 2 * DEADLINES
    domain = "127.0.0.1"
    expected = {(f"<{e.key}@{domain}>", e.recipient.email) for e in emails}
    found = worker.message_ids()
    assert set(found) == expected
    copies = Counter(found)
    repeated = sorted(count for count in copies.values() if count > 1)
    assert repeated in ([], [2]), "at most the one e-mail the kill caught in its window"
    # No task left RUNNING: the two killed ones failed with the reason, and ran again.
    assert not DBTaskResult.objects.running().exists()
    lost = DBTaskResult.objects.failed().filter(exception_class_path="trm.core.tasks.WorkerLost")
    assert sorted(result.task_path.rsplit(".", 1)[1] for result in lost) == [
        "deliver_emails",
        "sweep_deadlines",
    ]
    assert not DBTaskResult.objects.failed().exclude(pk__in=lost).exists()

    after = OutgoingEmail.objects.filter(sent_at__gt=second_kill).order_by("sent_at")
    spread = (after.last().sent_at - after.first().sent_at).total_seconds()
    with capsys.disabled():
        print(
            f"\nkill test: {DEADLINES} deadlines, {2 * DEADLINES} e-mails; first kill at "
            f"{at_first_kill[0]} escalated, {at_first_kill[1]} e-mails written, "
            f"{at_first_kill[2]} sent; second kill at {at_second_kill[1]} sent; after the "
            f"restart {len(found)} e-mails in the files, {len(expected)} distinct, repeated "
            f"{repeated}; the restart ran {finished - restarted:.1f} s and sent {after.count()} "
            f"in {spread:.2f} s ({after.count() / max(spread, 0.001):.0f}/s); whole test "
            f"{time.monotonic() - started:.1f} s"
        )
