from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RightsConfig(AppConfig):
    name = "trm.rights"
    verbose_name = _("The person's rights")
