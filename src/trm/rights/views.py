"""The data protection officer's pages: subject access export, erasure, retention reports."""

import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.serializers.json import DjangoJSONEncoder
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from trm.access.policy import Action, access_to, visible_cases
from trm.accounts.models import Role
from trm.cases.models import Case
from trm.lib.errors import DomainError

from .erasure import erase_person
from .export import export_person
from .forms import EraseForm, FindCaseForm
from .models import RetentionReport
from .presentation import printable


def _officer_organisations(user) -> list[int]:
    return list(
        user.memberships.filter(role=Role.DATA_PROTECTION_OFFICER, is_active=True).values_list(
            "organisation_id", flat=True
        )
    )


def _case_or_404(request, pk) -> tuple[Case, object]:
    """The case, if the user may export or erase its person; 404 otherwise, like no case."""
    case = Case.objects.select_related("person", "owner__country").filter(pk=pk).first()
    access = access_to(request.user, case) if case is not None else None
    if not access or not (access.allows(Action.EXPORT) or access.allows(Action.ERASE)):
        raise Http404
    return case, access


@login_required
def index(request):
    organisations = _officer_organisations(request.user)
    if not organisations:
        raise Http404
    form = FindCaseForm(request.GET or None)
    if form.is_valid():
        case = (
            visible_cases(request.user)
            .filter(reference=form.cleaned_data["reference"], owner_id__in=organisations)
            .first()
        )
        if case is not None and access_to(request.user, case).allows(Action.EXPORT):
            return redirect("rights:case", case.pk)
        form.add_error("reference", _("No case of your organisations has this reference."))
    return render(request, "rights/index.html", {"form": form})


def _case_page(request, case, access, erase_form, status=200):
    return render(
        request,
        "rights/case.html",
        {
            "case": case,
            "can_export": access.allows(Action.EXPORT),
            "can_erase": access.allows(Action.ERASE) and case.person.erased_at is None,
            "erase_form": erase_form,
        },
        status=status,
    )


@login_required
@never_cache
def case_rights(request, pk):
    case, access = _case_or_404(request, pk)
    return _case_page(request, case, access, EraseForm(case=case))


@login_required
@never_cache
def export_json(request, pk):
    case, _access = _case_or_404(request, pk)
    export = export_person(request.user, case)
    response = HttpResponse(
        json.dumps(export, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2),
        content_type="application/json; charset=utf-8",
    )
    # Always a download: personal data is never rendered inline by the browser.
    response["Content-Disposition"] = (
        f'attachment; filename="trm-subject-access-{case.reference}.json"'
    )
    return response


@login_required
@never_cache
def export_printable(request, pk):
    case, _access = _case_or_404(request, pk)
    export = export_person(request.user, case)
    return render(request, "rights/export.html", {"case": case, **printable(export)})


@login_required
@require_POST
def erase(request, pk):
    case, access = _case_or_404(request, pk)
    form = EraseForm(request.POST, case=case)
    if form.is_valid():
        try:
            erase_person(request.user, case, form.cleaned_data["reason"])
        except DomainError as refused:
            refused.add_to(form)
        else:
            messages.success(request, _("The person's data was erased."))
            return redirect("rights:case", case.pk)
    return _case_page(request, case, access, form, status=422)


@login_required
def retention_reports(request):
    organisations = _officer_organisations(request.user)
    if not organisations:
        raise Http404
    reports = list(RetentionReport.objects.all()[:100])
    mentioned = {case_id for report in reports for case_id in report.case_ids}
    # Only the cases of the officer's organisations: the others are not theirs to see.
    references = dict(
        Case.objects.filter(pk__in=mentioned, owner_id__in=organisations).values_list(
            "pk", "reference"
        )
    )
    references = {str(pk): reference for pk, reference in references.items()}
    rows = []
    for report in reports:
        own = [references[case_id] for case_id in report.case_ids if case_id in references]
        erased = [
            references[case_id] for case_id in report.erased_case_ids if case_id in references
        ]
        if own:
            rows.append((report, sorted(own), sorted(erased)))
    return render(request, "rights/retention.html", {"rows": rows})
