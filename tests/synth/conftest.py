import datetime

import pytest
from django.db import transaction

from trm.synth import synthesize

# A fixed day, so the same seed gives the same cases whenever the tests run.
TODAY = datetime.date(2026, 11, 1)


class Undo(Exception):
    """Raised to roll a synthesis back inside the test's transaction."""


@pytest.fixture
def synthesized(directory, tmp_path):
    """Synthesize `cases` cases of `seed`; `keep=False` rolls them back after `inspect`."""

    def run(cases, seed, *, inspect=None, keep=True):
        truth = tmp_path / f"truth-{seed}-{cases}.jsonl"
        if keep:
            return synthesize(cases, seed=seed, batch=40, today=TODAY, truth=truth)
        try:
            with transaction.atomic():
                synthesize(cases, seed=seed, batch=40, today=TODAY, truth=truth)
                seen = inspect()
                raise Undo
        except Undo:
            return seen

    return run
