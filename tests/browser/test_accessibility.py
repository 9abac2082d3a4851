"""Accessibility of the public pages: axe-core, the keyboard, headings, languages, contrast.

axe-core runs the WCAG 2.0/2.1 A and AA rules (tags wcag2a, wcag2aa, wcag21a,
wcag21aa) on every public page type in both languages, on a desktop and a phone,
and finds nothing. The keyboard walks every link and control in document order
with a visible focus ring; the contrast holds whatever brand colour a company
picks; the PDF a visitor downloads is tagged (PDF/UA-1) with its title and language.
"""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from django.utils import translation
from playwright.sync_api import Browser, BrowserContext, Page, expect
from pypdf import PdfReader

from notices import services
from notices.rendering import contrast_ratio
from tests.browser.conftest import (
    AXE_REPORTS,
    NAMES,
    Site,
    axe_check,
    new_context,
)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

LANGUAGES = ("fi", "sv", "en")


def in_language(lang: str, msgid: str) -> str:
    with translation.override(lang):
        return translation.gettext(msgid)


# A key that names an element: its tag and its link target or text.
JS_KEY = """(el) => el.tagName.toLowerCase() + ':'
    + (el.getAttribute('href') || el.textContent.trim().slice(0, 40))"""
JS_FOCUSABLES = f"""() => {{
    const key = {JS_KEY};
    const selector = 'a[href], button, summary, input, select, textarea, '
        + '[tabindex]:not([tabindex="-1"])';
    return Array.from(document.querySelectorAll(selector))
        .filter(el => el.getClientRects().length
            && getComputedStyle(el).visibility !== 'hidden')
        .map(key);
}}"""
JS_FOCUSED = f"""() => {{
    const key = {JS_KEY};
    const el = document.activeElement;
    const style = getComputedStyle(el);
    const box = el.getBoundingClientRect();
    return {{
        key: key(el),
        outlineStyle: style.outlineStyle,
        outlineWidth: parseFloat(style.outlineWidth),
        outlineColor: style.outlineColor,
        visible: box.width > 0 && box.height > 0
            && box.bottom > 0 && box.top < window.innerHeight,
    }};
}}"""
JS_HEADINGS = """() => Array.from(document.querySelectorAll('h1, h2, h3, h4, h5, h6'))
    .map(heading => +heading.tagName[1])"""
JS_COLOURS = """(selector) => {
    const el = document.querySelector(selector);
    const hex = (rgb) => '#' + rgb.match(/\\d+/g).slice(0, 3)
        .map(n => (+n).toString(16).padStart(2, '0')).join('');
    const clear = (colour) => /rgba\\(0, 0, 0, 0\\)|transparent/.test(colour);
    let node = el;
    let background = 'rgba(0, 0, 0, 0)';
    while (node && clear(background)) {
        background = getComputedStyle(node).backgroundColor;
        node = node.parentElement;
    }
    if (clear(background)) {
        background = 'rgb(255, 255, 255)';
    }
    return [hex(getComputedStyle(el).color), hex(background)];
}"""


def assert_headings_in_order(page: Page) -> None:
    """One h1 first, and no level skipped on the way down."""
    levels = page.evaluate(JS_HEADINGS)
    assert levels and levels[0] == 1 and levels.count(1) == 1, (page.url, levels)
    for before, after in zip(levels, levels[1:], strict=False):
        assert after <= before + 1, (page.url, levels)


LONG_PAGES = ("notice-", "earlier-version-", "embed-")


@pytest.mark.usefixtures("pages_only")
def test_every_public_page_type_has_no_axe_violations(site: Site, browser: Browser):
    site.publish_two_versions()
    pages = {}
    for lang in LANGUAGES:
        pages |= {
            f"notice-{lang}": site.path(lang),
            f"changelog-{lang}": site.path(lang, "versions/"),
            f"earlier-version-{lang}": site.path(lang, "versions/1/"),
            f"controller-index-{lang}": f"/{lang}/acme/",
            f"embed-{lang}": site.path(lang, "embed/"),
            f"not-found-{lang}": f"/{lang}/acme/no-such-register/",
        }
    rules: dict[str, int] = {}
    # On a phone the long pages change layout (folded sections, tables as cards).
    phone = {name: address for name, address in pages.items() if name.startswith(LONG_PAGES)}
    for viewport, suffix, checked in (
        ({"width": 1280, "height": 900}, "", pages),
        ({"width": 375, "height": 740}, "-phone", phone),
    ):
        context = new_context(browser, viewport=viewport)
        try:
            page = context.new_page()
            for name, address in checked.items():
                response = page.goto(site.url + address)
                assert response is not None
                assert response.status == (404 if name.startswith("not-found") else 200), name
                lang = name.rsplit("-", 1)[1]
                expect(page.locator("html")).to_have_attribute("lang", lang)
                assert_headings_in_order(page)
                rules[name + suffix] = axe_check(page, name + suffix)
        finally:
            context.close()

    # A register taken offline answers 410 with a page of its own.
    services.register_set_online(register=site.register, user=site.publisher, online=False)
    context = new_context(browser)
    try:
        page = context.new_page()
        for lang in LANGUAGES:
            response = page.goto(site.url + site.path(lang))
            assert response is not None and response.status == 410
            expect(page.locator("html")).to_have_attribute("lang", lang)
            assert_headings_in_order(page)
            rules[f"gone-{lang}"] = axe_check(page, f"gone-{lang}")
    finally:
        context.close()
    # axe ran its whole WCAG 2.1 A/AA rule set on each page.
    assert min(rules.values()) >= 50, rules
    (AXE_REPORTS / "public-summary.json").write_text(json.dumps(rules, indent=1))


def focused(page: Page) -> dict:
    """The focused element's key and its focus ring, as the browser computes it."""
    return page.evaluate(JS_FOCUSED)


@pytest.mark.usefixtures("pages_only")
def test_keyboard_reaches_everything_in_order_with_visible_focus(site: Site, page: Page):
    site.publish_two_versions()
    for lang in LANGUAGES:
        other = "fi" if lang == "en" else "en"
        page.goto(site.url + site.path(lang))
        # The page and the other language's link say which language they are in.
        expect(page.locator("html")).to_have_attribute("lang", lang)
        switch = page.locator(f'.header-links a[hreflang="{other}"]')
        expect(switch).to_have_attribute("lang", other)
        expect(page.locator(f'link[rel="alternate"][hreflang="{other}"]')).to_have_count(1)

        expected = page.evaluate(JS_FOCUSABLES)
        assert len(expected) > 30
        seen = []
        for _ in range(len(expected)):
            page.keyboard.press("Tab")
            state = focused(page)
            assert state["visible"], state
            assert state["outlineStyle"] != "none" and state["outlineWidth"] >= 2, state
            seen.append(state["key"])
        # Every link and control, in document order: the skip link, the header's links
        # (company, the other languages, PDF, change log), the summary, the contents, the sections.
        assert seen == expected
        others = [f"a:/{code}/acme/customers/" for code in LANGUAGES if code != lang]
        header = 2 + len(others) + 2
        assert seen[:header] == [
            "a:#content",
            f"a:/{lang}/acme/",
            *others,
            f"a:/{lang}/acme/customers/pdf/",
            f"a:/{lang}/acme/customers/versions/",
        ]
        toc = [
            f"a:{href}"
            for href in page.locator(".toc a").evaluate_all(
                "links => links.map(link => link.getAttribute('href'))"
            )
        ]
        start = next(i for i in range(len(seen)) if seen[i : i + len(toc)] == toc)
        first_section = seen.index("summary:" + page.locator("#controller summary").inner_text())
        assert seen.index("a:#rights") < start < first_section

        # The skip link takes the keyboard past the header, into the notice.
        page.goto(site.url + site.path(lang))
        page.keyboard.press("Tab")
        skip = page.locator(".skip-link")
        expect(skip).to_be_focused()
        expect(skip).to_be_in_viewport()
        page.keyboard.press("Enter")
        expect(page.locator("main#content")).to_be_focused()
        page.keyboard.press("Tab")
        assert page.evaluate("document.querySelector('main').contains(document.activeElement)")
        assert focused(page)["key"] == seen[header]


def text_contrast(page: Page, selector: str) -> float:
    """Contrast of an element's text colour with the background behind it."""
    return contrast_ratio(*page.evaluate(JS_COLOURS, selector))


BRANDS = ["#ffff00", "#000000", "#1a5fb4", "#777777", "#ffffff"]


@pytest.mark.usefixtures("pages_only")
def test_contrast_holds_whatever_the_brand_colour(site: Site, context: BrowserContext):
    controller = site.tenant.controller
    # Requests through a route skip the browser's cache: each colour is a new version.
    context.route("**/*", lambda route: route.continue_())
    page = context.new_page()
    for brand in BRANDS:
        controller.brand_color = brand
        controller.save()
        site.publish()
        page.goto(site.url + site.path("en"))
        # The header is the brand colour itself; its text and links are black or white.
        assert page.evaluate(JS_COLOURS, ".site-header")[1] == brand
        # Text on the brand colour, and the brand's accent on white and on the summary.
        for selector in (
            ".controller-name",
            ".header-links a",
            ".in-brief dt",
            ".in-brief a",
            "#controller a",
            ".toc a",
        ):
            assert text_contrast(page, selector) >= 4.5, (brand, selector)
        # The keyboard's focus ring in the header is the header's text colour.
        page.keyboard.press("Tab")
        page.keyboard.press("Tab")
        ring = focused(page)
        assert ring["key"] == "a:/en/acme/" and ring["outlineStyle"] == "solid", ring
        header_text = page.evaluate(
            "() => getComputedStyle(document.querySelector('.site-header')).color"
        )
        assert ring["outlineColor"] == header_text
        axe_check(page, f"brand-{brand.lstrip('#')}")
        # The company's list of notices wears the same colours.
        page.goto(f"{site.url}/en/acme/")
        assert page.evaluate(JS_COLOURS, ".site-header")[1] == brand
        for selector in (".controller-name", ".header-links a", ".notice-list a"):
            assert text_contrast(page, selector) >= 4.5, (brand, selector)


def structure_types(node, found: set[str], depth: int = 0) -> set[str]:  # type: ignore[no-untyped-def]
    """The structure element types (/S) under a node of a PDF's structure tree."""
    node = node.get_object() if hasattr(node, "get_object") else node
    if depth > 80:
        return found
    if isinstance(node, list):
        for child in node:
            structure_types(child, found, depth + 1)
        return found
    if not hasattr(node, "get"):
        return found
    if "/S" in node:
        found.add(str(node["/S"]))
    kids = node.get("/K")
    if kids is not None:
        structure_types(kids, found, depth + 1)
    return found


def test_downloaded_pdf_is_tagged_with_title_and_language(site: Site, page: Page):
    site.publish()
    for lang in LANGUAGES:
        page.goto(site.url + site.path(lang))
        with page.expect_download() as download_info:
            page.locator(".header-links").get_by_role("link", name="PDF").click(modifiers=["Alt"])
        reader = PdfReader(io.BytesIO(Path(download_info.value.path()).read_bytes()))
        catalog = reader.trailer["/Root"]
        # Tagged: a structure tree, marked content, the language of the text.
        assert "/StructTreeRoot" in catalog
        assert catalog["/MarkInfo"]["/Marked"].value is True
        assert str(catalog["/Lang"]) == lang
        # A title, shown instead of the file name, and PDF/UA-1 in the XMP metadata.
        title = in_language(lang, "Privacy notice")
        assert reader.metadata is not None
        assert reader.metadata.title == f"{title}: {NAMES[lang]} – Acme"
        assert catalog["/ViewerPreferences"]["/DisplayDocTitle"].value is True
        xmp = catalog["/Metadata"].get_object().get_data().decode()
        assert 'pdfuaid:part="1"' in xmp
        # The notice's structure: headings, paragraphs, lists and tables are tagged.
        types = structure_types(catalog["/StructTreeRoot"], set())
        assert {"/H1", "/H2", "/H3", "/P", "/L", "/LI", "/Table", "/TH", "/TD"} <= types, types
