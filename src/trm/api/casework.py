"""Case work beside the journey: notes, the person's consent, and reassignment. The same
actions as the case and consent pages, the same reads (and audit events), the same refusals."""

import datetime
import uuid
from typing import Annotated, Literal

from django.contrib.auth import get_user_model
from django.http import HttpResponse
from django.utils.translation import gettext_lazy as _
from ninja import Query, Router, Schema, Status
from pydantic import Field

from trm.access.categories import DataCategory
from trm.access.policy import Action
from trm.access.reads import read_case
from trm.access.view import case_view
from trm.cases.actions import casework
from trm.cases.age import is_child_on
from trm.cases.models import Case, Note
from trm.consent import actions as consent_actions
from trm.consent.forms import ConsentForm, WithdrawForm
from trm.consent.models import ConsentRecord, Purpose
from trm.consent.state import ids_in_force
from trm.crypto.envelope import DecryptionError
from trm.lib import limits
from trm.lib.errors import DomainError, NotAllowed
from trm.lib.languages import SPOKEN_LANGUAGES

from .auth import caller, needs
from .cases import CaseState, state_of
from .lookup import NOT_FOUND, visible_case
from .models import Scope
from .referrals import OrganisationRef
from .schemas import (
    Date,
    DirectoryId,
    IfMatch,
    In,
    Limit,
    Offset,
    Page,
    Version,
    codes,
    etag,
    page_of,
    responses,
    text,
    version_wanted,
)

router = Router(tags=["notes, consent and assignment"])

# The consent action's own words for a consent that is not the person's.
CONSENT_NOT_FOUND = _("This consent does not exist or you may not see it.")
# The assignment action's own words: an unknown user is refused like one of another
# organisation, so the answer does not tell which user names exist.
Language = Literal[tuple(SPOKEN_LANGUAGES)]
UserId = Annotated[int, Field(ge=1, le=2**53)]


class NoteOut(Schema):
    id: uuid.UUID
    text: str | None = Field(description="None once the person's data was erased.")
    organisation: str
    written_by: str
    written_at: datetime.datetime


NoteText = text(limits.NOTE)  # a name of its own: the field below is called `text` too


class NoteIn(In):
    text: NoteText = Field(description="The note; refused if empty.")


class PageFilters(Schema):
    limit: Limit = 50
    offset: Offset = 0


class ConsentOut(Schema):
    """One consent record as the consent page shows it; a withdrawal is a record too."""

    id: uuid.UUID
    given: bool = Field(description="True for a consent, false for a withdrawal.")
    status: Literal["in_force", "ended", "withdrawal"] = Field(
        description="A consent in force, one withdrawn or expired, or a withdrawal."
    )
    withdraws: uuid.UUID | None = Field(description="For a withdrawal: the consent it ends.")
    withdrawn_by: uuid.UUID | None = Field(description="The withdrawal of this consent, if any.")
    purpose: codes(Purpose)
    purpose_label: str
    categories: list[codes(DataCategory)]
    recipient_organisation: OrganisationRef | None
    recipient_country: str | None
    language: str
    interpreter_present: bool
    guardian_consent: bool | None = Field(description="For a child: the guardian consents.")
    recorded_by: str
    recorded_at: datetime.datetime
    expires_at: datetime.datetime | None


class ConsentIn(In):
    purpose: codes(Purpose)
    categories: list[codes(DataCategory)] = Field(
        max_length=20, description="What the person agrees to share."
    )
    recipient_organisation: DirectoryId | None = Field(
        None, description="The organisation's id in the directory; required for a referral."
    )
    language: Language = Field(description="The language the person was asked in.")
    interpreter_present: bool = False
    expires_on: Date | None = Field(None, description="The consent lasts to the end of this day.")
    guardian_consent: bool | None = Field(None, description="For a child only, and then needed.")
    child_views: text(limits.MESSAGE) = Field("", description="For a child only: their own views.")


class WithdrawIn(In):
    reason: text(limits.REASON) = Field("", description="Why, if the person said.")
    language: Language | None = Field(None, description="By default the consent's language.")
    interpreter_present: bool = False


class AssignmentIn(In):
    case_worker: UserId | text(150, 1) = Field(description="The new case worker: id or username.")
    version: Version | None = Field(None, description="The case's version (or send If-Match).")


class AssignmentOut(CaseState):
    case_worker: str


def _note_out(note: Note, case: Case) -> NoteOut:
    note.case = case  # its person's key, read with the case, decrypts the text
    try:
        shown = None if case.person.erased_at is not None else note.text
    except DecryptionError:
        shown = None
    return NoteOut(
        id=note.pk,
        text=shown,
        organisation=note.organisation.name,
        written_by=note.author.get_username(),
        written_at=note.written_at,
    )


def _status(consent: ConsentRecord, in_force: set) -> str:
    if not consent.given:
        return "withdrawal"
    return "in_force" if consent.pk in in_force else "ended"


def _consent_out(consent: ConsentRecord, in_force: set, withdrawals: dict) -> ConsentOut:
    organisation = consent.recipient_organisation
    return ConsentOut(
        id=consent.pk,
        given=consent.given,
        status=_status(consent, in_force),
        withdraws=consent.withdraws_id,
        withdrawn_by=withdrawals.get(consent.pk),
        purpose=consent.purpose,
        purpose_label=str(consent.get_purpose_display()),
        categories=list(consent.categories),
        recipient_organisation=OrganisationRef(
            id=organisation.pk, name=organisation.name, country=organisation.country.code
        )
        if organisation
        else None,
        recipient_country=consent.recipient_country.code if consent.recipient_country else None,
        language=consent.language,
        interpreter_present=consent.interpreter_present,
        guardian_consent=consent.guardian_consent,
        recorded_by=consent.recorded_by.get_username(),
        recorded_at=consent.recorded_at,
        expires_at=consent.expires_at,
    )


def _consents(person):
    return ConsentRecord.objects.filter(person=person).select_related(
        "recipient_organisation__country", "recipient_country", "recorded_by"
    )


def _one_consent_out(consent: ConsentRecord, person) -> ConsentOut:
    consent = _consents(person).get(pk=consent.pk)
    withdrawals = dict(
        ConsentRecord.objects.filter(withdraws=consent).values_list("withdraws_id", "pk")
    )
    return _consent_out(consent, ids_in_force(person), withdrawals)


def _form_errors(form) -> list[str]:
    """The form's errors as the record API gives them: "Label: message"."""
    labels = {name: field.label for name, field in form.fields.items()}
    return [
        f"{labels[name]}: {error}" if name in labels else str(error)
        for name, errors in form.errors.items()
        for error in errors
    ]


@router.get("/{case_id}/notes", response=responses(200, Page[NoteOut]))
@needs(Scope.CASES_READ)
def list_notes(request, case_id: uuid.UUID, filters: Query[PageFilters]):
    """The case's notes the caller's organisation wrote, newest first: free text may hold any
    category of data, so notes are not shared with other organisations (as on the case page).
    The read is audited like the case page's."""
    user = caller(request)
    case, access = read_case(user, case_id)
    notes = case_view(case, access).notes.order_by("-written_at", "pk")
    count, found = page_of(notes, filters.limit, filters.offset)
    return {
        "count": count,
        "limit": filters.limit,
        "offset": filters.offset,
        "items": [_note_out(note, case) for note in found],
    }


@router.post("/{case_id}/notes", response=responses(201, NoteOut))
@needs(Scope.CASES_WRITE)
def add_note(request, case_id: uuid.UUID, payload: NoteIn):
    """Add a note to the case, kept encrypted with the person's data."""
    user = caller(request)
    case, _access = visible_case(user, case_id)
    note = casework.add_note(user, case, payload.text)
    note = Note.objects.select_related("author", "organisation").get(pk=note.pk)
    return Status(201, _note_out(note, case))


@router.get("/{case_id}/consents", response=responses(200, Page[ConsentOut]))
@needs(Scope.CASES_READ)
def list_consents(request, case_id: uuid.UUID, filters: Query[PageFilters]):
    """The person's consent records, newest first, each with its status now. Records are never
    changed: a withdrawal is a record of its own. The read is audited like the consent page's."""
    case, access = read_case(caller(request), case_id, purpose="consent_viewed")
    person = case.person
    count, found = page_of(case_view(case, access).consents.order_by("-recorded_at", "pk"),
                           filters.limit, filters.offset)  # fmt: skip
    withdrawals = dict(
        ConsentRecord.objects.filter(withdraws__in=[c.pk for c in found]).values_list(
            "withdraws_id", "pk"
        )
    )
    in_force = ids_in_force(person)
    return {
        "count": count,
        "limit": filters.limit,
        "offset": filters.offset,
        "items": [_consent_out(consent, in_force, withdrawals) for consent in found],
    }


@router.post("/{case_id}/consents", response=responses(201, ConsentOut))
@needs(Scope.CASES_WRITE)
def record_consent(request, case_id: uuid.UUID, payload: ConsentIn):
    """Record the person's consent for one purpose and some data categories; for a referral,
    to one organisation. For a child, the guardian's consent and the child's views are needed.
    Checked like the consent page's form; refusals say why (422)."""
    user = caller(request)
    case, _access = visible_case(user, case_id)
    form = ConsentForm(
        {
            "purpose": payload.purpose,
            "categories": payload.categories,
            "recipient_organisation": payload.recipient_organisation or "",
            "language": payload.language,
            "interpreter_present": payload.interpreter_present,
            "expires_on": payload.expires_on or "",
            "child_views": payload.child_views,
        },
        is_child=is_child_on(case),
    )
    if not form.is_valid():
        raise DomainError(*_form_errors(form))
    arguments = {
        **form.action_arguments(),
        # As given: the action refuses them for an adult and requires them for a child.
        "guardian_consent": payload.guardian_consent,
        "child_views": payload.child_views,
    }
    consent = consent_actions.record_consent(user, case, **arguments)
    return Status(201, _one_consent_out(consent, case.person))


@router.post("/{case_id}/consents/{consent_id}/withdraw", response=responses(201, ConsentOut))
@needs(Scope.CASES_WRITE)
def withdraw_consent(request, case_id: uuid.UUID, consent_id: uuid.UUID, payload: WithdrawIn):
    """Record that the person withdrew a consent (a new record; the person need not say why).
    A receiving organisation keeps access only to what the remaining consent covers."""
    user = caller(request)
    case, _access = visible_case(user, case_id)
    consent = ConsentRecord.objects.filter(pk=consent_id, person_id=case.person_id).first()
    if consent is None:
        raise NotAllowed(CONSENT_NOT_FOUND)
    form = WithdrawForm({"reason": payload.reason})
    if not form.is_valid():
        raise DomainError(*_form_errors(form))
    withdrawal = consent_actions.withdraw_consent(
        user,
        case,
        consent,
        form.cleaned_data["reason"],
        language=payload.language,
        interpreter_present=payload.interpreter_present,
    )
    return Status(201, _one_consent_out(withdrawal, case.person))


@router.post("/{case_id}/assignment", response=responses(200, AssignmentOut))
@needs(Scope.CASES_WRITE)
def assign_case(
    request,
    case_id: uuid.UUID,
    payload: AssignmentIn,
    response: HttpResponse,
    if_match: IfMatch = None,
):
    """A supervisor of the owning organisation gives the case to another of its case workers.
    Needs the case's version; a stale one answers 409 and changes nothing."""
    user = caller(request)
    case, access = visible_case(user, case_id)
    if not access.allows(Action.ASSIGN):
        # As the page: only who may assign the case finds where to do it.
        raise NotAllowed(NOT_FOUND)
    version = version_wanted(payload.version, if_match, required=True)
    users = get_user_model().objects
    worker = (
        users.filter(pk=payload.case_worker)
        if isinstance(payload.case_worker, int)
        else users.filter(username=payload.case_worker)
    ).first()
    # None: refused by the action, after the version (a stale one answers 409 first).
    assigned = casework.assign_case(user, case, worker, version=version)
    response["ETag"] = etag(assigned.version)
    return AssignmentOut(**state_of(assigned).model_dump(), case_worker=worker.get_username())
