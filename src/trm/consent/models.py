"""Consent records: what the person agreed to, for which purpose and recipient. Never changed.

A consent is one record; its withdrawal is another record pointing to it. The current state is
derived from them (state.py). Database triggers refuse UPDATE and DELETE (migration 0002).
"""

import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from trm.access.categories import ALL_CATEGORIES, DataCategory
from trm.crypto.fields import EncryptedTextField
from trm.lib.languages import SPOKEN_LANGUAGES


class Purpose(models.TextChoices):
    ASSISTANCE = "assistance", _("Assistance")
    REFERRAL = "referral", _("Referral to a named organisation")
    STATISTICS = "statistics", _("Statistics")
    LAW_ENFORCEMENT = "law_enforcement", _("Cooperation with law enforcement")


def validate_categories(value):
    if (
        not isinstance(value, list)
        or not all(isinstance(item, str) for item in value)
        or len(set(value)) != len(value)
    ):
        raise ValidationError(_("Give the data categories as a list without repeats."))
    unknown = sorted(set(value) - ALL_CATEGORIES)
    if unknown:
        raise ValidationError(
            _("Unknown data categories: %(categories)s"),
            params={"categories": ", ".join(unknown)},
            code="unknown",
        )


def validate_language(value):
    if value not in SPOKEN_LANGUAGES:
        raise ValidationError(
            _("Unknown language code: %(codes)s."), params={"codes": value}, code="unknown"
        )


class ConsentQuerySet(models.QuerySet):
    def in_force(self, at=None):
        """Those of these consents in force at `at` (now): given, not expired, not withdrawn."""
        at = at or timezone.now()
        withdrawn = ConsentRecord.objects.filter(
            withdraws=OuterRef("pk"), given=False, recorded_at__lte=at
        )
        return (
            self.filter(given=True, recorded_at__lte=at)
            .filter(Q(expires_at__isnull=True) | Q(expires_at__gt=at))
            .exclude(Exists(withdrawn))
            .select_related("recipient_organisation", "recipient_country")
        )


class ConsentRecord(models.Model):
    """One consent given (`given`) or one withdrawal of an earlier consent (`withdraws`)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    person = models.ForeignKey(
        "cases.Person", on_delete=models.PROTECT, related_name="consents", editable=False
    )
    # The case in which the person was asked; the consent itself is the person's.
    case = models.ForeignKey(
        "cases.Case", on_delete=models.PROTECT, related_name="consents", editable=False
    )
    given = models.BooleanField(_("consent given"), default=True)
    withdraws = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="withdrawals",
        verbose_name=_("withdraws"),
    )
    purpose = models.CharField(_("purpose"), max_length=16, choices=Purpose)
    categories = models.JSONField(
        _("data categories"), default=list, validators=[validate_categories]
    )
    recipient_organisation = models.ForeignKey(
        "directory.Organisation",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recipient organisation"),
    )
    recipient_country = models.ForeignKey(
        "directory.Country",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recipient country"),
    )
    language = models.CharField(_("language used"), max_length=8, validators=[validate_language])
    interpreter_present = models.BooleanField(_("an interpreter was present"), default=False)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    recorded_at = models.DateTimeField(_("recorded"), default=timezone.now, editable=False)
    expires_at = models.DateTimeField(_("expires"), null=True, blank=True)
    # For a child: the guardian's consent, and the child's own views in their words.
    guardian_consent = models.BooleanField(_("the guardian consents"), null=True, blank=True)
    child_views = EncryptedTextField(_("the child's views"), key_path="person.data_key")
    # Why consent was withdrawn, if the person said; it may describe them, so it is theirs.
    reason = EncryptedTextField(_("reason"), key_path="person.data_key")

    objects = ConsentQuerySet.as_manager()

    class Meta:
        verbose_name = _("consent record")
        verbose_name_plural = _("consent records")
        ordering = ["recorded_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(given=True, withdraws__isnull=True)
                | models.Q(given=False, withdraws__isnull=False),
                name="consent_or_withdrawal",
            ),
            models.CheckConstraint(
                condition=~models.Q(
                    given=True, purpose="referral", recipient_organisation__isnull=True
                ),
                name="referral_consent_names_its_recipient",
            ),
            models.UniqueConstraint(fields=["withdraws"], name="one_withdrawal_per_consent"),
        ]

    def __str__(self):
        kind = "consent" if self.given else "withdrawal"
        return f"{kind} {self.id} ({self.purpose})"

    def save(self, *args, **kwargs):
        # Records are only ever added: saving an existing one fails instead of updating it.
        kwargs["force_insert"] = True
        super().save(*args, **kwargs)

    @property
    def is_withdrawal(self) -> bool:
        return not self.given

    def category_labels(self) -> list[str]:
        return [DataCategory(category).label for category in self.categories]
