"""Does a notice say everything GDPR Articles 13 and 14 require? Checked before publishing.

Follows ../shared/GDPR.md item by item, for every language the register is
published in. Each problem says what is missing and where to fix it: on the
controller's page or in a section of the register's page.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _

from .models import EEA_COUNTRIES


@dataclass(frozen=True)
class Problem:
    language: str
    where: str  # "controller" or "register"
    section: str
    message: str

    def __str__(self) -> str:
        return self.message


# The sections of the register page where each part of the snapshot is edited.
SECTION_OF_PATH = {
    "controller": "controller",
    "register": "register",
    "contact_person": "contact",
    "subject_groups": "subject_groups",
    "purposes": "purposes",
    "data_categories": "data_categories",
    "sources": "sources",
    "recipients": "recipients",
    "processors": "processors",
    "transfers": "transfers",
    "retention": "retention",
    "security": "security",
    "cookies": "cookies",
    "rights": "rights",
    "authority": "rights",
}


def check_completeness(snapshot: dict[str, Any]) -> list[Problem]:
    """Everything the notice in ``snapshot`` lacks, for each of its languages."""
    problems: list[Problem] = []
    for language in snapshot["languages"]:
        problems += _check_language(snapshot, language)
    return problems


def _check_language(s: dict[str, Any], lang: str) -> list[Problem]:  # noqa: C901
    problems: list[Problem] = []

    def add(where: str, section: str, message: str) -> None:
        problems.append(Problem(lang, where, section, message))

    controller, register = s["controller"], s["register"]
    # 1. Controller identity and contact.
    for key, label in (
        ("name", _("legal name")),
        ("business_id", _("business ID")),
        ("street_address", _("street address")),
        ("email", _("email")),
    ):
        if not controller[key]:
            add(
                "controller",
                "controller",
                _("The controller's %(field)s is missing.") % {"field": label},
            )
    # 3. Contact person or data protection officer.
    if not s["contact_person"] and not (controller["dpo"]["name"] or controller["dpo"]["email"]):
        add(
            "register",
            "contact",
            _("Name a contact person for register matters or a data protection officer."),
        )
    if not register["name"][lang]:
        add("register", "register", _("The register has no name."))
    # 4–5. Purposes, legal bases, legitimate interests.
    if not s["purposes"]:
        add("register", "purposes", _("The register has no purpose of processing."))
    for purpose in s["purposes"]:
        name = purpose["name"][lang] or purpose["name"]["fi"]
        if not purpose["legal_bases"]:
            add(
                "register",
                "purposes",
                _("The purpose “%(name)s” has no legal basis.") % {"name": name},
            )
        codes = {basis["code"] for basis in purpose["legal_bases"]}
        if "6-1-f" in codes and not purpose["legitimate_interest"][lang]:
            add(
                "register",
                "purposes",
                _("The purpose “%(name)s” rests on legitimate interests but does not say which.")
                % {"name": name},
            )
    special = [c for c in s["data_categories"] if c["is_special"]]
    art9 = any(b["kind"] == "art9" for p in s["purposes"] for b in p["legal_bases"])
    if special and not art9:
        add(
            "register",
            "purposes",
            _("Special categories of data need a legal basis of Art. 9(2) in some purpose."),
        )
    # 6. Recipients.
    if not s["recipients"] and not register["no_recipients"]:
        add(
            "register",
            "recipients",
            _("List the recipients, or tick “no recipients” if the data is not disclosed."),
        )
    if s["recipients"] and register["no_recipients"]:
        add("register", "recipients", _("The register says it has no recipients but lists some."))
    # 7. Transfers outside the EU/EEA.
    if not s["transfers"] and not register["no_transfers"]:
        add(
            "register",
            "transfers",
            _("List the transfers outside the EU/EEA, or tick “no transfers”."),
        )
    if s["transfers"] and register["no_transfers"]:
        add(
            "register",
            "transfers",
            _("The register says it makes no transfers outside the EU/EEA but lists some."),
        )
    transferred = {t["processor"] for t in s["transfers"] if t["processor"]}
    for processor in s["processors"]:
        if processor["country"] not in EEA_COUNTRIES and processor["name"] not in transferred:
            add(
                "register",
                "transfers",
                _(
                    "The processor “%(name)s” is outside the EU/EEA: list the transfer "
                    "and its safeguard."
                )
                % {"name": processor["name"]},
            )
    for transfer in s["transfers"]:
        if not transfer["safeguard"]:
            add("register", "transfers", _("Every transfer needs a safeguard."))
    # 8. Retention: for the whole register, or for each data category.
    whole = any(rule["data_category"] is None for rule in s["retention"])
    covered = {rule["data_category"] for rule in s["retention"]}
    if not whole:
        for category in s["data_categories"]:
            if category["id"] not in covered:
                add(
                    "register",
                    "retention",
                    _("Say how long “%(name)s” is kept, or give a rule for the whole register.")
                    % {"name": category["name"][lang] or category["name"]["fi"]},
                )
        if not s["data_categories"] and not s["retention"]:
            add("register", "retention", _("Say how long the data is kept."))
    # 9–11. Rights, how to use them, the complaint authority.
    codes = {right["code"] for right in s["rights"]}
    for code, label in (
        ("access", _("right of access")),
        ("rectification", _("right to rectification")),
        ("restriction", _("right to restriction of processing")),
        ("complaint", _("right to lodge a complaint")),
    ):
        if code not in codes:
            add(
                "register",
                "rights",
                _("The notice must state the %(right)s.") % {"right": label},
            )
    if not register["rights_exercise"][lang]:
        add("register", "rights", _("Say how a person can use the rights."))
    if not s["authority"]["name"][lang]:
        add("register", "rights", _("The supervisory authority is missing."))
    # 12. Automated decision-making.
    if register["has_automated_decisions"] and not register["automated_decisions"][lang]:
        add("register", "register", _("Describe the automated decision-making."))
    # 13. Statutory or contractual requirement (Art. 13).
    if (
        register["data_origin"] in {"subject", "both"}
        and not register["statutory_requirement"][lang]
    ):
        add(
            "register",
            "register",
            _("Say whether providing the data is a statutory or contractual requirement."),
        )
    # 14–15. Categories and sources when data comes from elsewhere (Art. 14).
    if register["data_origin"] in {"other", "both"}:
        if not s["data_categories"]:
            add("register", "data_categories", _("List the categories of personal data."))
        if not s["sources"]:
            add("register", "sources", _("List the sources of the data."))
    # Every visitor-facing text present in this language.
    for path in _missing_texts(s, lang):
        problems.append(_missing_text_problem(s, lang, path))
    return problems


def _missing_texts(value: Any, language: str, path: str = "") -> list[str]:
    """Paths of texts that exist in some language but not in ``language``."""
    found: list[str] = []
    if isinstance(value, dict) and set(value) == {"fi", "en"}:
        if any(value.values()) and not value[language]:
            found.append(path)
    elif isinstance(value, dict):
        for key, item in value.items():
            found += _missing_texts(item, language, f"{path}.{key}" if path else key)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found += _missing_texts(item, language, f"{path}[{index}]")
    return found


def _field_labels() -> dict[str, str]:
    return {
        "name": _("name"),
        "description": _("description"),
        "legitimate_interest": _("legitimate interest"),
        "introduction": _("introduction"),
        "statutory_requirement": _("statutory or contractual requirement"),
        "automated_decisions": _("automated decision-making and profiling"),
        "cookies_info": _("about cookies"),
        "rights_exercise": _("how to exercise the rights"),
        "title": _("title"),
        "country": _("country"),
        "representative": _("EU representative"),
        "service": _("what it does"),
        "processes": _("what it processes here"),
        "recipient": _("recipient"),
        "copy_info": _("how to obtain a copy"),
        "starting_event": _("counted from"),
        "criteria": _("criteria"),
        "purpose": _("purpose"),
        "duration": _("duration"),
        "text": _("own wording"),
        "street_address": _("address"),
        "data_category_name": _("data category"),
    }


def _missing_text_problem(s: dict[str, Any], lang: str, path: str) -> Problem:
    """A readable problem for a text missing in ``lang`` at ``path`` (e.g. purposes[0].name)."""
    from .changes import SECTIONS

    head, _sep, field = path.rpartition(".")
    top = path.split(".")[0].split("[")[0]
    section = SECTION_OF_PATH.get(top, "register")
    item_name = ""
    if "[" in head:
        index = int(head.split("[")[1].split("]")[0])
        name = s[top][index].get("name")
        item_name = name.get("fi", "") if isinstance(name, dict) else str(name or "")
    label = _field_labels().get(field, field)
    section_label = str(SECTIONS.get(section, _("Register")))
    where = "controller" if section == "controller" else "register"
    if item_name:
        message = _("%(section)s: “%(item)s” has no %(field)s in this language.") % {
            "section": section_label,
            "item": item_name,
            "field": label,
        }
    else:
        message = _("%(section)s: the %(field)s is missing in this language.") % {
            "section": section_label,
            "field": label,
        }
    return Problem(lang, where, section, message)
