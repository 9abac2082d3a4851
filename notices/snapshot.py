"""The content of a notice frozen as plain data: what a published version says.

``build_snapshot(register)`` reads a register's draft (in both languages) into a
JSON-serialisable dict. Publishing stores it with the version; rendering, the
JSON view, the completeness check and the change list all read the snapshot,
never the live models, so a published version cannot drift when a draft changes.

Texts are ``{"fi": ..., "en": ...}`` dicts; choices are codes (labels are
translated when rendered); every listed part keeps its database id so that two
snapshots can be compared item by item.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from django.db.models import Prefetch

from .models import (
    DataCategory,
    Purpose,
    Register,
    RegisterProcessor,
    RegisterRight,
    RetentionRule,
    Transfer,
)

LANGUAGES = ("fi", "en")
SNAPSHOT_SCHEMA = 1


def texts(obj: Any, field: str) -> dict[str, str]:
    """A translated field's values, language by language, stripped ('' when empty)."""
    return {lang: (getattr(obj, f"{field}_{lang}", None) or "").strip() for lang in LANGUAGES}


def same_texts(value: str) -> dict[str, str]:
    """An untranslated value shown as is in every language."""
    return {lang: (value or "").strip() for lang in LANGUAGES}


def register_queryset():
    """A register with every part it shows, in a fixed number of queries."""
    return Register.objects.select_related(
        "controller", "contact_person", "supervisory_authority"
    ).prefetch_related(
        "subject_groups",
        Prefetch("purposes", queryset=Purpose.objects.prefetch_related("legal_bases")),
        Prefetch(
            "data_categories", queryset=DataCategory.objects.prefetch_related("subject_groups")
        ),
        "sources",
        "recipients",
        Prefetch(
            "register_processors", queryset=RegisterProcessor.objects.select_related("processor")
        ),
        Prefetch("transfers", queryset=Transfer.objects.select_related("processor")),
        Prefetch("retention_rules", queryset=RetentionRule.objects.select_related("data_category")),
        "security_measures",
        "cookies",
        Prefetch("rights", queryset=RegisterRight.objects.select_related("right")),
    )


def build_snapshot(register: Register) -> dict[str, Any]:
    """Everything the notice of ``register`` says, as JSON-ready data."""
    register = register_queryset().get(pk=register.pk)
    controller = register.controller
    # The right to withdraw consent is shown wherever a purpose rests on consent.
    rests_on_consent = any(
        basis.is_consent
        for purpose in register.purposes.all()
        for basis in purpose.legal_bases.all()
    )
    contact = register.contact_person
    authority = register.supervisory_authority
    return {
        "schema": SNAPSHOT_SCHEMA,
        "languages": register.languages,
        "controller": {
            "name": controller.name,
            "slug": controller.slug,
            "business_id": controller.business_id,
            "street_address": controller.street_address,
            "postal_code": controller.postal_code,
            "city": controller.city,
            "country": texts(controller, "country"),
            "phone": controller.phone,
            "email": controller.email,
            "website": controller.website,
            "logo": controller.logo.name if controller.logo else "",
            "brand_color": controller.brand_color,
            "representative": texts(controller, "representative"),
            "dpo": {
                "name": controller.dpo_name,
                "email": controller.dpo_email,
                "phone": controller.dpo_phone,
            },
        },
        "register": {
            "id": register.pk,
            "slug": register.slug,
            "name": texts(register, "name"),
            "introduction": texts(register, "introduction"),
            "data_origin": register.data_origin,
            "statutory_requirement": texts(register, "statutory_requirement"),
            "has_automated_decisions": register.has_automated_decisions,
            "automated_decisions": texts(register, "automated_decisions"),
            "no_recipients": register.no_recipients,
            "no_transfers": register.no_transfers,
            "cookies_info": texts(register, "cookies_info"),
            "rights_exercise": texts(register, "rights_exercise"),
        },
        "contact_person": (
            {
                "name": contact.name,
                "title": texts(contact, "title"),
                "email": contact.email,
                "phone": contact.phone,
            }
            if contact
            else None
        ),
        "subject_groups": [
            {"id": g.pk, "name": texts(g, "name"), "description": texts(g, "description")}
            for g in register.subject_groups.all()
        ],
        "purposes": [
            {
                "id": p.pk,
                "name": texts(p, "name"),
                "description": texts(p, "description"),
                "legal_bases": [
                    {
                        "code": b.code,
                        "article": b.article,
                        "kind": b.kind,
                        "name": texts(b, "name"),
                        "description": texts(b, "description"),
                    }
                    for b in p.legal_bases.all()
                ],
                "legitimate_interest": texts(p, "legitimate_interest"),
            }
            for p in register.purposes.all()
        ],
        "data_categories": [
            {
                "id": c.pk,
                "name": texts(c, "name"),
                "description": texts(c, "description"),
                "is_special": c.is_special,
                "subject_groups": [g.pk for g in c.subject_groups.all()],
            }
            for c in register.data_categories.all()
        ],
        "sources": [
            {
                "id": s.pk,
                "name": texts(s, "name"),
                "description": texts(s, "description"),
                "is_public": s.is_public,
            }
            for s in register.sources.all()
        ],
        "recipients": [
            {
                "id": r.pk,
                "name": texts(r, "name"),
                "description": texts(r, "description"),
                "is_regular_disclosure": r.is_regular_disclosure,
            }
            for r in register.recipients.all()
        ],
        "processors": [
            {
                "id": rp.processor_id,
                "name": rp.processor.name,
                "service": texts(rp.processor, "service"),
                "country": rp.processor.country.code,
                "website": rp.processor.website,
                "processes": texts(rp, "processes"),
            }
            for rp in register.register_processors.all()
        ],
        "transfers": [
            {
                "id": t.pk,
                "country": t.country.code,
                "processor": t.processor.name if t.processor else "",
                "recipient": texts(t, "recipient"),
                "safeguard": t.safeguard,
                "copy_info": texts(t, "copy_info"),
            }
            for t in register.transfers.all()
        ],
        "retention": [
            {
                "id": r.pk,
                "data_category": r.data_category_id,
                "data_category_name": texts(r.data_category, "name") if r.data_category else None,
                "period": r.period,
                "period_unit": r.period_unit,
                "starting_event": texts(r, "starting_event"),
                "criteria": texts(r, "criteria"),
            }
            for r in register.retention_rules.all()
        ],
        "security": [
            {"id": m.pk, "kind": m.kind, "description": texts(m, "description")}
            for m in register.security_measures.all()
        ],
        "cookies": [
            {
                "id": c.pk,
                "name": c.name,
                "provider": c.provider,
                "category": c.category,
                "purpose": texts(c, "purpose"),
                "duration": texts(c, "duration"),
                "consent_required": c.consent_required,
            }
            for c in register.cookies.all()
        ],
        "rights": [
            {
                "code": rr.right.code,
                "article": rr.right.article,
                "name": texts(rr.right, "name"),
                "text": {
                    lang: (getattr(rr, f"text_{lang}", None) or "").strip()
                    or (getattr(rr.right, f"default_text_{lang}", None) or "").strip()
                    for lang in LANGUAGES
                },
                "own_wording": any(texts(rr, "text").values()),
            }
            for rr in register.rights.all()
            if rr.included or (rr.right.code == "withdraw_consent" and rests_on_consent)
        ],
        "authority": {
            "name": texts(authority, "name"),
            "street_address": texts(authority, "street_address"),
            "phone": authority.phone,
            "email": authority.email,
            "website": authority.website,
        },
    }


def canonical_json(data: Any) -> bytes:
    """The one byte form of ``data`` that hashes the same everywhere."""
    return json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()


def content_hash(snapshot: dict[str, Any]) -> str:
    return hashlib.sha256(canonical_json(snapshot)).hexdigest()
