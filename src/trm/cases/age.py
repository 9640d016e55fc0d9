"""Who is handled as a child (domain.md §5), derived from the data rather than a ticked box.

A person is a child on a day when their recorded birth date makes them younger than the age of
majority then, or when their age is uncertain with reason to think they are a child. Only
without a birth date does the mark made at opening ("is or may be a child") decide. Plain
functions, no web code: the guards, the actions and the deadlines all ask here.
"""

import datetime

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from trm.crypto.envelope import DecryptionError
from trm.directory.clock import local_date

MAJORITY = 18  # when a country configures none (`Country.child_age_threshold`)
OLDEST_AGE = 110  # a birth date further back is a typing slip


def age_on(birth_date: datetime.date, day: datetime.date) -> int:
    """Completed years of a person born on `birth_date`, on `day`."""
    return day.year - birth_date.year - ((day.month, day.day) < (birth_date.month, birth_date.day))


def child_on(
    day: datetime.date,
    *,
    birth_date: datetime.date | None,
    age_uncertain: bool,
    declared_child: bool,
    majority: int = MAJORITY,
) -> bool:
    """Whether a person is handled as a child on `day`: age uncertain with reason to think so,
    or under `majority` by the birth date; without a birth date, as declared."""
    if age_uncertain:
        return True
    if birth_date is not None:
        return age_on(birth_date, day) < majority
    return bool(declared_child)


def majority_for(case) -> int:
    """The age of majority of the case's owning country."""
    return getattr(case.owner.country, "child_age_threshold", None) or MAJORITY


def step_day(case, moment: datetime.datetime | None = None) -> datetime.date:
    """The day a step taken at `moment` (now) falls on, in the owning organisation's country."""
    return local_date(case.owner.country, moment or timezone.now())


def recorded_birth_date(case) -> datetime.date | None:
    """The person's birth date; None if unknown or erased with their data key."""
    person = case.person
    if person.erased_at is not None:
        return None
    try:
        value = person.birth_date
    except DecryptionError:
        return None
    if value is None or isinstance(value, datetime.date):
        return value
    return datetime.date.fromisoformat(str(value))  # as given, before it is saved


def is_child_on(case, day: datetime.date | None = None) -> bool:
    """Whether the case's person is handled as a child on `day` (the day of the step: today)."""
    return child_on(
        day or step_day(case),
        birth_date=recorded_birth_date(case),
        age_uncertain=case.age_uncertain,
        declared_child=case.is_child,
        majority=majority_for(case),
    )


def refresh_child_flag(case, day: datetime.date | None = None) -> bool:
    """Set the stored `case.is_child` (what lists filter on) from the birth date on `day`, if
    one is recorded; whether it changed. The caller saves the case."""
    birth_date = recorded_birth_date(case)
    if birth_date is None:
        return False
    child = age_on(birth_date, day or step_day(case)) < majority_for(case)
    changed = case.is_child != child
    case.is_child = child
    return changed


def validate_birth_date(value: datetime.date | None) -> None:
    """A birth date is neither in the future nor more than OLDEST_AGE years ago."""
    if value is None:
        return
    if not isinstance(value, datetime.date):
        try:
            value = datetime.date.fromisoformat(str(value))
        except ValueError:
            raise ValidationError(
                _("Give the birth date as year-month-day."), code="invalid"
            ) from None
    # The latest date it is anywhere on Earth (UTC+14): a birth today in Kyiv is not "future".
    latest = (timezone.now() + datetime.timedelta(hours=14)).date()
    if value > latest:
        raise ValidationError(_("The birth date cannot be in the future."), code="future")
    if age_on(value, latest) >= OLDEST_AGE and value != _years_before(latest, OLDEST_AGE):
        raise ValidationError(
            _("The birth date cannot be more than %(years)s years ago.") % {"years": OLDEST_AGE},
            code="too_old",
        )


def _years_before(day: datetime.date, years: int) -> datetime.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def validate_citizenship(value: str) -> None:
    """A citizenship is one of the directory's countries (its ISO 3166 alpha-2 code)."""
    from trm.directory.models import Country

    if value and not Country.objects.filter(code=value).exists():
        raise ValidationError(
            _("Choose the citizenship among the countries of the directory."), code="unknown"
        )
