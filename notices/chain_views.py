"""Public documents for verifying published versions (docs/verifying-notices.md).

``signing_keys`` publishes the service's public keys, current and retired, at a
well-known address; ``manifest`` lists one notice's chain of signed records in
version order, with the addresses of each version's stored page and PDF. Both
are JSON anyone may fetch (CORS open), with a strong ETag.
"""

from __future__ import annotations

import json
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.cache import get_conditional_response
from django.utils.http import http_date
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from .chain import sha256
from .models import NoticeVersion
from .rendering import version_urls
from .signing_keys import keys_document
from .views import CURRENT_CACHE, Gone, _public

MANIFEST_FORMAT = "tietosuoja-notice-manifest/1"
KEYS_CACHE = "public, max-age=3600"


def _json(request: HttpRequest, data: Any, cache: str, modified: float | None) -> HttpResponse:
    body = json.dumps(data, ensure_ascii=False, indent=1, sort_keys=True)
    etag = f'"{sha256(body)[:40]}"'
    response = get_conditional_response(
        request, etag=etag, last_modified=int(modified) if modified else None
    )
    if response is None:
        response = HttpResponse(body, content_type="application/json; charset=utf-8")
    response["ETag"] = etag
    if modified:
        response["Last-Modified"] = http_date(modified)
    response["Cache-Control"] = cache
    response["Access-Control-Allow-Origin"] = "*"
    return response


@require_safe
def signing_keys(request: HttpRequest) -> HttpResponse:
    """The public keys that records are signed with, by key id (no database query)."""
    return _json(request, keys_document(), KEYS_CACHE, None)


@_public
def manifest(request: HttpRequest, lang: str, controller: str, register: str) -> HttpResponse:
    """The notice's chain: every version's record, record hash, signature and key id.

    One query whatever the number of versions. The same document in every
    language; each version lists its page and PDF in each of its languages.
    """
    versions = list(
        NoticeVersion.objects.filter(register__controller__slug=controller, register__slug=register)
        .select_related("register")
        .only(
            "number",
            "published_at",
            "record",
            "record_hash",
            "signature",
            "key_id",
            "register__is_online",
        )
        .order_by("number")
    )
    if not versions:
        raise Http404(_("No published notice here."))
    if not versions[0].register.is_online:
        raise Gone
    data = {
        "format": MANIFEST_FORMAT,
        "controller": controller,
        "register": register,
        "keys": reverse("notices:signing_keys"),
        "versions": [_entry(version, controller, register) for version in versions],
    }
    return _json(request, data, CURRENT_CACHE, versions[-1].published_at.timestamp())


def _entry(version: NoticeVersion, controller: str, register: str) -> dict[str, Any]:
    record = version.record or {}
    return {
        "version": version.number,
        "record": record,
        "record_hash": version.record_hash,
        "signature": version.signature,
        "key_id": version.key_id,
        "addresses": {
            language: version_urls(controller, register, language, version.number)
            for language in sorted(record.get("renderings") or {})
        },
    }
