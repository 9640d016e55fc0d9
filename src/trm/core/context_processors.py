from django.conf import settings


def node(request):
    return {
        "node_name": settings.NODE_NAME,
        "demo_node": settings.DEMO,
        "available_languages": settings.LANGUAGES,
    }
