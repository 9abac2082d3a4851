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
  replaces a small file, a *stamp*: the company's own
  (``<stamp>.d/<company slug>``) for what changes only that company's addresses
  (its registers, versions, renderings, change logs, the online switch), the
  global one (``PUBLIC_CACHE_STAMP``, by default ``MEDIA_ROOT/.public-changed``)
  for the company row itself (its slug, name or embedding origins) and the bulk
  writers of the bench. Model signals do it (``follow``), and the writers that
  use ``update()`` call ``changed``. A stamp is replaced at once and again when
  the transaction commits, so a reader that looked in between asks again. A kept
  response remembers both stamps it was made under (each file's inode and
  modification time: two ``stat``), read before its view's query; any other
  stamp means it is not used. So one company's publish leaves every other
  company's kept answers in use. Every public address names its company's slug
  (the route's ``controller``), and a view answers 200 only for the company of
  exactly that slug. The stamps live beside the stored PDFs, which every server
  of a deployment already shares.
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

import functools
import logging
import os
import re
import tempfile
import threading
import time
from collections import OrderedDict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, TypeGuard

from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist
from django.core.signals import setting_changed
from django.db import transaction
from django.db.models import Model
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse

logger = logging.getLogger(__name__)

STAMP_NAME = ".public-changed"
# A response larger than this share of the budget is not kept.
LARGEST_SHARE = 8


def stamp_path() -> Path:
    """The global stamp: replaced when any company's public answers may have changed."""
    return Path(_stamp_files()[0])


def _scope_path(scope: str) -> Path:
    """The stamp of one company's addresses, by its slug."""
    return Path(_stamp_files()[1] + scope)


def _stamp_files() -> tuple[str, str]:
    """The global stamp's file name and the prefix of the companies' (their folder)."""
    return _stamp_names(getattr(settings, "PUBLIC_CACHE_STAMP", ""), str(settings.MEDIA_ROOT))


@functools.lru_cache(maxsize=16)
def _stamp_names(configured: str, media_root: str) -> tuple[str, str]:
    """Made once per setting: building paths cost more than the two ``stat`` calls of a
    request."""
    name = configured or os.path.join(media_root, STAMP_NAME)
    return name, os.path.join(name + ".d", "")


def _is_scope(scope: object) -> TypeGuard[str]:
    """A slug that names a file of its own (no separator, not hidden)."""
    return isinstance(scope, str) and _SCOPE.fullmatch(scope) is not None


_SCOPE = re.compile(r"[A-Za-z0-9_][-A-Za-z0-9_]{0,199}")


def _stat(name: str) -> tuple[int, int]:
    try:
        found = os.stat(name)
    except FileNotFoundError:
        return (0, 0)
    return (found.st_ino, found.st_mtime_ns)


def current_stamp(scope: str | None = None) -> tuple[int, ...]:
    """What the stamps are now: the global one's inode and modification time, and
    the company's (``scope``, a slug) after them; (0, 0) for a file not made yet."""
    if not _is_scope(scope):
        return _stat(_stamp_files()[0])
    return _stamps(scope)


def _stamps(scope: str) -> tuple[int, int, int, int]:
    """The global stamp and the company's, for a scope already checked."""
    name, folder = _stamp_files()
    return _stat(name) + _stat(folder + scope)


def _replace_stamp(scope: str | None = None) -> None:
    """Replace a stamp file by a new one (a new inode): the global one, or the
    company's; every response kept under the old one is stale."""
    path = _scope_path(scope) if scope is not None else stamp_path()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}-")
        with os.fdopen(handle, "w") as written:
            written.write(f"{time.time_ns()} {os.getpid()}\n")
        os.replace(temporary, path)
    except OSError:
        # Publishing does not fail for it; the kept responses expire within
        # PUBLIC_CACHE_SECONDS instead of at once.
        logger.exception("Could not replace the public cache stamp %s", path)


_batch = threading.local()


def changed(scope: str | None = None) -> None:
    """Say that public answers may have changed (a company's, by its slug; None: any
    company's): now, and when the transaction commits (within ``changes_batched``:
    once for each scope, at its end)."""
    if scope is not None and not _is_scope(scope):
        scope = None  # not a name of its own: every company's answers
    pending: set[str | None] | None = getattr(_batch, "scopes", None)
    if pending is not None:
        pending.add(scope)
        return
    _replace_stamp(scope)
    if transaction.get_connection().in_atomic_block:
        transaction.on_commit(lambda: _replace_stamp(scope))


@contextmanager
def changes_batched() -> Iterator[None]:
    """Within: the changes of a bulk write (a restore's thousands of rows) are said
    once for each company at the end, not once for each row saved (a stamp
    replaced and a commit hook kept per row). Call it inside the write's
    transaction: the stamps are then replaced before and again after the commit.
    """
    if getattr(_batch, "scopes", None) is not None:
        yield  # an outer batch says them
        return
    _batch.scopes = set()
    try:
        yield
    finally:
        scopes, _batch.scopes = _batch.scopes, None
        for scope in scopes:
            changed(scope)


def follow(model: type[Model], *to_company: str, deletes: bool = False) -> None:
    """Make a saved (and with ``deletes``, a deleted) row of ``model`` change public
    answers: its company's, reached through the relations ``to_company`` (none:
    the row is a company, whose slug, name and origins any kept answer may show,
    so every company's)."""

    def receiver(*, instance: Model, **_kwargs: object) -> None:
        changed(_company_slug(instance, to_company))

    post_save.connect(receiver, sender=model, weak=False, dispatch_uid=f"public-{model}")
    if deletes:
        post_delete.connect(receiver, sender=model, weak=False, dispatch_uid=f"public-del-{model}")


def _company_slug(instance: Model, to_company: tuple[str, ...]) -> str | None:
    """The slug of the company ``instance`` belongs to (None: every company's)."""
    if not to_company:
        return None
    found: Any = instance
    try:
        for name in to_company:
            found = getattr(found, name)
    except ObjectDoesNotExist:  # a company deleted with its registers: every company's
        return None
    return found.slug


@dataclass(frozen=True, slots=True)
class Kept:
    stamp: tuple[int, ...]
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
        self, request: HttpRequest, host: str, scope: str | None
    ) -> tuple[HttpResponse | None, tuple[int, ...] | None]:
        """The kept response to ``request`` for ``host`` (its validated ``get_host()``;
        None: ask its view), and the stamps now: the global one and the company's
        (``scope``, the slug in the address; an address without one is never kept,
        since only the global stamp would follow its changes: stamp None).

        The stamps are read before the view's query runs, so a response kept under
        them is never newer than they say.
        """
        if not _is_scope(scope):
            return None, None  # an address that names no company is never kept
        stamp = _stamps(scope)
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
        self,
        request: HttpRequest,
        host: str,
        response: HttpResponse,
        stamp: tuple[int, ...] | None,
    ) -> None:
        """Keep ``response`` for ``request`` if its view allowed it, made under ``stamp``."""
        seconds = settings.PUBLIC_CACHE_SECONDS
        allowed = getattr(response, "keep_until", False)
        if (
            allowed is False
            or stamp is None
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
