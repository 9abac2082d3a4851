"""A publish renders its own change-log entry and joins the kept ones.

The register's change log (``versions/`` and ``changes.json``) shows every
version's own entry. Rendering them all again at each publish made publishing
cost more the longer the history (issue 14, point 1: 230 ms of CPU at 200
versions against 11 ms at 3). Each entry is now rendered once per language and
kept (``ChangelogPiece``) for the address, time zone and code it was rendered
with; these tests hold that a publish renders one entry per language, that the
change log is byte for byte the one rendering every entry would make, and that a
kept entry is rendered again when its address changes.
"""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.test import Client, override_settings

from bench.history import grow_by_copies
from notices import changelog, pdf, rendering
from notices.models import ChangelogPiece, Register, RegisterChangelog
from notices.rendering import VersionInfo, render_changelog
from notices.services import PublishRefused
from tests.test_history_once import LANGUAGES, PUBLIC, edit_and_publish

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("blank_pdfs")]


def whole(register: Register, language: str) -> tuple[str, str]:
    """The change log as rendering every version's entry makes it: page and JSON."""
    latest = register.versions.order_by("-number").first()
    entries = changelog.history(register)
    info = VersionInfo(latest.number, latest.published_at, entries[-1]["published_at"])
    rendered = render_changelog(latest.snapshot, language, info, entries)
    return rendered.html, rendered.json


def assert_stored_is_whole(register: Register) -> None:
    for language in LANGUAGES:
        stored = RegisterChangelog.objects.get(register=register, language=language)
        assert (stored.html, stored.json) == whole(register, language), language


def kept(register: Register) -> dict[tuple[str, int], tuple[int, str, str]]:
    """Each kept piece by (language, number): its row id, key and page piece."""
    return {
        (piece.language, piece.number): (piece.pk, piece.key, piece.html)
        for piece in ChangelogPiece.objects.filter(register=register)
    }


@pytest.fixture
def rendered_entries(monkeypatch) -> list[tuple[str, int]]:
    """The (language, number) of every entry rendered from here on."""
    seen: list[tuple[str, int]] = []
    real = rendering.changelog_entries

    def counting(history, language, slugs, only=None):  # type: ignore[no-untyped-def]
        for number, html, item in real(history, language, slugs, only):
            seen.append((language, number))
            yield number, html, item

    monkeypatch.setattr(rendering, "changelog_entries", counting)
    return seen


def test_a_publish_renders_its_own_entry_and_joins_the_kept_ones(
    register: Register, paula: User, rendered_entries: list[tuple[str, int]]
):
    for number in (1, 2, 3):
        edit_and_publish(register, paula, number)
        assert sorted(rendered_entries) == sorted((lang, number) for lang in LANGUAGES)
        rendered_entries.clear()
    assert_stored_is_whole(register)  # rendering every entry: counted too

    # A long history, as publishing each copy would have left it: every entry kept.
    rendered_entries.clear()
    assert grow_by_copies(register, 40) == 37
    assert len(rendered_entries) == 37 * len(LANGUAGES)
    before = kept(register)
    assert set(before) == {(lang, n) for lang in LANGUAGES for n in range(1, 41)}
    rendered_entries.clear()

    edit_and_publish(register, paula, 41)
    assert sorted(rendered_entries) == sorted((lang, 41) for lang in LANGUAGES)
    after = kept(register)
    assert {k: v for k, v in after.items() if k[1] <= 40} == before  # the same rows
    assert_stored_is_whole(register)
    client = Client()
    for lang in LANGUAGES:
        page = client.get(PUBLIC.format(lang=lang) + "versions/").content.decode()
        assert page == RegisterChangelog.objects.get(register=register, language=lang).html
        assert page.count('class="history-entry"') == 41


def test_a_kept_entry_is_rendered_again_when_the_address_changes(
    register: Register, paula: User, rendered_entries: list[tuple[str, int]]
):
    edit_and_publish(register, paula, 1)
    edit_and_publish(register, paula, 2)
    # What is kept is what the change log shows, while its key holds.
    ChangelogPiece.objects.filter(register=register, language="fi", number=1).update(
        html="<li>kept entry</li>"
    )
    edit_and_publish(register, paula, 3)
    assert (
        "<li>kept entry</li>"
        in RegisterChangelog.objects.get(register=register, language="fi").html
    )
    old_keys = {key for _pk, key, _html in kept(register).values()}

    controller = register.controller
    controller.slug = "acme-oy"
    controller.save()
    rendered_entries.clear()
    edit_and_publish(register, paula, 4)

    assert sorted(rendered_entries) == sorted((lang, n) for lang in LANGUAGES for n in (1, 2, 3, 4))
    pieces = kept(register)
    assert len(pieces) == 4 * len(LANGUAGES)
    assert not {key for _pk, key, _html in pieces.values()} & old_keys
    assert_stored_is_whole(register)
    for language in LANGUAGES:
        log = RegisterChangelog.objects.get(register=register, language=language)
        assert "kept entry" not in log.html
        assert f"/{language}/acme-oy/customers/versions/1/" in log.html
        assert "/acme/customers/versions/" not in log.html


def test_what_a_kept_entry_holds_for():
    slugs = ("acme", "customers")
    key = changelog.piece_key(slugs, "fi")
    assert changelog.piece_key(slugs, "fi") == key
    assert changelog.piece_key(("acme-oy", "customers"), "fi") != key
    assert changelog.piece_key(("acme", "clients"), "fi") != key
    assert changelog.piece_key(slugs, "en") != key
    with override_settings(TIME_ZONE="Europe/Stockholm"):
        assert changelog.piece_key(slugs, "fi") != key


def test_a_failed_publish_keeps_no_entry_of_its_own(register: Register, paula: User, monkeypatch):
    edit_and_publish(register, paula, 1)
    before = kept(register)

    def broken(html: str, **kwargs: object) -> bytes:
        raise RuntimeError("the renderer crashed")  # in the child, after the change log

    monkeypatch.setattr(pdf, "render_pdf_in_process", broken)
    with pytest.raises(PublishRefused):
        edit_and_publish(register, paula, 2)
    assert kept(register) == before


def test_a_rebuilt_change_log_keeps_an_entry_for_every_version_and_language(
    register: Register, paula: User
):
    for number in (1, 2, 3):
        edit_and_publish(register, paula, number)
    ChangelogPiece.objects.filter(register=register).delete()
    RegisterChangelog.objects.filter(register=register).delete()
    changelog.changelog_rebuild(register=register)
    assert set(kept(register)) == {(lang, n) for lang in LANGUAGES for n in (1, 2, 3)}
    assert_stored_is_whole(register)
