"""The current state of consent, derived from the records, and the guard the workflow calls."""

from dataclasses import dataclass, field

from django.utils.translation import gettext_lazy as _

from trm.access.categories import ALL_CATEGORIES, ALWAYS_SHARED, DataCategory

from .models import ConsentRecord, Purpose


def current_consents(person, at=None):
    """The person's consents in force at `at` (now): given, not expired, not withdrawn."""
    return ConsentRecord.objects.filter(person=person).in_force(at)


def ids_in_force(person) -> set:
    """The ids of the person's consents in force now, for showing each record's status; none
    once their data is erased."""
    if person.erased_at is not None:
        return set()
    return set(current_consents(person).values_list("pk", flat=True))


@dataclass(frozen=True)
class Coverage:
    """Whether consent covers a use of the person's data, and which categories it lacks."""

    missing: frozenset = frozenset()
    consents: tuple = field(default=())

    @property
    def ok(self) -> bool:
        return not self.missing

    def __bool__(self):
        return self.ok

    def reasons(self) -> list[str]:
        """Translated reasons for a workflow guard; empty when consent covers everything."""
        if self.ok:
            return []
        labels = ", ".join(str(DataCategory(category).label) for category in sorted(self.missing))
        return [
            str(_("The person has not consented to share: %(categories)s")) % {"categories": labels}
        ]


def _applies_to(consent: ConsentRecord, organisation) -> bool:
    # A consent naming a recipient covers that recipient only; one naming a country, the
    # organisations of that country; one naming neither, the purpose wherever it is served.
    if consent.recipient_organisation_id is not None:
        return organisation is not None and consent.recipient_organisation_id == organisation.pk
    if consent.recipient_country_id is not None:
        return organisation is not None and consent.recipient_country_id == organisation.country_id
    return True


def covers(person, *, purpose: str, categories, organisation=None, at=None) -> Coverage:
    """Does consent in force cover using `categories` for `purpose` (with `organisation`)?"""
    if purpose not in Purpose.values:
        raise ValueError(f"unknown consent purpose {purpose!r}")
    wanted = frozenset(categories)
    unknown = wanted - ALL_CATEGORIES
    if unknown:
        raise ValueError(f"unknown data categories {sorted(unknown)}")
    if purpose == Purpose.REFERRAL and organisation is None:
        raise ValueError("a referral goes to an organisation: name it")
    needed = wanted - ALWAYS_SHARED
    if not needed:
        return Coverage()
    if person.erased_at is not None:
        return Coverage(missing=frozenset(needed))
    applying = [
        consent
        for consent in current_consents(person, at).filter(purpose=purpose)
        if _applies_to(consent, organisation)
    ]
    covered = {category for consent in applying for category in consent.categories}
    return Coverage(
        missing=frozenset(needed - covered),
        consents=tuple(consent for consent in applying if needed & set(consent.categories)),
    )
