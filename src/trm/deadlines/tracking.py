"""Opening, meeting and cancelling the deadlines of a case as its journey goes on.

The workflow tables' effects call these through `effects` (and the referral actions call
`track_referral` when an answer is due anew), always inside the step's transaction with the
case row locked, so a deadline changes with its step or not at all. The referral functions'
contract:

- `track_referral(referral)` when a referral is sent (and again if its answer is due anew, e.g.
  after the sender answered a request for information): opens, or re-times, its response
  deadline, due `referral.response_due_at` (compute it with
  `trm.deadlines.calendar.add_working_days(receiver country, sent_at,
  receiver country.referral_response_days)`), counted in the receiving country's calendar. It
  reads `referral.pk`, `.case`, `.receiver` (with its country), `.sent_at`, `.response_due_at`.
- `referral_answered(referral)` when the receiving side accepts, declines or asks for
  information: the deadline is met, nobody is alerted.
- `referral_withdrawn(referral)` when the sender cancels the referral: the deadline is cancelled.
All three are idempotent.
"""

import datetime

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from trm.cases.age import is_child_on, step_day
from trm.cases.models import StageRecord
from trm.cases.record_kinds import Side
from trm.directory.clock import local_date, time_zone
from trm.directory.seed import MONITORING_SCHEDULE_MONTHS

from .calendar import WorkingDays, add_months, add_working_days, end_of_day
from .models import CancelReason, Deadline, DeadlineKind

# How many of the deadline country's working days before the due moment its people are
# reminded; settings.DEADLINE_REMINDER_WORKING_DAYS overrides any of them. A child's reception,
# counted in hours, is reminded halfway instead.
REMINDER_WORKING_DAYS = {
    DeadlineKind.REFLECTION_PERIOD_END: 5,
    DeadlineKind.REFERRAL_RESPONSE: 1,
    DeadlineKind.REINTEGRATION_PLAN_DUE: 5,
    DeadlineKind.MONITORING_CONTACT: 5,
}


def reminder_time(kind, country, starts_at, due_at) -> datetime.datetime | None:
    """When to remind of a deadline; None when that would be before it even started."""
    if kind == DeadlineKind.CHILD_RECEPTION:
        return starts_at + (due_at - starts_at) / 2
    lead = {**REMINDER_WORKING_DAYS, **getattr(settings, "DEADLINE_REMINDER_WORKING_DAYS", {})}
    days = lead.get(kind)
    if not days:
        return None
    moment = add_working_days(country, due_at, -days)
    return moment if moment > starts_at else None


def open_deadline(
    case, kind, *, country, starts_at, due_at, organisations, sequence=0, referral_id=None
) -> Deadline:
    """Open a deadline, or re-time the open one of the same kind (a case reopened, a referral
    answered anew). The step calling it holds the case's row, so no other opens the same."""
    now = timezone.now()
    remind_at = reminder_time(kind, country, starts_at, due_at)
    with transaction.atomic(savepoint=False):
        same = Deadline.objects.open().filter(case=case, kind=kind)
        same = (
            same.filter(referral_id=referral_id)
            if referral_id
            else same.filter(sequence=sequence, referral_id__isnull=True)
        )
        existing = same.first()
        deadline = existing or Deadline(
            case=case, kind=kind, sequence=sequence, referral_id=referral_id
        )
        moved = existing is not None and existing.due_at != due_at
        deadline.country, deadline.starts_at = country, starts_at
        deadline.due_at, deadline.remind_at = due_at, remind_at
        if moved:
            # Due anew: remind and alert again if the new times are still ahead.
            if remind_at is None or remind_at > now:
                deadline.reminded_at = None
            if due_at > now:
                deadline.escalated_at = None
        deadline.save()
        deadline.organisations.set([o for o in organisations if o is not None])
    return deadline


def meet(deadlines, *, record=None, at=None) -> int:
    """Mark the open ones among `deadlines` met; how many were."""
    return deadlines.filter(met_at__isnull=True, cancelled_at__isnull=True).update(
        met_at=at or timezone.now(), met_by=record
    )


def cancel(deadlines, reason: str, *, at=None) -> int:
    """Cancel the open ones among `deadlines` for `reason`; how many were."""
    return deadlines.filter(met_at__isnull=True, cancelled_at__isnull=True).update(
        cancelled_at=at or timezone.now(), cancel_reason=reason
    )


# -- Where the person returns ---------------------------------------------------------------


def receiving_organisation(case):
    """The organisation that receives the person: the one that accepted the referral, else the
    one that made the receiving side's latest record; None while neither is known."""
    # Through the case's relation: the referrals app builds on deadlines, not the reverse.
    referral = case.referrals.latest_accepted()
    if referral is not None:
        return referral.receiver
    record = (
        StageRecord.objects.filter(case=case, side=Side.RECEIVING)
        .select_related("organisation__country")
        .order_by("-recorded_at")
        .first()
    )
    return record.organisation if record else None


def receiving_country(case):
    """The receiving organisation's country; the owner's if none is known yet."""
    organisation = receiving_organisation(case)
    return organisation.country if organisation else case.owner.country


# -- The journey's deadlines -------------------------------------------------------------------


def track_reflection_period(record) -> Deadline:
    """The reflection and recovery period ends on the record's `ends_on`, in the owner's country."""
    case = record.case
    country = case.owner.country
    starts_on = datetime.date.fromisoformat(record.facts["starts_on"])
    ends_on = datetime.date.fromisoformat(record.facts["ends_on"])
    return open_deadline(
        case,
        DeadlineKind.REFLECTION_PERIOD_END,
        country=country,
        starts_at=datetime.datetime.combine(starts_on, datetime.time(), tzinfo=time_zone(country)),
        due_at=end_of_day(country, ends_on),
        organisations=[case.owner],
    )


def track_child_reception(case) -> Deadline | None:
    """A child who departed must be confirmed received within the receiving country's hours."""
    if case.returned_at is None or not is_child_on(case, step_day(case, case.returned_at)):
        return None
    organisation = receiving_organisation(case)
    country = organisation.country if organisation else case.owner.country
    return open_deadline(
        case,
        DeadlineKind.CHILD_RECEPTION,
        country=country,
        starts_at=case.returned_at,
        due_at=case.returned_at + datetime.timedelta(hours=country.child_reception_alert_hours),
        organisations=[organisation],
    )


def _reception_moment(case) -> datetime.datetime:
    """When the person was received: the reception record's time, else its confirmation's."""
    record = (
        StageRecord.objects.filter(case=case, kind="reception", superseded_by__isnull=True)
        .order_by("-recorded_at")
        .first()
    )
    if record and record.facts.get("received_at"):
        moment = datetime.datetime.fromisoformat(record.facts["received_at"])
        return moment if timezone.is_aware(moment) else timezone.make_aware(moment)
    return case.received_at or case.returned_at or timezone.now()


def due_on_working_day(country, day: datetime.date) -> datetime.datetime:
    """The end of `day` in the country, or of its next working day if `day` is none."""
    return end_of_day(country, WorkingDays(country).on_or_after(day))


def track_return(case) -> list[Deadline]:
    """After the reception: the reintegration plan and every monitoring contact, each due at the
    end of a working day in the receiving country."""
    organisation = receiving_organisation(case)
    country = organisation.country if organisation else case.owner.country
    received = _reception_moment(case)
    opened = [
        open_deadline(
            case,
            DeadlineKind.REINTEGRATION_PLAN_DUE,
            country=country,
            starts_at=received,
            due_at=due_on_working_day(
                country,
                local_date(country, received)
                + datetime.timedelta(days=country.reintegration_plan_due_days),
            ),
            organisations=[organisation],
        )
    ]
    returned = case.returned_at or received
    returned_on = local_date(country, returned)
    for months in country.monitoring_schedule_months or MONITORING_SCHEDULE_MONTHS:
        opened.append(
            open_deadline(
                case,
                DeadlineKind.MONITORING_CONTACT,
                sequence=months,
                country=country,
                starts_at=returned,
                due_at=due_on_working_day(country, add_months(returned_on, months)),
                organisations=[organisation],
            )
        )
    return opened


def monitoring_windows(case) -> list[tuple[Deadline, datetime.date, datetime.date | None]]:
    """Each monitoring contact with the dates a contact counts for it: [from, until).

    A window runs from halfway between the previous contact's due date and its own (from the
    return, for the first) to halfway to the next one; the last window never closes.
    """
    scheduled = list(
        Deadline.objects.filter(
            case=case, kind=DeadlineKind.MONITORING_CONTACT, cancel_reason=""
        ).order_by("sequence", "-opened_at")
    )
    latest = {}
    for deadline in scheduled:  # a reopened case may have two of one month: the newest counts
        latest.setdefault(deadline.sequence, deadline)
    deadlines = sorted(latest.values(), key=lambda d: d.sequence)
    dues = [local_date(d.country, d.due_at) for d in deadlines]
    windows = []
    for index, deadline in enumerate(deadlines):
        if index == 0:
            begins = local_date(deadline.country, deadline.starts_at)
        else:
            begins = dues[index - 1] + (dues[index] - dues[index - 1]) // 2
        ends = dues[index] + (dues[index + 1] - dues[index]) // 2 if index + 1 < len(dues) else None
        windows.append((deadline, begins, ends))
    return windows


def meet_monitoring_contact(record) -> Deadline | None:
    """The scheduled contact whose window holds the contact date is met, if still open.

    A second contact in the same window meets nothing: the later contacts stay due.
    """
    if record.supersedes_id:
        # A corrected contact date may belong to another window: start again from the original.
        Deadline.objects.filter(met_by_id=record.supersedes_id).update(met_at=None, met_by=None)
    contacted_on = datetime.date.fromisoformat(record.facts["contacted_on"])
    for deadline, begins, ends in monitoring_windows(record.case):
        if begins <= contacted_on and (ends is None or contacted_on < ends):
            if meet(Deadline.objects.filter(pk=deadline.pk), record=record):
                return deadline
            return None
    return None


def close_case(case) -> int:
    """A closed case has nothing due: its open deadlines are cancelled."""
    return cancel(Deadline.objects.filter(case=case), CancelReason.CLOSURE)


def reopen_case(case) -> int:
    """The deadlines closure cancelled come back, those still ahead; missed ones stay cancelled
    rather than alert at once about time the case spent closed."""
    now = timezone.now()
    restored = 0
    for deadline in Deadline.objects.filter(
        case=case, cancel_reason=CancelReason.CLOSURE, due_at__gt=now
    ):
        # A newer open deadline of the same kind replaced it meanwhile: leave the old one be.
        if (
            Deadline.objects.open()
            .filter(case=case, kind=deadline.kind, sequence=deadline.sequence)
            .exists()
        ):
            continue
        deadline.cancelled_at, deadline.cancel_reason = None, ""
        deadline.save(update_fields=["cancelled_at", "cancel_reason"])
        restored += 1
    return restored


# -- The referral contract (see the module docstring) ------------------------------------------


def track_referral(referral) -> Deadline:
    """Open, or re-time, the response deadline of a referral sent to `referral.receiver`."""
    receiver = referral.receiver
    country = receiver.country
    starts_at = getattr(referral, "sent_at", None) or timezone.now()
    due_at = referral.response_due_at or add_working_days(
        country, starts_at, country.referral_response_days
    )
    return open_deadline(
        referral.case,
        DeadlineKind.REFERRAL_RESPONSE,
        country=country,
        starts_at=starts_at,
        due_at=due_at,
        organisations=[receiver],
        referral_id=referral.pk,
    )


def answer_deadline(referral) -> Deadline | None:
    """The referral's answer deadline while it is open."""
    return Deadline.objects.open().filter(referral_id=referral.pk).first()


def referral_answered(referral) -> bool:
    """The receiving side answered (accepted, declined or asked for information): met."""
    return bool(meet(Deadline.objects.filter(referral_id=referral.pk)))


def sharing_ended(case, organisation) -> int:
    """The receiving `organisation` lost access to `case` (consent withdrawn): what it alone
    was to do is no longer due. How many deadlines were cancelled."""
    others = Deadline.organisations.through.objects.exclude(organisation_id=organisation.pk)
    theirs = Deadline.objects.filter(case=case, organisations=organisation).exclude(
        pk__in=others.values("deadline_id")
    )
    return cancel(theirs, CancelReason.WITHDRAWN)


def referral_withdrawn(referral) -> bool:
    """The sender cancelled the referral: nothing is due any more."""
    return bool(cancel(Deadline.objects.filter(referral_id=referral.pk), CancelReason.WITHDRAWN))
