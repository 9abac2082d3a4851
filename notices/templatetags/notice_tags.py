"""Template helpers for notices: tenant text as escaped paragraphs, dates per language."""

from __future__ import annotations

import re
from datetime import date, datetime

from django import template
from django.utils.formats import date_format
from django.utils.html import conditional_escape, format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import get_language

from notices import languages

register = template.Library()

BULLET = re.compile(r"^\s*(?:[-*•–])\s+")


@register.filter
def paragraphs(text: str | None) -> SafeString:
    """Plain text as paragraphs and bullet lists; every character of it escaped.

    A blank line separates paragraphs; lines starting with "-", "*" or "•" form a
    list. No markup the tenant types is ever interpreted.
    """
    blocks = [b for b in re.split(r"\n\s*\n", (text or "").strip()) if b.strip()]
    parts = []
    for block in blocks:
        lines = [line for line in block.splitlines() if line.strip()]
        if all(BULLET.match(line) for line in lines):
            items = format_html_join("", "<li>{}</li>", ((BULLET.sub("", line),) for line in lines))
            parts.append(format_html("<ul>{}</ul>", items))
        else:
            escaped = [conditional_escape(line.strip()) for line in lines]
            parts.append(format_html("<p>{}</p>", SafeString("<br>".join(escaped))))
    return SafeString("".join(parts))


@register.filter
def notice_date(value: date | datetime | str | None) -> str:
    """A date as the active language writes it (config/formats): 15.9.2026 in Finnish."""
    if not value:
        return ""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    if isinstance(value, datetime):
        from django.utils import timezone

        value = timezone.localtime(value) if timezone.is_aware(value) else value
    return date_format(value, "DATE_FORMAT")


@register.filter
def in_language(texts: dict[str, str] | None) -> str:
    """A ``{language: text}`` value in the active language, else its first text."""
    texts = texts or {}
    return texts.get(get_language() or "") or next((t for t in texts.values() if t), "")


@register.simple_tag
def public_language(path: str) -> str:
    """The language of a public address (``/<code>/…``), or '' for any other address."""
    first = (path or "").strip("/").split("/", 1)[0]
    return first if first in languages.codes() else ""


@register.simple_tag(takes_context=True)
def section_lead(context: template.Context, key: str) -> SafeString:
    """The register's own lead paragraph of section ``key`` (parts.SECTIONS or PARTS), if any."""
    text = context.get("notice", {}).get("leads", {}).get(key, "")
    if not text:
        return SafeString("")
    return format_html('<div class="section-lead">{}</div>', paragraphs(text))
