"""The retention schedule: report who is due for erasure, erase them after a grace period.

A person is due when every case of theirs closed longer ago than its country's retention
period. Nobody is erased the day they are found: a dry-run report names them first, and they
are erased only once the grace period has passed and they are still due (a case reopened
meanwhile saves its person).
"""

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from trm.audit.log import record
from trm.cases.locking import lock_cases
from trm.cases.models import Case
from trm.directory.models import Country
from trm.lib.steps import step

from .erasure import erase
from .models import RetentionReport, RetentionRule

REASON = "retention schedule"


def grace_days() -> int:
    return getattr(settings, "RETENTION_GRACE_DAYS", 14)


def years_before(moment: datetime, years: int) -> datetime:
    try:
        return moment.replace(year=moment.year - years)
    except ValueError:  # 29 February
        return moment.replace(year=moment.year - years, day=28)


def due_cases(at=None):
    """Closed cases past their country's retention whose person is not erased and has no
    case that is still open or still kept."""
    at = at or timezone.now()
    candidates = Case.objects.filter(closed_at__isnull=False, person__erased_at__isnull=True)
    country_ids = candidates.order_by().values_list("owner__country_id", flat=True).distinct()
    past_retention = Q(pk__in=[])
    for country in Country.objects.filter(pk__in=list(country_ids)):
        years = RetentionRule.for_country(country).years_after_closure
        past_retention |= Q(owner__country=country, closed_at__lt=years_before(at, years))
    due = candidates.filter(past_retention)
    kept = Case.objects.filter(person__in=due.values("person")).exclude(pk__in=due.values("pk"))
    return due.exclude(person__in=kept.values("person")).select_related("owner__country", "person")


def pending_case_ids() -> set[str]:
    """Cases named by a report that was not carried out yet."""
    return {
        case_id
        for case_ids in RetentionReport.objects.filter(executed_at__isnull=True).values_list(
            "case_ids", flat=True
        )
        for case_id in case_ids
    }


@dataclass
class RetentionRun:
    """What one run of the schedule did."""

    reports_made: list = field(default_factory=list)
    reports_carried_out: list = field(default_factory=list)
    people_erased: int = 0

    def as_dict(self) -> dict:
        return {
            "reports_made": [report.pk for report in self.reports_made],
            "reports_carried_out": [report.pk for report in self.reports_carried_out],
            "people_erased": self.people_erased,
        }


@step
def carry_out(report: RetentionReport, at=None) -> int:
    """Erase the people of a report whose grace period passed, if still due; how many."""
    at = at or timezone.now()
    # The cases first (every step's lock order: the cases' rows, then the others, the audit
    # chain last), each case of the report's people: a step reopening one of them meanwhile
    # either commits first, and its person is no longer due, or waits for the erasure.
    people = Case.objects.filter(pk__in=report.case_ids).values("person_id")
    lock_cases(Case.objects.filter(person_id__in=people))
    report = RetentionReport.objects.select_for_update().get(pk=report.pk)
    if report.executed_at is not None or report.due_at > at:
        return 0
    still_due = due_cases(at).filter(pk__in=report.case_ids)
    by_person: dict = {}
    for case in still_due:
        by_person.setdefault(case.person_id, []).append(case)
    erased_case_ids = []
    for cases in by_person.values():
        erase(
            cases[0].person,
            actor=None,
            case=cases[0],
            details={"retention_report": report.pk, "reason": REASON},
        )
        erased_case_ids += [str(case.pk) for case in cases]
    report.executed_at = at
    report.erased_case_ids = sorted(erased_case_ids)
    report.save(update_fields=["executed_at", "erased_case_ids"])
    record(
        "trm.retention.carried_out",
        target=report,
        details={"cases_erased": report.erased_case_ids, "people_erased": len(by_person)},
    )
    return len(by_person)


@step
def make_report(at=None) -> RetentionReport | None:
    """A dry-run report of the cases due now and not yet in a pending report, if any."""
    at = at or timezone.now()
    already = pending_case_ids()
    case_ids = sorted(
        str(pk) for pk in due_cases(at).values_list("pk", flat=True) if str(pk) not in already
    )
    if not case_ids:
        return None
    report = RetentionReport.objects.create(
        created_at=at, due_at=at + timedelta(days=grace_days()), case_ids=case_ids
    )
    record(
        "trm.retention.reported",
        target=report,
        details={"cases": case_ids, "grace_days": grace_days()},
    )
    return report


def run_retention(at=None) -> RetentionRun:
    """The daily job: carry out the reports that are due, then report who is due now."""
    at = at or timezone.now()
    run = RetentionRun()
    for report in RetentionReport.objects.filter(executed_at__isnull=True, due_at__lte=at):
        run.people_erased += carry_out(report, at)
        run.reports_carried_out.append(report)
    report = make_report(at)
    if report is not None:
        run.reports_made.append(report)
    return run
