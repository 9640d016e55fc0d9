"""The `trm` command: serve a node, try the demo, run the worker, check the configuration."""

import argparse
import base64
import os
import secrets
import sys
from pathlib import Path


def _setup_django() -> None:
    """Load the settings; a configuration mistake ends the command with its message only."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "trm.settings")
    import django
    from django.core.exceptions import ImproperlyConfigured

    try:
        django.setup()
    except ImproperlyConfigured as problem:
        sys.exit(f"trm: configuration error: {problem}")


def _prepare_database() -> None:
    from django.core.management import call_command

    from trm.directory.models import Country
    from trm.directory.seed import seed_directory

    call_command("migrate", interactive=False, verbosity=0)
    if not Country.objects.exists():
        seed_directory()


def _serve(host: str, port: int, threads: int) -> None:
    import waitress

    from trm.wsgi import application

    print(f"trm is serving on http://{host}:{port}/ (Ctrl+C stops it)", flush=True)
    waitress.serve(application, host=host, port=port, threads=threads, ident="trm")


def serve(args) -> None:
    _setup_django()
    _prepare_database()
    _serve(args.host, args.port, args.threads)


def demo(args) -> None:
    # The demo keeps its own database and keys beside the node's, never mixed with real data.
    home = Path(os.environ.get("TRM_HOME", "var")).resolve() / "demo"
    os.environ["TRM_HOME"] = str(home)
    os.environ["TRM_DEMO"] = "1"
    os.environ.pop("TRM_DATABASE_URL", None)
    _setup_django()
    from trm.demo import create_demo_data, demo_logins

    _prepare_database()
    create_demo_data()
    print(demo_logins(), flush=True)
    if not args.no_serve:
        _serve(args.host, args.port, args.threads)


def worker(args) -> None:
    _setup_django()
    from trm.core.worker import run_worker

    run_worker(once=args.once, interval=args.interval)


def check(args) -> None:
    _setup_django()
    from trm.core.health import node_problems

    problems = node_problems()
    for problem in problems:
        print(f"problem: {problem}")
    if problems:
        sys.exit(1)
    print("trm check: configuration and database are healthy")


def manage(args) -> None:
    _setup_django()
    from django.core.management import execute_from_command_line

    execute_from_command_line(["trm manage", *args.arguments])


def keys_create(args) -> None:
    """Write a new key-encryption key: 32 random bytes, base64, readable by the owner only."""
    path = Path(args.out)
    if path.exists():
        sys.exit(f"trm: {path} exists already; a key file is never overwritten.")
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as out:
        out.write(base64.urlsafe_b64encode(secrets.token_bytes(32)).decode() + "\n")
    print(f"Wrote a new key file to {path}. Keep a copy offline: without it no data can be read.")


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
        command.add_argument("--threads", type=int, default=8, help="request threads")

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
    command.set_defaults(run=demo)

    command = commands.add_parser("worker", help="run background tasks and periodic jobs")
    command.add_argument("--once", action="store_true", help="run what is due, then stop")
    command.add_argument(
        "--interval", type=float, default=5.0, help="seconds between looks for work"
    )
    command.set_defaults(run=worker)

    command = commands.add_parser("check", help="check the configuration and the database")
    command.set_defaults(run=check)

    command = commands.add_parser("manage", help="run a Django management command")
    command.add_argument("arguments", nargs=argparse.REMAINDER, help="the command and options")
    command.set_defaults(run=manage)

    keys = commands.add_parser("keys", help="key files")
    key_commands = keys.add_subparsers(dest="keys_command", required=True, metavar="COMMAND")
    command = key_commands.add_parser("create", help="write a new key-encryption key file")
    command.add_argument("--out", required=True, help="path of the new key file")
    command.set_defaults(run=keys_create)

    return parser


def main(argv: list[str] | None = None) -> None:
    args = _parser().parse_args(argv)
    args.run(args)


if __name__ == "__main__":
    main()
