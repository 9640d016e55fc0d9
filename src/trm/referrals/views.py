"""Referral pages: send (see what consent covers and what will go), inbox, answer, thread."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from trm.access.categories import ALWAYS_SHARED, DataCategory
from trm.access.policy import Action, access_to
from trm.cases.http import read_or_404
from trm.cases.stages import Stage
from trm.consent.models import Purpose
from trm.consent.state import current_consents
from trm.directory.models import Organisation
from trm.lib import limits
from trm.lib.errors import DomainError

from . import actions, withdrawal
from .actions import reasons_not_to_refer, works_for
from .inbox import inbox_for, outbox_for, thread
from .models import AWAITING_ANSWER, OPEN_STATES, MessageKind, Referral
from .package import country_names, message_sections, package_sections, preview_sections
from .payload import build_payload, narratives


class SendForm(forms.Form):
    receiver = forms.ModelChoiceField(
        label=gettext_lazy("Organisation in the country of origin"), queryset=Organisation.objects
    )
    categories = forms.MultipleChoiceField(
        label=gettext_lazy("Data to share"),
        choices=DataCategory.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=gettext_lazy("Risk to life is always shared."),
    )
    message = forms.CharField(
        label=gettext_lazy("Message"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=limits.MESSAGE,
        required=False,
    )

    def __init__(self, *args, case, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["receiver"].queryset = (
            Organisation.objects.filter(is_active=True)
            .reachable()  # here, or on a node this one exchanges with
            .exclude(country_id=case.owner.country_id)
            .select_related("country")
            .order_by("country__code", "name")
        )


def consented_categories(case, receiver) -> set[str]:
    """The data categories the person agreed to share with `receiver`, now."""
    found = set()
    for consent in current_consents(case.person).filter(
        purpose=Purpose.REFERRAL, recipient_organisation=receiver
    ):
        found |= set(consent.categories)
    return found


@login_required
def send(request, pk):
    """Choose the organisation, see what consent covers, pick the categories, preview, send."""
    case, access = read_or_404(request, pk, action=Action.EDIT, purpose="opened_for_edit")
    if case.stage != Stage.REFERRAL:
        raise Http404
    form = SendForm(request.POST or request.GET or None, case=case)
    receiver = consented = reasons = payload = None
    narrative, included = [], set()
    if form.is_bound and form.is_valid():
        receiver = form.cleaned_data["receiver"]
        consented = consented_categories(case, receiver)
        chosen = set(form.cleaned_data["categories"]) | ALWAYS_SHARED
        reasons = reasons_not_to_refer(case, receiver, chosen)
        if request.method == "POST" and not reasons:
            narrative = narratives(case, chosen)
            included = set(request.POST.getlist("texts")) & {item.key for item in narrative}
            payload = build_payload(
                case, chosen, message=form.cleaned_data["message"], texts=included
            )
            if request.POST.get("confirm"):
                try:
                    actions.send_referral(
                        request.user, case, receiver, sorted(chosen),
                        form.cleaned_data["message"], texts=included,
                    )  # fmt: skip
                except DomainError as refused:
                    refused.raise_if_not_for_the_page()
                    reasons = refused.reasons
                else:
                    messages.success(request, _("The referral was sent."))
                    return redirect(case)
    return render(
        request,
        "referrals/send.html",
        {
            "case": case,
            "form": form,
            # The payload as the case worker reads it before it goes abroad.
            "package": package_sections(payload) if payload else None,
            "receiver": receiver,
            "consented": [DataCategory(c).label for c in sorted(consented or ())],
            "reasons": reasons,
            "payload": payload,
            "narrative": narrative,
            "included": included,
        },
    )


@login_required
def inbox(request):
    return render(
        request,
        "referrals/inbox.html",
        {
            "incoming": inbox_for(request.user)[:100],
            "outgoing": outbox_for(request.user)[:100],
            "awaiting": AWAITING_ANSWER,
        },
    )


class AcceptForm(forms.Form):
    met_by = forms.CharField(label=gettext_lazy("Who will meet the person"), max_length=limits.LINE)
    place = forms.CharField(label=gettext_lazy("Where"), max_length=limits.LINE)
    meeting_at = forms.DateTimeField(
        label=gettext_lazy("When"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    capacity_confirmed = forms.BooleanField(
        label=gettext_lazy("We have the capacity to assist the person")
    )


class TextForm(forms.Form):
    text = forms.CharField(
        label=gettext_lazy("Text"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=limits.MESSAGE,
    )


class ReasonForm(forms.Form):
    # Named `text` as TextForm's field is: the page's template shows either the same way.
    text = forms.CharField(
        label=gettext_lazy("Reason"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=limits.REASON,
    )


class WithdrawalForm(forms.Form):
    note = forms.CharField(
        label=gettext_lazy("What the person said (optional)"),
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=limits.REASON,
        required=False,
    )


@login_required
def referral(request, pk):
    """One referral: the preview or the content, the thread, and the answers possible now."""
    found = get_object_or_404(
        Referral.objects.select_related("case__owner", "case__person", "sender", "receiver"), pk=pk
    )
    entries = thread(request.user, found)
    receiving = works_for(request.user, found.receiver)
    awaiting = found.state in AWAITING_ANSWER
    forms_by_action = {
        "accept": AcceptForm(request.POST if request.POST.get("action") == "accept" else None),
        "decline": ReasonForm(request.POST if request.POST.get("action") == "decline" else None),
        "ask": TextForm(request.POST if request.POST.get("action") == "ask" else None),
        "cancel": ReasonForm(request.POST if request.POST.get("action") == "cancel" else None),
        "consent_withdrawn": WithdrawalForm(
            request.POST if request.POST.get("action") == "consent_withdrawn" else None
        ),
    }
    action = request.POST.get("action")
    if request.method == "POST" and action in forms_by_action:
        form = forms_by_action[action]
        if form.is_valid():
            try:
                _answer(request.user, found, action, form.cleaned_data)
            except DomainError as refused:
                refused.add_to(form)
            else:
                messages.success(request, _("Done."))
                return redirect("referrals:referral", pk=found.pk)
    return render(
        request,
        "referrals/referral.html",
        {
            "referral": found,
            "thread": _readable(entries),
            "receiving": receiving,
            "awaiting": awaiting,
            "can_open_case": access_to(request.user, found.case).allows(Action.VIEW),
            "can_cancel": not receiving and found.state in OPEN_STATES,
            "forms": forms_by_action,
            "questions": [
                entry.message
                for entry in entries
                if entry.message.kind == MessageKind.ASK_INFORMATION
            ],  # fmt: skip
        },
    )


def _readable(entries):
    """Each entry of a thread with its content as sections to read; None where the content can
    no longer be read (the person was erased)."""
    countries = country_names()
    shown = []
    for entry in entries:
        if entry.preview is not None:
            sections = preview_sections(entry.preview, countries)
        elif entry.content is not None:
            sections = message_sections(entry.message.kind, entry.content, countries)
        else:
            sections = None
        shown.append((entry, sections))
    return shown


def _answer(user, referral, action, data):
    if action == "accept":
        actions.accept_referral(
            user, referral, met_by=data["met_by"], place=data["place"],
            meeting_at=data["meeting_at"], capacity_confirmed=data["capacity_confirmed"],
        )  # fmt: skip
    elif action == "decline":
        actions.decline_referral(user, referral, data["text"])
    elif action == "ask":
        actions.ask_for_information(user, referral, data["text"])
    elif action == "cancel":
        actions.cancel_referral(user, referral, data["text"])
    elif action == "consent_withdrawn":
        withdrawal.report_withdrawal(user, referral, data["note"])


@login_required
@require_POST
def answer_question(request, pk, message):
    found = get_object_or_404(Referral, pk=pk)
    question = get_object_or_404(found.messages, pk=message, kind=MessageKind.ASK_INFORMATION)
    form = TextForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect("referrals:referral", pk=found.pk)
    try:
        actions.answer(request.user, found, question, form.cleaned_data["text"])
    except DomainError as refused:
        refused.tell(request)
    else:
        messages.success(request, _("The answer was sent."))
    return redirect("referrals:referral", pk=found.pk)
