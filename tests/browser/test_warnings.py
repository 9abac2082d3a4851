"""Warnings and legal bases stated once, in a real browser (issue 9 points 3 and 4).

The publisher sees why each warning is shown, follows its link, and publishes only
after ticking every warning; a register that states its bases once reads that way.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from notices.models import LegalBasis, NoticeVersion, Purpose
from tests.browser.conftest import Site, axe_check, log_in, screenshot

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

SUMMARY = {"fi": "Julkaisu.", "sv": "Publicering.", "en": "Publication."}
INTEREST = {
    "fi": "Asiakassuhteen hoitaminen.",
    "sv": "Att sköta kundrelationen.",
    "en": "Looking after the customer relationship.",
}


def test_publisher_acknowledges_each_warning_before_publishing(
    site: Site, page: Page, pages_only: None
):
    register = site.register
    register.transfers.all().delete()
    register.no_transfers = True
    register.save()
    publish_url = f"{site.url}/admin/notices/register/{register.pk}/publish/"
    log_in(page, site.url, "paula")
    page.goto(publish_url)
    warnings = page.locator("fieldset.publish-warnings")
    expect(warnings).to_contain_text("no personal data is transferred outside the EU/EEA")
    expect(warnings.get_by_role("link", name="Fix it")).to_have_attribute(
        "href", f"/admin/notices/processor/{site.tenant.processor.pk}/change/"
    )
    axe_check(page, "admin-publish-warnings-en")
    screenshot(page, "admin-publish-warnings-en")
    for lang, text in SUMMARY.items():
        page.fill(f"#id_summary_{lang}", text)
    page.get_by_role("button", name="Publish").click()
    expect(page.locator(".publish-warnings .errorlist")).to_contain_text("Tick each warning")
    assert not NoticeVersion.objects.exists()

    warnings.get_by_role("checkbox").check()
    page.get_by_role("button", name="Publish").click()
    expect(page.locator(".messagelist .success")).to_contain_text("Version 1")
    (entry,) = NoticeVersion.objects.get().acknowledged_warnings
    assert entry["user"] == "paula"


def test_a_register_stating_its_basis_once_reads_that_way(site: Site, page: Page, pages_only):
    register = site.register
    register.legal_bases.set(LegalBasis.objects.filter(code__in=["6-1-b", "6-1-f"]))
    for lang, text in INTEREST.items():
        setattr(register, f"legitimate_interest_{lang}", text)
    register.save()
    register.rights.filter(right__code="objection").update(included=True)
    Purpose.objects.get(register=register).legal_bases.clear()
    Purpose.objects.create(
        register=register,
        order=2,
        name_fi="Markkinointi",
        name_sv="Marknadsföring",
        name_en="Marketing",
    )
    site.publish()
    page.goto(site.url + site.path("en"))
    purposes = page.locator("#purposes")
    expect(purposes.locator(".register-bases")).to_contain_text("Legal basis of all processing")
    expect(purposes.locator(".register-interest")).to_contain_text(INTEREST["en"])
    expect(purposes.locator(".item .basis")).to_have_count(0)
    purposes.scroll_into_view_if_needed()
    screenshot(page, "notice-bases-once-en")
