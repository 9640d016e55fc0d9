"""Where trm stands with a real caseload: synthesis, pages, actions, audit, sweep, memory.

    python -m benchmarks                                   # SQLite, 10,000 cases
    python -m benchmarks --cases 100000 --http --json results.json
    TRM_DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench python -m benchmarks

It makes its own throw-away database (a SQLite file in a temporary TRM_HOME, or test_<name> on
PostgreSQL, dropped at the end) and its own keys: it never touches a node's data. Bounded:
a fixed number of requests per page and of journeys. Never part of the test suite.
"""

import argparse
import json
import os
import resource
import sys
import time
from datetime import timedelta
from pathlib import Path

# Issue 6's targets, with 100k cases on PostgreSQL: every page, and the list and the search.
PAGE_TARGET_P95_MS = 150
LIST_TARGET_P95_MS = 100


def arguments(argv=None):
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--cases", type=int, default=10_000, help="cases to load (default 10,000)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--batch", type=int, default=1000, help="cases per transaction")
    parser.add_argument("--requests", type=int, default=30, help="timed requests per page")
    parser.add_argument("--journeys", type=int, default=3, help="full journeys of actions")
    parser.add_argument("--http", action="store_true", help="also time pages from trm serve")
    parser.add_argument("--json", type=Path, help="write the results to this file as JSON")
    parser.add_argument(
        "--keep-database",
        action="store_true",
        help="keep the loaded database and TRM_HOME afterwards, to examine slow queries",
    )
    return parser.parse_args(argv)


def megabytes_peak() -> float:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def main(argv=None) -> None:
    from benchmarks.node import throwaway_node

    args = arguments(argv)
    with throwaway_node(keep=args.keep_database) as home:
        results = run(args, home)
    print_results(results)
    if args.json:
        args.json.write_text(json.dumps(results, indent=2, default=str) + "\n")
        print(f"\nresults written to {args.json}")


def run(args, home: Path) -> dict:
    from django.db import connection

    from trm.directory.seed import seed_directory
    from trm.synth import synthesize
    from trm.synth.progress import Progress

    results = {"meta": describe(connection, args)}
    seed_directory()
    report = synthesize(args.cases, seed=args.seed, batch=args.batch, progress=Progress(args.cases))
    results["synthesis"] = {
        "cases": report.cases,
        "seconds": round(report.seconds, 1),
        "cases_per_second": round(report.rate),
        "audit_events": report.events,
        "stages": dict(sorted(report.stages.items())),
        "memory_peak_mb": megabytes_peak(),
    }
    people = personas()
    sample = data_sample(people["worker"][0])
    results["pages"] = time_pages(args, home, people, sample)
    results["journey"] = time_journeys(args)
    results["audit"] = time_audit_verification()
    results["sweep"] = time_sweep()
    results["memory_peak_mb"] = megabytes_peak()
    return results


def describe(connection, args) -> dict:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT sqlite_version()" if connection.vendor == "sqlite" else "SHOW server_version"
        )
        version = cursor.fetchone()[0]
    cpuinfo = Path("/proc/cpuinfo").read_text().splitlines()
    meminfo = Path("/proc/meminfo").read_text().splitlines()
    cpu = next((line.split(":", 1)[1].strip() for line in cpuinfo
                if line.startswith("model name")), "unknown")  # fmt: skip
    memory = next((line.split()[1] for line in meminfo if line.startswith("MemTotal")), "0")
    return {
        "database": f"{connection.vendor} {version}",
        "cases": args.cases,
        "seed": args.seed,
        "requests_per_page": args.requests,
        "python": sys.version.split()[0],
        "cpus": os.cpu_count(),
        "cpu": cpu,
        "memory_gb": round(int(memory) / 1024 / 1024, 1),
        "started": time.strftime("%Y-%m-%d %H:%M:%S"),
    }


# -- who asks -----------------------------------------------------------------------------------


def signed_in(user):
    """A test client signed in as `user`, second factor passed, as after the real login."""
    from django.test import Client
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.create(user=user, name="benchmark", confirmed=True)
    client = Client()
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client


def personas() -> dict:
    """The busiest organisation's busiest case worker and a supervisor, and the focal point of
    the country most referrals go to: {persona: (user, client)}."""
    from django.db.models import Count

    from trm.accounts.models import Membership, Role, User
    from trm.cases.models import Case
    from trm.referrals.models import Referral

    owner = (Case.objects.values("owner_id").annotate(n=Count("pk")).order_by("-n", "owner_id")[0])[
        "owner_id"
    ]
    worker_id = (
        Case.objects.filter(owner_id=owner).exclude(stage="closed").values("case_worker_id")
        .annotate(n=Count("pk")).order_by("-n", "case_worker_id")[0]
    )["case_worker_id"]  # fmt: skip
    supervisor = (
        Membership.objects.filter(
            organisation_id=owner, role=Role.SUPERVISOR, user__username__startswith="synth."
        )
        .order_by("user__username")[0]
        .user
    )
    country = (
        Referral.objects.values("receiver__country_id").annotate(n=Count("pk"))
        .order_by("-n")[0]["receiver__country_id"]
    )  # fmt: skip
    focal = (
        Membership.objects.filter(
            organisation__country_id=country,
            role=Role.FOCAL_POINT,
            user__username__startswith="synth.",
        )
        .order_by("user__username")[0]
        .user
    )
    worker = User.objects.get(pk=worker_id)
    return {name: (user, signed_in(user)) for name, user in
            [("worker", worker), ("supervisor", supervisor), ("focal_point", focal)]}  # fmt: skip


SAMPLED_STAGES = (
    "first_assistance",
    "options_counselling",
    "long_term_assistance",
    "pre_return_assessment",
    "return_preparation",
    "monitoring",
    "closed",
)


def data_sample(worker):
    """Cases the worker may see, across stages, and their people's names (for the search)."""
    from benchmarks.pages import Sample
    from trm.cases.models import Case

    visible = Case.objects.visible_to(worker).select_related("person__data_key")
    cases = []
    for stage in SAMPLED_STAGES:
        cases += list(visible.filter(stage=stage).order_by("reference")[:5])
    names = [f"{case.person.given_name} {case.person.family_name or ''}".strip() for case in cases]
    return Sample(cases=[case.pk for case in cases], names=names)


# -- pages --------------------------------------------------------------------------------------


def time_pages(args, home, people, sample) -> list:
    from benchmarks.pages import PAGES, database_time, through_client

    rows = []
    for page in PAGES:
        _user, client = people[page.persona]
        timing = through_client(client, page, sample, args.requests).summary()
        database = database_time(client, page, sample)
        ratio = timing["median_ms"] / database["database_ms"] if database["database_ms"] else None
        rows.append({"page": page.name, "path": page.path, "persona": page.persona,
                     "client": timing, **database,
                     "app_over_database": round(ratio, 1) if ratio else None})  # fmt: skip
    if args.http:
        cookies = {name: client.cookies for name, (_user, client) in people.items()}
        for row, timing in zip(rows, time_over_http(args, home, cookies, sample), strict=True):
            row["http"] = timing
    return rows


def time_over_http(args, home, cookies, sample) -> list:
    """Every page through `trm serve` on a free local port."""
    from django.conf import settings

    from benchmarks.node import serving
    from benchmarks.pages import PAGES, through_http

    timings = []
    with serving(home) as port:
        for page in PAGES:
            jar = cookies[page.persona]
            cookie = f"{settings.SESSION_COOKIE_NAME}={jar[settings.SESSION_COOKIE_NAME].value}"
            timings.append(through_http(port, cookie, page, sample, args.requests).summary())
    return timings


# -- actions, audit, sweep ----------------------------------------------------------------------


def time_journeys(args) -> dict:
    """Full journeys through the real actions (demo_journeys), each action timed."""
    from trm.accounts.models import Membership, Role
    from trm.demo_journeys import ScriptedJourney
    from trm.directory.models import Organisation

    times: dict[str, list[float]] = {}

    class TimedJourney(ScriptedJourney):
        def run(self, action, *arguments, **options):
            started = time.perf_counter()
            try:
                return action(*arguments, **options)
            finally:
                elapsed = (time.perf_counter() - started) * 1000
                times.setdefault(action.__name__, []).append(elapsed)

    def staff(slug, role):
        return (
            Membership.objects.filter(
                organisation__slug=slug, role=role, user__username__startswith="synth."
            )
            .order_by("user__username")[0]
            .user
        )

    sender, receiver = (
        Organisation.objects.get(slug="iom-spain"),
        Organisation.objects.get(slug="iom-albania"),
    )
    journey = TimedJourney(
        sender, receiver, staff("iom-spain", Role.CASE_WORKER), staff("iom-spain", Role.SUPERVISOR),
        staff("iom-albania", Role.CASE_WORKER),
    )  # fmt: skip
    started = time.perf_counter()
    for number in range(args.journeys):
        child = number % 3 == 2
        case = journey.to_referral(child=child, escort_needed=child)
        journey.accept(journey.send(case))
        for step in (journey.depart, journey.confirm_reception, journey.agree_plan,
                     journey.monitor, journey.close):  # fmt: skip
            step(case)
    total = (time.perf_counter() - started) * 1000
    import statistics

    actions = sum(len(samples) for samples in times.values())
    return {
        "journeys": args.journeys,
        "actions": actions,
        "ms_per_action": round(sum(map(sum, times.values())) / actions, 1),
        "ms_per_journey": round(total / args.journeys),
        "by_action": {
            name: {"count": len(samples), "median_ms": round(statistics.median(samples), 1)}
            for name, samples in sorted(times.items())
        },  # fmt: skip
    }


def time_audit_verification() -> dict:
    from trm.audit.verify import verify_chain

    started = time.perf_counter()
    result = verify_chain()
    seconds = time.perf_counter() - started
    return {"ok": result.ok, "events": result.events, "seconds": round(seconds, 2),
            "events_per_second": round(result.events / seconds)}  # fmt: skip


def time_sweep() -> dict:
    """The worker's sweep a week from now: the reminders and alerts of a week, in one go."""
    from django.utils import timezone

    from trm.deadlines.models import Deadline
    from trm.deadlines.sweep import sweep

    open_deadlines = Deadline.objects.open().count()
    later = timezone.now() + timedelta(days=7)
    started = time.perf_counter()
    sent = sweep(later)
    busy = (time.perf_counter() - started) * 1000
    started = time.perf_counter()
    sweep(later)  # again: everything is claimed, so this is the cost of looking
    idle = (time.perf_counter() - started) * 1000
    due = sent["reminded"] + sent["escalated"]
    return {
        "open_deadlines": open_deadlines,
        "sent": dict(sent),
        "ms": round(busy),
        "ms_per_10k_due": round(busy / due * 10_000) if due else None,
        "idle_ms": round(idle, 1),
    }


# -- the table ----------------------------------------------------------------------------------


def print_results(results: dict) -> None:
    meta, synthesis = results["meta"], results["synthesis"]
    print(f"\ntrm benchmark · {meta['database']} · {meta['cases']:,} cases · "
          f"python {meta['python']} · {meta['cpus']} × {meta['cpu']} · "
          f"{meta['memory_gb']} GB")  # fmt: skip
    print(f"stages: {', '.join(f'{k} {v}' for k, v in synthesis['stages'].items())}\n")
    http = any("http" in row for row in results["pages"])
    header = f"{'page':<32}{'median':>8}{'p95':>8}"
    header += f"{'http med':>10}{'http p95':>10}" if http else ""
    header += f"{'db ms':>8}{'app/db':>8}{'queries':>9}"
    print(header + "   (ms)")
    print("-" * len(header))
    for row in results["pages"]:
        client = row["client"]
        line = f"{row['page']:<32}{client['median_ms']:>8.1f}{client['p95_ms']:>8.1f}"
        if http:
            over = row.get("http", {})
            line += f"{over.get('median_ms', 0):>10.1f}{over.get('p95_ms', 0):>10.1f}"
        ratio = row["app_over_database"]
        line += (
            f"{row['database_ms']:>8.1f}{(f'{ratio:.1f}x' if ratio else '-'):>8}{row['queries']:>9}"
        )
        if client["statuses"] != [200]:
            line += f"  status {client['statuses']}"
        print(line)
    journey, audit, sweep = results["journey"], results["audit"], results["sweep"]
    print()
    figures = [
        ("synthesis", f"{synthesis['cases_per_second']:,} cases/s "
                      f"({synthesis['cases']:,} in {synthesis['seconds']} s, "
                      f"{synthesis['audit_events']:,} audit events)"),
        ("journey of actions", f"{journey['ms_per_action']} ms per action "
                               f"({journey['actions']} actions, {journey['ms_per_journey']} ms "
                               f"per journey)"),
        ("audit verification", f"{audit['events_per_second']:,} events/s "
                               f"({audit['events']:,} events, ok={audit['ok']})"),
        ("deadline sweep", f"{sweep['ms_per_10k_due']} ms per 10k due deadlines "
                           f"({sweep['sent']}, {sweep['ms']} ms; "
                           f"{sweep['open_deadlines']:,} open; idle sweep {sweep['idle_ms']} ms)"),
        ("memory peak", f"{results['memory_peak_mb']} MB "
                        f"(after synthesis {synthesis['memory_peak_mb']} MB)"),
    ]  # fmt: skip
    for name, value in figures:
        print(f"{name:<22}{value}")
    slowest = sorted(journey["by_action"].items(), key=lambda item: -item[1]["median_ms"])[:4]
    print("slowest actions       " + ", ".join(f"{n} {v['median_ms']} ms" for n, v in slowest))
    over = [row["page"] for row in results["pages"] if row["client"]["p95_ms"] > PAGE_TARGET_P95_MS]
    print(f"\npages over the {PAGE_TARGET_P95_MS} ms p95 target: {', '.join(over) or 'none'}")
    lists = [row["page"] for row in results["pages"]
             if ("list" in row["page"] or "search" in row["page"])
             and row["client"]["p95_ms"] > LIST_TARGET_P95_MS]  # fmt: skip
    print(f"lists and searches over the {LIST_TARGET_P95_MS} ms p95 target: "
          f"{', '.join(lists) or 'none'}")  # fmt: skip


if __name__ == "__main__":
    main()
