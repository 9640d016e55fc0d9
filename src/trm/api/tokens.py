"""Making, revoking and recognising API tokens; each change is audited.

A token never reaches further than its maker, the person it acts for. It acts as a service
user of its organisation (`token-<id>`, no usable password) holding one of its maker's case
roles there, chosen for its scopes (`SCOPE_ROLES`): the access policy and the actions then
treat it like that member. A token with the directory scope only holds no role at all, so any
administrator may make one. When the maker no longer holds that role (or is deactivated), the
token stops reaching case data at once (`ApiToken.reach_lost`); revoking it deactivates its
service user.
"""

import hashlib
import secrets
from datetime import timedelta

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from trm.access.policy import CASE_ROLES
from trm.accounts.models import Membership, Role, User
from trm.audit.log import record
from trm.cases.workflow import CASE_WORK
from trm.lib.errors import Conflict, DomainError, NotAllowed
from trm.lib.steps import step

from .models import ApiToken, Scope

SECRET_PREFIX = "trm_"  # noqa: S105 (how a token begins, not a secret)
# last_used_at is written at most this often: one write per request would be noise.
USE_RECORDED_EVERY = timedelta(minutes=1)

# The roles a maker must hold in the organisation to give a scope. The directory holds no
# victim data and is open to every signed-in user: no role. Everything else reaches cases,
# their referrals or their deadlines, so it needs a case role there; a data protection officer
# reads cases and never writes them, and the inbox and tasks are case work, not theirs.
SCOPE_ROLES: dict[str, frozenset] = {
    Scope.CASES_READ: CASE_ROLES,
    Scope.CASES_WRITE: CASE_WORK,
    Scope.REFERRALS_READ: CASE_WORK,
    Scope.REFERRALS_WRITE: CASE_WORK,
    Scope.DIRECTORY_READ: frozenset(),
    Scope.TASKS_READ: CASE_WORK,
}
CASE_SCOPES = frozenset(scope for scope, roles in SCOPE_ROLES.items() if roles)
# Which of the maker's roles the token takes: the narrowest that covers its scopes. A token
# that answers referrals takes the focal point role where its maker has it, so the escalations
# the focal point receives reach the system that answers them.
ROLE_PREFERENCE = (
    Role.CASE_WORKER,
    Role.FOCAL_POINT,
    Role.SUPERVISOR,
    Role.DATA_PROTECTION_OFFICER,
)
ANSWERING_PREFERENCE = (Role.FOCAL_POINT, *[r for r in ROLE_PREFERENCE if r != Role.FOCAL_POINT])


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def parse_scopes(scopes) -> list[str]:
    """The scopes, checked against the fixed list, in its order; at least one."""
    wanted = {str(scope).strip() for scope in scopes if str(scope).strip()}
    unknown = wanted - set(Scope.values)
    if unknown:
        raise DomainError(
            _("Unknown scopes: %(scopes)s. Choose from: %(known)s.")
            % {"scopes": ", ".join(sorted(unknown)), "known": ", ".join(Scope.values)}
        )
    if not wanted:
        raise DomainError(_("Give the token at least one scope."))
    return [scope for scope in Scope.values if scope in wanted]


def _may_manage(actor, organisation) -> None:
    # None: the node's own command line, run by whoever runs the node.
    if actor is not None and not actor.administers(organisation):
        raise NotAllowed(_("Only the organisation's administrators manage its API tokens."))


def token_role(maker, organisation, scopes) -> str | None:
    """The maker's role in `organisation` the token takes for `scopes` (None: it needs none).

    Refuses, naming the scopes, when the maker does not hold a role they need there.
    """
    if not any(SCOPE_ROLES[scope] for scope in scopes):
        return None
    if maker is None:
        raise NotAllowed(
            _(
                "The scopes %(scopes)s reach case data: a token with them acts for a person "
                "who holds a case role in %(organisation)s, and reaches no further than they do."
            )
            % {
                "scopes": ", ".join(s for s in scopes if s in CASE_SCOPES),
                "organisation": organisation,
            }
        )
    held = set()
    if maker.is_active:
        held = set(
            maker.memberships.filter(organisation=organisation, is_active=True).values_list(
                "role", flat=True
            )
        )
    beyond = [scope for scope in scopes if SCOPE_ROLES[scope] and not held & SCOPE_ROLES[scope]]
    if beyond:
        raise NotAllowed(
            _(
                "A token reaches no further than the person who makes it, and %(scopes)s need "
                "a case role in %(organisation)s that %(maker)s does not hold there (case "
                "worker, supervisor or focal point; a data protection officer may give "
                "cases:read only)."
            )
            % {"scopes": ", ".join(beyond), "organisation": organisation, "maker": maker}
        )
    fitting = held.intersection(*(SCOPE_ROLES[scope] for scope in scopes if SCOPE_ROLES[scope]))
    preference = ANSWERING_PREFERENCE if Scope.REFERRALS_WRITE in scopes else ROLE_PREFERENCE
    return next(role for role in preference if role in fitting)


@step
def create_token(
    actor, organisation, *, name: str, scopes, maker=None, second_factor: bool = False
) -> tuple[ApiToken, str]:
    """Make a token for `organisation`; returns it with its secret, which is never stored.

    A person (`actor`) makes it for themselves: case scopes need a case role of theirs there
    and the second factor passed in this session (`second_factor`). The node's command line
    (`actor` None) may name the `maker` it acts for; without one it gives the directory only.
    """
    _may_manage(actor, organisation)
    if not organisation.is_hosted_here:
        # Its systems use their own node's API: a token here would act for it on this node.
        raise DomainError(
            _("%(organisation)s works on another trm node: its systems use that node's API.")
            % {"organisation": organisation.name}
        )
    name = (name or "").strip()
    if not name:
        raise DomainError(_("Name the system that will use the token."))
    scopes = parse_scopes(scopes)
    if actor is not None:
        maker = actor
    role = token_role(maker, organisation, scopes)
    if role is not None and actor is not None and not second_factor:
        raise NotAllowed(
            _(
                "A token that reaches case data is made only after the second factor: sign "
                "out, sign in again with your authenticator, then make it."
            )
        )
    secret = SECRET_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        organisation=organisation,
        name=name[:100],
        prefix=secret[: len(SECRET_PREFIX) + 6],
        secret_hash=hash_secret(secret),
        scopes=scopes,
        created_by=maker,
    )
    user = User(username=f"token-{token.pk}", first_name=name[:150], last_name="(API)")
    user.set_unusable_password()
    user.save()
    if role is not None:
        Membership.objects.create(user=user, organisation=organisation, role=role, created_by=maker)
    token.user = user
    token.save(update_fields=["user"])
    record(
        "trm.api_token.created",
        actor=actor,
        organisation=organisation,
        target=token,
        details={
            "token": token.pk,
            "scopes": scopes,
            "role": role,
            "maker": maker.pk if maker else None,
        },
    )
    return token, secret


@step
def revoke_token(actor, token: ApiToken) -> ApiToken:
    """Stop the token at once; its service user can no longer act or see anything."""
    token = ApiToken.objects.select_for_update().select_related("organisation").get(pk=token.pk)
    _may_manage(actor, token.organisation)
    if token.revoked_at is not None:
        raise Conflict(_("This token was revoked already."))
    token.revoked_at, token.revoked_by = timezone.now(), actor
    token.save(update_fields=["revoked_at", "revoked_by"])
    if token.user_id is not None:
        Membership.objects.filter(user_id=token.user_id).update(is_active=False)
        User.objects.filter(pk=token.user_id).update(is_active=False)
    record(
        "trm.api_token.revoked",
        actor=actor,
        organisation=token.organisation,
        target=token,
        details={"token": token.pk},
    )
    return token


def token_for(secret: str) -> ApiToken | None:
    """The active token whose secret this is, its use noted; None for anything else."""
    if not secret.startswith(SECRET_PREFIX) or len(secret) > 200:
        return None
    token = (
        ApiToken.objects.active()
        .select_related("user", "organisation", "created_by")
        .filter(secret_hash=hash_secret(secret))
        .first()
    )
    if token is None or token.user is None or not token.user.is_active:
        return None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at > USE_RECORDED_EVERY:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    return token
