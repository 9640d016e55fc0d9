"""What happened on a case, newest first: steps, records, approvals and referral messages."""

from dataclasses import dataclass
from datetime import datetime

from django.utils.translation import gettext_lazy as _

from trm.audit.models import AuditEvent

from .stages import Stage
from .values import record_in_words


@dataclass(frozen=True)
class Entry:
    at: datetime
    what: str
    who: str = ""
    organisation: str = ""


def shown_values(record) -> list[tuple[str, str]]:
    """(label, value) of a record as the reader sees it (`access.view.RecordShown`): its
    visible fields in form order, in words (see values.in_words)."""
    return record_in_words(record.kind, record.values)


def timeline(view) -> list[Entry]:
    """What happened on the case, as the reader of `view` (`access.view.CaseView`) may see it."""
    case = view.case
    entries = []
    # object_type too, so that the (object_type, object_id) index finds the case's events.
    for event in AuditEvent.objects.filter(
        object_type="cases.case", object_id=str(case.pk), action="trm.case.moved"
    ).select_related("organisation"):
        target = event.details.get("to", "")
        label = Stage(target).label if target in Stage.values else target
        who = event.actor_username if view.access.sees_whole_case else ""
        entries.append(Entry(event.occurred_at, _("Stage: %(stage)s") % {"stage": label}, who))
    for record in view.records:
        what = (_("%(record)s corrected") if record.supersedes else _("%(record)s recorded")) % {
            "record": record.label
        }
        entries.append(Entry(record.recorded_at, what, record.recorded_by, record.organisation))
    for approval in view.approvals:
        subject = approval.get_subject_display()
        entries.append(
            Entry(
                approval.requested_at,
                _("Approval asked: %(subject)s") % {"subject": subject},
                approval.requested_by.get_username(),
            )  # fmt: skip
        )
        if approval.decided_at:
            decided = (
                _("Approved: %(subject)s") if approval.approved else _("Returned: %(subject)s")
            )
            entries.append(
                Entry(
                    approval.decided_at,
                    decided % {"subject": subject},
                    approval.decided_by.get_username(),
                )  # fmt: skip
            )
    for message in view.referral_messages:
        entries.append(
            Entry(
                message.sent_at,
                _("Message: %(kind)s to %(to)s")
                % {"kind": message.get_kind_display(), "to": message.to_organisation.name},
                organisation=message.from_organisation.name,
            )
        )
    return sorted(entries, key=lambda entry: entry.at, reverse=True)
