"""Languages people speak, for the directory (ISO 639-1 codes Django knows the names of)."""

from django.utils.translation import get_language_info

SPOKEN_LANGUAGES = [
    "sq", "ar", "bg", "zh-hans", "en", "fr", "de", "el", "hi", "it", "kab", "fa", "pl", "pt",
    "ro", "ru", "sr", "es", "tr", "uk", "ur", "vi",
]  # fmt: skip


def spoken_language_choices() -> list[tuple[str, str]]:
    """(code, name in the active language), sorted by name."""
    return sorted(
        ((code, str(get_language_info(code)["name_translated"])) for code in SPOKEN_LANGUAGES),
        key=lambda choice: choice[1],
    )
