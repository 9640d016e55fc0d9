"""The audit trail: an append-only, hash-chained log of who did what, holding no personal data.

Events are written by `trm.audit.log.record` only; database triggers refuse UPDATE and DELETE,
and `trm.audit.verify` finds whatever was changed behind the triggers' back. Each hash is an
HMAC keyed with the chain key from the key file (never in the database), so a database writer
can neither forge an event nor rewrite the chain with fresh hashes.
"""

import hashlib
import hmac
import json
from datetime import UTC

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from trm.crypto.keyring import chain_key

ACTION_PATTERN = r"^trm(\.[a-z_]+)+$"
# The first event links to this instead of a previous hash.
GENESIS_HASH = "0" * 64
# The fields the hash covers, in the order `values_list` reads them during verification.
HASHED_FIELDS = (
    "sequence",
    "occurred_at",
    "actor_id",
    "actor_username",
    "organisation_id",
    "action",
    "object_type",
    "object_id",
    "reason",
    "details",
)


class AuditEvent(models.Model):
    sequence = models.PositiveBigIntegerField(_("sequence"), unique=True, editable=False)
    occurred_at = models.DateTimeField(_("time"), db_index=True, editable=False)
    # No database constraint: the triggers refuse the SET NULL or CASCADE a deletion would need,
    # and the event must outlive the user; the username keeps it readable.
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("user"),
    )
    actor_username = models.CharField(_("username"), max_length=150, blank=True)
    organisation = models.ForeignKey(
        "directory.Organisation",
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("organisation"),
    )
    action = models.CharField(
        _("action"),
        max_length=100,
        validators=[RegexValidator(ACTION_PATTERN, _("Use a name like trm.case.viewed."))],
    )
    object_type = models.CharField(_("object type"), max_length=100, blank=True)
    object_id = models.CharField(_("object identifier"), max_length=100, blank=True)
    reason = models.TextField(_("reason"), blank=True)
    details = models.JSONField(_("details"), default=dict, blank=True)
    previous_hash = models.CharField(_("previous hash"), max_length=64)
    hash = models.CharField(_("hash"), max_length=64)

    class Meta:
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        ordering = ["sequence"]
        indexes = [
            models.Index(fields=["organisation", "sequence"], name="audit_event_org_seq"),
            models.Index(fields=["object_type", "object_id"], name="audit_event_object"),
        ]

    def __str__(self):
        return f"{self.sequence} {self.action}"

    def detail_items(self) -> list[tuple[str, str]]:
        """The details as (name, text) pairs for display, lists joined by commas."""
        return [
            (name, ", ".join(map(str, value)) if isinstance(value, list) else str(value))
            for name, value in sorted(self.details.items())
        ]

    def canonical_fields(self) -> dict:
        return {name: getattr(self, name) for name in HASHED_FIELDS}


def canonical_json(fields: dict) -> str:
    """The event as JSON that reads the same on every database: sorted keys, UTC timestamps."""
    values = dict(fields)
    values["occurred_at"] = values["occurred_at"].astimezone(UTC).isoformat(timespec="microseconds")
    return json.dumps(
        values, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    )


def event_hash(previous_hash: str, fields: dict, *, key: bytes | None = None) -> str:
    """HMAC-SHA256, keyed with the chain key, over the previous hash and the canonical event,
    as hex. `key` saves reading the key file for each event of a long walk."""
    message = (previous_hash + canonical_json(fields)).encode()
    return hmac.new(key or chain_key(), message, hashlib.sha256).hexdigest()


def head_seal(sequence: int, hash_: str, *, key: bytes | None = None) -> str:
    """The chain key's HMAC over the head: a head row moved back (the tail cut off) or forward
    (a forged event appended) cannot carry a seal that fits without the key."""
    message = f"trm-audit-head:{sequence}:{hash_}".encode()
    return hmac.new(key or chain_key(), message, hashlib.sha256).hexdigest()


class AuditHead(models.Model):
    """The chain's newest sequence and hash, in one row that appenders lock and move.

    It is the appenders' meeting point (taken last, after the case row) and, sealed with the
    chain key, the database's own record of how long the chain is.
    """

    sequence = models.PositiveBigIntegerField(_("sequence"))
    hash = models.CharField(_("hash"), max_length=64)
    seal = models.CharField(_("seal"), max_length=64)

    class Meta:
        verbose_name = _("audit chain head")
        verbose_name_plural = _("audit chain heads")
        constraints = [models.CheckConstraint(condition=models.Q(id=1), name="audit_head_one_row")]

    def __str__(self):
        return f"head {self.sequence}"


class AuditCheckpoint(models.Model):
    """A signed statement by this node that the event at `sequence` had `hash`.

    A rewritten or truncated tail cannot match a checkpoint without the node's private key.
    """

    sequence = models.PositiveBigIntegerField(_("sequence"))
    hash = models.CharField(_("hash"), max_length=64)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    signature = models.CharField(_("signature"), max_length=128)
    public_key = models.CharField(_("public key"), max_length=64)

    class Meta:
        verbose_name = _("audit checkpoint")
        verbose_name_plural = _("audit checkpoints")
        ordering = ["sequence"]

    def __str__(self):
        return f"checkpoint {self.sequence}"

    def signed_message(self) -> bytes:
        return checkpoint_message(self.sequence, self.hash)


def checkpoint_message(sequence: int, hash_: str) -> bytes:
    # A fixed prefix keeps the node key's signatures for checkpoints apart from any other use.
    return f"trm-audit-checkpoint:{sequence}:{hash_}".encode()
