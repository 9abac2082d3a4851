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
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from controllers.models import ContactPerson, Controller

from . import parts, rules
from .languages import is_text
from .models import Cookie, DataCategory, Processor, Register, Right, SupervisoryAuthority
from .presentation import country_name


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
    # 1. Controller identity and contact details, Art. 13(1)(a): a name and at least one
    # way to reach it. A business ID is customary, not required; a contact person for
    # register matters (3.) is a custom where the controller's own contact details are given.
    if _once(s, lang) and not controller["name"]:
        add(
            "controller",
            "controller",
            _("The controller's %(field)s is missing.") % {"field": _("legal name")},
            "name",
        )
    if _once(s, lang) and not rules.has_contact_channel(controller):
        add(
            "controller",
            "controller",
            _(
                "Give at least one way to contact the controller: a postal address, an "
                "email address, a phone number or a website."
            ),
            "email",
        )
    if not register["name"][lang]:
        add("register", "register", _("The register has no name."), field="name")


def _check_purposes(s: dict[str, Any], lang: str, add: Add) -> None:
    # 4–5. Purposes, legal bases, legitimate interests.
    if not s["purposes"]:
        add("register", "purposes", _("The register has no purpose of processing."))
    # Bases stated once for the whole register stand for every purpose's (GDPR.md item 4).
    register = s["register"]
    register_codes = {basis["code"] for basis in register.get("legal_bases", [])}
    register_interest = (register.get("legitimate_interest") or {}).get(lang, "")
    if (
        any(rules.needs_legitimate_interest(code) for code in register_codes)
        and not register_interest
    ):
        add(
            "register",
            "purposes",
            _(
                "The register rests on legitimate interests for all purposes but does not "
                "say which: write the legitimate interest of the whole register."
            ),
        )
    for purpose in s["purposes"]:
        name = _any_name(purpose["name"], lang)
        if not purpose["legal_bases"] and not register_codes:
            add(
                "register",
                "purposes",
                _("The purpose “%(name)s” has no legal basis.") % {"name": name},
                field="legal_bases",
                item=purpose["id"],
            )
        codes = {basis["code"] for basis in purpose["legal_bases"]}
        needs_interest = any(rules.needs_legitimate_interest(code) for code in codes)
        if needs_interest and not (purpose["legitimate_interest"][lang] or register_interest):
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
        rules.is_special_category_basis(b["kind"])
        for p in [*s["purposes"], register]
        for b in p.get("legal_bases", [])
    )
    if special and not art9:
        add(
            "register",
            "purposes",
            _("Special categories of data need a legal basis of Art. 9(2) in some purpose."),
        )


def _check_recipients(s: dict[str, Any], lang: str, add: Add) -> None:
    register = s["register"]
    # 6. Recipients, Art. 13(1)(e): the company answers; a list of recipients is an answer.
    if not _once(s, lang):
        return  # the answer is the same in every language: asked once
    if not s["recipients"] and register["no_recipients"] is None:
        add(
            "register",
            "recipients",
            _(
                "Answer whether the data has recipients: list them (by name or category), "
                "or choose “no recipients”."
            ),
            "no_recipients",
        )
    if not s["recipients"] and register["no_recipients"] is False:
        add(
            "register",
            "recipients",
            _("The register says the data has recipients: list them, by name or category."),
            "no_recipients",
        )
    if s["recipients"] and register["no_recipients"] is True:
        add(
            "register",
            "recipients",
            _("The register says it has no recipients but lists some."),
            "no_recipients",
        )


def _check_transfers(s: dict[str, Any], lang: str, add: Add) -> None:
    register = s["register"]
    # 7. Transfers outside the EU/EEA, Art. 13(1)(f): the company answers; a list is an
    # answer, and so are its own words (a text missing in a language is asked for below).
    own_words = rules.answers_transfers_in_own_words(register)
    if _once(s, lang) and not s["transfers"] and register["no_transfers"] is None and not own_words:
        add(
            "register",
            "transfers",
            _(
                "Answer whether data is transferred outside the EU/EEA: list the transfers, "
                "choose “no transfers”, or answer in the company's own words."
            ),
            "no_transfers",
        )
    if _once(s, lang) and not s["transfers"] and register["no_transfers"] is False:
        add(
            "register",
            "transfers",
            _("The register says data is transferred outside the EU/EEA: list the transfers."),
            "no_transfers",
        )
    if _once(s, lang) and s["transfers"] and register["no_transfers"] is True:
        add(
            "register",
            "transfers",
            _("The register says it makes no transfers outside the EU/EEA but lists some."),
            "no_transfers",
        )
    transferred = {_any_name(t["processor"], lang) for t in s["transfers"] if t["processor"]}
    for processor in s["processors"]:
        label = _any_name(parts.processor_label(processor["name"], processor["service"]), lang)
        # Beside the editor's own "no transfers" answer, or the company's own words, this
        # is a warning (check_warnings): the service cannot tell what the words cover.
        if (
            rules.is_outside_eea(processor["country"])
            and label not in transferred
            and register["no_transfers"] is not True
            and not own_words
        ):
            add(
                "register",
                "transfers",
                _(
                    "The processor “%(name)s” is outside the EU/EEA: list the transfer "
                    "and its safeguard."
                )
                % {"name": label},
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
    # 9–10. Rights and how to use them (the complaint right among them; naming the
    # authority is custom, not law: notices.parts._names_authority). Which rights apply
    # follows from the legal bases (rules.applicable_rights, articles cited there).
    codes = {right["code"] for right in s["rights"]}
    for code in sorted(rules.snapshot_rights(s).required - codes, key=_right_order):
        if code not in RIGHT_LABELS:
            continue  # not in the catalogue of rights: nothing an editor could list
        message = _("The notice must state the %(right)s.") % {"right": RIGHT_LABELS[code]}
        if code in RIGHT_REASONS:
            message = f"{message} {RIGHT_REASONS[code]}"
        # Named by its code: where the register lists the right but leaves it out, the
        # link opens that right's "included" box (notices.steps.item_key).
        add("register", "rights", message, field="included", item=code)
    if not register["rights_exercise"][lang]:
        add(
            "register", "rights", _("Say how a person can use the rights."), field="rights_exercise"
        )


def _check_other_articles(s: dict[str, Any], lang: str, add: Add) -> None:
    register = s["register"]
    # 12. Automated decision-making, Art. 13(2)(f): the company answers, the service never does.
    if _once(s, lang) and register["has_automated_decisions"] is None:
        add(
            "register",
            "register",
            _(
                "Answer whether decisions are made by automated means alone or people are "
                "profiled (Art. 22)."
            ),
            "has_automated_decisions",
        )
    if register["has_automated_decisions"] is True and not register["automated_decisions"][lang]:
        add(
            "register",
            "register",
            _("Describe the automated decision-making."),
            field="automated_decisions",
        )
    # Where the data comes from decides between Art. 13 and 14: the company answers.
    if _once(s, lang) and not register["data_origin"]:
        add(
            "register",
            "data_categories",
            _(
                "Answer where the data comes from: from the data subjects themselves, from "
                "elsewhere, or both."
            ),
            "data_origin",
        )
    # 13. Statutory or contractual requirement (Art. 13(2)(e)): only the company's words answer.
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


# Rights the catalogue holds (Right.Code), in its order, with why a conditional one applies.
RIGHT_LABELS = dict(Right.Code.choices)
RIGHT_REASONS = {
    rules.ERASURE: gettext_lazy(
        "It applies unless every legal basis is a legal obligation or a public task "
        "(Art. 17(3)(b))."
    ),
    rules.PORTABILITY: gettext_lazy(
        "It applies where processing rests on consent or a contract (Art. 20(1))."
    ),
    rules.OBJECTION: gettext_lazy(
        "It applies where processing rests on a public task or legitimate interests, and "
        "always to direct marketing (Art. 21)."
    ),
    rules.WITHDRAW_CONSENT: gettext_lazy(
        "It applies where processing rests on consent (Art. 7(3))."
    ),
}


def _right_order(code: str) -> int:
    codes = list(RIGHT_LABELS)
    return codes.index(code) if code in codes else len(codes)


CHECKS = (
    _check_controller,
    _check_purposes,
    _check_recipients,
    _check_transfers,
    _check_retention,
    _check_rights,
    _check_other_articles,
)


def _once(s: dict[str, Any], language: str) -> bool:
    """Whether to check what reads the same in every language: in the first one only."""
    return language == s["languages"][0]


def _any_name(name: dict[str, str] | str, language: str) -> str:
    """A name in ``language``, or in the first language that has one."""
    if isinstance(name, str):
        return name
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


# --- Warnings: contradictions, publishable once the publisher acknowledges them ----------


@dataclass(frozen=True)
class PublishWarning:
    """Facts of the notice that contradict each other, or the law, as the editor stated them.

    Unlike a ``Problem`` (information the law requires is missing) a warning does
    not stop publishing: the notice says what the company does, and the publisher
    may publish it after acknowledging the warning. ``key`` names the kind of
    contradiction and the item it is about, the same when the warning is shown and
    when it is acknowledged; ``where`` and ``anchor`` say where it is fixed: on the
    register's admin page (``anchor`` its field or inline), or on the processor's
    page (``object_id``).
    """

    key: str
    section: str
    message: str
    anchor: str = ""
    where: str = "register"
    object_id: int | None = None

    def __str__(self) -> str:
        return self.message


def check_warnings(snapshot: dict[str, Any]) -> list[PublishWarning]:
    """The contradictions of the notice in ``snapshot``, in the active language."""
    active = translation.get_language() or ""
    lang = active if active in snapshot["languages"] else snapshot["languages"][0]
    warnings: list[PublishWarning] = []
    if snapshot["register"]["no_transfers"] is True:
        warnings += _processor_location_warnings(snapshot, lang, NO_TRANSFERS)
        warnings += _cookie_location_warnings(snapshot, lang, NO_TRANSFERS)
    elif rules.answers_transfers_in_own_words(snapshot["register"]):
        # The company's words may cover a transfer ("unless technically necessary"):
        # only a provider known to be outside the EU/EEA is worth a look.
        warnings += _processor_location_warnings(snapshot, lang, OWN_WORDS, known_only=True)
        warnings += _cookie_location_warnings(snapshot, lang, OWN_WORDS, known_only=True)
    warnings += _cookie_consent_warnings(snapshot)
    warnings += _right_warnings(snapshot)
    return warnings


NO_TRANSFERS = gettext_lazy(
    "The register says that no personal data is transferred outside the EU/EEA"
)
OWN_WORDS = gettext_lazy(
    "The register answers on transfers outside the EU/EEA in the company's own words"
)


def _processor_location_warnings(
    s: dict[str, Any], lang: str, answer: Any, *, known_only: bool = False
) -> list[PublishWarning]:
    """Processors outside the EU/EEA, or (unless ``known_only``) of unknown location,
    beside the register's ``answer`` on transfers."""
    warnings = []
    transferred = {_display(t["processor"], lang) for t in s["transfers"] if t["processor"]}
    for processor in s["processors"]:
        name = _display(processor["name"], lang) or _display(processor["service"], lang)
        country = processor["country"]
        if country and not rules.is_outside_eea(country):
            continue
        label = _display(parts.processor_label(processor["name"], processor["service"]), lang)
        if known_only and (not country or label in transferred):
            continue
        if country:
            message = _(
                "%(no_transfers)s, but the processor “%(name)s” is in %(country)s. If it "
                "processes the data there, list the transfer and its safeguard; otherwise "
                "correct the processor's country."
            ) % {"no_transfers": answer, "name": name, "country": country_name(country)}
        else:
            message = _(
                "%(no_transfers)s, but the processor “%(name)s” has no country, so the "
                "notice cannot show where the data goes. Give its country."
            ) % {"no_transfers": answer, "name": name}
        warnings.append(
            PublishWarning(
                key=f"processor_location:{processor['id']}",
                section="processors",
                message=message,
                where="processor",
                object_id=processor["id"],
            )
        )
    return warnings


def _cookie_location_warnings(
    s: dict[str, Any], lang: str, answer: Any, *, known_only: bool = False
) -> list[PublishWarning]:
    """Cookies set by a provider outside the EU/EEA or of unknown location.

    A cookie of the controller itself is no transfer; a provider named like one
    of the register's processors is where that processor is, unless its own
    country is given.
    """
    own = _names(s["controller"]["name"])
    located = {name: p["country"] for p in s["processors"] for name in _names(p["name"])}
    warnings = []
    for cookie in s["cookies"]:
        provider = _names(cookie["provider"])
        if provider & own:
            continue
        country = cookie.get("provider_country") or next(
            (located[name] for name in provider if name in located), ""
        )
        if (country and not rules.is_outside_eea(country)) or (known_only and not country):
            continue
        params = {
            "no_transfers": answer,
            "cookie": _display(cookie["name"], lang),
            "provider": _display(cookie["provider"], lang),
            "country": country_name(country),
        }
        if country:
            message = _(
                "%(no_transfers)s, but the cookie “%(cookie)s” is set by %(provider)s in "
                "%(country)s."
            )
        else:
            message = _(
                "%(no_transfers)s, but the cookie “%(cookie)s” is set by %(provider)s, whose "
                "country is not given. Give the provider's country."
            )
        warnings.append(
            PublishWarning(
                key=f"cookie_location:{cookie['id']}",
                section="cookies",
                message=message % params,
                anchor="cookies-group",
            )
        )
    return warnings


def _cookie_consent_warnings(s: dict[str, Any]) -> list[PublishWarning]:
    """Statistics and marketing cookies need consent (rules.CONSENT_COOKIE_CATEGORIES)."""
    warnings = []
    for cookie in s["cookies"]:
        if cookie["category"] not in rules.CONSENT_COOKIE_CATEGORIES:
            continue
        if cookie["consent_required"] is True:
            continue
        message = _(
            "The cookie “%(cookie)s” (%(category)s) is not marked as set with consent. Finnish "
            "law requires the visitor's consent for cookies that are not strictly necessary "
            "(Act on Electronic Communications Services, section 205)."
        ) % {
            "cookie": _display(cookie["name"], ""),
            "category": Cookie.Category(cookie["category"]).label,
        }
        warnings.append(
            PublishWarning(
                key=f"cookie_consent:{cookie['id']}",
                section="cookies",
                message=message,
                anchor="cookies-group",
            )
        )
    return warnings


# Why a listed right cannot apply (see rules.applicable_rights).
CANNOT_APPLY = {
    rules.PORTABILITY: gettext_lazy("no purpose rests on consent or a contract (Art. 20(1))."),
    rules.OBJECTION: gettext_lazy(
        "no purpose rests on a public task or legitimate interests, and none is direct "
        "marketing (Art. 21)."
    ),
    rules.WITHDRAW_CONSENT: gettext_lazy("no purpose rests on consent (Art. 7(3))."),
}


def _right_warnings(s: dict[str, Any]) -> list[PublishWarning]:
    possible = rules.snapshot_rights(s).possible
    warnings = []
    for right in s["rights"]:
        code = right["code"]
        if code in possible or code not in RIGHT_LABELS:
            continue
        message = _("The notice lists the %(right)s, but it cannot apply: %(reason)s") % {
            "right": RIGHT_LABELS[code],
            "reason": CANNOT_APPLY.get(code, ""),
        }
        warnings.append(
            PublishWarning(
                key=f"right_cannot_apply:{code}",
                section="rights",
                message=message,
                anchor="rights-group",
            )
        )
    return warnings


def _names(value: Any) -> set[str]:
    """A name (one, or one per language) for comparing: trimmed, case folded."""
    values = value.values() if isinstance(value, dict) else [value]
    return {str(v).strip().casefold() for v in values if v and str(v).strip()}


def _display(value: Any, lang: str) -> str:
    return _any_name(value, lang) if isinstance(value, dict) else str(value)
