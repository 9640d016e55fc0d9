from django import forms
from django.utils.translation import gettext_lazy as _

from trm.lib import limits


class FindCaseForm(forms.Form):
    reference = forms.CharField(
        label=_("Case reference"), max_length=20, help_text=_("For example ES-7K2M-Q9XA.")
    )

    def clean_reference(self):
        return self.cleaned_data["reference"].strip().upper()


class EraseForm(forms.Form):
    reason = forms.CharField(
        label=_("Why is the person's data erased?"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=limits.REASON,
        help_text=_(
            "For example: the person's request of 3 May, or the end of the retention period. "
            "The reason stays in the audit trail after the erasure: do not describe the person."
        ),
    )
    confirm_reference = forms.CharField(
        label=_("Type the case reference to confirm"),
        max_length=20,
        help_text=_("Erasure cannot be undone: nobody can read the person's data afterwards."),
    )

    def __init__(self, *args, case, **kwargs):
        super().__init__(*args, **kwargs)
        self.case = case

    def clean_confirm_reference(self):
        typed = self.cleaned_data["confirm_reference"].strip().upper()
        if typed != self.case.reference:
            raise forms.ValidationError(_("This is not the reference of this case."))
        return typed
