from django import forms
from django.utils.translation import gettext_lazy as _

from trm.directory.models import Organisation

from .models import Person, Sex


class PersonForm(forms.Form):
    """The person's identifying data; only the fields the user may change are kept."""

    given_name = forms.CharField(label=_("Given name"), max_length=200)
    family_name = forms.CharField(label=_("Family name"), max_length=200, required=False)
    given_name_latin = forms.CharField(
        label=_("Given name in Latin script"), max_length=200, required=False
    )
    family_name_latin = forms.CharField(
        label=_("Family name in Latin script"), max_length=200, required=False
    )
    birth_date = forms.DateField(
        label=_("Birth date"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    sex = forms.ChoiceField(label=_("Sex"), choices=Sex.choices, initial=Sex.UNKNOWN)
    citizenship = forms.CharField(
        label=_("Citizenship"), max_length=2, required=False, help_text=_("Two-letter country code")
    )
    document_number = forms.CharField(
        label=_("Identity document number"), max_length=100, required=False
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, editable=None, **kwargs):
        super().__init__(*args, **kwargs)
        if editable is not None:
            for name in list(self.fields):
                if name != "version" and name not in editable:
                    del self.fields[name]

    def clean_citizenship(self):
        return self.cleaned_data["citizenship"].upper()

    def changes(self) -> dict:
        return {
            name: value
            for name, value in self.cleaned_data.items()
            if name != "version" and name in Person.CATEGORY_OF_FIELD
        }


class OpenCaseForm(PersonForm):
    organisation = forms.ModelChoiceField(label=_("Organisation"), queryset=Organisation.objects)
    is_child = forms.BooleanField(label=_("The person is or may be a child"), required=False)

    def __init__(self, *args, organisations, **kwargs):
        super().__init__(*args, **kwargs)
        del self.fields["version"]
        self.fields["organisation"].queryset = organisations
        if len(organisations) == 1:
            self.fields["organisation"].initial = organisations[0]


class BreakGlassForm(forms.Form):
    reason = forms.CharField(
        label=_("Why do you need this case now?"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=1000,
        help_text=_("The data protection officers are told, and read your reason."),
    )
