"""Making, revoking and recognising API tokens; each change is audited.

A token acts as a service user of its organisation (`token-<id>`, no usable password), a case
worker there, or a focal point if it may write referrals: the access policy and the actions
then treat it like any member, and revoking it deactivates that user.
"""

import hashlib
import secrets
from datetime import timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from trm.accounts.models import Membership, Role, User
from trm.audit.log import record
from trm.lib.errors import Conflict, DomainError, NotAllowed

from .models import ApiToken, Scope

SECRET_PREFIX = "trm_"  # noqa: S105 (how a token begins, not a secret)
# last_used_at is written at most this often: one write per request would be noise.
USE_RECORDED_EVERY = timedelta(minutes=1)


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


@transaction.atomic
def create_token(actor, organisation, *, name: str, scopes) -> tuple[ApiToken, str]:
    """Make a token for `organisation`; returns it with its secret, which is never stored."""
    _may_manage(actor, organisation)
    name = (name or "").strip()
    if not name:
        raise DomainError(_("Name the system that will use the token."))
    scopes = parse_scopes(scopes)
    secret = SECRET_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        organisation=organisation,
        name=name[:100],
        prefix=secret[: len(SECRET_PREFIX) + 6],
        secret_hash=hash_secret(secret),
        scopes=scopes,
        created_by=actor,
    )
    user = User(username=f"token-{token.pk}", first_name=name[:150], last_name="(API)")
    user.set_unusable_password()
    user.save()
    role = Role.FOCAL_POINT if Scope.REFERRALS_WRITE in scopes else Role.CASE_WORKER
    Membership.objects.create(user=user, organisation=organisation, role=role, created_by=actor)
    token.user = user
    token.save(update_fields=["user"])
    record(
        "trm.api_token.created",
        actor=actor,
        organisation=organisation,
        target=token,
        details={"token": token.pk, "scopes": scopes, "role": role},
    )
    return token, secret


@transaction.atomic
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
        .select_related("user", "organisation")
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
