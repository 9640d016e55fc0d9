"""The retention schedule: a dry-run report first, erasure only after the grace period."""

import threading
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.db import connection, connections, transaction

from trm.audit.models import AuditEvent
from trm.cases.actions.casework import open_case
from trm.cases.locking import lock_case
from trm.cases.models import Case, Person
from trm.cli import main
from trm.core.worker import periodic_jobs
from trm.rights.models import RetentionReport, RetentionRule
from trm.rights.retention import carry_out, due_cases, run_retention
from trm.rights.tasks import apply_retention

CLOSED = datetime(2020, 6, 1, 12, 0, tzinfo=UTC)
FIVE_YEARS_LATER = datetime(2025, 6, 1, 12, 0, tzinfo=UTC)


def close(case, at=CLOSED):
    # Closing is the workflow's; here the date is what matters.
    Case.objects.filter(pk=case.pk).update(closed_at=at)


def erased(case) -> bool:
    return Person.objects.get(pk=case.person_id).erased_at is not None


@pytest.fixture
def closed_case(case):
    close(case)
    return case


def test_retention_reports_first_and_erases_after_the_grace_period(closed_case):
    with time_machine.travel(FIVE_YEARS_LATER - timedelta(days=1), tick=False):
        run = run_retention()
    assert run.reports_made == []
    assert not RetentionReport.objects.exists()

    with time_machine.travel(FIVE_YEARS_LATER + timedelta(days=1), tick=False):
        run = run_retention()
    [report] = run.reports_made
    assert report.case_ids == [str(closed_case.pk)]
    assert report.due_at == FIVE_YEARS_LATER + timedelta(days=15)
    assert not erased(closed_case)
    assert AuditEvent.objects.get(action="trm.retention.reported").details == {
        "cases": [str(closed_case.pk)],
        "grace_days": 14,
    }

    with time_machine.travel(FIVE_YEARS_LATER + timedelta(days=8), tick=False):
        run = run_retention()
    assert (run.reports_made, run.reports_carried_out, run.people_erased) == ([], [], 0)
    assert RetentionReport.objects.count() == 1, "a case waiting in a report is not reported again"
    assert not erased(closed_case)

    with time_machine.travel(FIVE_YEARS_LATER + timedelta(days=15), tick=False):
        run = run_retention()
    assert (run.reports_carried_out, run.people_erased) == ([report], 1)
    assert erased(closed_case)
    report.refresh_from_db()
    assert report.executed_at == FIVE_YEARS_LATER + timedelta(days=15)
    assert report.erased_case_ids == [str(closed_case.pk)]
    event = AuditEvent.objects.get(action="trm.person.erased")
    # A fixed code, not typed text: in the details, not in the chain's reason.
    assert (event.actor, event.reason, event.details) == (
        None,
        "",
        {**event.details, "retention_report": report.pk, "reason": "retention schedule"},
    )

    with time_machine.travel(FIVE_YEARS_LATER + timedelta(days=16), tick=False):
        run = run_retention()
    assert (run.reports_made, run.people_erased) == ([], 0), "an erased person is not due"


def test_a_case_reopened_during_the_grace_period_saves_its_person(closed_case):
    with time_machine.travel(FIVE_YEARS_LATER + timedelta(days=1), tick=False):
        [report] = run_retention().reports_made
    Case.objects.filter(pk=closed_case.pk).update(closed_at=None)
    with time_machine.travel(FIVE_YEARS_LATER + timedelta(days=30), tick=False):
        run = run_retention()
    assert (run.reports_carried_out, run.people_erased) == ([report], 0)
    assert not erased(closed_case)
    report.refresh_from_db()
    assert report.executed_at is not None
    assert report.erased_case_ids == []


def test_a_person_with_another_case_still_kept_is_not_due(case_worker, spain, closed_case):
    other = open_case(case_worker, spain, person={"given_name": "Olena"})
    Case.objects.create(person=closed_case.person, owner=spain)
    close(other)
    with time_machine.travel(FIVE_YEARS_LATER + timedelta(days=1), tick=False):
        assert list(due_cases()) == [other]


def test_each_country_keeps_data_as_long_as_its_rule_says(personas, settings, closed_case):
    settings.RETENTION_YEARS = 3
    greek_worker = personas.user("gr.caseworker", "GR", "case_worker")
    greek_case = open_case(
        greek_worker, personas.organisation("GR"), person={"given_name": "Eleni"}
    )
    close(greek_case)
    RetentionRule.objects.create(country=closed_case.owner.country, years_after_closure=8)
    at = datetime(2024, 6, 2, tzinfo=UTC)
    with time_machine.travel(at, tick=False):
        assert list(due_cases()) == [greek_case]
    # The Greek rule was made lazily, with the node's default.
    assert RetentionRule.objects.get(country__code="GR").years_after_closure == 3
    with time_machine.travel(datetime(2028, 6, 2, tzinfo=UTC), tick=False):
        assert set(due_cases()) == {greek_case, closed_case}


def test_the_retention_commands_report_then_run(closed_case, capsys):
    with time_machine.travel(FIVE_YEARS_LATER + timedelta(days=1), tick=False):
        main(["retention", "report"])
        out = capsys.readouterr().out
        assert f"{closed_case.reference}\tES\tclosed 2020-06-01\tnew" in out
        assert "ES: 1 due" in out
        assert "1 cases due for erasure, 1 of them not yet in a report" in out
        assert not RetentionReport.objects.exists(), "a dry run changes nothing"

        main(["retention", "run"])
        out = capsys.readouterr().out
        report = RetentionReport.objects.get()
        assert f"report {report.pk} made: 1 cases, erased after 2025-06-16 12:00 UTC" in out
        assert "0 people erased" in out

        main(["retention", "report"])
        out = capsys.readouterr().out
        assert f"{closed_case.reference}\tES\tclosed 2020-06-01\treported" in out
        assert f"report {report.pk}: 1 cases" in out
    assert not erased(closed_case)


def test_the_worker_applies_retention_daily(closed_case):
    [job] = [job for job in periodic_jobs() if job.task is apply_retention]
    assert job.every_seconds == 24 * 3600
    with time_machine.travel(FIVE_YEARS_LATER + timedelta(days=1), tick=False):
        result = apply_retention.call()
    assert result == {
        "reports_made": [RetentionReport.objects.get().pk],
        "reports_carried_out": [],
        "people_erased": 0,
    }


def test_the_dpo_sees_the_retention_reports_of_their_organisations(
    personas, spanish_dpo, closed_case
):
    greek_worker = personas.user("gr.caseworker", "GR", "case_worker")
    greek_case = open_case(
        greek_worker, personas.organisation("GR"), person={"given_name": "Eleni"}
    )
    close(greek_case)
    with time_machine.travel(FIVE_YEARS_LATER + timedelta(days=1), tick=False):
        run_retention()
    page = personas.signed_in(spanish_dpo).get("/rights/retention/")
    assert page.status_code == 200
    text = page.content.decode()
    assert closed_case.reference in text
    assert greek_case.reference not in text
    assert personas.signed_in(greek_worker).get("/rights/retention/").status_code == 404


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="SQLite runs one writer at a time: no race"
)
@pytest.mark.django_db(transaction=True)
def test_a_case_reopened_while_its_report_is_carried_out_saves_its_person(closed_case):
    # Someone reopens the case (their step holds its row) just as the schedule erases: the
    # erasure waits for that step, then finds the person no longer due.
    with time_machine.travel(FIVE_YEARS_LATER + timedelta(days=1), tick=False):
        [report] = run_retention().reports_made
    holding, done = threading.Event(), threading.Event()

    def reopening():
        try:
            with transaction.atomic():
                lock_case(closed_case.pk)
                Case.objects.filter(pk=closed_case.pk).update(closed_at=None)
                holding.set()
                done.wait(10)
        finally:
            connections.close_all()

    step = threading.Thread(target=reopening)
    step.start()
    assert holding.wait(10)
    threading.Timer(1.0, done.set).start()  # the reopening commits a second later
    try:
        with time_machine.travel(FIVE_YEARS_LATER + timedelta(days=30), tick=False):
            people_erased = carry_out(report)
    finally:
        done.set()
        step.join()
    assert people_erased == 0
    assert not erased(closed_case)
