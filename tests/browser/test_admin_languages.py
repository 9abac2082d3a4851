"""No English left on any admin page in Finnish or Swedish, walked in a real browser.

A publisher and a superuser walk every page the admin offers them: each admin's list,
add and change pages, the company home, the company's people, the record of
processing activities, a register's preview, publish, duplicate and offline pages,
and the onboarding form. On each, the visible text (and the labels a screen reader
reads: aria-label, title, alt, placeholder, button values) is compared with the
message catalogue: a text that equals an English message whose translation differs
is English left over. Text inside an element marked with another language
(``lang="en"``, the language switch's "English") is not the page's language and is
left out.
"""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.urls import reverse
from django.utils.translation import trans_real
from playwright.sync_api import Browser, Page

from tests.browser.conftest import Site, log_in, new_context, screenshot
from tests.conftest import make_user

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

# Every visible text of the page in its own language, and what a screen reader reads.
JS_TEXTS = """() => {
    const page = document.documentElement.lang;
    const texts = [];
    const own = (el) => {
        const marked = el.closest('[lang]');
        return !marked || marked.lang === page;
    };
    const shown = (el) => el.getClientRects().length
        && getComputedStyle(el).visibility !== 'hidden';
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    while (walker.nextNode()) {
        const node = walker.currentNode;
        const parent = node.parentElement;
        const text = node.textContent.trim();
        const skipped = ['SCRIPT', 'STYLE', 'TEXTAREA', 'NOSCRIPT'];
        if (!text || !parent || skipped.includes(parent.tagName)) continue;
        if (!own(parent)) continue;
        if (!shown(parent) && !parent.closest('.visually-hidden, caption, thead')) continue;
        texts.push(text);
    }
    const attributes = ['aria-label', 'title', 'alt', 'placeholder'];
    document.querySelectorAll('*').forEach((el) => {
        if (!own(el)) return;
        attributes.forEach((name) => {
            if (el.getAttribute(name)) texts.push(el.getAttribute(name).trim());
        });
        if (el.matches('input[type=submit], input[type=button]') && el.value) {
            texts.push(el.value.trim());
        }
    });
    texts.push(document.title.trim());
    return texts;
}"""


def english_only(language: str) -> set[str]:
    """English messages whose translation into ``language`` differs (pages' and scripts')."""
    script = trans_real.DjangoTranslation(language, domain="djangojs")
    found, translations = set(), set()
    entries = [*trans_real.translation(language)._catalog.items(), *script._catalog.items()]
    for msgid, msgstr in entries:
        if isinstance(msgid, tuple):
            msgid = msgid[0]
        translations.add(msgstr)
        if msgid and msgstr and msgid != msgstr and len(msgid) > 2 and "%" not in msgid:
            found.add(msgid)
    # A word that is also a translation (Swedish "Filter") is the language's own.
    return found - translations


def leftovers(page: Page, english: set[str]) -> set[str]:
    texts = page.evaluate(JS_TEXTS)
    return {
        text for text in texts for part in [text.rstrip(":.")] if text in english or part in english
    }


def admin_pages(site: Site, user_is_superuser: bool) -> list[str]:
    """Every list, add and change page of the admins, and the project's own pages."""
    register = site.register
    controller = site.tenant.controller
    pages = [
        reverse("admin:index"),
        reverse("admin:controllers_controller_home", args=[controller.pk]),
        reverse("admin:controllers_controller_members", args=[controller.pk]),
        reverse("admin:controllers_controller_art30", args=[controller.pk]),
        reverse("admin:notices_register_publish", args=[register.pk]),
        reverse("admin:notices_register_online", args=[register.pk]),
        reverse("admin:notices_register_duplicate", args=[register.pk]),
        reverse("admin:notices_register_history", args=[register.pk]),
        reverse("admin:password_change"),
    ]
    if user_is_superuser:
        pages.append(reverse("admin:controllers_controller_onboard"))
    for model in admin.site._registry:
        opts = model._meta
        if not user_is_superuser and opts.app_label == "auth":
            continue
        base = f"admin:{opts.app_label}_{opts.model_name}"
        # A page the user may not open answers 403 and is passed over.
        pages += [reverse(f"{base}_changelist"), reverse(f"{base}_add")]
        obj = model._default_manager.order_by("pk").first()
        if obj is not None:
            pages.append(reverse(f"{base}_change", args=[obj.pk]))
    return pages


@pytest.mark.usefixtures("pages_only")
@pytest.mark.parametrize("language", ["fi", "sv"])
def test_no_english_left_on_any_admin_page(site: Site, browser: Browser, language: str):
    site.publish_two_versions()
    make_user("root", superuser=True)
    english = english_only(language)
    found: dict[str, set[str]] = {}
    walked = 0
    for username, superuser in (("paula", False), ("root", True)):
        context = new_context(browser, locale=language)
        page = context.new_page()
        log_in(page, site.url, username)
        for address in admin_pages(site, superuser):
            response = page.goto(site.url + address)
            if response is None or response.status in (403, 404):
                continue
            assert response.status == 200, f"{address}: {response.status}"
            assert page.locator("html").get_attribute("lang") == language, address
            walked += 1
            english_here = leftovers(page, english)
            if english_here:
                found[f"{username} {address}"] = english_here
        if username == "paula":
            page.goto(site.url + reverse("admin:index"))
            screenshot(page, f"admin-company-home-{language}")
        context.close()
    assert walked > 30
    assert found == {}, "\n".join(f"{page}: {sorted(texts)}" for page, texts in found.items())
