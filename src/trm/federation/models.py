"""The nodes this node exchanges referrals with, each pinned by its signing key's fingerprint."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class PeerQuerySet(models.QuerySet):
    def active(self):
        return self.filter(removed_at__isnull=True)


class Peer(models.Model):
    """The pin of another trm node (the directory's `Node`, which its organisations are hosted
    on), made after its fingerprint was checked with its operators. A removed pin stays on
    record (the audit names it) but nothing is exchanged with the node any more."""

    node = models.ForeignKey(
        "directory.Node", on_delete=models.PROTECT, related_name="pins", verbose_name=_("node")
    )
    countries = models.JSONField(_("countries"), default=list)
    signing_key = models.JSONField(_("signing key"))
    encryption_key = models.JSONField(_("encryption key"))
    fingerprint = models.CharField(_("fingerprint"), max_length=64)
    # The keys before the peer's last rotation, believed until the overlap it announced ends.
    previous_signing_key = models.JSONField(_("previous signing key"), null=True, blank=True)
    previous_encryption_key = models.JSONField(_("previous encryption key"), null=True, blank=True)
    previous_fingerprint = models.CharField(_("previous fingerprint"), max_length=64, blank=True)
    previous_until = models.DateTimeField(_("previous keys valid until"), null=True, blank=True)
    # When the peer's document was last fetched for a rotation: at most once a minute.
    keys_checked_at = models.DateTimeField(null=True, blank=True)
    added_at = models.DateTimeField(_("added"), auto_now_add=True)
    removed_at = models.DateTimeField(_("removed"), null=True, blank=True)
    # The circuit breaker: while a peer does not answer, the worker tries it again only from
    # `next_contact_at` on, instead of once for each message waiting for it.
    unreachable_since = models.DateTimeField(_("unreachable since"), null=True, blank=True)
    next_contact_at = models.DateTimeField(null=True, blank=True)

    objects = PeerQuerySet.as_manager()

    class Meta:
        verbose_name = _("peer node")
        verbose_name_plural = _("peer nodes")
        constraints = [
            # One active pin per node and per key; removed ones stay as history.
            models.UniqueConstraint(
                fields=["node"],
                condition=models.Q(removed_at__isnull=True),
                name="one_active_pin_per_node",
            ),
            models.UniqueConstraint(
                fields=["fingerprint"],
                condition=models.Q(removed_at__isnull=True),
                name="one_active_peer_per_key",
            ),
        ]

    def __str__(self):
        return self.node.name

    @property
    def name(self) -> str:
        return self.node.name

    @property
    def address(self) -> str:
        return self.node.base_url

    def previous_valid(self, now) -> bool:
        """Whether the keys before the peer's last rotation are still believed at `now`."""
        return (
            bool(self.previous_fingerprint)
            and self.previous_until is not None
            and (now < self.previous_until)
        )


class Outcome(models.TextChoices):
    HELD = "held", _("held until the messages before it arrive")
    APPLIED = "applied", _("applied")
    REFUSED = "refused", _("refused")


class Conversation(models.Model):
    """Where the exchange with a peer about one thing (a referral) stands, in each direction:
    every node numbers its own messages in a conversation and names the previous one's hash, so
    the receiver applies them in order, holds an early one, and notices a missing or forged
    link. The two directions are apart: messages that cross are told apart by `expects`."""

    peer = models.ForeignKey(
        Peer, on_delete=models.PROTECT, related_name="conversations", verbose_name=_("peer node")
    )
    key = models.CharField(_("conversation"), max_length=64)
    sent = models.PositiveIntegerField(default=0)  # the sequence of the last message sent
    last_sent_hash = models.CharField(max_length=64, blank=True)
    applied = models.PositiveIntegerField(default=0)  # the sequence of the last one applied
    last_applied_hash = models.CharField(max_length=64, blank=True)

    class Meta:
        verbose_name = _("conversation")
        verbose_name_plural = _("conversations")
        constraints = [
            models.UniqueConstraint(fields=["peer", "key"], name="one_conversation_per_peer")
        ]

    def __str__(self):
        return self.key


class IncomingEnvelope(models.Model):
    """An envelope a peer delivered, kept as it arrived (it is encrypted to this node) before
    anything is done with it: a duplicate is answered with the first one's receipt."""

    sender = models.ForeignKey(
        Peer, on_delete=models.PROTECT, related_name="envelopes_received", verbose_name=_("sender")
    )
    message_id = models.CharField(_("message"), max_length=64)
    envelope_hash = models.CharField(_("envelope hash"), max_length=64, unique=True)
    envelope = models.TextField(_("envelope"))
    type = models.CharField(_("type"), max_length=32)
    conversation = models.CharField(_("conversation"), max_length=64)
    sequence = models.PositiveIntegerField(_("sequence"))
    received_at = models.DateTimeField(_("received"))
    receipt = models.TextField(_("receipt"))
    # What applying it did: applied through the actions, refused (with a code the sender is
    # told), or held until the messages before it in its conversation arrive.
    outcome = models.CharField(_("outcome"), max_length=12, choices=Outcome, default=Outcome.HELD)
    refusal = models.CharField(_("refusal"), max_length=40, blank=True)
    applied_at = models.DateTimeField(_("applied"), null=True, blank=True)

    class Meta:
        verbose_name = _("envelope received")
        verbose_name_plural = _("envelopes received")
        constraints = [
            models.UniqueConstraint(
                fields=["sender", "message_id"], name="one_envelope_per_message"
            )
        ]

    def __str__(self):
        return f"{self.type} {self.message_id}"


class OutgoingEnvelope(models.Model):
    """A message to a peer, sealed in the step that caused it and delivered by the worker until
    the peer's signed receipt for it comes back."""

    class State(models.TextChoices):
        QUEUED = "queued", _("queued")
        DELIVERED = "delivered", _("delivered")
        REFUSED = "refused", _("refused by the peer")

    peer = models.ForeignKey(
        Peer, on_delete=models.PROTECT, related_name="envelopes_sent", verbose_name=_("peer node")
    )
    message_id = models.CharField(_("message"), max_length=64, unique=True)
    type = models.CharField(_("type"), max_length=32)
    conversation = models.CharField(_("conversation"), max_length=64)
    sequence = models.PositiveIntegerField(_("sequence"))
    envelope = models.TextField(_("envelope"))
    envelope_hash = models.CharField(_("envelope hash"), max_length=64)
    state = models.CharField(_("state"), max_length=12, choices=State, default=State.QUEUED)
    queued_at = models.DateTimeField(_("queued"))
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"), db_index=True)
    # A worker sending it holds it until then; one that died lets it go.
    leased_until = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(_("delivered"), null=True, blank=True)
    receipt = models.TextField(_("receipt"), blank=True)
    # The peer's audit head its receipt named: this node witnesses the peer's log.
    peer_audit_head = models.JSONField(null=True, blank=True)
    # What the peer's receipt says applying it did (its code if refused).
    outcome = models.CharField(_("outcome"), max_length=12, choices=Outcome, blank=True)
    refusal = models.CharField(_("refusal"), max_length=40, blank=True)
    # What the last attempt met: a code, never the peer's answer text.
    last_problem = models.CharField(_("last problem"), max_length=100, blank=True)
    # When the administrators and focal points were told it stays undelivered: once.
    alerted_at = models.DateTimeField(_("undelivered alert sent"), null=True, blank=True)

    class Meta:
        verbose_name = _("envelope sent")
        verbose_name_plural = _("envelopes sent")

    def __str__(self):
        return f"{self.type} {self.message_id}"


class OutgoingPart(models.Model):
    """The encrypted bytes that travel with an envelope (a document's), posted with it and
    dropped once the peer's receipt for it came back (parts.py). Encrypted under a key that only
    the sealed envelope holds: this node cannot read them back either."""

    envelope = models.OneToOneField(OutgoingEnvelope, on_delete=models.CASCADE, related_name="part")
    sha256 = models.CharField(max_length=64)
    content = models.BinaryField()

    def __str__(self):
        return f"part of {self.envelope_id}"


class IncomingPart(models.Model):
    """A part received with its envelope, kept (still encrypted, its key in the envelope) until
    the message referencing it is applied; then dropped."""

    sender = models.ForeignKey(Peer, on_delete=models.PROTECT, related_name="+")
    message_id = models.CharField(max_length=64)
    sha256 = models.CharField(max_length=64)
    content = models.BinaryField()
    received_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["sender", "message_id"], name="one_part_per_message")
        ]

    def __str__(self):
        return f"part of {self.message_id}"
