"""Many people at once: `trm serve` under 50 simulated users, throughput and p95 per request.

    python -m benchmarks.load                               # SQLite, 10,000 cases, 50 users, 2 min
    TRM_DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench \\
        python -m benchmarks.load --cases 100000 --users 50 --run-time 3m --json load.json
    python -m benchmarks.load --node --users 50            # a synthetic node set up by `trm synth`

Case workers (60%), focal points (20%), supervisors (15%) and coordinators (5%) sign in through
the real login with a password and a TOTP code, then work: see their work, lists, searches,
case pages, referrals, approvals, notes (benchmarks/locustfile.py). Locust drives them
headless, for a bounded time, against 127.0.0.1 only.

By default a throw-away node is loaded with `--cases` synthetic cases (as `python -m
benchmarks`); `--node` uses the node of TRM_HOME / TRM_DATABASE_URL instead, which must hold
synthetic data and must not be in production mode: the run gives some of its synthetic staff a
password and an authenticator. Needs locust: `pip install -e ".[bench]"`.
"""

import argparse
import csv
import json
import math
import os
import secrets
import subprocess
import sys
from pathlib import Path

# Who the simulated users are, in the proportions (locust's weights in locustfile.py).
SHARES = {"case_worker": 0.60, "focal_point": 0.20, "supervisor": 0.15, "coordinator": 0.05}
CASES_PER_ACCOUNT = 40
NAMES_PER_ACCOUNT = 10
LOCUSTFILE = Path(__file__).with_name("locustfile.py")


def arguments(argv=None):
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.load", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--cases", type=int, default=10_000, help="cases to load (default 10,000)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--users", type=int, default=50, help="simulated users (default 50)")
    parser.add_argument(
        "--think",
        default="1-4",
        help="seconds each user waits between requests, as MIN-MAX (default 1-4: a brisk pace)",
    )
    parser.add_argument(
        "--spawn-rate", type=float, default=1, help="users signing in per second (default 1)"
    )
    parser.add_argument("--run-time", default="2m", help="how long, e.g. 90s, 3m (default 2m)")
    parser.add_argument(
        "--workers", type=int, default=os.cpu_count() or 2, help="trm serve's processes"
    )
    parser.add_argument("--threads", type=int, default=4, help="threads per process (default 4)")
    parser.add_argument(
        "--node", action="store_true", help="use the synthetic node of the environment"
    )
    parser.add_argument("--json", type=Path, help="write the results to this file as JSON")
    parser.add_argument("--keep-database", action="store_true", help="keep the throw-away node")
    return parser.parse_args(argv)


def main(argv=None) -> None:
    args = arguments(argv)
    if args.node:
        results = run_on_environment_node(args)
    else:
        from benchmarks.node import throwaway_node

        with throwaway_node(keep=args.keep_database) as home:
            from trm.directory.seed import seed_directory
            from trm.synth import synthesize
            from trm.synth.progress import Progress

            seed_directory()
            synthesize(args.cases, seed=args.seed, progress=Progress(args.cases))
            results = run(args, home)
    print_results(results)
    if args.json:
        args.json.write_text(json.dumps(results, indent=2) + "\n")
        print(f"\nresults written to {args.json}")


def run_on_environment_node(args) -> dict:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "trm.settings")
    import django

    django.setup()
    from django.conf import settings

    from trm.accounts.models import User
    from trm.synth import refuse_in_production
    from trm.synth.staff import SYNTH_PREFIX

    refuse_in_production()
    if not User.objects.filter(username__startswith=SYNTH_PREFIX).exists():
        sys.exit("benchmarks.load --node: this node holds no synthetic data; run `trm synth` first")
    return run(args, Path(settings.TRM_HOME))


def run(args, home: Path) -> dict:
    from django.db import connection

    from benchmarks.node import serving

    folder = home / "load"
    folder.mkdir(exist_ok=True)
    accounts = folder / "accounts.json"
    # Passwords, authenticator keys and synthetic names: readable by this user only, and
    # deleted after the run.
    descriptor = os.open(accounts, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w") as file:
        json.dump(prepare_accounts(args.users), file)
    connection.close()  # the server and locust take over; no idle transaction held meanwhile
    try:
        with serving(home, workers=args.workers, threads=args.threads) as port:
            completed = subprocess.run(  # noqa: S603 (our own interpreter and locust)
                [sys.executable, "-m", "locust", "-f", str(LOCUSTFILE),
                 "--headless", "--users", str(args.users), "--spawn-rate", str(args.spawn_rate),
                 "--run-time", args.run_time, "--host", f"http://127.0.0.1:{port}",
                 "--csv", str(folder / "stats"), "--only-summary", "--stop-timeout", "10",
                 "--loglevel", "WARNING"],
                env={**os.environ, "TRM_LOAD_ACCOUNTS": str(accounts),
                     "TRM_LOAD_THINK": args.think},
                capture_output=True, text=True,
            )  # fmt: skip
    finally:
        accounts.unlink(missing_ok=True)
    rows = read_statistics(folder / "stats_stats.csv")
    if not rows or completed.returncode:
        print(completed.stdout[-4000:], completed.stderr[-4000:], sep="\n", file=sys.stderr)
    return {
        "meta": {
            "database": connection.vendor,
            "cases": count_cases(),
            "users": args.users,
            "run_time": args.run_time,
            "think_seconds": args.think,
            "server_workers": args.workers,
            "server_threads": args.threads,
            "cpus": os.cpu_count(),
            "locust_exit_code": completed.returncode,
        },
        "requests": rows,
    }


def count_cases() -> int:
    from trm.cases.models import Case

    return Case.objects.count()


# -- the simulated people -----------------------------------------------------------------------


def accounts_wanted(users: int) -> dict[str, int]:
    """Accounts per role: one for each simulated user locust may start in that role (a TOTP code
    works once, so two simulated users never share an account), and one spare."""
    return {role: math.ceil(users * share) + 1 for role, share in SHARES.items()}


def prepare_accounts(users: int) -> dict:
    """Give synthetic staff a password and an authenticator; what each works on.

    {role: [{"username", "password", "totp_key", "cases", "names"}]}"""
    from django.contrib.auth.hashers import make_password
    from django.db import transaction
    from django_otp.plugins.otp_totp.models import TOTPDevice

    password = secrets.token_urlsafe(16)
    hashed = make_password(password)  # once: argon2 is slow on purpose
    chosen = choose_staff(accounts_wanted(users))
    result = {}
    with transaction.atomic():
        for role, people in chosen.items():
            result[role] = []
            for user in people:
                user.password = hashed
                user.save(update_fields=["password"])
                TOTPDevice.objects.filter(user=user).delete()
                device = TOTPDevice.objects.create(user=user, name="load test", confirmed=True)
                cases, names = work_of(user, role)
                result[role].append(
                    {"username": user.username, "password": password, "totp_key": device.key,
                     "cases": cases, "names": names}
                )  # fmt: skip
    return result


def choose_staff(wanted: dict[str, int]) -> dict:
    """The busiest synthetic case workers and supervisors, the focal points of the countries of
    origin first, and coordinators (made when missing: synthesis makes none)."""
    from django.db.models import Count, Q

    from trm.accounts.models import Membership, Role, User
    from trm.synth.staff import SYNTH_PREFIX

    synthetic = User.objects.filter(username__startswith=SYNTH_PREFIX, is_active=True)
    open_cases = Count("cases", filter=~Q(cases__stage="closed"))
    workers = list(
        synthetic.filter(memberships__role=Role.CASE_WORKER)
        .annotate(open_cases=open_cases)
        .order_by("-open_cases", "username")[: wanted["case_worker"]]
    )
    busiest = [m.organisation_id for m in Membership.objects.filter(user__in=workers)]
    supervisors = sorted(
        synthetic.filter(memberships__role=Role.SUPERVISOR).distinct(),
        key=lambda u: (u.memberships.first().organisation_id not in busiest, u.username),
    )[: wanted["supervisor"]]
    focal_points = list(
        synthetic.filter(memberships__role=Role.FOCAL_POINT).order_by(
            "-memberships__organisation__country__code", "username"
        )[: wanted["focal_point"]]
    )
    coordinators = ensure_coordinators(wanted["coordinator"])
    for role, people in [("case_worker", workers), ("focal_point", focal_points),
                         ("supervisor", supervisors)]:  # fmt: skip
        if len(people) < wanted[role]:
            sys.exit(
                f"benchmarks.load: {wanted[role]} {role} accounts needed, the synthetic staff "
                f"has {len(people)}; ask for fewer --users"
            )
    return {"case_worker": workers, "focal_point": focal_points, "supervisor": supervisors,
            "coordinator": coordinators}  # fmt: skip


def ensure_coordinators(count: int) -> list:
    from trm.accounts.models import Membership, Role, User
    from trm.directory.models import Organisation, OrganisationKind
    from trm.synth.staff import SYNTH_PREFIX

    authorities = list(
        Organisation.objects.filter(kind=OrganisationKind.NRM_AUTHORITY, is_active=True).order_by(
            "slug"
        )
    )
    people = []
    for number in range(1, count + 1):
        organisation = authorities[number % len(authorities)]
        user, created = User.objects.get_or_create(
            username=f"{SYNTH_PREFIX}load.coordinator{number:02d}",
            defaults={
                "first_name": "Coordinator",
                "last_name": f"{number:02d}",
                "email": f"coordinator{number:02d}@synthetic.invalid",
            },  # fmt: skip
        )
        if created:
            Membership.objects.create(user=user, organisation=organisation, role=Role.COORDINATOR)
        people.append(user)
    return people


def work_of(user, role: str) -> tuple[list[str], list[str]]:
    """Cases the account may open (its own first) and names it may search for."""
    from trm.cases.models import Case

    if role == "coordinator":
        return [], []
    visible = Case.objects.visible_to(user).select_related("person__data_key")
    own = list(visible.filter(case_worker=user).order_by("reference")[:CASES_PER_ACCOUNT])
    cases = own or list(visible.order_by("-opened_at")[:CASES_PER_ACCOUNT])
    names = [
        f"{case.person.given_name} {case.person.family_name or ''}".strip()
        for case in cases[:NAMES_PER_ACCOUNT]
        if not case.person.erased_at
    ]
    return [str(case.pk) for case in cases], names


# -- the table ----------------------------------------------------------------------------------


def read_statistics(path: Path) -> list[dict]:
    """Locust's summary CSV: one row per request type, and the aggregated row."""
    if not path.exists():
        return []
    rows = []
    with path.open() as file:
        for row in csv.DictReader(file):
            rows.append({
                "type": row["Type"],
                "name": row["Name"],
                "requests": int(row["Request Count"]),
                "failures": int(row["Failure Count"]),
                "per_second": round(float(row["Requests/s"]), 2),
                "median_ms": float(row["Median Response Time"]),
                "p95_ms": float(row["95%"]),
                "max_ms": round(float(row["Max Response Time"])),
            })  # fmt: skip
    return rows


def print_results(results: dict) -> None:
    meta = results["meta"]
    print(f"\ntrm load · {meta['database']} · {meta['cases']:,} cases · {meta['users']} users "
          f"for {meta['run_time']}, {meta['think_seconds']} s between requests · trm serve: "
          f"{meta['server_workers']} processes × {meta['server_threads']} threads · "
          f"{meta['cpus']} cpus")  # fmt: skip
    header = f"{'request':<36}{'count':>8}{'fails':>7}{'req/s':>8}{'median':>8}{'p95':>8}{'max':>8}"
    print(header + "   (ms)")
    print("-" * len(header))
    for row in results["requests"]:
        name = f"{row['type']} {row['name']}".strip() if row["name"] != "Aggregated" else "all"
        print(f"{name:<36}{row['requests']:>8}{row['failures']:>7}{row['per_second']:>8.1f}"
              f"{row['median_ms']:>8.0f}{row['p95_ms']:>8.0f}{row['max_ms']:>8}")  # fmt: skip
    if not results["requests"]:
        print("\nlocust did not run: its output is above")
    elif meta["locust_exit_code"]:
        print(f"\nlocust ended with code {meta['locust_exit_code']}: some requests failed "
              "(its output is above)")  # fmt: skip


if __name__ == "__main__":
    main()
