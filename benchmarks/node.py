"""A throw-away node for the benchmarks, and `trm serve` started on it for the HTTP figures.

Everything a run writes lives in a temporary TRM_HOME with its own keys; the database is a
SQLite file there, or the test runner's test_<name> on PostgreSQL. Nothing touches a node's data.
"""

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
from contextlib import contextmanager
from pathlib import Path


@contextmanager
def throwaway_node(keep: bool = False):
    """Set up Django on a fresh home and an empty, migrated database; yield the home.

    Dropped afterwards unless `keep` (to examine slow queries by hand)."""
    home = Path(tempfile.mkdtemp(prefix="trm-bench-"))
    os.environ["TRM_HOME"] = str(home)
    os.environ["TRM_KEY_FILE"] = str(home / "keys" / "kek.key")
    os.environ["TRM_NODE_KEY_FILE"] = str(home / "keys" / "node_ed25519.pem")
    os.environ["DJANGO_SETTINGS_MODULE"] = "trm.settings"
    import django

    django.setup()
    from django.conf import settings
    from django.test.utils import get_runner, override_settings

    database = settings.DATABASES["default"]
    if database["ENGINE"].endswith("sqlite3"):
        # A file, not the test runner's in-memory database: `trm serve` must open it too.
        database.setdefault("TEST", {})["NAME"] = str(home / "trm.sqlite3")
    runner = get_runner(settings)(verbosity=0, interactive=False)
    old_config = runner.setup_databases()
    try:
        with override_settings(
            ALLOWED_HOSTS=[*settings.ALLOWED_HOSTS, "testserver"],
            MAILERS={"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}},
        ):
            yield home
    finally:
        if keep:
            name = settings.DATABASES["default"]["NAME"]
            print(f"\nkept: TRM_HOME={home} and the database {name}", file=sys.stderr)
        else:
            runner.teardown_databases(old_config)
            shutil.rmtree(home, ignore_errors=True)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def server_environment() -> dict:
    """The environment of this process, pointing at the database Django is using now."""
    from django.db import connection

    environment = dict(os.environ)
    if connection.vendor == "postgresql":
        # The test database the runner made, not the one the URL names.
        url = urllib.parse.urlsplit(os.environ["TRM_DATABASE_URL"])
        name = connection.settings_dict["NAME"]
        environment["TRM_DATABASE_URL"] = urllib.parse.urlunsplit(url._replace(path=f"/{name}"))
    return environment


@contextmanager
def serving(home: Path, workers: int = 1, threads: int = 4):
    """`trm serve` on a free port of 127.0.0.1, stopped afterwards; yields the port."""
    port = free_port()
    log_path = home / "serve.log"
    with log_path.open("w") as log:
        server = subprocess.Popen(  # noqa: S603 (our own interpreter and module)
            [sys.executable, "-m", "trm.cli", "serve", "--host", "127.0.0.1", "--port",
             str(port), "--workers", str(workers), "--threads", str(threads)],
            env=server_environment(), stdout=log, stderr=subprocess.STDOUT,
        )  # fmt: skip
        try:
            _wait_until_serving(port, server, log_path)
            yield port
        finally:
            server.terminate()
            try:
                server.wait(timeout=10)
            except subprocess.TimeoutExpired:
                server.kill()


def _wait_until_serving(port: int, server, log_path: Path, seconds: float = 90) -> None:
    import http.client

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"trm serve stopped: see {log_path}")
        try:
            probe = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            probe.request("GET", "/healthz")
            if probe.getresponse().status == 200:
                return
        except OSError:
            time.sleep(0.5)
    raise RuntimeError("trm serve did not answer in time")
