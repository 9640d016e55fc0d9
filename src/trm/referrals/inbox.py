"""Who sees which referrals and what of them.

The receiving organisation's staff see their inbox and, until they accept, only the preview of
a referral; after accepting they see the case through the grant (access.policy). The sending
organisation's staff see everything they sent.
"""

from dataclasses import dataclass, replace

from django.db.models import Case, DateTimeField, DurationField, ExpressionWrapper, F, Value, When
from django.utils import timezone

from trm.access.view import reads_referral_content
from trm.audit.log import record as audit
from trm.cases.workflow import CASE_WORK
from trm.crypto.envelope import DecryptionError
from trm.lib.errors import NotAllowed

from .actions import NOT_FOUND, works_for
from .models import AWAITING_ANSWER, MessageKind, Referral, ReferralMessage
from .payload import Preview, preview


def _case_work_organisations(user):
    if not (user.is_authenticated and user.is_active):
        return []
    return list(
        user.memberships.filter(is_active=True, role__in=CASE_WORK).values_list(
            "organisation_id", flat=True
        )
    )


def inbox_for(user, at=None):
    """Referrals to the organisations where `user` holds a case role, newest first.

    Each carries `time_left`: the time until the answer is due (negative once overdue), or None
    once the referral is answered.
    """
    at = at or timezone.now()
    time_left = ExpressionWrapper(
        F("response_due_at") - Value(at, output_field=DateTimeField()),
        output_field=DurationField(),
    )
    return (
        Referral.objects.filter(receiver_id__in=_case_work_organisations(user))
        .select_related("sender__country", "receiver__country")
        .annotate(
            time_left=Case(
                When(state__in=sorted(AWAITING_ANSWER), then=time_left),
                default=None,
                output_field=DurationField(),
            )
        )
        .order_by("-sent_at")
    )


def outbox_for(user):
    """Referrals sent by the organisations where `user` holds a case role, newest first."""
    return (
        Referral.objects.filter(sender_id__in=_case_work_organisations(user))
        .select_related("case", "sender__country", "receiver__country")
        .order_by("-sent_at")
    )


@dataclass(frozen=True)
class Entry:
    """One message of a thread as the reader may see it: the content, or only the preview."""

    message: ReferralMessage
    content: dict | None
    preview: Preview | None = None
    delivery: object = None  # crossing.Delivery, for a message sent to another node


def thread(user, referral: Referral) -> list[Entry]:
    """The messages on `referral` for a member of either organisation; the read is audited.

    The receiving side reads the referral's content only while it holds access through an
    accepted referral; before that (or after a cancellation) it sees the preview instead.
    """
    # As it stands now, not as the caller last saw it; with the key its messages decrypt with.
    referral = Referral.objects.select_related("sender", "receiver", "case__person__data_key").get(
        pk=referral.pk
    )
    sending, receiving = works_for(user, referral.sender), works_for(user, referral.receiver)
    if not (sending or receiving):
        raise NotAllowed(NOT_FOUND)
    full = reads_referral_content(referral, sending=sending)
    entries = []
    for message in referral.messages.select_related(
        "from_organisation", "to_organisation", "sent_by"
    ):
        message.referral = referral
        if message.kind == MessageKind.SEND and not full:
            entries.append(Entry(message, None, preview(referral)))
            continue
        try:
            entries.append(Entry(message, message.payload))
        except DecryptionError:  # the person was erased: the message is there, its content not
            entries.append(Entry(message, None))
    if not (referral.sender.is_hosted_here and referral.receiver.is_hosted_here):
        from .crossing import deliveries, read_here

        # Opened by a person of the organisation a message from the other node is to: that
        # node is told, once per message.
        read_here(user, referral, [entry.message for entry in entries])
        sent = deliveries(entry.message.pk for entry in entries)
        entries = [replace(entry, delivery=sent.get(entry.message.pk)) for entry in entries]
    audit(
        "trm.referral.read",
        actor=user,
        organisation=referral.sender if sending else referral.receiver,
        target=referral.case,
        details={"referral": str(referral.pk), "content": bool(full)},
    )
    return entries
