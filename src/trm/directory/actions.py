"""The directory's writes, each a step: an organisation's entry kept by its administrators."""

from django.utils.translation import gettext_lazy as _

from trm.lib.errors import NotAllowed
from trm.lib.steps import step

from .models import Organisation


@step
def edit_organisation(actor, form) -> Organisation:
    """Save the directory entry as `form` (a valid `OrganisationForm` of the organisation)
    changed it; refused unless `actor` administers the organisation."""
    if not actor.administers(form.instance):
        raise NotAllowed(_("Only the organisation's administrators edit its directory entry."))
    return form.save()
