"""The data protection officer's view of the audit trail."""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import render

from trm.accounts.models import Role

from .actions import sentence
from .forms import AuditFilterForm
from .log import record
from .reasons import shown_reasons

PAGE_SIZE = 50


@login_required
def events(request):
    memberships = list(
        request.user.memberships.filter(role=Role.DATA_PROTECTION_OFFICER, is_active=True)
        .select_related("organisation")
        .order_by("organisation_id")
    )
    if not memberships:
        # 404, not 403: the page's existence is none of other roles' business.
        raise Http404
    form = AuditFilterForm(request.GET)
    valid = form.is_valid()
    # Watching the watchers: the officer's own reading of the trail is on the trail.
    record(
        "trm.audit.viewed",
        actor=request.user,
        organisation=memberships[0].organisation,
        object_type=form.cleaned_data["object_type"] if valid else "",
        object_id=form.cleaned_data["object_id"] if valid else "",
        details={
            "organisations": [m.organisation_id for m in memberships],
            "filters": form.used_filters(),
        },
    )
    found = form.events([m.organisation_id for m in memberships])
    page = Paginator(found, PAGE_SIZE).get_page(request.GET.get("page"))
    # The officer may read the reasons of their organisations' events: decrypted here, checked
    # against the chain's HMAC, "erased" once the person's key is gone.
    reasons = shown_reasons(page.object_list)
    for event in page.object_list:
        event.sentence = sentence(event.action)
        event.shown_reason = reasons.get(event.sequence)
    filters = request.GET.copy()
    filters.pop("page", None)
    return render(
        request,
        "audit/events.html",
        {"form": form, "page": page, "filters": filters.urlencode()},
    )
