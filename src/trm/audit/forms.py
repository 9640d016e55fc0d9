from datetime import datetime, time, timedelta

from django import forms
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.core.validators import RegexValidator
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models import AuditEvent


class DateInput(forms.DateInput):
    input_type = "date"


class AuditFilterForm(forms.Form):
    """Filters of the data protection officer's audit page; every one optional, every value checked.

    A case reference filter joins these once cases exist.
    """

    object_type = forms.CharField(
        label=_("Object type"),
        max_length=100,
        required=False,
        help_text=_("For example cases.case."),
        validators=[
            RegexValidator(r"^[a-z_]+\.[a-z0-9_]+$", _("Use app.model, for example cases.case."))
        ],
    )
    object_id = forms.CharField(label=_("Object identifier"), max_length=100, required=False)
    username = forms.CharField(
        label=_("Username"),
        max_length=150,
        required=False,
        validators=[UnicodeUsernameValidator()],
    )
    action = forms.CharField(
        label=_("Action starts with"),
        max_length=100,
        required=False,
        help_text=_("For example trm.case or trm.referral.sent."),
        validators=[
            RegexValidator(
                r"^trm(\.[a-z_]+)*\.?$", _("An action name starts with trm, like trm.case.viewed.")
            )
        ],
    )
    date_from = forms.DateField(label=_("From"), required=False, widget=DateInput)
    date_to = forms.DateField(label=_("To"), required=False, widget=DateInput)

    def clean(self):
        data = super().clean()
        if data.get("object_id") and not data.get("object_type") and "object_type" in data:
            self.add_error("object_id", _("Give the object type too."))
        if data.get("date_from") and data.get("date_to") and data["date_from"] > data["date_to"]:
            self.add_error("date_to", _("The end date is before the start date."))
        return data

    def used_filters(self) -> list[str]:
        """The names of the filters given, whether valid or not (never their values)."""
        return sorted(name for name in self.fields if self.data.get(name))

    def events(self, organisation_ids):
        """Events of these organisations matching the valid filters, newest first; none if any
        filter is invalid."""
        if not self.is_valid():
            return AuditEvent.objects.none()
        data = self.cleaned_data
        found = AuditEvent.objects.filter(organisation_id__in=organisation_ids)
        if data["object_type"]:
            found = found.filter(object_type=data["object_type"])
        if data["object_id"]:
            found = found.filter(object_id=data["object_id"])
        if data["username"]:
            found = found.filter(actor_username=data["username"])
        if data["action"]:
            # "trm.case" means that namespace: trm.case.viewed, but not trm.cases.anything.
            prefix = data["action"].rstrip(".")
            found = found.filter(Q(action=prefix) | Q(action__startswith=f"{prefix}."))
        zone = timezone.get_current_timezone()
        if data["date_from"]:
            found = found.filter(
                occurred_at__gte=datetime.combine(data["date_from"], time.min, tzinfo=zone)
            )
        if data["date_to"]:
            end = data["date_to"] + timedelta(days=1)
            found = found.filter(occurred_at__lt=datetime.combine(end, time.min, tzinfo=zone))
        return found.select_related("organisation").order_by("-sequence")
