"""Legal rules that several layers need, stated once.

The models, the snapshot, the completeness check, the change list, the page
and the backup all ask these questions; they ask them here, of plain values
(codes, snapshot dicts), so the answer is the same on every path. Article
references are to the GDPR (Regulation (EU) 2016/679).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
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
