"""A large backlog is swept in batches: each deadline still sent exactly once, to the same people
as one at a time, a bad deadline holding back only itself, and the queries of a batch not growing
with its size."""

import datetime
import logging
import threading

import pytest
from django.core import mail
from django.db import connection, connections
from django.db.models import Q
from django.test import TestCase
from django.test.utils import CaptureQueriesContext
from django_tasks_db.models import DBTaskResult

from trm.accounts.models import Role, User
from trm.audit.models import AuditEvent
from trm.audit.verify import verify_chain
from trm.deadlines import notify
from trm.deadlines import sweep as sweeping
from trm.deadlines.models import Deadline, DeadlineKind, Notification, NotificationEvent

from .conftest import PERSONAL_WORDS, local, swept, swept_by_two_workers_at_once

pytestmark = pytest.mark.django_db

OPENED = local("ES", 2026, 3, 2, 9, 0)
REMIND_AT = OPENED + datetime.timedelta(days=2)
DUE = OPENED + datetime.timedelta(days=3)
REMINDING = DUE - datetime.timedelta(hours=12)
OVERDUE = DUE + datetime.timedelta(hours=1)


@pytest.fixture
def scenes(scene_in, time_machine):
    """Three pairs of organisations in six countries, so nobody works on two pairs' cases."""
    time_machine.move_to(OPENED, tick=False)
    return [scene_in("AL", "ES"), scene_in("MA", "GR"), scene_in("UA", "PL")]


@pytest.fixture
def small_batches(monkeypatch):
    # Many batches from a few deadlines: the batches' edges must not lose or repeat any.
    monkeypatch.setattr(sweeping, "BATCH_SIZE", 3)


def deadline(scene, kind=DeadlineKind.REFERRAL_RESPONSE, *, to=("receiver",), due=DUE, **case):
    """A deadline on a new case of the scene, counted in the receiving country, reminding the
    scene's organisations named in `to`; reminded a day before it is due."""
    found = Deadline.objects.create(
        case=scene.case(child=kind == DeadlineKind.CHILD_RECEPTION, **case),
        kind=kind,
        country=scene.receiver.country,
        starts_at=OPENED,
        due_at=due,
        remind_at=due - datetime.timedelta(days=1),
    )
    found.organisations.set([getattr(scene, name) for name in to])
    return found


def notified(deadline, event) -> set:
    return {n.user for n in Notification.objects.filter(deadline=deadline, event=event)}


def audited(action) -> dict:
    """The recipients each deadline's audit event names, by deadline."""
    events = AuditEvent.objects.filter(action=action)
    found = {}
    for event in events:
        assert event.details["deadline"] not in found, "one event per deadline"
        found[event.details["deadline"]] = event.details["recipients"]
    return found


# -- today's rules, one deadline at a time, written as queries: what the batches must match ----


def _members(organisations, roles) -> Q:
    return Q(
        memberships__is_active=True,
        memberships__role__in=roles,
        memberships__organisation__in=organisations,
    )


def _users(condition: Q) -> list:
    return list(User.objects.filter(condition, is_active=True).distinct().order_by("pk"))


def _focal_points(*countries) -> Q:
    return Q(
        memberships__is_active=True,
        memberships__role=Role.FOCAL_POINT,
        memberships__organisation__is_active=True,
        memberships__organisation__country__in=countries,
    )


def _owners(case) -> Q:
    condition = _members([case.owner], [Role.SUPERVISOR])
    if case.case_worker_id:
        condition |= Q(pk=case.case_worker_id)
    return condition


def reminded_one_at_a_time(deadline) -> list:
    case = deadline.case
    organisations = list(deadline.organisations.all())
    if not organisations:
        return _users(_owners(case))
    condition = Q(pk__in=[])
    for organisation in organisations:
        if organisation.pk == case.owner_id:
            condition |= (
                Q(pk=case.case_worker_id)
                if case.case_worker_id
                else _members([organisation], [Role.SUPERVISOR])
            )
        else:
            condition |= _members(
                [organisation], [Role.CASE_WORKER, Role.SUPERVISOR, Role.FOCAL_POINT]
            )
    return _users(condition)


def alerted_one_at_a_time(deadline) -> list:
    case = deadline.case
    if deadline.kind == DeadlineKind.REFERRAL_RESPONSE:
        condition = _focal_points(deadline.country)
    elif deadline.kind == DeadlineKind.CHILD_RECEPTION:
        condition = _focal_points(deadline.country, case.owner.country)
    else:
        condition = _owners(case)
    return _users(condition) or _users(_owners(case))


# -- the scenarios ------------------------------------------------------------------------------


def test_a_backlog_across_organisations_is_sent_once_each_to_its_own_people(scenes, small_batches):
    backlog = {d.pk: scene for scene in scenes for d in [deadline(scene) for _ in range(4)]}
    child = deadline(scenes[1], DeadlineKind.CHILD_RECEPTION)
    backlog[child.pk] = scenes[1]
    mail.outbox.clear()

    assert swept(REMINDING) == {"reminded": 13, "escalated": 0}
    assert swept(REMINDING) == {"reminded": 0, "escalated": 0}
    for pk, scene in backlog.items():
        assert notified(pk, NotificationEvent.REMINDER) == {scene.receiving_worker}
    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        backlog[pk].receiving_worker.email for pk in backlog
    )

    mail.outbox.clear()
    assert swept(OVERDUE) == {"reminded": 0, "escalated": 13}
    assert swept(OVERDUE) == {"reminded": 0, "escalated": 0}
    for pk, scene in backlog.items():
        focal_points = {scene.receiving_focal_point}
        if pk == child.pk:
            focal_points.add(scene.sending_focal_point)
        assert notified(pk, NotificationEvent.OVERDUE) == focal_points
    assert len(mail.outbox) == 14
    assert len(audited("trm.deadline.reminded")) == len(audited("trm.deadline.escalated")) == 13
    assert verify_chain().ok


def test_the_batches_find_the_same_people_as_one_deadline_at_a_time(
    scenes, personas, small_batches
):
    spain, greece, poland = scenes
    # Who must not be told: a leaver, a suspended membership, and Morocco's focal point, whose
    # organisation closed (so Greek referrals to Morocco fall back to the owners).
    spain.staff(spain.sender, Role.SUPERVISOR).memberships.update(is_active=False)
    User.objects.filter(pk=spain.staff(spain.receiver, Role.CASE_WORKER).pk).update(is_active=False)
    closed = personas.organisation("MA", focal_point=True)
    closed.is_active = False
    closed.save()
    poland.staff(poland.receiver, Role.SUPERVISOR)
    backlog = []
    for scene in scenes:
        for kind in DeadlineKind.values:
            for to in [(), ("sender",), ("receiver",), ("sender", "receiver")]:
                backlog.append(deadline(scene, kind, to=to))
        backlog.append(deadline(scene, DeadlineKind.REFLECTION_PERIOD_END, case_worker=None))
        backlog.append(deadline(scene, DeadlineKind.REFERRAL_RESPONSE, case_worker=None, to=()))

    assert swept(REMINDING)["reminded"] == len(backlog)
    assert swept(OVERDUE)["escalated"] == len(backlog)

    reminders, alerts = audited("trm.deadline.reminded"), audited("trm.deadline.escalated")
    for each in backlog:
        expected = reminded_one_at_a_time(each)
        assert expected, "every scenario reminds someone"
        assert notified(each, NotificationEvent.REMINDER) == set(expected), each.kind
        assert reminders[str(each.pk)] == [user.pk for user in expected]
        expected = alerted_one_at_a_time(each)
        assert notified(each, NotificationEvent.OVERDUE) == set(expected), each.kind
        assert alerts[str(each.pk)] == [user.pk for user in expected]


def test_a_deadline_that_cannot_be_sent_waits_for_the_next_sweep_and_holds_back_no_other(
    scenes, monkeypatch, caplog
):
    backlog = [deadline(scene) for scene in scenes for _ in range(2)]
    bad = backlog[3]
    emails_for = notify.emails_for

    def failing(deadline, event, users, link=None):
        if deadline.pk == bad.pk:
            raise RuntimeError("the template broke")
        return emails_for(deadline, event, users, link)

    monkeypatch.setattr(notify, "emails_for", failing)
    mail.outbox.clear()
    with caplog.at_level(logging.WARNING, logger="trm.deadlines"):
        assert swept(OVERDUE) == {"reminded": 0, "escalated": 5}

    bad.refresh_from_db()
    assert bad.escalated_at is None, "left for the next sweep"
    assert not Notification.objects.filter(deadline=bad).exists()
    assert bad.case.reference not in " ".join(m.subject for m in mail.outbox)
    assert str(bad.pk) not in audited("trm.deadline.escalated")
    for each in backlog:
        if each != bad:
            assert len(notified(each, NotificationEvent.OVERDUE)) == 1
    assert len(mail.outbox) == 5
    [failure] = [r for r in caplog.records if r.levelno == logging.ERROR]
    assert failure.getMessage() == f"deadline {bad.pk} not escalated"
    logged = caplog.text
    for word in [*PERSONAL_WORDS, bad.case.reference]:
        assert word not in logged

    monkeypatch.undo()
    mail.outbox.clear()
    assert swept(OVERDUE) == {"reminded": 0, "escalated": 1}
    assert [m.to for m in mail.outbox] == [[scenes[1].receiving_focal_point.email]]
    assert verify_chain().ok


def test_a_second_worker_that_read_the_same_backlog_sends_nothing_again(
    scenes, monkeypatch, caplog
):
    backlog = [deadline(scene) for scene in scenes for _ in range(3)]
    send_batch = sweeping._send_batch
    other_worker = {}

    def after_another_worker(outcome, pks, now):
        # This worker has read the backlog; another sweeps all of it before this one sends.
        if not other_worker:
            monkeypatch.setattr(sweeping, "_send_batch", send_batch)
            other_worker.update(sweeping.sweep(now))
        return send_batch(outcome, pks, now)

    monkeypatch.setattr(sweeping, "_send_batch", after_another_worker)
    assert swept(OVERDUE) == {"reminded": 0, "escalated": 0}
    assert other_worker == {"reminded": 0, "escalated": len(backlog)}
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING], "nothing failed"
    assert Notification.objects.count() == len(backlog)
    assert len(audited("trm.deadline.escalated")) == len(backlog)


@pytest.mark.skipif(
    connection.vendor == "sqlite",
    reason="the in-memory SQLite test database shares one cache between threads, so its "
    "writers fail instead of waiting; the test above covers the claim",
)
@pytest.mark.django_db(transaction=True)
def test_two_workers_sweeping_a_backlog_in_parallel_send_each_deadline_once(
    scenes, small_batches, caplog
):
    backlog = [deadline(scene) for scene in scenes for _ in range(8)]
    results, failures = swept_by_two_workers_at_once(OVERDUE)
    assert failures == []
    assert sum(result["escalated"] for result in results) == len(backlog)
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING], "nothing failed"
    assert Notification.objects.count() == len(backlog)
    assert len(audited("trm.deadline.escalated")) == len(backlog)
    assert verify_chain().ok


@pytest.mark.skipif(
    connection.vendor == "sqlite",
    reason="SQLite runs one writer at a time (IMMEDIATE transactions): nothing to interleave",
)
@pytest.mark.django_db(transaction=True)
def test_a_sweep_and_an_action_that_audits_then_meets_a_deadline_do_not_deadlock(scenes, caplog):
    """An action audits (taking the chain's lock) and then marks a deadline met, while the
    sweep is claiming that deadline: one waits for the other, and neither fails."""
    from django.db import transaction

    from trm.audit.log import record

    due = deadline(scenes[0])
    others = [deadline(scenes[1]) for _ in range(3)]
    audited_first, failures, results = threading.Event(), [], []

    def sweeper():
        try:
            audited_first.wait(10)
            results.append(sweeping.sweep(OVERDUE))
        except Exception as problem:  # noqa: BLE001 - reported by the main thread
            failures.append(problem)
        finally:
            connections.close_all()

    thread = threading.Thread(target=sweeper)
    thread.start()
    try:
        with transaction.atomic():
            record("trm.case.viewed", target=due.case)
            audited_first.set()
            # Let the sweep reach its claim while this transaction holds the chain's lock.
            thread.join(timeout=1.5)
            Deadline.objects.filter(pk=due.pk).update(met_at=OVERDUE)
    finally:
        thread.join()
    assert failures == []
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING], "nothing failed"
    assert results == [{"reminded": 0, "escalated": len(others)}]
    assert verify_chain().ok


def queries_of_a_sweep(scenes, count: int, at) -> list[str]:
    """The SQL of sweeping `count` overdue deadlines spread over the scenes' organisations."""
    for number in range(count):
        deadline(scenes[number % len(scenes)], due=at - datetime.timedelta(hours=1))
    DBTaskResult.objects.all().delete()  # the worker ran the delivery the last sweep asked for
    with CaptureQueriesContext(connection) as queries:
        # The sweep and its nudge to the worker; the delivery is the worker's next task.
        with TestCase.captureOnCommitCallbacks(execute=True):
            assert sweeping.sweep(at) == {"reminded": 0, "escalated": count}
    return [query["sql"] for query in queries.captured_queries]


def test_the_queries_of_a_sweep_do_not_grow_with_its_deadlines(scenes):
    five = queries_of_a_sweep(scenes, 5, OVERDUE)
    forty = queries_of_a_sweep(scenes, 40, OVERDUE + datetime.timedelta(days=1))
    assert len(forty) == len(five), "\n".join(forty)
    # With the outbox: its insert, the read of the notifications' ids it needs, and the nudge to
    # the worker after the commit (is a delivery waiting? if not, enqueue one).
    assert len(five) <= 24, "\n".join(five)
