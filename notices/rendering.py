"""Turn a snapshot into the page, embed, JSON and PDF of one language, and a
register's change log.

One template set serves the web page and the PDF (print CSS), so the two never
drift apart. Rendering reads only the snapshot and the change-log entries passed
in: the same inputs always give the same bytes.

A version's own renderings show only its own entry (its summary and change list)
and link to the register's change log; the change log, built from every
version's own entry, is rendered once per register and language at each publish
(``RegisterChangelog``). So what a version stores does not grow with the number
of versions before it.
"""

from __future__ import annotations

import hashlib
import itertools
import json
from collections.abc import Callable, Collection, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.conf import settings
from django.template import Context
from django.template.loader import get_template, render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.safestring import SafeString
from django.utils.translation import gettext

from . import changes as change_list
from .languages import native_name
from .parts import PARTS
from .pdf import PdfJob, render_pdf, start_pdfs
from .presentation import localize

ARCHIVED_MARKER = "<!--archived-version-notice-->"
# Where the change log's entries go: in its page (templates/notices/_history.html;
# escaped text cannot hold it) and in its JSON (the versions' list).
ENTRIES_SLOT = SafeString("<!--changelog-entries-->")
VERSIONS_SLOT = "\x00versions\x00"


@dataclass(frozen=True)
class VersionInfo:
    """The version being rendered: number None means a draft preview."""

    number: int | None
    published_at: datetime
    first_published_at: datetime
    content_hash: str = ""
    # A change announced ahead: when this version comes into force (None: on publishing).
    effective_at: datetime | None = None


@dataclass
class Rendered:
    html: str
    embed_html: str
    json: str
    pdf: bytes = field(repr=False)


@dataclass
class RenderedChangelog:
    html: str
    json: str
    html_hash: str  # SHA-256 of the page's UTF-8


def public_urls(controller_slug: str, register_slug: str, language: str) -> dict[str, str]:
    kwargs = {"lang": language, "controller": controller_slug, "register": register_slug}
    return {
        name: reverse(f"notices:{name}", kwargs=kwargs)
        for name in ("detail", "pdf", "json", "embed", "versions", "feed", "changelog_json")
    } | {
        "index": reverse("notices:index", kwargs={"lang": language, "controller": controller_slug}),
        "subscribe": reverse("subscriptions:subscribe", kwargs=kwargs),
    }


def version_urls(controller_slug: str, register_slug: str, language: str, number: int) -> dict:
    kwargs = {
        "lang": language,
        "controller": controller_slug,
        "register": register_slug,
        "number": number,
    }
    urls = {
        "page": reverse("notices:version", kwargs=kwargs),
        "pdf": reverse("notices:version_pdf", kwargs=kwargs),
    }
    if number > 1:
        pair = {**kwargs, "old": number - 1, "new": number}
        del pair["number"]
        urls["compare"] = reverse("notices:compare", kwargs=pair)
    return urls


def _relative_luminance(color: str) -> float:
    """WCAG relative luminance of a ``#rrggbb`` colour."""

    def channel(hex_pair: str) -> float:
        value = int(hex_pair, 16) / 255
        return value / 12.92 if value <= 0.04045 else ((value + 0.055) / 1.055) ** 2.4

    red, green, blue = (channel(color[i : i + 2]) for i in (1, 3, 5))
    return 0.2126 * red + 0.7152 * green + 0.0722 * blue


def contrast_ratio(first: str, second: str) -> float:
    """WCAG contrast ratio of two ``#rrggbb`` colours (1 to 21)."""
    lighter, darker = sorted((_relative_luminance(first), _relative_luminance(second)))[::-1]
    return (lighter + 0.05) / (darker + 0.05)


def brand_text_color(color: str) -> str:
    """Black or white, whichever contrasts more with ``color`` (WCAG relative luminance).

    The better of the two is always at least 4.58:1, so text on the brand colour
    meets WCAG AA whatever colour a controller picks.
    """
    if contrast_ratio(color, "#ffffff") >= contrast_ratio(color, "#000000"):
        return "#ffffff"
    return "#000000"


# The lightest background brand-coloured text and links sit on (the summary box).
ACCENT_BACKGROUND = "#f5f7f9"
ACCENT_MIN_CONTRAST = 4.5


def brand_accent_color(color: str) -> str:
    """The brand colour, darkened just enough for text and links on a light background.

    Links, the summary's edge and other accents use it on white and on
    ``ACCENT_BACKGROUND``; a light brand colour (yellow, say) is darkened step by
    step towards black, keeping its hue, until it reaches WCAG AA's 4.5:1.
    """
    red, green, blue = (int(color[i : i + 2], 16) for i in (1, 3, 5))
    for step in range(101):
        scale = 1 - step / 100
        accent = f"#{round(red * scale):02x}{round(green * scale):02x}{round(blue * scale):02x}"
        if contrast_ratio(accent, ACCENT_BACKGROUND) >= ACCENT_MIN_CONTRAST:
            return accent
    return "#000000"


def _in_language(texts: dict[str, str], language: str) -> str:
    """A text in ``language``; an entry published before the language was added has
    its first language's text."""
    return texts.get(language) or next((text for text in texts.values() if text), "")


def _entry_urls(
    entry: dict[str, Any], language: str, slugs: tuple, published_in: dict[int, Any]
) -> dict[str, str]:
    """A version's page, PDF and comparison with the one before, where they exist.

    A version is published in the languages its summary is written in; its page,
    PDF or comparison in another language would be a 404, so it is not linked.
    The version before is known from the same history, or from the entry's
    ``previous_languages`` (a version's own page shows only its own entry).
    """
    number = entry["number"]
    urls = version_urls(*slugs, language, number)
    own = entry["summary"].keys()
    if own and language not in own:
        urls.pop("page", None)
        urls.pop("pdf", None)
    previous = published_in.get(number - 1, entry.get("previous_languages"))
    if previous is not None and (language not in previous or (own and language not in own)):
        urls.pop("compare", None)
    return urls


def _history_entries(history: list[dict[str, Any]], language: str, snapshot_slugs: tuple) -> list:
    """Change-log entries in ``language`` (call inside translation.override)."""
    return list(_presented(history, language, snapshot_slugs))


def _presented(
    history: Iterable[dict[str, Any]], language: str, snapshot_slugs: tuple
) -> Iterator[dict[str, Any]]:
    """Each entry of ``history`` (newest first, read once) as the templates show it.

    The version before an entry is the next one read, so an entry is presented
    holding only the one after it. The labels are translated here rather than
    with ``blocktranslate`` in the template: a change log of 200 versions renders
    in 36 ms instead of 42 (per language).
    """
    entries = iter(history)
    entry = next(entries, None)
    while entry is not None:
        following = next(entries, None)
        before = following is not None and following["number"] == entry["number"] - 1
        published_in = {following["number"]: following["summary"].keys()} if before else {}
        number = {"number": entry["number"]}
        yield {
            "number": entry["number"],
            "published_at": entry["published_at"],
            "summary": _in_language(entry["summary"], language),
            "changes": [change_list.describe(c, language) for c in entry["changes"]],
            "urls": _entry_urls(entry, language, snapshot_slugs, published_in),
            "label": gettext("version %(number)s") % number,
            "read_label": gettext("Read version %(number)s") % number,
            "pdf_label": gettext("PDF of version %(number)s") % number,
            "compare_label": gettext("What changed in version %(number)s") % number,
        }
        entry = following


def context(
    snapshot: dict[str, Any],
    language: str,
    version: VersionInfo,
    history: list[dict[str, Any]],
    mode: str,
) -> dict[str, Any]:
    """The template context of one language of a notice (call inside translation.override).

    ``history`` is the change-log entries shown: a version's own entry in its
    notice, every version's on the change-log page, none in a draft preview.
    """
    controller_slug = snapshot["controller"]["slug"]
    register_slug = snapshot["register"]["slug"]
    notice = localize(snapshot, language)
    others = [lang for lang in snapshot["languages"] if lang != language]
    brand = snapshot["controller"]["brand_color"]
    return {
        "lang": language,
        "mode": mode,
        "notice": notice,
        "controller": notice["controller"],
        "register": notice["register"],
        "version": version,
        "history": _history_entries(history, language, (controller_slug, register_slug)),
        "urls": public_urls(controller_slug, register_slug, language),
        "alternates": [
            {
                "lang": other,
                "name": native_name(other),
                "url": public_urls(controller_slug, register_slug, other)["detail"],
            }
            for other in others
        ],
        "brand_color": brand,
        "brand_text_color": brand_text_color(brand),
        "brand_accent": brand_accent_color(brand),
        "logo_url": f"/media/{notice['controller']['logo']}"
        if notice["controller"]["logo"]
        else "",
    }


def _json_entry(entry: dict[str, Any]) -> dict[str, Any]:
    """One version's change-log entry (from ``_history_entries``) as JSON: the same in
    notice.json and changes.json."""
    return {
        "version": entry["number"],
        "published_at": entry["published_at"].isoformat(),
        "summary": entry["summary"],
        "changes": entry["changes"],
    }


def notice_json(
    snapshot: dict[str, Any], language: str, version: VersionInfo, own: dict[str, Any]
) -> str:
    """The machine-readable notice of one language (documented in the README).

    ``own`` is this version's change-log entry; the whole history is in the
    register's change-log JSON at the ``changelog`` address.
    """
    notice = localize(snapshot, language)
    slugs = (snapshot["controller"]["slug"], snapshot["register"]["slug"])
    document = {
        "format": "tietosuoja-notice",
        # 3: "changes" is this version's own entry, no longer every version's
        # (those are in the change-log JSON at "changelog").
        # 2: change-list sections are the registry's keys (contact_person,
        # supervisory_authority); 1 said "contact" and reported the authority as "register".
        "format_version": 3,
        "language": language,
        "version": version.number,
        "published_at": version.published_at.isoformat(),
        "first_published_at": version.first_published_at.isoformat(),
        "in_force_from": (version.effective_at or version.published_at).isoformat(),
        "content_hash": version.content_hash,
        "controller": notice["controller"],
        "register": notice["register"],
        "contact_person": notice["contact_person"],
        **{part.key: notice[part.key] for part in PARTS},
        "supervisory_authority": notice["supervisory_authority"],
        # The numbered sections as the page and the PDF show them ("section 2").
        "sections": notice["sections"],
        "changes": _json_entry(_history_entries([own], language, slugs)[0]),
        "changelog": public_urls(*slugs, language)["changelog_json"],
    }
    return json.dumps(document, ensure_ascii=False, indent=2, sort_keys=False)


def _changelog_json_frame(
    language: str, version: VersionInfo, notice: dict[str, Any]
) -> tuple[str, str]:
    """The register's change-log JSON before and after its list of versions.

    The versions, newest first, are written between the two one at a time
    (``render_changelog``), each the object of ``_json_entry``.
    """
    document = {
        "format": "tietosuoja-changelog",
        "format_version": 1,
        "language": language,
        "version": version.number,
        "published_at": version.published_at.isoformat(),
        "first_published_at": version.first_published_at.isoformat(),
        "versions": VERSIONS_SLOT,
        **_earlier_json(notice),
    }
    text = json.dumps(document, ensure_ascii=False, indent=2, sort_keys=False)
    # The first occurrence: only the fields above, none of them free text, come before.
    head, tail = text.split(json.dumps(VERSIONS_SLOT), 1)
    return head, tail


def _earlier_json(notice: dict[str, Any]) -> dict[str, Any]:
    """The notice's history from before this service, for the change-log JSON."""
    if not notice:
        return {}
    return {
        "first_published_on": notice["register"].get("first_published_on"),
        "earlier_changes": [
            {"date": change["date"], "text": change["text"], "before_service": True}
            for change in notice.get("earlier_changes", [])
        ],
    }


def render_languages(
    snapshot: dict[str, Any],
    version: VersionInfo,
    own: dict[str, Any],
    meanwhile: Callable[[], object] | None = None,
) -> list[Rendered]:
    """Every public form of every language of a version, in the snapshot's order.

    ``own`` is the version's own change-log entry, the only history its forms show.
    The PDFs take nearly all the time, so they start first, every language in a
    child process of its own (in parallel), and the web forms are rendered here
    while the children run; then ``meanwhile`` is called (publishing stores the
    register's change log), before waiting for the PDFs.
    """
    languages = snapshot["languages"]
    media = _media(snapshot)
    jobs = [PdfJob(pdf_html(snapshot, lang, version, [own]), media) for lang in languages]
    with start_pdfs(jobs) as batch:
        forms = [render_language(snapshot, lang, version, own) for lang in languages]
        if meanwhile is not None:
            meanwhile()
        pdfs = batch.results()
    return [Rendered(**form, pdf=pdf) for form, pdf in zip(forms, pdfs, strict=True)]


def render_language(
    snapshot: dict[str, Any],
    language: str,
    version: VersionInfo,
    own: dict[str, Any],
) -> dict[str, str]:
    """The page, embed and JSON of one language, showing the version's own entry ``own``.

    Every form but the PDF (``pdf_html``); the change log is the register's
    (``render_changelog``).
    """
    history = [own]
    with translation.override(language), timezone.override(settings.TIME_ZONE):
        page = render_to_string(
            "notices/notice.html", context(snapshot, language, version, history, "page")
        )
        embed = render_to_string(
            "notices/embed.html", context(snapshot, language, version, history, "embed")
        )
        document = notice_json(snapshot, language, version, own)
    return {"html": page, "embed_html": embed, "json": document}


def pdf_html(
    snapshot: dict[str, Any], language: str, version: VersionInfo, history: list[dict[str, Any]]
) -> str:
    """The HTML the PDF of one language is rendered from (the page in print mode)."""
    with translation.override(language), timezone.override(settings.TIME_ZONE):
        return render_to_string(
            "notices/notice.html", context(snapshot, language, version, history, "pdf")
        )


def _media(snapshot: dict[str, Any]) -> tuple[str, ...]:
    """The only media files a notice's PDF may show: the controller's logo, if any."""
    logo = snapshot["controller"]["logo"]
    return (logo,) if logo else ()


def render_changelog(
    snapshot: dict[str, Any],
    language: str,
    version: VersionInfo,
    history: Iterable[dict[str, Any]],
) -> RenderedChangelog:
    """The register's change-log page and JSON of one language, as of ``version``.

    ``snapshot`` is the latest version's (names, brand, languages); ``history``
    every version's own entry, newest first, read once (rows read from the
    database as they come will do). The page is rendered around a slot
    (``ENTRIES_SLOT``) and the JSON around its list of versions; the entries
    are presented and written one at a time between the two, so nothing but the
    text itself grows with the number of versions (issue 14: one template over
    every entry's presentation held several times the text). Publishing renders
    only the entries it has not stored yet (``notices.changelog``).
    """
    slugs = (snapshot["controller"]["slug"], snapshot["register"]["slug"])
    entries = changelog_entries(history, language, slugs)
    first = next(entries, None)
    frame = changelog_frame(snapshot, language, version, first is not None)
    pieces = ((html, item) for _number, html, item in entries)
    return join_changelog(frame, itertools.chain([first[1:]] if first else [], pieces))


@dataclass(frozen=True)
class ChangelogFrame:
    """The change log's page and JSON of one language around their entries."""

    head: str
    tail: str
    json_head: str
    json_tail: str


def changelog_frame(
    snapshot: dict[str, Any], language: str, version: VersionInfo, any_entries: bool
) -> ChangelogFrame:
    """The change log's page and JSON before and after the entries (``join_changelog``)."""
    with translation.override(language), timezone.override(settings.TIME_ZONE):
        page_context = context(snapshot, language, version, [], "page")
        page_context.update(history=any_entries, entries_slot=ENTRIES_SLOT)
        head, tail = render_to_string("notices/changelog.html", page_context).split(ENTRIES_SLOT)
        json_head, json_tail = _changelog_json_frame(language, version, page_context["notice"])
    return ChangelogFrame(head, tail, json_head, json_tail)


def changelog_entries(
    history: Iterable[dict[str, Any]],
    language: str,
    slugs: tuple[str, str],
    only: Collection[int] | None = None,
) -> Iterator[tuple[int, str, str]]:
    """Each entry of ``history`` (newest first, read once) as the change log shows it.

    Yields the version's number, its piece of the page and its item of the JSON
    list (as ``json.dumps`` indents it at the document's second level). An entry
    is presented knowing only the entry read after it, the version before, which
    must be there when it exists; ``only``: the numbers to yield (the others are
    read for the entries after them).
    """
    # One context for every entry (one made per entry took a fifth longer).
    template = get_template("notices/_history_entry.html").template
    shared = Context({"level": 2, "mode": "page"}, autoescape=template.engine.autoescape)
    presented = _presented(history, language, slugs)
    while True:
        # Entered for each entry, not around the yields: the caller runs in between.
        with translation.override(language), timezone.override(settings.TIME_ZONE):
            entry = next(presented, None)
            if entry is None:
                return
            if only is not None and entry["number"] not in only:
                continue
            with shared.push(entry=entry):
                html = template.render(shared)
        item = json.dumps(_json_entry(entry), ensure_ascii=False, indent=2, sort_keys=False)
        yield entry["number"], html, item.replace("\n", "\n    ")


def join_changelog(frame: ChangelogFrame, pieces: Iterable[tuple[str, str]]) -> RenderedChangelog:
    """The change log from its frame and each entry's page piece and JSON item, newest first."""
    page, document = _Pieces(frame.head), [frame.json_head]
    separator = "[\n    "  # the JSON list as json.dumps writes it at the second level
    for html, item in pieces:
        page.add(html)
        document += (separator, item)
        separator = ",\n    "
    page.add(frame.tail)
    html, html_hash = page.text(), page.hash()
    del page  # its pieces: the page is held once while the JSON is joined
    document += ("[]" if separator == "[\n    " else "\n  ]", frame.json_tail)
    return RenderedChangelog(html=html, json="".join(document), html_hash=html_hash)


class _Pieces:
    """A text written piece by piece, hashed (SHA-256 of its UTF-8) as it is written."""

    def __init__(self, first: str) -> None:
        self.pieces: list[str] = []
        self.digest = hashlib.sha256()
        self.add(first)

    def add(self, piece: str) -> None:
        self.pieces.append(piece)
        self.digest.update(piece.encode())

    def text(self) -> str:
        return "".join(self.pieces)

    def hash(self) -> str:
        return self.digest.hexdigest()


def render_preview_pdf(
    snapshot: dict[str, Any], language: str, version: VersionInfo, history: list
) -> bytes:
    html = pdf_html(snapshot, language, version, history)
    return render_pdf(html, media_files=_media(snapshot))
