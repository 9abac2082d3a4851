"""A visitor reads a notice with the company's own texts and its history before the service."""

from __future__ import annotations

from datetime import date

import pytest
from playwright.sync_api import Page, expect

from notices.models import CoverageItem, EarlierChange, SectionLead
from tests.browser.conftest import SCREENSHOTS, Site, screenshot

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

LEAD = {
    "fi": "Käytämme alihankkijoita taloushallinnossa, markkinoinnissa ja IT:ssä.",
    "sv": "Vi anlitar underleverantörer inom ekonomi, marknadsföring och IT.",
    "en": "We use subcontractors in financial administration, marketing and IT.",
}


def add_texts(site: Site) -> None:
    register = site.register
    SectionLead.objects.create(
        register=register, section="processors", **{f"text_{k}": v for k, v in LEAD.items()}
    )
    # The site's register already covers one part; the page lists exactly these.
    CoverageItem.objects.filter(register=register).delete()
    for order, names in enumerate(
        (
            {"fi": "laskutustiedot", "sv": "faktureringsuppgifter", "en": "billing data"},
            {"fi": "webhotellin käyttäjät", "sv": "webbhotellets användare", "en": "hosting users"},
        )
    ):
        CoverageItem.objects.create(
            register=register, order=order, **{f"name_{k}": v for k, v in names.items()}
        )
    EarlierChange.objects.create(
        register=register,
        date=date(2021, 6, 1),
        text_fi="Lisättiin evästeet.",
        text_sv="Kakor lades till.",
        text_en="Cookies were added.",
    )
    register.first_published_on = date(2018, 5, 25)
    register.changes_policy_fi = "Päivitämme selostetta, kun käsittely muuttuu."
    register.changes_policy_sv = "Vi uppdaterar beskrivningen när behandlingen ändras."
    register.changes_policy_en = "We update this notice when the processing changes."
    register.save()
    contact = site.tenant.contact
    contact.postal_address = "PL 123\n00100 Helsinki"
    contact.save()


def test_the_page_the_pdf_and_the_change_log_show_the_companys_texts(site: Site, page: Page):
    add_texts(site)
    version = site.publish()
    page.goto(site.url + site.path("fi"))
    processors = page.locator("#processors")
    expect(processors.locator(".section-lead")).to_have_text(LEAD["fi"])
    expect(page.locator(".coverage li")).to_have_text(["laskutustiedot", "webhotellin käyttäjät"])
    expect(page.locator(".notice-header .dates")).to_contain_text("25.5.2018")
    expect(page.locator(".postal-address")).to_contain_text("PL 123")
    screenshot(page, "notice-texts-fi")
    processors.scroll_into_view_if_needed()
    screenshot(page, "notice-texts-fi-processors", full_page=False)

    page.goto(site.url + site.path("en", "versions/"))
    earlier = page.locator(".earlier-changes")
    expect(earlier).to_contain_text("Before this service")
    expect(earlier).to_contain_text("1 June 2021")
    expect(earlier).to_contain_text("Cookies were added.")
    expect(earlier).to_contain_text("25 May 2018")
    screenshot(page, "notice-texts-changelog-en")

    with version.renderings.get(language="fi").pdf.open("rb") as stored:
        (SCREENSHOTS / "notice-texts-fi.pdf").write_bytes(stored.read())
