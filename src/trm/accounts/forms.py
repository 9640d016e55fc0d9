from django import forms
from django.contrib.auth import get_user_model
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from .models import Role

User = get_user_model()


class LoginForm(AuthenticationForm):
    error_messages = {
        "invalid_login": _("The username or password is not right. Both are case-sensitive."),
        "inactive": _("This account is deactivated. Ask your organisation's administrator."),
    }

    def confirm_login_allowed(self, user):
        # An envoy acts only for its peer node's messages, even if someone gave it a password.
        if user.is_envoy:
            raise self.get_invalid_login_error()
        super().confirm_login_allowed(user)


class CodeForm(forms.Form):
    code = forms.CharField(
        label=_("Code"),
        max_length=20,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}
        ),
        help_text=_("The six digits your authenticator app shows, or one of your backup codes."),
    )


class InvitationForm(forms.Form):
    username = forms.CharField(label=_("Username"), max_length=150)
    first_name = forms.CharField(label=_("First name"), max_length=150)
    last_name = forms.CharField(label=_("Last name"), max_length=150)
    email = forms.EmailField(label=_("E-mail"))
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)

    def clean_username(self):
        username = self.cleaned_data["username"]
        User.username_validator(username)
        if User.objects.filter(username__iexact=username).exists():
            raise forms.ValidationError(_("This username is taken. Choose another."))
        return username


class LanguageForm(forms.Form):
    language = forms.ChoiceField(label=_("Language"))
    next = forms.CharField(required=False)

    def __init__(self, *args, **kwargs):
        from django.conf import settings

        super().__init__(*args, **kwargs)
        self.fields["language"].choices = settings.LANGUAGES
