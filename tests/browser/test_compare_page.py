"""The comparison page in a real browser: axe-core finds nothing, a phone needs no
sideways scrolling, and printing keeps the marks and drops the navigation.

Screenshots at 1280 and 375 px go to ``test-artifacts/screenshots/compare-*.png``.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, expect

from notices.models import Purpose, Recipient
from tests.browser.conftest import FIRST, SECOND, Site, axe_check, new_context, screenshot
from tests.browser.test_accessibility import assert_headings_in_order

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

LANGUAGES = ("fi", "sv", "en")
JS_SIDEWAYS = "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"


def publish_changes(site: Site) -> None:
    """Version 2 renames and rewords a purpose and adds a recipient (substantive)."""
    site.publish(published_at=FIRST)
    purpose = Purpose.objects.get(register=site.register)
    purpose.name_fi, purpose.name_sv, purpose.name_en = (
        "Asiakkuuden hoito ja laskutus",
        "Kundvård och fakturering",
        "Customer care and invoicing",
    )
    purpose.description_fi = "Hoidamme asiakassuhdetta ja laskutamme tilatut palvelut."
    purpose.description_sv = "Vi sköter kundrelationen och fakturerar beställda tjänster."
    purpose.description_en = (
        "We look after the customer relationship and invoice the services ordered."
    )
    purpose.save()
    Recipient.objects.create(
        register=site.register,
        name_fi="Perintätoimisto Oy",
        name_sv="Inkassobyrå Ab",
        name_en="Debt Collection Agency Ltd",
        description_en="Receives unpaid invoices: name, address, amount due.",
        description_fi="Saa maksamattomat laskut: nimi, osoite, erääntynyt summa.",
        description_sv="Får obetalda fakturor: namn, adress, förfallet belopp.",
    )
    site.publish(
        summary={
            "fi": "Laskutus lisätty tarkoituksiin; uusi vastaanottaja.",
            "sv": "Fakturering tillagd bland ändamålen; ny mottagare.",
            "en": "Invoicing added to the purposes; a new recipient.",
        },
        published_at=SECOND,
    )


@pytest.mark.usefixtures("pages_only")
def test_comparison_page_is_accessible_fits_a_phone_and_prints(site: Site, browser: Browser):
    publish_changes(site)
    for viewport, suffix in (
        ({"width": 1280, "height": 900}, ""),
        ({"width": 375, "height": 740}, "-phone"),
    ):
        context = new_context(browser, viewport=viewport)
        try:
            page = context.new_page()
            for lang in LANGUAGES:
                response = page.goto(site.url + site.path(lang, "compare/1...2/"))
                assert response is not None and response.status == 200
                expect(page.locator("html")).to_have_attribute("lang", lang)
                assert_headings_in_order(page)
                axe_check(page, f"compare-{lang}{suffix}")
                assert page.evaluate(JS_SIDEWAYS) == 0, (lang, suffix)
                screenshot(page, f"compare-{lang}{suffix}")
        finally:
            context.close()

    context = new_context(browser)
    try:
        page = context.new_page()
        page.goto(site.url + site.path("en", "compare/1...2/"))
        # Not colour alone: the marks are underlined and struck through, and say so.
        assert (
            page.locator("ins").first.evaluate("el => getComputedStyle(el).textDecorationLine")
            == "underline"
        )
        assert "added:" in page.locator("ins").first.text_content()
        page.emulate_media(media="print")
        expect(page.locator(".header-links")).to_be_hidden()
        expect(page.locator("del").first).to_be_visible()
        screenshot(page, "compare-en-print")
    finally:
        context.close()
