"""Grants and break-the-glass access: the ways beyond membership to see a case."""

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from trm.crypto.fields import EncryptedTextField


class GrantQuerySet(models.QuerySet):
    def active(self, at=None):
        at = at or timezone.now()
        return self.filter(revoked_at__isnull=True).filter(
            models.Q(expires_at__isnull=True) | models.Q(expires_at__gt=at)
        )


class Grant(models.Model):
    """Access to some data categories of one case, for an organisation or a single user."""

    class Source(models.TextChoices):
        REFERRAL = "referral", _("accepted referral")

    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="grants")
    organisation = models.ForeignKey(
        "directory.Organisation",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="grants",
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="grants",
    )
    categories = models.JSONField(default=list)
    # Narrative fields the sender included after reading them: ["<record id>:<field>", …].
    texts = models.JSONField(default=list, blank=True)
    source = models.CharField(max_length=12, choices=Source)
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    granted_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = GrantQuerySet.as_manager()

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(organisation__isnull=False) | models.Q(user__isnull=False),
                name="grant_has_a_holder",
            )
        ]

    def __str__(self):
        return f"grant {self.pk} on {self.case_id}"


class BreakGlassQuerySet(models.QuerySet):
    def active(self, at=None):
        return self.filter(expires_at__gt=at or timezone.now())


class BreakGlass(models.Model):
    """A supervisor's emergency access to a case, with a reason, for a few hours, reported."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="break_glass"
    )
    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="break_glass")
    # The reason may speak of the person, so it is theirs: encrypted under their key.
    reason = EncryptedTextField(_("reason"), key_path="case.person.data_key", blank=False)
    started_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()

    objects = BreakGlassQuerySet.as_manager()

    def __str__(self):
        return f"break-glass {self.pk} on {self.case_id}"
