"""Atom feeds of published versions: one per notice and one per company, in each language.

An entry is a version: its publisher's summary, its substantive changes and
links to the version's page and to its comparison with the version before.
Everything a feed shows is read in one query (the latest ``FEED_ENTRIES``
versions with what their entries need), never a snapshot; the feed is served
by ``history_views`` with an ETag and the current pages' caching.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.contrib.syndication.views import Feed
from django.db.models import Exists, OuterRef, QuerySet
from django.http import Http404, HttpRequest
from django.urls import reverse
from django.utils import feedgenerator
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext as _

from . import changes as change_list
from .languages import field_names
from .models import NoticeRendering, NoticeVersion, Register
from .templatetags.notice_tags import in_language, notice_date, paragraphs
from .views import Gone

FEED_ENTRIES = 50


class AtomWithComparison(feedgenerator.Atom1Feed):
    """Atom 1.0 whose entries may also link (rel="related") to their comparison page."""

    def add_item_elements(self, handler: Any, item: dict[str, Any]) -> None:
        super().add_item_elements(handler, item)
        if item.get("related"):
            handler.addQuickElement("link", "", {"rel": "related", "href": item["related"]})


@dataclass(frozen=True)
class Entry:
    """One version as a feed entry: ``link`` a path (the framework adds the domain),
    ``related`` the comparison's absolute address, or '' for a first version."""

    title: str
    link: str
    related: str
    description: str
    published_at: datetime


@dataclass
class Source:
    """What a feed is about: its title, page, and entries newest first."""

    title: str
    subtitle: str
    link: str
    entries: list[Entry] = field(default_factory=list)


def _register_name(register: Register, lang: str) -> str:
    """The register's current name in ``lang``, else in the first language it has one."""
    return getattr(register, f"name_{lang}") or next(
        (getattr(register, name) for name in field_names("name") if getattr(register, name)), ""
    )


def _versions(lang: str, **lookup: Any) -> QuerySet[NoticeVersion]:
    """Versions published in ``lang``, newest first, with whether the one before was too."""
    previous = NoticeRendering.objects.filter(
        version__register=OuterRef("register"),
        version__number=OuterRef("number") - 1,
        language=lang,
    )
    return (
        NoticeVersion.objects.filter(renderings__language=lang, **lookup)
        .select_related("register__controller")
        .annotate(previous_in_language=Exists(previous))
        .defer("snapshot", "register__controller__logo")
        .order_by("-published_at", "-number")[:FEED_ENTRIES]
    )


def _description(version: NoticeVersion, lang: str) -> str:
    """The entry's HTML: the summary, then its substantive changes (every text escaped).

    Called inside ``translation.override(lang)``.
    """
    summary = in_language(version.summary)
    substantive = [change_list.describe(c, lang) for c in version.changes if c.get("substantive")]
    if not substantive:
        return paragraphs(summary)
    items = format_html_join(
        "",
        "<li>{}: {} – {} ({})</li>",
        ((c["section_label"], c["name"], c["kind_label"], c["reason_label"]) for c in substantive),
    )
    return format_html(
        "{}<p>{}</p><ul>{}</ul>", paragraphs(summary), _("Substantive changes:"), items
    )


def _entry(request: HttpRequest, version: NoticeVersion, lang: str, title: str) -> Entry:
    register = version.register
    kwargs = {"lang": lang, "controller": register.controller.slug, "register": register.slug}
    related = ""
    if version.previous_in_language:
        related = request.build_absolute_uri(
            reverse(
                "notices:compare",
                kwargs={**kwargs, "old": version.number - 1, "new": version.number},
            )
        )
    return Entry(
        title=title,
        link=reverse("notices:version", kwargs={**kwargs, "number": version.number}),
        related=related,
        description=_description(version, lang),
        published_at=version.published_at,
    )


def notice_source(request: HttpRequest, lang: str, controller: str, register: str) -> Source:
    """A notice's feed in ``lang``: 404 if no version publishes it, Gone when offline."""
    versions = list(_versions(lang, register__controller__slug=controller, register__slug=register))
    if not versions:
        raise Http404(_("No published notice here."))
    row = versions[0].register
    if not row.is_online:
        raise Gone
    name = _register_name(row, lang)
    source = Source(
        title=_("%(register)s – changes") % {"register": name},
        subtitle=_("Every published version of the privacy notice, with what changed."),
        link=reverse(
            "notices:versions",
            kwargs={"lang": lang, "controller": controller, "register": register},
        ),
    )
    for version in versions:
        date = notice_date(version.published_at)
        title = _("Version %(number)s, %(date)s") % {"number": version.number, "date": date}
        source.entries.append(_entry(request, version, lang, title))
    return source


def company_source(request: HttpRequest, lang: str, controller: str) -> Source:
    """A company's feed in ``lang``: every online notice's versions, newest first."""
    versions = list(
        _versions(lang, register__controller__slug=controller, register__is_online=True)
    )
    if not versions:
        raise Http404(_("No published notices here."))
    company = versions[0].register.controller
    source = Source(
        title=_("Privacy notices of %(company)s – changes") % {"company": company.name},
        subtitle=_("Every published version of the company's privacy notices, with what changed."),
        link=reverse("notices:index", kwargs={"lang": lang, "controller": controller}),
    )
    for version in versions:
        title = _("%(register)s: version %(number)s, %(date)s") % {
            "register": _register_name(version.register, lang),
            "number": version.number,
            "date": notice_date(version.published_at),
        }
        source.entries.append(_entry(request, version, lang, title))
    return source


class VersionFeed(Feed):
    """Django's syndication framework over a ``Source`` built beforehand (no queries here)."""

    feed_type = AtomWithComparison

    def get_object(self, request: HttpRequest, source: Source) -> Source:  # type: ignore[override]
        return source

    def title(self, source: Source) -> str:
        return source.title

    def link(self, source: Source) -> str:
        return source.link

    def subtitle(self, source: Source) -> str:
        return source.subtitle

    def items(self, source: Source) -> list[Entry]:
        return source.entries

    def item_title(self, entry: Entry) -> str:
        return entry.title

    def item_link(self, entry: Entry) -> str:
        return entry.link

    def item_description(self, entry: Entry) -> str:
        return entry.description

    def item_pubdate(self, entry: Entry) -> datetime:
        return entry.published_at

    def item_updateddate(self, entry: Entry) -> datetime:
        return entry.published_at

    def item_extra_kwargs(self, entry: Entry) -> dict[str, Any]:
        return {"related": entry.related}
