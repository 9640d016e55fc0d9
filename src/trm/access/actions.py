"""Changing who may see a case: break-the-glass access, grants and their revocation."""

from datetime import timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from trm.accounts.models import Role, User
from trm.audit.log import record
from trm.lib import effects, limits
from trm.lib.errors import CASE_NOT_FOUND, DomainError, NotAllowed
from trm.lib.steps import step

from .categories import ALL_CATEGORIES
from .models import BreakGlass, Grant
from .policy import BREAK_GLASS_HOURS, Action, access_to

# Who is told of an emergency access, in its step: the data protection officers.
BREAK_GLASS_EFFECTS = ("trm.deadlines.notify.tell_of_emergency_access",)


@step
def break_the_glass(actor, case, reason: str) -> BreakGlass:
    """Open a case in an emergency for a few hours; the data protection officers are told."""
    if not access_to(actor, case).allows(Action.BREAK_GLASS):
        raise NotAllowed(CASE_NOT_FOUND)
    reason = limits.checked(reason, limits.REASON, "reason")
    if len(reason) < 10:
        raise DomainError(_("Say why you need this case now, in a sentence."))
    emergency = BreakGlass.objects.create(
        user=actor,
        case=case,
        reason=reason,
        expires_at=timezone.now() + timedelta(hours=BREAK_GLASS_HOURS),
    )
    record(
        "trm.access.break_glass",
        actor=actor,
        organisation=case.owner,
        target=case,
        # For the officers who review emergencies; the person's, as on the BreakGlass row.
        reason=reason,
        reason_key=case.person.data_key,
        details={"break_glass": str(emergency.pk), "hours": BREAK_GLASS_HOURS},
    )
    officers = User.objects.filter(
        is_active=True,
        memberships__organisation_id__in={
            case.owner_id,
            *actor.memberships.values_list("organisation_id", flat=True),
        },
        memberships__role=Role.DATA_PROTECTION_OFFICER,
        memberships__is_active=True,
    ).distinct()
    # In the step: the officers are told exactly once, by the worker, even if it dies.
    effects.run(BREAK_GLASS_EFFECTS, case, actor, list(officers), emergency.started_at)
    return emergency


@transaction.atomic(savepoint=False)
def grant_access(
    actor, case, *, organisation=None, user=None, categories, source, expires_at=None, texts=()
):
    """Give an organisation or a user access to some data categories of the case (and to the
    narrative `texts` a sender included)."""
    unknown = set(categories) - ALL_CATEGORIES
    if unknown:
        raise DomainError(
            _("Unknown data categories: %(categories)s")
            % {"categories": ", ".join(sorted(unknown))}
        )
    grant = Grant.objects.create(
        case=case,
        organisation=organisation,
        user=user,
        categories=sorted(categories),
        texts=sorted(texts),
        source=source,
        granted_by=actor,
        expires_at=expires_at,
    )
    record(
        "trm.access.granted",
        actor=actor,
        organisation=case.owner,
        target=case,
        details={"grant": str(grant.pk), "categories": grant.categories, "source": source},
    )
    return grant


@transaction.atomic(savepoint=False)
def revoke_access(actor, grant: Grant) -> None:
    if grant.revoked_at is None:
        grant.revoked_at = timezone.now()
        grant.save(update_fields=["revoked_at"])
        record(
            "trm.access.revoked",
            actor=actor,
            organisation=grant.case.owner,
            target=grant.case,
            details={"grant": str(grant.pk)},
        )
