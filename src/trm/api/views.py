"""The API tokens page of an organisation, for its administrators: make, list and revoke.

An administrator makes tokens for themselves: a token reaches no further than they do there
(see trm.api.tokens), and one that reaches case data needs the second factor of this session.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from trm.accounts.models import Role
from trm.directory.models import Organisation
from trm.lib.errors import DomainError

from .forms import TokenForm
from .models import ApiToken
from .tokens import create_token, revoke_token


def _administered(request, pk) -> Organisation:
    """The organisation, if the user administers it; otherwise 404 (existence does not leak)."""
    organisation = get_object_or_404(Organisation, pk=pk)
    if not request.user.administers(organisation):
        raise Http404
    return organisation


@login_required
def index(request):
    organisations = Organisation.objects.filter(
        memberships__user=request.user,
        memberships__role=Role.ORGANISATION_ADMIN,
        memberships__is_active=True,
    ).distinct()
    if not organisations:
        raise Http404
    if len(organisations) == 1:
        return redirect("api_tokens:organisation", pk=organisations[0].pk)
    return render(request, "api/token_organisations.html", {"organisations": organisations})


@never_cache  # the page may show a secret once: no copy in any cache
@login_required
def organisation_tokens(request, pk):
    organisation = _administered(request, pk)
    form = TokenForm(request.POST or None)
    secret = None
    if request.method == "POST" and form.is_valid():
        try:
            _token, secret = create_token(
                request.user,
                organisation,
                name=form.cleaned_data["name"],
                scopes=form.cleaned_data["scopes"],
                second_factor=request.user.is_verified(),
            )
        except DomainError as refused:
            for reason in refused.reasons:
                form.add_error(None, reason)
        else:
            form = TokenForm()
    tokens = ApiToken.objects.filter(organisation=organisation).select_related(
        "created_by", "revoked_by"
    )
    return render(
        request,
        "api/tokens.html",
        {"organisation": organisation, "tokens": tokens, "form": form, "secret": secret},
    )


@login_required
@require_POST
def revoke(request, pk, token_pk):
    organisation = _administered(request, pk)
    token = get_object_or_404(ApiToken, pk=token_pk, organisation=organisation)
    try:
        revoke_token(request.user, token)
    except DomainError as refused:
        messages.error(request, " ".join(refused.reasons))
    else:
        messages.success(request, _("The token was revoked: it no longer works."))
    return redirect("api_tokens:organisation", pk=organisation.pk)
