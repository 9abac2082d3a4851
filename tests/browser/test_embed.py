"""The embeddable notice inside an <iframe>, on an allowed website and on another one.

Two tiny websites run on 127.0.0.1 (other origins than the live server's
``localhost``). The publisher lists only the first one under "websites allowed to
embed the notices" on the company page, as a person would, and pastes the page's
embed snippet into both websites; the browser shows the notice on the first and
refuses it on the second (the embed's Content-Security-Policy ``frame-ancestors``).
"""

from __future__ import annotations

import functools
import html
import http.server
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import NAMES, Site, axe_check, log_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args) -> None:  # type: ignore[no-untyped-def]  # noqa: A002
        pass


def write_page(root: Path, body: str) -> None:
    """The website's page (served from disk: a rewritten page is served at once)."""
    (root / "index.html").write_text(
        '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Acme</title></head>'
        f"<body><h1>Acme</h1>{body}</body></html>"
    )


@contextmanager
def website(root: Path, embed_url: str = "") -> Iterator[str]:
    """A company's website on 127.0.0.1:<free port> whose page frames ``embed_url`` (if any)."""
    root.mkdir()
    frame = (
        f'<iframe id="notice" title="Privacy notice" src="{embed_url}" width="800" height="600">'
        "</iframe>"
    )
    write_page(root, frame if embed_url else "")
    handler = functools.partial(QuietHandler, directory=str(root))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


@pytest.mark.usefixtures("pages_only")
def test_embed_shows_on_an_allowed_website_and_is_refused_elsewhere(
    site: Site, page: Page, tmp_path: Path
):
    site.publish()
    messages: list[str] = []
    page.on("console", lambda message: messages.append(message.text))
    with (
        website(tmp_path / "allowed") as allowed,
        website(tmp_path / "other") as other,
    ):
        # The publisher lists the website on the company page and copies the snippet.
        log_in(page, site.url, site.publisher.username)
        controller = site.tenant.controller
        page.goto(f"{site.url}/admin/controllers/controller/{controller.pk}/change/")
        page.fill("#id_embed_origins", f"https://www.acme.example\n{allowed}")
        page.click("[name=_save]")
        expect(page.locator(".messagelist .success")).to_be_visible()
        controller.refresh_from_db()
        assert controller.embed_origins.split() == ["https://www.acme.example", allowed]
        page.goto(f"{site.url}/admin/controllers/controller/{controller.pk}/change/")
        snippet = page.locator(f"#embed-{site.register.pk}").input_value()
        assert snippet.startswith("<iframe ") and snippet.endswith("></iframe>")
        embed_url = html.unescape(re.search(r'src="([^"]+)"', snippet)[1])
        assert embed_url == site.url + site.path("fi", "embed/")
        for root in ("allowed", "other"):
            write_page(tmp_path / root, snippet)
        page.context.clear_cookies()  # a visitor of the website, not the publisher

        # The allowed website shows the notice inside its page.
        page.goto(f"{allowed}/index.html")
        frame = page.frame_locator("iframe")
        expect(frame.locator("h1")).to_have_text(NAMES["fi"])
        expect(frame.locator(".in-brief")).to_be_visible()
        expect(frame.locator(".site-header")).to_have_count(0)
        embedded = page.frame(url=embed_url)
        assert embedded is not None
        # Contents links work inside the frame, and the embed itself passes axe.
        frame.locator(".toc a[href='#rights']").click()
        assert embedded.evaluate("location.hash") == "#rights"
        assert not [m for m in messages if "frame-ancestors" in m]

        # Any other website gets nothing: the browser refuses to frame the notice.
        page.goto(f"{other}/index.html")
        expect(page.locator("h1")).to_have_text("Acme")
        for _ in range(50):  # the refusal is reported right after the frame's response
            blocked = [m for m in messages if "frame-ancestors" in m]
            if blocked:
                break
            page.wait_for_timeout(100)
        assert len(blocked) == 1, messages
        assert f"{site.url}/" in blocked[0] and allowed in blocked[0]
        child = page.frames[1]
        assert child.url.startswith("chrome-error:") or child.url in ("", "about:blank")
        assert NAMES["fi"] not in child.content()

    page.goto(embed_url)
    axe_check(page, "embed-direct-fi")
