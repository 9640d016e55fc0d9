"""The `trm` command as an administrator uses it."""

import os
import sqlite3
import stat
import subprocess
import sys
from contextlib import closing
from datetime import timedelta

import pytest
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.utils import timezone

from trm.cli import main


def trm(*args, home, env=None):
    """Run `trm` in a fresh process, on SQLite in `home`."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("TRM_", "DJANGO_"))}
    return subprocess.run(  # noqa: S603
        [sys.executable, "-m", "trm.cli", *args],
        env={**clean, "TRM_HOME": str(home), **(env or {})},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


@pytest.mark.parametrize(
    "command",
    ["serve", "demo", "worker", "emails", "check", "manage", "keys", "audit", "retention", "token"],
)
def test_every_command_explains_itself(command, capsys):
    with pytest.raises(SystemExit) as exit_:
        main([command, "--help"])
    assert exit_.value.code == 0
    assert "usage: trm" in capsys.readouterr().out


@pytest.mark.django_db
def test_check_reports_a_healthy_node(capsys):
    main(["check"])
    assert "healthy" in capsys.readouterr().out


def test_check_names_unapplied_migrations(tmp_path):
    sqlite3.connect(tmp_path / "trm.sqlite3").close()  # a database, never migrated
    result = trm("check", home=tmp_path)
    assert result.returncode == 1
    assert "migrations are not applied" in result.stdout


# Every command that works on a node's data, with what it needs to get that far.
DATA_COMMANDS = [
    ["check"],
    ["worker", "--once"],
    ["keys", "rotate"],
    ["audit", "verify"],
    ["audit", "checkpoint"],
    ["retention", "report"],
    ["retention", "run"],
    ["token", "create", "--organisation", "iom-albania", "--scopes", "directory:read",
     "--name", "x"],
    ["manage", "createsuperuser", "--noinput", "--username", "x"],
]  # fmt: skip


@pytest.mark.parametrize("command", DATA_COMMANDS, ids=lambda command: " ".join(command[:2]))
def test_a_command_run_on_a_wrong_trm_home_says_so_and_creates_nothing(command, tmp_path):
    home = tmp_path / "no-such-node"
    result = trm(*command, home=home)
    assert result.returncode == 1
    assert f"this node's database in {home} is not set up" in result.stderr
    assert "run 'trm serve' once (it migrates on start) or 'trm manage migrate'" in result.stderr
    assert "Traceback" not in result.stderr
    assert not home.exists(), "no directory, no secret key, no SQLite file"


@pytest.mark.parametrize("command", DATA_COMMANDS[1:], ids=lambda command: " ".join(command[:2]))
def test_a_command_run_on_a_database_never_migrated_says_so_and_changes_nothing(command, tmp_path):
    database = tmp_path / "trm.sqlite3"
    sqlite3.connect(database).close()
    result = trm(*command, home=tmp_path)
    assert result.returncode == 1
    assert f"this node's database in {tmp_path} is not set up" in result.stderr
    assert "Traceback" not in result.stderr
    with closing(sqlite3.connect(database)) as connection:
        assert connection.execute("SELECT name FROM sqlite_master").fetchall() == []


def test_the_command_line_looks_for_the_database_where_the_settings_keep_it(tmp_path):
    """The command line looks before the settings load (they would create TRM_HOME): both must
    name the same file."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("TRM_", "DJANGO_"))}
    script = (
        "import django, os; os.environ['DJANGO_SETTINGS_MODULE'] = 'trm.settings'; "
        "from trm.cli import _sqlite_file; before = _sqlite_file(); django.setup(); "
        "from django.conf import settings; "
        "print(before == settings.DATABASES['default']['NAME'], before)"
    )
    result = subprocess.run(  # noqa: S603
        [sys.executable, "-c", script],
        env={**clean, "TRM_HOME": str(tmp_path / "home")},
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert result.stdout.strip() == f"True {tmp_path / 'home' / 'trm.sqlite3'}"


def test_a_configuration_mistake_is_a_message_not_a_traceback(tmp_path):
    sqlite3.connect(tmp_path / "trm.sqlite3").close()  # the data directory is right
    result = trm("check", home=tmp_path, env={"TRM_PRODUCTION": "1"})
    assert result.returncode != 0
    assert "configuration error: Production mode needs TRM_SECRET_KEY" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.django_db(transaction=True)
def test_the_worker_clears_expired_sessions(capsys):
    store = SessionStore()
    store["x"] = 1
    store.create()
    Session.objects.filter(session_key=store.session_key).update(
        expire_date=timezone.now() - timedelta(minutes=1)
    )
    main(["worker", "--once"])
    assert not Session.objects.filter(session_key=store.session_key).exists()


def test_a_new_key_file_is_private_and_never_overwritten(tmp_path, capsys):
    key_file = tmp_path / "keys" / "kek.key"
    main(["keys", "create", "--out", str(key_file)])
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    first = key_file.read_text()
    with pytest.raises(SystemExit):
        main(["keys", "create", "--out", str(key_file)])
    assert key_file.read_text() == first


def test_the_demo_creates_invented_staff_once_and_reuses_its_database(tmp_path):
    first = trm("demo", "--no-serve", home=tmp_path)
    assert first.returncode == 0, first.stderr
    assert "gr.caseworker" in first.stdout
    assert "al.focal" in first.stdout
    assert (tmp_path / "demo" / "trm.sqlite3").exists()
    # Its audit chain is checkpointed from the start, in the database and in the head file.
    assert (tmp_path / "demo" / "audit-head.json").exists()
    verified = trm("audit", "verify", home=tmp_path / "demo")
    assert "no checkpoint covers the newest 0 events yet" in verified.stdout, verified.stderr
    second = trm("demo", "--no-serve", home=tmp_path)
    assert second.returncode == 0, second.stderr
    assert second.stdout == first.stdout


def test_serve_answers_from_several_processes_and_stops_on_request(tmp_path):
    """`trm serve` migrates a new node, answers from its worker processes at once, and stops
    cleanly when the service manager asks (SIGTERM)."""
    import http.client
    import signal
    import socket
    import time
    from concurrent.futures import ThreadPoolExecutor

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("TRM_", "DJANGO_"))}
    server = subprocess.Popen(  # noqa: S603
        [sys.executable, "-m", "trm.cli", "serve", "--port", str(port), "--workers", "2",
         "--threads", "2"],
        env={**clean, "TRM_HOME": str(tmp_path)}, stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip

    def get(path):
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        connection.request("GET", path)
        response = connection.getresponse()
        return response.status, response.read()

    try:
        deadline = time.monotonic() + 120
        while True:
            assert server.poll() is None, server.stdout.read()
            try:
                if get("/healthz")[0] == 200:
                    break
            except OSError:
                assert time.monotonic() < deadline, "trm serve did not answer in time"
                time.sleep(0.3)
        with ThreadPoolExecutor(8) as pool:
            answers = list(pool.map(get, ["/accounts/login/"] * 16))
        assert {status for status, _body in answers} == {200}
        assert all(b"<form" in body for _status, body in answers)
    finally:
        server.send_signal(signal.SIGTERM)
        output = server.communicate(timeout=30)[0]
    assert server.returncode == 0, output
    assert "with 2 processes of 2 threads" in output
    assert "/accounts/login/" not in output  # no request log
