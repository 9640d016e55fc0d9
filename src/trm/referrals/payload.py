"""What a referral carries across the border, and the preview the receiving side sees first.

The payload holds only the data categories the person consented to share with the receiver,
plus risk to life, which is always shared (domain.md §4.5, §6). It is the case as the receiving
organisation will see it (`access.view`): a record is shared field by field, each in its data
category, and a narrative field only when the sender read it and included it.
"""

import datetime
from dataclasses import dataclass, field

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from trm.access.view import case_view, narrative_key, owner_access, package_access
from trm.cases.record_kinds import Side
from trm.cases.workflow import CaseFacts
from trm.crypto.envelope import DecryptionError
from trm.directory.models import ServiceKind


class AgeBand(models.TextChoices):
    UNDER_12 = "0-11", _("under 12")
    FROM_12 = "12-14", _("12 to 14")
    FROM_15 = "15-17", _("15 to 17")
    FROM_18 = "18-24", _("18 to 24")
    FROM_25 = "25-34", _("25 to 34")
    FROM_35 = "35-44", _("35 to 44")
    FROM_45 = "45-59", _("45 to 59")
    FROM_60 = "60+", _("60 or older")


def age_band(birth_date: datetime.date | None, on: datetime.date) -> str | None:
    """The band a person of `birth_date` is in on `on`: coarse enough not to identify them."""
    if birth_date is None:
        return None
    age = on.year - birth_date.year - ((on.month, on.day) < (birth_date.month, birth_date.day))
    for band in reversed(AgeBand):
        if age >= int(band.value.split("-")[0].rstrip("+")):
            return band.value
    return AgeBand.UNDER_12.value


def _jsonable(value):
    return value.isoformat() if isinstance(value, datetime.date) else value


def _risk(facts: CaseFacts) -> dict:
    """Risk to life and its signs, from the first assessment and the sending side's latest."""
    immediate = facts.latest("immediate_assessment")
    assessment = facts.latest("risk_assessment", Side.SENDING)
    first = immediate.facts if immediate else {}
    latest = assessment.facts if assessment else {}
    return {
        "risk_to_life": bool(first.get("risk_to_life") or latest.get("risk_to_life")),
        "risk_level": latest.get("risk_level"),
        "risk_of_re_trafficking": first.get("risk_of_re_trafficking"),
        "danger_of_violence": bool(first.get("danger_of_violence")),
        "escort_needed": facts.escort_needed,
    }


def services_needed(facts: CaseFacts, chosen=()) -> list[str]:
    """The services the sender asks for, with those the case itself calls for."""
    services = set(chosen)
    if facts.child:
        services.add(ServiceKind.CHILD_PROTECTION)
    if facts.escort_needed:
        services.add(ServiceKind.ESCORT)
    if facts.fact("immediate_assessment", "urgent_medical"):
        services.add(ServiceKind.MEDICAL)
    return sorted(str(service) for service in services)


@dataclass(frozen=True)
class Narrative:
    """A narrative field the sender may include in a referral, having read it."""

    key: str  # "record id:field", as the referral and its grant keep it
    record: object  # access.view.RecordShown
    field: object  # access.view.Shown


def narratives(case, categories) -> list[Narrative]:
    """The narrative fields of the sending side's records that `categories` would carry, for
    the sender to read and include one by one (domain.md §6). Nothing for an erased person."""
    if case.person.erased_at is not None:
        return []
    shared = frozenset(categories)
    everything = case_view(case, owner_access())
    return [
        Narrative(narrative_key(record.id, shown.name), record, shown)
        for record in everything.records
        if record.side == Side.SENDING
        for shown in record.fields
        if shown.spec is not None and shown.spec.narrative and shown.category in shared
    ]


def build_payload(
    case, categories, *, message: str = "", services=(), planned_return=None, texts=()
) -> dict:
    """The content of a referral: the case as the receiving organisation will see it on
    acceptance (the shared categories, the narrative `texts` the sender included), its risk,
    its summary."""
    shared = frozenset(categories)
    facts = CaseFacts(case)
    person = case.person
    erased = person.erased_at is not None
    risk = _risk(facts)
    view = case_view(case, package_access(shared, texts))
    records = [
        {
            "id": str(record.id),
            "kind": record.kind,
            "stage": record.stage,
            "recorded_at": record.recorded_at.isoformat(),
            "fields": record.values,
        }
        for record in view.records
        # Only the sending side's own records: another receiver's are not its to pass on.
        if record.side == Side.SENDING and not erased
    ]
    return {
        "categories": sorted(shared),
        "case": {
            "reference": case.reference,
            "child": facts.child,
            "age_uncertain": case.age_uncertain,
        },
        "summary": {
            "child": facts.child,
            "age_band": None if erased else age_band(person.birth_date, timezone.localdate()),
            "sex": person.sex,
            "citizenship": person.citizenship,
            "services": services_needed(facts, services),
            "planned_return_month": planned_return.strftime("%Y-%m") if planned_return else None,
            "risk_level": risk["risk_level"],
            "risk_to_life": risk["risk_to_life"],
            "escort_needed": risk["escort_needed"],
        },
        "person": {
            shown.name: _jsonable(shown.value)
            for shown in view.person
            if shown.value not in (None, "", {}, [])
        },
        "risk": risk,
        "records": records,
        "message": (message or "").strip(),
    }


@dataclass(frozen=True)
class Preview:
    """What the receiving side sees before it accepts: nothing that names the person."""

    child: bool
    age_band: str | None = None
    sex: str | None = None
    citizenship: str | None = None
    services: list = field(default_factory=list)
    planned_return_month: str | None = None
    risk_level: str | None = None
    risk_to_life: bool = False
    escort_needed: bool = False

    @classmethod
    def from_summary(cls, summary: dict) -> "Preview":
        known = set(cls.__dataclass_fields__)
        return cls(**{name: value for name, value in summary.items() if name in known})


def with_sending_message(referrals):
    """`referrals` with the message that sent each, for listing their previews: one query for
    the page, not one a referral. Read the case's person's data key with them
    (`select_related("case__person__data_key")`): the message decrypts with it."""
    from .models import MessageKind, ReferralMessage

    return referrals.prefetch_related(
        models.Prefetch(
            "messages",
            queryset=ReferralMessage.objects.filter(kind=MessageKind.SEND).order_by("sent_at"),
            to_attr="sending_messages",
        )
    )


def preview(referral) -> Preview | None:
    """The minimal, non-identifying preview of `referral`; None if its content is unreadable."""
    if hasattr(referral, "sending_messages"):  # read with_sending_message
        sent = next(iter(referral.sending_messages), None)
    else:
        sent = referral.messages.filter(kind="send").order_by("sent_at").first()
    if sent is None:
        return None
    sent.referral = referral
    try:
        content = sent.payload or {}
    except DecryptionError:  # the person was erased: their key, and so the content, is gone
        return None
    return Preview.from_summary(content.get("summary", {"child": referral.case.treated_as_child}))
