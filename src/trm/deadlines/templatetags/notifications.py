"""`{{ notification|sentence }}`: a notification as the reader's sentence (`deadlines.messages`)."""

from django import template

from trm.deadlines.messages import notification_text

register = template.Library()


@register.filter
def sentence(notification) -> str:
    return notification_text(notification)
