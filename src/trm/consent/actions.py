"""Recording and withdrawing consent: permission, checks, the record, the audit event."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from trm.access.actions import revoke_access
from trm.access.categories import ALWAYS_SHARED
from trm.access.models import Grant
from trm.access.policy import access_to
from trm.access.rights import Write, require
from trm.audit.log import record
from trm.cases.age import is_child_on
from trm.cases.locking import lock_case
from trm.cases.models import Case
from trm.lib import effects, limits
from trm.lib.errors import DomainError, NotAllowed
from trm.lib.steps import step

from .models import ConsentRecord, Purpose
from .state import current_consents


def locked_case_for_consent(actor, case) -> Case:
    """The case locked for the owning organisation to record or withdraw consent on it."""
    locked = lock_case(case.pk)
    require(access_to(actor, locked), Write.CONSENT)
    if locked.person.erased_at is not None:
        raise DomainError(_("This person's data was erased."))
    return locked


def _checked(consent: ConsentRecord) -> None:
    try:
        consent.full_clean(exclude=["person", "case", "recorded_by", "withdraws"])
    except ValidationError as invalid:
        raise DomainError(*invalid.messages) from None


@step
def record_consent(
    actor,
    case,
    *,
    purpose: str,
    categories,
    language: str,
    interpreter_present: bool = False,
    recipient_organisation=None,
    recipient_country=None,
    expires_at=None,
    guardian_consent: bool | None = None,
    child_views: str = "",
) -> ConsentRecord:
    """Record the person's consent for one purpose and some data categories."""
    locked = locked_case_for_consent(actor, case)
    reasons = []
    if purpose not in Purpose.values:
        reasons.append(_("Choose the purpose of the consent."))
    categories = sorted(set(categories or ()))
    if not categories:
        reasons.append(_("Choose at least one data category the person agrees to."))
    if purpose == Purpose.REFERRAL and recipient_organisation is None:
        reasons.append(_("A consent to a referral names the organisation it may go to."))
    if recipient_organisation is not None:
        if recipient_country is not None and recipient_country != recipient_organisation.country:
            reasons.append(_("The recipient organisation is not in the recipient country."))
        recipient_country = recipient_organisation.country
    if expires_at is not None and expires_at <= timezone.now():
        reasons.append(_("The consent would expire before it is given."))
    child_views = limits.checked(child_views, limits.MESSAGE, "child_views")
    child = is_child_on(locked)
    if child:
        # domain.md §5-6: for a child, the guardian's consent and the child's own views.
        if guardian_consent is not True:
            reasons.append(_("For a child, the guardian must consent too."))
        if not child_views:
            reasons.append(_("For a child, record the child's own views."))
    elif guardian_consent is not None or child_views:
        reasons.append(_("A guardian's consent and a child's views apply to children only."))
    if reasons:
        raise DomainError(*reasons)
    consent = ConsentRecord(
        person=locked.person,
        case=locked,
        given=True,
        purpose=purpose,
        categories=categories,
        recipient_organisation=recipient_organisation,
        recipient_country=recipient_country,
        language=language,
        interpreter_present=bool(interpreter_present),
        recorded_by=actor,
        expires_at=expires_at,
        guardian_consent=guardian_consent if child else None,
        child_views=child_views or None,
    )
    _checked(consent)
    consent.save()
    record(
        "trm.consent.recorded",
        actor=actor,
        organisation=locked.owner,
        target=locked,
        details={
            "consent": str(consent.id),
            "purpose": purpose,
            "categories": categories,
            "recipient_organisation": recipient_organisation.pk if recipient_organisation else None,
        },
    )
    return consent


@transaction.atomic(savepoint=False)
def record_withdrawal(
    actor,
    locked: Case,
    consent: ConsentRecord,
    reason: str = "",
    *,
    language: str | None = None,
    interpreter_present: bool = False,
) -> ConsentRecord:
    """Record that the person withdrew `consent` and revoke the access it gave.

    Composed by the actions that decide who may do this (`referrals.withdrawal`): the case is
    locked and the actor checked already. A person need not say why."""
    if locked.person.erased_at is not None:
        raise DomainError(_("This person's data was erased."))
    consent = ConsentRecord.objects.filter(pk=consent.pk, person_id=locked.person_id).first()
    if consent is None:
        raise NotAllowed(_("This consent does not exist or you may not see it."))
    if not consent.given:
        raise DomainError(_("A withdrawal cannot itself be withdrawn; record a new consent."))
    if consent.withdrawals.exists():
        raise DomainError(_("This consent was already withdrawn."))
    withdrawal = ConsentRecord(
        person=locked.person,
        case=locked,
        given=False,
        withdraws=consent,
        purpose=consent.purpose,
        categories=list(consent.categories),
        recipient_organisation=consent.recipient_organisation,
        recipient_country=consent.recipient_country,
        language=language or consent.language,
        interpreter_present=bool(interpreter_present),
        recorded_by=actor,
        reason=limits.checked(reason, limits.REASON, "reason") or None,
    )
    _checked(withdrawal)
    withdrawal.save()
    record(
        "trm.consent.withdrawn",
        actor=actor,
        organisation=locked.owner,
        target=locked,
        details={
            "consent": str(consent.id),
            "withdrawal": str(withdrawal.id),
            "purpose": consent.purpose,
            "categories": list(consent.categories),
        },
    )
    if consent.purpose == Purpose.REFERRAL and consent.recipient_organisation_id:
        _revoke_grants_no_longer_consented(actor, locked.person, consent.recipient_organisation)
    return withdrawal


# What a withdrawal implies beyond the consent records, in order: dotted paths of
# `effect(withdrawal, actor)`. Paths, not imports: the referrals app builds on consent.
WITHDRAWAL_EFFECTS = ("trm.referrals.withdrawal.consent_withdrawn",)


@step
def withdraw_consent(
    actor,
    case,
    consent: ConsentRecord,
    reason: str = "",
    *,
    language: str | None = None,
    interpreter_present: bool = False,
) -> ConsentRecord:
    """The owning organisation records that the person withdrew a consent; what the consent
    allowed ends with it (the access it gave, the referrals it no longer covers)."""
    locked = locked_case_for_consent(actor, case)
    withdrawal = record_withdrawal(
        actor,
        locked,
        consent,
        reason,
        language=language,
        interpreter_present=interpreter_present,
    )
    effects.run(WITHDRAWAL_EFFECTS, withdrawal, actor)
    return withdrawal


def still_consented(person, organisation) -> set[str]:
    """The categories the person still agrees to share with `organisation` by referral."""
    still = set()
    for remaining in current_consents(person).filter(
        purpose=Purpose.REFERRAL, recipient_organisation=organisation
    ):
        still |= set(remaining.categories)
    return still


def _revoke_grants_no_longer_consented(actor, person, organisation) -> None:
    """The receiving organisation keeps access only to what consent still covers."""
    still = still_consented(person, organisation)
    grants = (
        Grant.objects.active()
        .filter(case__person=person, organisation=organisation, source=Grant.Source.REFERRAL)
        .select_related("case__owner")
    )
    for grant in grants:
        if not set(grant.categories) - ALWAYS_SHARED <= still:
            revoke_access(actor, grant)
