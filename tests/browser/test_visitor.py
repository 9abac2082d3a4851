"""A visitor reads a published notice in a real browser, with and without JavaScript.

The visitor opens the Finnish notice, follows the table of contents, switches to
English and back, downloads the PDF, opens the change log and an earlier version.
Every request a public page makes stays on our own origin, the pages work with
JavaScript off, and on a phone the sections fold and still print in full.
"""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

import pytest
from django.utils import translation
from playwright.sync_api import Browser, Page, Request, expect

from tests.browser.conftest import (
    NAMES,
    NEW_PURPOSES,
    OLD_PURPOSES,
    Site,
    new_context,
    screenshot,
)
from tests.notices_factory import pdf_text

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

OTHER = {"fi": "en", "en": "fi"}


def in_language(lang: str, msgid: str) -> str:
    with translation.override(lang):
        return translation.gettext(msgid)


def in_viewport(page: Page, selector: str) -> bool:
    """Whether the top of the element is on screen (after a jump to it)."""
    return page.evaluate(
        """(selector) => {
            const box = document.querySelector(selector).getBoundingClientRect();
            return box.top >= -1 && box.top < window.innerHeight;
        }""",
        selector,
    )


def test_visitor_reads_switches_language_downloads_pdf_and_reads_history(site: Site, page: Page):
    site.publish_two_versions()
    console_errors: list[str] = []
    page.on(
        "console", lambda message: message.type == "error" and console_errors.append(message.text)
    )

    # The Finnish notice.
    response = page.goto(site.url + site.path("fi"))
    assert response is not None and response.status == 200
    expect(page.locator("html")).to_have_attribute("lang", "fi")
    expect(page.locator("h1")).to_have_text(NAMES["fi"])
    expect(page.locator(".in-brief")).to_contain_text(NEW_PURPOSES["fi"])
    expect(page.locator(".site-header img.logo")).to_be_visible()
    assert page.evaluate("document.querySelector('.site-header img.logo').naturalWidth") > 0

    # The table of contents jumps to its section.
    purposes = in_language("fi", "Purposes and legal bases")
    page.locator(".toc").get_by_role("link", name=purposes).click()
    expect(page).to_have_url(re.compile(r"#purposes$"))
    assert in_viewport(page, "#purposes")
    expect(page.locator("#purposes")).to_contain_text(NEW_PURPOSES["fi"])

    # To English and back: the other language's link says where it goes, in its language.
    english = page.locator('.header-links a[hreflang="en"]')
    expect(english).to_have_attribute("lang", "en")
    english.click()
    expect(page).to_have_url(site.url + site.path("en"))
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("h1")).to_have_text(NAMES["en"])
    finnish = page.locator('.header-links a[hreflang="fi"]')
    expect(finnish).to_have_attribute("lang", "fi")
    finnish.click()
    expect(page).to_have_url(site.url + site.path("fi"))
    expect(page.locator("h1")).to_have_text(NAMES["fi"])

    # The PDF downloads (Alt+click: a link's "save" gesture) under its documented name.
    with page.expect_download() as download_info:
        page.locator(".header-links").get_by_role("link", name="PDF").click(modifiers=["Alt"])
    download = download_info.value
    assert download.failure() is None
    assert download.suggested_filename == "acme-customers-v2-fi.pdf"
    text = pdf_text(Path(download.path()).read_bytes())
    assert NAMES["fi"] in text
    assert NEW_PURPOSES["fi"] in text
    assert "15.9.2026" in text

    # The change log lists both versions, newest first, and links to the earlier one.
    page.locator(".header-links").get_by_role("link", name=in_language("fi", "Change log")).click()
    expect(page).to_have_url(site.url + site.path("fi", "versions/"))
    # The versions published here; the register's history before the service follows.
    entries = page.locator(".history-entry:not(.before-service)")
    expect(entries).to_have_count(2)
    expect(page.locator(".history-entry.before-service")).to_contain_text("1.1.2019")
    expect(entries.nth(0)).to_contain_text("15.9.2026")
    expect(entries.nth(0)).to_contain_text("Tarkoitus nimetty uudelleen.")
    expect(entries.nth(1)).to_contain_text("3.3.2025")
    read_first = in_language("fi", "Read version %(number)s") % {"number": 1}
    page.get_by_role("link", name=read_first).click()
    expect(page).to_have_url(site.url + site.path("fi", "versions/1/"))
    expect(page.locator(".banner.archived")).to_contain_text(
        in_language("fi", "This is an earlier version of the notice.")
    )
    expect(page.locator("#purposes")).to_contain_text(OLD_PURPOSES["fi"])
    expect(page.locator("#purposes")).not_to_contain_text(NEW_PURPOSES["fi"])
    # ...and back to the current version from its banner.
    page.locator(".banner.archived a").click()
    expect(page).to_have_url(site.url + site.path("fi"))

    assert console_errors == []


@pytest.mark.usefixtures("pages_only")
def test_no_request_leaves_the_origin(site: Site, page: Page):
    """Reading a privacy notice is itself private: no fonts, scripts or analytics elsewhere."""
    site.publish_two_versions()
    requests: list[Request] = []
    page.context.on("request", lambda request: requests.append(request))
    console_errors: list[str] = []
    page.on(
        "console", lambda message: message.type == "error" and console_errors.append(message.text)
    )
    addresses = []
    for lang in ("fi", "en"):
        addresses += [
            site.path(lang),
            site.path(lang, "versions/"),
            site.path(lang, "versions/1/"),
            site.path(lang, "embed/"),
            f"/{lang}/acme/",
        ]
    for address in addresses:
        response = page.goto(site.url + address)
        assert response is not None and response.status == 200, address
        page.wait_for_load_state("load")
    # Each page asked for its stylesheets, its script and the logo, all from here.
    urls = [request.url for request in requests]
    assert any("/static/css/notice." in url for url in urls)
    assert any("/static/js/notice." in url for url in urls)
    assert any(url.endswith("/media/logos/acme.png") for url in urls)
    foreign = [url for url in urls if not url.startswith(site.url + "/")]
    assert foreign == []
    assert console_errors == []


@pytest.mark.usefixtures("pages_only")
def test_public_pages_work_without_javascript(site: Site, browser: Browser):
    site.publish_two_versions()
    for viewport in ({"width": 1280, "height": 900}, {"width": 375, "height": 740}):
        context = new_context(browser, java_script_enabled=False, viewport=viewport)
        try:
            page = context.new_page()
            page.goto(site.url + site.path("fi"))
            expect(page.locator("h1")).to_have_text(NAMES["fi"])
            # Without the script every section stays open, on a phone too.
            folds = page.locator("details.fold")
            assert folds.count() >= 15
            assert page.locator("details.fold:not([open])").count() == 0
            expect(page.locator("#rights")).to_contain_text(in_language("fi", "Your rights"))

            page.locator(".toc").get_by_role("link", name=in_language("fi", "Retention")).click()
            expect(page).to_have_url(re.compile(r"#retention$"))
            assert in_viewport(page, "#retention")

            page.locator('.header-links a[hreflang="en"]').click()
            expect(page).to_have_url(site.url + site.path("en"))
            expect(page.locator("h1")).to_have_text(NAMES["en"])
            page.locator(".header-links").get_by_role("link", name="Change log").click()
            expect(page.locator(".history-entry:not(.before-service)")).to_have_count(2)
            page.get_by_role("link", name="Read version 1").click()
            expect(page.locator("#purposes")).to_contain_text(OLD_PURPOSES["en"])
        finally:
            context.close()


@pytest.mark.usefixtures("pages_only")
def test_sections_fold_on_a_phone_and_print_in_full(site: Site, browser: Browser):
    site.publish_two_versions()
    context = new_context(browser, viewport={"width": 375, "height": 740}, is_mobile=True)
    try:
        page = context.new_page()
        page.goto(site.url + site.path("en"))
        expect(page.locator("h1")).to_have_text(NAMES["en"])
        screenshot(page, "public-notice-phone-375")
        # The first layer and the contents stay open; the sections fold.
        expect(page.locator(".in-brief")).to_be_visible()
        expect(page.locator("details.fold[open]")).to_have_count(0)
        expect(page.locator("#purposes .item").first).to_be_hidden()
        # A contents link unfolds its section and jumps to it.
        page.locator(".toc").get_by_role("link", name="Purposes and legal bases").click()
        expect(page.locator("#purposes details.fold")).to_have_attribute("open", "")
        expect(page.locator("#purposes .item").first).to_be_visible()
        assert in_viewport(page, "#purposes")
        # A section's heading folds and unfolds it, by touch or keyboard.
        retention = page.locator("#retention summary")
        retention.click()
        expect(page.locator("#retention details.fold")).to_have_attribute("open", "")
        retention.focus()
        page.keyboard.press("Enter")
        expect(page.locator("#retention details.fold")).not_to_have_attribute("open", "")
        # A phone page deep-linked to a section opens with that section unfolded.
        page.goto(site.url + site.path("en") + "#rights")
        expect(page.locator("#rights details.fold")).to_have_attribute("open", "")
        expect(page.locator("#controller details.fold")).not_to_have_attribute("open", "")

        # Printing shows every section, folded or not.
        page.emulate_media(media="print")
        expect(page.locator("#controller address")).to_be_visible()
        expect(page.locator(".toc")).to_be_hidden()
        page.emulate_media(media="null")
        # NFKC: Chrome's PDF writes "fi" as a ligature.
        printed = unicodedata.normalize("NFKC", pdf_text(page.pdf(format="A4")))
        for lang_text in (
            "Acme firewall",  # security, folded on screen
            NEW_PURPOSES["en"],
            "Send your request to tietosuoja@acme.example.",
            "Purpose renamed.",
        ):
            assert lang_text in printed
        expect(page.locator("#controller details.fold")).not_to_have_attribute("open", "")
    finally:
        context.close()


@pytest.mark.usefixtures("pages_only")
def test_screenshots_of_the_public_page(site: Site, page: Page):
    site.publish_two_versions()
    for lang in ("fi", "en"):
        page.goto(site.url + site.path(lang))
        expect(page.locator("h1")).to_have_text(NAMES[lang])
        screenshot(page, f"public-notice-desktop-1280-{lang}")
    page.goto(site.url + site.path("fi", "versions/"))
    screenshot(page, "public-changelog-desktop-1280-fi")
    page.goto(site.url + site.path("fi", "versions/1/"))
    screenshot(page, "public-earlier-version-desktop-1280-fi", full_page=False)
    page.goto(site.url + "/fi/acme/")
    screenshot(page, "public-controller-index-fi", full_page=False)
    page.goto(site.url + "/en/acme/nothing-here/")
    screenshot(page, "public-404-en", full_page=False)
