"""Retention: how long each country keeps a person's data after their case closed, and the
dry-run reports that name who is due before anyone is erased."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


def default_retention_years() -> int:
    return getattr(settings, "RETENTION_YEARS", 5)


class RetentionRule(models.Model):
    """A country's retention period; made with the node's default when first needed."""

    country = models.OneToOneField(
        "directory.Country",
        on_delete=models.CASCADE,
        related_name="retention_rule",
        verbose_name=_("country"),
    )
    years_after_closure = models.PositiveSmallIntegerField(
        _("years kept after the case closed"),
        default=default_retention_years,
        validators=[MinValueValidator(1), MaxValueValidator(100)],
    )

    class Meta:
        verbose_name = _("retention rule")
        verbose_name_plural = _("retention rules")
        ordering = ["country__code"]

    def __str__(self):
        return f"{self.country.code}: {self.years_after_closure}"

    @classmethod
    def for_country(cls, country) -> "RetentionRule":
        rule, _created = cls.objects.get_or_create(country=country)
        return rule


class RetentionReport(models.Model):
    """The cases found due for erasure on one day; their people are erased after `due_at`."""

    created_at = models.DateTimeField(_("made"), default=timezone.now, editable=False)
    due_at = models.DateTimeField(_("erasure due"))
    case_ids = models.JSONField(_("cases"), default=list)
    executed_at = models.DateTimeField(_("carried out"), null=True, blank=True)
    # The cases whose person was erased when the report was carried out; a case that was
    # reopened or extended meanwhile is listed in `case_ids` but not here.
    erased_case_ids = models.JSONField(_("cases erased"), default=list)

    class Meta:
        verbose_name = _("retention report")
        verbose_name_plural = _("retention reports")
        ordering = ["-created_at"]

    def __str__(self):
        return f"retention report {self.pk} ({len(self.case_ids)} cases)"

    @property
    def is_pending(self) -> bool:
        return self.executed_at is None
