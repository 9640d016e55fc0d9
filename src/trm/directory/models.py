"""The directory: who does what in each country's National Referral Mechanism.

It holds no victim data and is readable by every signed-in user.
"""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from trm.lib.languages import SPOKEN_LANGUAGES
from trm.lib.translated import TranslatedTextField, in_language


class Node(models.Model):
    """A trm deployment. Organisations hosted elsewhere are reached through federation."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    base_url = models.URLField(_("address"), blank=True)
    is_this_node = models.BooleanField(_("this node"), default=False)
    # A peer's organisations are a copy of the directory it publishes (trm.federation.
    # shared_directory): when it was fetched, and when the peer signed it (an older signed
    # copy is never applied over a newer one).
    directory_fetched_at = models.DateTimeField(_("directory copied"), null=True, blank=True)
    directory_issued_at = models.DateTimeField(_("directory issued"), null=True, blank=True)

    class Meta:
        verbose_name = _("node")
        verbose_name_plural = _("nodes")
        constraints = [
            models.UniqueConstraint(
                fields=["is_this_node"],
                condition=models.Q(is_this_node=True),
                name="one_local_node",
            )
        ]

    def __str__(self):
        return self.name


class TrmRole(models.TextChoices):
    DESTINATION = "destination", _("Country of destination (sending side)")
    ORIGIN = "origin", _("Country of origin (receiving side)")
    BOTH = "both", _("Both")


def validate_monitoring_schedule(value):
    if (
        not isinstance(value, list)
        or not value
        or not all(isinstance(month, int) and 0 < month <= 60 for month in value)
        or value != sorted(set(value))
    ):
        raise ValidationError(
            _("Give the months after return as rising whole numbers between 1 and 60."),
            code="invalid",
        )


def default_sustainability_weights() -> dict:
    return {"economic": 0.34, "social": 0.33, "psychosocial": 0.33}


def validate_sustainability_weights(value):
    if (
        not isinstance(value, dict)
        or set(value) != {"economic", "social", "psychosocial"}
        or not all(isinstance(weight, int | float) and weight >= 0 for weight in value.values())
        or abs(sum(value.values()) - 1) > 0.001
    ):
        raise ValidationError(
            _("Give a weight of 0 to 1 for economic, social and psychosocial, adding up to 1."),
            code="invalid",
        )


def default_weekend_days() -> list:
    return [5, 6]


def validate_weekend_days(value):
    if (
        not isinstance(value, list)
        or len(value) > 6
        or not all(isinstance(day, int) and 0 <= day <= 6 for day in value)
    ):
        raise ValidationError(_("Give the days off as numbers from 0 (Monday) to 6."))


class Country(models.Model):
    """A country and its NRM configuration (the rules that differ between countries)."""

    code = models.CharField(
        _("code"),
        max_length=2,
        unique=True,
        validators=[RegexValidator(r"^[A-Z]{2}$", _("Use the two capital letters of ISO 3166."))],
    )
    name = TranslatedTextField(_("name"))
    trm_role = models.CharField(_("role in the TRM"), max_length=12, choices=TrmRole)
    nrm_summary = TranslatedTextField(_("the NRM in short"), blank=True)
    identifying_authority = TranslatedTextField(_("who identifies victims formally"))
    guardian_authority = TranslatedTextField(_("who appoints guardians for children"), blank=True)
    reflection_period_days = models.PositiveSmallIntegerField(
        _("reflection and recovery period (days)"),
        default=30,
        validators=[MinValueValidator(30), MaxValueValidator(365)],
    )
    referral_response_days = models.PositiveSmallIntegerField(
        _("referral response deadline (working days)"),
        default=5,
        validators=[MinValueValidator(1), MaxValueValidator(60)],
    )
    monitoring_schedule_months = models.JSONField(
        _("monitoring contacts (months after return)"),
        default=list,
        validators=[validate_monitoring_schedule],
        help_text=_("For example [1, 3, 6, 12]."),
    )
    identification_abroad_recognised = models.BooleanField(
        _("identification abroad is recognised"),
        default=False,
        help_text=_("A destination country's identification is accepted without a new interview."),
    )
    child_age_threshold = models.PositiveSmallIntegerField(
        _("age of majority"), default=18, validators=[MinValueValidator(14), MaxValueValidator(21)]
    )
    child_reception_alert_hours = models.PositiveSmallIntegerField(
        _("alert when a child's reception is unconfirmed after (hours)"),
        default=24,
        validators=[MinValueValidator(1), MaxValueValidator(168)],
    )
    reintegration_plan_due_days = models.PositiveSmallIntegerField(
        _("reintegration plan due after return (days)"),
        default=30,
        validators=[MinValueValidator(1), MaxValueValidator(180)],
    )
    sustainability_weights = models.JSONField(
        _("weights of the sustainability dimensions"),
        default=default_sustainability_weights,
        validators=[validate_sustainability_weights],
        help_text=_("Economic, social and psychosocial weights, adding up to 1."),
    )
    sustainability_threshold = models.DecimalField(
        _("sustainable reintegration from the overall score"),
        max_digits=3,
        decimal_places=2,
        default=Decimal("0.50"),
        validators=[MinValueValidator(0), MaxValueValidator(1)],
    )
    weekend_days = models.JSONField(
        _("days off each week"),
        default=default_weekend_days,
        validators=[validate_weekend_days],
        help_text=_("0 is Monday, 6 is Sunday. Working-day deadlines skip these and holidays."),
    )

    class Meta:
        verbose_name = _("country")
        verbose_name_plural = _("countries")
        ordering = ["code"]

    def __str__(self):
        return self.display_name

    @property
    def display_name(self) -> str:
        return in_language(self.name) or self.code

    def get_absolute_url(self):
        return reverse("directory:country", args=[self.code])


class Holiday(models.Model):
    """A public holiday: no working day, for the country's deadlines."""

    country = models.ForeignKey(Country, on_delete=models.CASCADE, related_name="holidays")
    date = models.DateField(_("date"))
    name = TranslatedTextField(_("name"), blank=True)

    class Meta:
        verbose_name = _("public holiday")
        verbose_name_plural = _("public holidays")
        constraints = [models.UniqueConstraint(fields=["country", "date"], name="one_holiday")]
        ordering = ["date"]

    def __str__(self):
        return f"{self.country.code} {self.date}"


class OrganisationKind(models.TextChoices):
    COORDINATOR = "coordinator", _("National anti-trafficking coordinator or rapporteur")
    NRM_AUTHORITY = "nrm_authority", _("NRM operator or responsible authority")
    POLICE = "police", _("Police")
    BORDER_GUARD = "border_guard", _("Border guard")
    LABOUR_INSPECTORATE = "labour_inspectorate", _("Labour inspectorate")
    PROSECUTION = "prosecution", _("Prosecutor or court")
    SOCIAL_SERVICES = "social_services", _("Social services")
    CHILD_PROTECTION = "child_protection", _("Child-protection authority")
    GUARDIAN_SERVICE = "guardian_service", _("Guardian service")
    NGO = "ngo", _("NGO or shelter")
    INTERNATIONAL = "international", _("IOM mission or other international organisation")
    CONSULATE = "consulate", _("Embassy or consulate")
    HEALTH = "health", _("Health provider")
    OTHER = "other", _("Other service provider")


class ServiceKind(models.TextChoices):
    SHELTER = "shelter", _("Shelter")
    MEDICAL = "medical", _("Medical care")
    PSYCHOSOCIAL = "psychosocial", _("Psychosocial support")
    LEGAL_AID = "legal_aid", _("Legal aid")
    CHILD_PROTECTION = "child_protection", _("Child protection")
    FAMILY_TRACING = "family_tracing", _("Family tracing")
    EDUCATION = "education", _("Education")
    VOCATIONAL_TRAINING = "vocational_training", _("Vocational training")
    JOB_PLACEMENT = "job_placement", _("Job placement")
    INCOME_GENERATION = "income_generation", _("Income generation")
    HOUSING = "housing", _("Housing")
    DOCUMENT_RECOVERY = "document_recovery", _("Document recovery")
    ESCORT = "escort", _("Escort")
    AIRPORT_RECEPTION = "airport_reception", _("Airport reception")


def validate_language_codes(value: str):
    unknown = [code for code in value.split(",") if code and code not in SPOKEN_LANGUAGES]
    if unknown:
        raise ValidationError(
            _("Unknown language code: %(codes)s."), params={"codes": ", ".join(unknown)}
        )


def _active_pins():
    # A node's `pins` are the federation's Peer rows (trm.federation.models), reached by their
    # relation so that the directory imports nothing of the federation; one with no
    # `removed_at` is active.
    return Node._meta.get_field("pins").related_model.objects.filter(removed_at__isnull=True)


class OrganisationQuerySet(models.QuerySet):
    def with_node(self):
        """With the node each is hosted on and its active pins, for `is_reachable` in lists."""
        return self.select_related("hosted_on").prefetch_related(
            models.Prefetch("hosted_on__pins", queryset=_active_pins(), to_attr="active_pins")
        )

    def reachable(self):
        """Those this node can exchange with: hosted here, or on a node pinned now (what
        `Organisation.is_reachable` says of one), for the choice of a referral's receiver."""
        pinned = _active_pins().filter(node=models.OuterRef("hosted_on"))
        return self.filter(
            models.Q(hosted_on__isnull=True)
            | models.Q(hosted_on__is_this_node=True)
            | models.Exists(pinned)
        )

    def speaking(self, language: str):
        # Codes are stored comma-separated with commas around, so ",uk," matches exactly.
        return self.filter(languages__contains=f",{language},")


class Organisation(models.Model):
    slug = models.SlugField(_("short name"), max_length=80, unique=True)
    name = models.CharField(_("name"), max_length=200)
    country = models.ForeignKey(
        Country, on_delete=models.PROTECT, related_name="organisations", verbose_name=_("country")
    )
    kind = models.CharField(_("type"), max_length=24, choices=OrganisationKind)
    description = TranslatedTextField(_("description"), blank=True)
    area_served = models.CharField(
        _("area served"), max_length=200, blank=True, help_text=_("Regions or cities; blank: all")
    )
    languages = models.CharField(
        _("languages spoken"), max_length=200, blank=True, validators=[validate_language_codes]
    )
    serves_adults = models.BooleanField(_("serves adults"), default=True)
    serves_children = models.BooleanField(_("serves children"), default=False)
    email = models.EmailField(_("e-mail"), blank=True)
    phone = models.CharField(_("telephone"), max_length=40, blank=True)
    website = models.URLField(_("website"), blank=True)
    address = models.CharField(_("address"), max_length=300, blank=True)
    capacity_note = models.CharField(_("capacity"), max_length=300, blank=True)
    is_focal_point = models.BooleanField(
        _("TRM focal point"),
        default=False,
        help_text=_("Sends and receives referrals for the country."),
    )
    hosted_on = models.ForeignKey(
        Node,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="organisations",
        verbose_name=_("hosted on"),
        help_text=_("Blank: this node."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    # Case-folded copies for searching in any script alike on SQLite and PostgreSQL.
    search_text = models.TextField(editable=False, default="")
    area_served_folded = models.CharField(editable=False, max_length=200, default="")

    objects = OrganisationQuerySet.as_manager()

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["country__code", "name"]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        codes = [code.strip() for code in self.languages.strip(",").split(",") if code.strip()]
        self.languages = f",{','.join(codes)}," if codes else ""
        self.area_served_folded = self.area_served.casefold()
        self.search_text = " ".join(
            [self.name, self.slug, self.area_served, *self.description.values()]
        ).casefold()
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {
                *kwargs["update_fields"],
                "languages",
                "area_served_folded",
                "search_text",
            }
        super().save(*args, **kwargs)

    @property
    def language_codes(self) -> list[str]:
        return [code for code in self.languages.split(",") if code]

    @property
    def is_hosted_here(self) -> bool:
        return self.hosted_on_id is None or self.hosted_on.is_this_node

    @property
    def is_reachable(self) -> bool:
        """Whether this node can exchange with the node it is hosted on: always if it is
        hosted here, otherwise only while that node is pinned (a removed peer's organisations
        stay listed, unreachable). Whether it is active is another question."""
        if self.is_hosted_here:
            return True
        pins = getattr(self.hosted_on, "active_pins", None)  # prefetched by with_node()
        if pins is not None:
            return bool(pins)
        return self.hosted_on.pins.filter(removed_at__isnull=True).exists()

    def get_absolute_url(self):
        return reverse("directory:organisation", args=[self.pk])


class Service(models.Model):
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="services"
    )
    kind = models.CharField(_("service"), max_length=24, choices=ServiceKind)
    note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("service")
        verbose_name_plural = _("services")
        constraints = [
            models.UniqueConstraint(fields=["organisation", "kind"], name="one_service_of_a_kind")
        ]
        ordering = ["kind"]

    def __str__(self):
        return self.get_kind_display()
