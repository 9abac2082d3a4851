"""The landing page at / on a phone, in every configured language: no sideways scroll.

A long Swedish word in its heading ("Dataskyddsbeskrivningar") once made the page
476 px wide in a 375 px window.
"""

from __future__ import annotations

import pytest
from django.conf import settings
from playwright.sync_api import Browser

from tests.browser.conftest import axe_check, new_context, screenshot

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.mark.parametrize("language", [code for code, _name in settings.LANGUAGES])
def test_landing_page_fits_a_phone_with_no_axe_violations(
    live_server, browser: Browser, language: str
) -> None:
    context = new_context(browser, viewport={"width": 375, "height": 740}, locale=language)
    try:
        page = context.new_page()
        response = page.goto(live_server.url + "/")
        assert response is not None and response.status == 200
        assert page.locator("html").get_attribute("lang") == language
        assert page.evaluate("document.documentElement.scrollWidth") <= 375
        screenshot(page, f"landing-phone-{language}")
        assert axe_check(page, f"landing-phone-{language}") >= 50
    finally:
        context.close()
