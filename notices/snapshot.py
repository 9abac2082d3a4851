"""The content of a notice frozen as plain data: what a published version says.

``build_snapshot(register)`` reads a register's draft into a JSON-serialisable
dict of the shape ``Snapshot`` declares below. Publishing stores it with the
version; rendering, the JSON view, the completeness check and the change list
all read the snapshot, never the live models, so a published version cannot
drift when a draft changes.

Texts are ``{language: text}`` dicts holding the languages the register
publishes (``Text``); choices are codes (labels are translated when rendered);
every listed part keeps its database id so two snapshots can be compared item
by item. The listed parts come from ``parts.PARTS``; ``notice.json`` is this
shape read in one language (``presentation.localize``).
"""

from __future__ import annotations

import hashlib
import json
from typing import Any, NotRequired, TypedDict

from controllers.countries import country_code
from controllers.models import ContactPerson, Controller

from . import parts, rules
from .languages import names, texts
from .models import Register, SupervisoryAuthority

# 2: the authority under "supervisory_authority" (1 had "authority"); texts hold
# the register's languages (1 always had Finnish and English).
SNAPSHOT_SCHEMA = 2

Text = dict[str, str]
"""A text in each published language: ``{language code: text}`` ('' when empty)."""


class DpoData(TypedDict):
    name: str
    email: str
    phone: str


class ControllerData(TypedDict):
    name: str
    slug: str
    business_id: str
    street_address: str
    postal_code: str
    city: str
    country: str  # ISO 3166-1 alpha-2 or '' (schema 2 before the code: a Text)
    phone: str
    email: str
    website: str
    logo: str
    brand_color: str
    representative: Text
    dpo: DpoData


class RegisterData(TypedDict):
    id: int
    slug: str
    name: Text
    introduction: Text
    data_origin: str  # "subject" (Art. 13), "other" (Art. 14), "both"; "": not answered
    statutory_requirement: Text
    has_automated_decisions: bool | None  # None: not answered (never published so)
    automated_decisions: Text
    no_recipients: bool | None
    no_transfers: bool | None  # None with transfers_statement: answered in own words
    transfers_statement: Text  # the company's own answer on transfers (absent before)
    cookies_info: Text
    rights_exercise: Text
    joint_controllers: Text  # not shown on the page (yet): the Art. 30 record and JSON
    # Stated once for all purposes (empty: each purpose states its own).
    legal_bases: list[LegalBasisData]
    legitimate_interest: Text
    changes_policy: Text  # how the notice is changed ("changes to this notice")
    first_published_on: str | None  # ISO date of a first publication before this service


class ContactData(TypedDict):
    name: Text  # a name given in the default language only is used in every language
    title: Text
    email: str
    phone: str
    postal_address: str


class AuthorityData(TypedDict):
    name: Text
    street_address: Text
    phone: str
    email: str
    website: str


class LegalBasisData(TypedDict):
    code: str  # "6-1-a" … "9-2-j"
    article: str
    kind: str  # "art6" or "art9"
    name: Text
    description: Text


class SubjectGroupItem(TypedDict):
    id: int
    name: Text
    description: Text


class PurposeItem(TypedDict):
    id: int
    name: Text
    description: Text
    legal_bases: list[LegalBasisData]
    legitimate_interest: Text
    is_direct_marketing: bool


class DataCategoryItem(TypedDict):
    id: int
    name: Text
    description: Text
    is_special: bool
    subject_groups: list[int]  # ids of subject_groups items; empty: every group


class SourceItem(TypedDict):
    id: int
    name: Text
    description: Text
    is_public: bool


class CoverageItem(TypedDict):
    id: int
    name: Text


class SectionLeadItem(TypedDict):
    id: int
    section: str  # a key of parts.SECTIONS or parts.PARTS
    text: Text


class EarlierChangeItem(TypedDict):
    id: int
    date: str  # ISO date, before the notice's first version on this service
    text: Text


class RecipientItem(TypedDict):
    id: int
    name: Text
    description: Text
    is_regular_disclosure: bool


class ProcessorItem(TypedDict):
    id: int  # the processor's id (one processor appears once in a register)
    name: Text  # a name given in the default language only is used in every language
    service: Text
    country: str  # ISO 3166-1 alpha-2, '' when not known
    website: str
    processes: Text


class TransferItem(TypedDict):
    id: int
    country: str
    recipient: Text
    safeguard: str  # Transfer.Safeguard code
    copy_info: Text
    processor: Text | str  # the processor's name, or ''


class RetentionItem(TypedDict):
    id: int
    data_category: int | None  # a data_categories id; None: the whole register
    period: int | None
    period_unit: str  # RetentionRule.Unit code or ''
    starting_event: Text
    criteria: Text
    data_category_name: Text | None


class SecurityItem(TypedDict):
    id: int
    kind: str  # SecurityMeasure.Kind code
    description: Text


class CookieItem(TypedDict):
    id: int
    name: str
    provider: str
    category: str  # Cookie.Category code
    purpose: Text
    duration: Text
    consent_required: bool | None  # None: the company does not say
    provider_country: str  # ISO 3166-1 alpha-2, or '' (not stated)


class RightItem(TypedDict):
    code: str  # Right.Code
    article: str
    name: Text
    text: Text  # the register's own wording, or the catalogue's default
    own_wording: bool


class Snapshot(TypedDict):
    """Everything a version of a notice says (the keys of ``parts.PARTS`` included)."""

    schema: int
    languages: list[str]
    controller: ControllerData
    register: RegisterData
    contact_person: ContactData | None
    supervisory_authority: AuthorityData | None
    coverage: list[CoverageItem]
    subject_groups: list[SubjectGroupItem]
    purposes: list[PurposeItem]
    data_categories: list[DataCategoryItem]
    sources: list[SourceItem]
    recipients: list[RecipientItem]
    processors: list[ProcessorItem]
    transfers: list[TransferItem]
    retention: list[RetentionItem]
    security: list[SecurityItem]
    cookies: list[CookieItem]
    rights: list[RightItem]
    section_leads: list[SectionLeadItem]
    earlier_changes: list[EarlierChangeItem]
    # Not stored: added by presentation.localize for templates and notice.json.
    legal_bases: NotRequired[list[LegalBasisData]]


def register_queryset():  # type: ignore[no-untyped-def]
    """A register with every part it shows, in a fixed number of queries."""
    return Register.objects.select_related(
        "controller", "contact_person", "supervisory_authority"
    ).prefetch_related("legal_bases", *(part.prefetch_lookup() for part in parts.PARTS))


def controller_data(controller: Controller, languages: tuple[str, ...]) -> ControllerData:
    return {
        "name": controller.name,
        "slug": controller.slug,
        "business_id": controller.business_id,
        "street_address": controller.street_address,
        "postal_code": controller.postal_code,
        "city": controller.city,
        "country": controller.country.code or "",
        "phone": controller.phone,
        "email": controller.email,
        "website": controller.website,
        "logo": controller.logo.name if controller.logo else "",
        "brand_color": controller.brand_color,
        "representative": texts(controller, "representative", languages),
        "dpo": {
            "name": controller.dpo_name,
            "email": controller.dpo_email,
            "phone": controller.dpo_phone,
        },
    }


def register_data(register: Register, languages: tuple[str, ...]) -> RegisterData:
    def text(name: str) -> Text:
        return texts(register, name, languages)

    return {
        "id": register.pk,
        "slug": register.slug,
        "name": text("name"),
        "introduction": text("introduction"),
        "data_origin": register.data_origin,
        "statutory_requirement": text("statutory_requirement"),
        "has_automated_decisions": register.has_automated_decisions,
        "automated_decisions": text("automated_decisions"),
        "no_recipients": register.no_recipients,
        "no_transfers": register.no_transfers,
        "transfers_statement": text("transfers_statement"),
        "cookies_info": text("cookies_info"),
        "rights_exercise": text("rights_exercise"),
        "joint_controllers": text("joint_controllers"),
        "legal_bases": [parts.catalogue_entry(b, languages) for b in register.legal_bases.all()],
        "legitimate_interest": text("legitimate_interest"),
        "changes_policy": text("changes_policy"),
        "first_published_on": (
            register.first_published_on.isoformat() if register.first_published_on else None
        ),
    }


def contact_data(contact: ContactPerson | None, languages: tuple[str, ...]) -> ContactData | None:
    if contact is None:
        return None
    return {
        "name": names(contact, "name", languages),
        "title": texts(contact, "title", languages),
        "email": contact.email,
        "phone": contact.phone,
        "postal_address": contact.postal_address,
    }


def authority_data(
    authority: SupervisoryAuthority | None, languages: tuple[str, ...]
) -> AuthorityData | None:
    if authority is None:
        return None
    return {
        "name": texts(authority, "name", languages),
        "street_address": texts(authority, "street_address", languages),
        "phone": authority.phone,
        "email": authority.email,
        "website": authority.website,
    }


def build_snapshot(register: Register) -> Snapshot:
    """Everything the notice of ``register`` says, as JSON-ready data."""
    register = register_queryset().get(pk=register.pk)
    languages = tuple(register.languages)
    context = {
        "rests_on_consent": parts.rests_on_consent(register.purposes.all())
        or any(rules.is_consent(basis.code) for basis in register.legal_bases.all())
    }
    snapshot: dict[str, Any] = {
        "schema": SNAPSHOT_SCHEMA,
        "languages": list(languages),
        "controller": controller_data(register.controller, languages),
        "register": register_data(register, languages),
        "contact_person": contact_data(register.contact_person, languages),
    }
    for part in parts.PARTS:
        rows = getattr(register, part.accessor).all()
        items = (part.item(row, languages, context) for row in rows)
        snapshot[part.key] = [item for item in items if item is not None]
    snapshot["supervisory_authority"] = authority_data(register.supervisory_authority, languages)
    return snapshot  # type: ignore[return-value]


def upgrade(snapshot: dict[str, Any]) -> dict[str, Any]:
    """A stored snapshot of an earlier schema in today's shape (for comparing versions).

    Stored snapshots are never rewritten: a published version is immutable.
    """
    if snapshot.get("schema", 1) < 2 and "authority" in snapshot:
        snapshot = {**snapshot, "supervisory_authority": snapshot["authority"]}
        del snapshot["authority"]
    register = snapshot.get("register")
    if isinstance(register, dict) and "joint_controllers" not in register:
        # Snapshots stored before the register had joint controllers had none.
        empty = dict.fromkeys(snapshot.get("languages", []), "")
        snapshot = {**snapshot, "register": {**register, "joint_controllers": empty}}
    return _upgrade_bases(snapshot)


def _upgrade_bases(snapshot: dict[str, Any]) -> dict[str, Any]:
    """Snapshots stored before register-level legal bases, direct marketing and cookie
    providers' countries: none of them stated."""
    register = snapshot.get("register")
    if isinstance(register, dict) and "legal_bases" not in register:
        empty = dict.fromkeys(snapshot.get("languages", []), "")
        snapshot = {
            **snapshot,
            "register": {**register, "legal_bases": [], "legitimate_interest": empty},
        }
    if any("is_direct_marketing" not in p for p in snapshot.get("purposes", [])):
        snapshot = {
            **snapshot,
            "purposes": [{"is_direct_marketing": False, **p} for p in snapshot["purposes"]],
        }
    if any("provider_country" not in c for c in snapshot.get("cookies", [])):
        snapshot = {
            **snapshot,
            "cookies": [{"provider_country": "", **c} for c in snapshot["cookies"]],
        }
    return _upgrade_texts(snapshot)


def _upgrade_texts(snapshot: dict[str, Any]) -> dict[str, Any]:
    """Snapshots stored before the notice had its own free texts and earlier history had none."""
    empty = dict.fromkeys(snapshot.get("languages", []), "")
    register = snapshot.get("register")
    if isinstance(register, dict) and "changes_policy" not in register:
        register = {**register, "changes_policy": empty, "first_published_on": None}
        snapshot = {**snapshot, "register": register}
    if isinstance(register, dict) and "transfers_statement" not in register:
        # Before the transfers question could be answered in the company's own words.
        snapshot = {**snapshot, "register": {**register, "transfers_statement": empty}}
    contact = snapshot.get("contact_person")
    if isinstance(contact, dict) and "postal_address" not in contact:
        snapshot = {**snapshot, "contact_person": {**contact, "postal_address": ""}}
    missing = [
        key for key in ("coverage", "section_leads", "earlier_changes") if key not in snapshot
    ]
    if missing:
        snapshot = {**snapshot, **{key: [] for key in missing}}
    return _upgrade_names(snapshot)


def _upgrade_names(snapshot: dict[str, Any]) -> dict[str, Any]:
    """Names stored once (before they were translated) as the same name in every language,
    and a country stored as text as its code: what the same draft gives today."""

    def every(name: Any) -> Any:
        if not isinstance(name, str) or not name:
            return name
        return dict.fromkeys(snapshot.get("languages", []), name)

    controller = snapshot.get("controller")
    if isinstance(controller, dict) and isinstance(controller.get("country"), dict):
        written = next((text for text in controller["country"].values() if text), "")
        controller = {**controller, "country": country_code(written)}
        snapshot = {**snapshot, "controller": controller}
    contact = snapshot.get("contact_person")
    if isinstance(contact, dict) and isinstance(contact.get("name"), str):
        snapshot = {**snapshot, "contact_person": {**contact, "name": every(contact["name"])}}
    if any(isinstance(p.get("name"), str) for p in snapshot.get("processors", [])):
        processors = [{**p, "name": every(p["name"])} for p in snapshot["processors"]]
        snapshot = {**snapshot, "processors": processors}
    if any(
        isinstance(t.get("processor"), str) and t["processor"]
        for t in snapshot.get("transfers", [])
    ):
        transfers = [{**t, "processor": every(t["processor"])} for t in snapshot["transfers"]]
        snapshot = {**snapshot, "transfers": transfers}
    return snapshot


def canonical_json(data: Any) -> bytes:
    """The one byte form of ``data`` that hashes the same everywhere."""
    return json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()


def content_hash(snapshot: Snapshot | dict[str, Any]) -> str:
    return hashlib.sha256(canonical_json(snapshot)).hexdigest()
