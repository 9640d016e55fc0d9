"""A step's consequences, named in a workflow table by dotted path and called in its transaction.

A table names `"trm.deadlines.effects.answered"` rather than importing the function: the
table's app need not import the apps its steps reach into (no import circle between cases,
referrals and deadlines), the name says exactly which function runs (grep finds it), and a
typo fails `check` below, which the test suite runs over every table.
"""

from collections.abc import Callable, Iterable

from django.utils.module_loading import import_string


def resolve(path: str) -> Callable:
    """The function a dotted path names, looked up at each call (modules are imported once)."""
    return import_string(path)


def run(paths: Iterable[str], *arguments) -> None:
    """Call each effect in order with `arguments`, inside the caller's transaction: an effect
    that raises undoes the whole step."""
    for path in paths:
        resolve(path)(*arguments)


def check(paths: Iterable[str]) -> list[str]:
    """The paths that name no function."""
    missing = []
    for path in paths:
        try:
            found = resolve(path)
        except ImportError:
            missing.append(path)
        else:
            if not callable(found):
                missing.append(path)
    return missing
