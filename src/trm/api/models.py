"""API tokens: how another system acts for an organisation, within the scopes it was given."""

from django.conf import settings
from django.db import models
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from trm.accounts.models import Membership, Role


class Scope(models.TextChoices):
    CASES_READ = "cases:read", _("Read cases, their records and possible moves")
    CASES_WRITE = "cases:write", _("Open cases, record, move and ask for approvals")
    REFERRALS_READ = "referrals:read", _("Read the referral inbox, previews and threads")
    REFERRALS_WRITE = "referrals:write", _("Send, answer and cancel referrals")
    DIRECTORY_READ = "directory:read", _("Read the directory")
    TASKS_READ = "tasks:read", _("Read deadlines and notifications")


class ApiTokenQuerySet(models.QuerySet):
    def active(self):
        return self.filter(revoked_at__isnull=True)


class ApiToken(models.Model):
    """A secret for one system of one organisation. Only its SHA-256 hash is kept: the secret
    is shown once, when the token is made. The token acts as its own service user, holding
    one of its maker's (`created_by`) roles in the organisation, so the same access policy and
    actions apply to it as to a person; see trm.api.tokens."""

    organisation = models.ForeignKey(
        "directory.Organisation",
        on_delete=models.PROTECT,
        related_name="api_tokens",
        verbose_name=_("organisation"),
    )
    name = models.CharField(
        _("name"), max_length=100, help_text=_("Which system uses it, for example 'Case sync'.")
    )
    # The first characters of the secret, so people can tell their tokens apart.
    prefix = models.CharField(_("begins with"), max_length=16, editable=False)
    secret_hash = models.CharField(max_length=64, unique=True, editable=False)
    scopes = models.JSONField(_("scopes"), default=list)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        editable=False,
        related_name="api_token",
        verbose_name=_("service user"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("revoked by"),
    )

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None

    def allows(self, scope: str) -> bool:
        return self.is_active and scope in self.scopes

    @cached_property
    def role(self) -> str | None:
        """The role its service user holds in the organisation; None for the directory only."""
        if self.user_id is None:
            return None
        return (
            Membership.objects.filter(
                user_id=self.user_id, organisation_id=self.organisation_id, is_active=True
            )
            .values_list("role", flat=True)
            .first()
        )

    @cached_property
    def reach_lost(self) -> str | None:
        """Why the token no longer reaches case data, or None: its maker must still hold its
        role in the organisation, checked at every use, not only when it was made."""
        if self.role is None:
            return None  # nothing to reach: the policy shows it no case at all
        maker = self.created_by
        if maker is None:
            return str(
                _(
                    "This token acts for nobody who holds a case role in %(organisation)s, so "
                    "it reaches no case data. An administrator with a case role there can make "
                    "a new one."
                )
                % {"organisation": self.organisation}
            )
        still = (
            maker.is_active
            and Membership.objects.filter(
                user=maker, organisation_id=self.organisation_id, role=self.role, is_active=True
            ).exists()
        )
        if still:
            return None
        return str(
            _(
                "The person this token acts for no longer holds the role %(role)s in "
                "%(organisation)s, so it reaches no case data until they do again. Make a "
                "new token."
            )
            % {"role": Role(self.role).label, "organisation": self.organisation}
        )

    def scope_labels(self) -> list[str]:
        return [str(Scope(scope).label) for scope in self.scopes if scope in Scope.values]
