"""Reading personal data: always through the policy, always leaving an audit event."""

from django.utils.translation import gettext_lazy as _

from trm.audit.log import record
from trm.cases.models import Case
from trm.lib.errors import NotAllowed

from .policy import Action, CaseAccess, access_to


def read_case(user, case_id, *, action: str = Action.VIEW, purpose: str = "viewed"):
    """The case and the user's access to it, audited as `trm.case.<purpose>`.

    A case the user may not see is reported exactly like one that does not exist.
    """
    case = (
        Case.objects.select_related("person__data_key", "owner__country", "case_worker")
        .filter(pk=case_id)
        .first()
    )
    access = access_to(user, case) if case is not None else CaseAccess()
    if not access.allows(action):
        raise NotAllowed(_("This case does not exist or you may not see it."))
    record(
        f"trm.case.{purpose}",
        actor=user,
        organisation=case.owner,
        target=case,
        details={"via": list(access.via)},
    )
    return case, access


def visible_person_fields(person, access: CaseAccess) -> list[tuple[str, str, object]]:
    """(field name, label, value) of the person's fields in the categories the user may see.

    Nothing for an erased person: their data key is gone and so is every value.
    """
    if person.erased_at is not None:
        return []
    shown = []
    for name, category in person.CATEGORY_OF_FIELD.items():
        if category not in access.categories:
            continue
        field = person._meta.get_field(name)
        value = getattr(person, f"get_{name}_display")() if field.choices else getattr(person, name)
        shown.append((name, field.verbose_name, value))
    return shown
