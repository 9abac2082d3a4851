"""Requests the database cannot serve: NUL characters in the address, and outages.

``DatabaseGuardMiddleware`` does two things:

* A request whose path or query string holds a NUL character is refused with
  400 Bad Request before any view runs. No text column can hold NUL (PostgreSQL
  refuses it outright), so an admin search or filter such as ``?q=%00`` would
  otherwise end in a server error; a browser never sends one.
* A view that fails because the database is unreachable or its connection broke
  (``django.db.OperationalError`` or ``InterfaceError``) answers 503 Service
  Unavailable with a short translated page and ``Retry-After``, instead of a
  stack trace or a bare 500. A connection that is no longer usable is closed at
  once, so the next request of this worker connects afresh (``CONN_MAX_AGE`` keeps
  connections open between requests, and a test client or a worker that does not
  send the request signals would otherwise keep reusing the broken one).
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable

from django.core.exceptions import SuspiciousOperation
from django.db import InterfaceError, OperationalError, connections
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.utils import translation

from . import languages

logger = logging.getLogger(__name__)

RETRY_AFTER_SECONDS = 30


class NulCharacterInRequest(SuspiciousOperation):
    """The request's path or query string holds a NUL character (answered 400)."""


class DatabaseGuardMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if "\x00" in request.path or any(
            "\x00" in key or any("\x00" in value for value in values)
            for key, values in request.GET.lists()
        ):
            raise NulCharacterInRequest("NUL character in the request's address")
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not isinstance(exception, OperationalError | InterfaceError):
            return None
        logger.error(
            "Database unavailable while serving %s: answering 503",
            request.path,
            exc_info=exception,
        )
        close_broken_connections()
        return service_unavailable(request)


def close_broken_connections() -> None:
    """Close every open connection of this thread that can no longer be used.

    Connections inside a transaction are left to the transaction's own rollback.
    """
    for connection in connections.all(initialized_only=True):
        if connection.connection is None or connection.in_atomic_block:
            continue
        try:
            usable = connection.is_usable()
        except Exception:  # a broken connection may fail even to say so
            usable = False
        if not usable:
            with contextlib.suppress(Exception):
                connection.close()


def service_unavailable(request: HttpRequest) -> HttpResponse:
    """The 503 page, in the language of the public address or else of the request.

    Rendered without the request, so no context processor touches the database.
    """
    match = request.resolver_match
    language = match.kwargs.get("lang") if match is not None else None
    if language not in languages.codes():
        language = translation.get_language()
        language = language if language in languages.codes() else languages.default()
    with translation.override(language):
        body = render_to_string("503.html", {"lang": language})
    response = HttpResponse(body, status=503, content_type="text/html; charset=utf-8")
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    response["Content-Language"] = language
    return response
