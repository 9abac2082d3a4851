"""Every guided step, the company home and the landing page: axe-core and no sideways scroll.

The subject is the demo's largest register (rows in every section: purposes,
categories, sources, recipients, processors, transfers, retention, cookies,
rights, …), edited by its company's publisher. In each configured language, at
1,280 px and at 375 px, axe-core (WCAG 2.1 A and AA) finds no violation and no page
is wider than the window on:

- the landing page, before and after logging in;
- the company home (the admin's front page for a member);
- the form for a new register (the first step) and every step of the register;
- every step again once a save has failed, with an invalid value and its error shown.

One browser profile per language and width, logged in once; every failure of a
language is collected before the test fails, each naming the page, the rule and
the elements.
"""

from __future__ import annotations

import functools
from io import StringIO
from typing import Any

import pytest
from django.conf import settings
from django.core.management import call_command
from django.urls import reverse
from playwright.sync_api import Browser, Page, expect

from notices import steps
from notices.models import Register
from notices.parts import PARTS
from tests.browser.conftest import AXE_TAGS, new_context

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

WIDTHS = (1280, 375)
HEIGHT = {1280: 900, 375: 800}
LANGUAGES = [code for code, _name in settings.LANGUAGES]

# The page's width and, only when it is wider than the window, what reaches beyond.
SIDEWAYS = """() => {
    const scroll = document.documentElement.scrollWidth;
    if (scroll <= window.innerWidth) {
        return {scroll: scroll, window: window.innerWidth, widest: []};
    }
    const widest = Array.from(document.querySelectorAll('body *'))
        .map(el => [el, el.getBoundingClientRect()])
        .filter(([el, box]) => box.right > window.innerWidth + 0.5 && box.width > 0)
        .slice(0, 5)
        .map(([el, box]) => el.tagName.toLowerCase()
            + (el.id ? '#' + el.id : '')
            + (el.className && typeof el.className === 'string'
                ? '.' + el.className.trim().split(/\\s+/).join('.') : '')
            + ' (right ' + Math.round(box.right) + ')');
    return {scroll: scroll, window: window.innerWidth, widest: widest};
}"""

# Makes one field of the step's form invalid without the browser's help (the form is
# novalidate): a text one character longer than its maximum, else a choice the server
# never offered, else a number that is not one. Returns what it changed, or "".
BREAK_A_FIELD = """() => {
    const form = document.getElementById('step-form');
    const usable = (el) => !el.disabled && el.type !== 'hidden'
        && !el.closest('.selector') && !(el.name || '').endsWith('DELETE');
    const pick = (selector) => Array.from(form.querySelectorAll(selector)).filter(usable);
    const text = pick('input[maxlength]:not([type=checkbox]):not([type=radio]), '
        + 'textarea[maxlength]')[0];
    if (text) {
        text.value = 'x'.repeat(+text.getAttribute('maxlength') + 1);
        return text.name;
    }
    const select = pick('select:not([multiple])')[0];
    if (select) {
        const bogus = new Option('bogus', '987654321');
        select.add(bogus);
        select.value = bogus.value;
        return select.name;
    }
    const number = pick('input[type=number]')[0];
    if (number) {
        number.type = 'text';
        number.value = 'not a number';
        return number.name;
    }
    return '';
}"""


def largest_demo_register() -> Register:
    """The demo's register with the most rows in its parts, every section filled."""
    call_command("load_demo", force=True, stdout=StringIO())
    registers = Register.objects.select_related("controller")

    def size(register: Register) -> int:
        return sum(getattr(register, part.accessor).count() for part in PARTS)

    largest = max(registers, key=size)
    empty = [p.key for p in PARTS if not getattr(largest, p.accessor).exists()]
    # Every part that the steps show as a list of rows has some (the realistic size).
    for key in ("purposes", "data_categories", "recipients", "processors", "transfers"):
        assert key not in empty, f"{largest}: no {key}"
    for key in ("cookies", "rights", "retention"):
        assert key not in empty, f"{largest}: no {key}"
    return largest


@functools.cache
def axe() -> Any:
    """axe-core, read from its file once for all the pages."""
    from axe_playwright_python.sync_playwright import Axe

    return Axe()


def axe_violations(page: Page) -> list[str]:
    """axe-core's WCAG 2.1 AA violations on the page, one readable line per rule."""
    results = axe().run(
        page,
        options={"runOnly": {"type": "tag", "values": AXE_TAGS}, "resultTypes": ["violations"]},
    )
    lines = []
    for rule in results.response["violations"]:
        targets = "; ".join(" ".join(map(str, node["target"])) for node in rule["nodes"][:5])
        more = len(rule["nodes"]) - 5
        extra = f" (+{more} more)" if more > 0 else ""
        lines.append(f"axe {rule['id']} ({rule['impact']}): {rule['help']} -> {targets}{extra}")
    return lines


def check(page: Page, name: str, language: str, failures: list[str]) -> None:
    """Record what is wrong with the page now: its language, sideways scroll, axe."""
    where = f"[{name}] {page.url}"
    lang = page.evaluate("document.documentElement.lang")
    if lang != language:
        failures.append(f"{where}: the page is in {lang!r}, not {language!r}")
    width = page.evaluate(SIDEWAYS)
    if width["scroll"] > width["window"]:
        failures.append(
            f"{where}: scrolls sideways, {width['scroll']} px in a {width['window']} px window;"
            f" beyond the edge: {', '.join(width['widest'])}"
        )
    failures.extend(f"{where}: {line}" for line in axe_violations(page))


def log_in_as(page: Page, base_url: str, username: str, password: str) -> None:
    page.goto(f"{base_url}/admin/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("input[type=submit]")
    page.wait_for_selector("#user-tools")


@pytest.mark.usefixtures("pages_only", "media")
@pytest.mark.parametrize("language", LANGUAGES)
def test_every_step_home_and_landing_pass_axe_without_sideways_scroll(
    live_server, browser: Browser, language: str
) -> None:
    register = largest_demo_register()
    slug = register.controller.slug
    base = live_server.url
    failures: list[str] = []
    unbroken: list[str] = []
    for width in WIDTHS:
        context = new_context(
            browser, viewport={"width": width, "height": HEIGHT[width]}, locale=language
        )
        page = context.new_page()
        try:
            page.goto(f"{base}/")
            check(page, f"landing {width}", language, failures)

            log_in_as(page, base, f"publisher-{slug}", f"demo-{slug}-2026")
            page.goto(f"{base}{reverse('admin:index')}")
            expect(page.locator(".register-card").first).to_be_visible()
            check(page, f"company home {width}", language, failures)

            page.goto(f"{base}/")
            check(page, f"landing logged in {width}", language, failures)

            page.goto(f"{base}{reverse('admin:notices_register_new')}")
            expect(page.locator("#step-form")).to_be_visible()
            check(page, f"new register {width}", language, failures)

            for step in steps.STEPS:
                url = f"{base}{steps.step_url(register.pk, step.key)}"
                page.goto(url)
                expect(page.locator(".steps-nav [aria-current=step]")).to_be_visible()
                page.wait_for_load_state("load")
                check(page, f"step {step.key} {width}", language, failures)

                changed = page.evaluate(BREAK_A_FIELD)
                if not changed:
                    unbroken.append(step.key)
                    continue
                page.click("#step-form input[name=_save]")
                page.wait_for_load_state("load")
                if not page.locator(".errornote").is_visible():
                    failures.append(f"[step {step.key} {width}] {changed}: no error shown")
                    continue
                check(
                    page, f"step {step.key} with an error in {changed} {width}", language, failures
                )
        finally:
            context.close()
    # Every step has a field a save can fail on, so each was seen with an error.
    assert not unbroken, f"no field to make invalid on: {sorted(set(unbroken))}"
    assert not failures, f"{len(failures)} problems in {language}:\n" + "\n".join(failures)
