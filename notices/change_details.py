"""What each entry of a version's change list changed: old → new, in every language.

``changes.compute_changes`` says which item changed ("Retention: whole register –
changed"); a reader also needs to know how ("period: 10 years → 6 years",
"transfers outside the EU/EEA: no transfers → transfers listed"). Publishing
stores each changed entry with its ``details``, read from the two snapshots as
the comparison page shows them (``comparison.changed_fields``): a short value is
quoted old → new, a long text is only named ("description: new wording").

Entries stored before details existed have none and read as they always did;
a version's stored renderings are never rendered again.
"""

from __future__ import annotations

from typing import Any

from django.utils import translation

from . import changes, comparison
from .snapshot import upgrade

# A value longer than this (or of several lines) is named, not quoted, in the change log.
QUOTED_LENGTH = 80


def _quoted(text: str) -> bool:
    return len(text) <= QUOTED_LENGTH and "\n" not in text


def _details(
    matched: changes.Matched, notices: dict[str, tuple[dict, dict]]
) -> list[dict[str, Any]]:
    """The fields ``matched`` changed, each ``{field, label, old, new}`` by language.

    ``old``/``new`` are empty where a value is too long to quote in a list.
    """
    details: dict[str, dict[str, Any]] = {}
    for language, pair in notices.items():
        with translation.override(language):
            found = comparison.changed_fields(matched, pair)
        for key, (label, old, new) in found.items():
            detail = details.setdefault(key, {"field": key, "label": {}, "old": {}, "new": {}})
            detail["label"][language] = label
            if _quoted(old) and _quoted(new):
                detail["old"][language] = old
                detail["new"][language] = new
    return list(details.values())


def detailed_changes(
    previous: dict[str, Any] | None, current: dict[str, Any]
) -> list[dict[str, Any]]:
    """The change list from ``previous`` to ``current``, a changed entry with its details.

    Details are given in the languages both versions publish.
    """
    if previous is None:
        return []
    previous = upgrade(previous)
    common = [lang for lang in current["languages"] if lang in previous["languages"]]
    notices = {
        lang: (comparison.localized(previous, lang), comparison.localized(current, lang))
        for lang in common
    }
    entries = []
    for matched in changes.matched_changes(previous, current):
        entry = dict(matched.entry)
        if entry["kind"] == "changed":
            details = _details(matched, notices)
            if details:
                entry["details"] = details
        entries.append(entry)
    return entries
