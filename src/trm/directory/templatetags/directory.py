from django import template
from django.utils.translation import get_language_info

from trm.lib.translated import in_language

register = template.Library()


@register.filter
def translated(values):
    """The text of a translated field in the reader's language, falling back to English."""
    return in_language(values)


@register.filter
def language_name(code):
    return get_language_info(code)["name_translated"]
