"""Security plumbing that settings point at: the CSP middleware and the login lockout.

- ``CSPMiddleware`` is django-csp's middleware that also allows, by hash, the one
  inline style a notice page has: the brand-colour variables in its head. Notice
  pages are stored HTML rendered at publishing time, so they cannot carry a
  per-request nonce; a hash of the exact rule can be computed from the stored bytes.
  Only a ``<style>`` in the document head that sets CSS custom properties to hex
  colours is hashed, so text that ever slipped into the body unescaped would still
  be blocked.
- ``client_ip`` is the client address django-axes counts failures by, taking
  trusted reverse proxies into account.
- ``lockout_response`` is the translated page a locked-out login gets.
"""

from __future__ import annotations

import base64
import hashlib
import ipaddress
import re
from dataclasses import asdict
from typing import Any

from csp.constants import HEADER
from csp.middleware import CSPMiddleware as BaseCSPMiddleware
from csp.middleware import PolicyParts
from csp.utils import build_policy
from django.conf import settings
from django.contrib import admin
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.template.response import TemplateResponse
from django.utils.translation import gettext

_HEAD_END = re.compile(rb"</head\s*>", re.IGNORECASE)
_STYLE = re.compile(rb"<style(?:\s[^>]*)?>(.*?)</style\s*>", re.IGNORECASE | re.DOTALL)
# `:root { --brand: #0b6e4f; --brand-text: #ffffff; }` (templates/notices/public_base.html).
_BRAND_RULE = re.compile(
    rb"\s*:root\s*\{(?:\s*--[a-z][a-z0-9-]*\s*:\s*(?:#[0-9a-f]{3,8})?\s*;)+\s*\}\s*",
    re.IGNORECASE,
)


def brand_style_hashes(response: HttpResponseBase) -> list[str]:
    """CSP hash sources of the brand-colour ``<style>`` elements in an HTML page's head."""
    if response.streaming or not response.get("Content-Type", "").startswith("text/html"):
        return []
    content = response.content
    head_end = _HEAD_END.search(content)
    if head_end is None:
        return []
    head = content[: head_end.start()]
    if b"<style" not in head.lower():
        return []
    hashes = []
    for match in _STYLE.finditer(head):
        rule = match.group(1)
        if _BRAND_RULE.fullmatch(rule):
            digest = base64.b64encode(hashlib.sha256(rule).digest()).decode("ascii")
            hashes.append(f"'sha256-{digest}'")
    return hashes


class CSPMiddleware(BaseCSPMiddleware):
    """django-csp's middleware, plus the hashes of a notice page's brand-colour style.

    django-csp leaves 404 and 500 responses without a policy when ``DEBUG`` is on
    (for Django's debug pages and their inline styles); here every response gets
    it, so a 404 on a public address is as constrained with ``DEBUG`` as without.
    Django's debug pages then show unstyled, which is all a development run loses.
    """

    def process_response(
        self, request: HttpRequest, response: HttpResponseBase
    ) -> HttpResponseBase:
        exempt = getattr(response, "_csp_exempt", False)
        if settings.DEBUG and HEADER not in response and not exempt:
            response[HEADER] = build_policy(**asdict(self.get_policy_parts(request, response)))
        return super().process_response(request, response)

    def get_policy_parts(
        self, request: HttpRequest, response: HttpResponseBase, report_only: bool = False
    ) -> PolicyParts:
        parts = super().get_policy_parts(request, response, report_only)
        if report_only:
            return parts
        hashes = brand_style_hashes(response)
        if hashes:
            update = dict(parts.update or {})
            existing = update.get("style-src") or []
            if isinstance(existing, str):
                existing = [existing]
            update["style-src"] = [*existing, *hashes]
            parts.update = update
        return parts


def client_ip(request: HttpRequest) -> str | None:
    """The client's address: REMOTE_ADDR, or the one the trusted proxies put in X-Forwarded-For.

    With ``TRUSTED_PROXY_COUNT`` = n, the n-th address from the right of
    X-Forwarded-For is the one the outermost trusted proxy saw; anything left of it
    was written by the client and is ignored.
    """
    remote = request.META.get("REMOTE_ADDR") or None
    count = getattr(settings, "TRUSTED_PROXY_COUNT", 0)
    if count > 0:
        forwarded = [
            part.strip()
            for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
            if part.strip()
        ]
        if len(forwarded) >= count:
            candidate = forwarded[-count]
            try:
                return str(ipaddress.ip_address(candidate))
            except ValueError:
                return remote
    return remote


def lockout_response(
    request: HttpRequest, original_response: Any = None, credentials: Any = None
) -> HttpResponse:
    """The admin-styled, translated page of a locked-out login (429 Too Many Requests)."""
    minutes = max(1, int(settings.AXES_COOLOFF_TIME.total_seconds() // 60))
    context = {
        **admin.site.each_context(request),
        "title": gettext("Too many failed login attempts"),
        "cooloff_minutes": minutes,
    }
    response = TemplateResponse(request, "axes/lockout.html", context, status=429)
    response.render()
    response["Retry-After"] = str(minutes * 60)
    return response
