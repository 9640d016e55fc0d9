"""A step the database aborted under concurrency runs once more, then answers busy, never 500."""

import pytest
from django.db import OperationalError, transaction

from trm.directory.models import Country
from trm.lib.steps import Busy, is_retryable, step


class DatabaseAbort(Exception):
    """What psycopg raises: the error's SQLSTATE says why the transaction was rolled back."""

    def __init__(self, sqlstate):
        super().__init__(sqlstate)
        self.sqlstate = sqlstate


def aborted(sqlstate: str) -> OperationalError:
    error = OperationalError("aborted")
    error.__cause__ = DatabaseAbort(sqlstate)
    return error


def failing(times: int, error: OperationalError):
    calls = []

    @step
    def write():
        calls.append(1)
        # A write that must not survive an aborted attempt.
        Country.objects.filter(code="ES").update(name=f"Attempt {len(calls)}")
        if len(calls) <= times:
            raise error
        return len(calls)

    return write, calls


@pytest.mark.django_db
@pytest.mark.parametrize("sqlstate", ["40P01", "40001"])
def test_a_step_aborted_once_by_a_deadlock_or_serialization_failure_runs_again(sqlstate):
    write, calls = failing(1, aborted(sqlstate))
    assert write() == 2
    assert Country.objects.get(code="ES").name == "Attempt 2"


@pytest.mark.django_db
def test_a_step_aborted_twice_answers_busy_and_leaves_nothing():
    before = Country.objects.get(code="ES").name
    write, calls = failing(2, aborted("40P01"))
    with pytest.raises(Busy) as refused:
        write()
    assert refused.value.status == 503
    assert len(calls) == 2
    assert Country.objects.get(code="ES").name == before


@pytest.mark.django_db
def test_other_database_errors_are_not_retried():
    write, calls = failing(1, aborted("42P01"))
    with pytest.raises(OperationalError):
        write()
    assert len(calls) == 1


def test_sqlite_busy_counts_as_retryable():
    assert is_retryable(OperationalError("database is locked"))
    assert not is_retryable(OperationalError("no such table: x"))


@pytest.mark.django_db(transaction=True)
def test_a_step_inside_another_transaction_is_refused():
    @step
    def inner():
        return 1

    with pytest.raises(RuntimeError, match="durable"):
        with transaction.atomic():
            inner()
