"""Reading files of schema version 1: rewritten into version 2 before they are validated.

Version 1 (before languages were configurable) differs from version 2 in four ways:

- a translated field is one key per language (``name_<language>``), not a
  ``{language: text}`` dict; the languages are whatever suffixes the file uses;
- a register says ``publish_in_english`` instead of listing its ``languages``.
  Version 1 knew two languages, the default and English, so ``true`` means
  every language of the file's texts and ``false`` the default language alone;
- a version has ``summary_<language>`` keys instead of a ``summary`` dict; the
  summary holds the languages of the version's snapshot, as the data migration
  ``notices/0004`` made them;
- three parts were listed under their model's related name
  (``register_processors``, ``retention_rules``, ``security_measures``) and the
  supervisory authority was ``{"email": …}``.

Whatever does not fit is left as it is, for the schema to refuse with a path.
Errors in a version 1 file are reported at the place the upgraded file has.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from .. import languages
from ..parts import PARTS
from . import columns
from .columns import Kind, Layout
from .errors import BackupError


def _dict(value: Any) -> dict[str, Any] | None:
    return dict(value) if isinstance(value, dict) else None


def _texts(entry: Any, layout: Layout) -> tuple[Any, list[str]]:
    """``entry`` with ``name_<language>`` keys as ``name: {language: …}``; the languages."""
    entry = _dict(entry)
    if entry is None:
        return entry, []
    found: set[str] = set()
    for column in columns.columns(layout):
        if column.kind is not Kind.TEXT:
            continue
        text = {}
        for language in languages.codes():
            key = columns.localized(column, language)
            if key in entry:
                text[language] = entry.pop(key)
                found.add(language)
        if text:
            entry[column.key] = text
    return entry, languages.ordered(found)


def _list_of_texts(items: Any, layout: Layout) -> Any:
    if not isinstance(items, list):
        return items
    return [_texts(item, layout)[0] for item in items]


def _version(entry: Any) -> Any:
    entry = _dict(entry)
    if entry is None:
        return entry
    snapshot = entry.get("snapshot")
    published = snapshot.get("languages") if isinstance(snapshot, dict) else None
    summary = {}
    for language in languages.codes():
        text = entry.pop(f"summary_{language}", None)
        if isinstance(published, list) and language in published:
            summary[language] = text or ""
    entry["summary"] = summary
    return entry


def _register(entry: Any, path: str) -> Any:
    entry, found = _texts(entry, columns.REGISTER)
    if entry is None:
        return entry
    if "publish_in_english" in entry:
        everything = entry.pop("publish_in_english")
        if not isinstance(everything, bool):
            raise BackupError(
                _("expected %(expected)s.") % {"expected": _("true or false")},
                code="type",
                path=f"{path}.publish_in_english",
            )
        entry["languages"] = found if everything else [languages.default()]
    authority = entry.get("supervisory_authority")
    if isinstance(authority, dict) and set(authority) == {"email"}:
        entry["supervisory_authority"] = authority["email"]
    for part in PARTS:
        if part.accessor != part.key and part.accessor in entry and part.key not in entry:
            entry[part.key] = entry.pop(part.accessor)
        if part.key in entry:
            entry[part.key] = _list_of_texts(entry[part.key], columns.part_layout(part))
    if isinstance(entry.get("versions"), list):
        entry["versions"] = [_version(version) for version in entry["versions"]]
    return entry


def upgrade(data: dict[str, Any]) -> dict[str, Any]:
    """The data of a version 1 file in the shape of version 2 (``data`` is left alone)."""
    data = dict(data)
    data["schema_version"] = 2
    if "controller" in data:
        data["controller"] = _texts(data["controller"], columns.CONTROLLER)[0]
    for key, layout in (
        ("contact_persons", columns.CONTACT_PERSON),
        ("processors", columns.PROCESSOR),
    ):
        if key in data:
            data[key] = _list_of_texts(data[key], layout)
    if isinstance(data.get("registers"), list):
        data["registers"] = [
            _register(register, f"registers[{i}]") for i, register in enumerate(data["registers"])
        ]
    return data
