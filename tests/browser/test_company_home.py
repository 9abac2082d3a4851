"""The company home and the landing page in a real browser: axe-core, widths, embed links.

Both pass axe-core (WCAG 2.1 AA) with no horizontal scroll in Finnish, Swedish and
English on a desktop (1,280 px) and a phone (375 px). The embed test follows a link
inside a notice framed by an allowed website: it opens in the whole window.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from django.conf import settings
from playwright.sync_api import Browser, Page, expect

from tests.browser.conftest import Site, axe_check, log_in, new_context, screenshot
from tests.browser.test_embed import website

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

WIDTHS = {"desktop": 1280, "phone": 375}


@pytest.mark.usefixtures("pages_only")
@pytest.mark.parametrize("language", [code for code, _name in settings.LANGUAGES])
def test_company_home_and_landing_pass_axe_at_both_widths(
    site: Site, browser: Browser, language: str
):
    site.publish_two_versions()
    site.register.refresh_from_db()
    site.register.save()  # edited since version 2: every state line shows
    for kind, width in WIDTHS.items():
        context = new_context(browser, viewport={"width": width, "height": 800}, locale=language)
        page = context.new_page()
        try:
            page.goto(site.url + "/")
            assert page.evaluate("document.documentElement.scrollWidth") <= width
            axe_check(page, f"landing-{kind}-{language}")

            log_in(page, site.url, "paula")
            expect(page.locator(".register-card")).to_have_count(1)
            expect(page.locator(".state-edited")).to_be_visible()
            assert page.evaluate("document.documentElement.scrollWidth") <= width
            screenshot(page, f"admin-company-home-{kind}-{language}")
            assert axe_check(page, f"company-home-{kind}-{language}") >= 30
        finally:
            context.close()


@pytest.mark.usefixtures("pages_only")
def test_a_link_inside_an_embed_opens_in_the_whole_window(site: Site, page: Page, tmp_path: Path):
    site.publish_two_versions()
    embed_url = site.url + site.path("en", "embed/")
    with website(tmp_path / "allowed", embed_url) as allowed:
        controller = site.tenant.controller
        controller.embed_origins = allowed
        controller.save()
        page.goto(f"{allowed}/index.html")
        frame = page.frame_locator("#notice")
        link = frame.locator(".history-links a").first
        expect(link).to_have_attribute("target", "_top")
        target = link.get_attribute("href")
        with page.expect_navigation():
            link.click()
        # The whole window shows the page (a frame would refuse it: frame-ancestors).
        assert page.url == site.url + target
        expect(page.locator("h1")).to_be_visible()
        assert page.evaluate("window.top === window")
