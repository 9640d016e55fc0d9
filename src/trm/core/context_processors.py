from django.conf import settings

from trm.lib import limits


def node(request):
    return {
        "user_roles": _roles(request),
        "node_name": settings.NODE_NAME,
        "demo_node": settings.DEMO,
        "available_languages": settings.LANGUAGES,
        # The text limits for the fields a page writes without a form (`lib/limits.py`).
        "limits": limits,
    }


def _roles(request) -> dict[str, bool]:
    """Which parts of the navigation the signed-in user needs."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    from trm.access.policy import CASE_ROLES
    from trm.deadlines.models import Notification

    roles = user.roles()
    return {
        "cases": bool(roles & CASE_ROLES),
        "unread_notifications": Notification.objects.filter(
            user=user, read_at__isnull=True
        ).count(),
        **{role: True for role in roles},
    }
