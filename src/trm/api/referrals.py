"""Transnational referrals: send one, the receiving side's inbox and preview, its answer, the
thread of messages, and the sender's cancellation. The same actions as the referral pages."""

import datetime
import uuid
from typing import Any, Literal

from django.http import HttpResponse
from django.utils.translation import gettext_lazy as _
from ninja import Query, Router, Schema, Status
from pydantic import Field

from trm.access.categories import DataCategory
from trm.access.view import narrative_key
from trm.directory.models import Organisation, ServiceKind
from trm.lib import limits
from trm.lib.errors import DomainError, NotAllowed
from trm.referrals import actions, withdrawal
from trm.referrals.inbox import Entry, inbox_for, outbox_for, thread
from trm.referrals.models import MessageKind, Referral, ReferralMessage, ReferralState
from trm.referrals.payload import preview, with_sending_message

from .auth import caller, needs
from .lookup import visible_case
from .models import Scope
from .schemas import (
    Date,
    DirectoryId,
    In,
    Limit,
    Moment,
    Offset,
    Page,
    codes,
    page_of,
    responses,
    text,
)

router = Router(tags=["referrals"])
case_router = Router(tags=["referrals"])


class OrganisationRef(Schema):
    id: int
    name: str
    country: str


class PreviewOut(Schema):
    """What the receiving side sees before it accepts: nothing that names the person."""

    available: bool = Field(description="False once the person's data was erased.")
    child: bool | None = None
    age_band: str | None = None
    sex: str | None = None
    citizenship: str | None = None
    services: list[str] = []
    planned_return_month: str | None = None
    risk_level: str | None = None
    risk_to_life: bool = False
    escort_needed: bool = False


class ReferralOut(Schema):
    id: uuid.UUID
    case_id: uuid.UUID
    case_reference: str
    sender: OrganisationRef
    receiver: OrganisationRef
    state: codes(ReferralState)
    categories: list[str]
    sent_at: datetime.datetime
    response_due_at: datetime.datetime
    decided_at: datetime.datetime | None
    seconds_left: int | None = Field(
        description="Until the answer is due, negative once overdue; none once answered."
    )


class InboxEntry(ReferralOut):
    preview: PreviewOut


class DeliveryOut(Schema):
    state: Literal["queued", "stopped", "delivered", "held", "refused", "read", "answered"] = Field(
        description="queued: not yet received there; stopped: not sent, behind an earlier "
        "message of the referral the receiving node refused before it could verify it; "
        "delivered: received and applied; held: received, waiting for the messages sent "
        "before it; refused: not applied there; read: opened by a person of the "
        "organisation it is to; answered: answered by that organisation. `since` says when."
    )
    node: str
    since: datetime.datetime
    refusal: str = Field("", description="The receiving node's code, when refused or stopped.")
    overdue: bool = Field(description="Undelivered for longer than the node's alert time.")
    read_at: datetime.datetime | None = Field(
        None, description="When a person of the organisation it is to first opened it."
    )
    answered_at: datetime.datetime | None = Field(
        None, description="When that organisation answered it."
    )


class MessageOut(Schema):
    id: uuid.UUID
    kind: codes(MessageKind)
    from_organisation: OrganisationRef
    to_organisation: OrganisationRef
    sent_by: str | None
    sent_at: datetime.datetime
    received_at: datetime.datetime | None
    in_reply_to: uuid.UUID | None
    content: dict[str, Any] | None = Field(
        description="The message; none where the reader sees only the preview."
    )
    preview: PreviewOut | None
    delivery: DeliveryOut | None = Field(
        None, description="For a message sent to another node: where its delivery stands."
    )


class NarrativeIn(In):
    record: uuid.UUID
    field: text(40, 1)


class ReferralIn(In):
    receiver: DirectoryId = Field(description="The receiving organisation's id in the directory.")
    categories: list[codes(DataCategory)] = Field(
        max_length=20, description="What to share; risk to life is always shared."
    )
    message: text(limits.MESSAGE) = ""
    services: list[codes(ServiceKind)] = Field([], max_length=20)
    planned_return: Date | None = Field(None, description="A day in the month of the return.")
    texts: list[NarrativeIn] = Field(
        [],
        max_length=200,
        description="The narrative fields (kind `longtext` in GET /api/record-kinds) of the "
        "case's records that you read and include; narrative crosses only when included, and "
        "only in a shared category.",
    )


class AcceptIn(In):
    met_by: text(limits.LINE, 1)
    place: text(limits.LINE, 1)
    meeting_at: Moment = Field(description="With its time zone.")
    capacity_confirmed: bool = True
    message: text(limits.MESSAGE) = ""


class ReasonIn(In):
    reason: text(limits.REASON, 1)


class QuestionIn(In):
    question: text(limits.MESSAGE, 1)


class AnswerIn(In):
    in_reply_to: uuid.UUID = Field(description="The request for information answered.")
    text: text(limits.MESSAGE, 1)


class Filters(Schema):
    state: codes(ReferralState) | None = None
    limit: Limit = 50
    offset: Offset = 0


def _organisation(organisation) -> OrganisationRef:
    return OrganisationRef(
        id=organisation.pk, name=organisation.name, country=organisation.country.code
    )


def _seconds_left(referral) -> int | None:
    left = referral.time_to_answer()
    return None if left is None else int(left.total_seconds())


def referral_out(referral: Referral, schema=ReferralOut, **extra) -> ReferralOut:
    return schema(
        id=referral.pk,
        case_id=referral.case_id,
        case_reference=referral.case.reference,
        sender=_organisation(referral.sender),
        receiver=_organisation(referral.receiver),
        state=referral.state,
        categories=list(referral.categories),
        sent_at=referral.sent_at,
        response_due_at=referral.response_due_at,
        decided_at=referral.decided_at,
        seconds_left=_seconds_left(referral),
        **extra,
    )


def preview_out(found) -> PreviewOut:
    if found is None:
        return PreviewOut(available=False)
    return PreviewOut(available=True, **vars(found))


def _referral(user, referral_id, *related: str) -> Referral:
    """The referral, for a member (with a case role) of its sender or receiver; else 404.
    `related`: more relations to read with it."""
    referral = (
        Referral.objects.select_related("case", "sender__country", "receiver__country", *related)
        .filter(pk=referral_id)
        .first()
    )
    if referral is None or not (
        actions.works_for(user, referral.sender) or actions.works_for(user, referral.receiver)
    ):
        raise NotAllowed(actions.NOT_FOUND)
    return referral


def _fresh(referral: Referral) -> Referral:
    return Referral.objects.select_related("case", "sender__country", "receiver__country").get(
        pk=referral.pk
    )


def _listing(referrals, filters: Filters):
    if filters.state:
        referrals = referrals.filter(state=filters.state)
    count, found = page_of(
        referrals.select_related("case").order_by("-sent_at", "pk"), filters.limit, filters.offset
    )
    return count, found


# --- on a case ------------------------------------------------------------------------------


@case_router.get("/{case_id}/referrals", response=responses(200, list[ReferralOut]))
@needs(Scope.REFERRALS_READ)
def case_referrals(request, case_id: uuid.UUID):
    """The case's referrals the caller's organisations sent or received, newest first."""
    user = caller(request)
    case, _access = visible_case(user, case_id)
    referrals = (
        Referral.objects.filter(case=case)
        .select_related("case", "sender__country", "receiver__country")
        .order_by("-sent_at")
    )
    return [
        referral_out(r)
        for r in referrals
        if actions.works_for(user, r.sender) or actions.works_for(user, r.receiver)
    ]


@case_router.post("/{case_id}/referrals", response=responses(201, ReferralOut))
@needs(Scope.REFERRALS_WRITE)
def send_referral(request, case_id: uuid.UUID, payload: ReferralIn, response: HttpResponse):
    """Refer the case to an organisation of the country of origin, sharing what the person
    consented to (risk to life always). Refused with the reasons (409) when it may not go."""
    user = caller(request)
    case, _access = visible_case(user, case_id)
    receiver = (
        Organisation.objects.select_related("country", "hosted_on")
        .filter(pk=payload.receiver)
        .first()
    )
    if receiver is None:
        raise DomainError(_("There is no such organisation in the directory."))
    referral = actions.send_referral(
        user,
        case,
        receiver,
        payload.categories,
        payload.message,
        services=payload.services,
        planned_return=payload.planned_return,
        texts=[narrative_key(text.record, text.field) for text in payload.texts],
    )
    response["Location"] = f"/api/referrals/{referral.pk}"
    return Status(201, referral_out(_fresh(referral)))


# --- the referral itself --------------------------------------------------------------------


@router.get("/inbox", response=responses(200, Page[InboxEntry]))
@needs(Scope.REFERRALS_READ)
def inbox(request, filters: Query[Filters]):
    """Referrals to the caller's organisations, newest first, each with its preview and the
    time left to answer."""
    referrals = with_sending_message(inbox_for(caller(request)))
    count, found = _listing(referrals.select_related("case__person__data_key"), filters)
    items = [referral_out(r, InboxEntry, preview=preview_out(preview(r))) for r in found]
    return {"count": count, "limit": filters.limit, "offset": filters.offset, "items": items}


@router.get("/outbox", response=responses(200, Page[ReferralOut]))
@needs(Scope.REFERRALS_READ)
def outbox(request, filters: Query[Filters]):
    """Referrals the caller's organisations sent, newest first."""
    count, found = _listing(outbox_for(caller(request)), filters)
    items = [referral_out(r) for r in found]
    return {"count": count, "limit": filters.limit, "offset": filters.offset, "items": items}


@router.get("/{referral_id}", response=responses(200, ReferralOut))
@needs(Scope.REFERRALS_READ)
def get_referral(request, referral_id: uuid.UUID):
    """One referral, for the sending or the receiving organisation."""
    return referral_out(_referral(caller(request), referral_id))


@router.get("/{referral_id}/preview", response=responses(200, PreviewOut))
@needs(Scope.REFERRALS_READ)
def get_preview(request, referral_id: uuid.UUID):
    """The minimal, non-identifying preview the receiving side decides on."""
    # With the key the referral's message decrypts with.
    referral = _referral(caller(request), referral_id, "case__person__data_key")
    return preview_out(preview(referral))


def _message_out(entry) -> MessageOut:
    message = entry.message
    return MessageOut(
        id=message.pk,
        kind=message.kind,
        from_organisation=_organisation(message.from_organisation),
        to_organisation=_organisation(message.to_organisation),
        sent_by=message.sent_by.get_username() if message.sent_by_id else None,
        sent_at=message.sent_at,
        received_at=message.received_at,
        in_reply_to=message.in_reply_to_id,
        content=entry.content,
        preview=preview_out(entry.preview) if entry.preview is not None else None,
        delivery=DeliveryOut(**entry.delivery.__dict__) if entry.delivery is not None else None,
    )


@router.get("/{referral_id}/thread", response=responses(200, list[MessageOut]))
@needs(Scope.REFERRALS_READ)
def get_thread(request, referral_id: uuid.UUID):
    """The messages on the referral, oldest first. Until it accepts, the receiving side sees
    the preview in place of the referral's content. The read is audited."""
    user = caller(request)
    referral = _referral(user, referral_id)
    entries = thread(user, referral)
    organisations = {o.pk: o for o in (referral.sender, referral.receiver)}
    for entry in entries:
        entry.message.from_organisation = organisations[entry.message.from_organisation_id]
        entry.message.to_organisation = organisations[entry.message.to_organisation_id]
    return [_message_out(entry) for entry in entries]


@router.post("/{referral_id}/accept", response=responses(200, ReferralOut))
@needs(Scope.REFERRALS_WRITE)
def accept(request, referral_id: uuid.UUID, payload: AcceptIn):
    """Take the person on: who meets them, where and when. The organisation gains access to
    the shared part of the case, and the case moves on to return preparation."""
    user = caller(request)
    referral = _referral(user, referral_id)
    if payload.meeting_at.tzinfo is None:
        raise DomainError(_("Give the meeting time with its time zone."))
    actions.accept_referral(
        user,
        referral,
        met_by=payload.met_by,
        place=payload.place,
        meeting_at=payload.meeting_at.astimezone(datetime.UTC),
        capacity_confirmed=payload.capacity_confirmed,
        message=payload.message,
    )
    return referral_out(_fresh(referral))


@router.post("/{referral_id}/decline", response=responses(200, ReferralOut))
@needs(Scope.REFERRALS_WRITE)
def decline(request, referral_id: uuid.UUID, payload: ReasonIn):
    """Decline the referral, saying why; the sender may refer elsewhere."""
    user = caller(request)
    referral = _referral(user, referral_id)
    actions.decline_referral(user, referral, payload.reason)
    return referral_out(_fresh(referral))


@router.post("/{referral_id}/questions", response=responses(201, MessageOut))
@needs(Scope.REFERRALS_WRITE)
def ask(request, referral_id: uuid.UUID, payload: QuestionIn):
    """The receiving side asks the sender something; the answer deadline stops meanwhile."""
    user = caller(request)
    referral = _referral(user, referral_id)
    asked = actions.ask_for_information(user, referral, payload.question)
    return Status(201, _written(asked))


@router.post("/{referral_id}/answers", response=responses(201, MessageOut))
@needs(Scope.REFERRALS_WRITE)
def answer(request, referral_id: uuid.UUID, payload: AnswerIn):
    """Answer a request for information sent to the caller's organisation."""
    user = caller(request)
    referral = _referral(user, referral_id)
    question = ReferralMessage(pk=payload.in_reply_to)
    answered = actions.answer(user, referral, question, payload.text)
    return Status(201, _written(answered))


@router.post("/{referral_id}/cancel", response=responses(200, ReferralOut))
@needs(Scope.REFERRALS_WRITE)
def cancel(request, referral_id: uuid.UUID, payload: ReasonIn):
    """The sending side withdraws the referral, saying why; any access given is revoked."""
    user = caller(request)
    referral = _referral(user, referral_id)
    actions.cancel_referral(user, referral, payload.reason)
    return referral_out(_fresh(referral))


class WithdrawnIn(In):
    note: text(limits.REASON) = Field("", description="What the person said, if anything.")


@router.post("/{referral_id}/consent-withdrawn", response=responses(200, ReferralOut))
@needs(Scope.REFERRALS_WRITE)
def consent_withdrawn(request, referral_id: uuid.UUID, payload: WithdrawnIn):
    """The receiving side passes on that the person withdrew, in front of it, their consent to
    this referral: the sender's consent records change, the receiving organisation's access
    and deadlines end, and the referral is cancelled with a message to the sender. Only the
    organisation the case was referred to does this, after accepting it."""
    user = caller(request)
    referral = _referral(user, referral_id)
    withdrawal.report_withdrawal(user, referral, payload.note)
    return referral_out(_fresh(referral))


def _written(message: ReferralMessage) -> MessageOut:
    """A message the caller just wrote, shown back to them."""
    message = ReferralMessage.objects.select_related(
        "referral__case__person__data_key",
        "from_organisation__country",
        "to_organisation__country",
        "sent_by",
    ).get(pk=message.pk)
    return _message_out(Entry(message, message.payload))
