"""Real-browser tests: Playwright drives Debian's chromium against a live server.

- The browser is /usr/bin/chromium (``apt-get install chromium``; `.ci/run` installs
  it when missing). Playwright never downloads a browser of its own here. Without
  chromium these tests fail: they are never skipped.
- The live server runs the whole project as deployed: WhiteNoise serves the
  collected static files (`make test` runs collectstatic first) and our own view
  serves logos, instead of the test handlers that pytest-django would put in front.
- Tests that use the live server run in transactions the server thread can see
  (``transaction=True``); ``serialized_rollback`` restores the catalogue rows the
  migrations load (legal bases, rights, the supervisory authority) afterwards.
- Playwright's sync API runs an event loop in this thread, so Django's guard
  against database calls from async code is turned off for these tests.
- Screenshots go to ``test-artifacts/screenshots/`` for a person to look at.
"""

from __future__ import annotations

import io
import json
import os
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.core.files.storage import default_storage
from django.db import connections
from playwright.sync_api import Browser, BrowserContext, Page, Playwright, sync_playwright
from pytest_django.live_server_helper import LiveServer

from controllers.models import Membership
from notices.models import NoticeVersion, Purpose, Register
from tests.conftest import PASSWORD, Tenant, make_tenant, make_user
from tests.notices_factory import add_swedish, complete_notice, publish, without_weasyprint

# Django reads this on every guarded call (not at import): Playwright's sync API keeps
# an event loop in this thread, which Django would otherwise take for async code.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def _database_connections_per_thread() -> None:
    """Keep Django's database connections per thread, also while a browser runs.

    Django keeps connections per thread, and per asyncio task when an event loop runs
    in the thread. Playwright's sync API keeps its loop running in this thread (in
    another greenlet), so from the moment a browser starts Django would open a second
    set of connections here: on SQLite's in-memory test database a second connection
    sees an empty database, and every later test in this process would use it. The
    tests are synchronous code, so the connections stay in plain thread-local storage.
    """
    storage = getattr(connections._connections, "_storage", None)
    if isinstance(storage, threading.local):
        connections._connections = storage


_database_connections_per_thread()

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
ROOT = Path(__file__).resolve().parent.parent.parent
SCREENSHOTS = ROOT / "test-artifacts" / "screenshots"
# Playwright waits this long (ms) for an element or a navigation before failing.
TIMEOUT_MS = 10_000

FIRST = datetime(2025, 3, 3, 10, 0, tzinfo=UTC)
SECOND = datetime(2026, 9, 15, 9, 30, tzinfo=UTC)
NAMES = {"fi": "Acme asiakasrekisteri", "sv": "Acme kundregister", "en": "Acme customer register"}
OLD_PURPOSES = {
    "fi": "Acme asiakassuhde",
    "sv": "Acme kundrelation",
    "en": "Acme customer relationship",
}
NEW_PURPOSES = {"fi": "Asiakkuuden hoito", "sv": "Kundvård", "en": "Customer care"}


# --- The browser -------------------------------------------------------------------


@pytest.fixture(scope="session")
def playwright() -> Iterator[Playwright]:
    with sync_playwright() as driver:
        yield driver


@pytest.fixture(scope="session")
def browser(playwright: Playwright) -> Iterator[Browser]:
    """Headless Debian chromium; a missing browser is an error, not a skip."""
    if not os.access(CHROMIUM, os.X_OK):
        pytest.fail(f"{CHROMIUM} is missing: apt-get install chromium (see .ci/run)")
    launched = playwright.chromium.launch(
        executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
    )
    yield launched
    launched.close()


@pytest.fixture
def context(browser: Browser) -> Iterator[BrowserContext]:
    """A fresh profile (no cookies) that reads English unless a test says otherwise."""
    created = browser.new_context(locale="en-GB", viewport={"width": 1280, "height": 900})
    created.set_default_timeout(TIMEOUT_MS)
    yield created
    created.close()


@pytest.fixture
def page(context: BrowserContext) -> Page:
    return context.new_page()


def new_context(browser: Browser, **options) -> BrowserContext:
    options.setdefault("locale", "en-GB")
    options.setdefault("viewport", {"width": 1280, "height": 900})
    created = browser.new_context(**options)
    created.set_default_timeout(TIMEOUT_MS)
    return created


def screenshot(page: Page, name: str, *, full_page: bool = True) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=full_page)
    assert path.stat().st_size > 0
    return path


# --- The live server -----------------------------------------------------------------


def _whole_project(media_handler):  # type: ignore[no-untyped-def]
    """The project's own WSGI handler, without the test-only static and media handlers."""
    return media_handler.application


@pytest.fixture(scope="session")
def live_server(request: pytest.FixtureRequest) -> Iterator[LiveServer]:
    """pytest-django's live server (same name, so its helper still applies), serving as deployed."""
    address = (
        request.config.getvalue("liveserver")
        or os.getenv("DJANGO_LIVE_TEST_SERVER_ADDRESS")
        or "localhost"
    )
    server = LiveServer(address, start=False)
    server.thread.static_handler = _whole_project
    server.start()
    yield server
    server.stop()


# --- Data --------------------------------------------------------------------------


def _logo_png() -> bytes:
    """A small logo: a rounded badge, made here so the tests ship no binary."""
    from PIL import Image, ImageDraw

    image = Image.new("RGBA", (192, 64), (255, 255, 255, 0))
    draw = ImageDraw.Draw(image)
    draw.rounded_rectangle((2, 2, 62, 62), radius=14, fill=(11, 110, 79, 255))
    draw.polygon([(32, 12), (52, 52), (12, 52)], fill=(255, 255, 255, 255))
    draw.rectangle((74, 22, 186, 30), fill=(31, 35, 40, 255))
    draw.rectangle((74, 38, 150, 44), fill=(84, 93, 104, 255))
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


@pytest.fixture
def media(settings, tmp_path) -> Path:
    root = tmp_path / "media"
    root.mkdir()
    settings.MEDIA_ROOT = root
    return root


def _blank_pdf() -> bytes:
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


@pytest.fixture
def pages_only(monkeypatch) -> None:
    """Publishing skips WeasyPrint and stores a blank PDF: for tests of the pages alone.

    A real render costs about a second a language. The PDFs themselves are read back
    where they matter: test_visitor (the download) and test_accessibility (the tags).
    """
    blank = _blank_pdf()
    without_weasyprint(monkeypatch, blank)


@dataclass
class Site:
    """Acme's complete notice, its editor alice and its publisher paula."""

    tenant: Tenant
    register: Register
    editor: User
    publisher: User
    url: str

    def path(self, lang: str, rest: str = "") -> str:
        return f"/{lang}/acme/customers/{rest}"

    def publish(self, **kwargs) -> NoticeVersion:  # type: ignore[no-untyped-def]
        return publish(self.register, self.publisher, **kwargs)

    def publish_two_versions(self) -> None:
        """Version 1 on 3.3.2025; version 2 on 15.9.2026 with the purpose renamed."""
        self.publish(published_at=FIRST)
        purpose = Purpose.objects.get(register=self.register)
        for lang, name in NEW_PURPOSES.items():
            setattr(purpose, f"name_{lang}", name)
        purpose.save()
        self.publish(
            summary={
                "fi": "Tarkoitus nimetty uudelleen.",
                "sv": "Ändamålet har fått ett nytt namn.",
                "en": "Purpose renamed.",
            },
            published_at=SECOND,
        )


@pytest.fixture
def site(live_server: LiveServer, media: Path) -> Site:
    tenant = make_tenant("Acme", "acme", "1234567-1")
    complete_notice(tenant)
    # The notice is published in every configured language: Finnish, Swedish, English.
    register = add_swedish(tenant)
    controller = tenant.controller
    (media / "logos").mkdir()
    (media / "logos" / "acme.png").write_bytes(_logo_png())
    controller.logo = "logos/acme.png"
    controller.brand_color = "#0b6e4f"
    controller.save()
    assert default_storage.exists("logos/acme.png")
    editor = make_user("alice")
    Membership.objects.create(user=editor, controller=controller, role="editor")
    publisher = make_user("paula")
    Membership.objects.create(user=publisher, controller=controller, role="publisher")
    return Site(
        tenant=tenant,
        register=register,
        editor=editor,
        publisher=publisher,
        url=live_server.url,
    )


def log_in(page: Page, base_url: str, username: str) -> None:
    """Through the admin's own login form, as a person would."""
    page.goto(f"{base_url}/admin/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_selector("#user-tools")


# --- Accessibility -------------------------------------------------------------------

AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
AXE_REPORTS = ROOT / "test-artifacts" / "axe"


def axe_check(page: Page, name: str) -> int:
    """Run axe-core (bundled with axe-playwright-python) on the page: no WCAG 2.1 AA violation.

    Returns the number of rules axe ran, and writes the result summary to
    ``test-artifacts/axe/<name>.json``.
    """
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(
        page,
        options={"runOnly": {"type": "tag", "values": AXE_TAGS}, "resultTypes": ["violations"]},
    )
    response = results.response
    rules = {
        kind: sorted(rule["id"] for rule in response[kind])
        for kind in ("violations", "passes", "incomplete", "inapplicable")
    }
    AXE_REPORTS.mkdir(parents=True, exist_ok=True)
    (AXE_REPORTS / f"{name}.json").write_text(
        json.dumps({"url": page.url, "axe": response["testEngine"]["version"], **rules}, indent=1)
    )
    assert results.violations_count == 0, f"{name} ({page.url}):\n{results.generate_report()}"
    return sum(len(ids) for ids in rules.values())
