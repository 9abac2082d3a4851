"""Two published versions side by side: what a reader sees on the comparison page.

The changes come from ``changes.matched_changes``, the same matching of items
that produces every version's stored change list, so the page and the change
log never disagree. This module only presents them: each changed item as rows
of (field label, old text, new text) in one language, with the differing words
marked up. Field labels are the models' own ``verbose_name``s, found through
``parts.PARTS`` and ``parts.SECTIONS``; values are read from the snapshots as
``presentation.localize`` shows them (country names, unit labels, …).

Every text a tenant wrote is escaped here; the markup added is ``<ins>`` and
``<del>`` with a visually hidden "added"/"removed" label, so a difference is
never told by colour alone.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from typing import Any

from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import SafeString
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from controllers.models import ContactPerson, Controller

from . import changes, languages, parts
from .models import Register, SupervisoryAuthority
from .presentation import ANSWER_LABELS, localize

# The model whose fields label each single-object section.
SECTION_MODELS: dict[str, type[models.Model]] = {
    "controller": Controller,
    "register": Register,
    "contact_person": ContactPerson,
    "supervisory_authority": SupervisoryAuthority,
}

# A code or id shown by the readable value ``localize`` adds next to it.
SHOWN_AS = {
    "country": "country_name",
    "safeguard": "safeguard_label",
    "period_unit": "period_unit_label",
    "kind": "kind_label",
    "category": "category_label",
    "data_category": "data_category_name",
    "subject_groups": "subject_group_names",
    "data_origin": "data_origin_label",
    "period": "period_text",
    **{key: f"{key}_label" for key in ANSWER_LABELS},
}
# Kept for matching or styling, or derived by ``localize``: not text a reader compares.
HIDDEN = {
    "id",
    "code",
    "slug",
    "logo",
    "brand_color",
    "own_wording",
    "has_dpo",
    "collects_from_subject",
    "collects_from_elsewhere",
    "period_unit",  # shown with the period ("6 years")
    *SHOWN_AS.values(),
}

# A snapshot key whose label is another field's: the DPO's details are one value.
LABELLED_BY = {"dpo": "dpo_name"}

# A word with the spaces after it (spaces that open a text are a token of their own).
TOKENS = re.compile(r"^\s+|\S+\s*")


@dataclass(frozen=True)
class Row:
    """One field of an item: its label and its text in each version (marked up)."""

    label: str
    old: SafeString
    new: SafeString


@dataclass(frozen=True)
class ItemDiff:
    """One entry of the change list with the rows that show it."""

    change: dict[str, Any]
    rows: list[Row]


@dataclass
class SectionDiff:
    key: str
    label: str
    items: list[ItemDiff] = field(default_factory=list)


def word_diff(old: str, new: str) -> tuple[SafeString, SafeString]:
    """``old`` and ``new`` escaped, the words only one of them has in ``<del>``/``<ins>``.

    Words are matched without the spaces after them, so a space never splits a
    run of changed words into marks of their own; the text keeps its own spacing.
    """
    before, after = TOKENS.findall(old), TOKENS.findall(new)
    old_html: list[str] = []
    new_html: list[str] = []
    matcher = SequenceMatcher(
        None, [t.strip() for t in before], [t.strip() for t in after], autojunk=False
    )
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            old_html.append(conditional_escape("".join(before[i1:i2])))
            new_html.append(conditional_escape("".join(after[j1:j2])))
            continue
        if i2 > i1:
            old_html.append(_marked("del", _("removed:"), "".join(before[i1:i2])))
        if j2 > j1:
            new_html.append(_marked("ins", _("added:"), "".join(after[j1:j2])))
    return SafeString("".join(old_html)), SafeString("".join(new_html))


def _marked(tag: str, label: str, text: str) -> SafeString:
    """``text`` in a mark that says what it is; the spaces after it stay outside."""
    words = text.rstrip()
    return format_html(
        '<{}><span class="visually-hidden">{} </span>{}</{}>{}',
        tag,
        label,
        words,
        tag,
        text[len(words) :],
    )


def label_field(model: type[models.Model], key: str) -> models.Field | None:
    """The field of ``model``, or of a model it points to, that labels snapshot ``key``."""
    key = LABELLED_BY.get(key, key)
    related = [model] + [
        f.related_model for f in model._meta.get_fields() if f.many_to_one and f.related_model
    ]
    for candidate in related:
        try:
            found = candidate._meta.get_field(key)
        except FieldDoesNotExist:
            continue
        if hasattr(found, "verbose_name"):
            return found
    return None


def _label(model: type[models.Model], key: str) -> str:
    found = label_field(model, key)
    return capfirst(str(found.verbose_name)) if found else capfirst(key.replace("_", " "))


def _text(value: Any) -> str:
    """A snapshot value (already in one language) as a line of text."""
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if value is None:
        return ""
    if isinstance(value, dict):
        return ", ".join(_text(v) for v in value.values() if _text(v))
    if isinstance(value, list):
        return "; ".join(_list_item(v) for v in value)
    return str(value)


def _list_item(value: Any) -> str:
    if isinstance(value, dict) and "name" in value:
        article = f" ({value['article']})" if value.get("article") else ""
        return f"{value['name']}{article}"
    return _text(value)


def field_values(model: type[models.Model], item: dict[str, Any] | None) -> dict[str, tuple]:
    """An item (localized) as ``{key: (label, text)}``, in the order of the snapshot's keys."""
    if not item:
        return {}
    return {
        key: (_label(model, key), _text(item.get(SHOWN_AS.get(key, key), value)))
        for key, value in item.items()
        if key not in HIDDEN
    }


def fields_of(model: type[models.Model], item: dict[str, Any] | None) -> dict[str, str]:
    """An item (localized) as ``{label: text}``, in the order of the snapshot's keys."""
    return dict(field_values(model, item).values())


def changed_fields(
    matched: changes.Matched, notices: tuple[dict[str, Any], dict[str, Any]]
) -> dict[str, tuple[str, str, str]]:
    """The fields a change changed as ``{key: (label, old text, new text)}``.

    ``notices`` are both snapshots localized (``localized``) in the active language.
    """
    key = matched.entry["section"]
    model = SECTION_MODELS.get(key) or parts.PARTS_BY_KEY[key].model
    before = field_values(model, _item(notices[0], key, matched.old))
    after = field_values(model, _item(notices[1], key, matched.new))
    found = {}
    for name in dict.fromkeys([*before, *after]):
        label, old_text = before.get(name, ("", ""))
        new_label, new_text = after.get(name, ("", ""))
        if old_text != new_text:
            found[name] = (label or new_label, old_text, new_text)
    return found


def _rows(model: type[models.Model], old: dict | None, new: dict | None) -> list[Row]:
    """The fields that differ (all of them for an item added or removed)."""
    before, after = fields_of(model, old), fields_of(model, new)
    rows = []
    for label in dict.fromkeys([*before, *after]):
        old_text, new_text = before.get(label, ""), after.get(label, "")
        if old_text == new_text:
            continue
        rows.append(Row(label, *word_diff(old_text, new_text)))
    return rows


def localized(snapshot: dict[str, Any], language: str) -> dict[str, Any]:
    """The snapshot in ``language``, its register also naming the languages it publishes."""
    notice = localize(snapshot, language)
    notice["register"]["languages"] = ", ".join(
        languages.native_name(code) for code in languages.ordered(snapshot["languages"])
    )
    return notice


def _item(notice: dict[str, Any], key: str, raw: dict[str, Any] | None) -> dict[str, Any] | None:
    """The localized item of ``notice`` that ``raw`` (a snapshot item or section) is."""
    if raw is None:
        return None
    if key in SECTION_MODELS:
        return notice[key]
    identity = parts.PARTS_BY_KEY[key].identity
    return next(item for item in notice[key] if item[identity] == raw[identity])


def compare(old: dict[str, Any], new: dict[str, Any], language: str) -> list[SectionDiff]:
    """The sections that changed from ``old`` to ``new``, in the notice's order.

    Call inside ``translation.override(language)``; ``language`` must be one both
    snapshots publish.
    """
    notices = (localized(old, language), localized(new, language))
    sections = {key: SectionDiff(key, str(label)) for key, label in parts.SECTION_LABELS.items()}
    for matched in changes.matched_changes(old, new):
        change = changes.describe(matched.entry, language)
        key = change["section"]
        model = SECTION_MODELS.get(key) or parts.PARTS_BY_KEY[key].model
        rows = _rows(
            model, _item(notices[0], key, matched.old), _item(notices[1], key, matched.new)
        )
        sections[key].items.append(ItemDiff(change, rows))
    return [section for section in sections.values() if section.items]
