"""Project middleware."""

from __future__ import annotations

from collections.abc import Callable

from csp.constants import HEADER, HEADER_REPORT_ONLY
from django.conf import settings
from django.core.signals import setting_changed
from django.db import InterfaceError, OperationalError
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse
from django.middleware.clickjacking import XFrameOptionsMiddleware
from django.middleware.common import CommonMiddleware
from django.urls import Resolver404, ResolverMatch, get_urlconf, resolve
from django.utils.cache import cc_delim_re
from whitenoise.middleware import WhiteNoiseMiddleware

from config.security import CSPMiddleware
from notices.middleware import DatabaseGuardMiddleware
from notices.public_cache import RESPONSES

# ManifestStaticFilesStorage's map of every static file to its hashed name.
STATIC_MANIFEST = "staticfiles.json"


class StaticFilesMiddleware(WhiteNoiseMiddleware):
    """WhiteNoise, except for the static files manifest.

    ``collectstatic`` writes ``staticfiles.json`` into ``STATIC_ROOT`` and
    WhiteNoise serves everything there; the manifest lists every file the service
    has (the admin's included) and is of no use to a browser. Its address (and any
    compressed copy) goes on to Django, which answers 404 with the site's policy.
    """

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path_info.startswith(f"{settings.STATIC_URL}{STATIC_MANIFEST}"):
            return self.get_response(request)
        return super().__call__(request)


class PublicPagesDoNotVaryByLanguage:
    """Drop ``Vary: Accept-Language`` from public notice responses.

    A public notice's language is in its URL, so the response is the same for
    every visitor; LocaleMiddleware's Vary would make a CDN keep one copy per
    Accept-Language value. Listed before LocaleMiddleware, so it sees the response
    after LocaleMiddleware has added the header.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        match = request.resolver_match
        if match is not None and match.namespace == "notices" and response.has_header("Vary"):
            kept = [
                field
                for field in cc_delim_re.split(response["Vary"])
                if field and field.lower() != "accept-language"
            ]
            if kept:
                response["Vary"] = ", ".join(kept)
            else:
                del response["Vary"]
        return response


class PublicFastPath:
    """Answer a public notice address right after the static files.

    The middleware after it (the CSP, sessions, locale, the database guard, CSRF,
    authentication, messages, django-axes) cost more than half of a public
    request and, but for three, do nothing to a successful public response. So a
    GET or HEAD of a view marked ``public_fast_path = True`` (the public notice
    views, ``notices.views._public``: they read no session, user, message, CSRF
    token or active language, so their answer is the same whoever asks) that
    answers 200 or 304 is answered here, and the response steps of those three
    are applied to it the same way: ``CommonMiddleware`` (Content-Length),
    ``XFrameOptionsMiddleware`` and the CSP middleware (``config.security``).
    ``SecurityMiddleware`` (HSTS, nosniff, Referrer-Policy) is listed before and
    still runs.

    The policy depends only on the response's content (which its strong ETag
    names), its frame-ancestors (the embed's) and the settings, so it is built
    once per process for each of those (``_policy_key``) instead of on every
    request, the largest saving after leaving the rest of the chain out.

    A database that fails answers 503 here, from the database guard
    (``notices.middleware``), as in the whole chain. Anything else (another
    method, a NUL in the query, a host not allowed, a redirect to the canonical
    address, 404, 410, any other exception) goes through the whole chain as
    before, so every error response stays exactly what it was.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.common = CommonMiddleware(get_response)
        self.frame_options = XFrameOptionsMiddleware(get_response)
        self.csp = CSPMiddleware(get_response)
        self.database_guard = DatabaseGuardMiddleware(get_response)

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.serve(request)
        return self.get_response(request) if response is None else response

    def serve(self, request: HttpRequest) -> HttpResponse | None:
        if request.method not in ("GET", "HEAD"):
            return None
        query = request.META.get("QUERY_STRING", "")
        if "%00" in query or "\x00" in query:
            return None  # the database guard answers 400
        match = _route(request.path_info)
        if match is None:
            return None
        request.resolver_match = match
        try:
            host = request.get_host()  # DisallowedHost, as CommonMiddleware would raise
            # The response this process kept for the address, if nothing changed since
            # (anywhere, or in the company the address names).
            kept, stamp = RESPONSES.answer(request, host, match.kwargs.get("controller"))
            if kept is not None:
                return kept
            response = match.func(request, *match.args, **match.kwargs)
        except (OperationalError, InterfaceError) as error:
            # Not tried again: the database guard answers 503 at once, as it would
            # in the whole chain, and closes the broken connection.
            response = self.database_guard.process_exception(request, error)
        except Exception:  # noqa: BLE001 (the whole chain answers it, as it always has)
            return None
        else:
            if response.status_code not in (200, 304):
                return None
        response = self.common.process_response(request, response)
        response = self.frame_options.process_response(request, response)
        response = self._with_policy(request, response)
        RESPONSES.keep(request, host, response, stamp)
        return response

    def _with_policy(self, request: HttpRequest, response: HttpResponse) -> HttpResponse:
        """The CSP middleware's headers, from the memo when this content had them before."""
        key = _policy_key(response)
        known = _POLICIES.get(key) if key is not None else None
        if known is None:
            self.csp.process_request(request)
            response = self.csp.process_response(request, response)
            if key is not None:
                if len(_POLICIES) >= POLICY_MEMO_SIZE:
                    _POLICIES.clear()
                _POLICIES[key] = (response.get(HEADER), response.get(HEADER_REPORT_ONLY))
            return response
        for name, value in zip((HEADER, HEADER_REPORT_ONLY), known, strict=True):
            if value is not None:
                response[name] = value
        return response


def _route(path: str) -> ResolverMatch | None:
    """The URL match of ``path`` if its view is marked for the fast path, else None.

    Resolving walks the URL patterns' regular expressions, a tenth of a public
    request; the answer depends only on the path and the URLconf, so it is kept
    (``_ROUTES``, emptied when full, like ``_POLICIES``).
    """
    key = (get_urlconf() or settings.ROOT_URLCONF, path)
    try:
        return _ROUTES[key]
    except KeyError:
        pass
    try:
        match: ResolverMatch | None = resolve(path)
    except Resolver404:
        match = None
    if match is not None and not getattr(match.func, "public_fast_path", False):
        match = None
    if len(_ROUTES) >= ROUTE_MEMO_SIZE:
        _ROUTES.clear()
    _ROUTES[key] = match
    return match


_ROUTES: dict[tuple[object, str], ResolverMatch | None] = {}
ROUTE_MEMO_SIZE = 4096


# The CSP headers of public responses already answered: _policy_key -> (policy, report-only).
_POLICIES: dict[tuple[object, ...], tuple[str | None, str | None]] = {}
POLICY_MEMO_SIZE = 4096


def _policy_key(response: HttpResponse) -> tuple[object, ...] | None:
    """What the CSP middleware's headers for ``response`` depend on; None: do not memoise.

    The strong ETag names the content (the brand-colour style hashes come from
    it), the status tells a 304 without content from a 200, and the per-response
    policy changes (the embed's frame-ancestors) are part of the key. A response
    without an ETag, or with one the CSP middleware would not rebuild alike (a
    header already set, an exemption), is not memoised.
    """
    etag = response.get("ETag")
    if not etag or HEADER in response or getattr(response, "_csp_exempt", False):
        return None
    return (
        response.status_code,
        etag,
        response.get("Content-Type"),
        repr(getattr(response, "_csp_config", None)),
        repr(getattr(response, "_csp_update", None)),
        repr(getattr(response, "_csp_replace", None)),
    )


@receiver(setting_changed)
def _forget_policies(*, setting: str, **kwargs: object) -> None:
    """A changed policy setting (in tests) makes every memoised header stale; a changed
    URLconf every memoised route."""
    if setting.startswith("CONTENT_SECURITY_POLICY") or setting == "DEBUG":
        _POLICIES.clear()
    if setting == "ROOT_URLCONF":
        _ROUTES.clear()
