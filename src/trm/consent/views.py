"""Consent pages: the person's consent on a case, recorded and withdrawn through the actions."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from trm.access.policy import Action, Side
from trm.access.reads import read_case
from trm.access.rights import Write, may_write
from trm.access.view import case_view
from trm.cases.age import is_child_on
from trm.lib.errors import DomainError

from . import actions
from .forms import ConsentForm, WithdrawForm
from .models import ConsentRecord
from .state import ids_in_force


def _page(request, case, access, form, status=200):
    person = case.person
    view = case_view(case, access)
    records = view.consents.select_related("person__data_key").order_by("-recorded_at")
    return render(
        request,
        "consent/case.html",
        {
            "case": case,
            "records": records,
            "in_force": ids_in_force(person),
            "erased": person.erased_at is not None,
            "can_edit": may_write(access, Write.CONSENT) and person.erased_at is None,
            "referrals": view.referrals if access.side == Side.RECEIVING else (),
            "form": form,
            "withdraw_form": WithdrawForm(),
        },
        status=status,
    )


@login_required
def case_consent(request, pk):
    if request.method == "POST":
        case, access = read_case(request.user, pk, action=Action.EDIT, purpose="opened_for_edit")
        form = ConsentForm(request.POST, is_child=is_child_on(case))
        if form.is_valid():
            try:
                actions.record_consent(request.user, case, **form.action_arguments())
            except DomainError as refused:
                for reason in refused.reasons:
                    form.add_error(None, reason)
            else:
                messages.success(request, _("The consent was recorded."))
                return redirect("consent:case", case.pk)
        return _page(request, case, access, form, status=422)
    case, access = read_case(request.user, pk, purpose="consent_viewed")
    return _page(request, case, access, ConsentForm(is_child=is_child_on(case)))


@login_required
@require_POST
def withdraw(request, pk, consent):
    case, access = read_case(request.user, pk, action=Action.EDIT, purpose="opened_for_edit")
    record = ConsentRecord.objects.filter(pk=consent, person_id=case.person_id).first()
    if record is None:
        raise Http404
    form = WithdrawForm(request.POST)
    if form.is_valid():
        try:
            actions.withdraw_consent(request.user, case, record, form.cleaned_data["reason"])
        except DomainError as refused:
            refused.tell(request)
        else:
            messages.success(request, _("The withdrawal was recorded."))
    return redirect("consent:case", case.pk)
