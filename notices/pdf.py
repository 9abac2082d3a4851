"""Render a notice's HTML to a tagged PDF without letting the HTML reach anything else.

The notice templates escape every text a tenant typed, but the renderer is the last
line: whatever ends up in the HTML, WeasyPrint may read only our own static files
and the media files the caller names (the controller's logo). Everything else --
other schemes, other hosts, other media, the local file system -- is refused by
``NoticeURLFetcher``, and ``rel="attachment"`` links are stripped so no file is
ever embedded in the PDF.

WeasyPrint is pure Python and a thread running it cannot be interrupted, so each
render runs in a forked child process that the parent kills when the time limit
passes. The child only parses and lays out the HTML string and reads files: it
never touches the database connections it inherits.

A publish renders its languages' PDFs at once, one child each (``start_pdfs``),
so they share the cores while the parent renders the web pages; the first
failure stops them all. The children inherit a warmed-up WeasyPrint (imports,
fonts, a font configuration) from the parent, and render at a lower priority
than the process that forked them, which goes on serving readers.
"""

from __future__ import annotations

import gc
import logging
import mimetypes
import multiprocessing
import os
import re
import threading
import time
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from multiprocessing.connection import Connection, wait
from multiprocessing.process import BaseProcess
from urllib.parse import unquote, urljoin

from django.conf import settings
from django.contrib.staticfiles import finders
from django.contrib.staticfiles.storage import staticfiles_storage
from django.core.files.storage import Storage, default_storage

# Imported at module level on purpose: importing WeasyPrint (Pango, fontTools) takes
# about a second, and forked children inherit the imported modules for free.
from weasyprint import HTML
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher, URLFetcherResponse

from . import languages

logger = logging.getLogger(__name__)

RENDER_BASE_URL = "https://render.invalid/"  # base URL given to WeasyPrint; never fetched
PDF_VARIANT = "pdf/ua-1"  # tagged PDF (structure tree, /MarkInfo, /Lang, XMP metadata)
DEFAULT_TIMEOUT = 60.0
# Added to the renderer child's niceness: a publish's PDF waits for the CPU while
# the same machine's workers serve readers (19, the lowest priority, is the cap).
# Kept whatever the load: on idle cores a nice child runs at full speed, so it
# costs a publish nothing until readers need the CPU. (Niceness ranks processes
# of one session; Linux's autogroups share the CPU between sessions first.)
# 15: the three languages' children weigh 3 x 36 against a reader's 1024 on
# Linux's scheduler (3 x 70 at 12, 3 x 110 at 10). What readers lose during a
# publish is about the renderers' CPU over the publish's length, so a lower
# weight spreads it thinner. make load (readers keeping both cores busy, issue
# 14's target 0.9; bench/README.md): at 10, 0.90; at 12, 0.88-1.00 over eight
# runs on three machines; at 15, 0.96 and 1.04, each publish 23-25 s under that
# load instead of 19-21 s at 12 (2.7 s idle), inside a PDF's 60 s and gunicorn's 90 s.
RENDER_NICENESS = 15
# A notice's languages render in parallel children (a language is about half a
# second of CPU); more at once would only share the same cores and memory.
MAX_CHILDREN = 4

# How a refused URL looks in WeasyPrint's log: long data: URLs would flood it.
_LOGGED_URL_LENGTH = 200
# Control characters and backslashes never belong in a file name we serve.
_FORBIDDEN_CHARACTERS = re.compile(r"[\x00-\x1f\x7f\\]")
# HTML's ASCII whitespace, the separator of ``rel`` tokens.
_REL_TOKENS = re.compile(r"[^\t\n\f\r ]+")
# Rendered once in the parent before the first fork; see _warm_up.
_WARM_UP_HTML = (
    '<!DOCTYPE html><html lang="%s"><head><title>Warm-up</title></head>'
    "<body><h1>Warm-up</h1><p>Renders once so that forked children start warm.</p></body></html>"
)
_warm_up_lock = threading.Lock()
_warmed_up = False
# The warm-up's font configuration: fonts found and loaded, Pango's caches filled.
# Children render with their inherited copy (about 40 ms less each); the parent
# never renders with it again, so no two threads share it.
_font_config: FontConfiguration | None = None


class BrowserOnlyProperties(logging.Filter):
    """Leave out WeasyPrint's warnings about the few properties of ``notice.css`` that
    are there for browsers only (settings.LOGGING puts it on the ``weasyprint``
    logger): otherwise every PDF a publish renders logs them again. Any other
    ignored declaration is still logged."""

    IGNORED = tuple(f"Ignored `{name}:" for name in ("clip-path", "print-color-adjust"))

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        return not (message.startswith(self.IGNORED) and message.endswith("unknown property."))


class PdfRenderError(Exception):
    """The PDF could not be rendered: broken input, a renderer error or the time limit."""


class RefusedURL(ValueError):
    """The renderer asked for a URL it may not read (WeasyPrint logs it and goes on)."""


@dataclass(frozen=True)
class PdfJob:
    """One document for ``start_pdfs``: its HTML, the media it may show, its time limit.

    ``media_files`` are the storage names of the only media files the document may
    show (at ``/media/<name>``); static files (``/static/...``) are always readable.
    ``timeout`` (seconds from the start of its child) defaults to
    ``settings.PDF_RENDER_TIMEOUT``, else 60.
    """

    html: str
    media_files: Collection[str] = ()
    timeout: float | None = None


def render_pdf(
    html: str, *, media_files: Collection[str] = (), timeout: float | None = None
) -> bytes:
    """Render ``html`` to a tagged PDF/UA-1 document and return its bytes.

    The title, language and author come from ``<title>``, ``<html lang>`` and
    ``<meta name="author">``. Rendering runs in a child process that is killed
    after ``timeout`` seconds (see ``PdfJob``). Every failure -- a WeasyPrint
    exception, a crashed child, the time limit -- raises ``PdfRenderError``.
    """
    return render_pdfs([PdfJob(html, tuple(media_files), timeout)])[0]


def render_pdfs(jobs: Sequence[PdfJob]) -> list[bytes]:
    """Render several documents in parallel children; their PDFs in the order of ``jobs``."""
    with start_pdfs(jobs) as batch:
        return batch.results()


def start_pdfs(jobs: Sequence[PdfJob]) -> PdfBatch:
    """Start rendering ``jobs``, each in a child process of its own, and return at once.

    The caller does other work while the children render (a publish renders the
    web pages meanwhile), then calls ``results()``. Use the batch as a context
    manager: leaving it stops every child still running, whatever happened.
    Up to ``MAX_CHILDREN`` render at the same time; the rest start as they finish.
    """
    # Built in the parent so that a bad media name fails here, with the caller's stack.
    fetchers = [NoticeURLFetcher(media_files=job.media_files) for job in jobs]
    _warm_up()
    batch = PdfBatch(list(zip(jobs, fetchers, strict=True)))
    try:
        batch.start_waiting()
    except BaseException:
        batch.close()
        raise
    return batch


class PdfBatch:
    """Children rendering a batch of documents (see ``start_pdfs``).

    The first failure of any child -- an error, a crash, its time limit -- kills
    every other child at once and raises ``PdfRenderError``: nobody waits for PDFs
    that will not be used, and no process outlives the batch.
    """

    def __init__(self, jobs: list[tuple[PdfJob, NoticeURLFetcher]]) -> None:
        self._waiting = jobs[::-1]  # popped from the end: the first job starts first
        self._children: list[_Child] = []

    def __enter__(self) -> PdfBatch:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def start_waiting(self) -> None:
        """Start waiting jobs while fewer than ``MAX_CHILDREN`` children are rendering."""
        while self._waiting and sum(c.pdf is None for c in self._children) < MAX_CHILDREN:
            self._children.append(_Child(*self._waiting.pop()))

    def results(self) -> list[bytes]:
        """Every job's PDF, in order, once all children have answered."""
        try:
            while running := {c.receiver: c for c in self._children if c.pdf is None}:
                first = min(running.values(), key=lambda c: c.deadline)
                ready = wait(list(running), timeout=max(0.0, first.deadline - time.monotonic()))
                if not ready:
                    raise PdfRenderError(f"Rendering the PDF took longer than {first.timeout:g} s.")
                for receiver in ready:
                    running[receiver].collect()
                self.start_waiting()
        except BaseException:
            self.close()
            raise
        self.close(grace=1.0)  # children that have answered are on their way out
        return [child.pdf for child in self._children if child.pdf is not None]

    def close(self, *, grace: float = 0.0) -> None:
        """Stop and reap every child; jobs not started yet never will be."""
        self._waiting.clear()
        for child in self._children:
            child.stop(grace=grace)


class _Child:
    """One forked renderer and the end of the pipe its result comes through."""

    def __init__(self, job: PdfJob, fetcher: NoticeURLFetcher) -> None:
        timeout = job.timeout
        if timeout is None:
            timeout = float(getattr(settings, "PDF_RENDER_TIMEOUT", DEFAULT_TIMEOUT))
        self.timeout = timeout
        self.pdf: bytes | None = None
        self.stopped = False
        context = multiprocessing.get_context("fork")
        self.receiver, sender = context.Pipe(duplex=False)
        self.process = context.Process(
            target=_render_in_child, args=(job.html, fetcher, sender), name="pdf-render"
        )
        self.process.daemon = True
        try:
            self.process.start()
        except OSError as error:  # out of processes or memory
            self.receiver.close()
            raise PdfRenderError(f"Could not start the PDF renderer: {error}") from error
        finally:
            # Keep only the child's copy of the sending end, so its death reads as EOF here.
            sender.close()
        self.deadline = time.monotonic() + timeout

    def collect(self) -> None:
        """Read the child's answer (it is ready): keep the PDF or raise PdfRenderError."""
        try:
            outcome, payload = self.receiver.recv()
        except EOFError:
            self.process.join(timeout=1)
            raise PdfRenderError(
                f"The PDF renderer stopped without a result (exit code {self.process.exitcode})."
            ) from None
        if outcome != "pdf":
            raise PdfRenderError(payload)
        self.pdf = payload

    def stop(self, *, grace: float) -> None:
        """Close the pipe and reap the child, killing it if it runs after ``grace`` s."""
        if self.stopped:
            return
        self.stopped = True
        self.receiver.close()
        _stop(self.process, grace=grace)


def _warm_up() -> None:
    """Render a fixed tiny document in this process once, before the first fork.

    A process's first render pays for lazy imports (fontTools table modules) and
    font loading: about 80 ms. A cold parent would make every child pay it again;
    after this, children inherit it, and the font configuration it used. The lock
    keeps other threads from forking while WeasyPrint runs here (a fork would copy
    its half-held locks).
    """
    global _warmed_up, _font_config
    with _warm_up_lock:
        if _warmed_up:
            return
        font_config = FontConfiguration()
        try:
            render_pdf_in_process(
                _WARM_UP_HTML % languages.default(),
                fetcher=NoticeURLFetcher(),
                font_config=font_config,
            )
        except Exception:  # a real render will report the same problem, in the child
            logger.exception("Warming up the PDF renderer failed")
        else:
            _font_config = font_config
        _warmed_up = True


def _render_in_child(html: str, fetcher: NoticeURLFetcher, sender: Connection) -> None:
    """Render and send ``("pdf", bytes)`` or ``("error", message)`` to the parent.

    Errors travel as text: an arbitrary exception object may not survive pickling.
    SOURCE_DATE_EPOCH pins the timestamp fontTools writes into every embedded font
    subset, so the same HTML gives the same bytes (set here: it is this process's
    own environment). gc.freeze() keeps the garbage collector off the inherited
    heap: scanning it would copy every page of the parent and cost tens of ms.
    The niceness is raised first, so on a busy machine readers' requests run
    before a publish's PDF (only this process: the worker that forked it keeps
    serving at its own priority).
    """
    os.nice(RENDER_NICENESS)
    gc.freeze()
    os.environ.setdefault("SOURCE_DATE_EPOCH", "0")
    try:
        message = ("pdf", render_pdf_in_process(html, fetcher=fetcher, font_config=_font_config))
    except BaseException as error:  # the parent reports every failure as PdfRenderError
        message = ("error", f"{type(error).__name__}: {error}")
    sender.send(message)
    sender.close()


def render_pdf_in_process(
    html: str, *, fetcher: NoticeURLFetcher, font_config: FontConfiguration | None = None
) -> bytes:
    """Render in this process, without a time limit; ``render_pdf`` calls it in a child.

    Public for measuring and for callers that already run in a sandbox of their own.
    ``font_config`` may be reused between renders of one thread (None: a new one).
    """
    document = HTML(string=html, base_url=RENDER_BASE_URL, url_fetcher=fetcher)
    _drop_attachment_links(document)
    # pdf/ua-1 turns on pdf_tags and PDF 1.7. Title, author and language are written
    # from the HTML by default; no other option is needed for them. attachments=None
    # adds no files of our own.
    return document.write_pdf(pdf_variant=PDF_VARIANT, attachments=None, font_config=font_config)


def _drop_attachment_links(document: HTML) -> None:
    """Remove the ``attachment`` link type from every element of the parsed document.

    WeasyPrint 70 embeds the target of ``<a rel=attachment>`` and
    ``<link rel=attachment>`` in the PDF and has no option to turn that off. The
    fetcher alone would still let a static file or the logo be embedded, so the
    link type goes before rendering; the rest of ``rel`` (``stylesheet``) stays.
    """
    for element in document.etree_element.iter():
        rel = element.get("rel")
        if rel is None:
            continue
        tokens = _REL_TOKENS.findall(rel)
        kept = [token for token in tokens if token.lower() != "attachment"]
        if len(kept) != len(tokens):
            element.set("rel", " ".join(kept))


def _stop(child: BaseProcess, *, grace: float) -> None:
    """Reap the child, killing it if it still runs after ``grace`` seconds.

    SIGKILL rather than SIGTERM: the child inherited the parent's Python signal
    handlers (gunicorn's, say), which must not run in it.
    """
    child.join(timeout=grace)
    if child.is_alive():
        child.kill()
        child.join()
    child.close()


class NoticeURLFetcher(URLFetcher):
    """Serve static files and the named media files; refuse every other URL.

    Decisions are made on the URL WeasyPrint resolved against ``RENDER_BASE_URL``:

    * ``<base>/static/<name>``: ``staticfiles_storage`` if it has the (possibly
      hashed) name, else the staticfiles finders; the file must lie inside a static
      root after symlinks are resolved.
    * ``<base>/media/<name>``: only if ``<name>`` is one of ``media_files``, read
      through ``default_storage``.
    * anything else (``file:``, ``data:``, ``http:``, other hosts or paths): refused.

    Names with ``..``, ``.`` or empty segments, backslashes, control characters or
    NUL are refused both before and after percent-decoding, and a name that still
    holds ``%`` after decoding (double encoding) is refused too. Nothing is fetched
    over a network, so there are no redirects to follow.
    """

    def __init__(self, *, media_files: Collection[str] = ()) -> None:
        # The urllib machinery of the base class is never used; allow it nothing anyway.
        super().__init__(allowed_protocols=(), allow_redirects=False)
        self._media_files = frozenset(media_files)
        for name in self._media_files:
            if not _is_safe_name(name):
                raise PdfRenderError(f"Refusing unsafe media file name {name!r}.")
        # Derived from the settings the templates use, so "/static/..." resolves here.
        self._static_prefix = urljoin(RENDER_BASE_URL, settings.STATIC_URL)
        self._media_prefix = urljoin(RENDER_BASE_URL, settings.MEDIA_URL)

    def fetch(self, url: str, headers: dict[str, str] | None = None) -> URLFetcherResponse:
        """Return the resource at ``url`` or raise ``RefusedURL``."""
        # Queries and fragments ("font.woff2?#iefix", "icons.svg#logo") select nothing
        # in a file we read by name.
        bare = url.split("#", 1)[0].split("?", 1)[0]
        if bare.startswith(self._static_prefix):
            name = _decoded_name(url, bare[len(self._static_prefix) :])
            body = _read_static(url, name)
        elif bare.startswith(self._media_prefix):
            name = _decoded_name(url, bare[len(self._media_prefix) :])
            if name not in self._media_files:
                raise RefusedURL(f"Media file not allowed for this document: {_short(url)}")
            body = _read_from_storage(default_storage, name)
        else:
            raise RefusedURL(f"Not a static or allowed media URL: {_short(url)}")
        mime_type = mimetypes.guess_type(name)[0] or "application/octet-stream"
        return URLFetcherResponse(url, body=body, headers={"Content-Type": mime_type})


def _decoded_name(url: str, raw: str) -> str:
    """The storage name in the path ``raw``, checked before and after percent-decoding."""
    name = unquote(raw)
    if not (_is_safe_name(raw) and _is_safe_name(name)) or "%" in name:
        raise RefusedURL(f"Unsafe file name in {_short(url)}")
    return name


def _is_safe_name(name: str) -> bool:
    """Whether ``name`` is a plain relative path that cannot leave its root."""
    if not isinstance(name, str) or not name or _FORBIDDEN_CHARACTERS.search(name):
        return False
    return all(segment not in {"", ".", ".."} for segment in name.split("/"))


def _read_static(url: str, name: str) -> bytes:
    """Read a static file: collected (possibly hashed) first, else from the finders."""
    if staticfiles_storage.exists(name):
        return _read_from_storage(staticfiles_storage, name)
    path = finders.find(name)
    if not path:
        raise RefusedURL(f"No such static file: {_short(url)}")
    roots = [
        storage.location
        for finder in finders.get_finders()
        for storage in getattr(finder, "storages", {}).values()
    ]
    real_path = os.path.realpath(path)
    if not any(_is_inside(real_path, root) for root in roots):
        raise RefusedURL(f"Static file outside the static roots: {_short(url)}")
    with open(real_path, "rb") as file:
        return file.read()


def _read_from_storage(storage: Storage, name: str) -> bytes:
    """Read ``name`` from ``storage``, refusing local files that resolve outside it."""
    try:
        path = storage.path(name)
    except NotImplementedError:
        pass  # a remote storage: no symlinks to follow out of it
    else:
        if not _is_inside(os.path.realpath(path), storage.path("")):
            raise RefusedURL(f"File outside its storage: {name!r}")
    with storage.open(name, "rb") as file:
        return file.read()


def _is_inside(real_path: str, root: str | os.PathLike[str]) -> bool:
    real_root = os.path.realpath(root)
    return os.path.commonpath([real_path, real_root]) == real_root


def _short(url: str) -> str:
    if len(url) <= _LOGGED_URL_LENGTH:
        return repr(url)
    return repr(url[:_LOGGED_URL_LENGTH] + "...")
