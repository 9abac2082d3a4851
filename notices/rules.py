"""Legal rules that several layers need, stated once.

The models, the snapshot, the completeness check, the change list, the page
and the backup all ask these questions; they ask them here, of plain values
(codes, snapshot dicts), so the answer is the same on every path. Article
references are to the GDPR (Regulation (EU) 2016/679).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

# EU member states plus Iceland, Liechtenstein and Norway: a transfer to these is
# not a transfer outside the EU/EEA (Chapter V).
EEA_COUNTRIES = frozenset(
    [
        "AT",
        "BE",
        "BG",
        "CY",
        "CZ",
        "DE",
        "DK",
        "EE",
        "ES",
        "FI",
        "FR",
        "GR",
        "HR",
        "HU",
        "IE",
        "IT",
        "LT",
        "LU",
        "LV",
        "MT",
        "NL",
        "PL",
        "PT",
        "RO",
        "SE",
        "SI",
        "SK",
        "IS",
        "LI",
        "NO",
    ]
)

# Consent: Art. 6(1)(a), and explicit consent for special categories, Art. 9(2)(a).
CONSENT_CODES = frozenset({"6-1-a", "9-2-a"})
# Legitimate interests, Art. 6(1)(f): the notice must say which (Art. 13(1)(d)).
LEGITIMATE_INTEREST_CODE = "6-1-f"
# Legal bases for special categories of data (Art. 9(2)) are of this kind.
SPECIAL_CATEGORY_KIND = "art9"

# Where the data comes from: the person (Art. 13), elsewhere (Art. 14), or both.
FROM_SUBJECT = "subject"
FROM_ELSEWHERE = "other"
FROM_BOTH = "both"


def is_consent(code: str) -> bool:
    """Whether a legal basis is consent (its withdrawal right then applies, Art. 7(3))."""
    return code in CONSENT_CODES


def needs_legitimate_interest(code: str) -> bool:
    """Whether a legal basis obliges the notice to state the interest (Art. 13(1)(d))."""
    return code == LEGITIMATE_INTEREST_CODE


def is_special_category_basis(kind: str) -> bool:
    return kind == SPECIAL_CATEGORY_KIND


def basis_codes(purposes: Iterable[Mapping[str, Any]]) -> set[str]:
    """Every legal basis code of snapshot purposes."""
    return {basis["code"] for purpose in purposes for basis in purpose["legal_bases"]}


def rests_on_consent(purposes: Iterable[Mapping[str, Any]]) -> bool:
    """Whether some purpose rests on consent (Art. 6(1)(a) or 9(2)(a))."""
    return any(is_consent(code) for code in basis_codes(purposes))


def collects_from_subject(data_origin: str) -> bool:
    """Whether data is collected from the person (Art. 13 applies)."""
    return data_origin in (FROM_SUBJECT, FROM_BOTH)


def collects_from_elsewhere(data_origin: str) -> bool:
    """Whether data is obtained from elsewhere (Art. 14 applies)."""
    return data_origin in (FROM_ELSEWHERE, FROM_BOTH)


def answers_transfers_in_own_words(register: Mapping[str, Any]) -> bool:
    """Whether a snapshot's register answers Art. 13(1)(f) in the company's own words."""
    statement = register.get("transfers_statement") or {}
    texts = statement.values() if isinstance(statement, Mapping) else [statement]
    return any(str(text).strip() for text in texts)


def has_dpo(dpo: Mapping[str, Any]) -> bool:
    """Whether a data protection officer is named (Art. 13(1)(b)): a name or an email."""
    return bool((dpo.get("name") or "").strip() or (dpo.get("email") or "").strip())


def has_contact_channel(controller: Mapping[str, Any]) -> bool:
    """Whether a controller (snapshot data) can be reached, Art. 13(1)(a).

    Any one channel will do: a postal address (street and city), an email address, a phone
    number or a website (where a contact form is customary).
    """
    postal = all((controller.get(key) or "").strip() for key in ("street_address", "city"))
    return postal or any(
        (controller.get(key) or "").strip() for key in ("email", "phone", "website")
    )


def is_outside_eea(country_code: str) -> bool:
    """Whether a country is outside the EU/EEA (a transfer under Chapter V)."""
    return bool(country_code) and country_code.upper() not in EEA_COUNTRIES


# --- Legal bases of a whole register ---------------------------------------------------


def notice_basis_codes(
    register: Mapping[str, Any], purposes: Iterable[Mapping[str, Any]]
) -> set[str]:
    """Every legal basis a notice states: the register's own (for all purposes) and each purpose's.

    A register may state its bases once for all purposes (GDPR.md item 4);
    snapshots stored before it could have none of their own.
    """
    own = {basis["code"] for basis in register.get("legal_bases", [])}
    return own | basis_codes(purposes)


def purpose_bases(purpose: Mapping[str, Any], register: Mapping[str, Any]) -> list[Any]:
    """The legal bases a purpose rests on: the register's for all purposes, then its own."""
    seen: dict[str, Any] = {}
    for basis in [*register.get("legal_bases", []), *purpose["legal_bases"]]:
        seen.setdefault(basis["code"], basis)
    return list(seen.values())


def purpose_interest(purpose: Mapping[str, Any], register: Mapping[str, Any]) -> Any:
    """The legitimate interest of a purpose: its own, else the one the register states once."""
    return purpose["legitimate_interest"] or register.get("legitimate_interest") or ""


# --- Rights of the data subject follow from the legal bases ----------------------------

# The codes of the catalogue of rights (Right.Code).
ACCESS = "access"
RECTIFICATION = "rectification"
ERASURE = "erasure"
RESTRICTION = "restriction"
OBJECTION = "objection"
PORTABILITY = "portability"
WITHDRAW_CONSENT = "withdraw_consent"
COMPLAINT = "complaint"
# Art. 22 has no entry in the catalogue (yet): the automated decision-making
# section of the notice describes it (Art. 13(2)(f)).
AUTOMATED_DECISION = "automated_decision"

# Art. 20(1)(a): portability where processing rests on consent (6(1)(a), 9(2)(a))
# or on a contract (6(1)(b)).
PORTABILITY_CODES = frozenset({"6-1-a", "9-2-a", "6-1-b"})
# Art. 21(1): objection where processing rests on a public task (6(1)(e)) or on
# legitimate interests (6(1)(f)).
OBJECTION_CODES = frozenset({"6-1-e", "6-1-f"})
# Art. 17(3)(b): erasure does not apply to processing needed to comply with a legal
# obligation (6(1)(c)) or for a public task (6(1)(e)).
ERASURE_EXCEPTION_CODES = frozenset({"6-1-c", "6-1-e"})


@dataclass(frozen=True)
class ApplicableRights:
    """Which rights a notice must state (``required``) and which it may (``possible``)."""

    required: frozenset[str]
    possible: frozenset[str]


def applicable_rights(
    codes: Iterable[str], *, direct_marketing: bool, automated_decisions: bool
) -> ApplicableRights:
    """The rights that apply to processing on the legal bases ``codes`` (GDPR Art. 13(2)(b)–(d)).

    ``direct_marketing``: some purpose is direct marketing; ``automated_decisions``:
    the register answered that it makes decisions by automated means (Art. 22).
    """
    codes = set(codes)
    # Art. 15 access, Art. 16 rectification, Art. 18 restriction and Art. 77 a complaint
    # to the supervisory authority apply to all processing.
    required = {ACCESS, RECTIFICATION, RESTRICTION, COMPLAINT}
    # Art. 17 erasure may apply to any processing; it need not be stated where every
    # basis is one of its exceptions, Art. 17(3)(b).
    possible = {*required, ERASURE}
    if not codes or not codes <= ERASURE_EXCEPTION_CODES:
        required.add(ERASURE)
    # Art. 20(1)(a): portability only with consent or a contract.
    if codes & PORTABILITY_CODES:
        required.add(PORTABILITY)
    # Art. 21(1): objection with a public task or legitimate interests; Art. 21(2):
    # always against direct marketing.
    if codes & OBJECTION_CODES or direct_marketing:
        required.add(OBJECTION)
    # Art. 7(3) (and Art. 13(2)(c)): withdrawing consent only where processing rests on it.
    if any(is_consent(code) for code in codes):
        required.add(WITHDRAW_CONSENT)
    # Art. 22: rights about decisions made by automated means only where such are made.
    if automated_decisions:
        required.add(AUTOMATED_DECISION)
    return ApplicableRights(required=frozenset(required), possible=frozenset(possible | required))


def snapshot_rights(snapshot: Mapping[str, Any]) -> ApplicableRights:
    """The rights that apply to the notice in ``snapshot`` (see ``applicable_rights``)."""
    register = snapshot["register"]
    return applicable_rights(
        notice_basis_codes(register, snapshot["purposes"]),
        direct_marketing=any(p.get("is_direct_marketing") for p in snapshot["purposes"]),
        automated_decisions=register.get("has_automated_decisions") is True,
    )


# --- Cookies ---------------------------------------------------------------------------

# Cookies that need the visitor's consent under Finnish law (Act on Electronic
# Communications Services, 917/2014, section 205): all but those strictly necessary;
# statistics and marketing cookies are never strictly necessary.
CONSENT_COOKIE_CATEGORIES = frozenset({"statistics", "marketing"})
