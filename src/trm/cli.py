"""The `trm` command: serve a node, try the demo, run the worker, check the configuration."""

import argparse
import json
import os
import sys
from pathlib import Path


def _setup_django(*, database: str = "") -> None:
    """Load the settings; a configuration mistake ends the command with its message only.

    `database="set up"`: the command works on the node's data, so it ends, saying how to fix
    it, when the database is not set up (a wrong TRM_HOME, a node never started), before it
    creates anything; `"file"`: only that it creates no SQLite file (`trm check`).
    """
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "trm.settings")
    from django.conf import settings

    if database and not settings.configured:
        # Before the settings load: they would create TRM_HOME, and connecting would create
        # the SQLite file, in whatever directory was named by mistake.
        _refuse_a_missing_sqlite_file()
    import django
    from django.core.exceptions import ImproperlyConfigured

    try:
        django.setup()
    except ImproperlyConfigured as problem:
        sys.exit(f"trm: configuration error: {problem}")
    if database == "set up":
        _refuse_a_database_not_set_up()


def _sqlite_file() -> Path | None:
    """Where the settings keep the SQLite database (None: PostgreSQL), read as they read it."""
    if os.environ.get("TRM_DATABASE_URL", "").strip():
        return None
    return Path(os.environ.get("TRM_HOME", "var").strip()).resolve() / "trm.sqlite3"


HOW_TO_SET_UP = "run 'trm serve' once (it migrates on start) or 'trm manage migrate'"


def _refuse_a_missing_sqlite_file() -> None:
    path = _sqlite_file()
    if path is not None and not path.exists():
        sys.exit(
            f"trm: this node's database in {path.parent} is not set up (there is no "
            f"{path.name}): check TRM_HOME, or {HOW_TO_SET_UP}. Nothing was created."
        )


def _refuse_a_database_not_set_up() -> None:
    from django.conf import settings
    from django.db import DatabaseError, connection
    from django.db.migrations.executor import MigrationExecutor

    path = _sqlite_file()
    where = (
        f"in {path.parent}"
        if path is not None
        else f"{settings.DATABASES['default']['NAME']!r} (TRM_DATABASE_URL)"
    )
    try:
        executor = MigrationExecutor(connection)
        applied = executor.recorder.applied_migrations() if executor.recorder.has_table() else {}
        pending = executor.migration_plan(executor.loader.graph.leaf_nodes())
    except DatabaseError as error:
        first_line = str(error).strip().splitlines()[0] if str(error).strip() else ""
        sys.exit(f"trm: this node's database {where} does not answer: {first_line}")
    if not applied:
        sys.exit(
            f"trm: this node's database {where} is not set up: check TRM_HOME and "
            f"TRM_DATABASE_URL, or {HOW_TO_SET_UP}. Nothing was written to it."
        )
    if pending:
        sys.exit(
            f"trm: this node's database {where} is not up to date: {len(pending)} migrations "
            "are not applied. Run 'trm manage migrate' (or 'trm serve', which migrates on start)."
        )


def _prepare_database() -> None:
    from django.core.management import call_command

    from trm.directory.models import Country
    from trm.directory.seed import seed_directory

    call_command("migrate", interactive=False, verbosity=0)
    if not Country.objects.exists():
        seed_directory()


def _serve(host: str, port: int, threads: int, workers: int) -> None:
    """Serve with gunicorn: `workers` processes, each with `threads` request threads. Python runs
    one thread at a time in a process, so the processes are what use the machine's cores."""
    from django.db import connections
    from gunicorn.app.base import BaseApplication

    from trm.wsgi import application

    # The parent migrated and seeded; its connections must not be inherited by the workers.
    connections.close_all()

    class Server(BaseApplication):
        def load_config(self):
            settings = {
                "bind": f"{host}:{port}",
                "workers": workers,
                "threads": threads,
                "worker_class": "gthread",
                "proc_name": "trm",
                "timeout": 60,
                "graceful_timeout": 10,
                # Idle connections stay open longer than a person's pause between two pages:
                # closing them meanwhile makes a browser's next request fail now and then.
                "keepalive": 30,
                "accesslog": None,  # no request log: addresses of pages say who was looked at
                "control_socket_disable": True,  # it would write outside TRM_HOME
            }
            for name, value in settings.items():
                self.cfg.set(name, value)

        def load(self):
            return application

    print(
        f"trm is serving on http://{host}:{port}/ with {workers} processes of {threads} threads "
        "(Ctrl+C stops it)",
        flush=True,
    )
    Server().run()


def serve(args) -> None:
    _setup_django()
    _prepare_database()
    _serve(args.host, args.port, args.threads, args.workers)


def demo(args) -> None:
    if args.federated:
        from trm.demo_federated import run

        run(args)
        return
    # The demo keeps its own database and keys beside the node's, never mixed with real data.
    home = Path(os.environ.get("TRM_HOME", "var")).resolve() / "demo"
    os.environ["TRM_HOME"] = str(home)
    os.environ["TRM_DEMO"] = "1"
    os.environ.setdefault("TRM_NODE_NAME", "demo")
    os.environ.pop("TRM_DATABASE_URL", None)
    _setup_django()
    from trm.audit.verify import AuditChainBroken, make_checkpoint
    from trm.demo import create_demo_cases, create_demo_data, demo_logins

    _prepare_database()
    create_demo_data()
    create_demo_cases()
    # A demo node's chain is checkpointed like any other's, from its first start.
    try:
        make_checkpoint()
    except AuditChainBroken as broken:
        print(f"warning: {broken.result}; remove {home} to start a fresh demo", flush=True)
    print(demo_logins(), flush=True)
    if not args.no_serve:
        _serve(args.host, args.port, args.threads, args.workers)


def worker(args) -> None:
    _setup_django(database="set up")
    from trm.core.worker import run_worker

    run_worker(once=args.once, interval=args.interval)


def check(args) -> None:
    _setup_django(database="file")  # the rest is for node_problems to report
    from trm.core.health import node_problems

    problems = node_problems()
    for problem in problems:
        print(f"problem: {problem}")
    if problems:
        sys.exit(1)
    print("trm check: configuration and database are healthy")


# Django's commands that make or inspect the database's schema, or need no database: they run
# on a node that is not set up. Every other (createsuperuser, shell, ...) works on its data.
MANAGE_WITHOUT_DATA = {
    "check",
    "collectstatic",
    "compilemessages",
    "dbshell",
    "diffsettings",
    "help",
    "makemessages",
    "makemigrations",
    "migrate",
    "optimizemigration",
    "showmigrations",
    "sqlmigrate",
    "squashmigrations",
    "test",
    "version",
}


def manage(args) -> None:
    name = next((arg for arg in args.arguments if not arg.startswith("-")), "help")
    _setup_django(database="" if name in MANAGE_WITHOUT_DATA else "set up")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["trm manage", *args.arguments])


def keys_create(args) -> None:
    """Write a new key file, readable by the owner only: a key-encryption key and the audit
    chain's key, each 32 random bytes in base64."""
    from trm.crypto.keyring import new_chain_key_line, new_key_line, write_key_file_exclusive

    path = Path(args.out)
    try:
        write_key_file_exclusive(path, new_key_line(), new_chain_key_line())
    except FileExistsError:
        sys.exit(f"trm: {path} exists already; a key file is never overwritten.")
    print(f"Wrote a new key file to {path}. Keep a copy offline: without it no data can be read.")


def keys_rotate(args) -> None:
    """Re-wrap every data key with a new key-encryption key; safe to interrupt and run again."""
    _setup_django(database="set up")
    from trm.crypto.keyring import KeyFileError
    from trm.crypto.rotation import retire_old_keys, rotate

    try:
        if args.retire:
            retired = retire_old_keys()
            print(f"retired {len(retired)} old keys: {', '.join(retired) or 'none'}")
            return
        result = rotate(
            batch_size=args.batch_size,
            progress=lambda done: print(f"re-wrapped {done} data keys", flush=True),
        )
    except KeyFileError as problem:
        sys.exit(f"trm: {problem}")
    started = "added a new key and " if result.new_key else "resumed: "
    print(
        f"{started}re-wrapped {result.rewrapped} data keys with key {result.current_id}. "
        "Run 'trm keys rotate --retire' to remove old keys once backups made with them expire."
    )


def audit_verify(args) -> None:
    """Walk the audit chain; exit 1 naming the kind of break and the first event affected."""
    _setup_django(database="set up")
    from trm.audit.verify import verify_chain
    from trm.crypto.keyring import KeyFileError
    from trm.crypto.node_key import NodeKeyError

    try:
        result = verify_chain()
    except NodeKeyError as problem:
        sys.exit(f"trm: the audit checkpoints cannot be checked: {problem}")
    except KeyFileError as problem:
        sys.exit(f"trm: the audit chain cannot be checked: {problem}")
    print(result)
    if not result.ok:
        sys.exit(1)


def audit_checkpoint(args) -> None:
    """Sign a checkpoint of the newest audit event (the worker does this every
    TRM_AUDIT_CHECKPOINT_MINUTES, and after every TRM_AUDIT_CHECKPOINT_EVENTS events)."""
    _setup_django(database="set up")
    from trm.audit.verify import AuditChainBroken, make_checkpoint
    from trm.crypto.keyring import KeyFileError
    from trm.crypto.node_key import NodeKeyError

    try:
        checkpoint = make_checkpoint()
    except (NodeKeyError, KeyFileError) as problem:
        sys.exit(f"trm: no checkpoint was signed: {problem}")
    except AuditChainBroken as broken:
        print(broken.result)
        sys.exit(1)
    if checkpoint is None:
        print("no new audit events since the last checkpoint")
    else:
        print(f"audit checkpoint signed at sequence {checkpoint.sequence}")


def audit_reasons(args) -> None:
    """Read every typed reason kept beside the chain against its HMAC; exit 1 on a mismatch."""
    _setup_django(database="set up")
    from trm.audit.reasons import check_reasons

    result = check_reasons()
    print(result)
    if not result.ok:
        sys.exit(1)


def retention_report(args) -> None:
    """Dry run: the cases due for erasure now, and the reports waiting for their grace period."""
    _setup_django(database="set up")
    from collections import Counter

    from trm.rights.models import RetentionReport
    from trm.rights.retention import due_cases, pending_case_ids

    due = list(due_cases().order_by("owner__country__code", "closed_at"))
    reported = pending_case_ids()
    for case in due:
        status = "reported" if str(case.pk) in reported else "new"
        country = case.owner.country.code
        print(f"{case.reference}\t{country}\tclosed {case.closed_at:%Y-%m-%d}\t{status}")
    for code, count in sorted(Counter(case.owner.country.code for case in due).items()):
        print(f"{code}: {count} due")
    new = sum(1 for case in due if str(case.pk) not in reported)
    print(f"{len(due)} cases due for erasure, {new} of them not yet in a report")
    for report in RetentionReport.objects.filter(executed_at__isnull=True).order_by("due_at"):
        print(
            f"report {report.pk}: {len(report.case_ids)} cases, erased after "
            f"{report.due_at:%Y-%m-%d %H:%M} UTC if still due"
        )


def retention_run(args) -> None:
    """What the worker does daily: carry out due reports, then report who is due now."""
    _setup_django(database="set up")
    from trm.rights.retention import run_retention

    run = run_retention()
    for report in run.reports_carried_out:
        print(f"report {report.pk} carried out: {len(report.erased_case_ids)} cases erased")
    for report in run.reports_made:
        print(
            f"report {report.pk} made: {len(report.case_ids)} cases, erased after "
            f"{report.due_at:%Y-%m-%d %H:%M} UTC if still due"
        )
    print(f"{run.people_erased} people erased")


def emails(args) -> None:
    """The outbox of e-mails: how many wait, were sent and failed, and each failed one."""
    _setup_django(database="set up")
    from django.db.models import Count

    from trm.deadlines.models import OutgoingEmail
    from trm.deadlines.outbox import retry_failed

    if args.retry:
        print(f"{retry_failed()} failed e-mails will be tried again by the worker")
        return
    counts = dict(OutgoingEmail.objects.values_list("status").annotate(n=Count("pk")).order_by())
    print(", ".join(f"{counts.get(status, 0)} {status}" for status in OutgoingEmail.Status.values))
    failed = (
        OutgoingEmail.objects.filter(status=OutgoingEmail.Status.FAILED)
        .select_related("recipient")
        .order_by("next_attempt_at")
    )
    for email in failed:
        print(
            f"failed {email.key} to {email.recipient.get_username()} after {email.attempts} "
            f"attempts, last at {email.next_attempt_at:%Y-%m-%d %H:%M} UTC: {email.last_error}"
        )
    if counts.get(OutgoingEmail.Status.FAILED):
        print("Mend the cause (the mail server, the address), then run 'trm emails --retry'.")


def token_create(args) -> None:
    """Make an API token for an organisation; the secret is printed once and never again.

    The token acts for the person named with --by and reaches no further than they do in the
    organisation; without --by it may read the directory only (it reaches no case data).
    """
    _setup_django(database="set up")
    from trm.accounts.models import User
    from trm.api.tokens import create_token
    from trm.directory.models import Organisation
    from trm.lib.errors import DomainError

    organisation = Organisation.objects.filter(slug=args.organisation).first()
    if organisation is None:
        slugs = Organisation.objects.order_by("slug").values_list("slug", flat=True)
        print(
            f"trm: there is no organisation with the short name {args.organisation!r}. "
            "This node's organisations are:",
            *[f"  {slug}" for slug in slugs] or ["  (none)"],
            sep="\n",
            file=sys.stderr,
        )
        sys.exit(2)
    maker = None
    if args.by:
        maker = User.objects.filter(username=args.by).first()
        if maker is None:
            print(f"trm: there is no user {args.by!r} on this node.", file=sys.stderr)
            sys.exit(2)
    try:
        token, secret = create_token(
            None, organisation, name=args.name, scopes=args.scopes.split(","), maker=maker
        )
    except DomainError as refused:
        hint = "" if maker else " Name that person with --by USERNAME."
        sys.exit(f"trm: {' '.join(refused.reasons)}{hint}")
    acting = f", acting for {maker.get_username()} as {token.role}" if token.role else ""
    print(
        f"API token {token.pk} for {organisation.name}, scopes {', '.join(token.scopes)}{acting}:"
    )
    print(secret)
    print("Keep it safe: it is shown only this once. Send it as 'Authorization: Bearer <token>'.")


def node_init(args) -> None:
    """Give this node its identity among peers: name, countries, address and keys."""
    _setup_django()
    from django.conf import settings

    from trm.federation.identity import init_node, spoken_fingerprint

    countries = [code.strip().upper() for code in args.countries.split(",") if code.strip()]
    if not countries or not all(len(code) == 2 and code.isalpha() for code in countries):
        sys.exit("trm: --countries takes ISO 3166 two-letter codes, e.g. GR or ES,IT")
    node = init_node(
        name=args.name or settings.NODE_NAME,
        countries=countries,
        address=args.address or settings.BASE_URL,
    )
    print(f"node {node.name} ({', '.join(node.countries)}) at {node.address}")
    print(f"fingerprint: {spoken_fingerprint(node.fingerprint)}")


def node_show(args) -> None:
    """Print this node's public keys (JWK) and the fingerprint peers pin."""
    _setup_django()
    from trm.federation.identity import NodeIdentityError, spoken_fingerprint, this_node

    try:
        node = this_node()
    except NodeIdentityError as problem:
        sys.exit(f"trm: {problem}")
    document = {
        "name": node.name,
        "countries": list(node.countries),
        "address": node.address,
        "keys": node.public_keys(),
        "fingerprint": node.fingerprint,
    }
    if node.previous is not None:
        document["previous"] = node.previous.public_keys()
    print(json.dumps(document, indent=2))
    print(f"read out: {spoken_fingerprint(node.fingerprint)}")
    if node.previous is not None:
        print(
            f"previous keys valid until {node.previous.until:%Y-%m-%d %H:%M} UTC "
            f"(fingerprint {spoken_fingerprint(node.previous.signing_key.thumbprint())})"
        )


def node_rotate_keys(args) -> None:
    """Make new keys, keep the old ones for the overlap, and sign the announcement."""
    _setup_django(database="set up")
    from trm.federation.identity import NodeIdentityError, spoken_fingerprint
    from trm.federation.peers import rotate_own_keys
    from trm.lib.errors import DomainError

    try:
        node = rotate_own_keys(overlap_days=args.overlap_days)
    except (NodeIdentityError, DomainError) as problem:
        reasons = problem.reasons if isinstance(problem, DomainError) else [str(problem)]
        sys.exit(f"trm: {' '.join(reasons)}")
    print(f"new keys for {node.name}; the previous ones are valid until "
          f"{node.previous.until:%Y-%m-%d %H:%M} UTC")  # fmt: skip
    print(f"fingerprint: {spoken_fingerprint(node.fingerprint)}")
    print("peers learn the new keys from the announcement at /.well-known/trm-node")


def peer_add(args) -> None:
    """Pin the node at URL once its fingerprint matches the one its operators read out."""
    _setup_django(database="set up")
    from trm.federation.identity import spoken_fingerprint
    from trm.federation.peers import add_peer, fetch_document
    from trm.lib.errors import DomainError

    try:
        peer = add_peer(args.url, args.fingerprint, fetch_document(args.url))
    except OSError as problem:
        sys.exit(f"trm: the node at {args.url} cannot be reached: {problem}")
    except DomainError as refused:
        sys.exit(f"trm: {' '.join(refused.reasons)}")
    print(f"pinned {peer.name} ({', '.join(peer.countries)}) at {peer.address}")
    print(f"fingerprint: {spoken_fingerprint(peer.fingerprint)}")
    # Its directory at once; a peer that has not pinned this node yet refuses, and the worker
    # tries again until it has.
    _copy_directory(peer, exit_on_refusal=False)


def _copy_directory(peer, *, exit_on_refusal: bool) -> None:
    from trm.federation.shared_directory import DirectoryRefused, fetch_directory

    try:
        copied = fetch_directory(peer)
    except DirectoryRefused as refused:
        said = f"the directory of {peer.name} was not copied: {' '.join(refused.reasons)}"
        if exit_on_refusal:
            sys.exit(f"trm: {said} ({refused})")
        print(f"{said} ({refused}) The worker tries again.")
        return
    skipped = (
        f"; not shown, this node has no such country: {', '.join(copied.skipped_countries)}"
        if copied.skipped_countries
        else ""
    )
    print(
        f"directory of {copied.peer} copied: {copied.listed} organisations, "
        f"{copied.made_inactive} no longer listed made inactive{skipped}"
    )


def peer_list(args) -> None:
    """The pinned peers, and the removed ones with when."""
    _setup_django(database="set up")
    from django.utils import timezone

    from trm.federation.identity import spoken_fingerprint
    from trm.federation.models import Peer

    now = timezone.now()
    for peer in Peer.objects.select_related("node").order_by("node__name", "added_at"):
        state = f"removed {peer.removed_at:%Y-%m-%d %H:%M}" if peer.removed_at else "active"
        if peer.previous_valid(now):
            keys = f"rotated, previous keys until {peer.previous_until:%Y-%m-%d %H:%M} UTC"
        elif peer.previous_fingerprint:
            keys = f"rotated, previous keys ended {peer.previous_until:%Y-%m-%d %H:%M} UTC"
        else:
            keys = "keys as pinned"
        print(
            f"{peer.name}\t{','.join(peer.countries)}\t{peer.address}\t"
            f"{spoken_fingerprint(peer.fingerprint)}\t{keys}\t{state}"
        )


def peer_refresh(args) -> None:
    """Copy a peer's directory now (the worker does it every
    TRM_FEDERATION_DIRECTORY_REFRESH_MINUTES)."""
    _setup_django(database="set up")
    from trm.federation.models import Peer

    peer = Peer.objects.active().select_related("node").filter(node__name=args.name).first()
    if peer is None:
        sys.exit(f"trm: no pinned peer is called {args.name!r}")
    _copy_directory(peer, exit_on_refusal=True)


def peer_remove(args) -> None:
    """Stop all exchange with a peer."""
    _setup_django(database="set up")
    from trm.federation.peers import remove_peer
    from trm.lib.errors import DomainError

    try:
        peer = remove_peer(args.name)
    except DomainError as refused:
        sys.exit(f"trm: {' '.join(refused.reasons)}")
    print(f"removed {peer.name}: nothing is exchanged with it any more")


def synth(args) -> None:
    """Write invented cases, with their audit trail, to this (non-production) node."""
    import datetime

    _setup_django()
    from trm.synth import SynthRefused, refuse_in_production, synthesize
    from trm.synth.progress import Progress

    try:
        refuse_in_production()  # before the migration, too: nothing is touched
        _prepare_database()
        report = synthesize(
            args.cases,
            seed=args.seed,
            batch=args.batch,
            today=datetime.date.fromisoformat(args.today) if args.today else None,
            progress=Progress(args.cases),
        )
    except SynthRefused as refused:
        sys.exit(f"trm: {refused}")
    print(report.summary())


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="trm",
        description="trm: case management for the Transnational Referral Mechanism.",
        epilog="Configuration comes from environment variables (TRM_HOME, TRM_DATABASE_URL, "
        "TRM_PRODUCTION, TRM_SECRET_KEY, TRM_KEY_FILE...); see the README.",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def add_server_options(command):
        command.add_argument("--host", default="127.0.0.1", help="address to listen on")
        command.add_argument("--port", type=int, default=8000, help="port to listen on")
        command.add_argument(
            "--workers",
            type=int,
            default=os.cpu_count() or 2,
            help="server processes (default: one per core)",
        )
        command.add_argument("--threads", type=int, default=4, help="request threads per process")

    command = commands.add_parser("serve", help="migrate the database if needed, then serve")
    add_server_options(command)
    command.set_defaults(run=serve)

    command = commands.add_parser(
        "demo", help="create (or reuse) a demo node with invented users, then serve it"
    )
    add_server_options(command)
    command.add_argument(
        "--no-serve", action="store_true", help="prepare the demo and print the logins only"
    )
    command.add_argument(
        "--federated",
        action="store_true",
        help="three nodes (Greece, Albania, Morocco) on consecutive ports from --port, "
        "exchanging referrals",
    )
    command.add_argument(
        "--cases",
        type=int,
        default=4,
        help="with --federated: how many referrals the Greek node makes (default 4)",
    )
    command.set_defaults(run=demo)

    command = commands.add_parser("worker", help="run background tasks and periodic jobs")
    command.add_argument("--once", action="store_true", help="run what is due, then stop")
    command.add_argument(
        "--interval", type=float, default=5.0, help="seconds between looks for work"
    )
    command.set_defaults(run=worker)

    command = commands.add_parser(
        "emails", help="the outbox: e-mails waiting, sent and failed, each failed one named"
    )
    command.add_argument(
        "--retry", action="store_true", help="try the failed e-mails again from the start"
    )
    command.set_defaults(run=emails)

    command = commands.add_parser("check", help="check the configuration and the database")
    command.set_defaults(run=check)

    command = commands.add_parser("manage", help="run a Django management command")
    command.add_argument("arguments", nargs=argparse.REMAINDER, help="the command and options")
    command.set_defaults(run=manage)

    keys = commands.add_parser("keys", help="key files")
    key_commands = keys.add_subparsers(dest="keys_command", required=True, metavar="COMMAND")
    command = key_commands.add_parser(
        "create", help="write a new key file: a key-encryption key and the audit chain's key"
    )
    command.add_argument("--out", required=True, help="path of the new key file")
    command.set_defaults(run=keys_create)
    command = key_commands.add_parser(
        "rotate", help="re-wrap all data keys with a new key (resumes if interrupted)"
    )
    command.add_argument("--batch-size", type=int, default=500, help="data keys per transaction")
    command.add_argument(
        "--retire", action="store_true", help="remove old keys that no data key needs any more"
    )
    command.set_defaults(run=keys_rotate)

    audit = commands.add_parser("audit", help="the tamper-evident audit trail")
    audit_commands = audit.add_subparsers(dest="audit_command", required=True, metavar="COMMAND")
    command = audit_commands.add_parser(
        "verify", help="check every hash, link and signed checkpoint of the audit chain"
    )
    command.set_defaults(run=audit_verify)
    command = audit_commands.add_parser(
        "checkpoint", help="sign a checkpoint of the newest audit event with the node key"
    )
    command.set_defaults(run=audit_checkpoint)
    command = audit_commands.add_parser(
        "reasons", help="check the typed reasons kept beside the chain against its HMACs"
    )
    command.set_defaults(run=audit_reasons)

    token = commands.add_parser("token", help="API tokens of organisations")
    token_commands = token.add_subparsers(dest="token_command", required=True, metavar="COMMAND")
    command = token_commands.add_parser(
        "create", help="make an API token for an organisation and print its secret once"
    )
    command.add_argument("--organisation", required=True, help="the organisation's short name")
    command.add_argument(
        "--scopes", required=True, help="comma-separated, e.g. cases:read,referrals:read"
    )
    command.add_argument("--name", required=True, help="which system uses the token")
    command.add_argument(
        "--by",
        metavar="USERNAME",
        help="the person the token acts for: it reaches no further than their roles in the "
        "organisation; needed for every scope but directory:read",
    )
    command.set_defaults(run=token_create)

    command = commands.add_parser(
        "synth", help="write invented cases for load tests and benchmarks (never in production)"
    )
    command.add_argument("--cases", type=int, default=10_000, help="how many cases")
    command.add_argument("--seed", type=int, default=1, help="the same seed, the same cases")
    command.add_argument("--batch", type=int, default=1000, help="cases per transaction")
    command.add_argument("--today", help="the day the cases stand at, YYYY-MM-DD (default: today)")
    command.set_defaults(run=synth)

    retention = commands.add_parser("retention", help="the retention schedule of personal data")
    retention_commands = retention.add_subparsers(
        dest="retention_command", required=True, metavar="COMMAND"
    )
    command = retention_commands.add_parser(
        "report", help="dry run: list the cases due for erasure, change nothing"
    )
    command.set_defaults(run=retention_report)
    command = retention_commands.add_parser(
        "run", help="erase the people of reports past their grace period, then report anew"
    )
    command.set_defaults(run=retention_run)

    node = commands.add_parser("node", help="this node's identity among its peers")
    node_commands = node.add_subparsers(dest="node_command", required=True, metavar="COMMAND")
    command = node_commands.add_parser(
        "init", help="set the node's name, countries and address; make its encryption key"
    )
    command.add_argument("--name", help="the node's name among peers (default: TRM_NODE_NAME)")
    command.add_argument("--countries", required=True, help="comma-separated, e.g. GR")
    command.add_argument("--address", help="its public HTTPS address (default: TRM_BASE_URL)")
    command.set_defaults(run=node_init)
    command = node_commands.add_parser(
        "show", help="print the public keys (JWK) and the fingerprint to read out to peers"
    )
    command.set_defaults(run=node_show)
    command = node_commands.add_parser(
        "rotate-keys",
        help="make new keys, announce them signed by the old ones, keep the old for an overlap",
    )
    command.add_argument(
        "--overlap-days",
        type=int,
        default=14,
        help="how long peers still believe the old keys (default: 14)",
    )
    command.set_defaults(run=node_rotate_keys)

    peer = commands.add_parser("peer", help="the nodes this node exchanges referrals with")
    peer_commands = peer.add_subparsers(dest="peer_command", required=True, metavar="COMMAND")
    command = peer_commands.add_parser(
        "add", help="pin the node at URL after checking its fingerprint with its operators"
    )
    command.add_argument("url", help="the node's address, e.g. https://trm.example.al")
    command.add_argument(
        "--fingerprint", required=True, help="as its operators read it out (trm node show)"
    )
    command.set_defaults(run=peer_add)
    command = peer_commands.add_parser("list", help="the pinned and removed peers")
    command.set_defaults(run=peer_list)
    command = peer_commands.add_parser(
        "refresh", help="copy a peer's signed directory of organisations now"
    )
    command.add_argument("name")
    command.set_defaults(run=peer_refresh)
    command = peer_commands.add_parser("remove", help="stop all exchange with a peer")
    command.add_argument("name")
    command.set_defaults(run=peer_remove)
    from trm.federation.commands import register

    register(commands)  # outbox, inbox, federation schemas
    return parser


def main(argv: list[str] | None = None) -> None:
    args = _parser().parse_args(argv)
    args.run(args)


if __name__ == "__main__":
    main()
