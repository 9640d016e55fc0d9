"""The write path for cases: check permission, write, audit, in one transaction each."""

from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.utils.translation import gettext_lazy as _

from trm.access.categories import DataCategory
from trm.access.policy import (
    OPENING_ROLES,
    Action,
    CaseAccess,
    access_to,
    may_open_cases,
    still_holds,
)
from trm.access.rights import Write, require
from trm.audit.log import record
from trm.crypto.envelope import DataKeyDestroyed
from trm.crypto.fields import encrypt_now
from trm.directory.models import Organisation
from trm.lib import effects, limits, text
from trm.lib.errors import DomainError, NotAllowed
from trm.lib.steps import step

from .. import age
from ..locking import lock_case, share_case
from ..models import Attachment, Case, Note, Person
from ..workflow import DOCUMENT_EFFECTS

PERSON_FIELDS = tuple(Person.CATEGORY_OF_FIELD)
# What is said of the person's age on the case, corrected with the person's identity.
AGE_FIELDS = {"is_child": DataCategory.IDENTITY, "age_uncertain": DataCategory.IDENTITY}

NOT_A_CHILD_BY_BIRTH_DATE = _(
    "The birth date makes the person an adult: if there is reason to think they are a child, "
    "mark the age as uncertain."
)
A_CHILD_BY_BIRTH_DATE = _(
    "The birth date makes the person a child: correct the birth date if it is wrong."
)


ERASED = _("This person's data was erased; nothing can be recorded about them.")

PERSON_TEXT_LIMITS = {
    "given_name": limits.NAME,
    "family_name": limits.NAME,
    "given_name_latin": limits.NAME,
    "family_name_latin": limits.NAME,
    "document_number": limits.DOCUMENT_NUMBER,
}


def _checked(person: Person) -> None:
    """The person's values as the model checks them (birth date, citizenship…), refused field
    by field."""
    errors, general = {}, []
    try:
        person.full_clean(exclude=["data_key"])
    except ValidationError as invalid:
        errors = invalid.message_dict
        general = errors.pop(NON_FIELD_ERRORS, [])
    for name, limit in PERSON_TEXT_LIMITS.items():
        value = getattr(person, name) or ""
        # Names and numbers as they are seen: no invisible characters that reorder the display.
        message = text.name_problem(value) or limits.too_long(value, limit)
        if message:
            errors.setdefault(name, []).append(message)
    if errors or general:
        labels = {f.name: f.verbose_name for f in Person._meta.fields}
        raise DomainError(*general, errors=errors, labels=labels)


def _declared_child(case: Case, declared: bool) -> None:
    """Take what the user says of the person being a child, unless the birth date says
    otherwise: the flag follows the data, a tick cannot contradict it."""
    birth_date = age.recorded_birth_date(case)
    if birth_date is not None and not case.age_uncertain:
        by_birth_date = age.is_child_on(case)
        if declared != by_birth_date:
            message = A_CHILD_BY_BIRTH_DATE if by_birth_date else NOT_A_CHILD_BY_BIRTH_DATE
            raise DomainError(errors={"is_child": [message]})
    case.is_child = declared


@step
def open_case(
    actor, organisation, *, person: dict, is_child: bool = False, age_uncertain: bool = False
) -> Case:
    """Open a case for a new person, owned by `organisation`, worked by `actor`. Whether the
    person is a child follows from the birth date; `is_child` says so where none is known,
    `age_uncertain` where there is reason to think the person is a child despite it."""
    if not may_open_cases(actor, organisation):
        raise NotAllowed(_("You cannot open cases for this organisation."))
    unknown = set(person) - set(PERSON_FIELDS)
    if unknown:
        raise DomainError(_("Unknown fields: %(fields)s") % {"fields": ", ".join(sorted(unknown))})
    if not (person.get("given_name") or "").strip():
        raise DomainError(_("Give at least the person's given name."))
    new_person = Person(**person)
    _checked(new_person)
    case = Case(
        person=new_person, owner=organisation, case_worker=actor, age_uncertain=age_uncertain
    )
    if is_child:
        _declared_child(case, True)
    age.refresh_child_flag(case)
    new_person.save()
    case.person = new_person
    case.save()
    record("trm.case.opened", actor=actor, organisation=organisation, target=case)
    return case


@step
def update_person(actor, case: Case, changes: dict, *, version: int) -> Person:
    """Correct the person's data, and what is said of their age (`is_child`, `age_uncertain`);
    each field needs access to its data category. The child's safeguards follow the change."""
    access = access_to(actor, case)
    require(access, Write.PERSON)
    locked = lock_case(case.pk, version=version)
    categories = {**Person.CATEGORY_OF_FIELD, **AGE_FIELDS}
    unknown = set(changes) - set(categories)
    if unknown:
        raise DomainError(_("Unknown fields: %(fields)s") % {"fields": ", ".join(sorted(unknown))})
    refused = [name for name in changes if not access.allows(Action.EDIT, categories[name])]
    if refused:
        raise NotAllowed(
            _("You may not change these fields: %(fields)s")
            % {"fields": ", ".join(sorted(refused))}
        )
    person = locked.person
    if person.erased_at is not None:
        raise DomainError(ERASED)
    personal = {name: value for name, value in changes.items() if name in PERSON_FIELDS}
    changed = sorted(name for name, value in personal.items() if getattr(person, name) != value)
    for name in changed:
        setattr(person, name, personal[name])
    _checked(person)
    was = (locked.is_child, locked.age_uncertain)
    if "age_uncertain" in changes:
        locked.age_uncertain = bool(changes["age_uncertain"])
    # Said where no birth date is known; where one is, it must agree (or the age is uncertain).
    if "is_child" in changes:
        _declared_child(locked, bool(changes["is_child"]))
    age.refresh_child_flag(locked)
    changed += [
        name
        for name, before in zip(AGE_FIELDS, was, strict=True)
        if getattr(locked, name) != before
    ]
    person.save()
    locked.version += 1
    locked.save(update_fields=["version", "is_child", "age_uncertain"])
    record(
        "trm.person.updated",
        actor=actor,
        organisation=locked.owner,
        target=locked,
        details={"fields": sorted(changed)},
    )
    return person


# What may be attached: checked by the file's first bytes, not by its name or declared type.
ATTACHMENT_TYPES = {
    b"%PDF-": "application/pdf",
    b"\x89PNG\r\n\x1a\n": "image/png",
    b"\xff\xd8\xff": "image/jpeg",
}


def _writer(actor, case, write: str) -> tuple[CaseAccess, Organisation]:
    """The actor's access to the case and the organisation they write for (the owner, or the
    one of theirs the case was referred to), for notes and files; refused unless they may
    `write`. Decided before the case is locked (see `_locked_for`)."""
    access = access_to(actor, case)
    require(access, write)
    if case.person.erased_at is not None:
        raise DomainError(ERASED)
    if access.organisation_id == case.owner_id:
        return access, case.owner
    return access, Organisation.objects.get(pk=access.organisation_id)


def _locked_for(actor, case, write: str, decided: tuple[CaseAccess, Organisation]):
    """The case locked, for an addition prepared before the lock from `decided` (`_writer`):
    only what can have changed meanwhile is checked again under it (the grants the access came
    through, the person's erasure), so that the case is held for the insert and the audit
    event, not for deciding the access and encrypting. An addition changes nothing of the case,
    so additions hold it together (`share_case`); what changes it or takes access away waits."""
    locked = share_case(case.pk)
    access, organisation = decided
    if locked.owner_id != case.owner_id or not still_holds(access, locked):
        access, organisation = _writer(actor, locked, write)
    if locked.person.erased_at is not None:
        raise DomainError(ERASED)
    return locked, organisation


def _sealed_early(addition) -> None:
    """Encrypt what is added before the case is locked; if the person's key went meanwhile
    (erased since the case was read), the check under the lock refuses it."""
    try:
        encrypt_now(addition)
    except DataKeyDestroyed:
        pass


@step
def add_note(actor, case: Case, text: str) -> Note:
    text = limits.checked(text, limits.NOTE, "text")
    if not text:
        raise DomainError(_("Write the note first."))
    decided = _writer(actor, case, Write.NOTE)
    note = Note(case=case, text=text, author=actor, organisation=decided[1])
    _sealed_early(note)
    locked, note.organisation = _locked_for(actor, case, Write.NOTE, decided)
    note.save()
    record("trm.note.added", actor=actor, organisation=locked.owner, target=locked,
           details={"note": str(note.pk)})  # fmt: skip
    return note


def file_too_large() -> str:
    return _("The file is too large: at most %(size)s MB.") % {
        "size": settings.ATTACHMENT_MAX_BYTES // 1_000_000
    }


@step
def attach_file(
    actor, case: Case, filename: str, content: bytes, *, category: str = ""
) -> Attachment:
    """Keep a document (PDF, PNG or JPEG, up to the configured size) encrypted with the case;
    `category`: the data category its uploader classes it in, shared as that category is
    (blank: kept with the uploader's organisation)."""
    if len(content) > settings.ATTACHMENT_MAX_BYTES:
        raise DomainError(file_too_large())
    if category and category not in DataCategory.values:
        raise DomainError(_("Choose one of the data categories for the document."))
    content_type = next(
        (kind for magic, kind in ATTACHMENT_TYPES.items() if content.startswith(magic)), None
    )
    if content_type is None:
        raise DomainError(_("Only PDF, PNG and JPEG files can be attached."))
    decided = _writer(actor, case, Write.DOCUMENT)
    attachment = Attachment(
        case=case,
        # Shown in lists and as the download's name: no characters that reorder it (".exe").
        filename=text.without_invisible_controls(filename or "document")[:200] or "document",
        content_type=content_type,
        size=len(content),
        category=category,
        content=content,
        uploaded_by=actor,
        organisation=decided[1],
    )
    _sealed_early(attachment)
    locked, attachment.organisation = _locked_for(actor, case, Write.DOCUMENT, decided)
    attachment.save()
    # To the other node, if the case went there: its conversation is locked before the audit
    # chain's head (outbox.queue).
    effects.run(DOCUMENT_EFFECTS, attachment, actor)
    record("trm.attachment.added", actor=actor, organisation=locked.owner, target=locked,
           details={"attachment": str(attachment.pk), "type": content_type})  # fmt: skip
    return attachment


@step
def assign_case(actor, case: Case, case_worker, *, version: int | None = None) -> Case:
    """A supervisor gives the case to another member of the owning organisation; `version`:
    refuse if the case changed since the writer read it."""
    locked = lock_case(case.pk, version=version)
    require(access_to(actor, locked), Write.ASSIGNMENT)
    if (
        case_worker is None
        or not case_worker.memberships.filter(
            organisation_id=locked.owner_id, is_active=True, role__in=OPENING_ROLES
        ).exists()
    ):
        raise DomainError(_("Choose a case worker of the owning organisation."))
    locked.case_worker = case_worker
    locked.version += 1
    locked.save(update_fields=["case_worker", "version"])
    record("trm.case.assigned", actor=actor, organisation=locked.owner, target=locked,
           details={"case_worker": case_worker.get_username()})  # fmt: skip
    return locked
