from django.contrib.auth import logout
from django.http import JsonResponse
from django.shortcuts import redirect
from django.utils import translation
from django.utils.translation import gettext as _


class TwoFactorRequiredMiddleware:
    """A session that reaches personal data must have passed the second factor.

    Logins complete only after the second factor, so this catches sessions whose user gained a
    role needing it since, or whose device was removed.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if user.is_authenticated and not user.is_verified() and user.needs_two_factor:
            logout(request)
            if request.path.startswith("/api/"):
                return JsonResponse(
                    {"detail": _("Sign in again with your second factor."), "reasons": []},
                    status=401,
                )
            return redirect("accounts:login")
        return self.get_response(request)


class UserLanguageMiddleware:
    """A signed-in user's chosen language wins over the browser's."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated and request.user.language:
            translation.activate(request.user.language)
            request.LANGUAGE_CODE = request.user.language
        return self.get_response(request)
