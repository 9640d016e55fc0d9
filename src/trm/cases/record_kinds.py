"""The forms of the TRM's standard operating procedures, as data.

Each kind of stage record names its fields. Coded values (choices, yes/no, dates, numbers) are
kept as plain `facts`, which statistics can count without reading anyone's data; free text
and anything marked personal goes to `details`, encrypted under the person's key. A form is
generated from each kind, so the web pages, the API and the actions validate alike.
"""

import datetime
import decimal
from dataclasses import dataclass, field

from django import forms
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from trm.access.categories import DataCategory
from trm.directory.models import ServiceKind
from trm.lib import limits
from trm.lib.languages import spoken_language_choices
from trm.lib.text import FreeTextField

from .stages import Exploitation, Indicator, MeansOfControl, Recruitment, Signal, Stage


class Side(models.TextChoices):
    SENDING = "sending", _("Sending side")
    RECEIVING = "receiving", _("Receiving side")
    EITHER = "either", _("Either side")


def within_plausible_years(value):
    # A year like 9999 is a typing slip, and date arithmetic on it would overflow.
    if not 1900 <= value.year <= 2200:
        raise forms.ValidationError(_("Give a date between 1900 and 2200."), code="out_of_range")


# A moment a little ahead of the server's clock is still "now" (another device's clock, a form
# filled in over a few minutes); a date is in the future only once no time zone has reached it.
CLOCK_TOLERANCE = datetime.timedelta(minutes=10)
AHEAD_OF_UTC = datetime.timedelta(hours=14)
BEHIND_UTC = datetime.timedelta(hours=12)


def not_in_future(label):
    """A validator refusing a date or moment that has not come yet, naming the field."""

    def validate(value):
        now = timezone.now()
        if isinstance(value, datetime.datetime):
            future = value > now + CLOCK_TOLERANCE
        else:
            future = value > (now + AHEAD_OF_UTC).date()
        if future:
            raise forms.ValidationError(
                _("%(field)s cannot be in the future.") % {"field": label}, code="future"
            )

    return validate


def earliest_day_of(moment) -> datetime.date:
    """The first date `moment` (a date or a moment) falls on anywhere: for comparing a date
    with a moment recorded in another time zone."""
    if isinstance(moment, datetime.datetime):
        return (moment - BEHIND_UTC).date()
    return moment


def not_before(value, earlier) -> bool:
    """Whether `value` (a date or a moment) is not before `earlier` (a date or a moment)."""
    if isinstance(value, datetime.datetime) and isinstance(earlier, datetime.datetime):
        return value >= earlier
    day = value.date() if isinstance(value, datetime.datetime) else value
    return day >= earliest_day_of(earlier)


class YesNoSelect(forms.NullBooleanSelect):
    """Also reads "yes" and "no", as API clients and other parts of trm write them."""

    def value_from_datadict(self, data, files, name):
        value = data.get(name)
        if isinstance(value, str) and value.lower() in {"yes", "no"}:
            return value.lower() == "yes"
        return super().value_from_datadict(data, files, name)


class AnsweredBooleanField(forms.NullBooleanField):
    """Yes or no, and one of them must be chosen: not knowing is not an answer here."""

    widget = YesNoSelect

    def validate(self, value):
        if value is None:
            raise forms.ValidationError(self.error_messages["required"], code="required")


@dataclass(frozen=True)
class Field:
    name: str
    label: object
    # text, longtext, choice, multi, bool, date, datetime, int, decimal, score, language
    kind: str = "text"
    choices: type | None = None
    required: bool = False
    personal: bool = False  # free text is always personal
    help_text: object = ""
    # The data category of this field when it differs from its record kind's (domain.md §6).
    category: str | None = None
    past: bool = False  # a date of what happened: not in the future
    # The (record kind, field) this date cannot precede: a reception follows the departure.
    after: tuple[str, str] | None = None
    # For a child, required, with this sentence saying why (domain.md §5); a yes/no must be yes.
    for_a_child: object = None

    @property
    def encrypted(self) -> bool:
        return self.personal or self.kind in {"text", "longtext"}

    @property
    def narrative(self) -> bool:
        """Free-form narrative: it may say anything, so it crosses to another organisation only
        when the sender, having read it, includes it (domain.md §6)."""
        return self.kind == "longtext"

    def form_field(self, *, child: bool = False) -> forms.Field:
        safeguard = child and self.for_a_child is not None
        options = {
            "label": self.label,
            "required": self.required or safeguard,
            "help_text": self.help_text,
        }
        if safeguard:
            options["error_messages"] = {"required": self.for_a_child}
        match self.kind:
            case "text":
                return FreeTextField(max_length=limits.SHORT_TEXT, **options)
            case "longtext":
                return FreeTextField(
                    max_length=limits.NOTE, widget=forms.Textarea(attrs={"rows": 4}), **options
                )
            case "choice":
                return forms.ChoiceField(choices=[("", "—"), *self.choices.choices], **options)
            case "multi":
                return forms.MultipleChoiceField(
                    choices=self.choices.choices, widget=forms.CheckboxSelectMultiple, **options
                )
            case "bool":
                if self.required:
                    return AnsweredBooleanField(**options)
                return forms.BooleanField(**options)
            case "date":
                return forms.DateField(
                    widget=forms.DateInput(attrs={"type": "date"}),
                    validators=self._date_validators(),
                    **options,
                )
            case "datetime":
                return forms.DateTimeField(
                    widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
                    validators=self._date_validators(),
                    **options,
                )
            case "int":
                return forms.IntegerField(min_value=0, max_value=1_000, **options)
            case "decimal":
                return forms.DecimalField(min_value=0, max_digits=12, decimal_places=2, **options)
            case "language":
                return forms.ChoiceField(choices=[("", "—"), *spoken_language_choices()], **options)
            case "score":
                return forms.TypedChoiceField(
                    choices=[("", "—"), *[(n, str(n)) for n in range(5)]],
                    coerce=int,
                    **options,
                )
        raise ValueError(f"unknown field kind {self.kind}")

    def _date_validators(self) -> list:
        return [within_plausible_years, *([not_in_future(self.label)] if self.past else [])]


@dataclass(frozen=True)
class RecordKind:
    code: str
    label: object
    stages: tuple
    fields: tuple
    category: str = DataCategory.ASSISTANCE
    side: str = Side.SENDING
    children_only: bool = False
    repeatable: bool = False
    needs_approval: bool = False
    extra: dict = field(default_factory=dict)

    def category_of(self, name: str) -> str:
        """The data category of field `name` (or of a fact derived from the record)."""
        spec = self.field(name)
        return (spec.category if spec is not None else None) or self.category

    def field(self, name: str) -> "Field | None":
        return next((spec for spec in self.fields if spec.name == name), None)

    def form_class(self, *, child: bool = False) -> type[forms.Form]:
        """The form of this record; `child`: for a child, whose safeguards it then requires."""
        return type(
            f"{self.code.title().replace('_', '')}Form",
            (forms.Form,),
            {f.name: f.form_field(child=child) for f in self.fields},
        )

    def split(self, cleaned: dict) -> tuple[dict, dict]:
        """Cleaned form data → (facts, details), both JSON-serialisable."""
        facts, details = {}, {}
        for spec in self.fields:
            value = _jsonable(cleaned.get(spec.name))
            if value in (None, "", []):
                continue
            (details if spec.encrypted else facts)[spec.name] = value
        return facts, details


def _jsonable(value):
    if isinstance(value, datetime.datetime | datetime.date):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return str(value)
    return value


class Outcome(models.TextChoices):
    PRESUMED_VICTIM = "presumed_victim", _("Presumed victim (reasonable grounds)")
    NOT_A_VICTIM = "not_a_victim", _("Not a victim")


class IdentificationOutcome(models.TextChoices):
    IDENTIFIED = "identified", _("Identified as a victim")
    NOT_IDENTIFIED = "not_identified", _("Not identified as a victim")


class RiskLevel(models.TextChoices):
    LOW = "low", _("Low")
    MEDIUM = "medium", _("Medium")
    HIGH = "high", _("High")


class Choice(models.TextChoices):
    RETURN = "return", _("Return to the country of origin")
    RESIDENCE = "residence", _("Residence permit in the destination country")
    ASYLUM = "asylum", _("Asylum in the destination country")
    THIRD_COUNTRY = "third_country", _("A third country")
    UNDECIDED = "undecided", _("Not decided yet")


class ReturnDecision(models.TextChoices):
    GO = "go", _("Go")
    NO_GO = "no_go", _("No go")
    POSTPONE = "postpone", _("Postpone")


class FamilyOutcome(models.TextChoices):
    SUITABLE = "suitable", _("The family or caregiver can receive the child")
    NOT_SUITABLE = "not_suitable", _("The family or caregiver cannot receive the child")


class ItemStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    IN_PROGRESS = "in_progress", _("In progress")
    DELIVERED = "delivered", _("Delivered")
    CANCELLED = "cancelled", _("Cancelled")


class AssistanceType(models.TextChoices):
    HOUSING = "housing", _("Housing")
    MEDICAL = "medical", _("Medical")
    PSYCHOSOCIAL = "psychosocial", _("Psychosocial")
    EDUCATION = "education", _("Education")
    VOCATIONAL_TRAINING = "vocational_training", _("Vocational training")
    JOB_PLACEMENT = "job_placement", _("Job placement")
    INCOME_GENERATION = "income_generation", _("Income-generating activity")
    LEGAL = "legal", _("Legal")
    DOCUMENTS = "documents", _("Documents")
    FAMILY_SUPPORT = "family_support", _("Family support")
    ALLOWANCE = "allowance", _("Cash or in-kind allowance")


class WitnessStatus(models.TextChoices):
    NONE = "none", _("Not involved in proceedings")
    WITNESS = "witness", _("Witness")
    INJURED_PARTY = "injured_party", _("Injured party")
    BOTH = "both", _("Witness and injured party")


class CompensationRoute(models.TextChoices):
    CRIMINAL = "criminal", _("In the criminal case")
    CIVIL = "civil", _("Civil action")
    STATE = "state", _("State compensation")


class ClaimStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    FILED = "filed", _("Filed")
    GRANTED = "granted", _("Granted")
    REFUSED = "refused", _("Refused")
    PAID = "paid", _("Paid")


# The sustainability survey: IOM's approach, five indicators in each of three dimensions,
# each answered 0 (worst) to 4 (best). Weights and the threshold are country configuration.
DIMENSIONS = {
    "economic": [
        ("economic_income", _("Has a regular income or livelihood")),
        ("economic_work", _("Works or is in training")),
        ("economic_debt", _("Can manage debts")),
        ("economic_food", _("Has enough food")),
        ("economic_assets", _("Has access to savings, land or assets")),
    ],
    "social": [
        ("social_housing", _("Has adequate housing")),
        ("social_documents", _("Has identity documents")),
        ("social_health", _("Has access to health care")),
        ("social_education", _("Has access to education for self or children")),
        ("social_justice", _("Has access to justice and legal aid")),
    ],
    "psychosocial": [
        ("psychosocial_network", _("Has a support network")),
        ("psychosocial_belonging", _("Feels part of the community")),
        ("psychosocial_safety", _("Feels safe")),
        ("psychosocial_wellbeing", _("Feels well, without signs of distress")),
        ("psychosocial_stay", _("Wishes to stay rather than migrate again")),
    ],
}

ANY_OPEN = tuple(stage for stage in Stage if stage != Stage.CLOSED)
AFTER_RETURN = (Stage.TRAVEL, Stage.REINTEGRATION, Stage.MONITORING)

KINDS = [
    RecordKind(
        "screening",
        _("Screening"),
        (Stage.IDENTIFICATION,),
        (
            Field("signal", _("How the case came to light"), "choice", Signal, required=True),
            Field("indicators", _("Indicators observed"), "multi", Indicator),
            Field("exploitation", _("Forms of exploitation"), "multi", Exploitation),
            Field("means_of_control", _("Means of control"), "multi", MeansOfControl),
            Field("recruitment", _("Recruitment"), "choice", Recruitment),
            Field("route", _("Route"), "longtext"),
            Field("outcome", _("Outcome"), "choice", Outcome, required=True),
            Field("notes", _("Notes"), "longtext"),
        ),
        category=DataCategory.EXPLOITATION,
    ),
    RecordKind(
        "guardian",
        _("Guardian"),
        ANY_OPEN,
        (
            Field("guardian", _("Guardian (name or service)"), "text", required=True),
            Field("appointed_on", _("Appointed on"), "date", required=True),
            Field("contact", _("Guardian's contact"), "text", category=DataCategory.CONTACT),
        ),
        category=DataCategory.FAMILY,
        children_only=True,
    ),
    RecordKind(
        "identification_decision",
        _("Formal identification"),
        ANY_OPEN,
        (
            Field("outcome", _("Decision"), "choice", IdentificationOutcome, required=True),
            Field("decided_on", _("Date of the decision"), "date", required=True),
            Field("authority", _("Authority"), "text", required=True),
            Field("reference", _("Reference of the decision"), "text"),
        ),
        category=DataCategory.EXPLOITATION,
    ),
    RecordKind(
        "reflection_period",
        _("Reflection and recovery period"),
        (Stage.FIRST_ASSISTANCE, Stage.OPTIONS_COUNSELLING),
        (Field("starts_on", _("Starts on"), "date", required=True),),
        extra={"length_from_country": True},
    ),
    RecordKind(
        "immediate_assessment",
        _("Immediate risk and needs assessment"),
        (Stage.FIRST_ASSISTANCE,),
        (
            Field("urgent_medical", _("Needs urgent medical care"), "bool"),
            Field(
                "danger_of_violence",
                _("In danger of violence"),
                "bool",
                category=DataCategory.RISK_TO_LIFE,
            ),
            Field(
                "risk_of_re_trafficking",
                _("Risk of re-trafficking"),
                "choice",
                RiskLevel,
                required=True,
                category=DataCategory.RISK_TO_LIFE,
            ),  # fmt: skip
            Field("risk_to_life", _("Risk to life"), "bool", category=DataCategory.RISK_TO_LIFE),
            Field("needs", _("Needs"), "longtext", required=True),
        ),
        category=DataCategory.HEALTH,
    ),
    RecordKind(
        "support_plan",
        _("Individual support and safety plan"),
        ANY_OPEN,
        (
            Field("needs", _("Needs"), "longtext", required=True),
            Field("actions", _("Actions"), "longtext", required=True),
            Field("organisations", _("Organisations involved"), "text"),
            Field("review_on", _("Review on"), "date"),
        ),
        repeatable=True,
    ),
    RecordKind(
        "service",
        _("Service delivered"),
        ANY_OPEN,
        (
            Field("service", _("Service"), "choice", ServiceKind, required=True),
            Field("delivered_on", _("Delivered on"), "date", required=True),
            Field("provider", _("Provider"), "text"),
            Field("notes", _("Notes"), "longtext"),
        ),
        side=Side.EITHER,
        repeatable=True,
    ),
    RecordKind(
        "counselling",
        _("Options counselling"),
        (Stage.OPTIONS_COUNSELLING,),
        (
            Field("choice", _("The person's choice"), "choice", Choice, required=True),
            Field("asylum_seeker", _("The person seeks asylum"), "bool"),
            Field("language", _("Language used"), "language", required=True),
            Field("interpreter", _("An interpreter was present"), "bool"),
            Field(
                "childs_views",
                _("The child's views"),
                "longtext",
                for_a_child=_("Record the child's own views on the options."),
            ),
            Field("notes", _("Notes"), "longtext"),
        ),
    ),
    RecordKind(
        "risk_assessment",
        _("Joint risk assessment of the return"),
        (Stage.PRE_RETURN_ASSESSMENT, Stage.REFERRAL, Stage.RETURN_PREPARATION),
        (
            Field("risk_level", _("Risk level"), "choice", RiskLevel, required=True),
            Field(
                "risk_from_traffickers",
                _("Risk from the traffickers"),
                "longtext",
                category=DataCategory.TRAFFICKERS,
            ),
            Field(
                "risk_from_family",
                _("Risk from the family"),
                "longtext",
                category=DataCategory.FAMILY,
            ),
            Field(
                "risk_in_community",
                _("Risk in the home community"),
                "longtext",
                category=DataCategory.ASSISTANCE,
            ),
            Field(
                "needs_on_arrival",
                _("First needs on arrival"),
                "longtext",
                category=DataCategory.ASSISTANCE,
            ),
            Field("escort_needed", _("An escort is needed"), "bool"),
            Field("risk_to_life", _("Risk to life"), "bool"),
        ),
        category=DataCategory.RISK_TO_LIFE,
        side=Side.EITHER,
        repeatable=True,
    ),
    RecordKind(
        "return_decision",
        _("Return decision"),
        (Stage.PRE_RETURN_ASSESSMENT, Stage.RETURN_PREPARATION),
        (
            Field("decision", _("Decision"), "choice", ReturnDecision, required=True),
            Field("reason", _("Reason"), "longtext"),
        ),
    ),
    RecordKind(
        "best_interests_assessment",
        _("Best-interests assessment"),
        (Stage.OPTIONS_COUNSELLING, Stage.PRE_RETURN_ASSESSMENT),
        (
            Field("assessment", _("Assessment"), "longtext", required=True),
            Field("childs_views", _("The child's views"), "longtext", required=True),
        ),
        category=DataCategory.FAMILY,
        children_only=True,
    ),
    RecordKind(
        "best_interests_determination",
        _("Best-interests determination"),
        (Stage.PRE_RETURN_ASSESSMENT,),
        (
            Field(
                "return_in_best_interests",
                _("Return is in the child's best interests"),
                "bool",
                required=True,
            ),  # fmt: skip
            Field("reasoning", _("Reasoning"), "longtext", required=True),
            Field("childs_views", _("The child's views"), "longtext", required=True),
        ),
        category=DataCategory.FAMILY,
        children_only=True,
        needs_approval=True,
    ),
    RecordKind(
        "family_assessment",
        _("Family or caregiver assessment"),
        (Stage.PRE_RETURN_ASSESSMENT, Stage.REFERRAL, Stage.RETURN_PREPARATION),
        (
            Field("outcome", _("Outcome"), "choice", FamilyOutcome, required=True),
            Field("caregiver", _("Caregiver"), "text", required=True),
            Field("relationship", _("Relationship to the child"), "text"),
            Field("assessment", _("Assessment"), "longtext", required=True),
        ),
        category=DataCategory.FAMILY,
        side=Side.RECEIVING,
        children_only=True,
    ),
    RecordKind(
        "return_preparation",
        _("Return preparation"),
        (Stage.RETURN_PREPARATION,),
        (
            Field(
                "travel_documents_ready",
                _("Travel documents are ready"),
                "bool",
                category=DataCategory.DOCUMENTS,
            ),
            Field(
                "consular_verification",
                _("Verified by the consulate"),
                "bool",
                category=DataCategory.DOCUMENTS,
            ),
            Field("departure_on", _("Planned departure"), "date", required=True),
            Field(
                "itinerary",
                _("Itinerary"),
                "longtext",
                required=True,
                category=DataCategory.LOCATION,
            ),
            Field("escort_arranged", _("An escort is arranged"), "bool"),
            Field("escort", _("Escort"), "text"),
        ),
    ),
    RecordKind(
        "reception_arrangements",
        _("Reception arrangements"),
        (Stage.REFERRAL, Stage.RETURN_PREPARATION),
        (
            Field("confirmed", _("Reception is arranged"), "bool", required=True),
            Field("met_by", _("Who will meet the person"), "text", required=True),
            Field("place", _("Where"), "text", required=True),
            Field("meeting_at", _("When"), "datetime"),
        ),
        side=Side.RECEIVING,
    ),
    RecordKind(
        "departure",
        _("Departure"),
        (Stage.RETURN_PREPARATION,),
        (Field("departed_at", _("Departed at"), "datetime", required=True, past=True),),
        extra={"by_transition": True},
    ),
    RecordKind(
        "reception",
        _("Reception confirmed"),
        (Stage.TRAVEL,),
        (
            Field(
                "received_at",
                _("Received at"),
                "datetime",
                required=True,
                past=True,
                after=("departure", "departed_at"),
            ),
            Field("met_by", _("Met by"), "text", required=True),
            Field("place", _("Place"), "text", required=True),
            Field(
                "caregiver",
                _("Caregiver or body who took responsibility"),
                "text",
                category=DataCategory.FAMILY,
                for_a_child=_("Name the caregiver or body who took responsibility for the child."),
            ),
        ),
        side=Side.RECEIVING,
        extra={"by_transition": True},
    ),
    RecordKind(
        # A child is received whether or not the receiving organisation may still say so: when
        # the person withdrew their consent to the referral after the departure, the sending
        # side records the confirmation it obtained from the authorities (domain.md §5).
        "reception_reported",
        _("Reception confirmed through the authorities"),
        (Stage.TRAVEL,),
        (
            Field(
                "received_at",
                _("Received at"),
                "datetime",
                required=True,
                past=True,
                after=("departure", "departed_at"),
            ),
            Field(
                "confirmed_by",
                _("Who confirmed it (authority and person)"),
                "text",
                required=True,
                help_text=_(
                    "Only when no referral of the case is accepted any more (the person "
                    "withdrew their consent): otherwise the receiving organisation confirms the "
                    "reception."
                ),
            ),
            Field(
                "caregiver",
                _("Caregiver or body who took responsibility"),
                "text",
                required=True,
                category=DataCategory.FAMILY,
            ),
        ),
        children_only=True,
    ),
    RecordKind(
        "reintegration_plan",
        _("Reintegration plan"),
        (Stage.REINTEGRATION, Stage.MONITORING),
        (
            Field(
                "agreed_on",
                _("Agreed with the person on"),
                "date",
                required=True,
                past=True,
                after=("reception", "received_at"),
            ),
            Field("goals", _("Goals"), "longtext", required=True),
            Field(
                "child_protection_lead",
                _("Led by child protection"),
                "bool",
                for_a_child=_("A child's reintegration is led by child protection."),
            ),
        ),
        side=Side.RECEIVING,
    ),
    RecordKind(
        "assistance_item",
        _("Assistance item"),
        (Stage.REINTEGRATION, Stage.MONITORING),
        (
            Field("type", _("Type"), "choice", AssistanceType, required=True),
            Field("provider", _("Provider"), "text", required=True),
            Field("budget", _("Budget (EUR)"), "decimal"),
            Field("starts_on", _("Starts on"), "date"),
            Field("ends_on", _("Ends on"), "date"),
            Field("status", _("Status"), "choice", ItemStatus, required=True),
        ),
        side=Side.RECEIVING,
        repeatable=True,
    ),
    RecordKind(
        "monitoring_contact",
        _("Monitoring contact"),
        (Stage.MONITORING,),
        (
            Field(
                "contacted_on",
                _("Contacted on"),
                "date",
                required=True,
                past=True,
                after=("reception", "received_at"),
            ),
            Field("situation", _("The person's situation"), "longtext", required=True),
            *[
                Field(code, label, "score", required=True)
                for questions in DIMENSIONS.values()
                for code, label in questions
            ],
        ),
        side=Side.RECEIVING,
        repeatable=True,
    ),
    RecordKind(
        "proceedings",
        _("Criminal and civil proceedings"),
        ANY_OPEN,
        (
            Field("status", _("The person's status"), "choice", WitnessStatus, required=True),
            Field("next_hearing_on", _("Next hearing"), "date"),
            Field("hearing_from_abroad", _("The hearing needs participation from abroad"), "bool"),
            Field("legal_representative", _("Legal representative"), "text"),
            Field("compensation_route", _("Compensation claim"), "choice", CompensationRoute),
            Field("claim_status", _("Status of the claim"), "choice", ClaimStatus),
            Field("claim_amount", _("Amount claimed (EUR)"), "decimal"),
            Field("notes", _("Notes"), "longtext"),
        ),
        category=DataCategory.EXPLOITATION,
        side=Side.EITHER,
        repeatable=True,
    ),
]

RECORD_KINDS = {kind.code: kind for kind in KINDS}
