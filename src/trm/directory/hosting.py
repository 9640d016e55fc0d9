"""Which countries' organisations this node hosts: those of the countries its identity names
(`trm node init`, kept in TRM_HOME/node.json by trm.federation.identity), or every country's
while it has none, a node on its own being one installation of the whole TRM."""

import json
from pathlib import Path

from django.conf import settings


def identity_file() -> Path:
    return Path(settings.TRM_HOME) / "node.json"


def served_countries() -> tuple[str, ...] | None:
    """The countries this node serves, or None while it has no identity. Reads node.json
    only: no key is touched."""
    try:
        return tuple(json.loads(identity_file().read_text())["countries"])
    except FileNotFoundError:
        return None
