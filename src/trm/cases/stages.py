"""The stages of a case (domain.md §4) and the code lists its records use.

Code lists follow the Human Trafficking Case Data Standard 2.0 (HTCDS) where it has them; the
HTCDS value name is kept beside each code so exports can map them. trm adds what the standard
lacks: forced criminality, domestic servitude, restricted movement.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Stage(models.TextChoices):
    IDENTIFICATION = "identification", _("Identification")
    FIRST_ASSISTANCE = "first_assistance", _("First assistance and protection")
    OPTIONS_COUNSELLING = "options_counselling", _("Options counselling")
    LONG_TERM_ASSISTANCE = "long_term_assistance", _("Assistance in the destination country")
    PRE_RETURN_ASSESSMENT = "pre_return_assessment", _("Pre-return assessment")
    REFERRAL = "referral", _("Transnational referral")
    RETURN_PREPARATION = "return_preparation", _("Return preparation")
    TRAVEL = "travel", _("Travel and reception")
    REINTEGRATION = "reintegration", _("Reintegration")
    MONITORING = "monitoring", _("Monitoring")
    CLOSED = "closed", _("Closed")


# The return stages, in order: what the journey home looks like.
RETURN_STAGES = [
    Stage.PRE_RETURN_ASSESSMENT,
    Stage.REFERRAL,
    Stage.RETURN_PREPARATION,
    Stage.TRAVEL,
    Stage.REINTEGRATION,
    Stage.MONITORING,
]
OPEN_STAGES = [stage for stage in Stage if stage != Stage.CLOSED]


class Indicator(models.TextChoices):
    RESTRICTED_MOVEMENT = "restricted_movement", _("Restricted movement")
    CONTROL = "control", _("Control by others")
    DEBT_BONDAGE = "debt_bondage", _("Debt bondage")
    WITHHELD_DOCUMENTS = "withheld_documents", _("Documents withheld")
    WITHHELD_PAY = "withheld_pay", _("Pay withheld")
    ABUSE_OR_THREATS = "abuse_or_threats", _("Abuse or threats")
    WORKING_CONDITIONS = "working_conditions", _("Abusive working conditions")
    LIVING_CONDITIONS = "living_conditions", _("Abusive living conditions")


class Exploitation(models.TextChoices):
    """HTCDS vic_TypeOfExploitation, plus forced criminality and domestic servitude."""

    SEXUAL = "sexual", _("Sexual exploitation")  # SexualExploitation
    FORCED_LABOUR = "forced_labour", _("Forced labour")  # ForcedLabour
    FORCED_CRIMINALITY = "forced_criminality", _("Forced criminality")  # not in HTCDS
    FORCED_BEGGING = "forced_begging", _("Forced begging")  # ForcedBegging
    DOMESTIC_SERVITUDE = "domestic_servitude", _("Domestic servitude")  # Servitude
    FORCED_MARRIAGE = "forced_marriage", _("Forced marriage")  # ForcedMarriage
    ORGAN_REMOVAL = "organ_removal", _("Organ removal")  # OrganRemoval
    CHILD_LABOUR = "child_labour", _("Child labour")  # ChildLabour
    OTHER = "other", _("Other exploitation")  # Other


HTCDS_EXPLOITATION = {
    Exploitation.SEXUAL: "SexualExploitation",
    Exploitation.FORCED_LABOUR: "ForcedLabour",
    Exploitation.FORCED_BEGGING: "ForcedBegging",
    Exploitation.DOMESTIC_SERVITUDE: "Servitude",
    Exploitation.FORCED_MARRIAGE: "ForcedMarriage",
    Exploitation.ORGAN_REMOVAL: "OrganRemoval",
    Exploitation.CHILD_LABOUR: "ChildLabour",
    Exploitation.OTHER: "Other",
    Exploitation.FORCED_CRIMINALITY: "Other",
}


class MeansOfControl(models.TextChoices):
    """HTCDS vic_MethodsOfControl, plus restricted movement."""

    PHYSICAL_THREATS = "physical_threats", _("Threats of violence")
    THREATS_LAW_ENFORCEMENT = "threats_law_enforcement", _("Threats of the police or deportation")
    THREATENS_FAMILY = "threatens_family", _("Threats against children or family")
    DEBT_BONDAGE = "debt_bondage", _("Debt bondage")
    FALSE_PROMISES = "false_promises", _("False promises")
    PHYSICAL_ABUSE = "physical_abuse", _("Physical abuse")
    SEXUAL_ABUSE = "sexual_abuse", _("Sexual abuse")
    TAKES_EARNINGS = "takes_earnings", _("Takes earnings")
    RESTRICTS_FINANCIAL_ACCESS = "restricts_financial_access", _("Restricts access to money")
    RESTRICTS_MEDICAL_CARE = "restricts_medical_care", _("Restricts medical care")
    WITHHOLDS_NECESSITIES = "withholds_necessities", _("Withholds necessities")
    PSYCHOLOGICAL_ABUSE = "psychological_abuse", _("Psychological abuse")
    PSYCHOACTIVE_SUBSTANCE = "psychoactive_substance", _("Forced use of drugs or alcohol")
    EXCESSIVE_WORKING_HOURS = "excessive_working_hours", _("Excessive working hours")
    WITHHOLDS_DOCUMENTS = "withholds_documents", _("Withholds documents")
    RESTRICTS_MOVEMENT = "restricts_movement", _("Restricts movement")  # not in HTCDS
    OTHER = "other", _("Other means of control")


class Recruitment(models.TextChoices):
    """HTCDS vic_MethodOfRecruitment."""

    PLACE_OF_BUSINESS = "place_of_business", _("At a place of business")
    EDUCATIONAL_INSTITUTION = "educational_institution", _("At an educational institution")
    AT_WORK = "at_work", _("At work")
    ONLINE_SOCIAL_NETWORK = "online_social_network", _("Through online social networks")
    ONLINE_ADVERTISEMENT = "online_advertisement", _("Through an online advertisement")
    MEDIA_ADVERTISEMENT = "media_advertisement", _("Through a television or newspaper advert")
    FAMILY = "family", _("Through family")
    FRIENDS = "friends", _("Through friends or social events")
    OTHER = "other", _("Other recruitment")


class Signal(models.TextChoices):
    POLICE = "police", _("Police")
    LABOUR_INSPECTION = "labour_inspection", _("Labour inspection")
    NGO_OUTREACH = "ngo_outreach", _("NGO outreach")
    HOTLINE = "hotline", _("Hotline")
    SELF_REPORT = "self_report", _("Self-report")
    FOREIGN_AUTHORITY = "foreign_authority", _("A foreign authority")
    OTHER = "other", _("Other signal")


class ClosureReason(models.TextChoices):
    COMPLETED = "completed", _("Plan completed and monitoring period over")
    CONSENT_WITHDRAWN = "consent_withdrawn", _("The person withdrew consent")
    DECLINED_ASSISTANCE = "declined_assistance", _("The person declined assistance")
    LOST_CONTACT = "lost_contact", _("Contact lost")
    MOVED_AGAIN = "moved_again", _("The person moved again")
    RE_TRAFFICKED = "re_trafficked", _("Re-trafficked (re-referred)")
    TRANSFERRED = "transferred", _("Transferred to another service")
    DECEASED = "deceased", _("Deceased")
    NOT_A_VICTIM = "not_a_victim", _("Not a victim of trafficking")
