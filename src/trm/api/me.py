"""`GET /api/me`: who is calling. A person learns their memberships; a token learns what it is,
whom it acts for, and what it may not do."""

import datetime
from typing import Literal

from django.utils.translation import gettext as _
from ninja import Router, Schema
from pydantic import Field

from trm.accounts.models import Role

from .models import Scope
from .schemas import codes, responses

router = Router(tags=["me"])


class MembershipOut(Schema):
    organisation_id: int
    organisation: str = Field(description="The organisation's short name (slug).")
    organisation_name: str
    country: str
    role: codes(Role)
    role_label: str


class TokenOut(Schema):
    name: str
    begins_with: str
    organisation_id: int
    organisation: str = Field(description="The organisation's short name (slug).")
    organisation_name: str
    scopes: list[codes(Scope)]
    role: codes(Role) | None = Field(
        description="The role of its maker's it acts with there; none for the directory only."
    )
    made_by: str | None = Field(description="The username of the person it acts for.")
    created_at: datetime.datetime
    last_used_at: datetime.datetime | None
    expires_at: datetime.datetime | None = Field(
        description="Tokens do not expire (always null): they work until they are revoked."
    )
    reaches_case_data: bool = Field(
        description="False when it has no case scope, or its maker no longer holds its role."
    )
    may_not: list[str] = Field(description="What it may not do, in sentences.")


class MeOut(Schema):
    kind: Literal["session", "token"]
    username: str
    name: str
    language: str
    second_factor: bool | None = Field(
        description="A session: whether it passed the second factor. A token: null."
    )
    memberships: list[MembershipOut]
    token: TokenOut | None = Field(description="Only when a token calls.")


def _memberships(user) -> list[MembershipOut]:
    return [
        MembershipOut(
            organisation_id=membership.organisation_id,
            organisation=membership.organisation.slug,
            organisation_name=membership.organisation.name,
            country=membership.organisation.country.code,
            role=membership.role,
            role_label=str(membership.get_role_display()),
        )
        for membership in user.active_memberships().order_by("organisation__name", "role")
    ]


def _may_not(token) -> list[str]:
    """What the token may not do: missing scopes, lost reach, and what is never a token's."""
    sentences = []
    if token.reach_lost:
        sentences.append(token.reach_lost)
    for scope in Scope:
        if scope.value not in token.scopes:
            sentences.append(
                _("Without the scope %(scope)s: %(label)s.")
                % {"scope": scope.value, "label": scope.label}
            )
    if token.role is None:
        sentences.append(_("Reach any case: it holds no case role."))
    else:
        sentences.append(
            _(
                "Reach further than the person it acts for: it holds their role %(role)s in "
                "%(organisation)s and loses its reach when they lose that role."
            )
            % {"role": Role(token.role).label, "organisation": token.organisation.name}
        )
    sentences.append(
        _("Decide approvals: a decision that needs a second person stays with a person.")
    )
    sentences.append(_("Sign in to the pages, or manage users and API tokens."))
    return sentences


def _token_out(token) -> TokenOut:
    return TokenOut(
        name=token.name,
        begins_with=token.prefix,
        organisation_id=token.organisation_id,
        organisation=token.organisation.slug,
        organisation_name=token.organisation.name,
        scopes=token.scopes,
        role=token.role,
        made_by=token.created_by.get_username() if token.created_by else None,
        created_at=token.created_at,
        last_used_at=token.last_used_at,
        expires_at=None,
        reaches_case_data=token.role is not None and not token.reach_lost,
        may_not=_may_not(token),
    )


@router.get("", response=responses(200, MeOut))
def me(request):
    """Who is calling. A signed-in person: their name, language, second factor and memberships.
    A token: its name, organisation, scopes, the person it acts for and their role it holds,
    when it was made, and what it may not do. Any valid token may call it: no scope needed."""
    token = getattr(request, "api_token", None)
    user = request.auth
    if token is not None:
        return MeOut(
            kind="token",
            username=user.get_username(),
            name=token.name,
            language=user.language,
            second_factor=None,
            memberships=_memberships(user),
            token=_token_out(token),
        )
    return MeOut(
        kind="session",
        username=user.get_username(),
        name=user.get_full_name(),
        language=user.language,
        second_factor=user.is_verified(),
        memberships=_memberships(user),
        token=None,
    )
