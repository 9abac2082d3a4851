"""Every message of ours is translated, and not fuzzy, in every language we offer.

The languages are those of settings.LANGUAGES except English, the language the
messages are written in: a language added to the settings is checked here with
no change to this module (and fails until its locale/<code>/ catalogue is done).

The messages are extracted afresh from the code and templates (makemessages, in a
copy of the project so the tree is left alone) and merged with each language's
catalogue, so a string marked for translation but never translated fails here.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.utils.translation import to_locale

ROOT = Path(__file__).resolve().parent.parent
SOURCES = ["config", "controllers", "notices", "templates", "locale", "manage.py"]
# The msgids are English, so English needs no catalogue.
SOURCE_LANGUAGE = "en"
LANGUAGES = [code for code, _name in settings.LANGUAGES if code != SOURCE_LANGUAGE]


@dataclass
class Problems:
    """What a catalogue lacks: msgids with no translation, msgids marked fuzzy."""

    missing: list[str]
    fuzzy: list[str]


def copy_project(destination: Path) -> Path:
    """A copy of the code, templates and catalogues (no compiled .mo files)."""
    for name in SOURCES:
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, destination / name, ignore=shutil.ignore_patterns("*.mo"))
        elif source.exists():
            shutil.copy(source, destination / name)
    return destination


def extract(project: Path, languages: Iterable[str]) -> dict[str, Path]:
    """Merge the project's messages into each language's catalogue; their paths.

    A language without a catalogue gets a new one, with every message untranslated.
    """
    locales = {language: to_locale(language) for language in languages}  # pt-br: pt_BR
    for locale in locales.values():
        (project / "locale" / locale / "LC_MESSAGES").mkdir(parents=True, exist_ok=True)
    options = [option for locale in locales.values() for option in ("-l", locale)]
    subprocess.run(  # noqa: S603 (our own manage.py; the locales come from settings)
        [sys.executable, "manage.py", "makemessages", "--no-obsolete", "-v0", *options],
        cwd=project,
        check=True,
        env={"DEBUG": "1", "PATH": "/usr/bin:/bin:/usr/local/bin", "PYTHONPATH": str(ROOT)},
    )
    return {
        language: project / "locale" / locale / "LC_MESSAGES" / "django.po"
        for language, locale in locales.items()
    }


def problems(po_file: Path) -> Problems:
    """The entries of a PO file that are untranslated (any plural form empty) or fuzzy."""
    catalogue = polib.pofile(str(po_file))
    return Problems(
        missing=[entry.msgid for entry in catalogue.untranslated_entries()],
        fuzzy=[entry.msgid for entry in catalogue.fuzzy_entries()],
    )


@pytest.fixture(scope="module")
def extracted(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    return extract(copy_project(tmp_path_factory.mktemp("project")), LANGUAGES)


def test_every_language_but_the_source_is_checked():
    assert LANGUAGES, "settings.LANGUAGES has no language to translate into"
    assert SOURCE_LANGUAGE not in LANGUAGES
    assert len(LANGUAGES) == len(settings.LANGUAGES) - 1


@pytest.mark.parametrize("language", LANGUAGES)
def test_messages_were_extracted(extracted, language):
    ids = {entry.msgid for entry in polib.pofile(str(extracted[language]))}
    assert "business ID" in ids
    assert "The controller already has a register with this address name." in ids


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_message_is_translated(extracted, language):
    missing = problems(extracted[language]).missing
    assert missing == [], f"{len(missing)} messages lack a translation ({language}): {missing[:20]}"


@pytest.mark.parametrize("language", LANGUAGES)
def test_no_translation_is_fuzzy(extracted, language):
    fuzzy = problems(extracted[language]).fuzzy
    assert fuzzy == [], f"fuzzy translations ({language}): {fuzzy[:20]}"


def test_a_missing_and_a_fuzzy_translation_are_reported(tmp_path):
    """The same extraction and check as above, on a copy whose catalogue was spoilt."""
    project = copy_project(tmp_path)
    language = LANGUAGES[0]
    po_file = project / "locale" / to_locale(language) / "LC_MESSAGES" / "django.po"
    catalogue = polib.pofile(str(po_file))
    catalogue.find("business ID").msgstr = ""
    catalogue.find("Privacy notice").flags.append("fuzzy")
    plural = next(entry for entry in catalogue if entry.msgid_plural)
    plural.msgstr_plural[1] = ""
    spoilt = {"business ID", "Privacy notice", plural.msgid}
    intact = next(e.msgid for e in catalogue.translated_entries() if e.msgid not in spoilt)
    catalogue.save()

    found = problems(extract(project, [language])[language])

    assert {"business ID", plural.msgid} <= set(found.missing)
    assert "Privacy notice" in found.fuzzy
    assert "Privacy notice" not in found.missing
    assert intact not in found.missing + found.fuzzy


def test_a_language_without_a_catalogue_has_every_message_missing(tmp_path):
    """What a newly configured language meets before its locale/ catalogue is written."""
    project = copy_project(tmp_path)

    found = problems(extract(project, ["xx"])["xx"])

    assert "business ID" in found.missing
    assert "Privacy notice" in found.missing
