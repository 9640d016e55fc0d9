"""Transnational referrals and the messages exchanged about them.

A referral is one request from the sending side to an organisation in the country of origin. Every
step between the two organisations is a message with a type and a payload limited to what the
person consented to share: on one node a message is delivered at once; a later issue carries the
same messages between nodes, so each message is a self-contained unit.
"""

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from trm.crypto.fields import EncryptedJSONField


class ReferralState(models.TextChoices):
    REQUESTED = "requested", _("Requested")
    RECEIVED = "received", _("Received")
    ACCEPTED = "accepted", _("Accepted")
    DECLINED = "declined", _("Declined")
    IN_PROGRESS = "in_progress", _("In progress")
    COMPLETED = "completed", _("Completed")
    CANCELLED = "cancelled", _("Cancelled")


# A case has at most one referral in these states: the sender refers elsewhere only after a
# decline or a cancellation.
OPEN_STATES = frozenset(
    {
        ReferralState.REQUESTED,
        ReferralState.RECEIVED,
        ReferralState.ACCEPTED,
        ReferralState.IN_PROGRESS,
    }
)
# Waiting for the receiving side's answer: what the response deadline is about.
AWAITING_ANSWER = frozenset({ReferralState.REQUESTED, ReferralState.RECEIVED})
# The receiving organisation took the person on: it holds a grant to the shared categories.
ACCEPTED_STATES = frozenset(
    {ReferralState.ACCEPTED, ReferralState.IN_PROGRESS, ReferralState.COMPLETED}
)


class ReferralQuerySet(models.QuerySet):
    def latest_accepted(self):
        """The latest of these referrals an organisation of the country of origin accepted
        (under way or completed since), if any."""
        return (
            self.filter(state__in=ACCEPTED_STATES)
            .select_related("sender", "receiver")
            .order_by("-sent_at")
            .first()
        )

    def open(self):
        return self.filter(state__in=OPEN_STATES)

    def awaiting_answer(self):
        return self.filter(state__in=AWAITING_ANSWER)


class Referral(models.Model):
    """One case referred by the sending organisation to an organisation in another country."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    case = models.ForeignKey(
        "cases.Case", on_delete=models.CASCADE, related_name="referrals", verbose_name=_("case")
    )
    sender = models.ForeignKey(
        "directory.Organisation",
        on_delete=models.PROTECT,
        related_name="referrals_sent",
        verbose_name=_("sending organisation"),
    )
    receiver = models.ForeignKey(
        "directory.Organisation",
        on_delete=models.PROTECT,
        related_name="referrals_received",
        verbose_name=_("receiving organisation"),
    )
    categories = models.JSONField(_("data categories shared"), default=list)
    # The narrative fields the sender read and included: ["<record id>:<field>", …].
    texts = models.JSONField(_("narrative included"), default=list, blank=True)
    state = models.CharField(
        _("state"),
        max_length=12,
        choices=ReferralState,
        default=ReferralState.REQUESTED,
        db_index=True,
    )
    sent_at = models.DateTimeField(_("sent"), default=timezone.now)
    response_due_at = models.DateTimeField(_("answer due"))
    decided_at = models.DateTimeField(_("accepted or declined"), null=True, blank=True)
    grant = models.ForeignKey(
        "access.Grant",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="referrals",
        verbose_name=_("access given"),
    )

    objects = ReferralQuerySet.as_manager()

    class Meta:
        verbose_name = _("referral")
        verbose_name_plural = _("referrals")
        ordering = ["-sent_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["case"],
                condition=models.Q(state__in=sorted(OPEN_STATES)),
                name="one_open_referral_per_case",
            )
        ]

    def __str__(self):
        return f"referral {self.id} of {self.case_id}"

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_STATES

    @property
    def awaits_answer(self) -> bool:
        return self.state in AWAITING_ANSWER

    def time_to_answer(self, at=None):
        """Time until the answer is due (negative once overdue); None once answered."""
        if not self.awaits_answer:
            return None
        return self.response_due_at - (at or timezone.now())


class MessageKind(models.TextChoices):
    SEND = "send", _("Referral")
    ACCEPT = "accept", _("Acceptance")
    DECLINE = "decline", _("Refusal")
    ASK_INFORMATION = "ask_information", _("Request for information")
    ANSWER = "answer", _("Answer")
    DEPARTURE_NOTICE = "departure_notice", _("Departure notice")
    RECEPTION_CONFIRMATION = "reception_confirmation", _("Reception confirmation")
    MONITORING_SUMMARY = "monitoring_summary", _("Monitoring summary")
    CLOSURE_NOTICE = "closure_notice", _("Closure notice")
    CANCEL = "cancel", _("Cancellation")
    CONSENT_WITHDRAWN = "consent_withdrawn", _("Consent withdrawn")
    COPY_DESTROYED = "copy_destroyed", _("Copy destroyed on the receiving node")


class ReferralMessage(models.Model):
    """One step between the two organisations, threaded on its referral."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    referral = models.ForeignKey(
        Referral, on_delete=models.CASCADE, related_name="messages", verbose_name=_("referral")
    )
    kind = models.CharField(_("type"), max_length=24, choices=MessageKind)
    from_organisation = models.ForeignKey(
        "directory.Organisation",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("from"),
    )
    to_organisation = models.ForeignKey(
        "directory.Organisation",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("to"),
    )
    # Only what the person consented to share with the receiver: it is theirs, under their key.
    payload = EncryptedJSONField(_("content"), key_path="referral.case.person.data_key")
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("sent by"),
    )
    sent_at = models.DateTimeField(_("sent"), default=timezone.now)
    received_at = models.DateTimeField(_("received"), null=True, blank=True)
    # When a person of the organisation it is to first opened it, for a message between nodes:
    # on the node it came to, the moment that node sends a `read` notice; on the node it came
    # from, the moment that notice says.
    read_at = models.DateTimeField(_("read"), null=True, blank=True)
    in_reply_to = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="replies",
        verbose_name=_("in reply to"),
    )

    class Meta:
        verbose_name = _("referral message")
        verbose_name_plural = _("referral messages")
        ordering = ["sent_at"]

    def __str__(self):
        return f"{self.kind} on {self.referral_id}"
