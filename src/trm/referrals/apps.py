from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReferralsConfig(AppConfig):
    name = "trm.referrals"
    verbose_name = _("Referrals")

    def ready(self):
        # The notices that follow the case journey: departure, reception, monitoring, closure.
        from . import receivers

        receivers.connect()
