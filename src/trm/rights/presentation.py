"""The subject access export in words the person can read: translated labels, not codes."""

import json

from django.utils.translation import get_language_info
from django.utils.translation import gettext_lazy as _

from trm.access.categories import DataCategory
from trm.access.models import Grant
from trm.audit.actions import sentence
from trm.cases.models import Person, Sex
from trm.cases.record_kinds import RECORD_KINDS
from trm.cases.values import record_in_words
from trm.consent.models import Purpose

from .export import PERSON_FIELDS

CHANGES = {"created": _("Recorded"), "changed": _("Corrected"), "deleted": _("Deleted")}
ERASED = _("Erased")


def _label(choices, value) -> str:
    try:
        return str(choices(value).label)
    except ValueError:
        return value


def categories(values) -> list[str]:
    return [_label(DataCategory, value) for value in values]


def language_name(code: str) -> str:
    try:
        return str(get_language_info(code)["name_translated"])
    except KeyError:
        return code


def _person_value(name: str, value, erased: bool):
    if erased:
        return ERASED
    if name == "sex":
        return _label(Sex, value)
    if name == "contacts":
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    return value


def person_rows(values: dict, erased: bool) -> list[tuple[str, object]]:
    return [
        (Person._meta.get_field(name).verbose_name, _person_value(name, values[name], erased))
        for name in PERSON_FIELDS
    ]


def printable(export: dict) -> dict:
    """The export arranged for the printable page."""
    erased = export["person"]["erased_at"] is not None
    consents = [
        {
            **consent,
            "purpose": _label(Purpose, consent["purpose"]),
            "categories": categories(consent["categories"]),
            "language": language_name(consent["language"]),
            "child_views": consent["child_views"] or (ERASED if erased else None),
            "reason": consent["reason"] or (ERASED if erased else None),
        }
        for consent in export["consents"]
    ]
    access_given = [
        {
            **grant,
            "categories": categories(grant["categories"]),
            "source": _label(Grant.Source, grant["source"]),
        }
        for grant in export["access_given"]
    ]
    emergency_access = [
        {**emergency, "reason": emergency["reason"] or (ERASED if erased else None)}
        for emergency in export["emergency_access"]
    ]
    history = [
        {
            "recorded_at": version["recorded_at"],
            "change": CHANGES.get(version["change"], version["change"]),
            "rows": person_rows(version, erased),
        }
        for version in export["person_history"]
    ]
    events = [
        {
            **event,
            "action": sentence(event["action"]),
            "reason": event["reason"] or (ERASED if event["had_reason"] else None),
        }
        for event in export["audit_events"]
    ]
    recorded = [
        {
            **written,
            "records": [
                {
                    **shown,
                    "label": RECORD_KINDS[shown["kind"]].label,
                    "rows": record_in_words(shown["kind"], shown["fields"]),
                }
                for shown in written["records"]
            ],
        }
        for written in export["recorded"]
    ]
    return {
        "export": export,
        "recorded": recorded,
        "erased": erased,
        "person_rows": person_rows(export["person"], erased),
        "history": history,
        "consents": consents,
        "access_given": access_given,
        "emergency_access": emergency_access,
        "events": events,
    }
