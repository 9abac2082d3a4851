"""A register's change log, stored once per register and language.

Each version stores only its own entry (``NoticeVersion.number``,
``published_at``, ``summary``, ``changes``) and renderings that show that entry.
The change log of every version is built from those entries, rendered at each
publish in the publishing transaction and stored in ``RegisterChangelog``,
replacing the previous one. Rendering a few hundred short entries costs little
(see bench/README.md); storing them again in every version cost the square.

Versions published before the change log had a model of their own carry the
whole change log in their renderings (``changelog_html`` and the ``changes`` list
of ``notice.json``); those stored bytes stay as they are, and the register's
change log is taken from its latest version's (``from_rendering``) until its next
publish.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from typing import Any

from django.db.models import QuerySet

from .models import Register, RegisterChangelog
from .rendering import VersionInfo, render_changelog

ENTRY_FIELDS = ("number", "published_at", "summary", "changes")
# Versions' entries read from the database at a time while a change log is rendered.
ROWS_AT_ONCE = 100


def history(register: Register) -> list[dict[str, Any]]:
    """Every published version's own change-log entry, newest first (one query)."""
    return list(_entries(register))


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

    ``entries``: every version's own entry, newest first (``history``), read once
    per language; by default each language reads them from the database as it
    renders, ``ROWS_AT_ONCE`` at a time. One language is rendered and stored
    before the next, so what is held at once is one language's text and a few
    entries, whatever the number of versions (issue 14: a restore of 1,000
    versions grew by every language's change log and every entry's presentation).

    Call inside the publishing transaction: readers see the old change log or the
    new one, never none. A language the latest version no longer publishes loses
    its change log, as its other current addresses answer 404.
    """
    RegisterChangelog.objects.filter(register=register).delete()
    for language in snapshot["languages"]:
        read = _entries(register).iterator(chunk_size=ROWS_AT_ONCE) if entries is None else entries
        rendered = render_changelog(snapshot, language, info, read)
        _store(register, language, info, rendered.html, rendered.json, rendered.html_hash)
        del rendered  # before the next language's is rendered


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
