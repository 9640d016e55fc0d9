"""The write path of an organisation's staff: inviting a member, deactivating a membership."""

from django.contrib.auth import get_user_model

from trm.lib.steps import step

from .models import Membership

User = get_user_model()


@step
def invite_member(inviter, organisation, data) -> User:
    """The account, without a password, and its membership of `organisation` with `data["role"]`."""
    user = User.objects.create_user(
        username=data["username"],
        email=data["email"],
        first_name=data["first_name"],
        last_name=data["last_name"],
        password=None,
        language=inviter.language,
    )
    Membership.objects.create(
        user=user, organisation=organisation, role=data["role"], created_by=inviter
    )
    return user


@step
def deactivate_membership(membership: Membership) -> None:
    """End the membership; an account left with none is deactivated too."""
    membership.is_active = False
    membership.save(update_fields=["is_active"])
    user = membership.user
    if not user.memberships.filter(is_active=True).exists():
        user.is_active = False
        user.save(update_fields=["is_active"])
