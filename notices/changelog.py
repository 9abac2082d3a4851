"""A register's change log, stored once per register and language.

Each version stores only its own entry (``NoticeVersion.number``,
``published_at``, ``summary``, ``changes``) and renderings that show that entry.
The change log of every version is built from those entries at each publish, in
the publishing transaction, and stored in ``RegisterChangelog``, replacing the
previous one. Each entry is rendered once per language and kept
(``ChangelogPiece``), so a publish renders its own entry and joins the others:
rendering them all again made publishing cost more the longer the history, and
storing them again in every version cost the square (issue 14).

Versions published before the change log had a model of their own carry the
whole change log in their renderings (``changelog_html`` and the ``changes`` list
of ``notice.json``); those stored bytes stay as they are, and the register's
change log is taken from its latest version's (``from_rendering``) until its next
publish.
"""

from __future__ import annotations

import functools
import hashlib
import json
from collections.abc import Iterable, Iterator, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

import django
from django.conf import settings
from django.db.models import QuerySet

from . import rendering
from .models import ChangelogPiece, Register, RegisterChangelog
from .rendering import VersionInfo

ENTRY_FIELDS = ("number", "published_at", "summary", "changes")
# Versions' entries read from the database at a time while a change log is rendered.
ROWS_AT_ONCE = 100


def history(register: Register) -> list[dict[str, Any]]:
    """Every published version's own change-log entry, newest first (one query)."""
    return list(_entries(register))


def newest(register: Register) -> tuple[list[dict[str, Any]], datetime]:
    """The two newest versions' own entries, newest first, and the first one's date."""
    entries = list(_entries(register)[:2])
    first = register.versions.order_by("number").values_list("published_at", flat=True)[:1]
    return entries, first.get() if entries[1:] else entries[0]["published_at"]


def _entries(register: Register) -> QuerySet:
    return register.versions.order_by("-number").values(*ENTRY_FIELDS)


def changelog_store(
    *,
    register: Register,
    snapshot: dict[str, Any],
    info: VersionInfo,
    entries: Sequence[dict] | None = None,
) -> None:
    """Render the change log of each language of ``snapshot`` and replace the stored one.

    Each version's entry is rendered once per language and kept
    (``ChangelogPiece``); a publish renders only the entries not kept yet, its
    own, and joins the kept ones around the change log's frame, so its cost
    does not grow with the versions before it (issue 14). Kept pieces are
    rendered again when the address, the time zone or the code that renders
    them changed (``piece_key``).

    ``entries``: every version's own entry, newest first (``history``); by
    default the versions are read from the database, and only the entries that
    must be rendered, ``ROWS_AT_ONCE`` at a time when they all are. One language
    is rendered and stored before the next, so what is held at once is one
    language's text, whatever the number of versions.

    Call inside the publishing transaction: readers see the old change log or the
    new one, never none. A language the latest version no longer publishes loses
    its change log, as its other current addresses answer 404.
    """
    RegisterChangelog.objects.filter(register=register).delete()
    slugs = (snapshot["controller"]["slug"], snapshot["register"]["slug"])
    if entries is None:
        numbers = list(_entries(register).values_list("number", flat=True))
    else:
        numbers = [entry["number"] for entry in entries]
    for language in snapshot["languages"]:
        key = piece_key(slugs, language)
        pieces = ChangelogPiece.objects.filter(register=register, language=language)
        kept = {n: (html, item) for n, html, item in _kept(pieces, key)}
        missing = [number for number in numbers if number not in kept]
        fresh = _render(register, language, slugs, missing, entries, everything=not kept)
        pieces.exclude(key=key).delete()
        for start in range(0, len(missing), ROWS_AT_ONCE):
            ChangelogPiece.objects.bulk_create(
                ChangelogPiece(
                    register=register,
                    language=language,
                    number=number,
                    key=key,
                    html=fresh[number][0],
                    json=fresh[number][1],
                )
                for number in missing[start : start + ROWS_AT_ONCE]
            )
        frame = rendering.changelog_frame(snapshot, language, info, bool(numbers))
        joined = (kept.pop(n, None) or fresh.pop(n) for n in numbers)
        rendered = rendering.join_changelog(frame, joined)
        del kept, fresh
        _store(register, language, info, rendered.html, rendered.json, rendered.html_hash)
        del rendered  # before the next language's is rendered


def _kept(pieces: QuerySet, key: str) -> Iterator[tuple[int, str, str]]:
    return pieces.filter(key=key).values_list("number", "html", "json").iterator(ROWS_AT_ONCE)


def _render(
    register: Register,
    language: str,
    slugs: tuple[str, str],
    numbers: Sequence[int],
    entries: Sequence[dict] | None,
    *,
    everything: bool,
) -> dict[int, tuple[str, str]]:
    """The page piece and JSON item of the entries of ``numbers``, by number.

    An entry is presented knowing the version before it, so that one is read too.
    """
    if not numbers:
        return {}
    wanted = set(numbers)
    needed = wanted | {number - 1 for number in wanted}
    if entries is not None:
        read: Iterable[dict] = (entry for entry in entries if entry["number"] in needed)
    elif everything:
        read = _entries(register).iterator(chunk_size=ROWS_AT_ONCE)
    else:
        read = _entries(register).filter(number__in=needed)
    pieces = rendering.changelog_entries(read, language, slugs, only=wanted)
    return {number: (html, item) for number, html, item in pieces}


@functools.cache
def _code_fingerprint() -> str:
    """A hash of what renders a change-log entry: this app's code and templates, the
    project's translation catalogues and Django's version (once per process)."""
    digest = hashlib.sha256(django.get_version().encode())
    roots = [(Path(__file__).resolve().parent, "*.py")]
    roots += [(Path(d) / "notices", "*.html") for d in settings.TEMPLATES[0]["DIRS"]]
    roots += [(Path(d), "*.mo") for d in settings.LOCALE_PATHS]
    for root, pattern in roots:
        for path in sorted(root.rglob(pattern)):
            if "migrations" not in path.parts:
                digest.update(f"\0{path.relative_to(root)}\0".encode())
                digest.update(path.read_bytes())
    return digest.hexdigest()


def piece_key(slugs: tuple[str, str], language: str) -> str:
    """What a kept change-log entry holds for: the company's and register's address
    names (in its links), the language, the time zone of its dates and the code."""
    what = [*slugs, language, settings.TIME_ZONE, _code_fingerprint()]
    return hashlib.sha256(json.dumps(what).encode()).hexdigest()


def _store(
    register: Register,
    language: str,
    info: VersionInfo,
    html: str,
    json_text: str,
    html_hash: str | None = None,
) -> None:
    """Store one language's change log (``html_hash`` is computed if not given)."""
    RegisterChangelog.objects.bulk_create(
        [
            RegisterChangelog(
                register=register,
                language=language,
                version=info.number,
                published_at=info.published_at,
                html=html,
                json=json_text,
                html_hash=html_hash or hashlib.sha256(html.encode()).hexdigest(),
            )
        ]
    )


def json_from_notice_json(notice_json: str) -> str:
    """The change-log JSON held in a notice.json of format 1 or 2 (its ``changes`` list).

    Those formats carried every earlier version's entry in each version's JSON;
    the entries are the same objects ``changelog_json`` writes.
    """
    notice = json.loads(notice_json)
    document = {
        "format": "tietosuoja-changelog",
        "format_version": 1,
        "language": notice["language"],
        "version": notice["version"],
        "published_at": notice["published_at"],
        "first_published_at": notice["first_published_at"],
        "versions": notice["changes"],
    }
    return json.dumps(document, ensure_ascii=False, indent=2, sort_keys=False)


def changelog_rebuild(*, register: Register) -> None:
    """Store ``register``'s change log again from its versions (after a restore).

    A latest version published with the whole change log in its renderings gives
    those bytes back as they were served; a later one is rendered from the
    versions' own entries, as publishing does.
    """
    latest = register.versions.order_by("-number").first()
    if latest is None:
        return
    renderings = latest.renderings.only("language", "changelog_html", "json")
    if renderings and all(rendering.changelog_html for rendering in renderings):
        info = VersionInfo(
            number=latest.number,
            published_at=latest.published_at,
            first_published_at=latest.published_at,
        )
        RegisterChangelog.objects.filter(register=register).delete()
        for r in renderings:
            _store(register, r.language, info, r.changelog_html, json_from_notice_json(r.json))
        return
    first = register.versions.order_by("number").values_list("published_at", flat=True)[0]
    info = VersionInfo(
        number=latest.number,
        published_at=latest.published_at,
        first_published_at=first,
        content_hash=latest.content_hash,
    )
    changelog_store(register=register, snapshot=latest.snapshot, info=info)
