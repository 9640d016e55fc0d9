from datetime import datetime, time

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from trm.access.categories import DataCategory
from trm.directory.models import Organisation
from trm.lib import limits
from trm.lib.languages import spoken_language_choices

from .models import Purpose


class ConsentForm(forms.Form):
    purpose = forms.ChoiceField(label=_("Purpose"), choices=Purpose.choices)
    categories = forms.MultipleChoiceField(
        label=_("Data the person agrees to share"),
        choices=DataCategory.choices,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Risk to life is always shared; it needs no consent."),
    )
    recipient_organisation = forms.ModelChoiceField(
        label=_("Recipient organisation"),
        queryset=Organisation.objects.filter(is_active=True).select_related("country"),
        required=False,
        help_text=_("Required for a referral: the consent covers this organisation only."),
    )
    language = forms.ChoiceField(label=_("Language used"), choices=())
    interpreter_present = forms.BooleanField(label=_("An interpreter was present"), required=False)
    expires_on = forms.DateField(
        label=_("Expires on"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("Leave empty if the consent does not expire."),
    )
    guardian_consent = forms.BooleanField(label=_("The guardian consents"), required=False)
    child_views = forms.CharField(
        label=_("The child's views, in their words"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=limits.MESSAGE,
        required=False,
    )

    def __init__(self, *args, is_child: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["language"].choices = spoken_language_choices()
        if not is_child:
            del self.fields["guardian_consent"]
            del self.fields["child_views"]

    def action_arguments(self) -> dict:
        data = self.cleaned_data
        expires_on = data["expires_on"]
        return {
            "purpose": data["purpose"],
            "categories": data["categories"],
            "recipient_organisation": data["recipient_organisation"],
            "language": data["language"],
            "interpreter_present": data["interpreter_present"],
            # A consent given until a day lasts to the end of that day.
            "expires_at": timezone.make_aware(datetime.combine(expires_on, time.max))
            if expires_on
            else None,
            "guardian_consent": data["guardian_consent"] if "guardian_consent" in data else None,
            "child_views": data.get("child_views", ""),
        }


class WithdrawForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason, if the person gave one"),
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=limits.REASON,
        required=False,
    )
