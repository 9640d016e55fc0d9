"""The command line of the exchange between nodes: `trm outbox`, `trm inbox` (list, retry and
explain envelopes, without personal data) and `trm federation schemas` (the published message
schemas). Registered by trm.cli; Django is set up only when a command runs."""

import sys


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
