"""Referrals between nodes: each message of a referral to an organisation on another trm node
travels as an envelope (`trm.federation`); each envelope from a peer is applied (`arriving`)
through the same actions as a step taken on this node, by the other organisation's envoy. This
module is the sending part: what goes out, what its receipts mean, and what people see of it.

The sending node keeps the case; the receiving node keeps a copy of what it may see of it: at
first only the offer (the preview, nothing that names the person), and once it accepts, the
package of the shared categories (domain.md §4.5, "accept before access"). Both copies of the
referral share its id, which is the conversation's, and each message keeps its id on both
nodes, so the two audit trails can be matched.

An envoy is the account that stands for an organisation of a peer on this node: it cannot sign
in (no usable password) and holds one case-work membership in its own organisation, so the
actions' checks (who may answer a referral, who may write what) hold for a step that was taken
on the other node exactly as for one taken here.

The node whose side decides a state is the one that changes it first: the receiving node
accepts, declines and asks; the sending node's withdrawal is asked of the receiving node and
takes effect with its receipt (`delivered`), so a withdrawal that crosses an acceptance is
refused `already_accepted` there and never half-applied. A message says which state its sender
saw the referral in (`expects`); a message that no longer applies is refused with a code the
other side is shown.
"""

import datetime
import uuid
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from trm.access.policy import access_to
from trm.access.view import case_view
from trm.accounts.models import ENVOY_PREFIX, Membership, Role
from trm.directory.models import Organisation
from trm.federation.apply import NotApplied
from trm.federation.envelope import Message, Party
from trm.federation.identity import this_node
from trm.federation.inbox import forget_contents
from trm.federation.models import Outcome, OutgoingEnvelope, Peer
from trm.federation.outbox import queue
from trm.lib.errors import DomainError

from . import actions, workflow
from .models import ACCEPTED_STATES, MessageKind, Referral, ReferralMessage, ReferralState
from .payload import build_payload

# The envelope type of each message of a referral, and back.
TYPE_OF_KIND = {
    MessageKind.SEND: "offer",
    MessageKind.ACCEPT: "accept",
    MessageKind.DECLINE: "decline",
    MessageKind.ASK_INFORMATION: "ask",
    MessageKind.ANSWER: "answer",
    MessageKind.CANCEL: "withdraw",
    MessageKind.CONSENT_WITHDRAWN: "consent_withdrawn",
    MessageKind.DEPARTURE_NOTICE: "departure",
    MessageKind.RECEPTION_CONFIRMATION: "reception",
    MessageKind.MONITORING_SUMMARY: "monitoring_summary",
    MessageKind.CLOSURE_NOTICE: "closure",
}


# --- who is who across the border -----------------------------------------------------------


def peer_of(organisation: Organisation) -> Peer | None:
    """The active pin of the node `organisation` works on, if this node exchanges with it."""
    if organisation.hosted_on_id is None:
        return None
    return Peer.objects.active().filter(node_id=organisation.hosted_on_id).first()


def envoy(organisation: Organisation):
    """The account that stands for `organisation` (of a peer) in the steps its node sends."""
    if organisation.is_hosted_here:
        # Never for this node's own: an envoy's membership would let a peer act for them.
        raise NotApplied("not_the_senders", organisation.slug)
    user, made = get_user_model().objects.get_or_create(
        username=f"{ENVOY_PREFIX}{organisation.pk}",
        defaults={"first_name": str(organisation.name)[:150], "is_active": True},
    )
    if made:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    Membership.objects.get_or_create(user=user, organisation=organisation, role=Role.CASE_WORKER)
    return user


def _party(organisation: Organisation, node: str) -> Party:
    return Party(node=node, organisation=organisation.slug)


# --- sending --------------------------------------------------------------------------------


def _expects(referral: Referral) -> str:
    """The state this node's copy of the referral is in, as the FHIR Task status says it."""
    return workflow.FHIR_TASK_STATUS[ReferralState(referral.state)]


def _queue(referral: Referral, type_: str, payload: dict, *, to, message_id=None):
    peer = peer_of(to)
    if peer is None:
        raise DomainError(
            _("%(organisation)s works on a node this node no longer exchanges with.")
            % {"organisation": to.name}
        )
    here = this_node().name
    sender = referral.sender if to.pk == referral.receiver_id else referral.receiver
    return queue(
        Message(
            id=str(message_id or uuid.uuid4()),
            type=type_,
            sender=_party(sender, here),
            recipient=_party(to, peer.name),
            conversation=str(referral.pk),
            sequence=0,  # the outbox numbers it in its conversation
            previous="",
            expects=_expects(referral),
            payload=payload,
        ),
        peer,
    )


def _offer(message: ReferralMessage) -> dict:
    """What crosses before acceptance: the preview and the terms, nothing that names anyone."""
    referral, content = message.referral, message.payload
    return {
        "referral": str(referral.pk),
        "reference": referral.case.reference,
        "categories": referral.categories,
        "summary": content["summary"],
        "response_due_at": referral.response_due_at.isoformat(),
        "sent_at": referral.sent_at.isoformat(),
        "texts": sorted(referral.texts),
    }


def send(message: ReferralMessage) -> OutgoingEnvelope:
    """Put `message`, just written on its (locked) referral, in the outbox to the node of the
    organisation it is for, with its own id."""
    content = _offer(message) if message.kind == MessageKind.SEND else dict(message.payload)
    if message.in_reply_to_id:
        content["in_reply_to"] = str(message.in_reply_to_id)
    return _queue(
        message.referral,
        TYPE_OF_KIND[message.kind],
        content,
        to=message.to_organisation,
        message_id=message.pk,
    )


def send_package(referral: Referral) -> OutgoingEnvelope:
    """The shared part of the case, to the node that accepted it: the case as the receiving
    organisation sees it here (the categories and texts the sender chose)."""
    payload = build_payload(referral.case, referral.categories, texts=referral.texts)
    package = _queue(referral, "package", {"referral": str(referral.pk), **payload},
                     to=referral.receiver)  # fmt: skip
    for document in documents_seen_by(referral.case, referral.receiver):
        send_document(referral, document, to=referral.receiver)  # each after the package
    return package


# --- documents: each one the other organisation may see crosses, its bytes as a part --------


def documents_seen_by(case, other: Organisation) -> list:
    """The case's documents the other node's organisation sees here (its reader's view), but
    those it uploaded itself: they came from there."""
    view = case_view(case, access_to(envoy(other), case))
    return [document for document in view.attachments if document.organisation_id != other.pk]


def send_document(referral: Referral, document, *, to: Organisation) -> OutgoingEnvelope:
    """Queue `document` to the node of `to`: what its list shows in the signed message, its
    bytes encrypted beside it (`federation.parts`)."""
    from trm.cases.models import Attachment
    from trm.federation.parts import attach_part, seal_part

    full = Attachment.objects.get(pk=document.pk)
    full.case = referral.case  # its person's key decrypts it
    ciphertext, reference = seal_part(bytes(full.content), bound_to=str(full.pk))
    queued = _queue(referral, "document", {"document": {
        "id": str(full.pk), "name": full.filename, "media_type": full.content_type,
        "size": full.size, "category": full.category,
        "uploaded_at": full.uploaded_at.isoformat(),
    }, "part": reference}, to=to)  # fmt: skip
    attach_part(queued, ciphertext)
    return queued


def document_added(document, actor) -> None:
    """A document attached here to a case referred across nodes (and accepted): it crosses if
    the other organisation may see it. One an envoy added came from there."""
    found = counterpart(document.case)
    if found is None or _is_envoy(actor) or peer_of(found[1]) is None:
        return
    referral, other = found
    if any(seen.pk == document.pk for seen in documents_seen_by(document.case, other)):
        send_document(referral, document, to=other)


def withdrawal_on_its_way(referral: Referral) -> bool:
    return OutgoingEnvelope.objects.filter(
        conversation=str(referral.pk), type="withdraw", state=OutgoingEnvelope.State.QUEUED
    ).exists()


def delivered(envelope: OutgoingEnvelope) -> None:
    """The peer's receipt for `envelope` came back (in the outbox's transaction): what it means
    for the referral here. An offer applied is received there; a withdrawal applied ends the
    referral here; one refused leaves it as the receiving node has it."""
    if envelope.type not in ("offer", "withdraw"):
        return
    try:
        referral = Referral.objects.filter(pk=uuid.UUID(envelope.conversation)).first()
    except ValueError:
        return
    if referral is None:
        return
    locked = actions._locked(referral)
    message = ReferralMessage.objects.filter(pk=envelope.message_id).first()
    if message is None:
        return
    message.referral = locked
    if envelope.outcome == Outcome.REFUSED:
        actions.audit_referral(
            "trm.referral.refused_by_peer", locked, None, locked.receiver, message,
            code=envelope.refusal,
        )  # fmt: skip
        if envelope.type == "offer" and locked.is_open:
            # Nothing reached the receiver: the sender may refer again.
            actions.withdrawn(locked, message, None)
        return
    if envelope.outcome != Outcome.APPLIED:
        return
    if envelope.type == "offer" and locked.state == ReferralState.REQUESTED:
        message.received_at = envelope.delivered_at or timezone.now()
        message.save(update_fields=["received_at"])
        actions.received(locked, message, None)
    elif envelope.type == "withdraw" and locked.is_open:
        message.received_at = envelope.delivered_at or timezone.now()
        message.save(update_fields=["received_at"])
        actions.withdrawn(locked, message, None)


@transaction.atomic
def read_here(user, referral: Referral, messages) -> list[ReferralMessage]:
    """A person of `referral`'s organisation on this node opened it: each of `messages` that
    came from the other node to an organisation `user` works for, and was not read yet, is read
    now, and the other node is told so once (a `read` message naming it and when, nobody
    else). An envoy reads nothing: it stands for the other node's organisation here."""
    if _is_envoy(user):
        return []
    now, read, reader_of = timezone.now(), [], {}
    for message in messages:
        if message.read_at is not None:
            continue
        if not message.to_organisation.is_hosted_here or message.from_organisation.is_hosted_here:
            continue  # only a message that came from the other node is told as read there
        to = message.to_organisation
        if to.pk not in reader_of:
            reader_of[to.pk] = actions.works_for(user, to)
        if not reader_of[to.pk]:
            continue
        # Marked first: of two people opening it at once, one tells the other node.
        if not ReferralMessage.objects.filter(pk=message.pk, read_at__isnull=True).update(
            read_at=now
        ):
            continue
        message.read_at = now
        read.append(message)
        if peer_of(message.from_organisation) is not None:
            _queue(referral, "read", {"message": str(message.pk), "read_at": now.isoformat()},
                   to=message.from_organisation)  # fmt: skip
    return read


def destroy_copy(referral: Referral, actor, *, because: str, confirms: str) -> None:
    """Crypto-shred this node's copy of a case another node owns (its person's data key) and
    confirm it to the owner's node, which shows it on its case."""
    from trm.rights.erasure import erase

    person = referral.case.person
    if person.erased_at is None:
        erase(person, actor=actor, case=referral.case, details={"because": because})
    _queue(referral, "erased", {"erased_at": timezone.now().isoformat(), "confirms": confirms},
           to=referral.sender)  # fmt: skip


def copies_elsewhere(person) -> list[Referral]:
    """The referrals of `person`'s cases to organisations on other nodes that were told of them."""
    return [
        referral
        for referral in Referral.objects.select_related("sender", "receiver__hosted_on").filter(
            case__person=person
        )
        if referral.sender.is_hosted_here and not referral.receiver.is_hosted_here
    ]


def person_erased(person, case, actor) -> None:
    """The person was erased here (an effect of `rights.erasure.erase`): every node that holds
    a copy of one of their cases is told to destroy it, and what peers sent about them is kept
    no more (only its identifiers). Nothing of the person travels."""
    forget_contents(Referral.objects.filter(case__person=person).values_list("pk", flat=True))
    for referral in copies_elsewhere(person):
        if peer_of(referral.receiver) is not None:
            _queue(referral, "erased", {"erased_at": timezone.now().isoformat()},
                   to=referral.receiver)  # fmt: skip


# --- the case after acceptance: each copy told of the other's records and steps -------------


def counterpart(case) -> tuple[Referral, Organisation] | None:
    """The case's accepted referral with an organisation on another node, and that
    organisation: what this node's records and steps on the case are told to."""
    referral = (
        Referral.objects.select_related("sender__hosted_on", "receiver__hosted_on")
        .filter(case_id=case.pk, state__in=sorted(ACCEPTED_STATES))
        .order_by("-sent_at")
        .first()
    )
    if referral is None:
        return None
    other = referral.receiver if referral.sender.is_hosted_here else referral.sender
    return None if other.is_hosted_here else (referral, other)


def _is_envoy(user) -> bool:
    return getattr(user, "is_envoy", False)


def record_written(record, actor) -> None:
    """A record written here on a case referred across nodes: the other node gets it as the
    other organisation sees it (its reader's view: the shared categories and texts for the
    receiver, everything for the owner), or nothing if it may see none of it. A record an envoy
    wrote came from there."""
    found = counterpart(record.case)
    if found is None or _is_envoy(actor) or peer_of(found[1]) is None:
        return  # nothing to tell, or a node this one no longer exchanges with: work goes on
    referral, other = found
    case = record.case
    shown = next(
        (seen for seen in case_view(case, access_to(envoy(other), case)).records
         if seen.id == record.pk),
        None,
    )  # fmt: skip
    if shown is None or not shown.values:
        return
    _queue(referral, "update", {"record": {
        "id": str(record.pk), "kind": record.kind, "stage": record.stage, "side": record.side,
        "recorded_at": record.recorded_at.isoformat(), "fields": shown.values,
        "supersedes": str(record.supersedes_id) if record.supersedes_id else None,
    }}, to=other)  # fmt: skip


def step_taken(case, event: str, actor) -> None:
    """A step of the case's journey taken here: the other node's copy takes it too."""
    found = counterpart(case)
    if found is None or _is_envoy(actor) or peer_of(found[1]) is None:
        return
    referral, other = found
    moment = lambda value: value.isoformat() if value else None  # noqa: E731
    _queue(referral, "update", {"step": {
        "event": event, "stage": case.stage, "returned_at": moment(case.returned_at),
        "received_at": moment(case.received_at), "closed_at": moment(case.closed_at),
        "closure_reason": case.closure_reason,
    }}, to=other)  # fmt: skip


# --- what the people of this node see of the crossing ---------------------------------------

# The refusals a peer's receipt may name, in words for the people whose message it was.
REFUSAL_WORDS = {
    "already_accepted": _("The receiving organisation had accepted the referral already."),
    "already_declined": _("The receiving organisation had declined the referral already."),
    "already_cancelled": _("The referral had been cancelled already."),
    "already_completed": _("The referral was completed already."),
    "already_in_progress": _("The return is under way already."),
    "already_offered": _("This referral, or another one of the same case, was offered already."),
    "unknown_organisation": _("The receiving node does not know one of the organisations."),
    "not_hosted_here": _("The organisation does not work on that node."),
}


# Refused before the receiving node could believe it: its place there stays empty, and nothing
# after it in the referral's conversation is sent until the two nodes' operators mend the cause.
NOT_VERIFIED = _(
    "The receiving node could not verify it. Nothing after it is sent until the administrators "
    "of the two nodes mend the cause and send it again."
)
NOT_VERIFIED_CODES = frozenset({
    "unknown_sender", "bad_signature", "undecryptable", "not_for_this_node", "too_large",
    "malformed", "wrong_algorithm", "sender_mismatch", "compressed", "reused_id",
})  # fmt: skip
REFUSAL_WORDS |= {
    "schema_violation": _("The receiving node does not take its content as it was written."),
    "unknown_type": _("The receiving node does not know this kind of message."),
    "expired": _("It reached the receiving node after it had expired."),
}


@dataclass(frozen=True)
class Delivery:
    """Where a message to another node stands: queued; stopped behind an earlier message of the
    referral that the receiving node refused before it could verify it; delivered (applied),
    held there until the messages before it arrive, or refused (with what the refusal says);
    read by a person of the organisation it is to; answered by it."""

    state: str
    node: str
    since: datetime.datetime
    refusal: str = ""
    overdue: bool = False
    read_at: datetime.datetime | None = None
    answered_at: datetime.datetime | None = None

    @property
    def reason(self) -> str:
        if self.refusal in NOT_VERIFIED_CODES:
            return str(NOT_VERIFIED)
        return str(REFUSAL_WORDS.get(self.refusal, _("The receiving node refused it.")))


# What answers a message: an answer in reply to it, or the receiver's answer to the referral.
ANSWERS_TO_REFERRAL = (MessageKind.ACCEPT, MessageKind.DECLINE, MessageKind.ASK_INFORMATION)


def _answered_at(messages: dict) -> dict:
    """{message id: when the organisation it was to first answered it} among `messages`."""
    replies = ReferralMessage.objects.filter(
        referral_id__in={m.referral_id for m in messages.values()},
        kind__in=[*ANSWERS_TO_REFERRAL, MessageKind.ANSWER],
    ).values("kind", "referral_id", "in_reply_to_id", "from_organisation_id", "sent_at")
    found = {}
    for message in messages.values():
        times = [
            reply["sent_at"]
            for reply in replies
            if reply["from_organisation_id"] == message.to_organisation_id
            and (
                reply["in_reply_to_id"] == message.pk
                or (
                    message.kind == MessageKind.SEND
                    and reply["kind"] in ANSWERS_TO_REFERRAL
                    and reply["referral_id"] == message.referral_id
                )
            )
        ]
        if times:
            found[message.pk] = min(times)
    return found


def deliveries(message_ids) -> dict:
    """{message id: Delivery} for the messages among `message_ids` that went to another node."""
    overdue_after = datetime.timedelta(minutes=settings.FEDERATION_UNDELIVERED_ALERT_MINUTES)
    now, found = timezone.now(), {}
    ids = [str(pk) for pk in message_ids]
    sent = list(OutgoingEnvelope.objects.filter(message_id__in=ids).select_related("peer__node"))
    messages = {
        m.pk: m
        for m in ReferralMessage.objects.filter(pk__in=[e.message_id for e in sent]).only(
            "pk", "kind", "referral_id", "to_organisation_id", "read_at"
        )
    }
    answered = _answered_at(messages)
    refused_before = _refused_before(sent)
    for envelope in sent:
        message_id = uuid.UUID(envelope.message_id)
        message = messages.get(message_id)
        read_at = message.read_at if message is not None else None
        refusal = envelope.refusal or envelope.last_problem
        if envelope.state == OutgoingEnvelope.State.QUEUED:
            state, since = "queued", envelope.queued_at
            stopper = refused_before.get(envelope.pk)
            if stopper is not None:
                state, refusal = "stopped", stopper.refusal or stopper.last_problem
        elif envelope.state == OutgoingEnvelope.State.REFUSED:
            state, since = "refused", envelope.queued_at
        else:
            state = {Outcome.REFUSED: "refused", Outcome.HELD: "held"}.get(
                envelope.outcome, "delivered"
            )
            since = envelope.delivered_at
        if state != "refused" and message_id in answered:
            state, since = "answered", answered[message_id]
        elif state != "refused" and read_at is not None:
            state, since = "read", read_at
        found[message_id] = Delivery(
            state=state,
            node=envelope.peer.name,
            since=since,
            refusal=refusal,
            overdue=state in ("queued", "stopped") and now - envelope.queued_at > overdue_after,
            read_at=read_at,
            answered_at=answered.get(message_id),
        )
    return found


def _refused_before(sent: list[OutgoingEnvelope]) -> dict:
    """{queued envelope's pk: the earlier envelope of its conversation its peer refused before
    it could verify it} — what the queued one is stopped behind."""
    queued = [e for e in sent if e.state == OutgoingEnvelope.State.QUEUED]
    if not queued:
        return {}
    refused = list(
        OutgoingEnvelope.objects.filter(
            conversation__in={e.conversation for e in queued},
            state=OutgoingEnvelope.State.REFUSED,
        ).order_by("pk")
    )
    return {
        envelope.pk: stopper
        for envelope in queued
        for stopper in reversed(refused)
        if stopper.peer_id == envelope.peer_id
        and stopper.conversation == envelope.conversation
        and stopper.pk < envelope.pk
    }
