"""Case pages: thin views over the policy (reads) and the actions (writes)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, QueryDict
from django.shortcuts import redirect, render
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods

from trm.access.actions import break_the_glass
from trm.access.categories import DataCategory
from trm.access.policy import (
    BREAK_GLASS_HOURS,
    Action,
    access_to,
    categories_by_case,
    may_open_cases,
    visible_cases,
)
from trm.access.rights import Write, may_write
from trm.audit.log import record
from trm.directory.models import Organisation
from trm.lib.errors import DomainError

from .actions import casework
from .forms import BreakGlassForm, CaseFilterForm, CaseSearchForm, OpenCaseForm, PersonForm
from .http import PersonErased, read_or_404
from .models import Case
from .pages import case_work_context

PAGE_SIZE = 50


def _filters(query: QueryDict, also=()) -> str:
    """The list's filters in `query` (and the parameters `also` named), as a query string."""
    kept = QueryDict(mutable=True)
    for name in (*CaseFilterForm.base_fields, *also):
        if name in query:
            kept.setlist(name, query.getlist(name))
    return kept.urlencode()


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
@sensitive_post_parameters("q")  # a name searched for stays out of error reports too
def case_list(request):
    """The cases the user may see. Filters come by GET (bookmarkable, none of them personal);
    the search by reference or name comes by POST only and is answered here, without a
    redirect, so a name never lands in a URL, a browser's history, a log or a Referer."""
    if "q" in request.GET and request.method != "POST":
        # A search in the URL (an old bookmark) is not run: the list answers from an address
        # without it, so the name goes no further (address bar, Referer, the language form).
        kept = _filters(request.GET, also=("page",))
        return redirect(f"{request.path}?{kept}" if kept else request.path)
    form = CaseFilterForm(request.GET)
    search = CaseSearchForm(request.POST if request.method == "POST" else None)
    cases = form.filter(
        visible_cases(request.user).select_related("person__data_key", "owner__country"),
        request.user,
    )
    cases = search.filter(cases, request.user)
    # A search's later pages are asked for by POST too (the page's buttons resend the search).
    sent = request.POST if request.method == "POST" else request.GET
    page = Paginator(cases, PAGE_SIZE).get_page(sent.get("page"))
    # Links and the search form's action carry the filters only: never `q`, nor anything else
    # the URL brought.
    filters = _filters(request.GET)
    categories = categories_by_case(request.user, [case.pk for case in page.object_list])
    rows = [
        (case, DataCategory.IDENTITY in categories.get(case.pk, ()) and not case.person.erased_at)
        for case in page.object_list
    ]
    if rows:
        record(
            "trm.case.listed",
            actor=request.user,
            details={"cases": [str(case.pk) for case, shows_name in rows if shows_name]},
        )
    openable = [m.organisation for m in request.user.active_memberships()
                if may_open_cases(request.user, m.organisation)]  # fmt: skip
    response = render(
        request,
        "cases/list.html",
        {
            "form": form,
            "search": search,
            "searching": search.searching(),
            "page": page,
            "rows": rows,
            "can_open": bool(openable),
            "filters": filters,
        },
    )
    if request.method == "POST":
        # The answer to a search shows the names searched for: no copy in any cache.
        add_never_cache_headers(response)
    return response


@login_required
def case_detail(request, pk):
    case, access = read_or_404(request, pk, case_page=True)
    return render(
        request,
        "cases/case.html",
        {
            "case": case,
            "access": access,
            "can_export": access.allows(Action.EXPORT),
            **case_work_context(request, case, access),
        },
    )


@login_required
def edit_person(request, pk):
    case, access = read_or_404(request, pk, action=Action.EDIT, purpose="opened_for_edit")
    if not may_write(access, Write.PERSON):
        raise Http404  # the receiving side never changes the person's identity
    categories = {**case.person.CATEGORY_OF_FIELD, **casework.AGE_FIELDS}
    editable = [name for name, kind in categories.items() if access.allows(Action.EDIT, kind)]
    initial = {
        name: getattr(case if name in casework.AGE_FIELDS else case.person, name)
        for name in editable
    }
    form = PersonForm(
        request.POST or None, initial={**initial, "version": case.version}, editable=editable
    )
    if request.method == "POST" and form.is_valid():
        try:
            casework.update_person(
                request.user, case, form.changes(), version=form.cleaned_data["version"] or 0
            )
        except DomainError as refused:
            refused.add_to(form)
        else:
            messages.success(request, _("The person's data was corrected."))
            return redirect(case)
    return render(request, "cases/edit_person.html", {"case": case, "form": form})


@login_required
def open_case(request):
    organisations = [
        membership.organisation
        for membership in request.user.active_memberships()
        if may_open_cases(request.user, membership.organisation)
    ]
    if not organisations:
        raise Http404
    queryset = Organisation.objects.filter(pk__in=[o.pk for o in organisations])
    form = OpenCaseForm(request.POST or None, organisations=queryset)
    if request.method == "POST" and form.is_valid():
        try:
            case = casework.open_case(
                request.user,
                form.cleaned_data["organisation"],
                person=form.person(),
                is_child=form.cleaned_data["is_child"],
                age_uncertain=form.cleaned_data["age_uncertain"],
            )
        except DomainError as refused:
            refused.add_to(form)
        else:
            messages.success(request, _("The case was opened."))
            return redirect(case)
    return render(request, "cases/open.html", {"form": form})


@login_required
def emergency_access(request, pk):
    case = Case.objects.select_related("owner__country", "person").filter(pk=pk).first()
    access = access_to(request.user, case) if case is not None else None
    if access is None or not access.allows(Action.BREAK_GLASS):
        raise Http404
    if case.person.erased_at is not None:  # nothing left to open, and the reason needs the key
        raise PersonErased(case, access)
    form = BreakGlassForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            break_the_glass(request.user, case, form.cleaned_data["reason"])
        except DomainError as refused:
            for reason in refused.reasons:
                form.add_error("reason", reason)
        else:
            return redirect(case)
    return render(
        request,
        "cases/break_glass.html",
        {"case": case, "form": form, "hours": BREAK_GLASS_HOURS},
    )
