"""The PDF renderer: tagged PDFs with metadata, and nothing read but our own files.

Every test renders for real and reads the result back with pypdf. Leaks are made
observable: a stylesheet that would add "LEAKED" to the text, an image that would
add an image object, a local HTTP server that counts requests.
"""

from __future__ import annotations

import io
import multiprocessing
import os
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from PIL import Image
from pypdf import PdfReader
from pypdf.generic import StreamObject
from weasyprint import HTML

from notices import pdf as pdf_module
from notices.pdf import (
    RENDER_BASE_URL,
    NoticeURLFetcher,
    PdfJob,
    PdfRenderError,
    RefusedURL,
    render_pdf,
    render_pdfs,
)

PASSWD_LINE = "root:x:0:0"


def page(body: str, *, head: str = "", lang: str = "en", title: str = "Privacy notice") -> str:
    return (
        f'<!DOCTYPE html><html lang="{lang}"><head><meta charset="utf-8">'
        f"<title>{title}</title>{head}</head><body>{body}</body></html>"
    )


def read(pdf: bytes) -> PdfReader:
    assert pdf.startswith(b"%PDF-")
    return PdfReader(io.BytesIO(pdf))


def text_of(reader: PdfReader) -> str:
    return "\n".join(pdf_page.extract_text() for pdf_page in reader.pages)


def objects(reader: PdfReader) -> Iterator[object]:
    """Every object in the file, whether or not a page refers to it."""
    for number in range(1, int(reader.trailer["/Size"])):
        try:
            found = reader.get_object(number)
        except Exception:
            found = None  # a free entry of the cross-reference table
        if found is not None:
            yield found


def image_count(reader: PdfReader) -> int:
    return sum(
        1
        for found in objects(reader)
        if isinstance(found, StreamObject) and found.get("/Subtype") == "/Image"
    )


def decoded_streams(reader: PdfReader) -> bytes:
    return b"\n".join(
        found.get_data() for found in objects(reader) if isinstance(found, StreamObject)
    )


def embedded_files(reader: PdfReader) -> list[str]:
    """Names of files in the document's name tree and in file-attachment annotations."""
    names = list(reader.attachments)
    for pdf_page in reader.pages:
        for annotation in pdf_page.get("/Annots", []):
            annotation = annotation.get_object()
            if annotation.get("/Subtype") == "/FileAttachment":
                names.append(str(annotation["/FS"].get_object().get("/F")))
    return names


def write_png(path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.new("RGB", (4, 4), "red").save(path, format="PNG")
    return path


@pytest.fixture
def static_dir(settings, tmp_path: Path) -> Path:
    """An extra static directory, found through the staticfiles finders."""
    directory = tmp_path / "static"
    (directory / "pdf-test").mkdir(parents=True)
    (directory / "pdf-test" / "notice.css").write_text(
        '@page { size: A5; } h1::before { content: "Styled: "; }'
    )
    settings.STATICFILES_DIRS = [*settings.STATICFILES_DIRS, directory]
    return directory


@pytest.fixture
def media_root(settings, tmp_path: Path) -> Path:
    root = tmp_path / "media"
    write_png(root / "logos" / "acme.png")
    write_png(root / "logos" / "borealis.png")
    settings.MEDIA_ROOT = root
    return root


@pytest.fixture
def leaky_file(tmp_path: Path) -> Path:
    """A stylesheet outside every root: if it is ever read, the PDF says LEAKED."""
    path = tmp_path / "outside" / "secret.css"
    path.parent.mkdir()
    path.write_text('h1::before { content: "LEAKED "; }')
    return path


class CountingServer:
    """An HTTP server on 127.0.0.1 that answers every request with a PNG and counts it."""

    def __init__(self) -> None:
        buffer = io.BytesIO()
        Image.new("RGB", (4, 4), "blue").save(buffer, format="PNG")
        png = buffer.getvalue()
        self.requests: list[str] = []
        requests = self.requests

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                requests.append(self.path)
                self.send_response(200)
                self.send_header("Content-Type", "image/png")
                self.send_header("Content-Length", str(len(png)))
                self.end_headers()
                self.wfile.write(png)

            do_POST = do_HEAD = do_GET

            def log_message(self, format: str, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"

    def __enter__(self) -> CountingServer:
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.server.shutdown()
        self.server.server_close()


def test_simple_notice_renders_as_tagged_pdf_with_title_language_and_author() -> None:
    html = page(
        "<h1>Tietosuojaseloste</h1><p>Rekisterinpitäjä: Acme Oy</p>",
        head='<meta name="author" content="Acme Oy">',
        lang="fi",
        title="Acme asiakasrekisteri",
    )

    reader = read(render_pdf(html))

    assert "Tietosuojaseloste" in text_of(reader)
    assert reader.metadata.title == "Acme asiakasrekisteri"
    assert reader.metadata.author == "Acme Oy"
    catalog = reader.trailer["/Root"]
    assert catalog.get("/Lang") == "fi"
    assert "/StructTreeRoot" in catalog
    assert catalog["/MarkInfo"]["/Marked"].value is True


def test_same_html_gives_the_same_bytes() -> None:
    html = page("<h1>Tietosuojaseloste</h1>")

    first = render_pdf(html)
    # Font subsets carry a timestamp in seconds: a second later it would differ.
    time.sleep(1.1)

    assert render_pdf(html) == first


def test_stylesheet_from_the_static_directories_is_applied(static_dir: Path) -> None:
    html = page(
        "<h1>Notice</h1>", head='<link rel="stylesheet" href="/static/pdf-test/notice.css">'
    )

    reader = read(render_pdf(html))

    assert "Styled: Notice" in text_of(reader)
    width, height = reader.pages[0].mediabox.width, reader.pages[0].mediabox.height
    assert (round(width), round(height)) == (420, 595)  # A5, not the default A4


def test_collected_static_file_is_served_from_static_root(settings, tmp_path: Path) -> None:
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    settings.STATIC_ROOT = tmp_path / "collected"
    (tmp_path / "collected" / "css").mkdir(parents=True)
    (tmp_path / "collected" / "css" / "print.0123abcd.css").write_text(
        'h1::after { content: " (collected)"; }'
    )
    html = page(
        "<h1>Notice</h1>", head='<link rel="stylesheet" href="/static/css/print.0123abcd.css">'
    )

    assert "Notice (collected)" in text_of(read(render_pdf(html)))


def test_static_symlink_pointing_outside_the_static_roots_is_not_read(
    static_dir: Path, leaky_file: Path
) -> None:
    (static_dir / "pdf-test" / "leak.css").symlink_to(leaky_file)
    html = page("<h1>Notice</h1>", head='<link rel="stylesheet" href="/static/pdf-test/leak.css">')

    assert "LEAKED" not in text_of(read(render_pdf(html)))


def test_listed_media_file_is_embedded(media_root: Path) -> None:
    html = page('<img src="/media/logos/acme.png" alt="Acme"><h1>Notice</h1>')

    reader = read(render_pdf(html, media_files=["logos/acme.png"]))

    assert image_count(reader) == 1


def test_media_file_not_listed_is_not_embedded(media_root: Path) -> None:
    html = page(
        '<img src="/media/logos/borealis.png" alt="Borealis">'
        '<img src="/media/logos/acme.png" alt="Acme"><h1>Notice</h1>'
    )

    assert image_count(read(render_pdf(html, media_files=["logos/other.png"]))) == 0
    assert image_count(read(render_pdf(html))) == 0


def test_unsafe_media_file_name_is_refused() -> None:
    with pytest.raises(PdfRenderError):
        render_pdf(page("<h1>Notice</h1>"), media_files=["../../etc/passwd"])


def test_no_request_reaches_a_network_server() -> None:
    with CountingServer() as server:
        url = server.url
        hostile = page(
            f"""
            <h1>Notice</h1>
            <img src="{url}/img.png" alt="">
            <img src="//127.0.0.1:{url.rsplit(":", 1)[1]}/scheme-relative.png" alt="">
            <object data="{url}/object.png" type="image/png"></object>
            <embed src="{url}/embed.png" type="image/png">
            <iframe src="{url}/iframe.html"></iframe>
            <video poster="{url}/poster.png"></video>
            <input type="image" src="{url}/input.png" alt="">
            <svg width="10" height="10"><image href="{url}/svg-image.png" width="10" height="10"/>
            </svg>
            <p style="background-image: url({url}/inline-background.png)">text</p>
            <ul style="list-style-image: url({url}/bullet.png)"><li>item</li></ul>
            <p class="font">font</p>
            <a rel="attachment" href="{url}/a-attachment.txt">attachment</a>
            """,
            head=f"""
            <link rel="stylesheet" href="{url}/link.css">
            <link rel="attachment" href="{url}/link-attachment.txt">
            <link rel="icon" href="{url}/favicon.png">
            <style>
              @import url({url}/import.css);
              @import "{url}/import-string.css";
              @font-face {{ font-family: Evil; src: url({url}/font.woff2); }}
              .font {{ font-family: Evil; }}
              body {{ background-image: url({url}/background.png); }}
              h1::before {{ content: url({url}/content.png); }}
              h1 {{ border: 10px solid; border-image: url({url}/border.png) 30; }}
              @page {{ background: url({url}/page.png); }}
            </style>
            """,
        )
        with_base = page(
            '<h1>Notice</h1><img src="relative.png" alt="">',
            head=f'<base href="{url}/"><link rel="stylesheet" href="relative.css">',
        )

        hostile_pdf = render_pdf(hostile)
        base_pdf = render_pdf(with_base)

    assert server.requests == []
    assert "Notice" in text_of(read(hostile_pdf))
    assert "Notice" in text_of(read(base_pdf))
    assert image_count(read(hostile_pdf)) == 0
    assert embedded_files(read(hostile_pdf)) == []


def test_local_files_cannot_be_read(leaky_file: Path, tmp_path: Path) -> None:
    leaky_image = write_png(tmp_path / "outside" / "secret.png")
    traversals = [
        "file:///etc/passwd",
        "/static/../../../../etc/passwd",
        "/static/%2e%2e/%2e%2e/%2e%2e/%2e%2e/etc/passwd",
        "/static/..%2f..%2f..%2f..%2fetc/passwd",
        "/static/%252e%252e/%252e%252e/etc/passwd",
        "/static/%2fetc/passwd",
        "/media/../../etc/passwd",
        "/media/%2e%2e/%2e%2e/etc/passwd",
    ]
    body = "<h1>Notice</h1>" + "".join(
        f'<img src="{target}" alt=""><a rel="attachment" href="{target}">file</a>'
        for target in [*traversals, leaky_image.as_uri()]
    )
    head = (
        "".join(
            f'<link rel="stylesheet" href="{target}"><link rel="attachment" href="{target}">'
            for target in [*traversals, leaky_file.as_uri()]
        )
        + f'<style>@import url("{leaky_file.as_uri()}");</style>'
    )

    reader = read(pdf := render_pdf(page(body, head=head)))

    text = text_of(reader)
    assert "Notice" in text
    assert "LEAKED" not in text
    assert PASSWD_LINE not in text
    assert PASSWD_LINE.encode() not in pdf
    assert PASSWD_LINE.encode() not in decoded_streams(reader)
    assert image_count(reader) == 0
    assert embedded_files(reader) == []


def test_attachment_links_embed_nothing_even_when_the_file_is_allowed(
    static_dir: Path, media_root: Path
) -> None:
    html = page(
        '<h1>Notice</h1><a rel="attachment" href="/static/pdf-test/notice.css">css</a>'
        '<a rel="attachment" href="/media/logos/acme.png">logo</a>',
        head='<link rel="stylesheet attachment" href="/static/pdf-test/notice.css">',
    )

    reader = read(render_pdf(html, media_files=["logos/acme.png"]))

    assert embedded_files(reader) == []
    # Only the attachment link type went: the same link still applies the stylesheet.
    assert "Styled: Notice" in text_of(reader)


def test_embedded_files_helper_sees_what_weasyprint_embeds_by_default() -> None:
    """Guards the tests above: without our fetcher, WeasyPrint does embed attachments."""
    html = page(
        '<a rel="attachment" href="data:text/plain,hello">a</a>',
        head='<link rel="attachment" href="data:text/plain,hello" title="x">',
    )

    reader = read(HTML(string=html).write_pdf())

    assert len(embedded_files(reader)) == 2


@pytest.mark.parametrize(
    "url",
    [
        "file:///etc/passwd",
        "http://127.0.0.1/x.png",
        "https://example.org/static/css/admin-extra.css",
        "ftp://example.org/x.css",
        "data:text/css,h1{color:red}",
        "http://render.invalid/static/css/admin-extra.css",
        "https://render.invalid.example.org/static/css/admin-extra.css",
        "https://render.invalid@example.org/static/css/admin-extra.css",
        "https://render.invalid:8443/static/css/admin-extra.css",
        f"{RENDER_BASE_URL}etc/passwd",
        f"{RENDER_BASE_URL}static/",
        f"{RENDER_BASE_URL}static/../../etc/passwd",
        f"{RENDER_BASE_URL}static/%2e%2e/%2e%2e/etc/passwd",
        f"{RENDER_BASE_URL}static/%2E%2E/%2E%2E/etc/passwd",
        f"{RENDER_BASE_URL}static/..%2f..%2fetc/passwd",
        f"{RENDER_BASE_URL}static/%252e%252e/etc/passwd",
        f"{RENDER_BASE_URL}static/css%5c..%5c..%5cetc%5cpasswd",
        f"{RENDER_BASE_URL}static/css\\..\\..\\etc\\passwd",
        f"{RENDER_BASE_URL}static/css/admin-extra.css%00.png",
        f"{RENDER_BASE_URL}static/%2fetc/passwd",
        f"{RENDER_BASE_URL}static//etc/passwd",
        f"{RENDER_BASE_URL}static/./css/admin-extra.css",
        f"{RENDER_BASE_URL}static/no-such-file.css",
        f"{RENDER_BASE_URL}media/logos/borealis.png",
        f"{RENDER_BASE_URL}media/logos/acme.png/../../../etc/passwd",
        f"{RENDER_BASE_URL}media/../../etc/passwd",
        f"{RENDER_BASE_URL}media/%2e%2e/%2e%2e/etc/passwd",
    ],
)
def test_fetcher_refuses(url: str, media_root: Path) -> None:
    fetcher = NoticeURLFetcher(media_files=["logos/acme.png"])

    with pytest.raises(RefusedURL):
        fetcher.fetch(url)


def test_fetcher_serves_static_and_listed_media_with_their_types(
    static_dir: Path, media_root: Path
) -> None:
    fetcher = NoticeURLFetcher(media_files=["logos/acme.png"])

    css = fetcher.fetch(f"{RENDER_BASE_URL}static/pdf-test/notice.css")
    logo = fetcher.fetch(f"{RENDER_BASE_URL}media/logos/acme.png")

    assert css.content_type == "text/css"
    assert b"@page" in css.read()
    assert logo.content_type == "image/png"
    assert logo.read() == (media_root / "logos" / "acme.png").read_bytes()


def test_slow_document_is_stopped_at_the_time_limit() -> None:
    rows = "<tr><td>Henkilötiedot</td><td>Säilytysaika</td></tr>" * 20000
    started = time.monotonic()

    with pytest.raises(PdfRenderError, match="longer than 0.2 s"):
        render_pdf(page(f"<table>{rows}</table>"), timeout=0.2)

    assert time.monotonic() - started < 3
    assert multiprocessing.active_children() == []


def test_time_limit_defaults_to_the_setting(settings) -> None:
    settings.PDF_RENDER_TIMEOUT = 0.2
    rows = "<tr><td>Henkilötiedot</td></tr>" * 20000

    with pytest.raises(PdfRenderError, match="longer than 0.2 s"):
        render_pdf(page(f"<table>{rows}</table>"))


@pytest.mark.parametrize(
    "html",
    [
        "",
        "<",
        "<html><body><p>unclosed <b><i>tags",
        "\x00\x01\x02",
        "<title>\ud800</title><h1>lone surrogate</h1>",
        page("<h1>x</h1>", head="<style>@page { size: -1px nonsense; } h1 { color: }</style>"),
        page('<img src="data:image/png;base64,AAAA" alt="broken image">'),
        page(
            '<svg width="10" height="10"><image href="/static/no-such.svg"/><circle r="a"/></svg>'
        ),
        page("<div>" * 30000),
        None,
    ],
)
def test_broken_input_raises_nothing_but_pdf_render_error(html: str) -> None:
    try:
        pdf = render_pdf(html, timeout=3)
    except PdfRenderError:
        return
    assert pdf.startswith(b"%PDF-")


def test_renderer_runs_at_a_lower_priority_than_the_process_serving_readers(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # The forked child inherits this stand-in and reports the niceness it renders at.
    monkeypatch.setattr(
        pdf_module, "render_pdf_in_process", lambda html, **options: str(os.nice(0)).encode()
    )

    rendered_at = int(render_pdf(page("<h1>Notice</h1>")))

    assert rendered_at == min(os.nice(0) + pdf_module.RENDER_NICENESS, 19)
    assert rendered_at > os.nice(0) or os.nice(0) == 19


def test_rendering_leaves_the_database_connection_usable(db) -> None:
    User.objects.create(username="before")

    render_pdf(page("<h1>Notice</h1>"))

    assert User.objects.filter(username="before").exists()


def sleepy_renderer(seconds: float):
    """A stand-in for WeasyPrint that takes ``seconds`` and answers its pid and HTML."""

    def render(html: str, **options) -> bytes:
        time.sleep(seconds)
        return f"{os.getpid()} {html}".encode()

    return render


def test_documents_render_in_parallel_children_and_come_back_in_order(monkeypatch) -> None:
    pdf_module._warm_up()  # the warm-up renders in this process, before the stand-in
    monkeypatch.setattr(pdf_module, "render_pdf_in_process", sleepy_renderer(1.0))
    started = time.monotonic()

    answers = [
        a.decode().split(" ", 1) for a in render_pdfs([PdfJob(f"doc {n}") for n in range(3)])
    ]

    elapsed = time.monotonic() - started
    assert [html for _pid, html in answers] == ["doc 0", "doc 1", "doc 2"]
    pids = {int(pid) for pid, _html in answers}
    assert len(pids) == 3 and os.getpid() not in pids
    assert elapsed < 2.8, elapsed  # three one-second renders side by side (one by one: 3 s)
    assert multiprocessing.active_children() == []


def test_jobs_beyond_the_children_limit_wait_for_a_free_child(monkeypatch) -> None:
    pdf_module._warm_up()
    monkeypatch.setattr(pdf_module, "render_pdf_in_process", sleepy_renderer(0.5))
    monkeypatch.setattr(pdf_module, "MAX_CHILDREN", 2)
    started = time.monotonic()

    answers = render_pdfs([PdfJob(f"doc {n}") for n in range(4)])

    elapsed = time.monotonic() - started
    assert [a.decode().split(" ", 1)[1] for a in answers] == [f"doc {n}" for n in range(4)]
    assert 1.0 <= elapsed < 4, elapsed  # two rounds of two
    assert multiprocessing.active_children() == []


def test_a_failing_document_stops_the_batch_and_its_other_children(monkeypatch) -> None:
    pdf_module._warm_up()

    def second_fails(html: str, **options) -> bytes:
        if html == "doc 1":
            raise ValueError("broken document")
        time.sleep(3600)
        raise AssertionError("not reached: the other children are killed")

    monkeypatch.setattr(pdf_module, "render_pdf_in_process", second_fails)
    started = time.monotonic()

    with pytest.raises(PdfRenderError, match="ValueError: broken document"):
        render_pdfs([PdfJob(f"doc {n}") for n in range(3)])

    assert time.monotonic() - started < 10
    assert multiprocessing.active_children() == []


def test_a_bad_media_name_in_any_job_starts_no_child(monkeypatch) -> None:
    jobs = [PdfJob(page("<h1>Notice</h1>")), PdfJob(page("<h1>Other</h1>"), ("../secret",))]

    with pytest.raises(PdfRenderError, match="unsafe media file name"):
        render_pdfs(jobs)

    assert multiprocessing.active_children() == []


def test_the_stylesheets_browser_only_properties_are_not_logged_at_every_render(caplog):
    """notice.css's clip-path and print-color-adjust are for browsers: WeasyPrint's
    warning about them would be logged for every PDF of every publish. Another
    declaration WeasyPrint ignores is still logged."""
    document = page(
        "<style>p { clip-path: inset(50%); print-color-adjust: exact; frobnicate: 1 }</style>"
        "<p>Notice</p>"
    )
    with caplog.at_level("WARNING", logger="weasyprint"):
        pdf_module.render_pdf_in_process(document, fetcher=NoticeURLFetcher())
    logged = [record.getMessage() for record in caplog.records]
    assert not [message for message in logged if "clip-path" in message]
    assert not [message for message in logged if "print-color-adjust" in message]
    assert [message for message in logged if "Ignored `frobnicate:" in message]
