"""Company admins in a real browser: an editor edits and previews, a publisher publishes.

Everything goes through the admin's pages as a person uses them: the login form, the
translation tabs (modeltranslation on our vendored jQuery UI), the inline forms, the
select2 autocomplete for processors, the preview tab and the publish page.
"""

from __future__ import annotations

import pytest
from django.conf import settings
from django.utils import timezone, translation
from playwright.sync_api import BrowserContext, Locator, Page, expect

from notices.models import NoticeVersion, Processor, Transfer
from notices.templatetags.notice_tags import notice_date
from tests.browser.conftest import (
    FIRST,
    NAMES,
    Site,
    axe_check,
    log_in,
    screenshot,
)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

PURPOSE = {
    "fi": "Asiakaspalvelu ja tuki",
    "sv": "Kundtjänst och support",
    "en": "Customer service and support",
}
PROCESSOR = "Tukipalvelu Ltd"
SERVICE = {
    "fi": "Asiakastuen tikettijärjestelmä",
    "sv": "Ärendehanteringssystem för kundsupport",
    "en": "Support ticketing system",
}
COPY_INFO = {
    "fi": "Jäljennös vakiolausekkeista: tietosuoja@acme.example.",
    "sv": "En kopia av klausulerna: tietosuoja@acme.example.",
    "en": "A copy of the clauses: tietosuoja@acme.example.",
}


def tab(page: Page, field_id: str, lang: str) -> Locator:
    """The language tab of a translated field (modeltranslation's jQuery UI tabs)."""
    return page.locator(f'li[role="tab"][aria-controls="tab_{field_id}_{lang}"]')


def fill_translated(page: Page, field_id: str, texts: dict[str, str]) -> None:
    """Fill a translated field in each language through its tab; the other tab's field hides."""
    for lang, text in texts.items():
        other = "en" if lang == "fi" else "fi"
        tab(page, field_id, lang).click()
        expect(tab(page, field_id, lang)).to_have_attribute("aria-selected", "true")
        expect(page.locator(f"#{field_id}_{lang}")).to_be_visible()
        expect(page.locator(f"#{field_id}_{other}")).to_be_hidden()
        page.fill(f"#{field_id}_{lang}", text)


def choose_autocomplete(page: Page, select_id: str, text: str) -> None:
    """Pick ``text`` in a select2 autocomplete field, typing as a person would."""
    page.locator(f"#{select_id} + .select2 .select2-selection").click()
    page.locator(".select2-container--open .select2-search__field").fill(text)
    page.locator(".select2-results__option", has_text=text).click()
    expect(page.locator(f"#{select_id}")).not_to_have_value("")


def open_section(page: Page, group: str) -> None:
    """Unfold a collapsed inline group (a <details> in Django's admin)."""
    details = page.locator(f"#{group}-group details").first
    if details.get_attribute("open") is None:
        details.locator("summary").first.click()
    expect(details).to_have_attribute("open", "")


def test_editor_edits_and_previews_then_publisher_publishes(site: Site, context: BrowserContext):
    site.publish(published_at=FIRST)
    register = site.register
    change_url = f"{site.url}/admin/notices/register/{register.pk}/change/"
    page = context.new_page()

    # --- The editor logs in and finds the register from the admin's front page.
    log_in(page, site.url, "alice")
    page.get_by_role("link", name="Registers", exact=True).first.click()
    page.get_by_role("link", name=NAMES["en"]).click()
    # The register opens in the guided steps (tests/browser/test_guided_steps.py).
    expect(page).to_have_url(f"{site.url}/admin/notices/register/{register.pk}/step/register/")

    # A processor of the company's own, defined once and used by its registers.
    page.goto(f"{site.url}/admin/notices/processor/add/")
    # A member of one company does not choose it: the processor is Acme's.
    expect(page.locator("#id_controller")).to_have_count(0)
    # A proper name, given once: the same in every language.
    fill_translated(page, "id_name", {"fi": PROCESSOR})
    fill_translated(page, "id_service", SERVICE)
    page.select_option("#id_country", value="IN")
    page.click("input[name=_save]")
    expect(page.locator(".messagelist .success")).to_be_visible()
    assert Processor.objects.filter(controller=site.tenant.controller, name_fi=PROCESSOR).exists()

    page.goto(change_url)
    # The purpose, renamed in Finnish and in English through its tabs.
    open_section(page, "purposes")
    fill_translated(page, "id_purposes-0-name", PURPOSE)
    # The new processor in the register, and its transfer outside the EU/EEA.
    page.locator("#register_processors-group .add-row a").click()
    row = "register_processors-1"
    choose_autocomplete(page, f"id_{row}-processor", PROCESSOR)
    fill_translated(
        page,
        f"id_{row}-processes",
        {"fi": "Tukipyynnöt", "sv": "Supportärenden", "en": "Support requests"},
    )
    open_section(page, "transfers")
    page.locator("#transfers-group .add-row a").click()
    page.select_option("#id_transfers-1-country", value="IN")
    choose_autocomplete(page, "id_transfers-1-processor", PROCESSOR)
    page.select_option("#id_transfers-1-safeguard", value="scc")
    fill_translated(page, "id_transfers-1-copy_info", COPY_INFO)
    page.click("input[name=_continue]")
    expect(page.locator(".messagelist .success")).to_be_visible()
    expect(page.locator(".errornote")).to_have_count(0)
    register.refresh_from_db()
    purpose = register.purposes.get()
    assert (purpose.name_fi, purpose.name_en) == (PURPOSE["fi"], PURPOSE["en"])
    assert Transfer.objects.filter(register=register, processor__name_fi=PROCESSOR).exists()

    # The draft preview opens in a new tab, exactly as it would be published.
    with context.expect_page() as preview_info:
        page.get_by_role("link", name="Preview (en)", exact=True).click()
    preview = preview_info.value
    preview.wait_for_load_state()
    expect(preview.locator(".banner.preview")).to_be_visible()
    expect(preview.locator("#purposes")).to_contain_text(PURPOSE["en"])
    expect(preview.locator("#processors")).to_contain_text(PROCESSOR)
    expect(preview.locator("#transfers")).to_contain_text("India")
    preview.close()

    # The editor cannot publish: no button, and the address itself is refused.
    expect(page.locator("a.publishlink")).to_have_count(0)
    response = page.goto(f"{site.url}/admin/notices/register/{register.pk}/publish/")
    assert response is not None and response.status == 403
    assert NoticeVersion.objects.filter(register=register).count() == 1
    page.goto(f"{site.url}/admin/")
    page.locator("#logout-form button").click()
    expect(page).to_have_url(f"{site.url}/admin/logout/")

    # --- The publisher publishes with a summary, after seeing what changed.
    log_in(page, site.url, "paula")
    page.goto(change_url)
    screenshot(page, "admin-register-change-page", full_page=False)
    page.locator("a.publishlink").click()
    expect(page).to_have_url(f"{site.url}/admin/notices/register/{register.pk}/publish/")
    changes = page.locator(".publish-changes")
    expect(changes).to_contain_text(PURPOSE["en"])
    expect(changes).to_contain_text(PROCESSOR)
    expect(changes.locator(".substantive").first).to_be_visible()
    expect(page.locator(".warning")).to_be_visible()
    page.fill("#id_summary_fi", "Uusi käsittelijä Intiassa ja tarkoitus nimetty uudelleen.")
    page.fill(
        "#id_summary_sv", "Ett nytt personuppgiftsbiträde i Indien och ett ändamål med nytt namn."
    )
    page.fill("#id_summary_en", "A new processor in India and a renamed purpose.")
    screenshot(page, "admin-publish-confirmation")
    # Publishing renders each language's PDF: the answer may take a while.
    page.get_by_role("button", name="Publish").click(no_wait_after=True)
    # Back on the company home, at the register's card.
    expect(page).to_have_url(
        f"{site.url}/admin/controllers/controller/{register.controller_id}/home/"
        f"#register-{register.pk}",
        timeout=90_000,
    )
    expect(page.locator(".messagelist .success")).to_contain_text("Version 2")
    latest = NoticeVersion.objects.filter(register=register).order_by("-number").first()
    assert latest is not None and latest.number == 2

    # --- The new version is public, dated today in the change log.
    with translation.override("en"), timezone.override("Europe/Helsinki"):
        today = notice_date(latest.published_at)
    page.goto(site.url + site.path("en", "versions/"))
    newest = page.locator(".history-entry").first
    expect(newest).to_contain_text(today)
    expect(newest).to_contain_text("version 2")
    expect(newest).to_contain_text("A new processor in India and a renamed purpose.")
    page.goto(site.url + site.path("en"))
    expect(page.locator(".dates")).to_contain_text(today)
    expect(page.locator("#purposes")).to_contain_text(PURPOSE["en"])
    expect(page.locator("#transfers")).to_contain_text("India")
    page.goto(site.url + site.path("fi"))
    expect(page.locator("#purposes")).to_contain_text(PURPOSE["fi"])


def test_customised_admin_pages_have_no_accessibility_violations(site: Site, page: Page):
    """The login page with our language switch, the register page and the publish page."""
    change_url = f"{site.url}/admin/notices/register/{site.register.pk}/change/"
    publish_url = f"{site.url}/admin/notices/register/{site.register.pk}/publish/"

    def switch_to(lang: str) -> None:
        page.locator(f'.language-switch button[lang="{lang}"]').click()
        expect(page.locator("html")).to_have_attribute("lang", lang)

    def check_change_page(lang: str) -> None:
        page.goto(change_url)
        expect(page.locator("html")).to_have_attribute("lang", lang)
        # The translation tabs are built: the page is checked as a person sees it.
        switch = page.locator("#modeltranslation-main-switch")
        expect(switch).to_be_visible()
        # It shows the language whose tabs are open: the admin's own.
        codes = [code for code, _name in settings.LANGUAGES]
        expect(switch).to_have_value(str(codes.index(lang)))
        expect(page.locator(f'li[aria-controls="tab_id_name_{lang}"]')).to_have_attribute(
            "aria-selected", "true"
        )
        open_section(page, "purposes")
        axe_check(page, f"admin-register-change-{lang}")

    page.goto(f"{site.url}/admin/login/")
    axe_check(page, "admin-login-en")
    switch_to("fi")
    axe_check(page, "admin-login-fi")
    log_in(page, site.url, "paula")
    check_change_page("fi")
    page.goto(publish_url)
    expect(page.locator("#id_summary_fi")).to_be_visible()
    axe_check(page, "admin-publish-fi")
    switch_to("en")
    expect(page).to_have_url(publish_url)
    axe_check(page, "admin-publish-en")
    check_change_page("en")


def test_publisher_takes_the_notice_offline_and_back_after_confirming(
    site: Site, page: Page, pages_only: None
):
    site.publish(published_at=FIRST)
    public = f"{site.url}{site.path('en')}"
    change_url = f"{site.url}/admin/notices/register/{site.register.pk}/change/"
    log_in(page, site.url, "paula")

    page.goto(change_url)
    page.get_by_role("link", name="Take offline", exact=True).click()
    expect(page.get_by_role("heading", name="Take the notice offline?")).to_be_visible()
    axe_check(page, "admin-register-offline-confirm-en")
    # Nothing changes before the answer.
    assert page.request.get(public).status == 200
    page.get_by_role("button", name="Yes, take offline").click()
    expect(page).to_have_url(change_url)
    expect(page.locator(".messagelist .success")).to_have_text("The notice is offline.")
    assert page.request.get(public).status == 410

    page.get_by_role("link", name="Bring back online", exact=True).click()
    page.get_by_role("button", name="Yes, bring back online").click()
    expect(page.locator(".messagelist .success")).to_have_text("The notice is online again.")
    assert page.request.get(public).status == 200
