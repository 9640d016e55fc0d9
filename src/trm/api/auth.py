"""Who calls the API: a signed-in browser (session and CSRF) or a system with a token.

Either way the caller is a user, and `request.auth` holds it: views pass it to the policy and
the actions exactly as the pages pass `request.user`. A token also limits what may be called
to its scopes, and its case scopes to the time its maker still holds its role (see
trm.api.tokens); a session may call everything its user may do. Decisions that need a second
person (`a_person_decides`) are never a token's.
"""

import functools

from django.utils.translation import gettext_lazy as _
from ninja.errors import AuthenticationError
from ninja.security import HttpBearer, SessionAuth

from trm.accounts import throttle
from trm.lib.errors import DomainError

from .models import Scope
from .tokens import CASE_SCOPES, SECRET_PREFIX, token_for


class ScopeMissing(DomainError):
    """The token may not call this endpoint: a matter of the token, never of a case."""

    status = 403


def attempt_name(token: str) -> str:
    """What a token's attempts are counted under: its visible beginning (what the token pages
    show), never its secret part; no username can contain the colon."""
    return f"token:{token[: len(SECRET_PREFIX) + 6]}"


class Throttled(Exception):
    """Too many failed attempts from this caller: answered 429, as the sign-in page is."""


class TokenAuth(HttpBearer):
    """`Authorization: Bearer trm_…`: an organisation's API token."""

    def authenticate(self, request, token):
        # Tokens are throttled like passwords (trm.accounts.throttle): each wrong one counts
        # for its first characters on this address, and for the address, against the same
        # ceilings; a locked caller is refused before any token is looked at.
        attempt = attempt_name(token)
        if not throttle.allowed(request, attempt):
            throttle.failed(request, attempt)
            raise Throttled()
        found = token_for(token)
        if found is None:
            if throttle.failed(request, attempt):
                raise Throttled()
            # A wrong token is an error, not a reason to try the session instead.
            raise AuthenticationError(401, str(_("This API token is not valid or was revoked.")))
        request.api_token = found
        return found.user


class BrowserSession(SessionAuth):
    """The signed-in user of the pages; writes need the CSRF token (ninja checks it)."""

    def authenticate(self, request, key):
        user = request.user
        return user if user.is_authenticated and user.is_active else None


def caller(request):
    """The user acting: the signed-in user or the token's service user."""
    return request.auth


def needs(scope: Scope):
    """Refuse the call with 403 when it comes with a token that lacks `scope`."""

    def decorate(view):
        @functools.wraps(view)
        def checked(request, *args, **kwargs):
            token = getattr(request, "api_token", None)
            if token is not None and not token.allows(scope):
                raise ScopeMissing(
                    _("This API token lacks the scope %(scope)s.") % {"scope": scope.value}
                )
            if token is not None and scope in CASE_SCOPES and token.reach_lost:
                raise ScopeMissing(token.reach_lost)
            return view(request, *args, **kwargs)

        checked.__doc__ = f"{(view.__doc__ or '').strip()}\n\nToken scope: `{scope.value}`."
        checked.scope = scope
        return checked

    return decorate


def a_person_decides(request) -> None:
    """Refuse with 403 a call that comes with a token: a decision that needs a second person
    (an approval) is a person's, whatever the token's scopes."""
    if getattr(request, "api_token", None) is not None:
        raise ScopeMissing(
            _(
                "A decision that needs a second person is a person's: an API token cannot make "
                "it. A supervisor decides in trm, signed in with their second factor."
            )
        )
