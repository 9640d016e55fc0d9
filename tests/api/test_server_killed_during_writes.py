"""`trm serve` killed outright (kill -9 of all its processes) while systems write through the
API: after the restart every acknowledged write is there, and no step is there in half."""

import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.parse

import pytest
from django.conf import settings
from django.db import connection

from tests.api.conftest import token_maker
from trm.accounts.models import Role
from trm.api.tokens import create_token
from trm.audit.models import AuditEvent
from trm.audit.verify import verify_chain
from trm.cases.models import Case, Note, StageRecord
from trm.crypto.keyring import keyring
from trm.directory.models import Organisation

pytestmark = [
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="the test database is SQLite in memory, which a server process cannot open",
    ),
    pytest.mark.django_db(transaction=True),
]

WRITERS = 3
WRITES = 6  # acknowledged cases before the kill, and again after the restart
PERSON = {"given_name": "Amira", "family_name": "Killed"}
NOTE = {"text": "Called the shelter."}
RECORD = {"kind": "service", "data": {"service": "legal_aid", "delivered_on": "2026-11-30"}}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Server:
    """`trm serve` on the test database, in a process group of its own (gunicorn's master and
    its workers), so that all of it can be killed at once."""

    def __init__(self, home, port):
        self.port, self.log = port, home / "serve.log"
        url = urllib.parse.urlsplit(os.environ["TRM_DATABASE_URL"])
        test_database = url._replace(path=f"/{connection.settings_dict['NAME']}")
        clean = {k: v for k, v in os.environ.items() if not k.startswith(("TRM_", "DJANGO_"))}
        self.environment = {
            **clean,
            "TRM_HOME": str(home),
            "TRM_DATABASE_URL": urllib.parse.urlunsplit(test_database),
            # The test run's keys: the server encrypts with the key this process can read.
            "TRM_KEY_FILE": str(settings.KEY_FILE),
            "TRM_NODE_KEY_FILE": str(settings.NODE_KEY_FILE),
        }
        self.process = None

    def start(self):
        with self.log.open("a") as log:
            self.process = subprocess.Popen(  # noqa: S603 (our own interpreter and module)
                [sys.executable, "-m", "trm.cli", "serve", "--port", str(self.port),
                 "--workers", "2", "--threads", "2"],
                env=self.environment, stdout=log, stderr=subprocess.STDOUT,
                start_new_session=True,
            )  # fmt: skip
        deadline = time.monotonic() + 60
        while True:
            assert self.process.poll() is None, self.log.read_text()
            # Whatever it answers meanwhile (refused connections, a 500): never wait forever.
            assert time.monotonic() < deadline, f"trm serve did not answer: {self.log}"
            try:
                probe = http.client.HTTPConnection("127.0.0.1", self.port, timeout=2)
                probe.request("GET", "/healthz")
                if probe.getresponse().status == 200:
                    return
            except OSError:
                pass
            time.sleep(0.2)

    def kill(self):
        """kill -9 of the master and every worker: nothing gets to finish or clean up."""
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self):
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            self.process.wait(timeout=30)


class Writer:
    """A system writing as fast as it is answered: open a case, add a note, add a record.
    What was acknowledged (201) is kept; a connection error is tried again."""

    def __init__(self, port, secret):
        self.port, self.secret = port, secret
        self.cases, self.notes, self.records = [], [], []
        self.failures = []
        self.connection = None

    def post(self, path, body):
        if self.connection is None:
            self.connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        try:
            self.connection.request(
                "POST",
                path,
                body=json.dumps(body),
                headers={"Authorization": f"Bearer {self.secret}",
                         "Content-Type": "application/json"},
            )  # fmt: skip
            response = self.connection.getresponse()
            answer = response.read()
        except (OSError, http.client.HTTPException):
            self.connection.close()
            self.connection = None
            time.sleep(0.05)  # the server is down: not acknowledged, try again
            return None
        if response.status != 201:
            self.failures.append((path.rsplit("/", 1)[-1], response.status, answer[:300]))
            return None
        return json.loads(answer)["id"]

    def write(self, stop: threading.Event):
        while not stop.is_set():
            case = self.post("/api/cases/", {"person": PERSON})
            if case is None:
                continue
            self.cases.append(case)
            note = self.post(f"/api/cases/{case}/notes", NOTE)
            if note is not None:
                self.notes.append(note)
            record = self.post(f"/api/cases/{case}/records", RECORD)
            if record is not None:
                self.records.append(record)


def acknowledged(writers, kind):
    return {identifier for writer in writers for identifier in getattr(writer, kind)}


def until_acknowledged(writers, count, seconds=20):
    deadline = time.monotonic() + seconds
    while len(acknowledged(writers, "cases")) < count and time.monotonic() < deadline:
        time.sleep(0.05)
    return len(acknowledged(writers, "cases"))


def test_every_acknowledged_write_survives_a_kill_of_the_server_and_none_is_half_done(tmp_path):
    keyring()  # the key file exists before two processes might both make it
    organisation = Organisation.objects.get(slug="iom-spain")
    secrets = [
        create_token(None, organisation, name=f"Writer {number}",
                     scopes=["cases:read", "cases:write"],
                     maker=token_maker(organisation, Role.CASE_WORKER))[1]
        for number in range(WRITERS)
    ]  # fmt: skip
    connection.close()  # no idle connection of ours while the server works
    server = Server(tmp_path, free_port())
    writers = [Writer(server.port, secret) for secret in secrets]
    stop = threading.Event()
    threads = [threading.Thread(target=writer.write, args=(stop,)) for writer in writers]
    try:
        server.start()
        for thread in threads:
            thread.start()
        before_kill = until_acknowledged(writers, WRITES)  # writing goes on meanwhile
        server.kill()
        server.start()
        until_acknowledged(writers, before_kill + WRITES)
    finally:
        stop.set()
        for thread in threads:
            thread.join(timeout=60)
        server.stop()
    assert [failure for writer in writers for failure in writer.failures] == []
    assert before_kill >= WRITES, "too little was written before the kill"
    assert len(acknowledged(writers, "cases")) >= before_kill + WRITES, "too little after it"

    # Every acknowledged write is there.
    cases = {str(pk) for pk in Case.objects.values_list("pk", flat=True)}
    notes = {str(pk) for pk in Note.objects.values_list("pk", flat=True)}
    records = {str(pk) for pk in StageRecord.objects.values_list("pk", flat=True)}
    assert acknowledged(writers, "cases") <= cases
    assert acknowledged(writers, "notes") <= notes
    assert acknowledged(writers, "records") <= records
    # Nothing in half: each case, note and record with its audit event, each record's case
    # one version further for it, and the chain unbroken.
    events = AuditEvent.objects.filter(object_type="cases.case")
    opened = set(events.filter(action="trm.case.opened").values_list("object_id", flat=True))
    assert opened == cases
    noted = events.filter(action="trm.note.added").values_list("details", flat=True)
    assert {details["note"] for details in noted} == notes
    added = events.filter(action="trm.record.added").values_list("details", flat=True)
    assert {details["record"] for details in added} == records
    for case in Case.objects.all():
        assert case.version == 1 + StageRecord.objects.filter(case=case).count()
    assert verify_chain().ok
