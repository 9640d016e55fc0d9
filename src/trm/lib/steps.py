"""A step of the procedure is one durable transaction: all it implies commits with it, or nothing.

Top-level actions (what a page, the API, the command line or the worker calls) are decorated
with `@step`; the actions they compose use `transaction.atomic(savepoint=False)`, so a step
calling another step is a programming error that Django refuses (a durable block cannot nest).

Under concurrency the database may abort one of two transactions (PostgreSQL's deadlock or
serialization failure, SQLite's busy timeout): the step then runs once more from its start, after
a short pause, and if that fails too the caller is told `Busy` (503, "try again"), never a 500.
"""

import functools
import logging
import random
import time

from django.db import OperationalError, transaction
from django.utils.translation import gettext_lazy as _

from .errors import DomainError

log = logging.getLogger(__name__)

# PostgreSQL's serialization_failure and deadlock_detected: the transaction was rolled back as
# a whole and running it again may succeed.
RETRYABLE_SQLSTATES = {"40001", "40P01"}
# Seconds to wait before the second attempt, at random within these bounds. Run again at once,
# the step can take back the row it held before the transaction that won could (that one is
# only woken when this one is rolled back) and deadlock with it once more: 1 in 8 times in
# tests/lib/test_steps_under_a_real_deadlock.py without the pause.
RETRY_PAUSE = (0.02, 0.1)

BUSY = _(
    "The system is busy with other changes to the same records. Nothing was saved: please try "
    "again in a moment."
)


class Busy(DomainError):
    """The step was rolled back twice by the database's concurrency control."""

    status = 503
    shown_on_page = False


def is_retryable(error: OperationalError) -> bool:
    """Whether the database rolled the whole transaction back for a reason that may pass."""
    cause = error.__cause__
    if getattr(cause, "sqlstate", None) in RETRYABLE_SQLSTATES:
        return True
    # SQLite: another writer held the database past the busy timeout.
    return "database is locked" in str(error)


def step(function):
    """Run `function` as one durable transaction, retried once if the database aborted it."""

    @functools.wraps(function)
    def run(*args, **kwargs):
        for attempt in (1, 2):
            try:
                with transaction.atomic(durable=True):
                    return function(*args, **kwargs)
            except OperationalError as error:
                if not is_retryable(error):
                    raise
                # Only the step's name and the database's error code: never its arguments.
                sqlstate = getattr(error.__cause__, "sqlstate", None) or "locked"
                log.warning(
                    "step %s aborted (%s), attempt %d", function.__qualname__, sqlstate, attempt
                )
                if attempt == 2:
                    raise Busy(BUSY) from error
                time.sleep(random.uniform(*RETRY_PAUSE))  # noqa: S311 (not a secret)
        raise AssertionError("unreachable")

    run.is_step = True
    return run
