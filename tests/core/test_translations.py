"""Every string of the interface is translated in all nine languages, and the catalogues are
compiled from what is in the code."""

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import polib
import pytest
from django.conf import settings

LOCALE = Path(settings.BASE_DIR) / "locale"
TRANSLATED = [code for code, _name in settings.LANGUAGES if code != "en"]
PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]|\{(\w*)\}|%[sd]")


def catalogue(language: str) -> polib.POFile:
    return polib.pofile(str(LOCALE / language / "LC_MESSAGES" / "django.po"))


def placeholders(text: str) -> list[str]:
    return sorted(match.group(0) for match in PLACEHOLDER.finditer(text))


@pytest.mark.parametrize("language", TRANSLATED)
def test_every_message_is_translated_without_fuzzy_entries(language):
    po = catalogue(language)
    assert po.untranslated_entries() == [], [e.msgid for e in po.untranslated_entries()][:10]
    assert po.fuzzy_entries() == [], [e.msgid for e in po.fuzzy_entries()][:10]
    assert po.percent_translated() == 100


@pytest.mark.parametrize("language", TRANSLATED)
def test_translations_keep_the_placeholders(language):
    for entry in catalogue(language).translated_entries():
        expected = placeholders(entry.msgid)
        if entry.msgid_plural:
            for text in entry.msgstr_plural.values():
                # Some languages' singular forms may drop a count the plural keeps.
                assert set(placeholders(text)) <= set(placeholders(entry.msgid_plural)), entry
        else:
            assert placeholders(entry.msgstr) == expected, entry.msgid


@pytest.mark.parametrize("language", TRANSLATED)
def test_the_compiled_catalogue_matches_the_translations(language):
    po = catalogue(language)
    mo = polib.mofile(str(LOCALE / language / "LC_MESSAGES" / "django.mo"))
    compiled = {(e.msgctxt, e.msgid): (e.msgstr, e.msgstr_plural) for e in mo}
    for entry in po.translated_entries():
        assert (entry.msgctxt, entry.msgid) in compiled, f"run compilemessages: {entry.msgid}"
        msgstr, plural = compiled[(entry.msgctxt, entry.msgid)]
        if entry.msgid_plural:
            assert {int(k): v for k, v in plural.items()} == {
                int(k): v for k, v in entry.msgstr_plural.items()
            }
        else:
            assert msgstr == entry.msgstr, f"run compilemessages: {entry.msgid}"


def test_the_catalogues_hold_every_string_of_the_code(tmp_path):
    if not shutil.which("xgettext"):
        message = "xgettext (Debian package gettext) is needed to extract the strings"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    source = Path(settings.BASE_DIR)
    copy = tmp_path / "trm"
    shutil.copytree(source, copy, ignore=shutil.ignore_patterns("locale", "__pycache__"))
    (copy / "locale").mkdir()
    subprocess.run(  # noqa: S603
        ["django-admin", "makemessages", "-l", "fr", "--no-location", "--no-obsolete"],  # noqa: S607
        cwd=copy,
        check=True,
        capture_output=True,
        env={"PATH": f"{Path(sys.executable).parent}:{Path(shutil.which('xgettext')).parent}"},
    )
    extracted = {
        (e.msgctxt, e.msgid) for e in polib.pofile(str(copy / "locale/fr/LC_MESSAGES/django.po"))
    }
    for language in TRANSLATED:
        present = {(e.msgctxt, e.msgid) for e in catalogue(language) if not e.obsolete}
        missing = extracted - present
        assert not missing, f"{language}: run makemessages and translate {sorted(missing)[:5]}"
