"""A register's change log rendered piecewise: the same bytes, in memory that stays small.

The change log (``versions/`` and ``changes.json``) shows every version's own
entry. It used to be one template over a context holding every entry's
presentation, every language's rows held until all were stored; at 1,000
versions that was most of what a restore's memory grew by (issue 14, point 4).
Now each language is rendered entry by entry around the page's and the JSON's
frames and stored before the next. These tests hold that the bytes are the ones
the whole-template rendering made (kept below as it was: one template over the
whole history, one ``json.dumps`` of the whole document), and that the memory of
rebuilding a change log grows with the stored text only, not several times faster.
"""

from __future__ import annotations

import copy
import hashlib
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.db import connection
from django.template.loader import render_to_string
from django.utils import timezone, translation

from notices import backup, rendering
from notices.change_details import detailed_changes
from notices.changelog import changelog_rebuild, changelog_store, history
from notices.models import NoticeVersion, Register, RegisterChangelog
from notices.rendering import VersionInfo, render_changelog
from notices.snapshot import build_snapshot
from tests.test_backup_archive import measured

pytestmark = pytest.mark.django_db

# Finnish, Swedish and English, with dated changes from before the service.
DEMO = Path(settings.BASE_DIR) / "notices" / "demo" / "companies" / "hyvinvointi.json"
START = datetime(2026, 3, 28, 22, 30, tzinfo=UTC)  # the night summer time begins in Helsinki


def old_changelog(
    snapshot: dict[str, Any], language: str, version: VersionInfo, entries: list[dict]
) -> tuple[str, str]:
    """The page and JSON as rendered before issue 14, point 4: one template over every entry."""
    with translation.override(language), timezone.override(settings.TIME_ZONE):
        page_context = rendering.context(snapshot, language, version, entries, "page")
        page = render_to_string("notices/changelog.html", page_context)
        notice = page_context["notice"]
        document = {
            "format": "tietosuoja-changelog",
            "format_version": 1,
            "language": language,
            "version": version.number,
            "published_at": version.published_at.isoformat(),
            "first_published_at": version.first_published_at.isoformat(),
            "versions": [rendering._json_entry(entry) for entry in page_context["history"]],
            "first_published_on": notice["register"].get("first_published_on"),
            "earlier_changes": [
                {"date": change["date"], "text": change["text"], "before_service": True}
                for change in notice.get("earlier_changes", [])
            ],
        }
    return page, json.dumps(document, ensure_ascii=False, indent=2, sort_keys=False)


def renamed(snapshot: dict[str, Any], suffix: str) -> dict[str, Any]:
    """``snapshot`` with its first purpose renamed, a longer description and a recipient fewer."""
    changed = copy.deepcopy(snapshot)
    purpose = changed["purposes"][0]
    purpose["name"] = {lang: f"{text} {suffix}" for lang, text in purpose["name"].items()}
    purpose["description"] = {lang: f"{t} {suffix}." for lang, t in purpose["description"].items()}
    del changed["recipients"][0]
    return changed


def entry(number: int, languages: str, changes: list[dict], text: str = "") -> dict[str, Any]:
    """A version's own entry, published in ``languages`` (space-separated)."""
    return {
        "number": number,
        "published_at": START + timedelta(hours=number * 7, minutes=number),
        "summary": {lang: f"{text}Version {number} ({lang})." for lang in languages.split()},
        "changes": changes,
    }


@pytest.fixture
def trilingual(media: Path) -> tuple[Register, dict[str, Any], list[dict[str, Any]]]:
    """The demo's trilingual register and nine versions' entries, newest first.

    Published in one language, then two, then three, one without Swedish; with
    change lists (changed entries with details, a removed one, entries stored
    before details existed), and summaries with markup, quotes and paragraphs.
    """
    register = backup.import_controller(DEMO).registers.get()
    snapshot = build_snapshot(register)
    changes = detailed_changes(snapshot, renamed(snapshot, "(2)"))
    without_details = [{k: v for k, v in c.items() if k != "details"} for c in changes]
    markup = '<b>Tärkeä & "uusi"</b> – ÅÄÖ\u2028rivi\n\nToinen kappale. '
    entries = [
        entry(1, "fi", []),
        entry(2, "fi sv", changes),
        entry(3, "fi sv en", changes, markup),
        entry(4, "fi en", without_details),
        entry(5, "fi sv en", []),
        entry(6, "fi sv en", changes[:1], markup),
        entry(7, "sv en", changes[1:]),
        entry(8, "fi sv en", without_details),
        entry(9, "fi sv en", changes),
    ]
    return register, snapshot, entries[::-1]


def info_of(entries: list[dict[str, Any]]) -> VersionInfo:
    return VersionInfo(
        number=entries[0]["number"],
        published_at=entries[0]["published_at"],
        first_published_at=entries[-1]["published_at"],
        content_hash="c" * 64,
    )


def store_versions(register: Register, snapshot: dict[str, Any], entries: list[dict]) -> None:
    NoticeVersion.objects.bulk_create(
        NoticeVersion(register=register, snapshot=snapshot, content_hash="c" * 64, **entry)
        for entry in entries
    )


def test_the_change_log_is_the_bytes_the_whole_template_made_in_every_language(trilingual):
    """Entry by entry, read once from an iterator, hashed as it is written."""
    _register, snapshot, entries = trilingual
    info = info_of(entries)
    for language in snapshot["languages"]:
        page, document = old_changelog(snapshot, language, info, entries)
        rendered = render_changelog(snapshot, language, info, iter(entries))
        assert (rendered.html, rendered.json) == (page, document)
        assert rendered.html_hash == hashlib.sha256(page.encode()).hexdigest()
        assert "Version 9" in rendered.html and "Version 1 (fi)" in rendered.html
    assert json.loads(document)["versions"][6]["changes"][0]["details"]


def test_a_change_log_of_one_version_and_without_dated_changes_is_as_before(trilingual):
    _register, snapshot, entries = trilingual
    snapshot = copy.deepcopy(snapshot)
    snapshot["register"]["first_published_on"] = None
    snapshot["earlier_changes"] = []
    first = entries[-1:]
    for language in snapshot["languages"]:
        rendered = render_changelog(snapshot, language, info_of(first), first)
        assert (rendered.html, rendered.json) == old_changelog(
            snapshot, language, info_of(first), first
        )


def test_stored_and_rebuilt_change_logs_hold_those_bytes(trilingual):
    register, snapshot, entries = trilingual
    store_versions(register, snapshot, entries)
    info = info_of(entries)
    # As read back: PostgreSQL's jsonb orders a summary's languages its own way.
    stored_entries = history(register)
    expected = {
        lang: old_changelog(snapshot, lang, info, stored_entries) for lang in snapshot["languages"]
    }

    def stored() -> dict[str, tuple[str, str]]:
        rows = RegisterChangelog.objects.filter(register=register)
        for row in rows:
            assert row.html_hash == hashlib.sha256(row.html.encode()).hexdigest()
            assert (row.version, row.published_at) == (9, info.published_at)
        return {row.language: (row.html, row.json) for row in rows}

    changelog_store(register=register, snapshot=snapshot, info=info, entries=stored_entries)
    assert stored() == expected
    RegisterChangelog.objects.all().delete()
    changelog_rebuild(register=register)
    assert stored() == expected


def test_rebuilding_a_change_log_takes_memory_in_proportion_to_one_languages_text(
    trilingual, settings
):
    """From 40 to 400 versions the peak grows by a few times what one language stores.

    What grows is that language's page and JSON: held as they are joined, then
    handed to the database (which copies them). The whole-template rendering held
    every entry's presentation and all three languages' rows at once: its peak
    grew by 11.5 times one language's text on SQLite and 22.9 times on
    PostgreSQL; rendered entry by entry, one language at a time, by 4.3 and 4.9.
    """
    register, snapshot, entries = trilingual
    settings.DEBUG = False  # no query log
    connection.force_debug_cursor = False
    found = {}
    for versions in (40, 400):
        NoticeVersion.objects.filter(register=register).delete()
        many = [
            {**entries[k % len(entries)], "number": versions - k}
            | {"published_at": START + timedelta(minutes=versions - k)}
            for k in range(versions)
        ]
        store_versions(register, snapshot, many)
        changelog_rebuild(register=register)  # once unmeasured: caches, lazy imports
        used = measured(lambda: changelog_rebuild(register=register))
        rows = RegisterChangelog.objects.filter(register=register)
        text = max(len(row.html.encode()) + len(row.json.encode()) for row in rows)
        found[versions] = (used, text)
    (small, _), (large, text) = found[40], found[400]
    assert large - small < 7 * text, found
