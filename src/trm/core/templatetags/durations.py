from django import template
from django.utils.translation import ngettext

register = template.Library()


@register.filter
def time_left(duration) -> str:
    """A duration in whole days, or hours under a day, e.g. '3 days left'."""
    seconds = int(duration.total_seconds())
    if seconds >= 86400:
        days = seconds // 86400
        return ngettext("%(count)d day left", "%(count)d days left", days) % {"count": days}
    hours = max(seconds // 3600, 0)
    return ngettext("%(count)d hour left", "%(count)d hours left", hours) % {"count": hours}
