"""Erasing a person by crypto-shredding: destroy their data key, so every copy is unreadable.

The encrypted fields of the person, of their history rows, of their consent records and of any
other record keyed to them stay in the database (and in backups) as ciphertext nobody can read.
What is not encrypted but still theirs is emptied; the audit chain, which holds no personal
data, stays whole.
"""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from trm.access.policy import Action, access_to
from trm.audit.log import record
from trm.cases.erased import ERASED
from trm.cases.locking import lock_case
from trm.cases.models import Case, NameIndex, Person, Sex
from trm.cases.workflow import CaseFacts, no_offer_waits_on_another_node
from trm.crypto.envelope import destroy
from trm.crypto.models import DataKey
from trm.lib import effects, limits
from trm.lib.errors import CASE_NOT_FOUND, DomainError, NotAllowed
from trm.lib.steps import step

ERASURE_EFFECTS = ("trm.referrals.crossing.person_erased",)

# Plain columns that describe the person; they are not encrypted, so erasure empties them.
PLAIN_PERSONAL_VALUES = {"sex": Sex.UNKNOWN, "citizenship": ""}


@step
def erase_person(actor, case, reason: str) -> Person:
    """The data protection officer erases the person of `case`, with a reason for the trail."""
    locked = lock_case(case.pk)
    if not access_to(actor, locked).allows(Action.ERASE):
        raise NotAllowed(CASE_NOT_FOUND)
    reason = limits.checked(reason, limits.REASON, "reason")
    if not reason:
        raise DomainError(_("Say why the person's data is erased."))
    person = locked.person
    if person.erased_at is not None:
        raise DomainError(_("This person's data was erased already."))
    waiting = no_offer_waits_on_another_node(CaseFacts(locked))
    if waiting:
        raise DomainError(*waiting)
    # The person is one, their cases may be owned by several organisations: each must agree.
    elsewhere = [
        other
        for other in person.cases.exclude(pk=locked.pk).select_related("owner")
        if not access_to(actor, other).allows(Action.ERASE)
    ]
    if elsewhere:
        raise DomainError(
            _(
                "The person also has cases of other organisations. Their data protection "
                "officers must erase the person."
            )
        )
    return erase(person, actor=actor, case=locked, reason=reason)


def erase(person: Person, *, actor, case: Case, reason: str = "", details: dict | None = None):
    """Crypto-shred `person` now; the caller has checked the right to. Audited on `case`, with
    the `reason` a person typed (kept beside the chain) and `details` for fixed codes. Composed
    by the steps that check it (`erase_person`, the retention schedule)."""
    with transaction.atomic(savepoint=False):
        now = timezone.now()
        data_key = DataKey.objects.select_for_update().get(pk=person.data_key_id)
        destroy(data_key)
        index_entries, _deleted = NameIndex.objects.filter(person=person).delete()
        # A queryset update: saving the instance would add a history row, which would need
        # the key we just destroyed.
        Person.objects.filter(pk=person.pk).update(erased_at=now, **PLAIN_PERSONAL_VALUES)
        Person.history.filter(id=person.pk).update(**PLAIN_PERSONAL_VALUES)
        case_ids = sorted(str(pk) for pk in person.cases.values_list("pk", flat=True))
        record(
            ERASED,
            actor=actor,
            organisation=case.owner,
            target=case,
            # Under the node's audit key, not the person's (destroyed above): why a person was
            # erased must stay readable to account for it. The form asks not to describe them.
            reason=reason,
            details={
                "person": str(person.pk),
                "cases": case_ids,
                "name_index_entries": index_entries,
                **(details or {}),
            },
        )
        # Nodes that hold a copy of the person's cases destroy theirs (a named effect).
        effects.run(ERASURE_EFFECTS, person, case, actor)
    # Forget the values and the key this instance decrypted before. Not refresh_from_db():
    # it reads each field through the descriptor, which would decrypt it.
    fresh = Person.objects.get(pk=person.pk)
    for field in Person._meta.concrete_fields:
        person.__dict__[field.attname] = fresh.__dict__[field.attname]
    person.__dict__.pop("_trm_plain_keys", None)
    person.data_key = data_key
    return person
