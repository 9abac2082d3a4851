"""Public pages of published notices: stored bytes, served as they were rendered.

Every view here reads one row (a NoticeRendering with what it needs of its
version and register) and returns its stored page, PDF or JSON, with a strong
ETag, Last-Modified and caching headers. No notice template is rendered on a
public request, whatever the size of the notice.
"""

from __future__ import annotations

import functools
import mimetypes
from typing import Any
from urllib.parse import urlsplit

from csp.constants import NONE
from django.core.files.storage import default_storage
from django.db.models import JSONField, OuterRef, Subquery
from django.http import (
    FileResponse,
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponsePermanentRedirect,
)
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import translation
from django.utils.cache import get_conditional_response
from django.utils.html import format_html, format_html_join
from django.utils.http import http_date
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from controllers.models import Controller
from controllers.validators import ORIGIN_RE

from . import languages
from .models import NoticeRendering, NoticeVersion, Register, RegisterChangelog
from .rendering import ARCHIVED_MARKER, brand_accent_color, brand_text_color, public_urls
from .services import pdf_download_name

CURRENT_CACHE = "public, max-age=300, stale-while-revalidate=60"
# An earlier version's page gains a banner when the next version is published.
VERSION_CACHE = "public, max-age=3600"


def _find(
    lang: str, controller: str, register: str, number: int | None, fields: list[str]
) -> NoticeRendering:
    """The rendering asked for, in one query; 404 if not published, 410 if offline.

    The current addresses (``number`` None) serve the register's latest version
    only: a language that version is not published in answers 404, even though
    its earlier versions stay at their own addresses.
    """
    rows = NoticeRendering.objects.filter(
        language=lang,
        version__register__controller__slug=controller,
        version__register__slug=register,
    ).select_related("version__register__controller")
    if number is None:
        # The register's id first, on its own: with it fixed, the latest version is
        # the last entry of the (register, number) index, read without visiting the
        # register's other versions however many there are. Joined to the register
        # instead, PostgreSQL reads and sorts them all.
        found = Register.objects.filter(controller__slug=controller, slug=register).order_by()
        current = NoticeVersion.objects.filter(register=Subquery(found.values("pk")))
        rows = rows.filter(version=Subquery(current.order_by("-number").values("pk")[:1]))
    else:
        rows = rows.filter(version__number=number)
    latest = NoticeVersion.objects.filter(register=OuterRef("version__register")).order_by(
        "-number"
    )
    rows = rows.annotate(
        latest_number=Subquery(latest.values("number")[:1]),
        latest_published_at=Subquery(latest.values("published_at")[:1]),
        latest_languages=Subquery(
            latest.values("snapshot__languages")[:1], output_field=JSONField()
        ),
    )
    rows = rows.only(
        *fields,
        "language",
        "html_hash",
        "pdf_hash",
        "version__number",
        "version__published_at",
        "version__register__is_online",
        "version__register__slug",
        "version__register__controller__slug",
        "version__register__controller__embed_origins",
    )
    found = rows.first()
    if found is None:
        raise Http404(_("No published notice here."))
    if not found.version.register.is_online:
        raise Gone
    return found


class Gone(Exception):
    """The register was taken offline by its publisher (answered 410)."""


def _conditional(
    request: HttpRequest,
    response: HttpResponse,
    etag: str,
    rendering: NoticeRendering,
    archived: bool = False,
) -> HttpResponse:
    # An earlier version's page changed when the next version put a banner on it.
    changed_at = rendering.latest_published_at if archived else rendering.version.published_at
    published = changed_at.timestamp()
    response["ETag"] = etag
    response["Last-Modified"] = http_date(published)
    response["Content-Language"] = rendering.language
    return get_conditional_response(
        request, etag=etag, last_modified=int(published), response=response
    )


def _page(
    request: HttpRequest,
    rendering: NoticeRendering,
    body: str,
    variant: str,
    cache: str,
) -> HttpResponse:
    etag = f'"{rendering.html_hash[:40]}-{variant}"'
    archived = rendering.version.number != rendering.latest_number and ARCHIVED_MARKER in body
    if archived:
        body = body.replace(ARCHIVED_MARKER, _archived_banner(rendering), 1)
        etag = f'"{rendering.html_hash[:40]}-{variant}-{rendering.latest_number}"'
    response = HttpResponse(body, content_type="text/html; charset=utf-8")
    response["Cache-Control"] = cache
    return _conditional(request, response, etag, rendering, archived)


def _archived_banner(rendering: NoticeRendering) -> str:
    """The banner of an earlier version, linking to current pages that exist.

    If the latest version is no longer published in this version's language, the
    banner says so and links to the current version in the languages it is
    published in instead.
    """
    register = rendering.version.register
    controller = register.controller.slug
    with translation.override(rendering.language):
        if rendering.language in rendering.latest_languages:
            current = public_urls(controller, register.slug, rendering.language)["detail"]
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
                    public_urls(controller, register.slug, code)["detail"],
                    code,
                    code,
                    languages.native_name(code),
                )
                for code in languages.ordered(rendering.latest_languages)
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
    canonical = reverse(f"{match.namespace}:{match.url_name}", kwargs=match.kwargs)
    raw = request.META.get("RAW_URI") or request.META.get("REQUEST_URI")
    sent = urlsplit(raw).path if raw else request.path
    if sent == canonical:
        return None
    query = request.META.get("QUERY_STRING", "")
    return HttpResponsePermanentRedirect(f"{canonical}?{query}" if query else canonical)


def _public(view):  # type: ignore[no-untyped-def]
    """A public view: GET and HEAD only (405 otherwise), at one address, 410 when offline."""

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

    return wrapper


@_public
def detail(
    request: HttpRequest, lang: str, controller: str, register: str, number: int | None = None
) -> HttpResponse:
    """The notice page of the current version, or of version ``number``."""
    rendering = _find(lang, controller, register, number, ["html"])
    cache = CURRENT_CACHE if number is None else VERSION_CACHE
    return _page(request, rendering, rendering.html, "page", cache)


@_public
def embed(request: HttpRequest, lang: str, controller: str, register: str) -> HttpResponse:
    """The notice without site chrome, framable only by the controller's own origins."""
    rendering = _find(lang, controller, register, None, ["embed_html"])
    response = _page(request, rendering, rendering.embed_html, "embed", CURRENT_CACHE)
    # The site-wide policy (config/security.py) with frame-ancestors replaced by the
    # controller's own origins, checked again here because they go into a header.
    origins = [
        origin
        for origin in rendering.version.register.controller.embed_origin_list
        if ORIGIN_RE.match(origin)
    ]
    response._csp_replace = {"frame-ancestors": origins or [NONE]}
    response.xframe_options_exempt = True
    return response


@_public
def changelog(
    request: HttpRequest, lang: str, controller: str, register: str, form: str = "html"
) -> HttpResponse:
    """The register's dated change log (muutoshistoria), as a page or as JSON.

    One query for the stored ``RegisterChangelog``, replaced at each publish:
    it exists only in the latest version's languages.
    """
    found = (
        RegisterChangelog.objects.filter(
            language=lang, register__controller__slug=controller, register__slug=register
        )
        .select_related("register")
        .only("language", "published_at", "html_hash", form, "register__is_online")
        .first()
    )
    if found is None:
        raise Http404(_("No published notice here."))
    if not found.register.is_online:
        raise Gone
    if form == "json":
        response = HttpResponse(found.json, content_type="application/json; charset=utf-8")
        response["Access-Control-Allow-Origin"] = "*"
    else:
        response = HttpResponse(found.html, content_type="text/html; charset=utf-8")
    response["Cache-Control"] = CURRENT_CACHE
    response["Content-Language"] = found.language
    published = int(found.published_at.timestamp())
    response["Last-Modified"] = http_date(published)
    response["ETag"] = etag = f'"{found.html_hash[:40]}-changelog-{form}"'
    return get_conditional_response(request, etag=etag, last_modified=published, response=response)


@_public
def notice_json(request: HttpRequest, lang: str, controller: str, register: str) -> HttpResponse:
    """The current version as machine-readable JSON."""
    rendering = _find(lang, controller, register, None, ["json"])
    response = HttpResponse(rendering.json, content_type="application/json; charset=utf-8")
    response["Cache-Control"] = CURRENT_CACHE
    response["Access-Control-Allow-Origin"] = "*"
    return _conditional(request, response, f'"{rendering.html_hash[:40]}-json"', rendering)


@_public
def pdf(
    request: HttpRequest, lang: str, controller: str, register: str, number: int | None = None
) -> HttpResponse:
    """The stored PDF of the current version, or of version ``number``."""
    rendering = _find(lang, controller, register, number, ["pdf", "pdf_size"])
    etag = f'"{rendering.pdf_hash[:40]}"'
    not_modified = get_conditional_response(
        request, etag=etag, last_modified=int(rendering.version.published_at.timestamp())
    )
    if not_modified is not None:
        not_modified["ETag"] = etag
        not_modified["Last-Modified"] = http_date(rendering.version.published_at.timestamp())
        not_modified["Cache-Control"] = CURRENT_CACHE if number is None else VERSION_CACHE
        return not_modified
    register_row = rendering.version.register
    filename = pdf_download_name(
        register_row.controller.slug, register_row.slug, rendering.version.number, lang
    )
    response = FileResponse(
        default_storage.open(rendering.pdf.name, "rb"),
        content_type="application/pdf",
        filename=filename,
    )
    response["Content-Length"] = str(rendering.pdf_size)
    response["Cache-Control"] = CURRENT_CACHE if number is None else VERSION_CACHE
    return _conditional(request, response, etag, rendering)


def _published_registers(
    company: Controller, lang: str
) -> tuple[dict[str, set[str]], dict[str, str]]:
    """Each online register's languages (of its latest version) and its name in ``lang``.

    One query: a language that only an earlier version had is no longer listed.
    """
    name_fields = languages.field_names("name")
    latest = NoticeVersion.objects.filter(register=OuterRef("version__register")).order_by(
        "-number"
    )
    rows = (
        NoticeRendering.objects.filter(
            version__register__controller=company,
            version__register__is_online=True,
            version__number=Subquery(latest.values("number")[:1]),
        )
        .values(
            "language",
            "version__register__slug",
            f"version__register__name_{lang}",
            *(f"version__register__{name}" for name in name_fields),
        )
        .distinct()
    )
    published: dict[str, set[str]] = {}
    names: dict[str, str] = {}
    for row in rows:
        slug = row["version__register__slug"]
        published.setdefault(slug, set()).add(row["language"])
        names[slug] = row[f"version__register__name_{lang}"] or next(
            (
                row[f"version__register__{name}"]
                for name in name_fields
                if row[f"version__register__{name}"]
            ),
            slug,
        )
    return published, names


@_public
def controller_index(request: HttpRequest, lang: str, controller: str) -> HttpResponse:
    """The controller's published, online notices in ``lang``."""
    company = get_object_or_404(
        Controller.objects.only("name", "slug", "brand_color", "logo"), slug=controller
    )
    published, names = _published_registers(company, lang)
    registers = sorted(
        (slug for slug, codes in published.items() if lang in codes), key=names.__getitem__
    )
    if not registers:
        raise Http404(_("No published notices here."))
    other_languages = [
        code for code in languages.ordered(set().union(*published.values())) if code != lang
    ]
    with translation.override(lang):
        response = render(
            request,
            "notices/controller_index.html",
            {
                "lang": lang,
                "company": company,
                "registers": [{"name": names[slug], "slug": slug} for slug in registers],
                "alternates": [
                    {
                        "lang": code,
                        "name": languages.native_name(code),
                        "url": reverse(
                            "notices:index", kwargs={"lang": code, "controller": controller}
                        ),
                    }
                    for code in other_languages
                ],
                # The company's colours and logo as they are now (notices keep theirs).
                "brand_color": company.brand_color,
                "brand_text_color": brand_text_color(company.brand_color),
                "brand_accent": brand_accent_color(company.brand_color),
                "logo_url": f"/media/{company.logo.name}" if company.logo else "",
            },
        )
    response["Cache-Control"] = CURRENT_CACHE
    return response


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
