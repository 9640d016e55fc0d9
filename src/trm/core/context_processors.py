from django.conf import settings


def node(request):
    return {
        "user_roles": _roles(request),
        "node_name": settings.NODE_NAME,
        "demo_node": settings.DEMO,
        "available_languages": settings.LANGUAGES,
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
