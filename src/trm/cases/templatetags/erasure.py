from django import template
from django.template.loader import render_to_string

from trm.cases.erased import erasure_of

register = template.Library()


@register.simple_tag
def erasure_notice(person):
    """When and by whom `person` was erased, for any page about their case; nothing otherwise."""
    erasure = erasure_of(person)
    if erasure is None:
        return ""
    return render_to_string("cases/erased.html#notice", {"erasure": erasure})
