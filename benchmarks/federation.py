"""Delivery between two nodes (issue 12): how long a message takes from its commit on one node
to being applied on the other, through the real outbox, worker and inbox.

    [TRM_DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench] \\
        python -m benchmarks.federation [--rate 20] [--seconds 30] [--referrals 3] \\
        [--both-on-postgresql]

Two nodes of this machine, each its own `trm serve` (1 process, 4 threads) and `trm worker`
(as `trm worker` runs by default: a look for work every 5 s, and a nudge after each commit),
data directory and keys (`trm.demo_federated.LocalNode`): "al" on SQLite, and "gr" on SQLite,
or on a fresh PostgreSQL database beside the one TRM_DATABASE_URL names (made, then dropped);
with --both-on-postgresql "al" on one of its own too.
They pin each other with `trm peer add`; the Greek node refers `--referrals` cases to the
Albanian IOM office, which accepts them (the package crosses).

The stream: the Albanian case worker adds a risk assessment to one of the accepted cases
(round robin) `--rate` times a second for `--seconds`. Each record crosses to the Greek copy as
an `update` envelope, sealed and queued in the step that writes it: the commonest message once
a referral is accepted (every record and step of both sides crosses so), and the heaviest to
apply (a record written through the envoy, with its audit event and deadlines). Each step runs
in the Albanian node's own process, as its people's steps do.

Measured per message: from the moment the step that queued it returned (committed) on the
sender, to `applied_at` on the receiver (set in the inbox's transaction, just before it
commits); both on this machine's clock. Lost: queued but never applied within `--drain`
seconds after the last; duplicated: applied more than once, counted on the receiver (envelopes
applied per message id, and mirrored records beyond the envelopes applied).
Target: p95 under 500 ms at 20 messages/s, 0 lost, 0 duplicated.
"""

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time
import urllib.parse
from pathlib import Path

from trm.demo_federated import LocalNode, on_each, peer_all, take_step

TARGET_P95_MS = 500
PERSON = {"given_name": "Bench", "family_name": "Stream", "sex": "female", "citizenship": "AL"}


def arguments(argv=None):
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.federation", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--rate", type=float, default=20, help="messages a second (default 20)")
    parser.add_argument("--seconds", type=float, default=30, help="how long (default 30)")
    parser.add_argument(
        "--referrals", type=int, default=3, help="accepted referrals the stream spreads over"
    )
    parser.add_argument(
        "--worker-interval",
        type=float,
        default=5.0,
        help="each node's `trm worker --interval` (default 5, as trm worker's own default)",
    )
    parser.add_argument(
        "--drain", type=float, default=60, help="seconds to wait for the last messages"
    )
    parser.add_argument("--keep", action="store_true", help="keep the homes (and the database)")
    parser.add_argument(
        "--both-on-postgresql",
        action="store_true",
        help="the sender (al) on a fresh PostgreSQL database too, not on SQLite",
    )
    return parser.parse_args(argv)


def main(argv=None) -> None:
    args = arguments(argv)
    base = Path(tempfile.mkdtemp(prefix="trm-bench-federation-"))
    database_url = _fresh_database()
    sender_url = _fresh_database("al") if args.both_on_postgresql and database_url else ""
    greece = LocalNode("GR", "gr", base / "gr", _free_port(), database_url=database_url,
                       demo=False)  # fmt: skip
    albania = LocalNode("AL", "al", base / "al", _free_port(), database_url=sender_url,
                        demo=False)  # fmt: skip
    nodes = [greece, albania]
    try:
        say(
            f"nodes in {base}; gr on {'PostgreSQL' if database_url else 'SQLite'}, al on "
            f"{'PostgreSQL' if sender_url else 'SQLite'}"
        )
        on_each(nodes, LocalNode.init)
        on_each(nodes, lambda node: node.step("prepare"))
        for node in nodes:
            node.start(worker_interval=args.worker_interval)
        on_each(nodes, LocalNode.wait_until_serving)
        peer_all(nodes)
        say(f"referring {args.referrals} cases from gr to al, accepted there")
        sent = greece.step("refer", referrals=[["AL", False, PERSON]] * args.referrals)
        referrals = sent["referrals"]
        albania.step("respond", responses=[[referral, "accept"] for referral in referrals])
        on_each(nodes, lambda node: node.step("settle"))
        say(f"streaming {args.rate:g} messages/s for {args.seconds:g} s from al to gr")
        streamed = albania.step(
            "stream", module="benchmarks.federation", referrals=referrals, rate=args.rate,
            seconds=args.seconds,
        )  # fmt: skip
        applied = greece.step(
            "applied", module="benchmarks.federation", messages=[m for m, _ in streamed["sent"]],
            drain=args.drain,
        )  # fmt: skip
        delivered = albania.step(
            "delivered", module="benchmarks.federation", messages=[m for m, _ in streamed["sent"]]
        )
        report(args, streamed, applied, database_url, sender_url)
        say(
            f"per delivery (while a backlog waits): {delivered['cycle_ms']:.0f} ms from one claim "
            f"to the next on the sender, of which {applied['inbox_ms']:.0f} ms between received "
            "and applied in the receiver's inbox (medians)"
        )
    finally:
        on_each(nodes, LocalNode.stop)
        if args.keep:
            say(f"kept: {base}" + (f" and {database_url}" if database_url else ""))
        else:
            shutil.rmtree(base, ignore_errors=True)
            for url in (database_url, sender_url):
                if url:
                    _drop_database(url)


def report(args, streamed: dict, applied: dict, database_url: str, sender_url: str) -> None:
    committed = dict(streamed["sent"])
    times = applied["applied_at"]
    latencies = sorted(
        (times[message][0] - at) * 1000 for message, at in committed.items() if times.get(message)
    )
    lost = sum(1 for message in committed if not times.get(message))
    duplicated = sum(len(at) - 1 for at in times.values() if len(at) > 1) + max(
        0, applied["records"] - applied["envelopes_applied"]
    )
    if latencies:
        p50 = statistics.median(latencies)
        p95 = latencies[min(len(latencies) - 1, int(0.95 * len(latencies)))]
        last = max(at[0] for at in times.values() if at)
        throughput = len(latencies) / max(last - min(committed.values()), 1e-9)
    else:
        p50 = p95 = throughput = 0.0
    say(
        f"\ntrm federation · gr on {'PostgreSQL' if database_url else 'SQLite'}, al on "
        f"{'PostgreSQL' if sender_url else 'SQLite'} · "
        f"trm worker --interval {args.worker_interval:g} · {os.cpu_count()} cores, "
        f"load {os.getloadavg()[0]:.2f}"
    )
    say(
        f"asked {args.rate:g}/s for {args.seconds:g} s: {len(committed)} messages committed in "
        f"{streamed['elapsed']:.1f} s ({len(committed) / streamed['elapsed']:.1f}/s), median step "
        f"{streamed['step_ms']:.0f} ms"
    )
    in_order = [(times[m][0] - at) * 1000 for m, at in committed.items() if times.get(m)]
    if len(in_order) >= 3:
        # A backlog grows over the run: the last third waits longer than the first.
        third = len(in_order) // 3
        firsts, lasts = sorted(in_order[:third]), sorted(in_order[-third:])
        say(f"delivery median of the first third: {statistics.median(firsts):.0f} ms, of the "
            f"last third: {statistics.median(lasts):.0f} ms")  # fmt: skip
    if latencies:
        say(f"delivery max: {latencies[-1]:.0f} ms; target p95 < {TARGET_P95_MS} ms: "
            f"{'met' if p95 < TARGET_P95_MS and not lost else 'NOT met'}")  # fmt: skip
    print(
        f"delivery p50: {p50:.0f} ms, p95: {p95:.0f} ms, throughput: {throughput:.1f} messages/s,"
        f" lost: {lost}, duplicated: {duplicated}",
        flush=True,
    )


def say(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def _free_port() -> int:
    from benchmarks.node import free_port

    return free_port()


def _fresh_database(node: str = "") -> str:
    """A new PostgreSQL database beside the one TRM_DATABASE_URL names, or "" (SQLite)."""
    url = os.environ.get("TRM_DATABASE_URL", "").strip()
    if not url:
        return ""
    import psycopg

    parts = urllib.parse.urlsplit(url)
    name = f"{parts.path.lstrip('/') or 'trm'}_federation_{os.getpid()}{node}"
    with psycopg.connect(urllib.parse.urlunsplit(parts._replace(path="/postgres")),
                         autocommit=True) as connection:  # fmt: skip
        connection.execute(f'CREATE DATABASE "{name}"')
    return urllib.parse.urlunsplit(parts._replace(path=f"/{name}"))


def _drop_database(url: str) -> None:
    import psycopg

    parts = urllib.parse.urlsplit(url)
    name = parts.path.lstrip("/")
    with psycopg.connect(urllib.parse.urlunsplit(parts._replace(path="/postgres")),
                         autocommit=True) as connection:  # fmt: skip
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


# --- the steps, each in a process of one node ------------------------------------------------


def _stream(details) -> dict:
    """On the sending node: the case worker adds a risk assessment at the asked rate; for each
    envelope queued, when its step returned."""
    from trm.accounts.models import User
    from trm.cases.actions import journey
    from trm.federation.models import OutgoingEnvelope
    from trm.referrals.models import Referral

    worker = User.objects.get(username="al.caseworker")
    cases = [Referral.objects.get(pk=pk).case for pk in details["referrals"]]
    count = int(details["rate"] * details["seconds"])
    last = OutgoingEnvelope.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    sent, steps = [], []
    start = time.monotonic()
    for index in range(count):
        pause = start + index / details["rate"] - time.monotonic()
        if pause > 0:
            time.sleep(pause)
        began = time.monotonic()
        journey.add_record(worker, cases[index % len(cases)], "risk_assessment", {
            "risk_level": "medium", "needs_on_arrival": f"Shelter, week {index}.",
        })  # fmt: skip
        done = time.time()
        steps.append(time.monotonic() - began)
        queued = list(
            OutgoingEnvelope.objects.filter(pk__gt=last)
            .order_by("pk")
            .values_list("pk", "message_id")
        )
        for pk, message_id in queued:
            sent.append([message_id, done])
            last = pk
    return {
        "sent": sent,
        "elapsed": time.monotonic() - start,
        "step_ms": statistics.median(steps) * 1000 if steps else 0,
    }


def _applied(details) -> dict:
    """On the receiving node, once every message is applied or `drain` seconds passed with none
    more: when each was applied (a list: more than one would be a duplicate)."""
    from django.db.models import Count

    from trm.cases.models import StageRecord
    from trm.federation.models import IncomingEnvelope, Outcome

    wanted = set(details["messages"])
    quiet_since, seen = time.monotonic(), -1
    while True:
        rows = IncomingEnvelope.objects.filter(message_id__in=wanted, outcome=Outcome.APPLIED)
        found = rows.count()
        if found >= len(wanted) or time.monotonic() - quiet_since > details["drain"]:
            break
        if found != seen:
            quiet_since, seen = time.monotonic(), found
        time.sleep(0.5)
    applied_at = {}
    for message_id, at in rows.values_list("message_id", "applied_at"):
        applied_at.setdefault(message_id, []).append(at.timestamp())
    per_id = rows.values("message_id").annotate(n=Count("id"))
    records = StageRecord.objects.filter(
        kind="risk_assessment", recorded_by__username__startswith="envoy:"
    ).count()
    inbox = [
        (applied - received).total_seconds() * 1000
        for received, applied in rows.values_list("received_at", "applied_at")
    ]
    return {
        "inbox_ms": statistics.median(inbox) if inbox else 0,
        "applied_at": applied_at,
        "envelopes_applied": sum(row["n"] for row in per_id),
        "records": records,
    }


def _delivered(details) -> dict:
    """On the sending node: the time between one claim of the outbox and the next (each
    envelope's `delivered_at` is the moment its claim began)."""
    from trm.federation.models import OutgoingEnvelope

    claims = sorted(
        at.timestamp()
        for at in OutgoingEnvelope.objects.filter(
            message_id__in=details["messages"], delivered_at__isnull=False
        ).values_list("delivered_at", flat=True)
    )
    gaps = [(later - earlier) * 1000 for earlier, later in zip(claims, claims[1:], strict=False)]
    return {"cycle_ms": statistics.median(gaps) if gaps else 0}


STEPS = {"stream": _stream, "applied": _applied, "delivered": _delivered}


if __name__ == "__main__":
    if sys.argv[1:2] == ["step"]:
        take_step(STEPS, sys.argv[1:])
    else:
        main()
