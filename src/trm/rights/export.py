"""Subject access: everything this node holds about a person, for the person to read.

It holds the person's data and what was done with it (cases, what was recorded in them, consent,
who was given access, the audit events about their cases), but no other person's data: no staff
names, no usernames. Each case's content is read through the reader's view (`access.view`), as
every page is: what the data protection officer's access covers, and nothing else.
"""

from django.conf import settings
from django.utils import timezone

from trm.access.models import BreakGlass, Grant
from trm.access.policy import Action, access_to
from trm.access.view import case_view
from trm.audit.log import record
from trm.audit.models import AuditEvent
from trm.audit.reasons import ShownReason, shown_reasons
from trm.cases.models import Case, NameIndex, Person
from trm.consent.models import ConsentRecord
from trm.crypto.envelope import DataKeyDestroyed
from trm.lib.errors import CASE_NOT_FOUND, NotAllowed
from trm.lib.steps import step

FORMAT = "trm-subject-access/1"
PERSON_FIELDS = tuple(Person.CATEGORY_OF_FIELD)
HISTORY_CHANGES = {"+": "created", "~": "changed", "-": "deleted"}


def readable(instance, name: str):
    """The decrypted value, or None when the person was erased (their key is gone)."""
    try:
        return getattr(instance, name)
    except DataKeyDestroyed:
        return None


def _organisation(organisation) -> dict | None:
    if organisation is None:
        return None
    return {"id": organisation.pk, "name": organisation.name, "country": organisation.country.code}


def _person(person: Person) -> dict:
    return {
        "id": person.pk,
        "created_at": person.created_at,
        "erased_at": person.erased_at,
        **{name: readable(person, name) for name in PERSON_FIELDS},
    }


def _history(person: Person) -> list[dict]:
    return [
        {
            "recorded_at": version.history_date,
            "change": HISTORY_CHANGES.get(version.history_type, version.history_type),
            **{name: readable(version, name) for name in PERSON_FIELDS},
        }
        for version in person.history.select_related("data_key").order_by("history_date")
    ]


def _case(case: Case) -> dict:
    return {
        "id": case.pk,
        "reference": case.reference,
        "owner": _organisation(case.owner),
        "is_child": case.is_child,
        "opened_at": case.opened_at,
        "closed_at": case.closed_at,
    }


def _written(view, case: Case) -> dict:
    """What was recorded in the case, as the reader's view shows it."""
    return {
        "case": case.reference,
        "records": [
            {
                "kind": shown.kind,
                "stage": shown.stage,
                "organisation": shown.organisation,
                "recorded_at": shown.recorded_at,
                "corrects": shown.supersedes,
                "fields": {field.name: field.value for field in shown.fields},
            }
            for shown in view.records
        ],
        "notes": [
            {
                "written_at": note.written_at,
                "organisation": note.organisation.name,
                "text": readable(note, "text"),
            }
            for note in _of_case(view.notes, case)
        ],
        "documents": [
            {
                "uploaded_at": document.uploaded_at,
                "organisation": document.organisation.name,
                "file_name": readable(document, "filename"),
                "type": document.content_type,
            }
            for document in _of_case(view.attachments, case)
        ],
        "referrals": [
            {
                "to": _organisation(referral.receiver),
                "state": referral.state,
                "sent_at": referral.sent_at,
                "categories": list(referral.categories),
            }
            for referral in view.referrals.select_related("receiver__country")
        ],
    }


def _of_case(rows, case):
    for row in rows:
        row.case = case  # its person's key, read with the case, decrypts the text
        yield row


def _consent(consent: ConsentRecord) -> dict:
    return {
        "id": consent.pk,
        "case": consent.case.reference,
        "given": consent.given,
        "withdraws": consent.withdraws_id,
        "purpose": consent.purpose,
        "categories": list(consent.categories),
        "recipient_organisation": _organisation(consent.recipient_organisation),
        "recipient_country": consent.recipient_country.code if consent.recipient_country else None,
        "language": consent.language,
        "interpreter_present": consent.interpreter_present,
        "recorded_at": consent.recorded_at,
        "expires_at": consent.expires_at,
        "guardian_consent": consent.guardian_consent,
        "child_views": readable(consent, "child_views"),
        "reason": readable(consent, "reason"),
    }


def _grant(grant: Grant) -> dict:
    return {
        "case": grant.case.reference,
        # A grant to one user is reported by its kind only: staff names are not the person's.
        "organisation": _organisation(grant.organisation),
        "to_a_single_user": grant.user_id is not None,
        "categories": list(grant.categories),
        "source": grant.source,
        "granted_at": grant.granted_at,
        "expires_at": grant.expires_at,
        "revoked_at": grant.revoked_at,
    }


def _emergency_access(emergency: BreakGlass) -> dict:
    return {
        "case": emergency.case.reference,
        "started_at": emergency.started_at,
        "expires_at": emergency.expires_at,
        "reason": readable(emergency, "reason"),
    }


def _audit_event(event: AuditEvent, references: dict, reason: ShownReason | None) -> dict:
    return {
        "case": references[event.object_id],
        "action": event.action,
        "occurred_at": event.occurred_at,
        "organisation": event.organisation.name if event.organisation else None,
        # The reason someone typed, if it can still be read (not after the person's erasure).
        "had_reason": reason is not None,
        "reason": reason.text if reason is not None and reason.problem is None else None,
    }


@step
def export_person(actor, case) -> dict:
    """Everything held about the person of `case`, for their data protection officer; audited.

    Other cases of the person count only where the actor may export them too.
    """
    case = Case.objects.select_related("person__data_key", "owner").filter(pk=case.pk).first()
    if case is None or not access_to(actor, case).allows(Action.EXPORT):
        raise NotAllowed(CASE_NOT_FOUND)
    person = case.person
    readers = [
        (other, access_to(actor, other))
        for other in person.cases.select_related("owner__country", "person__data_key")
        .order_by("opened_at")
    ]  # fmt: skip
    readers = [(other, access) for other, access in readers if access.allows(Action.EXPORT)]
    cases = [other for other, _access in readers]
    case_ids = [other.pk for other in cases]
    references = {str(other.pk): other.reference for other in cases}
    consents = (
        ConsentRecord.objects.filter(person=person, case_id__in=case_ids)
        .select_related(
            "case", "person__data_key", "recipient_organisation__country", "recipient_country"
        )
        .order_by("recorded_at")
    )
    grants = (
        Grant.objects.filter(case_id__in=case_ids)
        .select_related("case", "organisation__country")
        .order_by("granted_at")
    )
    emergencies = (
        BreakGlass.objects.filter(case_id__in=case_ids)
        .select_related("case__person__data_key")
        .order_by("started_at")
    )
    events = list(
        AuditEvent.objects.filter(object_type="cases.case", object_id__in=list(references))
        .select_related("organisation")
        .order_by("sequence")
    )
    reasons = shown_reasons(events)
    export = {
        "format": FORMAT,
        "node": settings.NODE_NAME,
        "exported_at": timezone.now(),
        "person": _person(person),
        "person_history": _history(person),
        "cases": [_case(other) for other in cases],
        "recorded": [_written(case_view(other, access), other) for other, access in readers],
        "consents": [_consent(consent) for consent in consents],
        "access_given": [_grant(grant) for grant in grants],
        "emergency_access": [_emergency_access(emergency) for emergency in emergencies],
        "name_index_entries": NameIndex.objects.filter(person=person).count(),
        "audit_events": [
            _audit_event(event, references, reasons.get(event.sequence)) for event in events
        ],
    }
    record(
        "trm.person.exported",
        actor=actor,
        organisation=case.owner,
        target=case,
        details={"person": str(person.pk), "cases": [str(pk) for pk in case_ids]},
    )
    return export
