"""Translatable data: a text kept in several languages, stored as {language code: text}."""

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _


def in_language(values: dict | None, language: str | None = None) -> str:
    """The text in `language` (default: the active one), else English, else any language."""
    if not values:
        return ""
    language = (language or get_language() or settings.LANGUAGE_CODE).split("-")[0]
    return (
        values.get(language)
        or values.get(settings.LANGUAGE_CODE)
        or next((text for text in values.values() if text), "")
    )


class TranslatedTextWidget(forms.MultiWidget):
    template_name = "core/widgets/translated_text.html"

    def __init__(self, attrs=None):
        self.languages = [code for code, _name in settings.LANGUAGES]
        super().__init__([forms.Textarea(attrs={"rows": 2}) for _ in self.languages], attrs)

    def decompress(self, value):
        value = value or {}
        return [value.get(code, "") for code in self.languages]

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        names = dict(settings.LANGUAGES)
        for code, subwidget in zip(self.languages, context["widget"]["subwidgets"], strict=True):
            subwidget["language"] = names[code]
            subwidget["attrs"]["lang"] = code
        return context


class TranslatedTextFormField(forms.MultiValueField):
    widget = TranslatedTextWidget

    def __init__(self, *, required=True, max_length=None, **kwargs):
        kwargs.pop("encoder", None)
        kwargs.pop("decoder", None)
        fields = [
            forms.CharField(required=False, max_length=max_length) for _code in settings.LANGUAGES
        ]
        super().__init__(fields, required=False, require_all_fields=False, **kwargs)
        self.text_required = required

    def compress(self, data_list):
        values = {
            code: text.strip()
            for (code, _name), text in zip(settings.LANGUAGES, data_list or [], strict=False)
            if text and text.strip()
        }
        # English is the fallback for readers of every language, so any text needs it too.
        if (self.text_required or values) and not values.get(settings.LANGUAGE_CODE):
            raise ValidationError(_("Give at least the English text."), code="required")
        return values


class TranslatedTextField(models.JSONField):
    """A text in several languages; English is the fallback every reader can get."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("default", dict)
        super().__init__(*args, **kwargs)

    def formfield(self, **kwargs):
        return TranslatedTextFormField(
            required=not self.blank, label=self.verbose_name, help_text=self.help_text
        )
