"""A register published in a language the project does not ship (run by test_languages.py).

Collected only when named on the command line, under tests.extra_language.settings
with --nomigrations: the tables are built from the models, so every translated field
has its column for the extra language.
"""

from __future__ import annotations

import json

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone
from modeltranslation.translator import translator

from notices.completeness import check_completeness
from notices.models import LegalBasis, Right, SupervisoryAuthority
from notices.snapshot import build_snapshot
from tests.conftest import Tenant
from tests.notices_factory import complete_notice, make_publisher, pdf_text, publish

EXTRA = settings.LANGUAGES[-1][0]


def _translate(obj, language: str) -> None:  # type: ignore[no-untyped-def]
    """Give every translated text of ``obj`` a value in ``language`` (marked as such)."""
    for field in translator.get_options_for_model(type(obj)).all_fields:
        source = getattr(obj, f"{field}_{settings.LANGUAGE_CODE}")
        if source:
            setattr(obj, f"{field}_{language}", f"{source} [{language}]")
    obj.save()


@pytest.mark.django_db
def test_a_register_publishes_in_a_fourth_configured_language(acme: Tenant, media) -> None:
    assert EXTRA not in ("fi", "sv", "en")
    register = complete_notice(acme)
    for catalogue in (LegalBasis, Right, SupervisoryAuthority):
        for row in catalogue.objects.all():
            _translate(row, EXTRA)
    register.languages = [settings.LANGUAGE_CODE, EXTRA]
    register.full_clean()
    register.save()

    # Until the company's own texts exist in the new language, the check refuses.
    missing = [p for p in check_completeness(build_snapshot(register)) if p.language == EXTRA]
    assert missing, "the completeness check did not ask for the extra language"

    for obj in (acme.controller, acme.contact, register, acme.processor):
        _translate(obj, EXTRA)
    for manager in ("subject_groups", "purposes", "data_categories", "sources", "recipients"):
        for obj in getattr(register, manager).all():
            _translate(obj, EXTRA)
    for manager in ("register_processors", "transfers", "retention_rules"):
        for obj in getattr(register, manager).all():
            _translate(obj, EXTRA)
    for manager in ("security_measures", "cookies", "rights"):
        for obj in getattr(register, manager).all():
            _translate(obj, EXTRA)
    for manager in ("coverage", "section_leads", "earlier_changes"):
        for obj in getattr(register, manager).all():
            _translate(obj, EXTRA)

    published_at = timezone.datetime(2026, 3, 5, 12, 0, tzinfo=timezone.get_current_timezone())
    version = publish(
        register,
        make_publisher(acme.controller),
        summary={settings.LANGUAGE_CODE: "Julkaisu.", EXTRA: "Veröffentlichung."},
        published_at=published_at,
    )
    assert sorted(version.renderings.values_list("language", flat=True)) == sorted(
        [settings.LANGUAGE_CODE, EXTRA]
    )

    client = Client()
    base = f"/{EXTRA}/{acme.controller.slug}/{register.slug}/"
    page = client.get(base)
    assert page.status_code == 200
    html = page.content.decode()
    assert f'<html lang="{EXTRA}"' in html
    assert f"{register.name_fi} [{EXTRA}]" in html
    assert "5. März 2026" in html  # the language's own date format (Django's)
    assert page["Content-Language"] == EXTRA

    document = json.loads(client.get(f"{base}notice.json").content)
    assert document["language"] == EXTRA
    assert document["register"]["name"] == f"{register.name_fi} [{EXTRA}]"

    pdf = b"".join(client.get(f"{base}pdf/").streaming_content)
    assert f"[{EXTRA}]" in pdf_text(pdf)

    assert client.get(f"{base}versions/").status_code == 200
    index = client.get(f"/{EXTRA}/{acme.controller.slug}/").content.decode()
    assert f"{register.name_fi} [{EXTRA}]" in index
    # The default language's page offers the extra one in the language switch.
    default_page = client.get(f"/{settings.LANGUAGE_CODE}/{acme.controller.slug}/{register.slug}/")
    assert f'hreflang="{EXTRA}"' in default_page.content.decode()
    # A language the register does not publish has no page.
    assert client.get(f"/sv/{acme.controller.slug}/{register.slug}/").status_code == 404
