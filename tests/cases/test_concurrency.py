"""Two people working at once on the same organisation and the same cases, in opposite orders:
no deadlock, no error, only the 409s the case's version is there for (issue 11)."""

import threading
import time

import pytest
from django.db import connection, connections, transaction

from tests.referrals.journeys import Journey, fresh, today
from trm.access.actions import break_the_glass
from trm.accounts.models import Role
from trm.cases.actions import casework, journey
from trm.cases.locking import lock_case
from trm.cases.stages import Stage
from trm.lib.errors import Conflict

pytestmark = [
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="SQLite runs one writer at a time (IMMEDIATE transactions): its writers queue "
        "and cannot deadlock; row locks and their order are PostgreSQL's",
    ),
    pytest.mark.django_db(transaction=True),
]

SECONDS = 4
HELD = 4  # seconds a step holds the case while another refers to it
SERVICE = {"service": "legal_aid", "delivered_on": today()}
PERSON = {"given_name": "Nadia", "family_name": "Writer"}


def deadlocks_so_far() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_stat_clear_snapshot()")
        cursor.execute("SELECT deadlocks FROM pg_stat_database WHERE datname = current_database()")
        return cursor.fetchone()[0]


def counselled_to_stay(team: Journey):
    """A case at options counselling whose person chose to stay: it can move to long-term
    assistance and back (choose_to_stay, reconsider) as often as wanted."""
    case = team.to_referral(until=Stage.FIRST_ASSISTANCE)
    team.move(team.worker, case, "start_counselling")
    team.add(team.worker, case, "counselling", {"choice": "residence", "language": "sq"})
    return fresh(case)


def test_two_people_writing_in_opposite_orders_never_deadlock(personas):
    team = Journey(personas)
    colleague = team.staff(team.sender, Role.CASE_WORKER)
    first, second = team.open(), team.open()
    moving = counselled_to_stay(team)
    errors, conflicts, writes = [], [], []
    until = time.monotonic() + SECONDS
    before = deadlocks_so_far()

    def opens_cases_and_writes_forwards():
        # New cases of the organisation (the row every opening's foreign key points to), and
        # notes and records on the first case, then the second, then the moving one.
        while time.monotonic() < until:
            writes.append(casework.open_case(team.worker, team.sender, person=PERSON))
            for case in (first, second, moving):
                writes.append(casework.add_note(team.worker, case, "Called the shelter."))
                writes.append(journey.add_record(team.worker, case, "service", SERVICE))

    def moves_a_case_and_writes_backwards():
        # The same cases the other way round, and one of them moved back and forth with its
        # version: the other's records change it meanwhile, hence the expected 409s.
        while time.monotonic() < until:
            for case in (moving, second, first):
                writes.append(journey.add_record(colleague, case, "service", SERVICE))
                writes.append(casework.add_note(colleague, case, "Spoke with the lawyer."))
            current = fresh(moving)
            event = "choose_to_stay" if current.stage == Stage.OPTIONS_COUNSELLING else "reconsider"
            try:
                writes.append(journey.move(colleague, moving, event, version=current.version))
            except Conflict as stale:
                conflicts.append(stale)

    def working(work):
        try:
            work()
        except Exception as problem:  # noqa: BLE001 - reported by the main thread
            errors.append(problem)
        finally:
            connections.close_all()  # this thread's own connection

    threads = [
        threading.Thread(target=working, args=(opens_cases_and_writes_forwards,)),
        threading.Thread(target=working, args=(moves_a_case_and_writes_backwards,)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=SECONDS + 60)
    assert errors == []
    # A deadlock the steps' retry would hide still counts: PostgreSQL saw none.
    time.sleep(0.5)  # the threads' sessions report their statistics as they end
    assert deadlocks_so_far() == before
    assert len(writes) > 20, "the two threads hardly wrote: the test proves nothing"
    moves = [write for write in writes if getattr(write, "pk", None) == moving.pk]
    assert moves, "the case was never moved"


def test_a_step_that_only_refers_to_a_case_does_not_wait_for_the_step_writing_it(personas):
    # A supervisor breaks the glass (a row pointing to the case, its foreign key checked with
    # FOR KEY SHARE on the case when it commits) while a colleague's step holds the case. The
    # case's lock (FOR NO KEY UPDATE) lets it commit at once; a FOR UPDATE lock made it wait
    # for the other step's end, or deadlock with it once that step waits for the audit chain.
    team = Journey(personas)
    case = team.open()
    supervisor = team.staff(personas.organisation("ES", focal_point=True), Role.SUPERVISOR)
    holding, done = threading.Event(), threading.Event()

    def a_step_holding_the_case():
        try:
            with transaction.atomic():
                lock_case(case.pk)
                holding.set()
                done.wait(HELD)
        finally:
            connections.close_all()

    holder = threading.Thread(target=a_step_holding_the_case)
    holder.start()
    assert holding.wait(10)
    started = time.monotonic()
    try:
        break_the_glass(supervisor, case, "A child is missing since last night.")
        waited = time.monotonic() - started
    finally:
        done.set()
        holder.join()
    assert waited < HELD / 2, f"breaking the glass waited {waited:.1f} s for the case's writer"


def test_notes_on_one_case_are_written_together_and_a_record_waits_for_them(personas):
    # A note or a document adds beside the case and changes nothing of it, so writers of notes
    # hold the case together (FOR SHARE): one does not wait for another's commit. What changes
    # the case (a record, a step, a revocation, an erasure) waits for them, so none of them is
    # written past a change that takes the writer's access away.
    team = Journey(personas)
    case = team.open()
    holding, done = threading.Event(), threading.Event()

    def a_note_holding_the_case():
        try:
            with transaction.atomic():
                casework._locked_for(
                    team.worker, case, "note", casework._writer(team.worker, case, "note")
                )
                holding.set()
                done.wait(HELD)
        finally:
            connections.close_all()

    holder = threading.Thread(target=a_note_holding_the_case)
    holder.start()
    assert holding.wait(10)
    try:
        started = time.monotonic()
        casework.add_note(team.worker, case, "Called the shelter; the person is safe.")
        note_waited = time.monotonic() - started
        recorder = threading.Thread(
            target=lambda: (
                journey.add_record(team.worker, fresh(case), "service", SERVICE),
                connections.close_all(),
            )
        )
        started = time.monotonic()
        recorder.start()
        recorder.join(HELD / 2)
        record_waited = recorder.is_alive()
    finally:
        done.set()
        holder.join()
        recorder.join()
    assert note_waited < HELD / 2, f"a note waited {note_waited:.1f} s for another note"
    assert record_waited, "a record was written while a note held the case"
