"""The guided editor in a real browser: a new register, step by step, to a published notice.

A publisher of a company with a contact person (and nothing else of the new
register) creates a register in Finnish and English through the steps, sees a
missing translation marked in place, follows a completeness link to the exact
field, publishes, and reads the notice in both languages. Every step is checked by
axe-core and for sideways scrolling at 1,280 and 375 px, and photographed.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect

from notices import steps
from notices.models import NoticeVersion, Register
from tests.browser.conftest import Site, axe_check, log_in, new_context, screenshot

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

NAME = {"fi": "Uutiskirjeen tilaajat", "en": "Newsletter subscribers"}
PURPOSE = {"fi": "Uutiskirjeen lähettäminen", "en": "Sending the newsletter"}
CATEGORY = {"fi": "Sähköpostiosoite", "en": "Email address"}
STATUTORY = {"fi": "Tietojen antaminen on vapaaehtoista.", "en": "Giving the data is voluntary."}
RIGHTS = {
    "fi": "Kirjoita osoitteeseen tietosuoja@acme.example.",
    "en": "Write to tietosuoja@acme.example.",
}
SIDEWAYS = "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
HEIGHT = "() => document.documentElement.scrollHeight"


def save_and_continue(page: Page) -> None:
    page.click("input[name=_next]")
    expect(page.locator(".messagelist .success")).to_be_visible()


def fill_texts(page: Page, prefix: str, texts: dict[str, str]) -> None:
    for lang, text in texts.items():
        page.fill(f"#id_{prefix}_{lang}", text)


def check_step(page: Page, name: str) -> int:
    """No axe violation, nothing wider than the window, a screenshot; returns its height."""
    # A click starts a navigation without waiting for it: measure the new document.
    page.wait_for_load_state()
    assert page.evaluate(SIDEWAYS) <= 0, f"{name} scrolls sideways"
    axe_check(page, name)
    screenshot(page, name)
    return page.evaluate(HEIGHT)


def answer(page: Page, field: str, value: str) -> None:
    """Choose the answer to one of the register's questions (they start unanswered)."""
    page.locator(f"#id_{field} input[value='{value}']").check()


def test_publisher_creates_a_register_step_by_step_and_publishes_it(
    site: Site, context: BrowserContext, browser: Browser, pages_only
) -> None:
    page = context.new_page()
    log_in(page, site.url, "paula")
    page.goto(f"{site.url}/admin/notices/register/")
    page.get_by_role("link", name="Add a register step by step").click()
    expect(page).to_have_url(re.compile(r"/register/new/$"))

    # 1. Register: a new register, its name in Finnish and English, both published.
    check_step(page, "steps-new-register-en")
    fill_texts(page, "name", NAME)
    page.fill("#id_slug", "newsletter")
    page.check("#id_languages input[value=en]")
    save_and_continue(page)
    register = Register.objects.get(controller=site.tenant.controller, slug="newsletter")
    assert register.languages == ["fi", "en"]
    # A new register gets the rights every notice states, as on the one-page form.
    assert register.rights.exists()
    expect(page).to_have_url(re.compile(r"/step/contact_person/$"))

    # 2. Contact person.
    page.select_option("#id_contact_person", value=str(site.tenant.contact.pk))
    save_and_continue(page)

    # 3. Purposes: first in Finnish only: the English is marked missing in place.
    page.fill("#id_purposes-0-name_fi", PURPOSE["fi"])
    # The purpose's own basis (the register-wide ones are on this step too).
    purpose_bases = page.locator("#id_purposes-0-legal_bases")
    purpose_bases.get_by_label(re.compile("GDPR Art. 6\\(1\\)\\(a\\)|consent", re.I)).first.check()
    page.click("input[name=_save]")
    expect(page.locator(".messagelist .success")).to_be_visible()
    item = page.locator(".step-item").first
    missing = item.locator(".step-cell.is-missing")
    expect(missing).to_have_count(1)
    expect(missing.locator(".step-missing")).to_have_text(re.compile("Missing in English"))
    expect(page.locator(".steps-nav li.is-current .step-status")).to_have_text(
        re.compile("Missing in English")
    )
    page.fill(f"#{missing.locator('input').get_attribute('id')}", PURPOSE["en"])
    save_and_continue(page)

    # 4. Personal data: where it comes from (unanswered until chosen), a category and
    # whether giving the data is required.
    page.check("input[name='data_origin'][value='subject']")
    fill_texts(page, "statutory_requirement", STATUTORY)
    fill_texts(page, "data_categories-0-name", CATEGORY)
    save_and_continue(page)
    # 5. Sources: none (the data comes from the people themselves).
    save_and_continue(page)
    # 6. Recipients: none.
    answer(page, "no_recipients", "True")  # no recipients
    save_and_continue(page)
    # 7. Processors: none.
    save_and_continue(page)
    # 8. Transfers: none.
    answer(page, "no_transfers", "True")  # no transfers
    save_and_continue(page)
    # 9. Retention: a rule for the whole register.
    page.fill("#id_retention_rules-0-period", "2")
    page.select_option("#id_retention_rules-0-period_unit", value="years")
    save_and_continue(page)

    # 12. Automated decisions: none (the question starts unanswered).
    page.goto(f"{site.url}{steps.step_url(register.pk, 'automated')}")
    answer(page, "has_automated_decisions", "False")
    page.click("input[name=_save]")
    expect(page.locator(".messagelist .success")).to_be_visible()

    # The publish page lists what is left, each linked to its field and language.
    page.goto(f"{site.url}/admin/notices/register/{register.pk}/publish/")
    link = page.locator(".publish-problems a[href*='#f-register-rights_exercise-fi']")
    expect(link).to_have_count(1)
    link.click()
    expect(page).to_have_url(re.compile(r"/step/rights/#f-register-rights_exercise-fi$"))
    expect(page.locator("#id_rights_exercise_fi")).to_be_focused()
    fill_texts(page, "rights_exercise", RIGHTS)
    save_and_continue(page)
    # The register was made before its purpose on consent: the rights that consent
    # brings (withdrawal, portability) are listed but left out, and each link opens
    # the box that includes it.
    links = page.locator(".publish-problems a[href*='-included']")
    page.goto(f"{site.url}/admin/notices/register/{register.pk}/publish/")
    expect(links).not_to_have_count(0)
    for _right in range(3):
        page.goto(f"{site.url}/admin/notices/register/{register.pk}/publish/")
        if not links.count():
            break
        links.first.click()
        expect(page.locator("input[name$='-included']:focus")).to_have_count(1)
        page.locator("input[name$='-included']:focus").check()
        page.click("input[name=_save]")
        expect(page.locator(".messagelist .success")).to_be_visible()

    # Every step is done; each is photographed and checked at 1,280 px.
    heights = {}
    for step in steps.STEPS:
        page.goto(f"{site.url}{steps.step_url(register.pk, step.key)}")
        status = page.locator(".steps-nav li.is-current .step-status")
        assert status.inner_text().strip() == "Done", (step.key, status.inner_text())
        heights[step.key] = check_step(page, f"steps-{step.key}-1280-en")
    # No step is longer than about three screens of the window.
    assert max(heights.values()) <= 3 * 900, heights

    # Published in both languages.
    page.goto(f"{site.url}/admin/notices/register/{register.pk}/publish/")
    expect(page.locator(".publish-problems")).to_have_count(0)
    page.fill("#id_summary_fi", "Ensimmäinen versio.")
    page.fill("#id_summary_en", "First version.")
    page.click("input[type=submit].default")
    expect(page.locator(".messagelist .success")).to_be_visible()
    assert NoticeVersion.objects.filter(register=register).count() == 1
    for lang in ("fi", "en"):
        page.goto(f"{site.url}/{lang}/acme/newsletter/")
        expect(page.locator("h1")).to_contain_text(NAME[lang])
        expect(page.locator("#purposes")).to_contain_text(PURPOSE[lang])

    # On a phone: every step fits the width and passes axe.
    phone = new_context(browser, viewport={"width": 375, "height": 800}, locale="fi-FI")
    small = phone.new_page()
    log_in(small, site.url, "paula")
    for step in steps.STEPS:
        small.goto(f"{site.url}{steps.step_url(register.pk, step.key)}")
        check_step(small, f"steps-{step.key}-375-fi")
    phone.close()


def test_no_step_of_the_demos_largest_notice_is_longer_than_three_screens(
    live_server, browser: Browser
) -> None:
    """The demo's largest register, every step at 1,280 px in Swedish and 375 px in English.

    No step is longer than three windows, none scrolls sideways, axe finds nothing;
    the tallest step is printed for the closing note.
    """
    from io import StringIO

    from django.core.management import call_command

    from notices.parts import PARTS

    call_command("load_demo", force=True, publish=False, stdout=StringIO())
    registers = Register.objects.select_related("controller")

    def size(register: Register) -> int:
        return sum(getattr(register, part.accessor).count() for part in PARTS)

    largest = max(registers, key=size)
    publisher = f"publisher-{largest.controller.slug}"
    password = f"demo-{largest.controller.slug}-2026"
    tallest: dict[int, tuple[int, str]] = {}
    for width, height, locale in ((1280, 900, "sv-SE"), (375, 800, "en-GB")):
        context = new_context(browser, viewport={"width": width, "height": height}, locale=locale)
        page = context.new_page()
        page.goto(f"{live_server.url}/admin/login/")
        page.fill("#id_username", publisher)
        page.fill("#id_password", password)
        page.click("input[type=submit]")
        page.wait_for_selector("#user-tools")
        for step in steps.STEPS:
            page.goto(f"{live_server.url}{steps.step_url(largest.pk, step.key)}")
            if width == 375:  # before the checks: a failing step is seen too
                screenshot(page, f"steps-demo-{step.key}-375")
            assert page.evaluate(SIDEWAYS) <= 0, f"{step.key} at {width} px scrolls sideways"
            measured = page.evaluate(HEIGHT)
            tallest[width] = max(tallest.get(width, (0, "")), (measured, step.key))
            assert measured <= 3 * height, f"{step.key} at {width} px: {measured} px"
            axe_check(page, f"steps-demo-{step.key}-{width}-{locale[:2]}")
        context.close()
    print(f"tallest step of {largest.slug} ({largest.controller.slug}): {tallest}")
