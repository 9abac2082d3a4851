"""Complete, publishable notices for the publishing and public page tests.

``complete_notice`` fills in what the conftest tenant leaves out so that its notice
passes the completeness check in Finnish and English. ``make_big_notice`` builds a
large complete notice with bulk inserts, for query counting. ``publish`` wraps the
real service; ``pdf_text`` reads a PDF back with pypdf. ``without_weasyprint``
makes the renderer's children answer a fixed PDF, for tests of everything else.
"""

from __future__ import annotations

import io
import re
from datetime import datetime
from pathlib import Path
from typing import Any

from django.contrib.auth.models import User
from django.utils import translation
from pypdf import PdfReader

from controllers.models import ContactPerson, Controller, Membership
from notices import pdf, public_cache, services
from notices.completeness import check_completeness
from notices.models import (
    DataCategory,
    DataSubjectGroup,
    LegalBasis,
    NoticeVersion,
    Processor,
    Purpose,
    Recipient,
    Register,
    RegisterProcessor,
    RetentionRule,
    SecurityMeasure,
    Source,
    SupervisoryAuthority,
)
from notices.snapshot import build_snapshot
from tests.conftest import Tenant, make_controller, make_user

SUMMARY = {
    "fi": "Ensimmäinen julkaisu.",
    "sv": "Första publiceringen.",
    "en": "First publication.",
}


def complete_notice(tenant: Tenant) -> Register:
    """Make the conftest tenant's notice complete in Finnish and English.

    Also removes the unrendered version row conftest creates, so that the first
    real publish is version 1.
    """
    NoticeVersion.objects.filter(register=tenant.register).delete()
    controller = tenant.controller
    controller.country = "FI"
    controller.embed_origins = "https://www.acme.example\nhttps://intra.acme.example"
    controller.save()
    tenant.contact.title_fi = "Tietosuojavastaava"
    tenant.contact.title_en = "Privacy manager"
    tenant.contact.save()
    register = tenant.register
    register.introduction_fi = "Tämä seloste kertoo, miten käsittelemme asiakkaiden tietoja."
    register.introduction_en = "This notice tells how we process our customers' data."
    register.statutory_requirement_fi = "Tiedot ovat tarpeen sopimuksen tekemiseksi."
    register.statutory_requirement_en = "The data is needed to make the contract."
    register.rights_exercise_fi = "Lähetä pyyntö osoitteeseen tietosuoja@acme.example."
    register.rights_exercise_en = "Send your request to tietosuoja@acme.example."
    register.has_automated_decisions = False  # the editor's answer: none
    register.save()
    for obj, fields in (
        (tenant.group, {"name_en": "Acme customers"}),
        (tenant.purpose, {"name_en": "Acme customer relationship"}),
        (tenant.category, {"name_en": "Acme contact details"}),
        (tenant.source, {"name_en": "Acme source"}),
        (tenant.recipient, {"name_en": "Acme recipient"}),
        (tenant.processor, {"service_en": "Customer relationship management"}),
        (tenant.register_processor, {"processes_en": "Contact details"}),
        (tenant.security, {"description_en": "Acme firewall"}),
        (tenant.cookie, {"duration_en": "session"}),
    ):
        for name, value in fields.items():
            setattr(obj, name, value)
        obj.save()
    register.refresh_from_db()
    problems = check_completeness(build_snapshot(register))
    assert problems == [], [str(p) for p in problems]
    return register


SWEDISH = {
    "controller": {"country": "FI"},
    "contact": {"title_sv": "Dataskyddsansvarig"},
    "register": {
        "name_sv": "Acme kundregister",
        "introduction_sv": "Denna beskrivning berättar hur vi behandlar våra kunders uppgifter.",
        "statutory_requirement_sv": "Uppgifterna behövs för att ingå avtalet.",
        "rights_exercise_sv": "Skicka din begäran till tietosuoja@acme.example.",
    },
    "group": {"name_sv": "Acme kunder"},
    "purpose": {"name_sv": "Acme kundrelation"},
    "category": {"name_sv": "Acme kontaktuppgifter"},
    "source": {"name_sv": "Acme källa"},
    "recipient": {"name_sv": "Acme mottagare"},
    "processor": {"service_sv": "Kundrelationshantering"},
    "register_processor": {"processes_sv": "Kontaktuppgifter"},
    "security": {"description_sv": "Acme brandvägg"},
    "cookie": {"duration_sv": "session"},
}


def add_swedish(tenant: Tenant) -> Register:
    """Publish Acme's complete notice in Swedish too (after ``complete_notice``)."""
    for attribute, fields in SWEDISH.items():
        obj = getattr(tenant, attribute)
        for name, value in fields.items():
            setattr(obj, name, value)
        obj.save()
    register = tenant.register
    register.refresh_from_db()
    register.languages = ["fi", "sv", "en"]
    register.save()
    problems = check_completeness(build_snapshot(register))
    assert problems == [], [str(p) for p in problems]
    return register


def make_publisher(controller: Controller, username: str = "paula") -> User:
    user = make_user(username)
    Membership.objects.create(user=user, controller=controller, role="publisher")
    return user


def publish(
    register: Register,
    user: User,
    summary: dict[str, str] | None = None,
    published_at: datetime | None = None,
    acknowledged: tuple[str, ...] = (),
) -> NoticeVersion:
    """Publish through the real service, with English messages for readable failures.

    ``acknowledged``: the keys of the warnings the publisher acknowledges.
    """
    with translation.override("en"):
        return services.notice_publish(
            register=register,
            user=user,
            summary=summary if summary is not None else dict(SUMMARY),
            published_at=published_at,
            acknowledged=acknowledged,
        )


MINIMAL_PDF = b"%PDF-1.7\n%%EOF\n"


def without_weasyprint(monkeypatch: Any, document: bytes = MINIMAL_PDF) -> None:
    """Every PDF rendered from now on is ``document``: WeasyPrint is left out.

    Only the renderer's work is replaced (in the children, which inherit the
    patch): the children still start, answer through their pipes and are reaped,
    so publishing takes every step it takes in production, a second faster.
    """
    monkeypatch.setattr(pdf, "render_pdf_in_process", lambda html, **options: document)


def pdf_text(data: bytes) -> str:
    """The text of a PDF, whitespace collapsed so that line breaks do not matter."""
    assert data.startswith(b"%PDF-"), data[:20]
    reader = PdfReader(io.BytesIO(data))
    text = "\n".join(page.extract_text() for page in reader.pages)
    return re.sub(r"\s+", " ", text)


def files_under(root: Path) -> set[str]:
    """The files stored under ``root``, without the public answers' stamps
    (``notices.public_cache``: the global one and the companies' folder), which
    every write replaces."""
    return {
        str(p.relative_to(root))
        for p in Path(root).rglob("*")
        if p.is_file() and not p.relative_to(root).parts[0].startswith(public_cache.STAMP_NAME)
    }


def make_big_notice(
    *,
    purposes: int = 60,
    categories: int = 80,
    processors: int = 30,
    recipients: int = 20,
    sources: int = 10,
    groups: int = 10,
) -> Register:
    """A large complete notice of its own controller, built with bulk inserts."""
    controller = make_controller("Iso Oy", "iso", "1572860-0")
    controller.country = "FI"
    controller.save()
    contact = ContactPerson.objects.create(
        controller=controller, name="Iso Contact", email="contact@iso.example"
    )
    register = Register.objects.create(
        controller=controller,
        name_fi="Ison asiakasrekisteri",
        name_en="Iso customer register",
        slug="customers",
        languages=["fi", "en"],
        contact_person=contact,
        statutory_requirement_fi="Sopimus.",
        statutory_requirement_en="Contract.",
        rights_exercise_fi="Ota yhteyttä.",
        rights_exercise_en="Contact us.",
        no_transfers=True,
        has_automated_decisions=False,
        data_origin=Register.DataOrigin.BOTH,
        supervisory_authority=SupervisoryAuthority.objects.get(is_default=True),
    )

    def texts(prefix: str, i: int) -> dict[str, Any]:
        return {"name_fi": f"{prefix} {i} fi", "name_en": f"{prefix} {i} en"}

    DataSubjectGroup.objects.bulk_create(
        DataSubjectGroup(register=register, order=i, **texts("Ryhmä", i)) for i in range(groups)
    )
    created = Purpose.objects.bulk_create(
        Purpose(
            register=register,
            order=i,
            description_fi=f"Kuvaus {i}",
            description_en=f"Description {i}",
            **texts("Tarkoitus", i),
        )
        for i in range(purposes)
    )
    bases = list(LegalBasis.objects.filter(code__in=["6-1-b", "6-1-c"]))
    Through = Purpose.legal_bases.through
    Through.objects.bulk_create(
        Through(purpose_id=p.pk, legalbasis_id=b.pk) for p in created for b in bases
    )
    # After the bases, as the admin does: the rights listed follow from them.
    services.register_add_default_rights(register=register)
    DataCategory.objects.bulk_create(
        DataCategory(register=register, order=i, **texts("Tietoryhmä", i))
        for i in range(categories)
    )
    Source.objects.bulk_create(
        Source(register=register, order=i, **texts("Lähde", i)) for i in range(sources)
    )
    Recipient.objects.bulk_create(
        Recipient(register=register, order=i, **texts("Vastaanottaja", i))
        for i in range(recipients)
    )
    made = Processor.objects.bulk_create(
        Processor(
            controller=controller,
            name=f"Käsittelijä {i}",
            service_fi=f"Palvelu {i}",
            service_en=f"Service {i}",
            country="SE" if i % 2 else "DE",
        )
        for i in range(processors)
    )
    RegisterProcessor.objects.bulk_create(
        RegisterProcessor(
            register=register,
            processor=p,
            order=i,
            processes_fi="Yhteystiedot",
            processes_en="Contact details",
        )
        for i, p in enumerate(made)
    )
    RetentionRule.objects.create(register=register, period=5, period_unit="years")
    SecurityMeasure.objects.bulk_create(
        SecurityMeasure(
            register=register,
            kind=kind,
            description_fi=f"Suojaus {kind}",
            description_en=f"Protection {kind}",
        )
        for kind in ("manual", "electronic", "organisational")
    )
    problems = check_completeness(build_snapshot(register))
    assert problems == [], [str(p) for p in problems]
    return register
