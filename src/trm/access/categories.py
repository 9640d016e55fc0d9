"""Data categories: the units in which consent is given and access is granted."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class DataCategory(models.TextChoices):
    IDENTITY = "identity", _("Identity: names, birth date, sex, citizenship")
    CONTACT = "contact", _("Contact details")
    DOCUMENTS = "documents", _("Identity documents")
    LOCATION = "location", _("Current location or shelter address")
    HEALTH = "health", _("Health and medical needs")
    EXPLOITATION = "exploitation", _("Exploitation and testimony")
    TRAFFICKERS = "traffickers", _("Information about the traffickers")
    FAMILY = "family", _("Family and caregivers")
    ASSISTANCE = "assistance", _("Needs, assistance and reintegration")
    RISK_TO_LIFE = "risk_to_life", _("Risk to life")


ALL_CATEGORIES = frozenset(DataCategory.values)

# Risk to life is always shared with whoever receives a referral (domain.md §4.5, §6).
ALWAYS_SHARED = frozenset({DataCategory.RISK_TO_LIFE})
