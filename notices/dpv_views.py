"""The DPV (JSON-LD) export of published versions, built from the stored snapshot.

A version is immutable, so its document is built once per process and
language and kept in a bounded cache of bytes (``CACHE_SIZE`` documents). A
request makes one query (the version's number, hash and date); the first
request for a version in a process makes one more (its snapshot).
"""

from __future__ import annotations

import functools

from django.http import Http404, HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.cache import get_conditional_response
from django.utils.http import http_date
from django.utils.translation import gettext as _

from .dpv import DPV_FORMAT, dpv_bytes
from .in_force import in_force_q
from .models import NoticeVersion
from .views import CURRENT_CACHE, VERSION_CACHE, Gone, _public

CACHE_SIZE = 256
CONTENT_TYPE = "application/ld+json; charset=utf-8"


@functools.lru_cache(maxsize=CACHE_SIZE)
def _document(version_id: int, language: str) -> bytes:
    """The document of one version in one language (its snapshot is read only here)."""
    version = NoticeVersion.objects.only("number", "published_at", "content_hash", "snapshot").get(
        pk=version_id
    )
    return dpv_bytes(
        version.snapshot,
        language=language,
        version={
            "number": version.number,
            "published_at": version.published_at.isoformat(),
            "content_hash": version.content_hash,
        },
    )


def _version(lang: str, controller: str, register: str, number: int | None) -> dict:
    """The version asked for, in one query; 404 unless published in ``lang``, 410 offline.

    The current address answers with the version in force now (``notices.in_force``),
    like notice.json.
    """
    rows = NoticeVersion.objects.filter(
        register__controller__slug=controller, register__slug=register
    ).order_by("-number")
    if number is not None:
        rows = rows.filter(number=number)
    else:
        rows = rows.filter(in_force_q(timezone.now()))
    found = rows.values(
        "pk", "number", "published_at", "content_hash", "register__is_online", "snapshot__languages"
    ).first()
    if found is None or lang not in (found["snapshot__languages"] or []):
        raise Http404(_("No published notice here."))
    if not found["register__is_online"]:
        raise Gone
    return found


def _respond(request: HttpRequest, lang: str, found: dict, cache: str) -> HttpResponse:
    etag = f'"{found["content_hash"][:40]}-dpv{DPV_FORMAT}-{lang}"'
    published = int(found["published_at"].timestamp())
    headers = {
        "ETag": etag,
        "Last-Modified": http_date(published),
        "Cache-Control": cache,
        "Content-Language": lang,
        "Access-Control-Allow-Origin": "*",
    }
    response = get_conditional_response(request, etag=etag, last_modified=published)
    if response is None:
        response = HttpResponse(_document(found["pk"], lang), content_type=CONTENT_TYPE)
    for name, value in headers.items():
        response[name] = value
    return response


@_public
def current(request: HttpRequest, lang: str, controller: str, register: str) -> HttpResponse:
    """The current version in DPV's JSON-LD."""
    found = _version(lang, controller, register, None)
    return _respond(request, lang, found, CURRENT_CACHE)


@_public
def version(
    request: HttpRequest, lang: str, controller: str, register: str, number: int
) -> HttpResponse:
    """Version ``number`` in DPV's JSON-LD, at its permanent address."""
    found = _version(lang, controller, register, number)
    return _respond(request, lang, found, VERSION_CACHE)
