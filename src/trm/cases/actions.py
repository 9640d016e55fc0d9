"""The write path for cases: check permission, write, audit, in one transaction each."""

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from trm.access.policy import Action, access_to, may_open_cases
from trm.audit.log import record
from trm.lib.errors import Conflict, DomainError, NotAllowed

from .models import Case, Person

PERSON_FIELDS = tuple(Person.CATEGORY_OF_FIELD)


@transaction.atomic
def open_case(actor, organisation, *, person: dict, is_child: bool = False) -> Case:
    """Open a case for a new person, owned by `organisation`, worked by `actor`."""
    if not may_open_cases(actor, organisation):
        raise NotAllowed(_("You cannot open cases for this organisation."))
    unknown = set(person) - set(PERSON_FIELDS)
    if unknown:
        raise DomainError(_("Unknown fields: %(fields)s") % {"fields": ", ".join(sorted(unknown))})
    if not (person.get("given_name") or "").strip():
        raise DomainError(_("Give at least the person's given name."))
    new_person = Person(**person)
    new_person.full_clean(exclude=["data_key"])
    new_person.save()
    case = Case(person=new_person, owner=organisation, case_worker=actor, is_child=is_child)
    case.save()
    record("trm.case.opened", actor=actor, organisation=organisation, target=case)
    return case


@transaction.atomic
def update_person(actor, case: Case, changes: dict, *, version: int) -> Person:
    """Correct the person's data; each field needs access to its data category."""
    locked = Case.objects.select_for_update().get(pk=case.pk)
    access = access_to(actor, locked)
    if not access.allows(Action.VIEW):
        raise NotAllowed(_("This case does not exist or you may not see it."))
    if locked.version != version:
        raise Conflict(
            _(
                "Someone else changed this case while you were editing. Nothing was saved: "
                "reload the page and make your change again."
            )
        )
    unknown = set(changes) - set(PERSON_FIELDS)
    if unknown:
        raise DomainError(_("Unknown fields: %(fields)s") % {"fields": ", ".join(sorted(unknown))})
    refused = [
        name for name in changes if not access.allows(Action.EDIT, Person.CATEGORY_OF_FIELD[name])
    ]
    if refused:
        raise NotAllowed(
            _("You may not change these fields: %(fields)s")
            % {"fields": ", ".join(sorted(refused))}
        )
    person = locked.person
    if person.erased_at is not None:
        raise DomainError(_("This person's data was erased; nothing can be recorded about them."))
    changed = sorted(name for name, value in changes.items() if getattr(person, name) != value)
    for name in changed:
        setattr(person, name, changes[name])
    person.full_clean(exclude=["data_key"])
    person.save()
    locked.version += 1
    locked.save(update_fields=["version"])
    record(
        "trm.person.updated",
        actor=actor,
        organisation=locked.owner,
        target=locked,
        details={"fields": changed},
    )
    return person
