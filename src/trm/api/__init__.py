"""The REST API at /api/: the same policy and actions as the pages."""

from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.security import django_auth

from trm.lib.errors import DomainError

api = NinjaAPI(
    title="trm",
    version="1",
    description="The Transnational Referral Mechanism: cases, referrals, directory.",
    auth=django_auth,
    urls_namespace="api",
)


@api.exception_handler(DomainError)
def refused(request, error: DomainError):
    return api.create_response(
        request,
        {"detail": error.reasons[0] if error.reasons else _("Refused."), "reasons": error.reasons},
        status=error.status,
    )


from . import cases  # noqa: E402  (routers register themselves on `api`)

api.add_router("/cases", cases.router)
