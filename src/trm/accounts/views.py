"""Signing in (password, then a second factor), enrolment, and the organisation's users."""

import logging
import smtplib
import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model, login, logout
from django.contrib.auth.decorators import login_required
from django.contrib.auth.tokens import default_token_generator
from django.core.mail import send_mail
from django.http import Http404, HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import url_has_allowed_host_and_scheme, urlsafe_base64_encode
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST
from django.views.i18n import set_language
from django_otp import login as otp_login

from trm.directory.models import Organisation

from . import members, throttle, two_factor
from .forms import CodeForm, InvitationForm, LanguageForm, LoginForm
from .models import Membership

log = logging.getLogger(__name__)

User = get_user_model()

# Between the password and the second factor the session holds only this, for a few minutes.
PENDING = "trm_pending_login"
PENDING_SECONDS = 300
BACKEND = "django.contrib.auth.backends.ModelBackend"


def _safe_next(request, value: str | None) -> str:
    if value and url_has_allowed_host_and_scheme(
        value, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return value
    return reverse(settings.LOGIN_REDIRECT_URL)


def _complete_login(request, user, device, next_url):
    login(request, user, backend=BACKEND)
    if device is not None:
        otp_login(request, device)
    response = HttpResponseRedirect(next_url)
    # The user's language follows them to every browser they sign in from.
    response.set_cookie(settings.LANGUAGE_COOKIE_NAME, user.language, samesite="Lax")
    return response


def _pending_user(request):
    pending = request.session.get(PENDING)
    if not pending or time.time() - pending["at"] > PENDING_SECONDS:
        request.session.pop(PENDING, None)
        return None, None
    user = User.objects.filter(pk=pending["user"], is_active=True).first()
    return user, pending.get("next")


@sensitive_post_parameters("password")
def login_view(request):
    if request.user.is_authenticated:
        return redirect(settings.LOGIN_REDIRECT_URL)
    next_url = _safe_next(request, request.POST.get("next") or request.GET.get("next"))
    form = LoginForm(request, data=request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = form.get_user()
        if not user.needs_two_factor and not two_factor.has_authenticator(user):
            return _complete_login(request, user, None, next_url)
        request.session.cycle_key()
        request.session[PENDING] = {"user": user.pk, "at": time.time(), "next": next_url}
        if two_factor.has_authenticator(user):
            return redirect("accounts:verify")
        return redirect("accounts:enrol")
    return render(request, "accounts/login.html", {"form": form, "next": next_url})


def verify_view(request):
    user, next_url = _pending_user(request)
    if user is None:
        messages.error(request, _("Your sign-in took too long. Please start again."))
        return redirect("accounts:login")
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        # Codes are guessed like passwords: the same ceilings for the account and the address,
        # beside django-otp's own growing delay after each wrong code.
        if not throttle.allowed(request, user.get_username()):
            throttle.failed(request, user.get_username())
            return locked_out(request)
        device = two_factor.verify(user, form.cleaned_data["code"])
        if device is not None:
            del request.session[PENDING]
            return _complete_login(request, user, device, next_url)
        throttle.failed(request, user.get_username())
        form.add_error(
            "code",
            _(
                "This code is not valid. Codes change every 30 seconds and each works only once; "
                "after several wrong codes you must wait before trying again."
            ),
        )
    return render(
        request,
        "accounts/verify.html",
        {"form": form, "demo_code": two_factor.demo_code(user)},
    )


def enrol_view(request):
    user, next_url = _pending_user(request)
    if user is None:
        messages.error(request, _("Your sign-in took too long. Please start again."))
        return redirect("accounts:login")
    if two_factor.has_authenticator(user):
        return redirect("accounts:verify")
    device = two_factor.pending_authenticator(user)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if not throttle.allowed(request, user.get_username()):
            throttle.failed(request, user.get_username())
            return locked_out(request)
        codes = two_factor.confirm_authenticator(user, "".join(form.cleaned_data["code"].split()))
        if codes is not None:
            del request.session[PENDING]
            device.refresh_from_db()
            _complete_login(request, user, device, next_url)
            return render(request, "accounts/backup_codes.html", {"codes": codes, "next": next_url})
        throttle.failed(request, user.get_username())
        form.add_error("code", _("This code does not match. Check the time on your phone."))
    return render(
        request,
        "accounts/enrol.html",
        {
            "form": form,
            "secret": two_factor.secret_for_display(device),
            "qr_code": two_factor.qr_code_data_uri(device),
        },
    )


@require_POST
def logout_view(request):
    logout(request)
    messages.info(request, _("You are signed out."))
    return redirect("accounts:login")


def locked_out(request, original_response=None, credentials=None):
    """Answered (by django-axes too) after too many failed attempts of an account on an address,
    or from the address for any accounts: a page, or the API's refusal with Retry-After."""
    seconds = round(settings.AXES_COOLOFF_TIME * 3600)
    address = getattr(request, "trm_address_locked", False)
    if request.path.startswith("/api/"):
        detail = _(
            "Too many failed attempts with this token or from this address. Try again after "
            "the number of seconds the Retry-After header gives."
        )
        response = JsonResponse({"detail": detail, "reasons": [], "errors": []}, status=429)
    else:
        context = {"minutes": round(seconds / 60), "address": address}
        response = render(request, "accounts/locked_out.html", context, status=429)
    response["Retry-After"] = str(seconds)
    return response


@login_required
def two_factor_view(request):
    codes = None
    if request.method == "POST":
        codes = two_factor.new_backup_codes(request.user)
    return render(
        request,
        "accounts/two_factor.html",
        {"codes": codes, "codes_left": two_factor.backup_codes_left(request.user)},
    )


@require_POST
def language_view(request):
    form = LanguageForm(request.POST)
    if form.is_valid() and request.user.is_authenticated:
        request.user.language = form.cleaned_data["language"]
        request.user.save(update_fields=["language"])
    return set_language(request)


def _administered_organisation(request, pk):
    """The organisation, if the user administers it; otherwise 404 (existence does not leak)."""
    organisation = get_object_or_404(Organisation, pk=pk)
    if not request.user.administers(organisation):
        raise Http404
    return organisation


@login_required
def organisation_users_view(request, pk):
    organisation = _administered_organisation(request, pk)
    form = InvitationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if invite(request, organisation, form.cleaned_data):
            messages.success(request, _("The invitation was sent."))
        else:
            messages.warning(
                request,
                _(
                    "The account was made, but the invitation e-mail could not be sent. "
                    "Ask the person to choose a password with “Forgotten your password?” on the "
                    "sign-in page once e-mail works again."
                ),
            )
        return redirect("accounts:organisation_users", pk=organisation.pk)
    memberships = (
        Membership.objects.filter(organisation=organisation)
        .select_related("user")
        .order_by("-is_active", "user__last_name", "user__first_name")
    )
    return render(
        request,
        "accounts/organisation_users.html",
        {"organisation": organisation, "memberships": memberships, "form": form},
    )


def invite(request, organisation, data) -> bool:
    """Create the account without a password and e-mail a link to choose one; whether the
    e-mail went. The link is a secret, so it is sent at once and kept nowhere, not written
    to the outbox; should the mail server refuse it, the person asks for a new one."""
    user = members.invite_member(request.user, organisation, data)
    link = request.build_absolute_uri(
        reverse(
            "accounts:password_reset_confirm",
            kwargs={
                "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
                "token": default_token_generator.make_token(user),
            },
        )
    )
    context = {"organisation": organisation, "link": link, "node": settings.NODE_NAME}
    try:
        send_mail(
            _("Your trm account"),
            render_to_string("accounts/email/invitation.txt", context),
            None,
            [user.email],
        )
    except (smtplib.SMTPException, OSError) as failed:
        # The error's class only: a mail server's message may quote the address.
        log.warning("invitation e-mail not sent (%s)", type(failed).__name__)
        return False
    return True


@login_required
@require_POST
def deactivate_membership_view(request, pk, membership_pk):
    organisation = _administered_organisation(request, pk)
    membership = get_object_or_404(Membership, pk=membership_pk, organisation=organisation)
    if membership.user_id == request.user.pk:
        messages.error(request, _("You cannot deactivate your own account."))
    else:
        members.deactivate_membership(membership)
        messages.success(request, _("The account was deactivated."))
    return redirect("accounts:organisation_users", pk=organisation.pk)
