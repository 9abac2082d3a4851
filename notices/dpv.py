"""A published version as JSON-LD in W3C's Data Privacy Vocabulary (DPV 2.3).

``build_dpv`` is a pure function of a version's stored snapshot: the same
snapshot gives the same bytes, so the public view can cache them (versions are
immutable). The document describes the register's processing as one
``dpv:Process`` with its purposes and legal bases, personal data, data
subjects, sources, recipients, processors, transfers and their safeguards,
retention, security measures and rights, the controller (with its DPO and
representative) and the notice version it comes from.

Catalogue rows are mapped by their stable codes (``LegalBasis.code``,
``Right.Code``, ``Transfer.Safeguard``, ``SecurityMeasure.Kind``), never by
their translated names. Where DPV has no concept of its own for a row, the
closest parent concept is used (see ``SAFEGUARDS`` and the README). Every DPV
term this module can write is listed in ``DPV_TERMS_FILE``, a list taken from
DPV 2.3's published vocabulary; the tests check the output against it.

Identifiers of the document's own nodes are absolute paths (``/<lang>/<company>/…#purpose-3``),
resolved against the address the document is fetched from, so the bytes do not
depend on the host name.
"""

from __future__ import annotations

import functools
import json
from pathlib import Path
from typing import Any, TypedDict

from django.urls import reverse

from . import rules
from .presentation import controller_country, pick
from .snapshot import Snapshot

# Raised when what the document says or how it says it changes: it is part of the ETag.
DPV_FORMAT = 1
DPV_VERSION = "2.3"

DPV = "https://w3id.org/dpv#"
EU_GDPR = "https://w3id.org/dpv/legal/eu/gdpr#"
LOC = "https://w3id.org/dpv/loc#"

CONTEXT: dict[str, str] = {
    "dpv": DPV,
    "eu-gdpr": EU_GDPR,
    "loc": LOC,
    "dct": "http://purl.org/dc/terms/",
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "foaf": "http://xmlns.com/foaf/0.1/",
}

# Properties whose values are names, codes and addresses, not text in the notice's language.
UNTAGGED = (
    "dpv:hasName",
    "dpv:hasIdentifier",
    "dpv:hasContact",
    "dct:identifier",
    "dct:hasVersion",
    "dct:language",
)

DPV_TERMS_FILE = Path(__file__).resolve().parent / "data" / "dpv_terms.txt"

# Right.Code -> the GDPR extension's right (Art. 15-21, 7(3), 77).
RIGHTS: dict[str, str] = {
    "access": "eu-gdpr:A15",
    "rectification": "eu-gdpr:A16",
    "erasure": "eu-gdpr:A17",
    "restriction": "eu-gdpr:A18",
    "portability": "eu-gdpr:A20",
    "objection": "eu-gdpr:A21",
    "withdraw_consent": "eu-gdpr:A7-3",
    "complaint": "eu-gdpr:A77",
}

# Transfer.Safeguard -> (legal basis of the transfer, the measure itself or None).
# The EU-US Data Privacy Framework is an adequacy decision (Commission decision
# (EU) 2023/1795): DPV has no concept of its own for it, so Art. 45(3). "Art. 49"
# does not say which derogation of 49(1) applies: the parent dpv:DataTransferLegalBasis.
SAFEGUARDS: dict[str, tuple[str, str | None]] = {
    "adequacy": ("eu-gdpr:A45-3", None),
    "scc": ("eu-gdpr:A46-2-c", "eu-gdpr:SCCByCommission"),
    "bcr": ("eu-gdpr:A46-2-b", "eu-gdpr:BindingCorporateRules"),
    "dpf": ("eu-gdpr:A45-3", None),
    "art49": ("dpv:DataTransferLegalBasis", None),
}

# SecurityMeasure.Kind -> the kind of measure (manual material is protected physically).
SECURITY: dict[str, str] = {
    "manual": "dpv:PhysicalMeasure",
    "electronic": "dpv:TechnicalMeasure",
    "organisational": "dpv:OrganisationalMeasure",
}

# Register.data_origin -> where the data comes from.
ORIGINS: dict[str, list[str]] = {
    "subject": ["dpv:DataSubjectDataSource"],
    "other": ["dpv:ThirdPartyDataSource"],
    "both": ["dpv:DataSubjectDataSource", "dpv:ThirdPartyDataSource"],
}

# RetentionRule.Unit -> an ISO 8601 duration (xsd:duration has no weeks: 7 days each).
DURATION_UNITS: dict[str, tuple[str, int]] = {
    "days": ("D", 1),
    "weeks": ("D", 7),
    "months": ("M", 1),
    "years": ("Y", 1),
}


def legal_basis_iri(code: str) -> str:
    """The GDPR extension's legal basis for a catalogue code: "6-1-a" is eu-gdpr:A6-1-a."""
    return f"eu-gdpr:A{code}"


@functools.cache
def dpv_terms() -> frozenset[str]:
    """The DPV, GDPR-extension and location IRIs this module may write (DPV 2.3)."""
    lines = DPV_TERMS_FILE.read_text(encoding="utf-8").splitlines()
    return frozenset(line for line in lines if line and not line.startswith("#"))


def expand(term: str) -> str:
    """A compact IRI (``dpv:Purpose``) in full, with this document's prefixes."""
    prefix, _, name = term.partition(":")
    return CONTEXT[prefix] + name if prefix in CONTEXT else term


class VersionInfo(TypedDict):
    """What the document says about the version besides its snapshot."""

    number: int
    published_at: str  # ISO 8601
    content_hash: str


def _described(node: dict[str, Any], label: str = "", description: str = "") -> dict[str, Any]:
    """``node`` with a label and a description where they are not empty."""
    if label:
        node["rdfs:label"] = label
    if description:
        node["dct:description"] = description
    return node


def _country(code: str) -> dict[str, Any]:
    """A country as DPV's location concept, or a plain dpv:Country where DPV has none."""
    if expand(f"loc:{code}") in dpv_terms():
        return {"@id": f"loc:{code}"}
    return {"@type": "dpv:Country", "dct:identifier": code}


def _duration(period: int | None, unit: str) -> dict[str, Any] | None:
    if not period or unit not in DURATION_UNITS:
        return None
    designator, factor = DURATION_UNITS[unit]
    value = {"@value": f"P{period * factor}{designator}", "@type": "xsd:duration"}
    return {"@type": "dpv:TemporalDuration", "rdf:value": value}


def _retention(rule: dict[str, Any], base: str) -> dict[str, Any]:
    """A retention rule as a storage duration (a period) or a storage condition (criteria)."""
    duration = _duration(rule["period"], rule["period_unit"])
    node: dict[str, Any] = {
        "@id": f"{base}#retention-{rule['id']}",
        "@type": "dpv:StorageDuration" if duration else "dpv:StorageCondition",
    }
    if duration:
        node["dpv:hasDuration"] = duration
    text = " ".join(part for part in (rule["starting_event"], rule["criteria"]) if part)
    if rule["data_category"] is not None:
        node["dpv:hasPersonalData"] = {"@id": f"{base}#data-{rule['data_category']}"}
    return _described(node, description=text)


def _purpose(purpose: dict[str, Any], base: str, register: dict[str, Any]) -> dict[str, Any]:
    node = {
        "@id": f"{base}#purpose-{purpose['id']}",
        "@type": "dpv:Purpose",
        "dpv:hasLegalBasis": [
            {"@id": legal_basis_iri(b["code"])} for b in rules.purpose_bases(purpose, register)
        ],
    }
    interest = rules.purpose_interest(purpose, register)
    description = "\n\n".join(text for text in (purpose["description"], interest) if text)
    return _described(node, purpose["name"], description)


def _data_category(category: dict[str, Any], base: str) -> dict[str, Any]:
    """A data category: the register's own, so a dpv:PersonalData with its label."""
    types = ["dpv:PersonalData"]
    if category["is_special"]:
        types.append("dpv:SpecialCategoryPersonalData")
    node = {"@id": f"{base}#data-{category['id']}", "@type": types}
    if category["subject_groups"]:
        node["dpv:hasDataSubject"] = [
            {"@id": f"{base}#subjects-{g}"} for g in category["subject_groups"]
        ]
    return _described(node, category["name"], category["description"])


def _processor(processor: dict[str, Any], base: str) -> dict[str, Any]:
    node: dict[str, Any] = {
        "@id": f"{base}#processor-{processor['id']}",
        "@type": "dpv:DataProcessor",
    }
    # A processor named by its function only has no name; one of unknown place no country.
    if processor["name"]:
        node["dpv:hasName"] = processor["name"]
    if processor["country"]:
        node["dpv:hasCountry"] = _country(processor["country"])
    if processor["website"]:
        node["foaf:homepage"] = {"@id": processor["website"]}
    return _described(node, processor["service"], processor["processes"])


def _transfer(transfer: dict[str, Any], snapshot: dict[str, Any], base: str) -> dict[str, Any]:
    """A transfer outside the EU/EEA: its country, recipient, legal basis and safeguard."""
    basis, measure = SAFEGUARDS[transfer["safeguard"]]
    processors = {p["name"]: p["id"] for p in snapshot["processors"]}
    if transfer["processor"] in processors:
        recipient: dict[str, Any] = {"@id": f"{base}#processor-{processors[transfer['processor']]}"}
    else:
        name = transfer["processor"] or transfer["recipient"]
        recipient = {"@type": "dpv:Recipient", "dpv:hasName": name}
    node: dict[str, Any] = {
        "@id": f"{base}#transfer-{transfer['id']}",
        "@type": "dpv:CrossBorderTransfer",
        "dpv:hasThirdCountry": _country(transfer["country"]),
        "dpv:hasRecipient": recipient,
        "dpv:hasLegalBasis": {"@id": basis},
    }
    if measure:
        node["dpv:hasOrganisationalMeasure"] = {"@id": measure}
    return _described(node, description=transfer["copy_info"])


def _contacts(*values: str) -> list[str]:
    return [value for value in values if value]


def _controller(controller: dict[str, Any], base: str) -> dict[str, Any]:
    """The controller with its address, contacts, DPO and EU representative."""
    address = " ".join(
        _contacts(controller["street_address"], controller["postal_code"], controller["city"])
    )
    node: dict[str, Any] = {
        "@id": f"{base}#controller",
        "@type": "dpv:DataController",
        "dpv:hasName": controller["name"],
        "dpv:hasAddress": ", ".join(_contacts(address, controller_country(controller["country"]))),
        "dpv:hasContact": _contacts(controller["email"], controller["phone"]),
    }
    if controller["business_id"]:  # customary, not required: stated only where given
        node["dpv:hasIdentifier"] = controller["business_id"]
    if controller["website"]:
        node["foaf:homepage"] = {"@id": controller["website"]}
    dpo = controller["dpo"]
    if dpo["name"] or dpo["email"]:
        node["dpv:hasDataProtectionOfficer"] = {
            "@type": "dpv:DataProtectionOfficer",
            "dpv:hasName": dpo["name"],
            "dpv:hasContact": _contacts(dpo["email"], dpo["phone"]),
        }
    if controller["representative"]:
        node["dpv:hasRepresentative"] = {
            "@type": "dpv:Representative",
            "dct:description": controller["representative"],
        }
    return node


def _contact_person(contact: dict[str, Any] | None) -> dict[str, Any] | None:
    if contact is None:
        return None
    node = {
        "@type": "dpv:Entity",
        "dpv:hasName": contact["name"],
        "dpv:hasContact": _contacts(contact["email"], contact["phone"]),
    }
    return _described(node, contact["title"])


def _authority(authority: dict[str, Any]) -> dict[str, Any]:
    return {
        "@type": "dpv:DataProtectionAuthority",
        "dpv:hasName": authority["name"],
        "dpv:hasAddress": authority["street_address"],
        "dpv:hasContact": _contacts(authority["email"], authority["phone"], authority["website"]),
    }


def _named(items: list[dict[str, Any]], base: str, kind: str, dpv_type: str) -> list[dict]:
    """Listed items that are only a name and a description (groups, sources, recipients)."""
    return [
        _described(
            {"@id": f"{base}#{kind}-{item['id']}", "@type": dpv_type},
            item["name"],
            item["description"],
        )
        for item in items
    ]


def _right(right: dict[str, Any], base: str) -> dict[str, Any]:
    node = {"@id": f"{base}#right-{right['code']}", "@type": RIGHTS[right["code"]]}
    return _described(node, right["name"], right["text"])


def _notice(notice: dict[str, Any], version: VersionInfo, language: str, address: str) -> dict:
    return {
        "@id": address,
        "@type": "dpv:PrivacyNotice",
        "dct:title": notice["register"]["name"],
        "dct:language": language,
        "dct:hasVersion": str(version["number"]),
        "dct:issued": {"@value": version["published_at"], "@type": "xsd:dateTime"},
        "dct:identifier": f"sha256:{version['content_hash']}",
        "dct:conformsTo": {"@id": f"https://w3id.org/dpv/{DPV_VERSION}"},
    }


def _processing(notice: dict[str, Any], base: str) -> list[dict[str, Any]]:
    """What is done with the data besides storing it: transfers, automated decisions."""
    steps = [_transfer(t, notice, base) for t in notice["transfers"]]
    register = notice["register"]
    if register["has_automated_decisions"]:
        steps.append(
            _described(
                {"@id": f"{base}#automated-decisions", "@type": "dpv:AutomatedDecisionMaking"},
                description=register["automated_decisions"],
            )
        )
    return steps


def build_dpv(snapshot: Snapshot, *, language: str, version: VersionInfo) -> dict[str, Any]:
    """The version's notice in ``language`` as a JSON-LD document using DPV."""
    notice = pick(snapshot, language)
    register = notice["register"]
    kwargs = {
        "lang": language,
        "controller": notice["controller"]["slug"],
        "register": register["slug"],
        "number": version["number"],
    }
    base = reverse("notices:version_dpv", kwargs=kwargs)
    process: dict[str, Any] = {
        "@context": {
            **CONTEXT,
            "@language": language,
            **{term: {"@id": term, "@language": None} for term in UNTAGGED},
        },
        "@id": f"{base}#processing",
        "@type": "dpv:Process",
        "rdfs:label": register["name"],
        "dpv:hasNotice": _notice(
            notice, version, language, reverse("notices:version", kwargs=kwargs)
        ),
        "dpv:hasDataController": _controller(notice["controller"], base),
        "dpv:hasPurpose": [_purpose(p, base, notice["register"]) for p in notice["purposes"]],
        "dpv:hasPersonalData": [_data_category(c, base) for c in notice["data_categories"]],
        "dpv:hasDataSubject": _named(notice["subject_groups"], base, "subjects", "dpv:DataSubject"),
        "dpv:hasDataSource": [{"@id": t} for t in ORIGINS.get(register["data_origin"], [])]
        + _named(notice["sources"], base, "source", "dpv:DataSource"),
        "dpv:hasRecipient": _named(notice["recipients"], base, "recipient", "dpv:Recipient"),
        "dpv:hasDataProcessor": [_processor(p, base) for p in notice["processors"]],
        "dpv:hasProcessing": _processing(notice, base),
        "dpv:hasStorageCondition": [_retention(r, base) for r in notice["retention"]],
        "dpv:hasTechnicalOrganisationalMeasure": [
            _described({"@type": SECURITY[m["kind"]]}, description=m["description"])
            for m in notice["security"]
        ],
        "dpv:hasRight": [_right(r, base) for r in notice["rights"]],
    }
    if notice["supervisory_authority"] is not None:  # the editor's choice (Art. 77 custom)
        process["dpv:hasAuthority"] = _authority(notice["supervisory_authority"])
    contact = _contact_person(notice["contact_person"])
    if contact is not None:
        process["dpv:hasContact"] = contact
    if register["joint_controllers"]:
        process["dpv:hasJointDataControllers"] = {
            "@type": "dpv:JointDataControllers",
            "dct:description": register["joint_controllers"],
        }
    return process


def dpv_bytes(snapshot: Snapshot, *, language: str, version: VersionInfo) -> bytes:
    """The document as served: UTF-8, indented for people who read it."""
    document = build_dpv(snapshot, language=language, version=version)
    return json.dumps(document, ensure_ascii=False, indent=1).encode()
