"""Each country's clock: its time zone, and the date a moment falls on there.

Here, beside the countries, because cases (the day of a step) and deadlines (the days counted)
both read it.
"""

import datetime
from zoneinfo import ZoneInfo

from django.conf import settings

# The country's time zone, for its dates. One per seed country (the capital's); any other
# country counts in the node's time zone until it is listed here.
TIME_ZONES = {
    "AL": "Europe/Tirane",
    "ES": "Europe/Madrid",
    "FR": "Europe/Paris",
    "GR": "Europe/Athens",
    "IT": "Europe/Rome",
    "MA": "Africa/Casablanca",
    "PL": "Europe/Warsaw",
    "UA": "Europe/Kyiv",
}


def time_zone(country) -> ZoneInfo:
    return ZoneInfo(TIME_ZONES.get(country.code, settings.TIME_ZONE))


def local_date(country, moment: datetime.datetime) -> datetime.date:
    """The date `moment` falls on in the country."""
    return moment.astimezone(time_zone(country)).date()
