from django import template

from trm.cases.timeline import shown_values

register = template.Library()


@register.filter
def values_of(record):
    """(label, value) pairs of a stage record, for display."""
    return shown_values(record)
