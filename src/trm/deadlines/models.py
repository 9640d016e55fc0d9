"""Deadlines of a case and the notifications they send.

The Deadline rows are the truth: the journey opens and meets them, the worker's sweep only
reads them and marks when it reminded and escalated, each exactly once.
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class DeadlineKind(models.TextChoices):
    REFLECTION_PERIOD_END = "reflection_period_end", _("End of the reflection and recovery period")
    REFERRAL_RESPONSE = "referral_response", _("Answer to the referral")
    CHILD_RECEPTION = "child_reception", _("Confirmation of a child's reception")
    REINTEGRATION_PLAN_DUE = "reintegration_plan_due", _("Reintegration plan")
    MONITORING_CONTACT = "monitoring_contact", _("Monitoring contact")


class CancelReason(models.TextChoices):
    CLOSURE = "closure", _("The case was closed")
    CORRECTED = "corrected", _("The record it counted from was corrected")
    WITHDRAWN = "withdrawn", _("The referral was cancelled")


OPEN = Q(met_at__isnull=True, cancelled_at__isnull=True)


class DeadlineQuerySet(models.QuerySet):
    def open(self):
        """Neither met nor cancelled: still to be reminded or escalated."""
        return self.filter(OPEN)

    def overdue(self, at=None):
        return self.open().filter(due_at__lt=at or timezone.now())


class Deadline(models.Model):
    """Something due on a case by a moment, with who to remind before and to alert after."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    case = models.ForeignKey(
        "cases.Case", on_delete=models.CASCADE, related_name="deadlines", verbose_name=_("case")
    )
    # A plain identifier, not a key: deadlines do not depend on the referrals app.
    referral_id = models.UUIDField(_("referral"), null=True, blank=True, db_index=True)
    kind = models.CharField(_("deadline"), max_length=24, choices=DeadlineKind)
    # Which of a kind: for monitoring contacts, the months after return (1, 3, 6, 12…).
    sequence = models.PositiveSmallIntegerField(_("months after return"), default=0)
    country = models.ForeignKey(
        "directory.Country",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("counted in the calendar of"),
    )
    organisations = models.ManyToManyField(
        "directory.Organisation",
        related_name="+",
        verbose_name=_("organisations to remind"),
        help_text=_("The organisations that must act before the deadline."),
    )
    starts_at = models.DateTimeField(_("counted from"))
    due_at = models.DateTimeField(_("due"), db_index=True)
    remind_at = models.DateTimeField(_("reminder"), null=True, blank=True, db_index=True)
    opened_at = models.DateTimeField(_("opened"), default=timezone.now)
    reminded_at = models.DateTimeField(_("reminded"), null=True, blank=True)
    escalated_at = models.DateTimeField(_("overdue alert sent"), null=True, blank=True)
    met_at = models.DateTimeField(_("met"), null=True, blank=True)
    met_by = models.ForeignKey(
        "cases.StageRecord",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("met by the record"),
    )
    cancelled_at = models.DateTimeField(_("cancelled"), null=True, blank=True)
    cancel_reason = models.CharField(
        _("why cancelled"), max_length=12, choices=CancelReason, blank=True
    )

    objects = DeadlineQuerySet.as_manager()

    class Meta:
        verbose_name = _("deadline")
        verbose_name_plural = _("deadlines")
        ordering = ["due_at"]
        indexes = [
            # "My work" and the sweep look at open deadlines only, among many met ones.
            models.Index(fields=["due_at"], condition=OPEN, name="open_deadline_due"),
        ]
        constraints = [
            # One open deadline of a kind per case, whichever step opens it.
            models.UniqueConstraint(
                fields=["case", "kind", "sequence"],
                condition=Q(met_at__isnull=True, cancelled_at__isnull=True)
                & Q(referral_id__isnull=True),
                name="one_open_deadline_of_a_kind",
            ),
            models.UniqueConstraint(
                fields=["referral_id"],
                condition=Q(met_at__isnull=True, cancelled_at__isnull=True)
                & Q(referral_id__isnull=False),
                name="one_open_deadline_per_referral",
            ),
        ]

    def __str__(self):
        return f"{self.kind} of {self.case_id} due {self.due_at:%Y-%m-%d %H:%M}"

    @property
    def is_open(self) -> bool:
        return self.met_at is None and self.cancelled_at is None

    def is_overdue(self, at=None) -> bool:
        return self.is_open and self.due_at < (at or timezone.now())


class NotificationEvent(models.TextChoices):
    REMINDER = "reminder", _("Reminder")
    OVERDUE = "overdue", _("Overdue")
    # What happens on a referral, told to the organisation on the other side.
    REFERRED = "referred", _("New referral")
    ACCEPTED = "accepted", _("Referral accepted")
    DECLINED = "declined", _("Referral declined")
    ASKED = "asked", _("Question on a referral")
    ANSWERED = "answered", _("Answer on a referral")
    CANCELLED = "cancelled", _("Referral cancelled")
    CONSENT_WITHDRAWN = "consent_withdrawn", _("Consent to a referral withdrawn")
    # For the node's administrators and focal points: not about one case.
    UNDELIVERED = "undelivered", _("Message to another node undelivered")
    # For the data protection officers: someone opened a case with emergency access.
    BREAK_GLASS = "break_glass", _("Emergency access to a case")


DEADLINE_EVENTS = frozenset({NotificationEvent.REMINDER, NotificationEvent.OVERDUE})


class NotificationQuerySet(models.QuerySet):
    def unread(self):
        return self.filter(read_at__isnull=True)


class Notification(models.Model):
    """A reminder, an overdue alert or news of a referral for one user, in the app and by
    e-mail. Its text is made when shown, in the reader's language, from the event, the case
    reference and the organisation that acted only: never anything about the person."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    # Empty for news of a referral that is not about a deadline.
    kind = models.CharField(_("deadline"), max_length=24, choices=DeadlineKind, blank=True)
    event = models.CharField(_("notification"), max_length=20, choices=NotificationEvent)
    # None only for news of the exchange with other nodes (an undelivered message).
    case = models.ForeignKey(
        "cases.Case",
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("case"),
        null=True,
        blank=True,
    )
    # The deadline reminded of, or the referral's answer deadline a new referral starts.
    deadline = models.ForeignKey(
        Deadline, on_delete=models.CASCADE, related_name="notifications", null=True, blank=True
    )
    # Plain identifiers, not keys, as on Deadline: deadlines do not depend on the referrals app.
    referral_id = models.UUIDField(_("referral"), null=True, blank=True, db_index=True)
    message_id = models.UUIDField(_("referral message"), null=True, blank=True)
    organisation = models.ForeignKey(
        "directory.Organisation",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("from"),
        help_text=_("The organisation that acted on the referral."),
    )
    # Who opened the case with emergency access (a member of staff, never the person).
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("by"),
    )
    # An envelope to another node still undelivered: its message id and the node (the
    # federation's identifiers, kept plain as the referral's are).
    envelope = models.CharField(_("message to another node"), max_length=64, blank=True)
    node = models.ForeignKey(
        "directory.Node",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("node"),
    )
    created_at = models.DateTimeField(_("received"), default=timezone.now, db_index=True)
    read_at = models.DateTimeField(_("read"), null=True, blank=True)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "deadline", "event"], name="one_notification_per_event"
            ),
            models.UniqueConstraint(
                fields=["user", "message_id"],
                condition=Q(message_id__isnull=False),
                name="one_notification_per_referral_message",
            ),
            models.UniqueConstraint(
                fields=["user", "envelope"],
                condition=~Q(envelope=""),
                name="one_notification_per_undelivered_envelope",
            ),
        ]

    def __str__(self):
        return f"{self.event} of {self.deadline_id or self.referral_id} for {self.user_id}"


class OutgoingEmailQuerySet(models.QuerySet):
    def due(self, at=None):
        """What a worker may send now: waiting for its (next) attempt, or claimed by a worker
        whose lease ran out (it died). Never a sent one."""
        return self.filter(
            status__in=[OutgoingEmail.Status.PENDING, OutgoingEmail.Status.SENDING],
            next_attempt_at__lte=at or timezone.now(),
        )


class OutgoingEmail(models.Model):
    """The e-mail that accompanies a notification, written in the step's transaction beside it
    and sent by the worker (`trm.deadlines.outbox`). It holds what the e-mail says (the case's
    reference, never the person) and its reader as a user: the address is read when it is sent.
    Its key, one per notification and recipient, is the e-mail's Message-ID."""

    class Status(models.TextChoices):
        PENDING = "pending", _("waiting to be sent")
        SENDING = "sending", _("being sent")
        SENT = "sent", _("sent")
        FAILED = "failed", _("not delivered")

    key = models.UUIDField(unique=True, editable=False)
    notification = models.ForeignKey(Notification, on_delete=models.CASCADE, related_name="emails")
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    subject = models.CharField(max_length=255)
    body = models.TextField()
    status = models.CharField(max_length=8, choices=Status, default=Status.PENDING)
    # Attempts begun: a claim counts, so a message that kills its worker every time ends too.
    attempts = models.PositiveSmallIntegerField(default=0)
    # When it may be tried (again); while it is being sent, when its worker's lease ends.
    next_attempt_at = models.DateTimeField(default=timezone.now)
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)
    # The error's class and SMTP code only: a server's message may quote the address.
    last_error = models.CharField(max_length=120, blank=True)

    objects = OutgoingEmailQuerySet.as_manager()

    class Meta:
        ordering = ["created_at"]
        indexes = [
            models.Index(
                fields=["next_attempt_at"],
                condition=Q(status__in=["pending", "sending"]),
                name="outgoing_email_due",
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["notification", "recipient"], name="one_email_per_notification"
            ),
        ]

    def __str__(self):
        return f"e-mail {self.key} ({self.status})"
