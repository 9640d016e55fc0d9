"""Each country's calendar: its weekend days and holidays, and months that are shorter."""

import datetime

import pytest

from trm.deadlines.calendar import add_months, add_working_days, is_working_day
from trm.directory.models import Country, Holiday
from trm.directory.seed.holidays import HOLIDAYS, seed_holidays

from .conftest import local

pytestmark = pytest.mark.django_db


def country(code: str) -> Country:
    return Country.objects.get(code=code)


def test_a_holiday_and_the_weekend_are_no_working_days(calendars):
    albania = country("AL")
    assert is_working_day(albania, datetime.date(2026, 4, 2))  # Thursday
    assert not is_working_day(albania, datetime.date(2026, 4, 4))  # Saturday
    assert not is_working_day(albania, datetime.date(2026, 4, 6))  # Catholic Easter, moved
    assert is_working_day(country("MA"), datetime.date(2026, 4, 6)), "not a holiday in Morocco"


def test_five_working_days_from_a_thursday_before_a_holiday_monday(calendars):
    sent = local("AL", 2026, 4, 2, 10, 30)  # Thursday; Monday 6 April is off in Albania
    assert add_working_days(country("AL"), sent, 5) == local("AL", 2026, 4, 10, 10, 30)
    assert add_working_days(country("MA"), sent, 5) == local("MA", 2026, 4, 9, 9, 30)


def test_the_countrys_own_weekend_days_count(calendars):
    albania = country("AL")
    albania.weekend_days = [4, 5]  # a Friday and Saturday weekend
    thursday = local("AL", 2026, 3, 5, 9, 0)
    assert add_working_days(albania, thursday, 1) == local("AL", 2026, 3, 8, 9, 0)  # Sunday


def test_days_are_counted_in_the_countrys_own_time(calendars):
    # Friday 22:30 UTC is already Saturday in Kyiv: sent on a day off, so Monday is the whole
    # working day given, and the answer is due when Tuesday begins there.
    late_friday = datetime.datetime(2026, 3, 6, 22, 30, tzinfo=datetime.UTC)
    assert add_working_days(country("UA"), late_friday, 1) == local("UA", 2026, 3, 10, 0, 0)
    assert add_working_days(country("AL"), late_friday, 1) == local("AL", 2026, 3, 9, 23, 30)


def test_working_days_count_backwards_for_reminders(calendars):
    due = local("AL", 2026, 4, 7, 10, 0)  # Tuesday after Easter Monday
    assert add_working_days(country("AL"), due, -1) == local("AL", 2026, 4, 3, 10, 0)


@pytest.mark.parametrize(
    ("start", "months", "expected"),
    [
        (datetime.date(2026, 1, 31), 1, datetime.date(2026, 2, 28)),
        (datetime.date(2028, 1, 31), 1, datetime.date(2028, 2, 29)),
        (datetime.date(2026, 3, 31), 1, datetime.date(2026, 4, 30)),
        (datetime.date(2026, 11, 30), 3, datetime.date(2027, 2, 28)),
        (datetime.date(2026, 6, 15), 12, datetime.date(2027, 6, 15)),
    ],
)
def test_months_after_a_date_end_on_the_last_day_of_a_shorter_month(start, months, expected):
    assert add_months(start, months) == expected


def test_months_after_a_moment_keep_its_time_of_day():
    returned = datetime.datetime(2026, 1, 31, 14, 5, tzinfo=datetime.UTC)
    assert add_months(returned, 1) == datetime.datetime(2026, 2, 28, 14, 5, tzinfo=datetime.UTC)


def test_the_holidays_seed_is_idempotent_and_names_each_day_in_two_languages(directory):
    listed = sum(len(days) for _language, days in HOLIDAYS.values())
    assert seed_holidays() == listed
    assert seed_holidays() == listed
    assert Holiday.objects.count() == listed
    easter = Holiday.objects.get(country__code="AL", date=datetime.date(2026, 4, 6))
    assert set(easter.name) == {"en", "sq"}
    assert not Holiday.objects.filter(country__code="UA").exists(), "martial law: no days off"
    assert all(day.date.weekday() < 5 for day in Holiday.objects.all())
