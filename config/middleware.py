"""Project middleware."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils.cache import cc_delim_re
from whitenoise.middleware import WhiteNoiseMiddleware

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
