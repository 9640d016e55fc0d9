"""The write path of the case journey: stage records, moves and approvals.

Each action locks the case row, checks the policy and the workflow, writes, appends the audit
event and calls what the step implies (the workflow's effects), in one transaction: a refusal,
or a failure of any part, changes nothing.
"""

import datetime
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from trm.access.policy import Action, CaseAccess, access_to, still_holds
from trm.access.rights import Write, require
from trm.audit.log import record as audit
from trm.directory.models import Organisation
from trm.lib import effects, limits
from trm.lib.errors import (
    CASE_NOT_FOUND,
    Conflict,
    DomainError,
    Forbidden,
    GuardRefused,
    NotAllowed,
)
from trm.lib.steps import step

from .. import age, sustainability
from ..locking import lock_case
from ..models import Approval, Case, StageRecord
from ..record_kinds import RECORD_KINDS, Side, not_before
from ..stages import ClosureReason, Stage
from ..workflow import (
    EVERY_RECORD_EFFECTS,
    EVERY_STEP_EFFECTS,
    RECORD_EFFECTS,
    CaseFacts,
    Transition,
    moves_from,
    transition_for,
)

NOT_FOUND = CASE_NOT_FOUND


@dataclass(frozen=True)
class Actor:
    """Who acts on the case, from which side, for which organisation, with which roles."""

    user: object
    access: CaseAccess
    side: str
    organisation: object
    roles: frozenset


def actor_for(user, case, action=Action.EDIT) -> Actor:
    """Who `user` is on `case`; refused as not found unless their access allows `action`."""
    access = access_to(user, case)
    if not access.allows(action):
        raise NotAllowed(NOT_FOUND)
    organisation = case.owner
    if access.organisation_id not in (None, case.owner_id):
        organisation = Organisation.objects.select_related("country").get(pk=access.organisation_id)
    return Actor(user, access, access.side, organisation, access.roles)


def still_acting(decided: Actor, case: Case, locked: Case) -> Actor:
    """`decided` (`actor_for` on `case` as read, before the lock) if it still holds on the
    `locked` case, or who the user is on it now (refused if no longer allowed)."""
    if locked.owner_id == case.owner_id and still_holds(decided.access, locked):
        return decided
    return actor_for(decided.user, locked)


def _locked(case: Case, version: int | None = None) -> Case:
    return lock_case(case.pk, version=version)


def _form_refusal(form) -> DomainError:
    """The form's errors as a refusal, field by field (its non-field errors above them)."""
    labels = {name: field.label for name, field in form.fields.items()}
    fields = {name: errors for name, errors in form.errors.items() if name in labels}
    general = [error for name, errors in form.errors.items() if name not in labels
               for error in errors]  # fmt: skip
    return DomainError(*general, errors=fields, labels=labels)


def _moment(value: str):
    """A date or moment of a record's facts, as Python reads it (aware, for a moment)."""
    if "T" not in value and len(value) == 10:
        return datetime.date.fromisoformat(value)
    moment = datetime.datetime.fromisoformat(value)
    return moment if timezone.is_aware(moment) else timezone.make_aware(moment)


def _dates_in_order(kind, cleaned: dict, case: Case) -> None:
    """Each date of the record follows the one of the journey it comes after (a reception the
    departure, a plan the reception); refused field by field otherwise."""
    facts = None
    errors = {}
    for spec in kind.fields:
        value = cleaned.get(spec.name)
        if spec.after is None or value in (None, ""):
            continue
        facts = facts or CaseFacts(case)
        other_kind, other_name = spec.after
        earlier = facts.fact(other_kind, other_name)
        if not earlier:
            continue
        earlier = _moment(earlier)
        if not not_before(value, earlier):
            other = next(f for f in RECORD_KINDS[other_kind].fields if f.name == other_name)
            shown = earlier.date() if isinstance(earlier, datetime.datetime) else earlier
            errors[spec.name] = [
                _("%(field)s cannot be before %(other)s (%(date)s).")
                % {"field": spec.label, "other": other.label, "date": shown.isoformat()}
            ]
    if errors:
        raise DomainError(errors=errors)


def _derived_facts(kind_code: str, facts: dict, case: Case, organisation) -> dict:
    """Facts computed from configuration: the end of the reflection period, survey scores."""
    if kind_code == "reflection_period":
        days = case.owner.country.reflection_period_days
        starts = datetime.date.fromisoformat(facts["starts_on"])
        facts["days"] = days
        facts["ends_on"] = (starts + datetime.timedelta(days=days)).isoformat()
    if kind_code == "monitoring_contact":
        country = organisation.country
        facts["scores"] = sustainability.scores(
            facts, country.sustainability_weights, country.sustainability_threshold
        )
        if case.returned_at:
            contacted = datetime.date.fromisoformat(facts["contacted_on"])
            facts["days_after_return"] = (contacted - case.returned_at.date()).days
    return facts


def _new_record(actor: Actor, case: Case, kind_code: str, data: dict, *, supersedes=None):
    require(actor.access, Write.RECORD)
    if supersedes is not None:
        require(actor.access, Write.CORRECTION)
        if supersedes.organisation_id != actor.organisation.pk:
            raise Forbidden(_("Only the organisation that made a record corrects it."))
    kind = RECORD_KINDS.get(kind_code)
    if kind is None:
        raise DomainError(_("There is no such record."))
    if kind.children_only and not age.is_child_on(case):
        raise DomainError(_("This record is for children only."))
    if case.stage not in kind.stages:
        raise DomainError(
            _("%(record)s cannot be recorded at the stage %(stage)s.")
            % {"record": kind.label, "stage": Stage(case.stage).label}
        )
    if kind.side != Side.EITHER and kind.side != actor.side:
        raise DomainError(
            _("%(record)s is recorded by the %(side)s.")
            % {"record": kind.label, "side": Side(kind.side).label.lower()}
        )
    form = kind.form_class(child=age.is_child_on(case))(data)
    if not form.is_valid():
        raise _form_refusal(form)
    _dates_in_order(kind, form.cleaned_data, case)
    current = StageRecord.objects.filter(case=case, kind=kind_code, superseded_by__isnull=True)
    if supersedes is not None:
        if not current.filter(pk=supersedes.pk).exists():
            raise Conflict(
                _(
                    "This record was corrected by someone else meanwhile. Nothing was saved: "
                    "reload it and make your correction again."
                )  # fmt: skip
            )
    elif not kind.repeatable and current.exists():
        raise Conflict(
            _(
                "%(record)s was recorded meanwhile. Nothing was saved: review it and correct it "
                "instead."
            )
            % {"record": kind.label}  # fmt: skip
        )
    facts, details = kind.split(form.cleaned_data)
    facts = _derived_facts(kind_code, facts, case, actor.organisation)
    created = StageRecord(
        case=case,
        kind=kind_code,
        stage=case.stage,
        side=actor.side if kind.side == Side.EITHER else kind.side,
        facts=facts,
        details=details or None,
        organisation=actor.organisation,
        recorded_by=actor.user,
        supersedes=supersedes,
    )
    created.case = case  # the locked instance: its person's key encrypts the details
    created.save()
    audit(
        "trm.record.corrected" if supersedes else "trm.record.added",
        actor=actor.user,
        organisation=case.owner,
        target=case,
        details={"record": str(created.pk), "kind": kind_code, "fields": sorted(
            [*facts, *details])},
    )  # fmt: skip
    effects.run(RECORD_EFFECTS.get(kind_code, ()) + EVERY_RECORD_EFFECTS, created, actor.user)
    return created


@step
def add_record(
    user, case: Case, kind: str, data: dict, *, supersedes=None, version: int | None = None
) -> StageRecord:
    """Record a form of the procedure, or correct one (`supersedes`: the record corrected);
    `version`: refuse if the case changed since the writer read it."""
    # Who acts is decided before the case is locked, so as to hold it for less time; under
    # the lock only what can have changed meanwhile is checked again (`still_acting`).
    decided = actor_for(user, case)
    return write_record(
        user, case, kind, data, supersedes=supersedes, version=version, decided=decided
    )


@transaction.atomic(savepoint=False)
def write_record(
    user,
    case: Case,
    kind: str,
    data: dict,
    *,
    supersedes=None,
    version: int | None = None,
    decided: Actor | None = None,
) -> StageRecord:
    """`add_record` within a step that composes it (the referral's acceptance). `decided`:
    who acts, as `actor_for` found it on `case` before the lock."""
    locked = _locked(case, version)
    actor = actor_for(user, locked) if decided is None else still_acting(decided, case, locked)
    if supersedes is not None and supersedes.case_id != locked.pk:
        raise NotAllowed(NOT_FOUND)
    created = _new_record(actor, locked, kind, data, supersedes=supersedes)
    age.refresh_child_flag(locked)  # lists show who is a child now
    locked.version += 1
    locked.save(update_fields=["version", "is_child"])
    return created


def _check_move(actor: Actor, case: Case, transition: Transition, facts: CaseFacts):
    require(actor.access, Write.STEP)
    if transition.side != Side.EITHER and transition.side != actor.side:
        raise NotAllowed(
            _("This step is taken by the %(side)s.") % {"side": Side(transition.side).label.lower()}
        )
    if not actor.roles & transition.roles:
        raise NotAllowed(_("Your role does not allow this step."))
    reasons = transition.reasons(facts)
    if reasons:
        raise GuardRefused(*reasons)


@step
def move(user, case: Case, event: str, *, version: int, data=None, reason: str = "") -> Case:
    """Take a step of the workflow; refused with the guards' reasons if it is not allowed."""
    return take_step(user, case, event, version=version, data=data, reason=reason)


@transaction.atomic(savepoint=False)
def take_step(
    user, case: Case, event: str, *, version: int | None = None, data=None, reason: str = ""
) -> Case:
    """`move` within a step that composes it (the referral's acceptance moves the case on)."""
    locked = _locked(case, version)
    actor = actor_for(user, locked)
    return _apply(actor, locked, event, data=data, reason=reason)


def _apply(actor: Actor, case: Case, event: str, *, data=None, reason: str = "") -> Case:
    transition = transition_for(case.stage, event)
    if transition is None:
        raise GuardRefused(
            _("This step is not possible at the stage %(stage)s.")
            % {"stage": Stage(case.stage).label}
        )
    age.refresh_child_flag(case)  # lists show who is a child now; the guards derive it anew
    _check_move(actor, case, transition, CaseFacts(case))
    reason = limits.checked(reason, limits.REASON, "reason")
    if transition.needs_reason and not reason:
        raise DomainError(_("Give the reason for this step."))
    recorded = None
    if transition.extra.get("record"):
        recorded = _new_record(actor, case, transition.extra["record"], data or {})
    source, now = case.stage, timezone.now()
    target = transition.target or case.stage_before_closure or Stage.IDENTIFICATION
    if event == "close":
        approval = CaseFacts(case).closure_approval
        approval.used_at = now
        approval.save(update_fields=["used_at"])
        case.stage_before_closure, case.closure_reason = source, approval.closure_reason
        case.closed_at = now
    elif event == "reopen":
        case.stage_before_closure, case.closure_reason, case.closed_at = "", "", None
    elif event == "depart":
        # The case's dates are the recorded facts: every deadline after the return counts
        # from when the person left and arrived, not from when someone clicked.
        case.returned_at = _moment(recorded.facts["departed_at"])
    elif event == "confirm_reception":
        case.received_at = _moment(recorded.facts["received_at"])
    case.stage = target
    case.version += 1
    case.save()
    audit(
        "trm.case.moved",
        actor=actor.user,
        organisation=case.owner,
        target=case,
        reason=reason,
        reason_key=case.person.data_key,  # the reason may speak of the person: theirs
        details={"event": event, "from": source, "to": case.stage},
    )
    effects.run(transition.effects, case, actor.user)
    effects.run(EVERY_STEP_EFFECTS, case, event, actor.user)
    return case


def available_moves(user, case: Case) -> list[tuple[Transition, list[str]]]:
    """Each step from the case's stage, with the reasons it is not allowed now (none: allowed)."""
    access = access_to(user, case)
    if not access.allows(Action.EDIT):
        return []
    actor = actor_for(user, case)
    facts = CaseFacts(case)
    found = []
    for transition in moves_from(case.stage):
        try:
            _check_move(actor, case, transition, facts)
        except DomainError as refused:
            found.append((transition, refused.reasons))
        else:
            found.append((transition, []))
    return found


@step
def request_approval(
    user,
    case: Case,
    subject: str,
    *,
    closure_reason: str = "",
    comment: str = "",
    version: int | None = None,
) -> Approval:
    """Ask a supervisor to approve a best-interests determination or the closure; `version`:
    refuse if the case changed since the writer read it."""
    locked = _locked(case, version)
    actor = actor_for(user, locked)
    require(actor.access, Write.APPROVAL_REQUEST)
    if locked.stage == Stage.CLOSED:
        raise DomainError(_("The case is closed: reopen it first."))
    if locked.approvals.pending().filter(subject=subject).exists():
        raise Conflict(_("An approval of this is already waiting for a supervisor."))
    record = None
    if subject == Approval.Subject.BEST_INTERESTS:
        record = CaseFacts(locked).latest("best_interests_determination")
        if record is None:
            raise DomainError(_("Record the best-interests determination first."))
    elif subject == Approval.Subject.CLOSURE:
        if closure_reason not in ClosureReason.values:
            raise DomainError(_("Choose the reason for closing the case."))
    else:
        raise DomainError(_("There is no such approval."))
    approval = Approval(
        case=locked,
        subject=subject,
        record=record,
        closure_reason=closure_reason,
        requested_by=user,
        comment=limits.checked(comment, limits.REASON, "comment") or None,
    )
    approval.case = locked
    approval.save()
    audit(
        "trm.approval.requested",
        actor=user,
        organisation=locked.owner,
        target=locked,
        details={"approval": str(approval.pk), "subject": subject, "reason": closure_reason},
    )
    return approval


@step
def decide_approval(user, approval: Approval, *, approve: bool, comment: str = "") -> Approval:
    """A supervisor of the owning organisation, not the one who asked, approves or returns it.

    An approved closure closes the case at once, if the workflow allows it.
    """
    locked = _locked(approval.case)
    approval = Approval.objects.select_for_update().get(pk=approval.pk)
    actor = actor_for(user, locked)
    require(actor.access, Write.APPROVAL_DECISION)
    if approval.requested_by_id == user.pk:
        raise DomainError(_("You cannot approve your own request: another supervisor must."))
    if approval.decided_at is not None:
        raise Conflict(_("This approval was decided already."))
    approval.approved, approval.decided_by, approval.decided_at = approve, user, timezone.now()
    comment = limits.checked(comment, limits.REASON, "comment")
    if comment:
        approval.case = locked
        approval.comment = comment
    approval.save()
    audit(
        "trm.approval.approved" if approve else "trm.approval.returned",
        actor=user,
        organisation=locked.owner,
        target=locked,
        details={"approval": str(approval.pk), "subject": approval.subject},
    )
    if approve and approval.subject == Approval.Subject.CLOSURE:
        _apply(actor, locked, "close")
    return approval
