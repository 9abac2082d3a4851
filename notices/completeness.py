"""Does a notice say everything GDPR Articles 13 and 14 require? Checked before publishing.

Follows docs/gdpr-checklist.md item by item, for every language the register is
published in. Each problem says what is missing and where to fix it: on the
controller's page or in a section of the register's page.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import FieldDoesNotExist
from django.utils.translation import gettext as _

from controllers.models import ContactPerson, Controller

from . import parts, rules
from .languages import is_text
from .models import DataCategory, Processor, Register, SupervisoryAuthority


@dataclass(frozen=True)
class Problem:
    language: str
    where: str  # "controller" or "register": the admin page it is fixed on
    section: str  # a key of parts.SECTIONS or parts.PARTS
    message: str
    # Where exactly it is fixed, for a link to the field (notices.steps): the
    # field's name, the item's identity in its part (None: the section itself),
    # and whether it is a text present in another language but missing in this one.
    field: str = ""
    item: Any = None
    text_missing: bool = False

    def __str__(self) -> str:
        return self.message


# The model each single-object section of the snapshot is read from.
SECTION_MODELS = {
    "controller": Controller,
    "register": Register,
    "contact_person": ContactPerson,
    "supervisory_authority": SupervisoryAuthority,
}


def check_completeness(snapshot: dict[str, Any]) -> list[Problem]:
    """Everything the notice in ``snapshot`` lacks, for each of its languages."""
    problems: list[Problem] = []
    for language in snapshot["languages"]:
        problems += _check_language(snapshot, language)
    return problems


Add = Callable[..., None]


def _check_language(s: dict[str, Any], lang: str) -> list[Problem]:
    """Every problem of the notice in one language, GDPR.md item by item."""
    problems: list[Problem] = []

    def add(where: str, section: str, message: str, field: str = "", item: Any = None) -> None:
        problems.append(Problem(lang, where, section, message, field, item))

    for check in CHECKS:
        check(s, lang, add)
    # Every visitor-facing text present in this language.
    for path in _missing_texts(s, lang):
        problems.append(_missing_text_problem(s, lang, path))
    return problems


def _check_controller(s: dict[str, Any], lang: str, add: Add) -> None:
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
    if not s["contact_person"] and not rules.has_dpo(controller["dpo"]):
        add(
            "register",
            "contact_person",
            _("Name a contact person for register matters or a data protection officer."),
        )
    if not register["name"][lang]:
        add("register", "register", _("The register has no name."), field="name")


def _check_purposes(s: dict[str, Any], lang: str, add: Add) -> None:
    # 4–5. Purposes, legal bases, legitimate interests.
    if not s["purposes"]:
        add("register", "purposes", _("The register has no purpose of processing."))
    for purpose in s["purposes"]:
        name = _any_name(purpose["name"], lang)
        if not purpose["legal_bases"]:
            add(
                "register",
                "purposes",
                _("The purpose “%(name)s” has no legal basis.") % {"name": name},
                field="legal_bases",
                item=purpose["id"],
            )
        codes = {basis["code"] for basis in purpose["legal_bases"]}
        needs_interest = any(rules.needs_legitimate_interest(code) for code in codes)
        if needs_interest and not purpose["legitimate_interest"][lang]:
            add(
                "register",
                "purposes",
                _("The purpose “%(name)s” rests on legitimate interests but does not say which.")
                % {"name": name},
                field="legitimate_interest",
                item=purpose["id"],
            )
    special = [c for c in s["data_categories"] if c["is_special"]]
    art9 = any(
        rules.is_special_category_basis(b["kind"]) for p in s["purposes"] for b in p["legal_bases"]
    )
    if special and not art9:
        add(
            "register",
            "purposes",
            _("Special categories of data need a legal basis of Art. 9(2) in some purpose."),
        )


def _check_recipients(s: dict[str, Any], lang: str, add: Add) -> None:
    register = s["register"]
    # 6. Recipients.
    if not s["recipients"] and not register["no_recipients"]:
        add(
            "register",
            "recipients",
            _("List the recipients, or tick “no recipients” if the data is not disclosed."),
        )
    if s["recipients"] and register["no_recipients"]:
        add("register", "recipients", _("The register says it has no recipients but lists some."))


def _check_transfers(s: dict[str, Any], lang: str, add: Add) -> None:
    register = s["register"]
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
        if rules.is_outside_eea(processor["country"]) and processor["name"] not in transferred:
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


def _check_retention(s: dict[str, Any], lang: str, add: Add) -> None:
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
                    % {"name": _any_name(category["name"], lang)},
                )
        if not s["data_categories"] and not s["retention"]:
            add("register", "retention", _("Say how long the data is kept."))


def _check_rights(s: dict[str, Any], lang: str, add: Add) -> None:
    register = s["register"]
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
        add(
            "register", "rights", _("Say how a person can use the rights."), field="rights_exercise"
        )
    if not s["supervisory_authority"]["name"][lang]:
        add("register", "supervisory_authority", _("The supervisory authority is missing."))


def _check_other_articles(s: dict[str, Any], lang: str, add: Add) -> None:
    register = s["register"]
    # 12. Automated decision-making.
    if register["has_automated_decisions"] and not register["automated_decisions"][lang]:
        add(
            "register",
            "register",
            _("Describe the automated decision-making."),
            field="automated_decisions",
        )
    # 13. Statutory or contractual requirement (Art. 13).
    if (
        rules.collects_from_subject(register["data_origin"])
        and not register["statutory_requirement"][lang]
    ):
        add(
            "register",
            "register",
            _("Say whether providing the data is a statutory or contractual requirement."),
            field="statutory_requirement",
        )
    # 14–15. Categories and sources when data comes from elsewhere (Art. 14).
    if rules.collects_from_elsewhere(register["data_origin"]):
        if not s["data_categories"]:
            add("register", "data_categories", _("List the categories of personal data."))
        if not s["sources"]:
            add("register", "sources", _("List the sources of the data."))


CHECKS = (
    _check_controller,
    _check_purposes,
    _check_recipients,
    _check_transfers,
    _check_retention,
    _check_rights,
    _check_other_articles,
)


def _any_name(name: dict[str, str], language: str) -> str:
    """A name in ``language``, or in the first language that has one."""
    return name.get(language) or next((text for text in name.values() if text), "")


def _missing_texts(value: Any, language: str, path: str = "") -> list[str]:
    """Paths of texts that exist in some language but not in ``language``."""
    found: list[str] = []
    if is_text(value):
        if any(value.values()) and not value.get(language):
            found.append(path)
    elif isinstance(value, dict):
        for key, item in value.items():
            found += _missing_texts(item, language, f"{path}.{key}" if path else key)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found += _missing_texts(item, language, f"{path}[{index}]")
    return found


def _field_label(section: str, field: str) -> str:
    """The label a field has in the admin, found on the model the text comes from."""
    if field == "data_category_name":
        return str(DataCategory._meta.verbose_name)
    part = parts.PARTS_BY_KEY.get(section)
    candidates = [part.model] if part else [SECTION_MODELS.get(section, Register)]
    if section == "processors":
        candidates.append(Processor)
    for model in candidates:
        try:
            return str(model._meta.get_field(field).verbose_name)
        except FieldDoesNotExist:
            continue
    return field


def _missing_text_problem(s: dict[str, Any], lang: str, path: str) -> Problem:
    """A readable problem for a text missing in ``lang`` at ``path`` (e.g. purposes[0].name)."""
    head, _sep, field = path.rpartition(".")
    section = path.split(".")[0].split("[")[0]
    item_name = ""
    item = None
    if "[" in head:
        index = int(head.split("[")[1].split("]")[0])
        part = parts.PARTS_BY_KEY.get(section)
        item = s[section][index].get(part.identity if part else "id")
        name = s[section][index].get("name")
        item_name = _any_name(name, lang) if isinstance(name, dict) else str(name or "")
    label = _field_label(section, field)
    section_label = parts.section_label(section)
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
    return Problem(lang, where, section, message, field, item, text_missing=True)
