"""Writers at once: `trm serve` on PostgreSQL under 1, 4 and 8 API clients writing together.

    TRM_DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench \\
        python -m benchmarks.concurrency [--seconds 15] [--clients 1,4,8] [--json out.json]

Three loads, each client a system with its own API token (case worker of IOM Spain) on one
kept connection, writing as fast as it is answered:

- **organisation**: open a case, add a note to it, add a record to it; again;
- **case**: every client adds notes and records to the same case. Adding is not editing: a
  record or a note is a new fact beside the others and cannot overwrite anyone's, so the
  clients send no If-Match (as the API allows), and each write waits its turn for the case;
- **careful**: the same, the records with the case's version (If-Match), as a client sends it
  that must have seen every earlier record first; a 409 (someone added one since) is an
  expected answer, counted apart, after which the client reads the case again. Of 8 such
  clients only one in five or six wins each round, by design of If-Match, not of the lock.

For each level: acknowledged writes per second (2xx answers), errors (5xx and connection
errors), other refusals (4xx but 409), 409s, p95 and median latency of the writes, and from the
database the deadlocks PostgreSQL detected and the steps trm retried (its log); then where the
processor time went: the run's own processes (server, its database sessions, the clients), in
milliseconds per acknowledged write, and how busy the whole machine was (other work included).
A fresh database (test_<name>) and TRM_HOME are made and dropped; nothing touches a node's data.
Target (issue 11): 0 errors at every level, and 8 clients at least 1.5x the throughput of one.
"""

import argparse
import http.client
import json
import os
import re
import statistics
import sys
import threading
import time
from pathlib import Path

TARGET_SPEEDUP = 1.5
LOADS = ("organisation", "case", "careful")
ORGANISATION = "iom-spain"
PERSON = {"given_name": "Bench", "family_name": "Writer", "sex": "female"}
NOTE = {"text": "Called the shelter; the person is safe."}
RECORD = {"kind": "service", "data": {"service": "legal_aid", "delivered_on": "2026-11-30"}}


def arguments(argv=None):
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.concurrency", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--seconds", type=float, default=8, help="per level and round (default 8)")
    parser.add_argument(
        "--rounds", type=int, default=3, help="turns through the levels (default 3)"
    )
    parser.add_argument("--clients", default="1,4,8", help="levels, e.g. 1,4,8 (the default)")
    parser.add_argument(
        "--loads",
        default="organisation,case,careful",
        help="which loads, in this order (default organisation,case,careful)",
    )
    parser.add_argument(
        "--workers", type=int, default=os.cpu_count() or 2, help="trm serve's processes"
    )
    parser.add_argument("--threads", type=int, default=4, help="threads per process (default 4)")
    parser.add_argument(
        "--warmup", type=float, default=3, help="seconds of unmeasured writing first (default 3)"
    )
    parser.add_argument("--json", type=Path, help="write the results to this file as JSON")
    return parser.parse_args(argv)


def main(argv=None) -> None:
    args = arguments(argv)
    if not os.environ.get("TRM_DATABASE_URL", "").startswith("postgres"):
        sys.exit("benchmarks.concurrency: set TRM_DATABASE_URL to a PostgreSQL server")
    levels = [int(level) for level in args.clients.split(",")]
    loads = args.loads.split(",")
    if set(loads) - set(LOADS):
        sys.exit(f"benchmarks.concurrency: --loads takes some of {', '.join(LOADS)}")
    from benchmarks.node import serving, throwaway_node

    with throwaway_node() as home:
        from django.db import connection

        from trm.directory.seed import seed_directory

        seed_directory()
        secrets = make_tokens(max(levels))
        connection.close()  # the server takes over; no idle transaction held meanwhile
        results = {"meta": describe(args), "rows": []}
        with serving(home, workers=args.workers, threads=args.threads) as port:
            shared_case = Client(port, secrets[0]).open_case()
            # Every server process and thread connected and warm before anything is measured.
            run_level(port, secrets, "organisation", shared_case, args.warmup, home)
            for load in loads:
                # The levels in turns, so that other work on the machine weighs on each alike.
                stretches = {level: [] for level in levels}
                for _round in range(args.rounds):
                    for level in levels:
                        clients = secrets[:level]
                        stretch = run_level(port, clients, load, shared_case, args.seconds, home)
                        stretches[level].append(stretch)
                for level in levels:
                    row = summary(load, level, stretches[level])
                    results["rows"].append(row)
                    print_row(row)
    print_results(results)
    if args.json:
        args.json.write_text(json.dumps(results, indent=2) + "\n")
        print(f"\nresults written to {args.json}")


def describe(args) -> dict:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        version = cursor.fetchone()[0]
    cpuinfo = Path("/proc/cpuinfo").read_text().splitlines()
    cpu = next((line.split(":", 1)[1].strip() for line in cpuinfo
                if line.startswith("model name")), "unknown")  # fmt: skip
    return {
        "database": f"postgresql {version}",
        "seconds_per_level": args.seconds,
        "rounds": args.rounds,
        "loads": args.loads,
        "server_workers": args.workers,
        "server_threads": args.threads,
        "cpus": os.cpu_count(),
        "cpu": cpu,
        "started": time.strftime("%Y-%m-%d %H:%M:%S"),
    }


def make_tokens(count: int) -> list[str]:
    """One token per client, each acting for its own case worker of the organisation."""
    from trm.accounts.models import Membership, Role, User
    from trm.api.tokens import create_token
    from trm.directory.models import Organisation

    organisation = Organisation.objects.get(slug=ORGANISATION)
    secrets = []
    for number in range(count):
        maker = User.objects.create_user(username=f"bench.writer{number}")
        Membership.objects.create(user=maker, organisation=organisation, role=Role.CASE_WORKER)
        _token, secret = create_token(
            None,
            organisation,
            name=f"Writer {number}",
            scopes=["cases:read", "cases:write"],
            maker=maker,
        )
        secrets.append(secret)
    return secrets


# -- the clients --------------------------------------------------------------------------------


class Client:
    """One system calling the API over one kept-alive connection; tallies its writes."""

    def __init__(self, port: int, secret: str):
        self.port, self.secret = port, secret
        self.connection = None
        self.acknowledged = self.errors = self.conflicts = self.refused = 0
        self.latencies: list[float] = []
        self.statuses: dict[int, int] = {}

    def call(self, method: str, path: str, body=None, headers=None):
        """(status, parsed body, headers), or (None, None, {}) on a connection error."""
        if self.connection is None:
            self.connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        wanted = {"Authorization": f"Bearer {self.secret}", **(headers or {})}
        payload = None
        if body is not None:
            payload = json.dumps(body)
            wanted["Content-Type"] = "application/json"
        try:
            self.connection.request(method, path, body=payload, headers=wanted)
            response = self.connection.getresponse()
            raw = response.read()
        except (OSError, http.client.HTTPException):
            self.connection.close()
            self.connection = None
            return None, None, {}
        try:
            parsed = json.loads(raw) if raw else None
        except ValueError:
            parsed = None
        return response.status, parsed, dict(response.getheaders())

    def write(self, method: str, path: str, body, headers=None):
        """A write, timed and counted; returns its answer."""
        started = time.perf_counter()
        status, parsed, answer_headers = self.call(method, path, body, headers)
        self.latencies.append((time.perf_counter() - started) * 1000)
        self.statuses[status] = self.statuses.get(status, 0) + 1
        if status is None or status >= 500:
            self.errors += 1
        elif status == 409:
            self.conflicts += 1
        elif status >= 400:
            self.refused += 1
        else:
            self.acknowledged += 1
        return status, parsed, answer_headers

    def open_case(self) -> str:
        status, parsed, _headers = self.call("POST", "/api/cases/", {"person": PERSON})
        if status != 201:
            raise RuntimeError(f"opening a case answered {status}: {parsed}")
        return parsed["id"]

    def version_of(self, case_id: str) -> int | None:
        status, _parsed, headers = self.call("GET", f"/api/cases/{case_id}")
        etag = headers.get("ETag", "")
        return int(etag.strip('W/"')) if status == 200 and etag else None

    def write_to_the_organisation(self, until: float) -> None:
        while time.monotonic() < until:
            status, parsed, _headers = self.write("POST", "/api/cases/", {"person": PERSON})
            if status != 201:
                continue
            case = parsed["id"]
            self.write("POST", f"/api/cases/{case}/notes", NOTE)
            self.write("POST", f"/api/cases/{case}/records", RECORD)

    def add_to_one_case(self, case: str, until: float) -> None:
        while time.monotonic() < until:
            self.write("POST", f"/api/cases/{case}/notes", NOTE)
            self.write("POST", f"/api/cases/{case}/records", RECORD)

    def add_to_one_case_carefully(self, case: str, until: float) -> None:
        version = None
        while time.monotonic() < until:
            if version is None:
                version = self.version_of(case)
                if version is None:
                    self.errors += 1  # the read failed: nothing to send the record with
                    continue
            self.write("POST", f"/api/cases/{case}/notes", NOTE)
            status, _parsed, _headers = self.write(
                "POST", f"/api/cases/{case}/records", RECORD, {"If-Match": f'"{version}"'}
            )
            # The record was added with the version checked under the case's lock: the case
            # is now exactly one version further. Otherwise read it again.
            version = version + 1 if status == 201 else None


def run_level(port, secrets, load, shared_case, seconds, home) -> dict:
    """One stretch of `seconds` with as many clients as `secrets`: the raw tallies."""
    clients = [Client(port, secret) for secret in secrets]
    deadlocks_before, retries_before = deadlocks(), retries(home)
    ours_before, machine_before = our_processor_time(port), machine_processor_time()
    started = time.monotonic()
    until = started + seconds
    if load == "organisation":
        work = [(client.write_to_the_organisation, (until,)) for client in clients]
    elif load == "case":
        work = [(client.add_to_one_case, (shared_case, until)) for client in clients]
    else:
        work = [(client.add_to_one_case_carefully, (shared_case, until)) for client in clients]
    threads = [threading.Thread(target=target, args=arguments) for target, arguments in work]
    waits = LockWaits(until)
    for thread in [*threads, waits]:
        thread.start()
    for thread in [*threads, waits]:
        thread.join()
    elapsed = time.monotonic() - started
    spent = {"server": 0.0, "database": 0.0, "clients": 0.0}
    for name, used in our_processor_time(port).items():
        spent[name.split()[0]] += used - ours_before.get(name, 0.0)
    ours = sum(spent.values())
    busy, total = (after - before for after, before in
                   zip(machine_processor_time(), machine_before, strict=True))  # fmt: skip
    statuses: dict[str, int] = {}
    for client in clients:
        for status, count in client.statuses.items():
            statuses[str(status)] = statuses.get(str(status), 0) + count
    return {
        "elapsed": elapsed,
        "acknowledged": sum(client.acknowledged for client in clients),
        "errors": sum(client.errors for client in clients),
        "conflicts": sum(client.conflicts for client in clients),
        "refused": sum(client.refused for client in clients),
        "latencies": [ms for client in clients for ms in client.latencies],
        "ours": ours,
        "spent": spent,
        "busy": busy,
        "total": total,
        "waits": waits.samples,
        "deadlocks": deadlocks() - deadlocks_before,
        "retries": retries(home) - retries_before,
        "statuses": statuses,
        "load_average": os.getloadavg()[0],
    }


def summary(load: str, clients: int, stretches: list[dict]) -> dict:
    """The figures of one level over its stretches (the rounds)."""
    elapsed = sum(stretch["elapsed"] for stretch in stretches)
    acknowledged = sum(stretch["acknowledged"] for stretch in stretches)
    latencies = sorted(ms for stretch in stretches for ms in stretch["latencies"])
    ours = sum(stretch["ours"] for stretch in stretches)
    spent = {part: sum(stretch["spent"][part] for stretch in stretches)
             for part in ("server", "database", "clients")}  # fmt: skip
    busy, total = (sum(stretch[key] for stretch in stretches) for key in ("busy", "total"))
    samples = [sample for stretch in stretches for sample in stretch["waits"]]
    statuses: dict[str, int] = {}
    for stretch in stretches:
        for status, count in stretch["statuses"].items():
            statuses[status] = statuses.get(status, 0) + count

    def waiting(kind):
        return round(sum(s[kind] for s in samples) / len(samples), 2) if samples else None

    def total_of(key):
        return sum(stretch[key] for stretch in stretches)

    return {
        "load": load,
        "clients": clients,
        "seconds": round(elapsed, 1),
        "acknowledged": acknowledged,
        "per_second": round(acknowledged / elapsed, 1),
        "per_second_by_round": [round(s["acknowledged"] / s["elapsed"], 1) for s in stretches],
        "errors": total_of("errors"),
        "conflicts": total_of("conflicts"),
        "refused": total_of("refused"),
        "median_ms": round(statistics.median(latencies), 1) if latencies else None,
        "p95_ms": round(percentile(latencies, 95), 1) if latencies else None,
        "cpu_ms_per_write": round(ours * 1000 / acknowledged, 1) if acknowledged else None,
        "cpu_ms_per_write_by_part": {
            part: round(seconds * 1000 / acknowledged, 1) if acknowledged else None
            for part, seconds in spent.items()
        },
        "our_cpu_share": round(ours / elapsed / (os.cpu_count() or 1), 2),
        "machine_busy": round(busy / total, 2) if total else None,
        "load_average": round(max(stretch["load_average"] for stretch in stretches), 1),
        "waiting_for_the_case": waiting("case"),
        "waiting_for_the_chain": waiting("chain"),
        "waiting_for_other": waiting("other"),
        "deadlocks": total_of("deadlocks"),
        "retries": total_of("retries"),
        "statuses": dict(sorted(statuses.items())),
    }


class LockWaits(threading.Thread):
    """Samples the server's database sessions ten times a second: how many wait for a lock,
    by what their statement locks: a case row, the audit chain (its advisory lock, or its head
    row), or something else (a commit's foreign-key checks, say)."""

    def __init__(self, until: float):
        super().__init__()
        self.until = until
        self.samples: list[dict[str, int]] = []

    def run(self):
        from django.db import connection

        try:
            while time.monotonic() < self.until:
                with connection.cursor() as cursor:
                    cursor.execute(
                        "SELECT query FROM pg_stat_activity WHERE datname = current_database() "
                        "AND wait_event_type = 'Lock'"
                    )
                    queries = [row[0] for row in cursor.fetchall()]
                sample = {"case": 0, "chain": 0, "other": 0}
                for query in queries:
                    if "advisory" in query or "audit" in query:
                        sample["chain"] += 1
                    elif '"cases_case"' in query:
                        sample["case"] += 1
                    else:
                        sample["other"] += 1
                self.samples.append(sample)
                time.sleep(0.1)
        finally:
            connection.close()


def our_processor_time(port: int) -> dict[str, float]:
    """Processor seconds used so far by the server's processes, its database sessions and this
    benchmark, by process."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT pid FROM pg_stat_activity WHERE datname = current_database()")
        sessions = {row[0] for row in cursor.fetchall()} - {connection.connection.info.backend_pid}
    connection.close()
    server = set()
    for folder in Path("/proc").iterdir():
        if folder.name.isdigit():
            try:
                command = (folder / "cmdline").read_bytes().split(b"\0")
            except OSError:
                continue
            if b"serve" in command and str(port).encode() in command:
                server.add(int(folder.name))
    used = {f"{'server' if pid in server else 'database'} {pid}": seconds
            for pid in server | sessions
            if (seconds := _processor_seconds(pid)) is not None}  # fmt: skip
    clients = os.times()
    used["clients"] = clients.user + clients.system
    return used


def _processor_seconds(pid: int) -> float | None:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    # utime and stime, fields 14 and 15 of proc(5), counted from after the command name.
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def machine_processor_time() -> tuple[int, int]:
    """(busy, total) clock ticks of the whole machine so far, every process included."""
    values = [int(value) for value in Path("/proc/stat").read_text().split("\n")[0].split()[1:]]
    idle = values[3] + values[4]  # idle and iowait
    return sum(values) - idle, sum(values)


def percentile(ordered: list[float], share: float) -> float:
    return ordered[min(len(ordered) - 1, round(share / 100 * (len(ordered) - 1)))]


def deadlocks() -> int:
    """The deadlocks PostgreSQL has detected in this database so far."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT deadlocks FROM pg_stat_database WHERE datname = current_database()")
        found = cursor.fetchone()[0]
    connection.close()
    return found


RETRIED = re.compile(r"step \S+ aborted \(\w+\), attempt 1")


def retries(home: Path) -> int:
    """Steps the server ran a second time so far (trm.lib.steps logs each)."""
    log = home / "serve.log"
    return len(RETRIED.findall(log.read_text())) if log.exists() else 0


# -- the table ----------------------------------------------------------------------------------

HEADER = (
    f"{'load':<14}{'clients':>8}{'writes/s':>10}{'acked':>8}{'errors':>8}{'409':>6}"
    f"{'4xx':>6}{'median':>8}{'p95':>8}{'deadlk':>8}{'retried':>8}{'cpu/wr':>8}{'ours':>6}"
    f"{'machine':>8}{'load':>6}{'w.case':>7}{'w.chain':>8}{'w.other':>8}"
)


def print_row(row: dict) -> None:
    print(f"{row['load']:<14}{row['clients']:>8}{row['per_second']:>10.1f}{row['acknowledged']:>8}"
          f"{row['errors']:>8}{row['conflicts']:>6}{row['refused']:>6}{row['median_ms']:>8.0f}"
          f"{row['p95_ms']:>8.0f}{row['deadlocks']:>8}{row['retries']:>8}"
          f"{row['cpu_ms_per_write'] or 0:>8.0f}{row['our_cpu_share']:>6.0%}"
          f"{row['machine_busy'] or 0:>8.0%}{row['load_average']:>6.1f}"
          f"{row['waiting_for_the_case'] or 0:>7.1f}{row['waiting_for_the_chain'] or 0:>8.1f}"
          f"{row['waiting_for_other'] or 0:>8.1f}",
          flush=True)  # fmt: skip


def print_results(results: dict) -> None:
    meta = results["meta"]
    print(f"\ntrm concurrency · {meta['database']} · trm serve: {meta['server_workers']} "
          f"processes × {meta['server_threads']} threads · {meta['cpus']} × {meta['cpu']} · "
          f"{meta['rounds']} rounds of {meta['seconds_per_level']} s per level")  # fmt: skip
    print(HEADER)
    print("-" * len(HEADER))
    for row in results["rows"]:
        print_row(row)
    print(
        "(median, p95 and cpu/wr in ms; ours: the run's processor share of the machine; "
        "machine: how busy it was, other work included; load: highest 1-minute load average; "
        "w.case, w.chain, w.other: database sessions waiting for a case row, for the audit "
        "chain, for another lock, on average)"
    )
    print("\nprocessor ms per acknowledged write, server / its database sessions / clients:")
    for row in results["rows"]:
        parts = row["cpu_ms_per_write_by_part"]
        print(f"  {row['load']:<14}{row['clients']:>3}   {parts['server'] or 0:.0f} / "
              f"{parts['database'] or 0:.0f} / {parts['clients'] or 0:.0f}")  # fmt: skip
    errors = sum(row["errors"] for row in results["rows"])
    print(f"\nerrors (5xx, connection): {errors} (target 0)")
    for load in LOADS:
        rows = {row["clients"]: row for row in results["rows"] if row["load"] == load}
        if 1 in rows and rows[1]["per_second"] and len(rows) > 1:
            most = max(rows)
            speedup = rows[most]["per_second"] / rows[1]["per_second"]
            met = "met" if speedup >= TARGET_SPEEDUP else "not met"
            print(f"{load}: {most} clients {speedup:.2f}× one (target {TARGET_SPEEDUP}×: {met})")
            if load == "careful":
                answered = [(rows[n]["acknowledged"] + rows[n]["conflicts"]) / rows[n]["seconds"]
                            for n in (1, most)]  # fmt: skip
                print(f"{load}: {most} clients {answered[1] / answered[0]:.2f}× one counting the "
                      "409s as answers")  # fmt: skip
    odd = {row["load"] + str(row["clients"]): row["statuses"] for row in results["rows"]
           if row["refused"] or row["errors"]}  # fmt: skip
    if odd:
        print(f"answers where some were refused or failed: {odd}")


if __name__ == "__main__":
    main()
