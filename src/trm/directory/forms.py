from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from trm.lib.languages import spoken_language_choices

from .models import Country, Organisation, OrganisationKind, ServiceKind


class CountryChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.display_name


class DirectorySearchForm(forms.Form):
    """Filters of the directory page; every one optional, every value checked."""

    q = forms.CharField(label=_("Name or keyword"), max_length=100, required=False)
    country = CountryChoiceField(
        label=_("Country"),
        queryset=Country.objects.all(),
        to_field_name="code",
        required=False,
        empty_label=_("All countries"),
        error_messages={"invalid_choice": _("There is no such country in the directory.")},
    )
    service = forms.ChoiceField(label=_("Service"), required=False)
    kind = forms.ChoiceField(label=_("Type of organisation"), required=False)
    area = forms.CharField(label=_("Area served"), max_length=100, required=False)
    language = forms.ChoiceField(label=_("Language spoken"), required=False)
    children = forms.BooleanField(label=_("Works with children"), required=False)
    focal_point = forms.BooleanField(label=_("TRM focal points only"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["service"].choices = [("", _("All services")), *ServiceKind.choices]
        self.fields["kind"].choices = [("", _("All types")), *OrganisationKind.choices]
        self.fields["language"].choices = [("", _("All languages")), *spoken_language_choices()]

    def organisations(self):
        """The organisations matching the valid filters, or none if any filter is invalid."""
        if not self.is_valid():
            return Organisation.objects.none()
        data = self.cleaned_data
        found = Organisation.objects.filter(is_active=True).with_node().select_related("country")
        if data["q"]:
            for word in data["q"].casefold().split():
                found = found.filter(search_text__contains=word)
        if data["country"]:
            found = found.filter(country=data["country"])
        if data["service"]:
            found = found.filter(services__kind=data["service"])
        if data["kind"]:
            found = found.filter(kind=data["kind"])
        if data["area"]:
            # An organisation serving the whole country (blank area) serves every area in it.
            found = found.filter(
                Q(area_served_folded__contains=data["area"].casefold()) | Q(area_served="")
            )
        if data["language"]:
            found = found.speaking(data["language"])
        if data["children"]:
            found = found.filter(serves_children=True)
        if data["focal_point"]:
            found = found.filter(is_focal_point=True)
        return found.prefetch_related("services").distinct()


class OrganisationForm(forms.ModelForm):
    """The directory entry, as its organisation administrator or a node administrator edits it."""

    languages = forms.MultipleChoiceField(
        label=_("Languages spoken"), required=False, widget=forms.CheckboxSelectMultiple
    )
    services = forms.MultipleChoiceField(
        label=_("Services offered"),
        required=False,
        choices=ServiceKind.choices,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = Organisation
        fields = [
            "name", "description", "area_served", "languages", "serves_adults",
            "serves_children", "email", "phone", "website", "address", "capacity_note",
        ]  # fmt: skip

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["languages"].choices = spoken_language_choices()
        if self.instance.pk:
            self.initial["languages"] = self.instance.language_codes
            self.initial["services"] = list(self.instance.services.values_list("kind", flat=True))

    def clean_languages(self):
        return ",".join(self.cleaned_data["languages"])

    def save(self, commit=True):
        organisation = super().save(commit=commit)
        if commit:
            wanted = set(self.cleaned_data["services"])
            organisation.services.exclude(kind__in=wanted).delete()
            have = set(organisation.services.values_list("kind", flat=True))
            organisation.services.bulk_create(
                organisation.services.model(organisation=organisation, kind=kind)
                for kind in sorted(wanted - have)
            )
        return organisation
