"""A write holds the case's lock (the case's writers take it in turns) only for what must be
decided under it: the version, what can have changed since the case was read, the insert and
the audit event. Who acts is decided, and a note or a document encrypted, before it."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests.referrals.journeys import Journey, fresh, today
from trm.access.models import Grant
from trm.cases.actions import casework, journey
from trm.cases.models import Note
from trm.lib.errors import DomainError

pytestmark = pytest.mark.django_db

SERVICE = {"service": "legal_aid", "delivered_on": today()}


def under_the_lock(monkeypatch, module, write, lock="lock_case") -> list[str]:
    """The statements `write` sends from the moment it locks the case (with `lock`)."""
    locked_at = []
    locking = getattr(module, lock)

    def marked(*args, **kwargs):
        locked_at.append(len(captured))
        return locking(*args, **kwargs)

    monkeypatch.setattr(module, lock, marked)
    with CaptureQueriesContext(connection) as captured:
        write()
    assert len(locked_at) == 1, "the write locks the case once"
    return [query["sql"] for query in captured.captured_queries[locked_at[0] :]]


def reads(statements, table: str) -> list[str]:
    return [sql for sql in statements if f'"{table}"' in sql and sql.startswith("SELECT")]


def test_a_note_holds_the_case_for_its_insert_and_audit_event_only(personas, monkeypatch):
    team = Journey(personas)
    case = fresh(team.open())
    held = under_the_lock(
        monkeypatch,
        casework,
        lambda: casework.add_note(team.worker, case, "Called her."),
        lock="share_case",
    )
    assert not reads(held, "accounts_membership"), "who writes was decided before the lock"
    assert not reads(held, "crypto_datakey"), "the note was encrypted before the lock"
    assert any(sql.startswith('INSERT INTO "cases_note"') for sql in held)


def test_a_record_holds_the_case_without_deciding_again_who_records_it(personas, monkeypatch):
    team = Journey(personas)
    case = fresh(team.open())
    held = under_the_lock(
        monkeypatch,
        journey,
        lambda: journey.add_record(team.worker, case, "service", SERVICE, version=case.version),
    )
    assert not reads(held, "accounts_membership"), "who records was decided before the lock"
    assert any(sql.startswith('INSERT INTO "cases_stagerecord"') for sql in held)


def test_access_taken_away_before_the_lock_is_found_under_it(personas, monkeypatch):
    # The receiving case worker decides to write a note, then, before the note's step has the
    # case, another step revokes the referral's grant (as withdrawn consent does): the note
    # is refused under the lock, not written by someone who lost the case meanwhile.
    team = Journey(personas)
    case = team.to_referral()
    referral = team.send(case)
    team.accept(referral)
    assert Grant.objects.active().filter(case=case).exists()
    share_case = casework.share_case

    def revoked_meanwhile(*args, **kwargs):
        Grant.objects.filter(case=case).update(revoked_at=timezone.now())
        return share_case(*args, **kwargs)

    monkeypatch.setattr(casework, "share_case", revoked_meanwhile)
    with pytest.raises(DomainError):
        casework.add_note(team.receiving_worker, fresh(case), "Met her at the airport.")
    assert not Note.objects.filter(case=case, author=team.receiving_worker).exists()
