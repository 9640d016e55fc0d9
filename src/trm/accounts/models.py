"""People who use trm, and what they may do: a membership is user × organisation × role."""

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    CASE_WORKER = "case_worker", _("Case worker")
    SUPERVISOR = "supervisor", _("Supervisor")
    FOCAL_POINT = "focal_point", _("Focal point")
    COORDINATOR = "coordinator", _("Coordinator")
    ORGANISATION_ADMIN = "organisation_admin", _("Organisation administrator")
    DATA_PROTECTION_OFFICER = "data_protection_officer", _("Data protection officer")


# Coordinators see statistics only; every other role can reach personal data.
ROLES_WITHOUT_PERSONAL_DATA = {Role.COORDINATOR}


# The accounts that stand for a peer node's organisations here (`referrals.crossing.envoy`).
ENVOY_PREFIX = "envoy:"


class User(AbstractUser):
    language = models.CharField(
        _("language"), max_length=8, choices=settings.LANGUAGES, default=settings.LANGUAGE_CODE
    )

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def active_memberships(self):
        return self.memberships.filter(is_active=True).select_related("organisation__country")

    def roles(self) -> set[str]:
        return {m.role for m in self.active_memberships()}

    @property
    def is_envoy(self) -> bool:
        """An account that stands for an organisation of a peer node: it never signs in."""
        return self.username.startswith(ENVOY_PREFIX)

    @property
    def needs_two_factor(self) -> bool:
        """Two factors for everyone who can reach personal data: all but pure coordinators."""
        roles = self.roles()
        return self.is_staff or not roles or bool(roles - ROLES_WITHOUT_PERSONAL_DATA)

    @property
    def administers_node(self) -> bool:
        """A node administrator: its staff, or an administrator of one of its organisations.
        They see how the exchange with other nodes goes (no personal data there)."""
        if not (self.is_authenticated and self.is_active):
            return False
        return self.is_staff or Role.ORGANISATION_ADMIN in self.roles()

    def administers(self, organisation) -> bool:
        return self.memberships.filter(
            organisation=organisation, role=Role.ORGANISATION_ADMIN, is_active=True
        ).exists()


class Membership(models.Model):
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    organisation = models.ForeignKey(
        "directory.Organisation",
        on_delete=models.PROTECT,
        related_name="memberships",
        verbose_name=_("organisation"),
    )
    role = models.CharField(_("role"), max_length=32, choices=Role)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "organisation", "role"], name="one_membership_per_role"
            )
        ]

    def __str__(self):
        return f"{self.user} · {self.organisation} · {self.get_role_display()}"
