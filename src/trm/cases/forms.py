from django import forms
from django.utils.translation import gettext_lazy as _

from trm.directory.models import Country, Organisation
from trm.lib import limits

from . import finding
from .actions.casework import AGE_FIELDS
from .models import Person, Sex
from .stages import Stage


class PersonForm(forms.Form):
    """The person's identifying data; only the fields the user may change are kept."""

    given_name = forms.CharField(label=_("Given name"), max_length=limits.NAME)
    family_name = forms.CharField(label=_("Family name"), max_length=limits.NAME, required=False)
    given_name_latin = forms.CharField(
        label=_("Given name in Latin script"), max_length=limits.NAME, required=False
    )
    family_name_latin = forms.CharField(
        label=_("Family name in Latin script"), max_length=limits.NAME, required=False
    )
    birth_date = forms.DateField(
        label=_("Birth date"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    sex = forms.ChoiceField(label=_("Sex"), choices=Sex.choices, initial=Sex.UNKNOWN)
    citizenship = forms.ChoiceField(label=_("Citizenship"), required=False)
    document_number = forms.CharField(
        label=_("Identity document number"), max_length=limits.DOCUMENT_NUMBER, required=False
    )
    is_child = forms.BooleanField(
        label=_("The person is or may be a child"),
        required=False,
        help_text=_("Where a birth date is known, it decides whether the person is a child."),
    )
    age_uncertain = forms.BooleanField(
        label=_("Age uncertain: there is reason to think the person may be a child"),
        required=False,
        help_text=_("The person is then handled as a child, whatever the birth date says."),
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, editable=None, **kwargs):
        super().__init__(*args, **kwargs)
        # The directory's countries, by their names in the reader's language.
        self.fields["citizenship"].choices = [
            ("", "—"),
            *sorted(
                ((country.code, country.display_name) for country in Country.objects.all()),
                key=lambda choice: choice[1],
            ),
        ]
        if editable is not None:
            for name in list(self.fields):
                if name != "version" and name not in editable:
                    del self.fields[name]

    def changes(self) -> dict:
        """The person's fields and what is said of their age, as `actions.update_person`
        takes them."""
        return {
            name: value
            for name, value in self.cleaned_data.items()
            if name in Person.CATEGORY_OF_FIELD
            or name == "age_uncertain"
            # A tick left as it was says nothing: the corrected birth date decides.
            or (name == "is_child" and name in self.changed_data)
        }


class OpenCaseForm(PersonForm):
    organisation = forms.ModelChoiceField(label=_("Organisation"), queryset=Organisation.objects)

    def __init__(self, *args, organisations, **kwargs):
        super().__init__(*args, **kwargs)
        del self.fields["version"]
        self.fields["organisation"].queryset = organisations
        if len(organisations) == 1:
            self.fields["organisation"].initial = organisations[0]

    def person(self) -> dict:
        return {name: value for name, value in self.changes().items() if name not in AGE_FIELDS}


class BreakGlassForm(forms.Form):
    reason = forms.CharField(
        label=_("Why do you need this case now?"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=limits.REASON,
        help_text=_("The data protection officers are told, and read your reason."),
    )


class CaseSearchForm(forms.Form):
    """The case list's search: sent by POST only, so a name never travels in a URL."""

    q = forms.CharField(
        label=_("Reference or exact name"),
        max_length=limits.NAME,
        required=False,
        help_text=_("Names are found in any script: the full name in either order, or one part."),
        # Names stay out of the browser's form history and its online spelling services.
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )

    def searching(self) -> bool:
        """Whether a valid, non-empty search was sent."""
        return self.is_bound and self.is_valid() and bool(self.cleaned_data["q"])

    def filter(self, cases, user):
        """The case whose reference is the text, or else those whose person's name is, exactly
        and in any script, among the cases where `user` may see the identity (a search must not
        confirm a name the user may not read); all when nothing is searched, none when the
        search is invalid."""
        if not self.is_bound:
            return cases
        if not self.is_valid():
            return cases.none()
        text = self.cleaned_data["q"]  # stripped by the field
        return finding.by_reference_or_name(cases, user, text) if text else cases


class CaseFilterForm(forms.Form):
    """The case list's filters, sent by GET (bookmarkable): none of them personal data."""

    stage = forms.ChoiceField(label=_("Stage"), required=False)
    country = forms.ModelChoiceField(
        label=_("Country"),
        queryset=Country.objects.all(),
        to_field_name="code",
        required=False,
        empty_label=_("All countries"),
    )
    age = forms.ChoiceField(
        label=_("Children or adults"),
        required=False,
        choices=[("", _("All")), ("child", _("Children")), ("adult", _("Adults"))],
    )
    mine = forms.BooleanField(label=_("Assigned to me"), required=False)
    overdue = forms.BooleanField(label=_("With overdue tasks"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["stage"].choices = [("", _("All stages")), *Stage.choices]

    def filter(self, cases, user):
        """The cases matching the valid filters; none when a filter is invalid."""
        if not self.is_valid():
            return cases.none()
        data = self.cleaned_data
        return finding.filtered(
            cases,
            user,
            stage=data["stage"],
            country=data["country"],
            child={"child": True, "adult": False}.get(data["age"]),
            mine=data["mine"],
            overdue=True if data["overdue"] else None,
        )
