"""What changed between two published snapshots of a notice.

Items are matched by their identity in ``parts.PARTS`` (the database id; a
right by its code), so renaming a purpose is a change of that purpose, not a
removal and an addition. Changes that GDPR transparency guidance counts as
substantive (a new purpose, recipient, processor or transfer, a changed legal
basis, a longer retention) are flagged: they must be communicated actively,
not just published.

Two versions may publish different languages; items are compared in the
languages both publish, and a change of languages is a change of the register.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils import translation
from django.utils.translation import gettext_lazy as _

from . import parts
from .languages import is_text
from .snapshot import upgrade

KINDS = {"added": _("added"), "removed": _("removed"), "changed": _("changed")}

REASONS = {
    "new_purpose": _("new purpose"),
    "new_recipient": _("new recipient"),
    "new_processor": _("new processor"),
    "new_transfer": _("new transfer outside the EU/EEA"),
    "legal_basis_changed": _("legal basis changed"),
    "longer_retention": _("longer retention"),
}

UNIT_DAYS = {"days": 1, "weeks": 7, "months": 30, "years": 365}


def _days(rule: dict[str, Any]) -> int | None:
    if rule.get("period") and rule.get("period_unit"):
        return rule["period"] * UNIT_DAYS[rule["period_unit"]]
    return None


def _changed_reason(key: str, old: dict[str, Any], new: dict[str, Any]) -> str | None:
    if key == "purposes":
        old_bases = sorted(b["code"] for b in old["legal_bases"])
        new_bases = sorted(b["code"] for b in new["legal_bases"])
        if old_bases != new_bases:
            return "legal_basis_changed"
    if key == "retention":
        before, after = _days(old), _days(new)
        if before is not None and (after is None or after > before):
            return "longer_retention"
    if key == "transfers" and (
        old["country"] != new["country"] or old["safeguard"] != new["safeguard"]
    ):
        return "new_transfer"
    return None


def _register_bases(snapshot: dict[str, Any]) -> list[str]:
    """The legal bases a register states for all its purposes (a substantive change)."""
    return sorted(basis["code"] for basis in snapshot["register"].get("legal_bases", []))


def _in_languages(value: Any, languages: frozenset[str]) -> Any:
    """``value`` with every text narrowed to ``languages``, for comparing versions."""
    if is_text(value):
        return {lang: text for lang, text in value.items() if lang in languages}
    if isinstance(value, dict):
        return {key: _in_languages(item, languages) for key, item in value.items()}
    if isinstance(value, list):
        return [_in_languages(item, languages) for item in value]
    return value


def _names(name_of: Any, item: dict[str, Any], languages: list[str]) -> dict[str, str]:
    names = {}
    for language in languages:
        with translation.override(language):
            names[language] = name_of(item, language)
    return names


def _entry(
    section: str, kind: str, name: dict[str, str], reason: str | None = None
) -> dict[str, Any]:
    return {
        "section": section,
        "kind": kind,
        "name": name,
        "substantive": reason is not None,
        "reason": reason,
    }


@dataclass(frozen=True)
class Matched:
    """One change-list entry with the item it is about, as each snapshot has it.

    ``old`` is None for an addition and ``new`` for a removal; both are the full
    items (every language), so a reader-facing comparison can show the texts
    the entry summarises without matching the items a second time.
    """

    entry: dict[str, Any]
    old: Any
    new: Any


def _section_changes(
    previous: dict[str, Any], current: dict[str, Any], full: tuple[dict, dict], languages: list[str]
) -> list[Matched]:
    """Changes of the single-object sections: controller, register, contact, authority."""

    def same(name: str | dict[str, str]) -> dict[str, str]:
        if isinstance(name, dict):  # a translated name (a contact person's)
            return {lang: name.get(lang, "") for lang in languages}
        return dict.fromkeys(languages, name)

    def matched(section: str, kind: str, name: dict[str, str]) -> Matched:
        return Matched(_entry(section, kind, name), full[0][section], full[1][section])

    register_name = {lang: current["register"]["name"].get(lang, "") for lang in languages}
    authority = current["supervisory_authority"] or previous["supervisory_authority"]
    authority_name = (
        {lang: authority["name"].get(lang, "") for lang in languages} if authority else {}
    )
    changes = []
    if previous["controller"] != current["controller"]:
        changes.append(matched("controller", "changed", same(current["controller"]["name"])))
    if previous["register"] != current["register"] or previous["languages"] != current["languages"]:
        changes.append(matched("register", "changed", register_name))
        if _register_bases(previous) != _register_bases(current):
            changes[-1].entry.update(substantive=True, reason="legal_basis_changed")
    old_contact, new_contact = previous["contact_person"], current["contact_person"]
    if old_contact != new_contact:
        kind = "added" if old_contact is None else "changed" if new_contact else "removed"
        changes.append(matched("contact_person", kind, same((new_contact or old_contact)["name"])))
    old_authority, new_authority = (
        previous["supervisory_authority"],
        current["supervisory_authority"],
    )
    if old_authority != new_authority:
        kind = "added" if old_authority is None else "changed" if new_authority else "removed"
        changes.append(matched("supervisory_authority", kind, authority_name))
    return changes


def _part_changes(
    part: parts.Part,
    old_snapshot: dict,
    new_snapshot: dict,
    full: tuple[dict, dict],
    languages: list[str],
) -> list[Matched]:
    """Items of one listed part added, changed (compared in the common languages) or removed."""
    old_items = {i[part.identity]: i for i in old_snapshot.get(part.key, [])}
    new_items = {i[part.identity]: i for i in new_snapshot.get(part.key, [])}
    full_old = {i[part.identity]: i for i in full[0].get(part.key, [])}
    full_new = {i[part.identity]: i for i in full[1].get(part.key, [])}
    changes = []
    for key, item in new_items.items():
        name = _names(part.item_name, full_new[key], languages)
        if key not in old_items:
            entry = _entry(part.key, "added", name, part.substantive_addition)
            changes.append(Matched(entry, None, full_new[key]))
        elif old_items[key] != item:
            reason = _changed_reason(part.key, old_items[key], item)
            changes.append(
                Matched(_entry(part.key, "changed", name, reason), full_old[key], full_new[key])
            )
    for key in (key for key in old_items if key not in new_items):
        name = _names(part.item_name, full_old[key], languages)
        changes.append(Matched(_entry(part.key, "removed", name), full_old[key], None))
    return changes


def matched_changes(previous: dict[str, Any], current: dict[str, Any]) -> list[Matched]:
    """The changes from ``previous`` to ``current``, each with its old and new item."""
    previous = upgrade(previous)
    languages = list(current["languages"])
    common = frozenset(previous["languages"]) & frozenset(languages)
    old_snapshot = _in_languages(previous, common)
    new_snapshot = _in_languages(current, common)
    full = (previous, current)
    changes = _section_changes(old_snapshot, new_snapshot, full, languages)
    for part in parts.PARTS:
        changes += _part_changes(part, old_snapshot, new_snapshot, full, languages)
    return changes


def compute_changes(
    previous: dict[str, Any] | None, current: dict[str, Any]
) -> list[dict[str, Any]]:
    """The list of changes from ``previous`` to ``current`` (empty for a first version)."""
    if previous is None:
        return []
    return [matched.entry for matched in matched_changes(previous, current)]


def _in(texts: dict[str, str], language: str | None) -> str:
    """A stored text in ``language``, else in the first language it has."""
    return texts.get(language or "", "") or next((t for t in texts.values() if t), "")


def _detail(detail: dict[str, Any], language: str | None) -> dict[str, Any]:
    """One field a change changed (``change_details``), in ``language``."""
    quoted = bool(detail["old"] or detail["new"])
    return {
        "field": detail["field"],
        "label": _in(detail["label"], language),
        "old": _in(detail["old"], language) if quoted else None,
        "new": _in(detail["new"], language) if quoted else None,
    }


def describe(change: dict[str, Any], language: str | None) -> dict[str, Any]:
    """A change with its labels in ``language`` (call inside translation.override).

    ``language`` None, or one the change has no name in, names the item in the
    first language it has a name in.
    """
    names = change["name"]
    name = names.get(language or "", "") or next((n for n in names.values() if n), "")
    section = parts.SECTION_ALIASES.get(change["section"], change["section"])
    return {
        **change,
        "section": section,
        "section_label": parts.section_label(section),
        "kind_label": str(KINDS[change["kind"]]),
        "reason_label": str(REASONS[change["reason"]]) if change["reason"] else "",
        "name": name,
        # What the change changed (stored since the change log says old → new).
        "details": [_detail(detail, language) for detail in change.get("details", [])],
    }
