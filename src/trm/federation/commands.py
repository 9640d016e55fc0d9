"""The command line of the exchange between nodes: `trm outbox` and `trm inbox` (list, retry
and explain envelopes: identifiers, states, codes and times, never personal data) and
`trm federation schemas` (the published message schemas). `register` adds them to trm.cli's
parser; Django is set up only when one runs."""

import sys

OUTBOX_COLUMNS = ("id", "message", "peer", "type", "conversation", "sequence", "state",
                  "attempts", "problem", "age", "delivered after")  # fmt: skip
INBOX_COLUMNS = ("id", "message", "peer", "type", "conversation", "sequence", "state",
                 "problem", "age")  # fmt: skip


def _setup() -> None:
    from trm.cli import _setup_django

    _setup_django(database="set up")


def _table(rows: list[dict], columns) -> None:
    print("\t".join(columns))
    for row in rows:
        print("\t".join(str(row[column]) for column in columns))


def outbox(args) -> None:
    _setup()
    from . import operations

    if args.explain or args.retry:
        try:
            envelope = operations.outgoing(args.explain or args.retry)
        except operations.NoSuchEnvelope:
            sys.exit(f"trm: no envelope {args.explain or args.retry} in the outbox")
        if args.retry:
            try:
                envelope = operations.retry(envelope)
            except operations.NotRetried as why:
                sys.exit(f"trm: envelope {envelope.pk} is not sent again: {why}")
            print(f"envelope {envelope.pk} ({envelope.type} to {envelope.peer.name}) is queued "
                  "again; the worker sends it at once")  # fmt: skip
            return
        print("\n".join(operations.explain_outgoing(envelope)))
        return
    _table(operations.outbox_rows(limit=args.limit), OUTBOX_COLUMNS)


def inbox(args) -> None:
    _setup()
    from . import operations

    if args.explain:
        try:
            envelope = operations.incoming(args.explain)
        except operations.NoSuchEnvelope:
            sys.exit(f"trm: no envelope {args.explain} in the inbox")
        print("\n".join(operations.explain_incoming(envelope)))
        return
    _table(operations.inbox_rows(limit=args.limit), INBOX_COLUMNS)


def schemas_command(*, check: bool) -> None:
    """Write the schema files from the models, or (`check`) fail when they differ."""
    from . import messages

    if check:
        differing = messages.differing_schemas()
        if differing:
            print(
                "trm: these schema files are not what the models make: "
                + ", ".join(differing)
                + ". Run 'trm federation schemas' and commit them.",
                file=sys.stderr,
            )
            sys.exit(1)
        print(f"the schema files in {messages.SCHEMA_DIR} are those the models make")
        return
    changed = messages.write_schemas()
    print(f"wrote {', '.join(changed)}" if changed else "the schema files were up to date")


def schemas(args) -> None:
    from trm.cli import _setup_django

    _setup_django()  # the models read the choices of the apps; no database is needed
    schemas_command(check=args.check)


def register(commands) -> None:
    """Add `outbox`, `inbox` and `federation` to trm's subcommands."""
    command = commands.add_parser(
        "outbox", help="messages to peer nodes: list them, explain one, send one again"
    )
    group = command.add_mutually_exclusive_group()
    group.add_argument("--explain", metavar="ID", help="what happened to it, step by step")
    group.add_argument(
        "--retry", metavar="ID", help="queue a refused or waiting one again, to be sent at once"
    )
    command.add_argument("--limit", type=int, default=200, help="the newest N (default 200)")
    command.set_defaults(run=outbox)

    command = commands.add_parser("inbox", help="messages from peer nodes: list, explain one")
    command.add_argument("--explain", metavar="ID", help="what happened to it, step by step")
    command.add_argument("--limit", type=int, default=200, help="the newest N (default 200)")
    command.set_defaults(run=inbox)

    federation = commands.add_parser("federation", help="the exchange between nodes")
    federation_commands = federation.add_subparsers(
        dest="federation_command", required=True, metavar="COMMAND"
    )
    command = federation_commands.add_parser(
        "schemas", help="write the published message schemas from the models"
    )
    command.add_argument(
        "--check", action="store_true", help="fail if the files differ from the models"
    )
    command.set_defaults(run=schemas)
