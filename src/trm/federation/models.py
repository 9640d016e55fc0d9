"""The nodes this node exchanges referrals with, each pinned by its signing key's fingerprint."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class PeerQuerySet(models.QuerySet):
    def active(self):
        return self.filter(removed_at__isnull=True)


class Peer(models.Model):
    """Another trm node, pinned after its fingerprint was checked with its operators. A removed
    peer stays on record (the audit names it) but nothing is exchanged with it any more."""

    name = models.CharField(_("name"), max_length=100)
    address = models.URLField(_("address"))
    countries = models.JSONField(_("countries"), default=list)
    signing_key = models.JSONField(_("signing key"))
    encryption_key = models.JSONField(_("encryption key"))
    fingerprint = models.CharField(_("fingerprint"), max_length=64)
    added_at = models.DateTimeField(_("added"), auto_now_add=True)
    removed_at = models.DateTimeField(_("removed"), null=True, blank=True)

    objects = PeerQuerySet.as_manager()

    class Meta:
        verbose_name = _("peer node")
        verbose_name_plural = _("peer nodes")
        constraints = [
            # One active pin per name and per key; removed ones stay as history.
            models.UniqueConstraint(
                fields=["name"],
                condition=models.Q(removed_at__isnull=True),
                name="one_active_peer_per_name",
            ),
            models.UniqueConstraint(
                fields=["fingerprint"],
                condition=models.Q(removed_at__isnull=True),
                name="one_active_peer_per_key",
            ),
        ]

    def __str__(self):
        return self.name
