"""Project middleware."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.utils.cache import cc_delim_re


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
