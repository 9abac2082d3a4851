"""Whole public responses kept by each process until what makes them current changes.

A public address serves bytes stored at publishing time; which bytes, and whether
at all, changes only when a publisher publishes, takes a notice offline, edits
the company or the register, or when a version announced ahead comes into force.
Looking that up costs one query (``notices.public``), and on PostgreSQL the round
trip and the driver cost more than the rest of the request. So each process
keeps the final 200 response of an unconditional GET (headers and body) by
scheme, host and path, and answers the next request for it without a query, as
long as all of these hold:

* **Nothing changed since.** Every write that can change a public answer
  replaces one small file, the *stamp* (``PUBLIC_CACHE_STAMP``, by default
  ``MEDIA_ROOT/.public-changed``): the model signals of the company, the register,
  a version, a rendering and a change log (``changed_by_save``), publishing and the
  online switch (which write with ``update()``), and the bulk writers of the bench.
  It is replaced at once and again when the transaction commits, so a reader that
  looked in between asks again. A kept response remembers the stamp it was made
  under (the file's inode and modification time, one ``stat``); another stamp
  means it is not used. The stamp lives beside the stored PDFs, which every
  server of a deployment already shares.
* **No version comes into force meanwhile.** A view that keeps its response says
  until when it holds (``keep_until``): a notice's responses until a version
  announced ahead is near (its ``Cache-Control`` then counts the seconds left), the
  company index until the company's next version comes into force.
* **At most ``PUBLIC_CACHE_SECONDS`` old** (default 2 s; 0 keeps nothing): a net
  for a change made outside the application (an operator's SQL), never the rule.

Nothing else is kept: conditional requests, HEAD, addresses with a query string,
errors, redirects and 404/410 answers go through the views every time. The
responses are kept within a byte budget per process (``PUBLIC_CACHE_BYTES``),
least recently used first.
"""

from __future__ import annotations

import logging
import os
import tempfile
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from django.conf import settings
from django.core.signals import setting_changed
from django.db import transaction
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse

logger = logging.getLogger(__name__)

STAMP_NAME = ".public-changed"
# A response larger than this share of the budget is not kept.
LARGEST_SHARE = 8


def stamp_path() -> Path:
    configured = getattr(settings, "PUBLIC_CACHE_STAMP", "")
    return Path(configured) if configured else Path(settings.MEDIA_ROOT) / STAMP_NAME


def current_stamp() -> tuple[int, int]:
    """What the stamp file is now: its inode and modification time (0, 0 if none yet)."""
    try:
        found = os.stat(stamp_path())
    except FileNotFoundError:
        return (0, 0)
    return (found.st_ino, found.st_mtime_ns)


def _replace_stamp() -> None:
    """Replace the stamp file by a new one (a new inode): every kept response is stale."""
    path = stamp_path()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".public-changed-")
        with os.fdopen(handle, "w") as written:
            written.write(f"{time.time_ns()} {os.getpid()}\n")
        os.replace(temporary, path)
    except OSError:
        # Publishing does not fail for it; the kept responses expire within
        # PUBLIC_CACHE_SECONDS instead of at once.
        logger.exception("Could not replace the public cache stamp %s", path)


def changed() -> None:
    """Say that public answers may have changed: now, and when the transaction commits."""
    _replace_stamp()
    if transaction.get_connection().in_atomic_block:
        transaction.on_commit(_replace_stamp)


def changed_by_save(**_kwargs: object) -> None:
    """A model signal's receiver (``notices.apps``): a saved or deleted row that a public
    answer reads."""
    changed()


@dataclass(frozen=True, slots=True)
class Kept:
    stamp: tuple[int, int]
    # time.time() after which the response is not used.
    until: float
    status: int
    headers: dict[str, str]
    body: bytes


class ResponseMemo:
    """Final public responses by (scheme, host, path), within a byte budget per process."""

    def __init__(self) -> None:
        self.size = 0
        self.entries: OrderedDict[tuple[str, str, str], Kept] = OrderedDict()
        self.lock = threading.Lock()

    def clear(self) -> None:
        with self.lock:
            self.entries.clear()
            self.size = 0

    def answer(
        self, request: HttpRequest, host: str
    ) -> tuple[HttpResponse | None, tuple[int, int]]:
        """The kept response to ``request`` for ``host`` (its validated ``get_host()``;
        None: ask its view), and the stamp now.

        The stamp is read before the view's query runs, so a response kept under it
        is never newer than the stamp says.
        """
        stamp = current_stamp()
        if request.method != "GET" or not _plain(request):
            return None, stamp
        key = _key(request, host)
        with self.lock:
            kept = self.entries.get(key)
            if kept is not None:
                self.entries.move_to_end(key)
        if kept is None or kept.stamp != stamp or _now() >= kept.until:
            return None, stamp
        return HttpResponse(kept.body, status=kept.status, headers=kept.headers), stamp

    def keep(
        self, request: HttpRequest, host: str, response: HttpResponse, stamp: tuple[int, int]
    ) -> None:
        """Keep ``response`` for ``request`` if its view allowed it, made under ``stamp``."""
        seconds = settings.PUBLIC_CACHE_SECONDS
        allowed = getattr(response, "keep_until", False)
        if (
            allowed is False
            or seconds <= 0
            or request.method != "GET"
            or response.status_code != 200
            or response.cookies
            or response.has_header("Vary")
            or not _plain(request)
        ):
            return
        until = _now() + seconds
        if allowed is not None:
            until = min(until, allowed.timestamp())
        if until <= _now():
            return
        if response.streaming:
            body = b"".join(response.streaming_content)
            response.streaming_content = [body]
        else:
            body = response.content
        budget = settings.PUBLIC_CACHE_BYTES
        if len(body) > budget // LARGEST_SHARE:
            return
        kept = Kept(stamp, until, response.status_code, dict(response.items()), body)
        key = _key(request, host)
        with self.lock:
            old = self.entries.pop(key, None)
            self.size -= len(old.body) if old else 0
            self.entries[key] = kept
            self.size += len(body)
            while self.size > budget and self.entries:
                _dropped_key, dropped = self.entries.popitem(last=False)
                self.size -= len(dropped.body)


def _now() -> float:
    """The clock kept responses expire by (a function of its own, for the tests' clock)."""
    return time.time()


def _key(request: HttpRequest, host: str) -> tuple[str, str, str]:
    """Scheme, host and the path as sent: ``%63ustomers`` is not ``customers`` (its view
    answers it with a redirect to the one address, which is not kept)."""
    meta = request.META
    return (request.scheme, host, meta.get("RAW_URI") or meta.get("REQUEST_URI") or request.path)


def _plain(request: HttpRequest) -> bool:
    """Neither a query string nor a conditional header: the same answer for everyone."""
    meta = request.META
    return not meta.get("QUERY_STRING") and not any(
        header in meta for header in CONDITIONAL_HEADERS
    )


CONDITIONAL_HEADERS = (
    "HTTP_IF_NONE_MATCH",
    "HTTP_IF_MODIFIED_SINCE",
    "HTTP_IF_MATCH",
    "HTTP_IF_UNMODIFIED_SINCE",
    "HTTP_RANGE",
)

RESPONSES = ResponseMemo()


def keep(response: HttpResponse, until: datetime | None = None) -> HttpResponse:
    """Let the process keep ``response`` (a public view's 200), until ``until`` at the latest."""
    response.keep_until = until
    return response


@receiver(setting_changed)
def _forget(*, setting: str, **_kwargs: object) -> None:
    """A changed setting (in tests) may change any answer: nothing kept is used again."""
    RESPONSES.clear()
