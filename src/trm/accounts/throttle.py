"""Throttling failed sign-ins: by the account and the address together, and by the address alone
with a much higher ceiling.

django-axes counts the failures; its lockout parameters say `[["username", "ip_address"]]`, so
one person's typos lock that person on that address only, never their colleagues behind the
same office NAT or proxy. Axes has one failure limit for all its parameters (its maintainers
point to a handler of one's own for a second one, jazzband/django-axes#661): this handler adds
the address's own ceiling, `settings.LOGIN_ADDRESS_FAILURE_LIMIT` failures for any accounts
within the cool-off, which stops one address from guessing across many accounts.

Every way in counts alike: the password (through Django's authenticate), the second factor's
codes and API tokens (`allowed` before trying, `failed` after a wrong one).
"""

from axes.attempts import get_cool_off_threshold
from axes.handlers.database import AxesDatabaseHandler
from axes.handlers.proxy import AxesProxyHandler
from axes.helpers import get_failure_limit
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth.signals import user_login_failed
from django.db.models import Sum


class LoginThrottle(AxesDatabaseHandler):
    """Axes's database handler with a second, higher ceiling for the address alone."""

    def get_failures(self, request, credentials=None) -> int:
        # Axes compares this number with AXES_FAILURE_LIMIT: the account on this address counts
        # its own failures; an address past its own ceiling counts as reaching the limit.
        on_this_address = super().get_failures(request, credentials)
        if self.address_failures(request) >= settings.LOGIN_ADDRESS_FAILURE_LIMIT:
            request.trm_address_locked = True
            return max(on_this_address, get_failure_limit(request, credentials))
        return on_this_address

    def address_failures(self, request) -> int:
        """Failures from the request's address, for any accounts, within the cool-off."""
        recent = AccessAttempt.objects.filter(
            ip_address=request.axes_ip_address,
            attempt_time__gte=get_cool_off_threshold(request),
        )
        return recent.aggregate(total=Sum("failures_since_start"))["total"] or 0


def allowed(request, username: str) -> bool:
    """Whether `username` may try to sign in from the request's address now."""
    return AxesProxyHandler.is_allowed(request, {"username": username})


def failed(request, username: str) -> bool:
    """Count a failed attempt of `username` (a wrong code, a wrong token) as axes counts a wrong
    password; True when it leaves them locked out (axes then answers with the lockout page)."""
    user_login_failed.send(sender=__name__, credentials={"username": username}, request=request)
    return bool(getattr(request, "axes_locked_out", False))
