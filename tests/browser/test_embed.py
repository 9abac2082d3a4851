"""The embeddable notice inside an <iframe>, on an allowed website and on another one.

Two tiny websites run on 127.0.0.1 (other origins than the live server's
``localhost``), each with a page that frames the notice's embed address. The
company lists only the first one under "websites allowed to embed the notices";
the browser shows the notice there and refuses it on the second (the embed's
Content-Security-Policy ``frame-ancestors``).
"""

from __future__ import annotations

import functools
import http.server
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import NAMES, Site, axe_check

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args) -> None:  # type: ignore[no-untyped-def]  # noqa: A002
        pass


@contextmanager
def website(root: Path, embed_url: str) -> Iterator[str]:
    """A company's website on 127.0.0.1:<free port> whose page frames ``embed_url``."""
    root.mkdir()
    (root / "index.html").write_text(
        '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Acme</title></head>'
        f'<body><h1>Acme</h1><iframe id="notice" title="Privacy notice" src="{embed_url}"'
        ' width="800" height="600"></iframe></body></html>'
    )
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
    embed_url = site.url + site.path("en", "embed/")
    messages: list[str] = []
    page.on("console", lambda message: messages.append(message.text))
    with (
        website(tmp_path / "allowed", embed_url) as allowed,
        website(tmp_path / "other", embed_url) as other,
    ):
        controller = site.tenant.controller
        controller.embed_origins = f"https://www.acme.example\n{allowed}"
        controller.save()

        # The allowed website shows the notice inside its page.
        page.goto(f"{allowed}/index.html")
        frame = page.frame_locator("#notice")
        expect(frame.locator("h1")).to_have_text(NAMES["en"])
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
        assert NAMES["en"] not in child.content()

    page.goto(embed_url)
    axe_check(page, "embed-direct-en")
