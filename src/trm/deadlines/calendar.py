"""Each country's calendar: its working days (weekend days and public holidays are not), and
the arithmetic of deadlines counted in working days, days or months.

Days are the country's own: a moment is turned into the local date of the country before it is
counted, so a referral sent late on Friday evening in Kyiv is counted from Friday, not from the
Saturday it already is in UTC.
"""

import calendar as months_calendar
import datetime

from trm.directory.clock import time_zone

# Enough to cross any run of holidays and weekends; more means the calendar is broken.
LONGEST_SEARCH_DAYS = 366


def end_of_day(country, day: datetime.date) -> datetime.datetime:
    """The last minute of `day` in the country: when a deadline "on that day" is missed."""
    return datetime.datetime.combine(day, datetime.time(23, 59), tzinfo=time_zone(country))


class WorkingDays:
    """One country's working days, reading its holidays once per year asked about."""

    def __init__(self, country):
        self.country = country
        self.weekend = frozenset(country.weekend_days or [])
        self._holidays: dict[int, frozenset] = {}

    def holidays(self, year: int) -> frozenset:
        if year not in self._holidays:
            from trm.directory.models import Holiday

            self._holidays[year] = frozenset(
                Holiday.objects.filter(country=self.country, date__year=year).values_list(
                    "date", flat=True
                )
            )
        return self._holidays[year]

    def is_working_day(self, day: datetime.date) -> bool:
        return day.weekday() not in self.weekend and day not in self.holidays(day.year)

    def step(self, day: datetime.date, days: int) -> datetime.date:
        """The date `days` working days after `day` (before it, if negative)."""
        direction = 1 if days >= 0 else -1
        remaining, searched = abs(days), 0
        while remaining:
            day += datetime.timedelta(days=direction)
            searched += 1
            if searched > LONGEST_SEARCH_DAYS + abs(days):
                raise ValueError(f"{self.country.code} has no working day within a year")
            if self.is_working_day(day):
                remaining -= 1
        return day

    def on_or_after(self, day: datetime.date) -> datetime.date:
        """`day` if it is a working day, else the next one."""
        return day if self.is_working_day(day) else self.step(day, 1)


def is_working_day(country, day: datetime.date) -> bool:
    """Whether `day` is neither one of the country's weekend days nor one of its holidays."""
    return WorkingDays(country).is_working_day(day)


def add_working_days(country, start: datetime.datetime, days: int) -> datetime.datetime:
    """The same local time `days` working days after `start` in the country (before, if negative).

    Sent on Thursday with one working day to answer, the answer is due on Friday at the time it
    was sent (on Monday if Friday is a holiday); sent on a day off, as if at the start of the
    next working day, so a whole working day is always given.
    """
    zone = time_zone(country)
    local = start.astimezone(zone)
    working = WorkingDays(country)
    day, time_of_day = local.date(), local.time()
    if days > 0 and not working.is_working_day(day):
        day, time_of_day = working.on_or_after(day), datetime.time()
    return datetime.datetime.combine(working.step(day, days), time_of_day, tzinfo=zone)


def add_months(moment, months: int):
    """The date (or datetime) `months` months after `moment`, on the last day of a shorter month.

    31 January plus one month is 28 February (29 in a leap year), never 3 March.
    """
    month_index = moment.month - 1 + months
    year, month = moment.year + month_index // 12, month_index % 12 + 1
    day = min(moment.day, months_calendar.monthrange(year, month)[1])
    return moment.replace(year=year, month=month, day=day)
