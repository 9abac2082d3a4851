"""What changed between two published snapshots of a notice.

Items are matched by their database id (rights by their code), so renaming a
purpose is a change of that purpose, not a removal and an addition. Changes that
GDPR transparency guidance counts as substantive (a new purpose, recipient,
processor or transfer, a changed legal basis, a longer retention) are flagged:
they must be communicated actively, not just published.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

# Section code → label, in the order of the notice.
SECTIONS = {
    "controller": _("Controller"),
    "register": _("Register"),
    "contact": _("Contact person"),
    "purposes": _("Purposes and legal bases"),
    "subject_groups": _("Groups of data subjects"),
    "data_categories": _("Personal data"),
    "sources": _("Sources"),
    "recipients": _("Recipients and disclosures"),
    "processors": _("Processors"),
    "transfers": _("Transfers outside the EU/EEA"),
    "retention": _("Retention"),
    "security": _("Security"),
    "cookies": _("Cookies"),
    "rights": _("Rights"),
}

KINDS = {"added": _("added"), "removed": _("removed"), "changed": _("changed")}

REASONS = {
    "new_purpose": _("new purpose"),
    "new_recipient": _("new recipient"),
    "new_processor": _("new processor"),
    "new_transfer": _("new transfer outside the EU/EEA"),
    "legal_basis_changed": _("legal basis changed"),
    "longer_retention": _("longer retention"),
}

# Which additions are substantive, section by section.
SUBSTANTIVE_ADDITIONS = {
    "purposes": "new_purpose",
    "recipients": "new_recipient",
    "processors": "new_processor",
    "transfers": "new_transfer",
}

UNIT_DAYS = {"days": 1, "weeks": 7, "months": 30, "years": 365}


def _name(section: str, item: dict[str, Any]) -> dict[str, str]:
    """A short name of an item, in both languages, for the change list."""
    if section == "processors":
        return {"fi": item["name"], "en": item["name"]}
    if section == "cookies":
        return {"fi": item["name"], "en": item["name"]}
    if section == "transfers":
        who = item["processor"]
        return {
            lang: f"{who or item['recipient'][lang]} ({item['country']})" for lang in ("fi", "en")
        }
    if section == "retention":
        subject = item["data_category_name"] or {"fi": "koko rekisteri", "en": "whole register"}
        return dict(subject)
    if section == "security":
        return {lang: item["description"][lang][:80] for lang in ("fi", "en")}
    return dict(item["name"])


def _days(rule: dict[str, Any]) -> int | None:
    if rule.get("period") and rule.get("period_unit"):
        return rule["period"] * UNIT_DAYS[rule["period_unit"]]
    return None


def _key(section: str, item: dict[str, Any]) -> Any:
    return item["code"] if section == "rights" else item["id"]


def _change(
    section: str, kind: str, item: dict[str, Any], reason: str | None = None
) -> dict[str, Any]:
    return {
        "section": section,
        "kind": kind,
        "name": _name(section, item),
        "substantive": reason is not None,
        "reason": reason,
    }


def _changed_reason(section: str, old: dict[str, Any], new: dict[str, Any]) -> str | None:
    if section == "purposes":
        old_bases = sorted(b["code"] for b in old["legal_bases"])
        new_bases = sorted(b["code"] for b in new["legal_bases"])
        if old_bases != new_bases:
            return "legal_basis_changed"
    if section == "retention":
        before, after = _days(old), _days(new)
        if before is not None and (after is None or after > before):
            return "longer_retention"
    if section == "transfers" and (
        old["country"] != new["country"] or old["safeguard"] != new["safeguard"]
    ):
        return "new_transfer"
    return None


def compute_changes(
    previous: dict[str, Any] | None, current: dict[str, Any]
) -> list[dict[str, Any]]:
    """The list of changes from ``previous`` to ``current`` (empty for a first version)."""
    if previous is None:
        return []
    changes: list[dict[str, Any]] = []
    if previous["controller"] != current["controller"]:
        changes.append(
            {
                "section": "controller",
                "kind": "changed",
                "name": {"fi": current["controller"]["name"], "en": current["controller"]["name"]},
                "substantive": False,
                "reason": None,
            }
        )
    if previous["register"] != current["register"] or previous["authority"] != current["authority"]:
        changes.append(
            {
                "section": "register",
                "kind": "changed",
                "name": dict(current["register"]["name"]),
                "substantive": False,
                "reason": None,
            }
        )
    if previous["contact_person"] != current["contact_person"]:
        person = current["contact_person"] or previous["contact_person"]
        changes.append(
            {
                "section": "contact",
                "kind": (
                    "added"
                    if previous["contact_person"] is None
                    else "changed"
                    if current["contact_person"]
                    else "removed"
                ),
                "name": {"fi": person["name"], "en": person["name"]},
                "substantive": False,
                "reason": None,
            }
        )
    for section in SECTIONS:
        if section in {"controller", "register", "contact"}:
            continue
        old_items = {_key(section, i): i for i in previous.get(section, [])}
        new_items = {_key(section, i): i for i in current.get(section, [])}
        for key, item in new_items.items():
            if key not in old_items:
                changes.append(_change(section, "added", item, SUBSTANTIVE_ADDITIONS.get(section)))
            elif old_items[key] != item:
                reason = _changed_reason(section, old_items[key], item)
                changes.append(_change(section, "changed", item, reason))
        for key, item in old_items.items():
            if key not in new_items:
                changes.append(_change(section, "removed", item))
    return changes


def describe(change: dict[str, Any], language: str) -> dict[str, Any]:
    """A change with its labels in ``language`` (call inside translation.override)."""
    return {
        **change,
        "section_label": str(SECTIONS.get(change["section"], change["section"])),
        "kind_label": str(KINDS[change["kind"]]),
        "reason_label": str(REASONS[change["reason"]]) if change["reason"] else "",
        "name": change["name"][language] or change["name"]["fi"],
    }
