"""`trm demo --federated` as a newcomer runs it: three nodes answer, a referral made on the
Greek node is in the Albanian node's inbox, and Ctrl+C stops every process it started."""

import os
import queue
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path


def three_free_ports() -> int:
    """The first of three consecutive ports nobody listens on."""
    while True:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            first = probe.getsockname()[1]
        if first > 65000:
            continue
        free = True
        for port in (first + 1, first + 2):
            with socket.socket() as probe:
                try:
                    probe.bind(("127.0.0.1", port))
                except OSError:
                    free = False
        if free:
            return first


def descendants(pid: int) -> set[int]:
    """Every process under `pid`, read from /proc."""
    parents = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            parents[int(entry.name)] = int(stat.rsplit(")", 1)[1].split()[1])
    found, frontier = set(), {pid}
    while frontier:
        frontier = {child for child, parent in parents.items() if parent in frontier}
        found |= frontier
    return found


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def lines_of(process) -> queue.Queue:
    lines = queue.Queue()

    def read():
        for line in process.stdout:
            lines.put(line)
        lines.put(None)

    threading.Thread(target=read, daemon=True).start()
    return lines


def wait_for(lines: queue.Queue, text: str, seen: list[str], seconds: float = 600) -> None:
    deadline = time.monotonic() + seconds
    while not any(text in line for line in seen):
        line = lines.get(timeout=max(0.1, deadline - time.monotonic()))
        assert line is not None, "the demo stopped:\n" + "".join(seen)
        seen.append(line)


def rows(database: Path, sql: str):
    with sqlite3.connect(database) as connection:
        return connection.execute(sql).fetchall()


def test_three_nodes_exchange_a_referral_and_ctrl_c_stops_them_all(tmp_path):
    port = three_free_ports()
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("TRM_", "DJANGO_"))}
    demo = subprocess.Popen(  # noqa: S603
        [sys.executable, "-m", "trm.cli", "demo", "--federated", "--port", str(port),
         "--workers", "1", "--threads", "2", "--cases", "1"],
        env={**clean, "TRM_HOME": str(tmp_path)}, stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip
    seen: list[str] = []
    lines = lines_of(demo)
    try:
        wait_for(lines, "is serving the three nodes", seen)
        output = "".join(seen)
        for offset in range(3):
            address = f"http://127.0.0.1:{port + offset}"
            assert address in output
            with urllib.request.urlopen(f"{address}/healthz", timeout=10) as answer:  # noqa: S310
                assert answer.status == 200
        for login in ("gr.caseworker", "al.caseworker", "ma.caseworker", "demo-password-2026"):
            assert login in output

        # The Greek node's referral left its outbox and is in the Albanian node's inbox.
        homes = tmp_path / "demo-federated"
        [(referral, state)] = rows(homes / "gr" / "trm.sqlite3",
                                   "SELECT id, state FROM referrals_referral")  # fmt: skip
        assert state == "received", "the Albanian receipt came back"
        assert rows(homes / "gr" / "trm.sqlite3",
                    "SELECT type, state, outcome FROM federation_outgoingenvelope") == [
            ("offer", "delivered", "applied")]  # fmt: skip
        assert rows(homes / "al" / "trm.sqlite3", "SELECT id, state FROM referrals_referral") == [
            (referral, "received")
        ]
        assert rows(homes / "ma" / "trm.sqlite3", "SELECT id FROM referrals_referral") == []
        # Each node has only its own country's staff.
        assert {
            username.split(".")[0]
            for (username,) in rows(
                homes / "al" / "trm.sqlite3",
                "SELECT username FROM accounts_user WHERE email LIKE '%@demo.invalid'",
            )
        } == {"al"}

        # Each node serves (gunicorn's master and worker) and works (trm worker).
        children = descendants(demo.pid)
        assert len(children) >= 9, children
    finally:
        demo.send_signal(signal.SIGINT)
        demo.wait(timeout=120)
    wait_for(lines, "All three nodes stopped.", seen, seconds=10)
    assert demo.returncode == 0, "".join(seen)
    assert not [pid for pid in children if alive(pid)], "no process of the demo survives it"
