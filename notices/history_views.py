"""A notice's history for readers: two versions compared, Atom feeds, the version in force.

Published versions never change, so the comparison of versions a and b in a
language is a pure function of the two: it is rendered once per process and
kept, bytes and ETag, in a small bounded LRU cache (``COMPARISONS``). A
repeat request reads one row per version (no snapshot) to learn that both
exist, are this register's and publish the language, then serves the kept bytes.

These are public views like those of ``views``: GET and HEAD only, one address
each (``views._public``), 410 when the register is offline.
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections import OrderedDict
from collections.abc import Callable
from datetime import date
from typing import Any

from django.db.models import Exists, OuterRef
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponsePermanentRedirect,
    HttpResponseRedirect,
)
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.cache import get_conditional_response
from django.utils.http import http_date
from django.utils.translation import gettext as _

from . import changes, comparison, feeds, languages, public
from .in_force import version_in_force
from .models import NoticeRendering, NoticeVersion
from .public_cache import keep
from .rendering import VersionInfo, context, public_urls, version_urls
from .templatetags.notice_tags import in_language
from .views import CURRENT_CACHE, VERSION_CACHE, Gone, _public

# How long a shared cache may keep an `at/<date>/` answer: a publish changes today's.
IN_FORCE_CACHE = "public, max-age=60"


class BoundedCache:
    """A thread-safe least-recently-used mapping of at most ``size`` entries."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._entries: OrderedDict[tuple, tuple] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: tuple) -> tuple | None:
        with self._lock:
            found = self._entries.get(key)
            if found is not None:
                self._entries.move_to_end(key)
            return found

    def put(self, key: tuple, value: tuple) -> None:
        with self._lock:
            self._entries[key] = value
            self._entries.move_to_end(key)
            while len(self._entries) > self.size:
                self._entries.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()

    def __len__(self) -> int:
        return len(self._entries)


# A comparison page is some tens of kilobytes: 256 of them stay under ~25 MB a process.
COMPARISONS = BoundedCache(256)


# --- Comparing two versions -----------------------------------------------------------


@_public
def compare(
    request: HttpRequest, lang: str, controller: str, register: str, old: int, new: int
) -> HttpResponse:
    """Version ``old`` and version ``new`` side by side: what was added, removed, changed."""
    if old == new:
        raise Http404(_("No published notice here."))
    if old > new:
        kwargs = {"lang": lang, "controller": controller, "register": register}
        return HttpResponsePermanentRedirect(
            reverse("notices:compare", kwargs={**kwargs, "old": new, "new": old})
        )
    first, second = public.version_pair(lang, controller, register, old, new)
    key = (lang, controller, register, first.pk, first.content_hash, second.pk, second.content_hash)
    cached = COMPARISONS.get(key)
    if cached is None:
        body = _render_comparison(lang, (controller, register), first, second).encode()
        cached = (body, f'"{hashlib.sha256(body).hexdigest()[:40]}"')
        COMPARISONS.put(key, cached)
    body, etag = cached
    response = HttpResponse(body, content_type="text/html; charset=utf-8")
    response["Cache-Control"] = VERSION_CACHE
    response["ETag"] = etag
    response["Content-Language"] = lang
    published = int(second.published_at.timestamp())
    response["Last-Modified"] = http_date(published)
    return keep(
        get_conditional_response(request, etag=etag, last_modified=published, response=response)
    )


def _render_comparison(
    lang: str, slugs: tuple[str, str], first: public.VersionRow, second: public.VersionRow
) -> str:
    """The comparison page (two more queries: the snapshots, the summaries between).

    Links use the address's ``slugs``, which may have changed since the snapshots.
    """
    snapshots = dict(
        NoticeVersion.objects.filter(pk__in=[first.pk, second.pk]).values_list("pk", "snapshot")
    )
    summaries = list(
        NoticeVersion.objects.filter(
            register_id=first.register_id, number__gt=first.number, number__lte=second.number
        )
        .order_by("-number")
        .values("number", "published_at", "summary")
    )
    old, new = snapshots[first.pk], snapshots[second.pk]
    with translation.override(lang):
        info = VersionInfo(second.number, second.published_at, second.published_at)
        page = context(new, lang, info, [], "page")
        sections = comparison.compare(old, new, lang)
        page.update(
            _comparison_context(lang, slugs, (first, second), (old, new), sections, summaries)
        )
        return render_to_string("notices/compare.html", page)


def _comparison_context(
    lang: str,
    slugs: tuple[str, str],
    versions: tuple[public.VersionRow, public.VersionRow],
    snapshots: tuple[dict[str, Any], dict[str, Any]],
    sections: list[comparison.SectionDiff],
    summaries: list[dict[str, Any]],
) -> dict[str, Any]:
    """What compare.html adds to a notice page's context (inside translation.override)."""
    first, second = versions
    old, new = snapshots
    common = [code for code in languages.ordered(old["languages"]) if code in new["languages"]]
    entries = [item.change for section in sections for item in section.items]
    pair = {"old": first.number, "new": second.number}
    kwargs = {"controller": slugs[0], "register": slugs[1], **pair}
    return {
        "old": {"number": first.number, "published_at": first.published_at}
        | version_urls(*slugs, lang, first.number),
        "new": {"number": second.number, "published_at": second.published_at}
        | version_urls(*slugs, lang, second.number),
        "urls": public_urls(*slugs, lang),
        "sections": sections,
        "substantive": [change for change in entries if change["substantive"]],
        "counts": {kind: sum(c["kind"] == kind for c in entries) for kind in changes.KINDS},
        "summaries": [{**row, "summary": in_language(row["summary"])} for row in summaries],
        "alternates": [
            {
                "lang": code,
                "name": languages.native_name(code),
                "url": reverse("notices:compare", kwargs={**kwargs, "lang": code}),
            }
            for code in common
            if code != lang
        ],
    }


# --- Feeds ------------------------------------------------------------------------------


def _feed_response(
    request: HttpRequest, lang: str, key: tuple, build: Callable[[], feeds.Source]
) -> HttpResponse:
    """The feed whose signature is ``key`` (``public.feed_signature``), rendered once per
    process for each signature and address (its links name the host it was asked on)."""
    cache_key = (request.scheme, request.get_host(), request.path, lang, *key)
    cached = FEEDS.get(cache_key)
    if cached is None:
        with translation.override(lang):
            rendered = feeds.VersionFeed()(request, build())
        body = rendered.content
        etag = f'"{hashlib.sha256(body).hexdigest()[:40]}"'
        cached = (body, etag, rendered["Content-Type"], rendered.get("Last-Modified"))
        FEEDS.put(cache_key, cached)
    body, etag, content_type, last_modified = cached
    response = HttpResponse(body, content_type=content_type)
    if last_modified is not None:
        response["Last-Modified"] = last_modified
    response["ETag"] = etag
    response["Cache-Control"] = CURRENT_CACHE
    response["Content-Language"] = lang
    return keep(get_conditional_response(request, etag=etag, response=response))


# A feed is some kilobytes to some tens of them (50 entries at most).
FEEDS = BoundedCache(512)


@_public
def notice_feed(request: HttpRequest, lang: str, controller: str, register: str) -> HttpResponse:
    """The notice's versions in ``lang`` as an Atom feed (latest 50)."""
    key = public.feed_signature(lang, controller, register)
    return _feed_response(
        request, lang, key, lambda: feeds.notice_source(request, lang, controller, register)
    )


@_public
def company_feed(request: HttpRequest, lang: str, controller: str) -> HttpResponse:
    """The versions of every online notice of the company in ``lang`` (latest 50)."""
    key = public.feed_signature(lang, controller, None)
    return _feed_response(
        request, lang, key, lambda: feeds.company_source(request, lang, controller)
    )


# --- The version in force on a date ---------------------------------------------------


def _in_force(lang: str, controller: str, register: str, day: date) -> NoticeVersion | None:
    """The version in force on ``day`` if it publishes ``lang`` (one query).

    None before the first version, and when the version then in force was not
    published in ``lang`` (an earlier one that was is not the one in force).
    """
    in_language = NoticeRendering.objects.filter(version=OuterRef("pk"), language=lang)
    versions = (
        NoticeVersion.objects.filter(register__controller__slug=controller, register__slug=register)
        .select_related("register")
        .annotate(in_language=Exists(in_language))
        .only("number", "published_at", "effective_at", "register__is_online")
    )
    found = version_in_force(versions, day)
    if found is not None and not found.register.is_online:
        raise Gone
    return found if found is not None and found.in_language else None


def _not_in_force(
    request: HttpRequest, lang: str, controller: str, register: str, day: date
) -> HttpResponse:
    """The translated 404 of a day before the notice's first version."""
    with translation.override(lang):
        response = render(
            request,
            "notices/not_in_force.html",
            {
                "lang": lang,
                "day": day,
                "urls": public_urls(controller, register, lang),
            },
        )
    response.status_code = 404
    response["Cache-Control"] = IN_FORCE_CACHE
    return response


@_public
def in_force(
    request: HttpRequest, lang: str, controller: str, register: str, day: date
) -> HttpResponse:
    """A redirect (302) to the version in force on ``day``; 404 before the first version."""
    found = _in_force(lang, controller, register, day)
    if found is None:
        return _not_in_force(request, lang, controller, register, day)
    urls = version_urls(controller, register, lang, found.number)
    response = HttpResponseRedirect(urls["page"])
    response["Cache-Control"] = IN_FORCE_CACHE
    return response


# A redirect is not what config.middleware.PublicFastPath answers: it would look the
# version up, hand the request to the whole chain and look it up again.
in_force.public_fast_path = False  # type: ignore[attr-defined]


@_public
def in_force_json(
    request: HttpRequest, lang: str, controller: str, register: str, day: date
) -> HttpResponse:
    """The version in force on ``day`` as JSON: its number, date and permanent addresses."""
    found = _in_force(lang, controller, register, day)
    if found is None:
        with translation.override(lang):
            document = {"date": day.isoformat(), "error": _("No version was in force on this day.")}
        status = 404
    else:
        urls = version_urls(controller, register, lang, found.number)
        document = {
            "date": day.isoformat(),
            "language": lang,
            "version": found.number,
            "published_at": found.published_at.isoformat(),
            "url": request.build_absolute_uri(urls["page"]),
            "pdf_url": request.build_absolute_uri(urls["pdf"]),
        }
        status = 200
    response = HttpResponse(
        json.dumps(document, ensure_ascii=False),
        content_type="application/json; charset=utf-8",
        status=status,
    )
    response["Cache-Control"] = IN_FORCE_CACHE
    response["Access-Control-Allow-Origin"] = "*"
    return response
