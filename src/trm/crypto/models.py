"""Data keys: one random key per data subject, stored only wrapped by a key-encryption key."""

import uuid

from django.db import models
from django.utils.translation import gettext_lazy as _


class DataKey(models.Model):
    """A person's data key. Destroying it (erasure) leaves every copy of their data unreadable."""

    class Purpose(models.TextChoices):
        PERSON = "person", _("a person's data")
        BLIND_INDEX = "blind_index", _("blind indexes of the node")
        AUDIT_REASONS = "audit_reasons", _("reasons in the node's audit trail")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    purpose = models.CharField(max_length=16, choices=Purpose, default=Purpose.PERSON)
    kek_id = models.CharField(max_length=16, db_index=True)
    wrapped = models.BinaryField(editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    destroyed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["purpose"],
                condition=models.Q(purpose="blind_index"),
                name="one_blind_index_key",
            ),
            models.UniqueConstraint(
                fields=["purpose"],
                condition=models.Q(purpose="audit_reasons"),
                name="one_audit_reasons_key",
            ),
        ]

    def __str__(self):
        return f"data key {self.id}"

    @property
    def is_destroyed(self) -> bool:
        return self.destroyed_at is not None
