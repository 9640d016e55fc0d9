"""A real PostgreSQL deadlock between two steps: the database aborts one, the step runs again
and both commit (tests/lib/test_steps.py covers the same with a simulated abort)."""

import threading

import pytest
from django.db import connection, connections
from django.db.models import Value
from django.db.models.functions import Concat

from trm.accounts.models import User
from trm.lib.steps import step

pytestmark = [
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="SQLite takes its one write lock at BEGIN (IMMEDIATE): two writers never hold a "
        "row each, so they cannot deadlock",
    ),
    pytest.mark.django_db(transaction=True),
]


def test_one_of_two_steps_locking_two_rows_in_opposite_order_is_retried_and_both_commit():
    codes = ("first.person", "second.person")
    for code in codes:
        User.objects.create_user(username=code, first_name="Name")
    # Both hold their first row before either asks for its second: a deadlock for certain.
    both_hold_one = threading.Barrier(2, timeout=10)
    attempts = {"forwards": 0, "backwards": 0}
    failures = []

    @step
    def rename_both(direction: str, first: str, second: str) -> None:
        attempts[direction] += 1
        User.objects.select_for_update().get(username=first)
        if attempts[direction] == 1:
            both_hold_one.wait()
        User.objects.select_for_update().get(username=second)
        for code in (first, second):
            User.objects.filter(username=code).update(first_name=Concat("first_name", Value("+")))

    def run(direction, first, second):
        try:
            rename_both(direction, first, second)
        except Exception as problem:  # noqa: BLE001 - reported by the main thread
            failures.append(problem)
        finally:
            connections.close_all()

    threads = [
        threading.Thread(target=run, args=("forwards", *codes)),
        threading.Thread(target=run, args=("backwards", *reversed(codes))),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert failures == []
    # PostgreSQL aborted exactly one of them (deadlock_detected); it ran once more.
    assert sorted(attempts.values()) == [1, 2]
    # Both committed, each its two changes: the aborted attempt left nothing.
    names = set(User.objects.filter(username__in=codes).values_list("first_name", flat=True))
    assert names == {"Name++"}
