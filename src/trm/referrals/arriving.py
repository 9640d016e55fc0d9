"""Referrals between nodes, the receiving part: each envelope a pinned peer sends about a
referral is applied here (`settings.FEDERATION_APPLY`, in the inbox's step) through the same
actions as a step taken on this node, by the other organisation's envoy (`crossing.envoy`).

A pinned peer speaks only for its own organisations and only in its own part: answers come from
the receiving side, the package, withdrawals, departures and closures from the sending side, a
mirrored record or step from the side that wrote or took it. A message that does not apply is
refused (`NotApplied`) with a code its sender is shown, changing nothing.
"""

import datetime
import uuid

from django.conf import settings
from django.utils import timezone

from trm.audit.log import record as audit
from trm.cases import workflow as case_workflow
from trm.cases.models import Case, Person, Sex, StageRecord
from trm.cases.record_kinds import RECORD_KINDS, Side
from trm.cases.stages import Stage
from trm.directory.models import Organisation
from trm.federation.apply import NotApplied
from trm.federation.envelope import Message, Party
from trm.federation.models import Peer
from trm.lib import effects
from trm.lib.errors import Conflict

from . import actions, workflow

# The envelope type of each message of a referral, and back.
from .crossing import destroy_copy, envoy
from .models import ACCEPTED_STATES, MessageKind, Referral, ReferralMessage, ReferralState


class Arrived:
    """A message from the other node, as `write_message` keeps it: its id and times."""

    def __init__(self, message: Message):
        self.id = uuid.UUID(message.id)
        self.sent_at = datetime.datetime.fromisoformat(message.created)
        self.received_at = timezone.now()


def _organisation(party: Party, *, hosted_by: Peer | None) -> Organisation:
    """The organisation a message names: one of the peer's (`hosted_by`) or one of this node's."""
    found = Organisation.objects.select_related("country", "hosted_on").filter(
        slug=party.organisation
    )
    organisation = found.first()
    if organisation is None:
        raise NotApplied("unknown_organisation", party.organisation)
    here = organisation.is_hosted_here
    if hosted_by is None and not here:
        raise NotApplied("not_hosted_here", party.organisation)
    if hosted_by is not None and organisation.hosted_on_id != hosted_by.node_id:
        raise NotApplied("not_the_senders", party.organisation)
    return organisation


def _referral(message: Message, peer: Peer, *, from_side: str | None = None) -> Referral:
    """This node's copy of the referral the message is about, locked, checked to be between the
    message's two organisations, and sent by the `from_side` (Side) of it if given: a pinned
    peer speaks only for its own organisation, and only in its own part."""
    try:
        key = uuid.UUID(message.conversation)
    except ValueError:
        raise NotApplied("unknown_referral") from None
    referral = Referral.objects.select_related("sender", "receiver").filter(pk=key).first()
    if referral is None:
        raise NotApplied("unknown_referral")
    ours = _organisation(message.recipient, hosted_by=None)
    theirs = _organisation(message.sender, hosted_by=peer)
    if {ours.pk, theirs.pk} != {referral.sender_id, referral.receiver_id}:
        raise NotApplied("unknown_referral")
    if from_side is not None and _side_of(referral, theirs) != from_side:
        raise NotApplied("not_their_part", message.type)
    return actions._locked(referral)


def _side_of(referral: Referral, organisation: Organisation) -> str:
    return Side.SENDING if organisation.pk == referral.sender_id else Side.RECEIVING


# The referral table's event each answer takes: `expects` may differ while it is still possible.
EVENT_OF_TYPE = {"accept": "accept", "decline": "decline", "ask": "ask", "withdraw": "cancel"}


def _expected(referral: Referral, message: Message) -> None:
    """Refuse a message whose step no longer applies here; the code says where the referral is.
    The receiving side's answer is taken while the referral awaits one, whatever state its
    sender last heard of (a receipt can be late); a withdrawal only from the very state its
    sender saw: one that crossed an acceptance is refused `already_accepted`."""
    state = ReferralState(referral.state)
    event = EVENT_OF_TYPE[message.type]
    strict = event == "cancel" and message.expects != workflow.FHIR_TASK_STATUS[state]
    if strict or workflow.transition_for(state, event) is None:
        raise NotApplied(f"already_{state.value}")


def _offered(message: Message, peer: Peer) -> None:
    """An offer: this node's copy of the case and the referral, holding only the preview."""
    payload = message.payload
    receiver = _organisation(message.recipient, hosted_by=None)
    sender = _organisation(message.sender, hosted_by=peer)
    if Referral.objects.filter(pk=payload["referral"]).exists():
        raise NotApplied("already_offered")
    summary = payload["summary"]
    case = Case.objects.filter(owner=sender, reference=payload["reference"]).first()
    if case is None:
        # Only what the preview says; the package fills in the rest on acceptance.
        person = Person(given_name="", sex=summary.get("sex") or Sex.UNKNOWN, citizenship="")
        person.save()
        case = Case.objects.create(
            person=person,
            owner=sender,
            reference=payload["reference"],
            is_child=bool(summary.get("child")),
            stage=Stage.REFERRAL,
        )
    elif case.referrals.open().exists():
        raise NotApplied("already_offered")
    case = actions.locked_case(case.pk)
    referral = Referral.objects.create(
        id=payload["referral"],
        case=case,
        sender=sender,
        receiver=receiver,
        categories=sorted(payload["categories"]),
        texts=sorted(payload.get("texts", [])),
        state=workflow.EVENTS["send"].target,
        sent_at=datetime.datetime.fromisoformat(payload["sent_at"]),
        response_due_at=datetime.datetime.fromisoformat(payload["response_due_at"]),
    )
    referral.case = case
    user = envoy(sender)
    sent = actions.write_message(
        referral,
        MessageKind.SEND,
        user=user,
        payload={"categories": referral.categories, "summary": summary},
        arrived=Arrived(message),
    )
    actions.audit_referral("trm.referral.sent", referral, user, sender, sent,
                           receiver=receiver.pk, categories=referral.categories)  # fmt: skip
    actions.received(referral, sent, user)


def _packaged(message: Message, peer: Peer) -> None:
    """The package, on acceptance: the person and the sending side's records as shared."""
    referral = _referral(message, peer, from_side=Side.SENDING)
    if referral.case.owner.is_hosted_here:
        raise NotApplied("not_their_part", "package")  # only ever onto this node's copy
    if referral.state not in (ReferralState.ACCEPTED, ReferralState.IN_PROGRESS):
        raise NotApplied(f"already_{referral.state}")
    payload = message.payload
    case, user = referral.case, envoy(referral.sender)
    person = Person.objects.select_for_update().get(pk=case.person_id)
    for name, value in payload.get("person", {}).items():
        if name in Person.CATEGORY_OF_FIELD:
            if name == "birth_date" and value:
                value = datetime.date.fromisoformat(value)
            setattr(person, name, value)
    person.save()
    case.person = person
    for shared in payload.get("records", []):
        kind = RECORD_KINDS.get(shared["kind"])
        if kind is None or StageRecord.objects.filter(pk=shared["id"]).exists():
            continue
        facts, details = kind.split(shared["fields"])
        made = StageRecord(
            id=shared["id"], case=case, kind=shared["kind"], stage=shared["stage"],
            side=Side.SENDING, facts=facts, details=details or None,
            organisation=referral.sender, recorded_by=user,
        )  # fmt: skip
        made.case = case
        made.save()
        StageRecord.objects.filter(pk=made.pk).update(
            recorded_at=datetime.datetime.fromisoformat(shared["recorded_at"])
        )
    case.is_child = bool(payload["case"].get("child"))
    case.age_uncertain = bool(payload["case"].get("age_uncertain"))
    case.version += 1
    case.save(update_fields=["is_child", "age_uncertain", "version"])
    # The thread shows the referral as the receiver sees it on one node: the whole package.
    sent = referral.messages.filter(kind=MessageKind.SEND).first()
    if sent is not None:
        sent.referral = referral
        sent.payload = {key: value for key, value in payload.items() if key != "referral"}
        sent.save(update_fields=["payload"])
    actions.audit_referral("trm.referral.package_received", referral, user, referral.sender, sent)


def _answered(message: Message, peer: Peer) -> None:
    referral = _referral(message, peer, from_side=Side.RECEIVING)
    _expected(referral, message)
    payload, arrived = message.payload, Arrived(message)
    user = envoy(referral.receiver)
    if message.type == "accept":
        actions.accept(
            referral,
            user,
            met_by=payload["met_by"],
            place=payload["place"],
            meeting_at=datetime.datetime.fromisoformat(payload["meeting_at"]),
            capacity_confirmed=payload["capacity_confirmed"],
            message=payload.get("message", ""),
            arrived=arrived,
        )
    elif message.type == "decline":
        actions.decline(referral, user, payload["reason"], arrived=arrived)
    else:
        actions.ask(referral, user, payload["question"], arrived=arrived)


def _replied(message: Message, peer: Peer) -> None:
    referral = _referral(message, peer)
    theirs = _organisation(message.sender, hosted_by=peer)
    actions.reply(
        referral, envoy(theirs), message.payload["in_reply_to"], message.payload["text"],
        arrived=Arrived(message),
    )  # fmt: skip


def _withdrawn(message: Message, peer: Peer) -> None:
    """The sender withdraws (or the person withdrew consent, on either side): ended here."""
    sender_only = Side.SENDING if message.type == "withdraw" else None
    referral = _referral(message, peer, from_side=sender_only)
    theirs = _organisation(message.sender, hosted_by=peer)
    if message.type == "withdraw":
        _expected(referral, message)
    elif not referral.is_open:
        raise NotApplied(f"already_{referral.state}")
    kind = MessageKind.CANCEL if message.type == "withdraw" else MessageKind.CONSENT_WITHDRAWN
    user, from_receiver = envoy(theirs), theirs.pk == referral.receiver_id
    if kind == MessageKind.CONSENT_WITHDRAWN and from_receiver:
        # The person withdrew in front of the receiving organisation: the owner's consent
        # records say so, as when the receiver reports it on this node.
        from .withdrawal import withdraw_referral_consents

        withdraw_referral_consents(user, referral, message.payload.get("note", ""))
    told = actions.write_message(
        referral, kind, user=user, payload=message.payload, to_sender=from_receiver,
        arrived=Arrived(message),
    )  # fmt: skip
    actions.withdrawn(referral, told, user)
    if kind == MessageKind.CONSENT_WITHDRAWN and not referral.case.owner.is_hosted_here:
        # This node's copy was kept by that consent alone: it goes, and the owner is told.
        destroy_copy(referral, user, because="consent_withdrawn", confirms=message.id)


def _erased(message: Message, peer: Peer) -> None:
    """Either the owner erased the person (this node destroys its copy and confirms), or the
    node that held a copy confirms it destroyed it (shown on the owner's case)."""
    referral = _referral(message, peer)
    theirs = _organisation(message.sender, hosted_by=peer)
    user = envoy(theirs)
    copy = not referral.case.owner.is_hosted_here
    if (theirs.pk == referral.sender_id) != copy:
        raise NotApplied("not_their_part", "erased")
    if copy:
        if referral.is_open:
            actions.move(referral, "cancel", user)
            actions.audit_referral("trm.referral.cancelled", referral, user, theirs,
                                   because="person_erased")  # fmt: skip
        destroy_copy(referral, user, because="erased_by_owner", confirms=message.id)
        return
    actions.audit_referral("trm.referral.copy_destroyed", referral, user, theirs,
                           confirms=message.payload.get("confirms", ""))  # fmt: skip
    if referral.case.person.erased_at is None:
        actions.write_message(
            referral, MessageKind.COPY_DESTROYED, user=user, to_sender=True,
            payload={"erased_at": message.payload["erased_at"]}, arrived=Arrived(message),
        )  # fmt: skip


# --- the case after acceptance: the other copy's records and steps, taken here ------------


def _mirror_record(case, shared: dict, organisation, user, side: str) -> None:
    kind = RECORD_KINDS.get(shared["kind"])
    if kind is None:
        raise NotApplied("unknown_record_kind", shared["kind"][:40])
    if StageRecord.objects.filter(pk=shared["id"]).exists():
        return
    supersedes = None
    if shared.get("supersedes"):
        supersedes = StageRecord.objects.filter(
            pk=shared["supersedes"], case=case, organisation=organisation,
            superseded_by__isnull=True,
        ).first()  # fmt: skip
        if supersedes is None:
            raise NotApplied("not_their_record")
    facts, details = kind.split(shared["fields"])
    made = StageRecord(
        id=shared["id"], case=case, kind=shared["kind"], stage=shared["stage"],
        side=side, facts=facts, details=details or None,
        organisation=organisation, recorded_by=user, supersedes=supersedes,
    )  # fmt: skip
    made.case = case
    made.save()
    StageRecord.objects.filter(pk=made.pk).update(
        recorded_at=datetime.datetime.fromisoformat(shared["recorded_at"])
    )
    effects.run(_deadlines_only(case_workflow.RECORD_EFFECTS.get(made.kind, ())), made, user)
    audit("trm.record.added", actor=user, organisation=case.owner, target=case,
          details={"record": str(made.pk), "kind": made.kind, "fields": sorted(
              [*facts, *details]), "from_node": True})  # fmt: skip


def _mirror_step(case, step: dict, user, side: str) -> None:
    """The step the other node's copy took, taken here as it was there: its guards were checked
    where its people took it, its deadlines are kept here too (its notices are its node's)."""
    if case.stage == step["stage"]:
        return
    declared = case_workflow.EVENTS.get(step["event"])
    if declared is None or declared.side not in (Side.EITHER, side):
        raise NotApplied("not_their_part", step["event"][:40])
    transition = case_workflow.transition_for(case.stage, step["event"])
    if transition is None:
        raise NotApplied("not_at_this_stage", f"{case.stage}/{step['event']}"[:40])
    if step["stage"] != (transition.target or case.stage_before_closure or Stage.IDENTIFICATION):
        raise NotApplied("not_at_this_stage", step["stage"][:40])
    moment = lambda value: datetime.datetime.fromisoformat(value) if value else None  # noqa: E731
    source = case.stage
    case.stage = step["stage"]
    case.returned_at = moment(step.get("returned_at")) or case.returned_at
    case.received_at = moment(step.get("received_at")) or case.received_at
    case.closed_at = moment(step.get("closed_at"))
    case.closure_reason = step.get("closure_reason") or ""
    if step["event"] == "close":
        case.stage_before_closure = source
    elif step["event"] == "reopen":
        case.stage_before_closure = ""
    case.version += 1
    case.save()
    audit("trm.case.moved", actor=user, organisation=case.owner, target=case,
          details={"event": step["event"], "from": source, "to": case.stage,
                   "from_node": True})  # fmt: skip
    effects.run(_deadlines_only(transition.effects), case, user)


def _deadlines_only(paths) -> list[str]:
    """Of a record's or a step's effects, those a copy keeps: its deadlines. Its notices are
    the node's where it was taken, and arrive as messages of their own."""
    return [path for path in paths if path.startswith(case_workflow.DEADLINES)]


def _updated(message: Message, peer: Peer) -> None:
    referral = _referral(message, peer)
    theirs = _organisation(message.sender, hosted_by=peer)
    if referral.state not in ACCEPTED_STATES:
        raise NotApplied(f"already_{referral.state}")
    user, side = envoy(theirs), _side_of(referral, theirs)
    if "record" in message.payload:
        _mirror_record(referral.case, message.payload["record"], theirs, user, side)
    if "step" in message.payload:
        _mirror_step(referral.case, message.payload["step"], user, side)


def _document(message: Message, peer: Peer) -> None:
    """A document of the case the other organisation may see: kept on this node's case like
    one uploaded here (encrypted under the person's key), once its part opens to the bytes its
    envelope names; nothing is kept of it otherwise."""
    from trm.cases.actions.casework import ATTACHMENT_TYPES
    from trm.cases.models import Attachment
    from trm.federation.parts import take_part
    from trm.lib import text

    referral = _referral(message, peer)
    theirs = _organisation(message.sender, hosted_by=peer)
    if referral.state not in ACCEPTED_STATES:
        raise NotApplied(f"already_{referral.state}")
    case, shared = referral.case, message.payload["document"]
    if case.person.erased_at is not None:
        raise NotApplied("erased")
    if theirs.pk == referral.sender_id and shared["category"] not in referral.categories:
        raise NotApplied("not_shared", shared["category"])  # never the receiver's to see
    if Attachment.objects.filter(pk=shared["id"]).exists():
        return
    content = take_part(peer, message.id, message.payload["part"], bound_to=shared["id"])
    kind = next((kind for magic, kind in ATTACHMENT_TYPES.items() if content.startswith(magic)),
                None)  # fmt: skip
    if len(content) != shared["size"] or kind != shared["media_type"]:
        raise NotApplied("part_mismatch")
    if len(content) > settings.ATTACHMENT_MAX_BYTES:
        raise NotApplied("too_large")
    user = envoy(theirs)
    made = Attachment(
        id=shared["id"], case=case,
        filename=text.without_invisible_controls(shared["name"])[:200] or "document",
        content_type=kind, size=len(content), category=shared["category"], content=content,
        uploaded_by=user, organisation=theirs,
    )  # fmt: skip
    made.save()
    Attachment.objects.filter(pk=made.pk).update(
        uploaded_at=datetime.datetime.fromisoformat(shared["uploaded_at"])
    )
    audit("trm.attachment.added", actor=user, organisation=case.owner, target=case,
          details={"attachment": str(made.pk), "type": kind, "from_node": True})  # fmt: skip


# A notice of the journey: the referral's own step it takes here, if any, and the side it
# comes from.
NOTICE_OF_TYPE = {
    "departure": (MessageKind.DEPARTURE_NOTICE, "start", Side.SENDING),
    "reception": (MessageKind.RECEPTION_CONFIRMATION, "start", Side.RECEIVING),
    "monitoring_summary": (MessageKind.MONITORING_SUMMARY, None, Side.RECEIVING),
    "closure": (MessageKind.CLOSURE_NOTICE, "complete", Side.SENDING),
}


def _noticed(message: Message, peer: Peer) -> None:
    kind, event, side = NOTICE_OF_TYPE[message.type]
    referral = _referral(message, peer, from_side=side)
    theirs = _organisation(message.sender, hosted_by=peer)
    user = envoy(theirs)
    if event is not None and workflow.transition_for(referral.state, event) is not None:
        actions.move(referral, event, user)
    elif event is not None and referral.state not in ACCEPTED_STATES:
        raise NotApplied(f"already_{referral.state}")
    told = actions.write_message(
        referral, kind, user=user, payload=message.payload,
        to_sender=theirs.pk == referral.receiver_id, arrived=Arrived(message),
    )  # fmt: skip
    actions.audit_referral("trm.referral.notice_sent", referral, user, theirs, told, kind=kind)


def _read(message: Message, peer: Peer) -> None:
    """A person of the other node's organisation opened a message this node's side sent it:
    shown on the thread here as read, with when (the first time it says so)."""
    referral = _referral(message, peer)
    theirs = _organisation(message.sender, hosted_by=peer)
    read = ReferralMessage.objects.filter(pk=message.payload["message"], referral=referral).first()
    if read is None or read.to_organisation_id != theirs.pk:
        # Only a message this side sent their organisation is read there.
        raise NotApplied("not_their_message")
    ReferralMessage.objects.filter(pk=read.pk, read_at__isnull=True).update(
        read_at=datetime.datetime.fromisoformat(message.payload["read_at"])
    )


APPLY = {
    "offer": _offered,
    "accept": _answered,
    "decline": _answered,
    "ask": _answered,
    "answer": _replied,
    "package": _packaged,
    "withdraw": _withdrawn,
    "consent_withdrawn": _withdrawn,
    "erased": _erased,
    "update": _updated,
    "document": _document,
    "departure": _noticed,
    "reception": _noticed,
    "monitoring_summary": _noticed,
    "closure": _noticed,
    "read": _read,
}


def apply(message: Message, peer: Peer) -> None:
    """Apply `message` from `peer` to the referrals of this node, in the inbox's step; refused
    (NotApplied, or a domain refusal) changing nothing."""
    applier = APPLY.get(message.type)
    if applier is None:
        raise NotApplied("not_applicable", message.type)
    try:
        applier(message, peer)
    except Conflict as refused:
        raise NotApplied("conflict", str(refused)) from None
    except (KeyError, TypeError, ValueError) as broken:
        # A payload its schema should have refused: nothing is applied of it.
        raise NotApplied("unreadable_payload", type(broken).__name__) from None
