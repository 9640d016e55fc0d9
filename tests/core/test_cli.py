"""The `trm` command as an administrator uses it."""

import os
import stat
import subprocess
import sys
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
    ["serve", "demo", "worker", "check", "manage", "keys", "audit", "retention", "token"],
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
    result = trm("check", home=tmp_path)
    assert result.returncode == 1
    assert "migrations are not applied" in result.stdout


def test_a_configuration_mistake_is_a_message_not_a_traceback(tmp_path):
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
    second = trm("demo", "--no-serve", home=tmp_path)
    assert second.returncode == 0, second.stderr
    assert second.stdout == first.stdout
