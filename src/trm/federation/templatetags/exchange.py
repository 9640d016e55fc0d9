"""`{{ duration|span }}`: how long, in the largest units that say it (340 ms, 12 s, 5 minutes,
3 hours 5 minutes, 2 days 4 hours), in the reader's language; `|skew` says ahead or behind."""

from django import template
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

register = template.Library()


def _units(count: int, unit: str) -> str:
    forms = {
        "ms": ngettext("%(count)d millisecond", "%(count)d milliseconds", count),
        "s": ngettext("%(count)d second", "%(count)d seconds", count),
        "min": ngettext("%(count)d minute", "%(count)d minutes", count),
        "h": ngettext("%(count)d hour", "%(count)d hours", count),
        "d": ngettext("%(count)d day", "%(count)d days", count),
    }
    return forms[unit] % {"count": count}


@register.filter
def span(duration) -> str:
    if duration is None:
        return "—"
    seconds = abs(duration.total_seconds())
    if seconds < 1:
        return _units(round(seconds * 1000), "ms")
    if seconds < 60:
        return _units(int(seconds), "s")
    minutes = int(seconds // 60)
    if minutes < 60:
        return _units(minutes, "min")
    hours, minutes = divmod(minutes, 60)
    if hours < 48:
        return f"{_units(hours, 'h')} {_units(minutes, 'min')}" if minutes else _units(hours, "h")
    days, hours = divmod(hours, 24)
    return f"{_units(days, 'd')} {_units(hours, 'h')}" if hours else _units(days, "d")


@register.filter
def skew(duration) -> str:
    """The peer's clock against this node's."""
    if duration is None:
        return "—"
    if abs(duration.total_seconds()) < 0.001:
        return _("in step")
    if duration.total_seconds() > 0:
        return _("%(span)s ahead") % {"span": span(duration)}
    return _("%(span)s behind") % {"span": span(duration)}
