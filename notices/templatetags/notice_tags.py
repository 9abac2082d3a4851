"""Template helpers for notices: tenant text as escaped paragraphs, dates per language."""

from __future__ import annotations

import re
from datetime import date, datetime

from django import template
from django.utils.formats import date_format
from django.utils.html import conditional_escape, format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import get_language, gettext

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


# A text that already ends a sentence: the template adds no full stop of its own.
SENTENCE_END = re.compile(r"[.!?…:;]\s*$")


@register.filter(is_safe=True)
def full_stop(text: str | None) -> str:
    """``text`` ending in a full stop, unless it already ends a sentence ("Inc." stays)."""
    text = (text or "").rstrip()
    if not text or SENTENCE_END.search(text):
        return text
    return f"{text}."


def _section(context: template.Context, anchor: str) -> dict:
    """The numbered section ``anchor`` of the notice being rendered (``parts.NOTICE_SECTIONS``)."""
    return next(s for s in context["notice"]["sections"] if s["anchor"] == anchor)


@register.simple_tag(takes_context=True)
def section_heading(context: template.Context, anchor: str) -> SafeString:
    """A section's numbered heading: the same markup on the page, in the embed and in the PDF."""
    section = _section(context, anchor)
    return format_html(
        '<h2><span class="section-number">{}.</span> {}</h2>',
        section["number"],
        section["heading"],
    )


@register.simple_tag(takes_context=True)
def section_link(context: template.Context, anchor: str, text: str) -> SafeString:
    """A link to a section; in the PDF it also names the section's number, as paper has no links."""
    if context.get("mode") != "pdf":
        return format_html('<a href="#{}">{}</a>', anchor, text)
    number = _section(context, anchor)["number"]
    reference = gettext("section %(number)s") % {"number": number}
    return format_html('<a href="#{}">{} ({})</a>', anchor, text, reference)
