"""The journey in the browser: the steps possible now, the forms of each stage, approvals.

Thin views: read through the policy, write through `journey`, show refusals in place.
"""

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from trm.access.categories import DataCategory
from trm.access.policy import OPENING_ROLES, Action, documents_seen
from trm.access.rights import Write, may_write, writes_of
from trm.access.view import case_view
from trm.accounts.models import Role
from trm.core.uploads import upload_was_too_large
from trm.lib.errors import DomainError

from . import age
from .actions import casework, journey
from .http import read_or_404
from .models import Approval
from .record_kinds import RECORD_KINDS, Side
from .stages import ClosureReason
from .workflow import EVENTS


def recordable_kinds(case, access) -> list:
    """The forms the user may fill in at the case's stage, on their side."""
    if not may_write(access, Write.RECORD):
        return []
    child = age.is_child_on(case)
    return [
        kind
        for kind in RECORD_KINDS.values()
        if case.stage in kind.stages
        and kind.side in (Side.EITHER, access.side)
        and not kind.extra.get("by_transition")
        and (child or not kind.children_only)
    ]


@login_required
def record_form(request, pk, kind, record_id=None):
    """Fill in a form of the stage, or correct a record (`record_id`)."""
    case, access = read_or_404(request, pk, action=Action.EDIT, purpose="opened_for_edit")
    record_kind = RECORD_KINDS.get(kind)
    if record_kind is None:
        raise Http404
    corrected = shown = None
    if record_id is not None:
        # Only a record of the reader's own organisation, as the reader's view holds it.
        shown = case_view(case, access).any_record(record_id)
        if shown is None or shown.kind != kind or not shown.written_by_reader:
            raise Http404
        corrected = get_object_or_404(case.records, pk=record_id, kind=kind)
    form_class = record_kind.form_class(child=age.is_child_on(case))
    if request.method == "POST":
        form = form_class(request.POST)
        if form.is_valid():
            try:
                journey.add_record(request.user, case, kind, request.POST, supersedes=corrected)
            except DomainError as refused:
                refused.add_to(form)
            else:
                saved = _("%(record)s was saved.") % {"record": record_kind.label}
                messages.success(request, saved)
                return redirect(case)
    else:
        form = form_class(initial=shown.values if shown else None)
    return render(
        request,
        "cases/record_form.html",
        {"case": case, "kind": record_kind, "form": form, "corrected": corrected},
    )


@login_required
def take_step(request, pk, event):
    """One step of the workflow; steps that record something show their form first."""
    case, access = read_or_404(request, pk, action=Action.EDIT, purpose="opened_for_edit")
    transition = EVENTS.get(event)
    if transition is None:
        raise Http404
    kind = RECORD_KINDS.get(transition.extra.get("record", ""))
    form = kind.form_class(child=age.is_child_on(case))(request.POST or None) if kind else None
    reasons = []
    if request.method == "POST" and (form is None or form.is_valid()):
        try:
            journey.move(
                request.user,
                case,
                event,
                version=int(request.POST.get("version") or 0),
                data=request.POST if kind else None,
                reason=request.POST.get("reason", ""),
            )
        except DomainError as refused:
            refused.raise_if_not_for_the_page()
            if form is not None and refused.errors:
                refused.add_to(form)  # what is wrong with the record, at its fields
            else:
                reasons = refused.reasons
        else:
            messages.success(request, _("Done: %(step)s.") % {"step": transition.label})
            return redirect(case)
    return render(
        request,
        "cases/step.html",
        {"case": case, "transition": transition, "form": form, "reasons": reasons},
    )


@login_required
@require_POST
def ask_approval(request, pk):
    case, access = read_or_404(request, pk, action=Action.EDIT, purpose="opened_for_edit")
    try:
        journey.request_approval(
            request.user,
            case,
            request.POST.get("subject", ""),
            closure_reason=request.POST.get("closure_reason", ""),
            comment=request.POST.get("comment", ""),
        )
    except DomainError as refused:
        refused.tell(request)
    else:
        messages.success(request, _("A supervisor was asked for approval."))
    return redirect(case)


def approvals_waiting_for(user):
    """Pending approvals of the organisations the user supervises, not asked by themselves."""
    supervised = user.memberships.filter(role=Role.SUPERVISOR, is_active=True).values(
        "organisation_id"
    )
    return (
        Approval.objects.pending()
        .filter(case__owner_id__in=supervised)
        .exclude(requested_by=user)
        .select_related("case__owner", "requested_by", "record")
        .order_by("requested_at")
    )


@login_required
def approvals(request):
    waiting = approvals_waiting_for(request.user)
    if request.method == "POST":
        approval = get_object_or_404(waiting, pk=request.POST.get("approval"))
        try:
            journey.decide_approval(
                request.user,
                approval,
                approve=request.POST.get("decision") == "approve",
                comment=request.POST.get("comment", ""),
            )
        except DomainError as refused:
            refused.tell(request)
        else:
            messages.success(request, _("Your decision was recorded."))
        return redirect("cases:approvals")
    return render(request, "cases/approvals.html", {"approvals": waiting})


CLOSURE_REASONS = ClosureReason.choices


def case_work_context(request, case, access) -> dict:
    """What the case page shows of the journey: steps, forms, records, approvals, timeline."""
    from .timeline import timeline

    view = case_view(case, access)
    writes = writes_of(access)
    return {
        "view": view,
        "moves": journey.available_moves(request.user, case) if Write.STEP in writes else [],
        "recordable": recordable_kinds(case, access),
        "records": list(reversed(view.records)),
        "pending_approvals": view.approvals.pending(),
        "closure_reasons": CLOSURE_REASONS,
        "timeline": timeline(view),
        "notes": view.notes,
        "attachments": view.attachments,
        "document_categories": DataCategory.choices,
        "workers": assignable_workers(case) if Write.ASSIGNMENT in writes else None,
        "writes": writes,
        "may_ask_approval": Write.APPROVAL_REQUEST in writes,
    }


@login_required
@require_POST
def add_note(request, pk):
    case, access = read_or_404(request, pk, action=Action.EDIT, purpose="opened_for_edit")
    _act(request, lambda: casework.add_note(request.user, case, request.POST.get("text", "")),
         _("The note was added."))  # fmt: skip
    if request.htmx:  # only the notes section is replaced
        notes = case_view(case, access).notes
        context = {"case": case, "writes": {Write.NOTE}, "in_place": True, "notes": notes}
        return render(request, "cases/case.html#notes", context)
    return redirect(case)


@login_required
@require_POST
def attach(request, pk):
    case, _access = read_or_404(request, pk, action=Action.EDIT, purpose="opened_for_edit")
    upload = request.FILES.get("file")
    if upload_was_too_large(request):
        messages.error(request, casework.file_too_large())
    elif upload is None:
        messages.error(request, _("Choose a file to attach."))
    else:
        category = request.POST.get("category", "")
        _act(request, lambda: casework.attach_file(request.user, case, upload.name, upload.read(),
                                                   category=category),
             _("The file was attached."))  # fmt: skip
    return redirect(case)


@login_required
def download(request, pk, attachment):
    """An attachment, always as a download (never shown inline), its reading audited."""
    case, access = read_or_404(request, pk, purpose="attachment_downloaded")
    found = get_object_or_404(documents_seen(access, case, case.attachments), pk=attachment)
    response = HttpResponse(found.content, content_type=found.content_type)
    response["Content-Disposition"] = f'attachment; filename="{_safe_filename(found)}"'
    response["Cache-Control"] = "no-store"
    return response


def _safe_filename(attachment) -> str:
    # The name may be in any script; the header carries an ASCII one, the real name is in trm.
    extension = {"application/pdf": "pdf", "image/png": "png", "image/jpeg": "jpg"}
    return (
        f"{attachment.case.reference}-{str(attachment.pk)[:8]}.{extension[attachment.content_type]}"
    )


@login_required
@require_POST
def assign(request, pk):
    case, _access = read_or_404(request, pk, action=Action.ASSIGN, purpose="opened_for_edit")
    worker = get_object_or_404(get_user_model(), pk=request.POST.get("case_worker") or 0)
    _act(request, lambda: casework.assign_case(request.user, case, worker),
         _("The case was assigned."))  # fmt: skip
    return redirect(case)


def _act(request, action, done: str):
    """Run an action for a page; refusals become messages (404 when the case is hidden)."""
    try:
        action()
    except DomainError as refused:
        refused.tell(request)
    else:
        messages.success(request, done)


def assignable_workers(case):
    """Members of the owning organisation who can work the case."""
    return (
        get_user_model()
        .objects.filter(
            memberships__organisation_id=case.owner_id,
            memberships__is_active=True,
            memberships__role__in=OPENING_ROLES,
            is_active=True,
        )
        .distinct()
        .order_by("last_name", "first_name")
    )
