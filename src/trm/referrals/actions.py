"""The write path of referrals: send, accept, decline, ask, answer, cancel.

Each action is one transaction: it locks the case and then the referral (always in that order),
checks who acts and the guards, moves the referral through its table (`referrals.workflow`,
whose effects run in the same transaction), writes the message and appends the audit event. A
refusal changes nothing.
"""

import datetime

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from trm.access.actions import grant_access, revoke_access
from trm.access.categories import ALL_CATEGORIES, ALWAYS_SHARED
from trm.access.models import Grant
from trm.audit.log import record as audit
from trm.cases.actions import journey
from trm.cases.locking import lock_case
from trm.cases.models import Case
from trm.cases.record_kinds import Side
from trm.cases.stages import Stage
from trm.cases.workflow import CASE_WORK, CaseFacts, a_child_return_is_in_their_best_interests
from trm.consent.models import Purpose
from trm.consent.state import covers, current_consents
from trm.deadlines import tracking
from trm.deadlines.calendar import add_working_days
from trm.directory.models import OrganisationKind, ServiceKind
from trm.lib import effects, limits
from trm.lib.errors import Conflict, DomainError, GuardRefused, NotAllowed
from trm.lib.steps import step

from . import notifications, workflow
from .models import (
    AWAITING_ANSWER,
    MessageKind,
    Referral,
    ReferralMessage,
    ReferralState,
)
from .payload import build_payload, narratives

NOT_FOUND = _("This referral does not exist or you may not see it.")

# Organisations that are not public authorities: the only ones an asylum seeker's case may reach
# in the country of origin (domain.md §4.3).
NOT_AUTHORITIES = frozenset(
    {
        OrganisationKind.NGO,
        OrganisationKind.INTERNATIONAL,
        OrganisationKind.HEALTH,
        OrganisationKind.OTHER,
    }
)


# --- who acts -------------------------------------------------------------------------------


def works_for(user, organisation) -> bool:
    """Does `user` hold a case role (case worker, supervisor, focal point) in `organisation`?"""
    if not (user.is_authenticated and user.is_active):
        return False
    return user.memberships.filter(
        organisation_id=organisation.pk, is_active=True, role__in=CASE_WORK
    ).exists()


def _member_of(user, organisation) -> None:
    if not works_for(user, organisation):
        raise NotAllowed(NOT_FOUND)


def _sending_actor(user, case: Case):
    actor = journey.actor_for(user, case)
    if actor.side != Side.SENDING or not actor.roles & CASE_WORK:
        raise NotAllowed(
            _("Only case workers, supervisors and focal points of the owning organisation do this.")
        )
    return actor


# --- locking and writing --------------------------------------------------------------------


def locked_case(case_id) -> Case:
    """The case row locked (only it: not its organisation's or country's rows)."""
    return lock_case(case_id)


def _locked(referral: Referral) -> Referral:
    """The referral row locked, after its case row: every writer takes them in this order."""
    case = locked_case(referral.case_id)
    locked = Referral.objects.select_for_update(of=("self",)).get(pk=referral.pk)
    locked.case = case
    return locked


def _text(value, message, field: str, limit: int = limits.MESSAGE) -> str:
    value = limits.checked(value, limit, field)
    if not value:
        raise DomainError(message)
    return value


def check(referral: Referral, event: str) -> workflow.Transition:
    """The step `event` of the referral's table from where the referral is; refused (409,
    saying where it is) if the table has no such step."""
    transition = workflow.transition_for(referral.state, event)
    if transition is None:
        refused = workflow.EVENTS[event].refused
        raise Conflict(refused % {"state": ReferralState(referral.state).label.lower()})
    return transition


def move(referral: Referral, event: str, actor, **changes) -> None:
    """Take the step `event` of the (locked) referral's table: its new state and `changes`
    saved, then the step's effects, all in the caller's transaction."""
    transition = check(referral, event)
    fields = list(changes)
    if transition.target is not None:
        referral.state = transition.target
        fields.append("state")
    for name, value in changes.items():
        setattr(referral, name, value)
    if fields:
        referral.save(update_fields=fields)
    effects.run(transition.effects, referral, actor)


def _deliver(message: ReferralMessage, arrived) -> None:
    """Hand the message to its recipient: on this node at once; on another node the message
    goes into the outbox, in this step, and is received when the peer's receipt says so."""
    if arrived is not None:  # it came from the other node: it is here now
        message.received_at = arrived
    elif message.to_organisation.is_hosted_here:
        message.received_at = message.sent_at
    else:
        from .crossing import send

        send(message)
        return
    message.save(update_fields=["received_at"])


def write_message(
    referral: Referral,
    kind: str,
    *,
    user,
    payload: dict,
    to_sender=False,
    in_reply_to=None,
    arrived=None,
) -> ReferralMessage:
    """Write one message on the (locked) referral and deliver it. `arrived`: the message came
    from the other node (`arrived` holds its id and when it was sent), so it is not sent on."""
    sender, receiver = referral.sender, referral.receiver
    message = ReferralMessage(
        **({"id": arrived.id, "sent_at": arrived.sent_at} if arrived is not None else {}),
        referral=referral,
        kind=kind,
        from_organisation=receiver if to_sender else sender,
        to_organisation=sender if to_sender else receiver,
        payload=payload,
        sent_by=user if user is not None and user.is_authenticated else None,
        in_reply_to=in_reply_to,
    )
    message.referral = referral  # the locked instance: its case's person's key encrypts
    message.save()
    _deliver(message, arrived and arrived.received_at)
    return message


def audit_referral(action: str, referral: Referral, user, organisation, message=None, **details):
    # Free text (reasons, questions) stays in the encrypted message: it may describe the person.
    audit(
        action,
        actor=user,
        organisation=organisation,
        target=referral.case,
        details={
            "referral": str(referral.pk),
            "message": str(message.pk) if message else None,
            "state": referral.state,
            **details,
        },
    )


def revoke_grant(referral: Referral, actor) -> None:
    """The access the referral gave its receiver ends (an effect of its cancellation)."""
    if referral.grant_id is not None:
        revoke_access(actor, Grant.objects.select_for_update().get(pk=referral.grant_id))


def _answer_due(receiver, start):
    """When the receiving side must answer: working days of its country, from its configuration."""
    country = receiver.country
    return add_working_days(country, start, country.referral_response_days)


# --- sending --------------------------------------------------------------------------------


def _categories(categories) -> frozenset:
    wanted = frozenset(str(category) for category in categories or ())
    unknown = wanted - ALL_CATEGORIES
    if unknown:
        raise DomainError(
            _("Unknown data categories: %(categories)s")
            % {"categories": ", ".join(sorted(unknown))}
        )
    return wanted | ALWAYS_SHARED


def reasons_not_to_refer(case: Case, receiver, categories) -> list[str]:
    """Why `case` may not be referred to `receiver` with `categories` now; empty if it may."""
    reasons = []
    names = {"organisation": receiver.name}
    if not receiver.is_active:
        reasons.append(_("%(organisation)s is no longer active in the directory.") % names)
    if receiver.country_id == case.owner.country_id:
        reasons.append(_("A transnational referral goes to an organisation in another country."))
    if not receiver.is_reachable:
        reasons.append(
            _("%(organisation)s works on another trm node, which this node does not "
              "exchange with: ask the administrator to pin it (trm peer add).") % names
        )  # fmt: skip
    facts = CaseFacts(case)
    if facts.seeks_asylum and receiver.kind not in NOT_AUTHORITIES:
        reasons.append(
            _("The person seeks asylum: no authority of the country of origin may be contacted, "
              "and %(organisation)s is a public authority. Refer only to an NGO, an "
              "international organisation or a health or other service provider.") % names
        )  # fmt: skip
    reasons.extend(a_child_return_is_in_their_best_interests(facts))
    person = case.person
    consented = current_consents(person).filter(
        purpose=Purpose.REFERRAL, recipient_organisation_id=receiver.pk
    )
    if not consented.exists():
        reasons.append(_("The person has not consented to a referral to %(organisation)s.") % names)
    reasons.extend(
        covers(
            person,
            purpose=Purpose.REFERRAL,
            categories=frozenset(categories) - ALWAYS_SHARED,
            organisation=receiver,
        ).reasons()
    )
    existing = Referral.objects.open().filter(case=case).select_related("receiver").first()
    if existing is not None:
        reasons.append(
            _("This case already has an open referral, to %(organisation)s: wait for its answer "
              "or cancel it first.") % {"organisation": existing.receiver.name}
        )  # fmt: skip
    return [str(reason) for reason in reasons]


@step
def send_referral(
    user,
    case: Case,
    receiver,
    categories,
    message: str = "",
    *,
    services=(),
    planned_return: datetime.date | None = None,
    texts=(),
) -> Referral:
    """Refer the case to `receiver`, sharing `categories` (risk to life always); delivered now.

    `services`: what the person will need (directory service kinds); `planned_return`: a date in
    the month the return is planned for. Both show in the receiver's preview. `texts`: the
    narrative fields ("record id:field") the sender read and includes; others stay behind.
    """
    locked = locked_case(case.pk)
    _sending_actor(user, locked)
    if locked.stage != Stage.REFERRAL:
        raise GuardRefused(
            _("A referral is sent at the stage %(stage)s; this case is at %(current)s.")
            % {"stage": Stage.REFERRAL.label, "current": Stage(locked.stage).label}
        )
    if locked.person.erased_at is not None:
        raise DomainError(_("This person's data was erased; nothing can be sent about them."))
    message = limits.checked(message, limits.MESSAGE, "message")
    shared = _categories(categories)
    unknown_services = set(services) - set(ServiceKind.values)
    if unknown_services:
        raise DomainError(
            _("Unknown services: %(services)s") % {"services": ", ".join(sorted(unknown_services))}
        )
    reasons = reasons_not_to_refer(locked, receiver, shared)
    if reasons:
        raise GuardRefused(*reasons)
    included = sorted(set(texts))
    offered = {narrative.key for narrative in narratives(locked, shared)}
    if set(included) - offered:
        raise DomainError(
            _(
                "A text chosen to be sent is not among the narrative of the shared data "
                "categories: choose the texts again."
            )
        )
    now = timezone.now()
    referral = Referral.objects.create(
        case=locked,
        sender=locked.owner,
        receiver=receiver,
        categories=sorted(shared),
        texts=included,
        state=workflow.EVENTS["send"].target,
        sent_at=now,
        response_due_at=_answer_due(receiver, now),
    )
    referral.case = locked
    payload = build_payload(
        locked,
        shared,
        message=message,
        services=services,
        planned_return=planned_return,
        texts=included,
    )
    sent = write_message(referral, MessageKind.SEND, user=user, payload=payload)
    audit_referral(
        "trm.referral.sent",
        referral,
        user,
        referral.sender,
        sent,
        receiver=receiver.pk,
        categories=referral.categories,
    )
    if receiver.is_hosted_here:
        # On one node the referral is in the receiver's inbox as soon as it is sent.
        received(referral, sent, user)
    return referral


def received(referral: Referral, sent: ReferralMessage, actor) -> None:
    """The (locked) referral reached its receiver: its answer is due from now."""
    move(referral, "deliver", actor)
    audit_referral("trm.referral.received", referral, None, referral.receiver, sent)
    notifications.notify_of(sent, actor, tracking.answer_deadline(referral))


# --- the receiving side's answer ------------------------------------------------------------


@step
def accept_referral(
    user,
    referral: Referral,
    *,
    met_by: str,
    place: str,
    meeting_at: datetime.datetime,
    capacity_confirmed: bool = True,
    message: str = "",
) -> Referral:
    """The receiving organisation takes the person on: it gains access to the shared categories,
    records the reception arrangements, and the case moves on to return preparation."""
    return accept(
        _locked(referral),
        user,
        met_by=met_by,
        place=place,
        meeting_at=meeting_at,
        capacity_confirmed=capacity_confirmed,
        message=message,
    )


def accept(
    locked: Referral,
    user,
    *,
    met_by: str,
    place: str,
    meeting_at: datetime.datetime,
    capacity_confirmed: bool = True,
    message: str = "",
    arrived=None,
) -> Referral:
    """`accept_referral` on the locked referral, by a person of the receiving organisation (or
    by its envoy, applying the acceptance `arrived` from its node)."""
    _member_of(user, locked.receiver)
    check(locked, "accept")
    case = locked.case
    if case.stage != Stage.REFERRAL:
        raise GuardRefused(_("The case no longer waits for a referral to be accepted."))
    errors = {}
    met_by = limits.checked(met_by, limits.LINE, "met_by")
    place = limits.checked(place, limits.LINE, "place")
    message = limits.checked(message, limits.MESSAGE, "message")
    if not met_by:
        errors["met_by"] = [_("Name who will meet the person.")]
    if not place:
        errors["place"] = [_("Say where the person will be met.")]
    if not isinstance(meeting_at, datetime.datetime):
        errors["meeting_at"] = [_("Say when the person will be met.")]
    elif meeting_at <= timezone.now() and arrived is None:
        # Arrangements are for a return still to come: a past meeting is a typing slip.
        errors["meeting_at"] = [_("The meeting with the person must be in the future.")]
    if errors:
        raise DomainError(errors=errors)
    grant = grant_access(
        user,
        case,
        organisation=locked.receiver,
        categories=locked.categories,
        texts=locked.texts,
        source=Grant.Source.REFERRAL,
    )
    move(locked, "accept", user, grant=grant, decided_at=timezone.now())
    accepted = write_message(
        locked,
        MessageKind.ACCEPT,
        user=user,
        to_sender=True,
        payload={
            "met_by": met_by,
            "place": place,
            "meeting_at": meeting_at.isoformat(),
            "capacity_confirmed": bool(capacity_confirmed),
            "message": message,
        },
        arrived=arrived,
    )
    if arrived is not None:
        # Taken on the receiving node: its record and its step follow as updates of their own.
        audit_referral(
            "trm.referral.accepted", locked, user, locked.receiver, accepted, grant=grant.pk
        )
        notifications.notify_of(accepted, user)
        if locked.sender.is_hosted_here:
            from .crossing import send_package

            send_package(locked)  # what it accepted follows to its node
        return locked
    # The journey tells the receiving side by its grant: the record comes after the grant.
    journey.write_record(
        user,
        case,
        "reception_arrangements",
        {
            "confirmed": "yes" if capacity_confirmed else "no",
            "met_by": met_by,
            "place": place,
            "meeting_at": meeting_at,
        },
    )
    # The same step: the case row is locked by it since its start, so no version to compare.
    journey.take_step(user, case, "referral_accepted")
    audit_referral("trm.referral.accepted", locked, user, locked.receiver, accepted, grant=grant.pk)
    notifications.notify_of(accepted, user)
    return locked


@step
def decline_referral(user, referral: Referral, reason: str) -> Referral:
    """The receiving organisation cannot take the person on; the sender may refer elsewhere."""
    return decline(_locked(referral), user, reason)


def decline(locked: Referral, user, reason: str, *, arrived=None) -> Referral:
    _member_of(user, locked.receiver)
    check(locked, "decline")
    reason = _text(reason, _("Say why the referral is declined."), "reason", limits.REASON)
    move(locked, "decline", user, decided_at=timezone.now())
    declined = write_message(
        locked,
        MessageKind.DECLINE,
        user=user,
        to_sender=True,
        payload={"reason": reason},
        arrived=arrived,
    )
    audit_referral("trm.referral.declined", locked, user, locked.receiver, declined)
    notifications.notify_of(declined, user)
    return locked


@step
def ask_for_information(user, referral: Referral, question: str) -> ReferralMessage:
    """The receiving organisation asks the sender something about the referral."""
    return ask(_locked(referral), user, question)


def ask(locked: Referral, user, question: str, *, arrived=None) -> ReferralMessage:
    _member_of(user, locked.receiver)
    check(locked, "ask")
    question = _text(question, _("Write the question."), "question")
    move(locked, "ask", user)
    asked = write_message(
        locked,
        MessageKind.ASK_INFORMATION,
        user=user,
        to_sender=True,
        payload={"question": question},
        arrived=arrived,
    )
    audit_referral("trm.referral.information_requested", locked, user, locked.receiver, asked)
    notifications.notify_of(asked, user)
    return asked


@step
def answer(user, referral: Referral, message_in_reply_to: ReferralMessage, text: str):
    """Answer a request for information, from the organisation it was sent to."""
    return reply(_locked(referral), user, message_in_reply_to.pk, text)


def reply(locked: Referral, user, question_id, text: str, *, arrived=None) -> ReferralMessage:
    question = (
        ReferralMessage.objects.select_related("from_organisation", "to_organisation")
        .filter(pk=question_id, referral_id=locked.pk)
        .first()
    )
    if question is None:
        raise NotAllowed(NOT_FOUND)
    _member_of(user, question.to_organisation)
    if question.kind != MessageKind.ASK_INFORMATION:
        raise DomainError(_("Only a request for information is answered."))
    check(locked, "answer")
    text = _text(text, _("Write the answer."), "text")
    answered = write_message(
        locked,
        MessageKind.ANSWER,
        user=user,
        to_sender=question.to_organisation_id == locked.receiver_id,
        payload={"text": text},
        in_reply_to=question,
        arrived=arrived,
    )
    audit_referral("trm.referral.answered", locked, user, question.to_organisation, answered)
    notifications.notify_of(answered, user)
    if question.from_organisation_id == locked.receiver_id and locked.state in AWAITING_ANSWER:
        # The receiving side has what it asked for: a whole answer period again.
        locked.response_due_at = _answer_due(locked.receiver, answered.sent_at)
        locked.save(update_fields=["response_due_at"])
        tracking.track_referral(locked)
    return answered


# --- the sending side withdraws -------------------------------------------------------------


def cancel(
    referral: Referral, *, user, payload: dict, kind=MessageKind.CANCEL, to_sender=False
) -> ReferralMessage:
    """Cancel the (locked, open) referral: the receiver loses any access it was given, its
    deadlines end (the table's effects), and the other side is told (by `kind`, from the
    receiver if `to_sender`).

    The sender's withdrawal of a referral to another node is only asked for here: the receiving
    node may have accepted it meanwhile, and only it can say. The referral is cancelled when the
    receiving node's receipt says the withdrawal was applied (`crossing.delivered`); refused
    `already_accepted`, it stands. A withdrawal of consent binds both sides at once."""
    check(referral, "cancel")
    if kind == MessageKind.CANCEL and not referral.receiver.is_hosted_here:
        from .crossing import withdrawal_on_its_way

        if withdrawal_on_its_way(referral):
            raise Conflict(
                _("The withdrawal of this referral is on its way to the receiving node.")
            )
        return write_message(referral, kind, user=user, payload=payload, to_sender=to_sender)
    cancelled = write_message(referral, kind, user=user, payload=payload, to_sender=to_sender)
    withdrawn(referral, cancelled, user)
    return cancelled


def withdrawn(referral: Referral, cancelled: ReferralMessage, actor, *, arrived=None) -> None:
    """The (locked) referral ends by the message `cancelled`: access and deadlines with it."""
    move(referral, "cancel", actor)
    writer = cancelled.from_organisation
    because = cancelled.kind
    audit_referral("trm.referral.cancelled", referral, actor, writer, cancelled, because=because)
    notifications.notify_of(cancelled, actor)


@step
def cancel_referral(user, referral: Referral, reason: str) -> Referral:
    """The sending side withdraws the referral, with a reason; any access given is revoked."""
    locked = _locked(referral)
    _sending_actor(user, locked.case)
    check(locked, "cancel")
    reason = _text(reason, _("Say why the referral is cancelled."), "reason", limits.REASON)
    cancel(locked, user=user, payload={"reason": reason})
    return locked
