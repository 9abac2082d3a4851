"""A snapshot read in one language: what templates and the JSON view show.

Templates cannot pick ``{language: text}`` values by a variable, so the snapshot
is turned into plain values of one language, with the labels of codes (legal
basis kinds, safeguards, units, countries) translated.
"""

from __future__ import annotations

from typing import Any

from django.utils import translation
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from . import parts, rules
from .languages import is_text
from .models import Cookie, Register, RetentionRule, SecurityMeasure, Transfer

# How the register's yes/no answers read; None: the editor has not answered (yet).
ANSWER_LABELS = {
    "no_transfers": {
        True: _("no transfers"),
        False: _("transfers listed"),
        None: _("not answered"),
    },
    "no_recipients": {
        True: _("not disclosed to anyone"),
        False: _("recipients listed"),
        None: _("not answered"),
    },
    "has_automated_decisions": {True: _("yes"), False: _("no"), None: _("not answered")},
}

# The transfers question answered in the company's own words (Register.transfers_statement).
OWN_WORDS = _("answered in the company's own words")


def pick(value: Any, language: str) -> Any:
    """``value`` with every multilingual text replaced by its ``language`` version."""
    if is_text(value):
        return value.get(language, "")
    if isinstance(value, dict):
        return {key: pick(item, language) for key, item in value.items()}
    if isinstance(value, list):
        return [pick(item, language) for item in value]
    return value


def country_name(code: str) -> str:
    return str(countries.name(code)) or code if code else ""


def controller_country(value: str) -> str:
    """The controller's country in the current language: a code (today) is named, a
    text (snapshots stored before the code) is shown as written."""
    if len(value) == 2 and value.isupper():
        return country_name(value)
    return value


def _localize_texts(notice: dict[str, Any]) -> None:
    """The notice's own free texts, ready for the templates."""
    notice["controller"]["country_name"] = controller_country(notice["controller"]["country"])
    notice["leads"] = {
        lead["section"]: lead["text"] for lead in notice.get("section_leads", []) if lead["text"]
    }


def localize(snapshot: dict[str, Any], language: str) -> dict[str, Any]:
    """The snapshot in ``language``, with labels for the codes it holds."""
    with translation.override(language):
        notice = pick(snapshot, language)
        register = notice["register"]
        origin = register["data_origin"]
        # Not answered (a draft: never published so): no sentence.
        register["data_origin_label"] = str(Register.DataOrigin(origin).label) if origin else ""
        register["collects_from_subject"] = rules.collects_from_subject(register["data_origin"])
        register["collects_from_elsewhere"] = rules.collects_from_elsewhere(register["data_origin"])
        for key, labels in ANSWER_LABELS.items():
            register[f"{key}_label"] = str(labels[register.get(key)])
        register.setdefault("transfers_statement", "")
        if register["no_transfers"] is None and register["transfers_statement"]:
            register["no_transfers_label"] = str(OWN_WORDS)
        controller = notice["controller"]
        controller["has_dpo"] = rules.has_dpo(controller["dpo"])
        for processor in notice["processors"]:
            processor["country_name"] = country_name(processor["country"])
        for transfer in notice["transfers"]:
            transfer["country_name"] = country_name(transfer["country"])
            transfer["safeguard_label"] = str(Transfer.Safeguard(transfer["safeguard"]).label)
        for rule in notice["retention"]:
            unit = rule["period_unit"]
            rule["period_unit_label"] = str(RetentionRule.Unit(unit).label) if unit else ""
            period = f"{rule['period']} {rule['period_unit_label']}" if rule["period"] else ""
            rule["period_text"] = period
        for measure in notice["security"]:
            measure["kind_label"] = str(SecurityMeasure.Kind(measure["kind"]).label)
        for cookie in notice["cookies"]:
            cookie["category_label"] = str(Cookie.Category(cookie["category"]).label)
        groups = {group["id"]: group["name"] for group in notice["subject_groups"]}
        for category in notice["data_categories"]:
            category["subject_group_names"] = [
                groups[g] for g in category["subject_groups"] if g in groups
            ]
        notice["has_special_categories"] = any(c["is_special"] for c in notice["data_categories"])
        register.setdefault("legal_bases", [])
        register.setdefault("legitimate_interest", "")
        notice["rests_on_consent"] = rules.rests_on_consent([register, *notice["purposes"]])
        notice["legal_bases"] = _distinct_bases([register, *notice["purposes"]])
        _localize_texts(notice)
        notice["security_groups"] = _security_groups(notice["security"])
        notice["retention_periods"] = [rule for rule in notice["retention"] if rule["period"]]
        notice["sections"] = parts.numbered_sections(notice)
    return notice


def _security_groups(measures: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Security measures grouped by kind (one heading each), kinds in order of first use."""
    groups: dict[str, dict[str, Any]] = {}
    for measure in measures:
        group = groups.setdefault(
            measure["kind"], {"kind_label": measure["kind_label"], "measures": []}
        )
        group["measures"].append(measure)
    return list(groups.values())


def _distinct_bases(purposes: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The legal bases used by any purpose (or the whole register), once each, in order."""
    seen: dict[str, dict[str, Any]] = {}
    for purpose in purposes:
        for basis in purpose["legal_bases"]:
            seen.setdefault(basis["code"], basis)
    return [seen[code] for code in sorted(seen)]
