"""Public pages of published notices: stored bytes, served as they were rendered.

Every view here reads one row in one hand-written query (``notices.public``: a
rendering with what it needs of its version, register and company) and returns
its stored page, PDF or JSON, with a strong ETag, Last-Modified and caching
headers. No notice template is rendered on a public request, whatever the size
of the notice; a company's index page is rendered once per process for each
content it shows. ``config.middleware.PublicFastPath`` calls these views without
the middleware public pages do not need.
"""

from __future__ import annotations

import functools
import hashlib
import mimetypes
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from csp.constants import NONE
from django.core.files.storage import default_storage
from django.http import (
    FileResponse,
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponsePermanentRedirect,
    StreamingHttpResponse,
)
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.cache import get_conditional_response
from django.utils.html import format_html, format_html_join
from django.utils.http import content_disposition_header, http_date
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from controllers.validators import ORIGIN_RE

from . import languages, public
from .public import Gone, StoredRendering
from .public_cache import keep
from .rendering import (
    ARCHIVED_MARKER,
    brand_accent_color,
    brand_text_color,
    public_urls,
    version_urls,
)
from .services import pdf_download_name
from .templatetags.notice_tags import notice_date

CURRENT_CACHE = "public, max-age=300, stale-while-revalidate=60"
CURRENT_CACHE_SECONDS = 360  # how long CURRENT_CACHE lets a cache serve a response
# An earlier version's page gains a banner when the next version is published.
VERSION_CACHE = "public, max-age=3600"
_MARKER = ARCHIVED_MARKER.encode()


def _find(
    lang: str, controller: str, register: str, number: int | None, body: str
) -> StoredRendering:
    """The rendering asked for, in one query; 404 if not published, 410 if offline."""
    return public.find_rendering(lang, controller, register, number, body)


def _conditional(
    request: HttpRequest, response: HttpResponse, etag: str, changed_at: datetime, language: str
) -> HttpResponse:
    """ETag and Last-Modified on ``response``, or the 304 a conditional request gets instead."""
    seconds, last_modified = _http_date(changed_at)
    response["ETag"] = etag
    response["Last-Modified"] = last_modified
    answer = response
    if any(header in request.META for header in CONDITIONAL_HEADERS):
        answer = get_conditional_response(
            request, etag=etag, last_modified=seconds, response=response
        )
    # On a 304 too: LocaleMiddleware would otherwise fill in the visitor's language.
    answer["Content-Language"] = language
    return answer


# Without any of these a request is not conditional (django.utils.cache.get_conditional_response).
CONDITIONAL_HEADERS = (
    "HTTP_IF_NONE_MATCH",
    "HTTP_IF_MODIFIED_SINCE",
    "HTTP_IF_MATCH",
    "HTTP_IF_UNMODIFIED_SINCE",
)


@functools.lru_cache(maxsize=4096)
def _http_date(moment: datetime) -> tuple[int, str]:
    """A stored moment as whole seconds and as an HTTP date (made once per process)."""
    published = moment.timestamp()
    return int(published), http_date(published)


def _page(
    request: HttpRequest, rendering: StoredRendering, variant: str, cache: str
) -> HttpResponse:
    if cache == CURRENT_CACHE:
        cache = current_cache(rendering)
    body, etag, changed_at = _page_parts(rendering, variant)
    response = HttpResponse(body, content_type="text/html; charset=utf-8")
    response["Cache-Control"] = cache
    return _kept(_conditional(request, response, etag, changed_at, rendering.language), rendering)


def _kept(response: HttpResponse, rendering: StoredRendering) -> HttpResponse:
    """Let the process keep a notice's response (``notices.public_cache``) until a version
    announced ahead is close enough to change its banner or its ``Cache-Control``."""
    if rendering.coming_at is None:
        return keep(response)
    return keep(response, rendering.coming_at - timedelta(seconds=CURRENT_CACHE_SECONDS))


@functools.lru_cache(maxsize=1024)
def _page_parts(rendering: StoredRendering, variant: str) -> tuple[bytes, str, datetime]:
    """The page's bytes with its banners, its ETag and when it last changed.

    A pure function of the rendering's record, which holds everything the banners
    depend on (version in force, coming version, their languages), so it is made
    once per process for each record: the lookup gives back the same record as
    long as the database answers the same.
    """
    etag = f'"{rendering.html_hash[:40]}-{variant}"'
    body = rendering.body
    if variant == "version" and not rendering.is_current:
        body = _with_own_links(body, rendering)
    notice = _in_force_banner(rendering) if _MARKER in body else None
    if notice is not None and variant == "embed":
        # Inside a frame, a link opens in the whole window (the frame would refuse it).
        notice = notice.replace("<a href=", '<a target="_top" href=')
    if notice is not None:
        body = body.replace(_MARKER, notice.encode(), 1)
        etag = f'"{rendering.html_hash[:40]}-{variant}-{rendering.coming_number}"'
    archived = rendering.number < rendering.current_number and _MARKER in body
    if archived:
        banner = _archived_banner(
            rendering.controller,
            rendering.register,
            rendering.language,
            rendering.current_languages,
        )
        body = body.replace(_MARKER, banner.encode(), 1)
        etag = f'"{rendering.html_hash[:40]}-{variant}-{rendering.current_number}"'
    # An earlier version's page changed when the next version put a banner on it.
    return body, etag, rendering.current_published_at if archived else rendering.published_at


def _with_own_links(body: bytes, rendering: StoredRendering) -> bytes:
    """A version's page at its own address, its links kept to that version.

    The stored page was rendered as the current one: its PDF link and its links to
    the other languages lead to the current addresses, which serve another
    version once version n is no longer current (an earlier one, or one announced
    ahead). At ``versions/<n>/`` they then lead to version n's PDF and to version n
    in the other languages instead; while n is current the page is served as stored.
    """
    for current, own in _own_link_pairs(
        rendering.controller, rendering.register, rendering.language, rendering.number
    ):
        body = body.replace(current, own)
    return body


@functools.lru_cache(maxsize=1024)
def _own_link_pairs(
    controller: str, register: str, language: str, number: int
) -> tuple[tuple[bytes, bytes], ...]:
    """The current addresses in a stored page and version ``number``'s own (made once)."""
    pairs = [
        (
            public_urls(controller, register, language)["pdf"],
            version_urls(controller, register, language, number)["pdf"],
        )
    ]
    pairs += [
        (
            public_urls(controller, register, code)["detail"],
            version_urls(controller, register, code, number)["page"],
        )
        for code in languages.codes()
    ]
    return tuple((f'href="{old}"'.encode(), f'href="{new}"'.encode()) for old, new in pairs)


def current_cache(rendering: StoredRendering) -> str:
    """``CURRENT_CACHE``, unless a version comes into force before a cache would let go.

    A cache may keep a current response for max-age + stale-while-revalidate
    (360 s); when a version announced ahead is due sooner, max-age is the time
    left, so no cache serves this version past that moment.
    """
    if rendering.coming_at is None:
        return CURRENT_CACHE
    left = int((rendering.coming_at - timezone.now()).total_seconds())
    return CURRENT_CACHE if left >= CURRENT_CACHE_SECONDS else f"public, max-age={max(0, left)}"


def _in_force_banner(rendering: StoredRendering) -> str | None:
    """What a page says of a change announced ahead, or None.

    The current version's page names the day it changes and links to the coming
    version and what changes; a coming version's own page says it is not in force
    yet and links to the one that is.
    """
    if rendering.is_current and rendering.coming_number is not None:
        return _coming_banner(
            rendering.controller,
            rendering.register,
            rendering.language,
            rendering.number,
            rendering.coming_number,
            notice_date_in(rendering.coming_at, rendering.language),
        )
    if rendering.number > rendering.current_number:
        day = (
            notice_date_in(rendering.coming_at, rendering.language)
            if rendering.coming_number == rendering.number
            else ""
        )
        return _not_yet_banner(rendering.controller, rendering.register, rendering.language, day)
    return None


def notice_date_in(moment: Any, language: str) -> str:
    with translation.override(language):
        return notice_date(moment)


@functools.lru_cache(maxsize=1024)
def _coming_banner(
    controller: str, register: str, language: str, current: int, coming: int, day: str
) -> str:
    """The current page's notice of a change announced ahead (made once per process)."""
    with translation.override(language):
        page = version_urls(controller, register, language, coming)["page"]
        compare = reverse(
            "notices:compare",
            kwargs={
                "lang": language,
                "controller": controller,
                "register": register,
                "old": current,
                "new": coming,
            },
        )
        return format_html(
            '<p class="banner coming" role="note">{} <a href="{}">{}</a> · <a href="{}">{}</a></p>',
            _("This notice changes on %(date)s.") % {"date": day},
            page,
            _("Read the new version."),
            compare,
            _("What changes"),
        )


@functools.lru_cache(maxsize=1024)
def _not_yet_banner(controller: str, register: str, language: str, day: str) -> str:
    """A coming version's notice: not in force yet, and where the version in force is."""
    with translation.override(language):
        said = (
            _("This version comes into force on %(date)s.") % {"date": day}
            if day
            else _("This version is not in force yet.")
        )
        return format_html(
            '<p class="banner coming" role="note">{} <a href="{}">{}</a></p>',
            said,
            public_urls(controller, register, language)["detail"],
            _("Read the version in force."),
        )


@functools.lru_cache(maxsize=1024)
def _archived_banner(
    controller: str, register: str, language: str, current_languages: tuple[str, ...]
) -> str:
    """The banner of an earlier version, linking to current pages that exist.

    If the current version is not published in this version's language, the
    banner says so and links to the current version in the languages it is
    published in instead. Made once per process for each set of arguments.
    """
    with translation.override(language):
        if language in current_languages:
            current = public_urls(controller, register, language)["detail"]
            return format_html(
                '<p class="banner archived" role="note">{} <a href="{}">{}</a></p>',
                _("This is an earlier version of the notice."),
                current,
                _("Read the current version."),
            )
        links = format_html_join(
            ", ",
            '<a href="{}" hreflang="{}" lang="{}">{}</a>',
            (
                (
                    public_urls(controller, register, code)["detail"],
                    code,
                    code,
                    languages.native_name(code),
                )
                for code in current_languages
            ),
        )
        return format_html(
            '<p class="banner archived" role="note">{} {} {}</p>',
            _("This is an earlier version of the notice."),
            _("The notice is no longer published in this language. Current version:"),
            links,
        )


def _canonical_address(request: HttpRequest) -> HttpResponse | None:
    """A permanent redirect when the address asked for is not the page's one address.

    ``versions/01/`` and ``versions/%31/`` resolve to version 1 (the URL converter
    reads digits, and the server decodes the path before Django sees it); a CDN
    would cache them as pages of their own. The address as sent is compared with
    the one ``reverse()`` builds: gunicorn passes it as ``RAW_URI`` (uWSGI and
    others as ``REQUEST_URI``); without either, the decoded path is compared.
    """
    match = request.resolver_match
    raw = request.META.get("RAW_URI") or request.META.get("REQUEST_URI")
    sent = urlsplit(raw).path if raw else request.path
    if sent == request.path and "number" not in match.kwargs:
        # Sent undecoded and without a number: the slug and language converters
        # give back what they matched, so this is the address reverse() would build.
        return None
    canonical = reverse(f"{match.namespace}:{match.url_name}", kwargs=match.kwargs)
    if sent == canonical:
        return None
    query = request.META.get("QUERY_STRING", "")
    return HttpResponsePermanentRedirect(f"{canonical}?{query}" if query else canonical)


def _public(view):  # type: ignore[no-untyped-def]
    """A public view: GET and HEAD only (405 otherwise), at one address, 410 when offline.

    Marked for ``config.middleware.PublicFastPath``: it reads no session, user,
    message, CSRF token or active language, so its 200 and 304 answers may skip
    the middleware that deal with those.
    """

    @functools.wraps(view)
    @require_safe
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        redirect = _canonical_address(request)
        if redirect is not None:
            return redirect
        try:
            return view(request, *args, **kwargs)
        except Gone:
            with translation.override(kwargs.get("lang") or languages.default()):
                response = render(request, "notices/gone.html", {"lang": kwargs.get("lang")})
            response.status_code = 410
            return response

    wrapper.public_fast_path = True
    return wrapper


@_public
def detail(
    request: HttpRequest, lang: str, controller: str, register: str, number: int | None = None
) -> HttpResponse:
    """The notice page of the current version, or of version ``number``."""
    rendering = _find(lang, controller, register, number, "html")
    if number is None:
        return _page(request, rendering, "page", CURRENT_CACHE)
    return _page(request, rendering, "version", VERSION_CACHE)


@_public
def embed(request: HttpRequest, lang: str, controller: str, register: str) -> HttpResponse:
    """The notice without site chrome, framable only by the controller's own origins."""
    rendering = _find(lang, controller, register, None, "embed_html")
    response = _page(request, rendering, "embed", CURRENT_CACHE)
    # The site-wide policy (config/security.py) with frame-ancestors replaced by the
    # controller's own origins, checked again here because they go into a header.
    origins = [origin for origin in rendering.embed_origin_list if ORIGIN_RE.match(origin)]
    response._csp_replace = {"frame-ancestors": origins or [NONE]}
    response.xframe_options_exempt = True
    return response


@_public
def changelog(
    request: HttpRequest, lang: str, controller: str, register: str, form: str = "html"
) -> HttpResponse:
    """The register's dated change log (muutoshistoria), as a page or as JSON.

    One query (``public.find_changelog``) for the stored ``RegisterChangelog``,
    replaced at each publish: it exists only in the latest version's languages.
    """
    found = public.find_changelog(lang, controller, register, form)
    if form == "json":
        response = HttpResponse(found.body, content_type="application/json; charset=utf-8")
        response["Access-Control-Allow-Origin"] = "*"
    else:
        response = HttpResponse(found.body, content_type="text/html; charset=utf-8")
    response["Cache-Control"] = CURRENT_CACHE
    etag = f'"{found.html_hash[:40]}-changelog-{form}"'
    return keep(_conditional(request, response, etag, found.published_at, found.language))


@_public
def notice_json(request: HttpRequest, lang: str, controller: str, register: str) -> HttpResponse:
    """The current version as machine-readable JSON."""
    rendering = _find(lang, controller, register, None, "json")
    response = HttpResponse(rendering.body, content_type="application/json; charset=utf-8")
    response["Cache-Control"] = current_cache(rendering)
    response["Access-Control-Allow-Origin"] = "*"
    etag = f'"{rendering.html_hash[:40]}-json"'
    answer = _conditional(request, response, etag, rendering.published_at, rendering.language)
    return _kept(answer, rendering)


@_public
def pdf(
    request: HttpRequest, lang: str, controller: str, register: str, number: int | None = None
) -> HttpResponse:
    """The stored PDF of the current version, or of version ``number``.

    Its bytes come from the process's memo of stored PDFs (``public.pdf_bytes``):
    a rendering's PDF never changes, and reading it from memory costs less than
    opening the file for every request.
    """
    rendering = _find(lang, controller, register, number, "pdf")
    etag = f'"{rendering.pdf_hash[:40]}"'
    cache = current_cache(rendering) if number is None else VERSION_CACHE
    if any(header in request.META for header in CONDITIONAL_HEADERS):
        seconds, last_modified = _http_date(rendering.published_at)
        not_modified = get_conditional_response(request, etag=etag, last_modified=seconds)
        if not_modified is not None:
            not_modified["ETag"] = etag
            not_modified["Last-Modified"] = last_modified
            not_modified["Cache-Control"] = cache
            not_modified["Content-Language"] = rendering.language
            return not_modified
    # One chunk, streamed as the stored file was (FileResponse): the same headers.
    response = StreamingHttpResponse((public.pdf_bytes(rendering),), content_type="application/pdf")
    response["Content-Length"] = str(rendering.pdf_size)
    response["Content-Disposition"] = _pdf_disposition(controller, register, rendering.number, lang)
    response["Cache-Control"] = cache
    answer = _conditional(request, response, etag, rendering.published_at, rendering.language)
    return _kept(answer, rendering)


@functools.lru_cache(maxsize=4096)
def _pdf_disposition(controller: str, register: str, number: int, lang: str) -> str:
    """The PDF's Content-Disposition, as FileResponse made it (made once per process)."""
    filename = pdf_download_name(controller, register, number, lang)
    return content_disposition_header(False, filename)


@functools.lru_cache(maxsize=512)
def _index_page(lang: str, index: public.CompanyIndex) -> tuple[str, str]:
    """A company's index page in ``lang``, rendered once per process for each content.

    ``index`` is everything the page shows (the company's name, colour and logo,
    each register's slug, names and languages) and is read afresh on every
    request, so a publish or an offline switch gives a new key: the cache only
    saves rendering the template again for the same content.
    """
    published, names = public.published_registers(index, lang)
    registers = sorted(
        (slug for slug, codes in published.items() if lang in codes), key=names.__getitem__
    )
    if not registers:
        raise Http404(_("No published notices here."))
    other_languages = [
        code for code in languages.ordered(set().union(*published.values())) if code != lang
    ]
    context = {
        "lang": lang,
        "company": {"name": index.name, "slug": index.slug},
        "registers": [{"name": names[slug], "slug": slug} for slug in registers],
        "alternates": [
            {
                "lang": code,
                "name": languages.native_name(code),
                "url": reverse("notices:index", kwargs={"lang": code, "controller": index.slug}),
            }
            for code in other_languages
        ],
        # The company's colours and logo as they are now (notices keep theirs).
        "brand_color": index.brand_color,
        "brand_text_color": brand_text_color(index.brand_color),
        "brand_accent": brand_accent_color(index.brand_color),
        "logo_url": f"/media/{index.logo}" if index.logo else "",
    }
    with translation.override(lang):
        page = render_to_string("notices/controller_index.html", context)
    return page, f'"{hashlib.sha256(page.encode()).hexdigest()[:40]}-index"'


@_public
def controller_index(request: HttpRequest, lang: str, controller: str) -> HttpResponse:
    """The controller's published, online notices in ``lang``, and its ETag."""
    index, next_in_force = public.company_index(controller)
    body, etag = _index_page(lang, index)
    response = HttpResponse(body, content_type="text/html; charset=utf-8")
    response["Cache-Control"] = CURRENT_CACHE
    response["ETag"] = etag
    answer = get_conditional_response(request, etag=etag, response=response)
    answer["Content-Language"] = lang
    return keep(answer, next_in_force)


@require_safe
def logo(request: HttpRequest, path: str) -> HttpResponse:
    """A controller's uploaded logo, the only uploads that are public."""
    if not path.startswith("logos/") or ".." in path or "\\" in path:
        raise Http404
    if not default_storage.exists(path):
        raise Http404
    content_type = mimetypes.guess_type(path)[0] or "application/octet-stream"
    if not content_type.startswith("image/") or content_type == "image/svg+xml":
        raise Http404
    response = FileResponse(default_storage.open(path, "rb"), content_type=content_type)
    response["Cache-Control"] = "public, max-age=86400"
    response["X-Content-Type-Options"] = "nosniff"
    return response
