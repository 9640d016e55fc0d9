"""Moves of the workflow and the approvals some of them need.

Each transition of `trm.cases.workflow` is its own endpoint, POST /cases/{id}/moves/{event}, so
the OpenAPI document lists the procedure step by step. A refused move answers 409 with the
guards' reasons, the same sentences the case page shows.
"""

import datetime
import uuid
from typing import Any

from django.http import HttpResponse
from django.utils.translation import gettext_lazy as _
from ninja import Router, Schema, Status
from pydantic import Field

from trm.access.policy import Action
from trm.access.view import case_view
from trm.cases.actions import journey
from trm.cases.models import Approval, Case
from trm.cases.stages import ClosureReason, Stage
from trm.cases.workflow import TRANSITIONS, Transition
from trm.lib import limits
from trm.lib.errors import DomainError, NotAllowed

from .auth import a_person_decides, caller, needs
from .cases import CaseState, state_of
from .lookup import visible_case
from .models import Scope
from .records import form_data
from .schemas import IfMatch, In, Version, codes, etag, responses, text, version_wanted

router = Router(tags=["moves and approvals"])

APPROVAL_NOT_FOUND = _("This approval does not exist or you may not see it.")


class MoveOut(Schema):
    event: str
    label: str
    target: codes(Stage) | None = Field(description="None: back to the stage before closure.")
    allowed: bool
    reasons: list[str] = Field(description="Why the move is not possible now; empty if it is.")
    needs_reason: bool
    record: str | None = Field(description="The kind of record the move's `data` fills in.")
    path: str


class MoveIn(In):
    version: Version | None = Field(None, description="The case's version (or send If-Match).")
    data: dict[str, Any] | None = Field(None, description="The record the move makes, if any.")
    reason: text(limits.REASON) = ""


class ApprovalOut(Schema):
    id: uuid.UUID
    subject: codes(Approval.Subject)
    closure_reason: str
    requested_by: str
    requested_at: datetime.datetime
    comment: str | None
    decided_by: str | None
    decided_at: datetime.datetime | None
    approved: bool | None


class ApprovalIn(In):
    subject: codes(Approval.Subject)
    closure_reason: codes(ClosureReason) | None = None
    comment: text(limits.REASON) = ""
    version: Version | None = None


class DecisionIn(In):
    approve: bool
    comment: text(limits.REASON) = ""


def _move_out(case: Case, transition: Transition, reasons: list[str]) -> MoveOut:
    return MoveOut(
        event=transition.event,
        label=str(transition.label),
        target=transition.target,
        allowed=not reasons,
        reasons=reasons,
        needs_reason=transition.needs_reason,
        record=transition.extra.get("record"),
        path=f"/api/cases/{case.pk}/moves/{transition.event}",
    )


@router.get("/{case_id}/moves", response=responses(200, list[MoveOut]))
@needs(Scope.CASES_READ)
def list_moves(request, case_id: uuid.UUID):
    """The moves from the case's stage, each with the reasons it is not possible now.
    Empty for a caller who may only read the case."""
    user = caller(request)
    case, _access = visible_case(user, case_id)
    return [_move_out(case, t, reasons) for t, reasons in journey.available_moves(user, case)]


def _mover(transition: Transition):
    def take_move(
        request,
        case_id: uuid.UUID,
        payload: MoveIn,
        response: HttpResponse,
        if_match: IfMatch = None,
    ):
        user = caller(request)
        case, _access = visible_case(user, case_id)
        version = version_wanted(payload.version, if_match, required=True)
        record = transition.extra.get("record")
        if payload.data and not record:
            raise DomainError(_("This move records nothing: send no data."))
        data = form_data(record, payload.data or {}) if record else None
        try:
            moved = journey.move(
                user, case, transition.event, version=version, data=data, reason=payload.reason
            )
        except DomainError as refused:
            raise refused.within("data") from None  # the record's fields are in `data`
        response["ETag"] = etag(moved.version)
        return state_of(moved)

    take_move.__name__ = f"move_{transition.event}"
    return needs(Scope.CASES_WRITE)(take_move)


def _description(transition: Transition) -> str:
    sources = ", ".join(sorted(transition.sources))
    target = transition.target or "the stage before closure"
    lines = [f"From {sources} to {target}."]
    if transition.extra.get("record"):
        lines.append(
            f"`data` is the `{transition.extra['record']}` record: see GET /api/record-kinds."
        )
    if transition.needs_reason:
        lines.append("Give a `reason`.")
    lines.append("Refused with 409 and the reasons when the workflow does not allow it now.")
    return " ".join(lines)


def _one_endpoint_per_transition() -> None:
    for transition in TRANSITIONS:
        view = _mover(transition)
        router.add_api_operation(
            f"/{{case_id}}/moves/{transition.event}",
            ["POST"],
            view,
            response=responses(200, CaseState),
            operation_id=f"move_{transition.event}",
            summary=str(transition.label),
            description=f"{_description(transition)}\n\n{view.__doc__.strip()}",
            url_name=f"move_{transition.event}",
        )


_one_endpoint_per_transition()


def _approval_out(approval: Approval) -> ApprovalOut:
    """An approval, for the owning organisation's eyes only (`access.view`)."""
    return ApprovalOut(
        id=approval.pk,
        subject=approval.subject,
        closure_reason=approval.closure_reason,
        requested_by=approval.requested_by.get_username(),
        requested_at=approval.requested_at,
        comment=approval.comment,
        decided_by=approval.decided_by.get_username() if approval.decided_by else None,
        decided_at=approval.decided_at,
        approved=approval.approved,
    )


@router.get("/{case_id}/approvals", response=responses(200, list[ApprovalOut]))
@needs(Scope.CASES_READ)
def list_approvals(request, case_id: uuid.UUID):
    """The case's approvals, waiting and decided, newest first."""
    case, access = visible_case(caller(request), case_id)
    approvals = case_view(case, access).approvals.order_by("-requested_at")
    for approval in approvals:
        approval.case = case
    return [_approval_out(approval) for approval in approvals]


@router.post("/{case_id}/approvals", response=responses(201, ApprovalOut))
@needs(Scope.CASES_WRITE)
def request_approval(request, case_id: uuid.UUID, payload: ApprovalIn, if_match: IfMatch = None):
    """Ask a supervisor to approve a best-interests determination or the closure (with its
    reason). A token may ask; only a person decides (see the decision endpoint)."""
    user = caller(request)
    case, access = visible_case(user, case_id)
    version = version_wanted(payload.version, if_match, required=False)
    approval = journey.request_approval(
        user,
        case,
        payload.subject,
        closure_reason=payload.closure_reason or "",
        comment=payload.comment,
        version=version,
    )
    return Status(201, _approval_out(approval))


@router.post("/{case_id}/approvals/{approval_id}/decision", response=responses(200, ApprovalOut))
@needs(Scope.CASES_WRITE)
def decide_approval(request, case_id: uuid.UUID, approval_id: uuid.UUID, payload: DecisionIn):
    """A supervisor of the owning organisation, not the one who asked, approves or returns it.
    An approved closure closes the case.

    People only: an API token is refused with 403 whatever its scopes (a case it may not see
    still answers 404). An approval is a second person's decision, so it stays with a
    supervisor signed in to trm with their second factor."""
    user = caller(request)
    case, access = visible_case(user, case_id)
    a_person_decides(request)
    if not access.allows(Action.EDIT):
        raise NotAllowed(APPROVAL_NOT_FOUND)
    approval = Approval.objects.filter(pk=approval_id, case=case).first()
    if approval is None:
        raise NotAllowed(APPROVAL_NOT_FOUND)
    approval.case = case
    decided = journey.decide_approval(
        user, approval, approve=payload.approve, comment=payload.comment
    )
    decided = Approval.objects.select_related("requested_by", "decided_by").get(pk=decided.pk)
    decided.case = case
    return _approval_out(decided)
