"""A new company's admin, from an empty company to a notice published in Finnish and English.

A superuser creates the company and invites its first publisher in one form. The
publisher opens the invitation link, chooses a password, logs in (the admin in
Finnish, as a Finnish company's admin would have it), lands on the company home,
adds a register and goes through every guided step in order, writing what a small
real notice needs in Finnish and English side by side. A contact person is added
from the step through the admin's "+" window, as a newcomer would. One text is
left out on purpose; the publish page lists it and its link opens the exact field.
The notice is published in both languages, read on its public page in each, taken
offline (with the confirmation page) and brought back online.

Along the way the test counts the forms submitted and the fields filled, times
every step's page, measures every step's height and the widest page of the whole
journey, photographs every step at 1,280 px, and writes the figures to
``test-artifacts/screenshots/journey-figures.json`` and ``.md`` (also printed).
Publishing stores a blank PDF (``pages_only``), as the other browser tests do: a
PDF rendered in the live server's thread cannot reach SQLite's in-memory test
database; test_visitor and test_accessibility read real PDFs back.
"""

from __future__ import annotations

import json
import re
import time
from dataclasses import dataclass, field

import pytest
from django.contrib.auth.models import User
from playwright.sync_api import Browser, Page, expect
from pytest_django.live_server_helper import LiveServer

from controllers.models import Controller, Membership
from notices import steps
from notices.models import LegalBasis, NoticeVersion, Register
from tests.browser.conftest import SCREENSHOTS, new_context, screenshot
from tests.conftest import PASSWORD, make_user

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

WIDTH, HEIGHT = 1280, 900
NEW_PASSWORD = "leipomo-salasana-2026"
COMPANY = {
    "name": "Pikkuleipomo Oy",
    "business_id": "7654321-2",
    "slug": "pikkuleipomo",
    "street_address": "Leipurinkatu 3",
    "postal_code": "33100",
    "city": "Tampere",
    "email": "tietosuoja@pikkuleipomo.example",
}
REGISTER_NAME = {"fi": "Leipätilausten asiakasrekisteri", "en": "Bread order customer register"}
INTRODUCTION = {
    "fi": "Tämä seloste kertoo, miten käsittelemme leipätilauksia tekevien asiakkaiden tietoja.",
    "en": "This notice tells how we handle the data of customers who order bread.",
}
CONTACT = {"name": "Liisa Leipuri", "email": "liisa@pikkuleipomo.example"}
PURPOSE = {"fi": "Tilausten toimittaminen", "en": "Delivering orders"}
PURPOSE_TEXT = {
    "fi": "Käsittelemme tietoja, jotta voimme toimittaa tilatut leivät.",
    "en": "We handle the data to deliver the bread ordered.",
}
STATUTORY = {
    "fi": "Tiedot tarvitaan tilauksen toimittamiseen; ilman niitä emme voi toimittaa.",
    "en": "The data is needed to deliver the order; without it we cannot deliver.",
}
CATEGORIES = [
    {"fi": "Nimi ja toimitusosoite", "en": "Name and delivery address"},
    {"fi": "Puhelinnumero", "en": "Phone number"},
]
SECURITY = {
    "fi": "Tiedot ovat salasanalla suojatussa tilausjärjestelmässä.",
    "en": "The data is kept in a password-protected order system.",
}
RIGHTS = {
    "fi": "Lähetä pyyntösi osoitteeseen tietosuoja@pikkuleipomo.example.",
    "en": "Send your request to tietosuoja@pikkuleipomo.example.",
}
SUMMARY = {"fi": "Ensimmäinen versio.", "en": "First version."}

SCROLL_WIDTH = "() => document.documentElement.scrollWidth"
SCROLL_HEIGHT = "() => document.documentElement.scrollHeight"
# The document's own timing: server time (request to first byte) and the whole load.
TIMING = """() => {
  const n = performance.getEntriesByType('navigation')[0];
  return {server_ms: Math.round(n.responseStart - n.requestStart),
          load_ms: Math.round(n.loadEventEnd - n.startTime),
          redirects: n.redirectCount};
}"""


@dataclass
class Figures:
    """What the journey took: forms, fields, page sizes and timings."""

    forms: int = 0
    fields: int = 0
    forms_to_publish: int = 0
    fields_to_publish: int = 0
    widest: tuple[int, str] = (0, "")
    widest_guided: tuple[int, str] = (0, "")
    one_page_widths: list[int] = field(default_factory=list)
    heights: dict[str, int] = field(default_factory=dict)
    timings: dict[str, dict[str, int]] = field(default_factory=dict)
    journey_timings: dict[str, dict[str, int]] = field(default_factory=dict)
    pages: int = 0

    def measure(self, page: Page, name: str) -> int:
        """The page's width, kept if it is the widest so far: no page scrolls sideways.

        The one-page register form's tables of rows scroll inside their own boxes
        (admin-extra.css); its width is also reported on its own.
        """
        page.wait_for_load_state("load")
        width = page.evaluate(SCROLL_WIDTH)
        self.pages += 1
        one_page_form = re.search(r"/admin/notices/register/\d+/change/$", page.url)
        if one_page_form:
            name = f"{name} (the one-page register form)"
            self.one_page_widths.append(width)
        if width > self.widest[0]:
            self.widest = (width, name)
        if not one_page_form:
            self.widest_guided = max(self.widest_guided, (width, name))
        assert width <= page.viewport_size["width"], f"{name} is {width} px wide"
        return width

    def tallest(self) -> tuple[int, str]:
        return max((height, key) for key, height in self.heights.items())


class Person:
    """A browser tab of one person, counting what they fill in and submit."""

    def __init__(self, page: Page, figures: Figures) -> None:
        self.page = page
        self.figures = figures

    def fill(self, selector: str, value: str) -> None:
        self.page.fill(selector, value)
        self.figures.fields += 1

    def texts(self, prefix: str, texts: dict[str, str]) -> None:
        """A translated text: Finnish and English side by side."""
        for lang, text in texts.items():
            self.fill(f"#id_{prefix}_{lang}", text)

    def check(self, selector: str) -> None:
        self.page.check(selector)
        self.figures.fields += 1

    def select(self, selector: str, **option: str) -> None:
        self.page.select_option(selector, **option)
        self.figures.fields += 1

    def submit(self, selector: str, name: str = "") -> dict[str, int]:
        """Submit a form by its button; returns the timing of the page it leads to."""
        with self.page.expect_navigation():
            self.page.click(selector)
        self.page.wait_for_load_state("load")
        self.figures.forms += 1
        timing = self.page.evaluate(TIMING)
        if name:
            self.figures.measure(self.page, name)
        return timing


def save_and_continue(person: Person, key: str) -> None:
    timing = person.submit("input[name=_next]", f"after step {key}")
    person.figures.journey_timings[key] = timing
    if person.page.locator(".errornote").count():
        screenshot(person.page, f"journey-refused-{key}-1280")
    expect(person.page.locator(".messagelist .success")).to_be_visible()


def arrive(person: Person, key: str, number: int) -> None:
    """On step ``key``: its title is current in the sidebar; photographed as it opens."""
    page = person.page
    # The first step of a new register is the address that creates it.
    expect(page).to_have_url(re.compile(rf"/step/{key}/$|/register/new/\?"))
    expect(page.locator(".steps-nav [aria-current=step] .step-number")).to_have_text(f"{number}.")
    person.figures.measure(page, f"step {key}")


def photograph_filled(person: Person, key: str, number: int) -> None:
    screenshot(person.page, f"journey-{number:02d}-{key}-1280")


def test_a_new_company_admin_publishes_a_notice_in_finnish_and_english(
    live_server: LiveServer, browser: Browser, pages_only: None
) -> None:
    figures = Figures()
    url = live_server.url
    make_user("root", superuser=True)
    started = time.monotonic()

    # --- The superuser: a company and its first publisher, in one form -------------
    admin_context = new_context(browser, viewport={"width": WIDTH, "height": HEIGHT})
    root = Person(admin_context.new_page(), figures)
    root.page.goto(f"{url}/admin/login/")
    root.fill("#id_username", "root")
    root.fill("#id_password", PASSWORD)
    root.submit("input[type=submit]", "superuser's index")
    root.page.click(".onboard-link a")
    figures.measure(root.page, "onboarding form")
    for name, value in COMPANY.items():
        root.fill(f"#id_company-{name}", value)
    root.fill("#id_person-username", "paula")
    root.fill("#id_person-email", "paula@pikkuleipomo.example")
    screenshot(root.page, "journey-00-onboarding-1280")
    root.submit(".submit-row input[type=submit]", "onboarding done")
    expect(root.page.locator(".invitation")).to_be_visible()
    invitation = root.page.input_value("#invitation-link")
    controller = Controller.objects.get(slug=COMPANY["slug"])
    paula = User.objects.get(username="paula")
    assert Membership.objects.filter(user=paula, controller=controller, role="publisher").exists()
    assert not paula.is_staff and not paula.has_usable_password()
    assert not controller.registers.exists()
    admin_context.close()

    # --- The publisher: the invitation link, a password, the company home ----------
    context = new_context(browser, viewport={"width": WIDTH, "height": HEIGHT}, locale="fi-FI")
    person = Person(context.new_page(), figures)
    page = person.page
    page.goto(invitation)
    figures.measure(page, "set password")
    person.fill("#id_new_password1", NEW_PASSWORD)
    person.fill("#id_new_password2", NEW_PASSWORD)
    person.submit("input[type=submit]", "password set")
    page.goto(f"{url}/admin/login/")
    person.fill("#id_username", "paula")
    person.fill("#id_password", NEW_PASSWORD)
    person.submit("input[type=submit]", "company home (empty)")
    expect(page.locator("body.company-home")).to_be_visible()
    expect(page.locator(".company h2")).to_have_text(COMPANY["name"])
    screenshot(page, "journey-01-company-home-empty-1280")
    with page.expect_navigation():
        page.locator(".company .addlink").click()

    # 1. Register: its name, address and introduction; published in Finnish and English.
    arrive(person, "register", 1)
    person.texts("name", REGISTER_NAME)
    person.fill("#id_slug", "leipatilaukset")
    person.texts("introduction", INTRODUCTION)
    person.check("#id_languages input[value=en]")
    photograph_filled(person, "register", 1)
    save_and_continue(person, "register")
    register = Register.objects.get(controller=controller, slug="leipatilaukset")
    assert register.languages == ["fi", "en"]

    # 2. Contact person: the company has none yet; "+" opens the admin's window for one.
    arrive(person, "contact_person", 2)
    with page.expect_popup() as opened:
        page.click("#add_id_contact_person")
    popup = Person(opened.value, figures)
    popup.page.wait_for_load_state("load")
    popup.fill("#id_name_fi", CONTACT["name"])
    popup.fill("#id_email", CONTACT["email"])
    with popup.page.expect_event("close"):
        popup.page.click("input[name=_save]")
    figures.forms += 1
    expect(page.locator("#id_contact_person option:checked")).to_have_text(CONTACT["name"])
    photograph_filled(person, "contact_person", 2)
    save_and_continue(person, "contact_person")

    # 3. Purposes and legal bases.
    arrive(person, "purposes", 3)
    person.texts("purposes-0-name", PURPOSE)
    person.texts("purposes-0-description", PURPOSE_TEXT)
    contract = LegalBasis.objects.get(code="6-1-b")
    person.check(f"#id_purposes-0-legal_bases input[value='{contract.pk}']")
    photograph_filled(person, "purposes", 3)
    save_and_continue(person, "purposes")

    # 4. Personal data: two categories (the second in an empty card after saving the first).
    arrive(person, "data_categories", 4)
    # Where the data comes from starts unanswered: from the customers themselves.
    person.check("input[name='data_origin'][value='subject']")
    person.texts("statutory_requirement", STATUTORY)
    person.texts("data_categories-0-name", CATEGORIES[0])
    person.submit("input[name=_save]", "step data_categories saved")
    # The part has a row now: its new card is folded ("Add: …") until opened.
    person.page.click("#part-data_categories-new > summary")
    person.texts("data_categories-1-name", CATEGORIES[1])
    photograph_filled(person, "data_categories", 4)
    save_and_continue(person, "data_categories")

    # 5. Sources: none, the customers give the data themselves (step 4's answer).
    arrive(person, "sources", 5)
    photograph_filled(person, "sources", 5)
    save_and_continue(person, "sources")

    # 6. Recipients: none.
    arrive(person, "recipients", 6)
    person.check("#id_no_recipients input[value=True]")
    photograph_filled(person, "recipients", 6)
    save_and_continue(person, "recipients")

    # 7. Processors: none.
    arrive(person, "processors", 7)
    photograph_filled(person, "processors", 7)
    save_and_continue(person, "processors")

    # 8. Transfers: none.
    arrive(person, "transfers", 8)
    person.check("#id_no_transfers input[value=True]")
    photograph_filled(person, "transfers", 8)
    save_and_continue(person, "transfers")

    # 9. Retention: two years for the whole register.
    arrive(person, "retention", 9)
    person.fill("#id_retention_rules-0-period", "2")
    person.select("#id_retention_rules-0-period_unit", value="years")
    photograph_filled(person, "retention", 9)
    save_and_continue(person, "retention")

    # 10. Security.
    arrive(person, "security", 10)
    person.select("#id_security_measures-0-kind", value="electronic")
    person.texts("security_measures-0-description", SECURITY)
    photograph_filled(person, "security", 10)
    save_and_continue(person, "security")

    # 11. Cookies: none (an order by phone).
    arrive(person, "cookies", 11)
    photograph_filled(person, "cookies", 11)
    save_and_continue(person, "cookies")

    # 12. Automated decisions: none.
    arrive(person, "automated", 12)
    person.check("#id_has_automated_decisions input[value=False]")
    photograph_filled(person, "automated", 12)
    save_and_continue(person, "automated")

    # 13. Rights: the newcomer skips how to use them (the publish check will ask).
    arrive(person, "rights", 13)
    photograph_filled(person, "rights", 13)
    save_and_continue(person, "rights")

    # 14. Changes and history; 15. the record: nothing to add for a first notice.
    arrive(person, "changes", 14)
    photograph_filled(person, "changes", 14)
    save_and_continue(person, "changes")
    arrive(person, "record", 15)
    photograph_filled(person, "record", 15)
    person.submit("input[name=_save]", "step record saved")

    # --- The publish check: each problem's link opens its field ---------------------
    page.click(".step-tools a[href$='/publish/']")
    figures.measure(page, "publish check")
    screenshot(page, "journey-16-publish-check-1280")
    followed = follow_problems(person)
    assert followed, "the publish check listed nothing to follow"
    expect(page.locator(".publish-problems")).to_have_count(0)

    # --- Publish in Finnish and English ----------------------------------------------
    person.texts("summary", SUMMARY)
    screenshot(page, "journey-17-publish-1280")
    person.submit("input[type=submit].default", "published")
    expect(page.locator(".messagelist .success")).to_be_visible()
    version = NoticeVersion.objects.get(register=register)
    assert {r.language for r in version.renderings.all()} == {"fi", "en"}
    figures.forms_to_publish, figures.fields_to_publish = figures.forms, figures.fields
    seconds_to_publish = round(time.monotonic() - started, 1)

    public = f"{url}/{{lang}}/{COMPANY['slug']}/leipatilaukset/"
    for lang in ("fi", "en"):
        page.goto(public.format(lang=lang))
        figures.measure(page, f"public page {lang}")
        expect(page.locator("h1")).to_contain_text(REGISTER_NAME[lang])
        expect(page.locator("main")).to_contain_text(PURPOSE[lang])
        expect(page.locator("main")).to_contain_text(RIGHTS[lang])
        screenshot(page, f"journey-18-public-{lang}-1280")

    # --- Offline (confirmed) and back online, from the company home ------------------
    page.goto(f"{url}/admin/")
    figures.measure(page, "company home (published)")
    screenshot(page, "journey-19-company-home-published-1280")
    toggle_online(person, "offline")
    # Asked afresh: the browser may keep the page it read (its Cache-Control max-age).
    assert page.request.get(public.format(lang="fi")).status == 410
    page.goto(f"{url}/admin/")
    expect(page.locator(".state-offline")).to_be_visible()
    screenshot(page, "journey-21-company-home-offline-1280")
    toggle_online(person, "online")
    assert page.request.get(public.format(lang="en")).status == 200
    register.refresh_from_db()
    assert register.is_online

    # --- Every step once more, as it reads now: height, time, a photograph ----------
    for number, step in enumerate(steps.STEPS, start=1):
        response = page.goto(f"{url}{steps.step_url(register.pk, step.key)}")
        assert response is not None and response.ok
        figures.timings[step.key] = page.evaluate(TIMING)
        figures.measure(page, f"step {step.key}")
        expect(page.locator(".steps-nav li.is-current .step-status")).to_have_text("Valmis")
        figures.heights[step.key] = page.evaluate(SCROLL_HEIGHT)
        screenshot(page, f"journey-{number:02d}-{step.key}-done-1280")
    context.close()

    report(figures, followed, seconds_to_publish)
    tallest, key = figures.tallest()
    assert tallest <= 3 * HEIGHT, f"step {key} is {tallest} px tall"


def follow_problems(person: Person) -> list[dict[str, str]]:
    """Follow the publish page's first problem's link until none is left.

    Each link opens its step with its field focused; the person writes the text in
    both languages (side by side) or adds the right the check asks for, saves, and
    goes back to the publish page.
    """
    page, figures = person.page, person.figures
    followed: list[dict[str, str]] = []
    for _round in range(8):
        links = page.locator(".publish-problems a")
        if links.count() == 0:
            return followed
        problem = page.locator(".publish-problems li").first.inner_text()
        href = links.first.get_attribute("href") or ""
        with page.expect_navigation():
            links.first.click()
        page.wait_for_function("document.activeElement && document.activeElement.id")
        focused = page.evaluate("document.activeElement.id")
        followed.append({"problem": problem, "link": href, "focused": focused})
        figures.measure(page, f"fix {focused}")
        screenshot(page, f"journey-16-fix-{len(followed)}-1280")
        if re.fullmatch(r"id_rights_exercise_(fi|en)", focused):
            assert page.evaluate("document.activeElement.lang") == focused[-2:]
            for lang, text in RIGHTS.items():
                if not page.input_value(f"#id_rights_exercise_{lang}"):
                    person.fill(f"#id_rights_exercise_{lang}", text)
        elif re.fullmatch(r"id_rights-\d+-included", focused):
            # A right the purpose's basis needs, listed but left out: include it.
            expect(page.locator(f"#{focused}")).not_to_be_checked()
            person.check(f"#{focused}")
        else:
            raise AssertionError(f"no fix known for {problem!r}: {href} focuses #{focused}")
        person.submit("input[name=_save]", f"fixed {focused}")
        expect(page.locator(".messagelist .success")).to_be_visible()
        page.click(".step-tools a[href$='/publish/']")
        figures.measure(page, "publish check")
    raise AssertionError(f"problems left after {followed}")


def toggle_online(person: Person, state: str) -> None:
    """The company home's button; its own page asks for confirmation."""
    page = person.page
    page.goto(page.url.split("/admin/")[0] + "/admin/")
    with page.expect_navigation():
        page.locator(".register-card a[href$='/online/']").click()
    person.figures.measure(page, f"confirm {state}")
    screenshot(page, f"journey-20-confirm-{state}-1280")
    person.submit(".online-page input[type=submit]", f"{state} done")
    expect(page.locator(".messagelist .success")).to_be_visible()


def report(figures: Figures, followed: list[str], seconds: float) -> None:
    tallest, key = figures.tallest()
    data = {
        "window": f"{WIDTH}x{HEIGHT}",
        "tallest_step": {"step": key, "px": tallest},
        "widest_page": {"page": figures.widest[1], "px": figures.widest[0]},
        "widest_guided_page": {"page": figures.widest_guided[1], "px": figures.widest_guided[0]},
        "one_page_form_widths_px": figures.one_page_widths,
        "pages_measured": figures.pages,
        "forms_to_publish": figures.forms_to_publish,
        "fields_to_publish": figures.fields_to_publish,
        "forms_in_all": figures.forms,
        "fields_in_all": figures.fields,
        "seconds_to_publish": seconds,
        "publish_check_links_followed": followed,
        "step_heights_px": figures.heights,
        "step_load_ms": figures.timings,
        "save_and_continue_ms": figures.journey_timings,
    }
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    (SCREENSHOTS / "journey-figures.json").write_text(json.dumps(data, indent=1) + "\n")
    lines = [
        "# A new company's journey to a published notice",
        "",
        "Written by tests/browser/test_new_company_journey.py.",
        "",
        f"- Window {WIDTH}×{HEIGHT}; tallest step: {key}, {tallest} px; widest page: "
        f"{figures.widest[1]}, {figures.widest[0]} px; widest page of the guided editor, "
        f"home, onboarding and public pages: {figures.widest_guided[1]}, "
        f"{figures.widest_guided[0]} px ({figures.pages} pages measured)",
        f"- To publish: {figures.forms_to_publish} forms submitted, "
        f"{figures.fields_to_publish} fields filled ({seconds} s in the test browser)",
        f"- With offline and back online: {figures.forms} forms, {figures.fields} fields",
        "",
        "| Step | Height px | Server ms | Load ms | Save and continue ms |",
        "|---|---:|---:|---:|---:|",
    ]
    for step in steps.STEPS:
        timing = figures.timings[step.key]
        saved = figures.journey_timings.get(step.key, {}).get("load_ms", "")
        lines.append(
            f"| {step.key} | {figures.heights[step.key]} | {timing['server_ms']} "
            f"| {timing['load_ms']} | {saved} |"
        )
    text = "\n".join(lines) + "\n"
    (SCREENSHOTS / "journey-figures.md").write_text(text)
    print("\n" + text)
