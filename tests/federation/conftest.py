"""Two real nodes for the exchange tests: Greece, a `trm serve` process with its own data
directory and SQLite database, started once per test process; and Albania, this test process
(its database the test database, its identity in a data directory of its own)."""

import functools
import os
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import pytest

from tests.core.test_cli import trm
from trm.federation.identity import init_node, spoken_fingerprint

# A node's worker delivering to this test process posts one envelope at a time: the live
# server's in-memory SQLite database (its shared cache) refuses a second writer at once
# instead of waiting ("database table is locked"). On PostgreSQL it would take them side by
# side; tests/federation/test_delivery.py covers the order that keeps.
ONE_AT_A_TIME = {"TRM_FEDERATION_DELIVERY_THREADS": "1"}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@functools.cache
def migrated_database() -> Path:
    """An empty database as a new node's first `trm serve` migrates it, made once per test
    process and copied into each new node's home: each node keeps its own database, without
    spending seconds of every test on the same migrations."""
    home = Path(tempfile.mkdtemp(prefix="trm-migrated-"))
    made = trm("manage", "migrate", "--verbosity", "0", home=home)
    assert made.returncode == 0, made.stderr
    with sqlite3.connect(home / "trm.sqlite3") as database:
        database.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return home / "trm.sqlite3"


class GreekNode:
    """`trm serve` of the Greek node, which can be stopped and started again on its port."""

    def __init__(self, home):
        self.home, self.port = home, free_port()
        home.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(migrated_database(), home / "trm.sqlite3")
        self.address = f"http://127.0.0.1:{self.port}"
        made = trm("node", "init", "--name", "gr", "--countries", "GR", "--address", self.address,
                   home=home)  # fmt: skip
        assert made.returncode == 0, made.stderr
        self.fingerprint = made.stdout.splitlines()[-1].removeprefix("fingerprint: ")
        self.server = None

    def start(self):
        clean = {k: v for k, v in os.environ.items() if not k.startswith(("TRM_", "DJANGO_"))}
        self.server = subprocess.Popen(  # noqa: S603
            [sys.executable, "-m", "trm.cli", "serve", "--port", str(self.port), "--workers", "1",
             "--threads", "2"],
            env={**clean, "TRM_HOME": str(self.home)}, stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT, text=True, start_new_session=True,
        )  # fmt: skip
        deadline = time.monotonic() + 120
        while True:
            assert self.server.poll() is None, self.server.stdout.read()
            try:
                with urllib.request.urlopen(f"{self.address}/healthz", timeout=5):  # noqa: S310
                    return
            except OSError:
                assert time.monotonic() < deadline, "the Greek node did not answer in time"
                time.sleep(0.3)

    def stop(self):
        self.server.send_signal(signal.SIGTERM)
        self.server.communicate(timeout=30)

    def kill(self):
        """kill -9 of the server and its workers: nothing gets to finish or answer."""
        os.killpg(self.server.pid, signal.SIGKILL)
        self.server.communicate(timeout=30)

    @property
    def running(self) -> bool:
        return self.server is not None and self.server.poll() is None

    def envelopes_received(self) -> list[tuple[str, str]]:
        with sqlite3.connect(self.home / "trm.sqlite3") as database:
            return database.execute(
                "SELECT message_id, type FROM federation_incomingenvelope ORDER BY id"
            ).fetchall()

    def forget_envelopes(self):
        with sqlite3.connect(self.home / "trm.sqlite3") as database:
            database.execute("DELETE FROM federation_incomingenvelope")


@pytest.fixture(scope="session")
def greek_node(tmp_path_factory):
    node = GreekNode(tmp_path_factory.mktemp("greece"))
    node.start()
    yield node
    if node.running:
        node.stop()


@pytest.fixture
def greece(greek_node):
    """The Greek node, running, with nothing received yet."""
    if not greek_node.running:
        greek_node.start()
    greek_node.forget_envelopes()
    return greek_node


@pytest.fixture(scope="session")
def _albanian_home(tmp_path_factory):
    return tmp_path_factory.mktemp("albania")


@pytest.fixture
def albania(settings, _albanian_home):
    """This process as the Albanian node: its identity, made once, kept for the session."""
    settings.TRM_HOME = _albanian_home
    settings.NODE_KEY_FILE = _albanian_home / "keys" / "node_ed25519.pem"
    settings.NODE_ENCRYPTION_KEY_FILE = _albanian_home / "keys" / "node_x25519.pem"
    return init_node(name="al", countries=["AL"], address="http://127.0.0.1:1")


@pytest.fixture
def greece_pins_albania(greece, albania, live_server):
    """Greece has pinned this node, fetching its document from the live server."""
    listed = trm("peer", "list", home=greece.home).stdout
    if not any(line.startswith("al\t") and line.endswith("active") for line in listed.splitlines()):
        pinned = trm("peer", "add", live_server.url, "--fingerprint",
                     spoken_fingerprint(albania.fingerprint), home=greece.home)  # fmt: skip
        assert pinned.returncode == 0, pinned.stderr
    return greece
