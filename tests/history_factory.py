"""A notice with several published versions, for the comparison, feed and in-force tests.

Publishing goes through the real service; the tests that use it replace WeasyPrint
by a blank PDF (``blank_pdfs`` in tests/conftest.py), since they read pages, feeds
and redirects, not PDFs.
"""

from __future__ import annotations

from datetime import UTC, datetime

from django.contrib.auth.models import User

from notices.models import NoticeVersion, Recipient, Register, Source
from tests.conftest import Tenant
from tests.notices_factory import publish

FIRST = datetime(2025, 3, 3, 10, 0, tzinfo=UTC)
SECOND = datetime(2026, 9, 15, 9, 30, tzinfo=UTC)
SUMMARY_2 = {"fi": "Uusi vastaanottaja.", "en": "A new recipient."}


def publish_two(tenant: Tenant, register: Register, user: User) -> list[NoticeVersion]:
    """Version 1, then version 2 with a purpose renamed, a recipient added, a source removed."""
    first = publish(register, user, published_at=FIRST)
    purpose = tenant.purpose
    purpose.name_en = "Acme customer care relationship"
    purpose.name_fi = "Acme asiakkuuden hoito"
    purpose.save()
    Recipient.objects.create(
        register=register,
        name_fi="Perintätoimisto",
        name_sv="Inkassobyrå",
        name_en="Debt collection agency",
    )
    Source.objects.filter(pk=tenant.source.pk).delete()
    second = publish(register, user, summary=dict(SUMMARY_2), published_at=SECOND)
    return [first, second]
