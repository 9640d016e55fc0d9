"""The directory pages: search, an organisation, a country's NRM in short."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from . import actions
from .forms import DirectorySearchForm, OrganisationForm
from .models import Country, Organisation

PAGE_SIZE = 25


@login_required
def search(request):
    form = DirectorySearchForm(request.GET)
    page = Paginator(form.organisations(), PAGE_SIZE).get_page(request.GET.get("page"))
    filters = request.GET.copy()
    filters.pop("page", None)
    return render(
        request,
        "directory/search.html",
        {"form": form, "page": page, "filters": filters.urlencode()},
    )


@login_required
def organisation(request, pk):
    found = get_object_or_404(
        Organisation.objects.with_node().select_related("country").prefetch_related("services"),
        pk=pk,
    )
    return render(
        request,
        "directory/organisation.html",
        {"organisation": found, "can_edit": request.user.administers(found)},
    )


@login_required
def edit_organisation(request, pk):
    found = get_object_or_404(Organisation, pk=pk)
    if not request.user.administers(found):
        raise Http404
    form = OrganisationForm(request.POST or None, instance=found)
    if request.method == "POST" and form.is_valid():
        actions.edit_organisation(request.user, form)
        messages.success(request, _("The directory entry was saved."))
        return redirect(found)
    return render(
        request, "directory/organisation_edit.html", {"form": form, "organisation": found}
    )


@login_required
def country(request, code):
    found = get_object_or_404(Country, code=code.upper())
    organisations = (
        found.organisations.filter(is_active=True)
        .with_node()
        .select_related("country")
        .prefetch_related("services")
    )
    return render(
        request,
        "directory/country.html",
        {"country": found, "organisations": organisations, "countries": Country.objects.all()},
    )
