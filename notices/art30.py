"""The record of processing activities (GDPR Art. 30(1), seloste käsittelytoimista).

One record per company, built from the current draft of every register, not
from the published versions: the record is the controller's internal account
of its processing as it is now, so it covers registers that have no public
notice (staff, suppliers) and changes not yet published. Each register's draft
content hash and its latest published version (number, date, hash) are listed
with the record, and the record's own fingerprint is the hash of those, so two
records from the same data carry the same fingerprint.

Everything Art. 30(1)(a)-(g) asks for is already in the notices, except the
joint controllers of Art. 30(1)(a), kept on the register (``joint_controllers``).
The PDF (``templates/notices/art30.html``) and the spreadsheet (``art30_xlsx``)
are both made from one ``Record``.
"""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from django.conf import settings
from django.db.models import JSONField, OuterRef, Subquery
from django.template.loader import render_to_string
from django.utils import formats, timezone, translation
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from controllers.models import Controller

from . import languages, rules
from .languages import is_text, texts
from .models import NoticeVersion, Register
from .parts import WHOLE_REGISTER
from .pdf import render_pdf
from .presentation import localize
from .snapshot import (
    Snapshot,
    build_snapshot,
    canonical_json,
    content_hash,
    controller_data,
    upgrade,
)

# Dates in the record are Finnish time, as on the notices.
PDF_TIME_ZONE = settings.TIME_ZONE

# Art. 30(1) points, in the order of the article.
ITEMS: dict[str, Any] = {
    "a": gettext_lazy("Controller, joint controllers, representative and data protection officer"),
    "b": gettext_lazy("Purposes of the processing"),
    "c": gettext_lazy("Categories of data subjects and of personal data"),
    "d": gettext_lazy("Categories of recipients, including recipients in third countries"),
    "e": gettext_lazy("Transfers to third countries and their safeguards"),
    "f": gettext_lazy("Time limits for erasure"),
    "g": gettext_lazy("Technical and organisational security measures"),
}


@dataclass(frozen=True)
class Entry:
    """One point of Art. 30(1) for one processing activity."""

    item: str  # "a" … "g"
    heading: str
    lines: list[str]


@dataclass(frozen=True)
class Activity:
    """A register: one processing activity of the record."""

    name: str
    slug: str
    entries: list[Entry]


@dataclass(frozen=True)
class Source:
    """What the record of one register was generated from."""

    register: str
    slug: str
    draft_hash: str
    version: int | None
    version_hash: str
    published_at: datetime | None
    # The published snapshot in today's shape equals the draft (a key added since,
    # such as joint_controllers, is no change).
    draft_is_published: bool


@dataclass(frozen=True)
class Record:
    controller_name: str
    controller: list[tuple[str, str]]  # Art. 30(1)(a): label, value
    language: str
    generated_at: datetime
    fingerprint: str
    activities: list[Activity]
    sources: list[Source]


def record_languages(controller: Controller) -> list[str]:
    """The company's languages: those its registers publish in (the default if none)."""
    found = set()
    for register_languages in controller.registers.values_list("languages", flat=True):
        found.update(register_languages)
    return languages.ordered(found) or [languages.default()]


def _with_fallback(value: Any, language: str, order: list[str]) -> Any:
    """``value`` with every text given in ``language``, from another language if empty there.

    A register not published in ``language`` still belongs in the record in it.
    """
    if is_text(value):
        return {
            **value,
            language: value.get(language)
            or next((value[code] for code in order if value.get(code)), ""),
        }
    if isinstance(value, dict):
        return {key: _with_fallback(item, language, order) for key, item in value.items()}
    if isinstance(value, list):
        return [_with_fallback(item, language, order) for item in value]
    return value


def _or_none(lines: list[str]) -> list[str]:
    """Each line starting with a capital (labels are lower case), or "None." for none."""
    return [capfirst(line) for line in lines] or [_("None.")]


def _joined(*parts: str, separator: str = " – ") -> str:
    return separator.join(part for part in parts if part)


def _purposes(notice: dict[str, Any]) -> list[str]:
    return [
        _joined(
            p["name"],
            p["description"],
            _("legal basis: %(bases)s")
            % {
                "bases": "; ".join(
                    f"{b['article']} {b['name']}"
                    for b in rules.purpose_bases(p, notice["register"])
                )
            },
            _joined(
                _("legitimate interest"),
                rules.purpose_interest(p, notice["register"]),
                separator=": ",
            )
            if rules.purpose_interest(p, notice["register"])
            else "",
        )
        for p in notice["purposes"]
    ]


def _subjects_and_data(notice: dict[str, Any]) -> list[str]:
    lines = [
        _joined(_("Data subjects"), _joined(g["name"], g["description"]), separator=": ")
        for g in notice["subject_groups"]
    ]
    for category in notice["data_categories"]:
        special = f" ({_('special category')})" if category["is_special"] else ""
        text = _joined(category["name"] + special, category["description"])
        lines.append(_joined(_("Personal data"), text, separator=": "))
    return lines


def _recipients(notice: dict[str, Any]) -> list[str]:
    lines = [
        _joined(
            r["name"],
            r["description"],
            _("regular disclosure") if r["is_regular_disclosure"] else "",
        )
        for r in notice["recipients"]
    ]
    lines += [
        _joined(
            _("Processor"),
            _joined(p["name"], p["service"], p["country_name"], p["processes"]),
            separator=": ",
        )
        for p in notice["processors"]
    ]
    if not lines and notice["register"]["no_recipients"]:
        return [_("The data is not disclosed to anyone outside the controller.")]
    return lines


def _transfers(notice: dict[str, Any]) -> list[str]:
    lines = [
        _joined(
            t["country_name"],
            t["processor"] or t["recipient"],
            t["safeguard_label"],
            t["copy_info"],
        )
        for t in notice["transfers"]
    ]
    if not lines and notice["register"]["no_transfers"]:
        return [_("No personal data is transferred outside the EU/EEA.")]
    # The company's own answer (Register.transfers_statement) comes before any listed.
    statement = notice["register"].get("transfers_statement", "")
    return [statement, *lines] if statement else lines


def _retention(notice: dict[str, Any]) -> list[str]:
    lines = []
    for rule in notice["retention"]:
        period = f"{rule['period']} {rule['period_unit_label']}" if rule["period"] else ""
        what = rule["data_category_name"] or str(WHOLE_REGISTER)
        lines.append(
            _joined(what, _joined(period, rule["starting_event"], rule["criteria"]), separator=": ")
        )
    return lines


def activity(snapshot: Snapshot, language: str) -> Activity:
    """One register's entries for points (a)-(g), in ``language``."""
    order = list(snapshot["languages"])
    notice = localize(_with_fallback(snapshot, language, order), language)
    with translation.override(language):
        lines = {
            "a": [
                _joined(
                    _("Joint controllers"),
                    notice["register"]["joint_controllers"] or _("None."),
                    separator=": ",
                )
            ],
            "b": _purposes(notice),
            "c": _subjects_and_data(notice),
            "d": _recipients(notice),
            "e": _transfers(notice),
            "f": _retention(notice),
            "g": [
                _joined(m["kind_label"], m["description"], separator=": ")
                for m in notice["security"]
            ],
        }
        entries = [Entry(item, str(ITEMS[item]), _or_none(lines[item])) for item in ITEMS]
    return Activity(
        name=notice["register"]["name"], slug=snapshot["register"]["slug"], entries=entries
    )


def _controller_details(controller: Controller, language: str) -> list[tuple[str, str]]:
    """Art. 30(1)(a) for the company: who it is and how to reach it, its representative and DPO."""
    order = record_languages(controller)
    representative = _with_fallback(texts(controller, "representative", order), language, order)
    with translation.override(language):
        rows = [
            (_("Name"), controller.name),
            (_("Business ID"), controller.business_id),
            (
                _("Address"),
                _joined(
                    controller.street_address,
                    f"{controller.postal_code} {controller.city}".strip(),
                    controller.country.name if controller.country else "",
                    separator=", ",
                ),
            ),
            (_("Email"), controller.email),
            (_("Phone"), controller.phone),
            (_("Website"), controller.website),
            (_("Representative in the EU"), representative.get(language, "") or _("None.")),
            (
                _("Data protection officer"),
                _joined(
                    controller.dpo_name, controller.dpo_email, controller.dpo_phone, separator=", "
                )
                or _("None."),
            ),
        ]
    return [(label, value) for label, value in rows if value]


def _sources(controller: Controller) -> list[tuple[Register, Snapshot, Source]]:
    """Every register of the company with its draft snapshot and latest published version."""
    latest = NoticeVersion.objects.filter(register=OuterRef("pk")).order_by("-number")
    registers = controller.registers.annotate(
        version_number=Subquery(latest.values("number")[:1]),
        version_hash=Subquery(latest.values("content_hash")[:1]),
        version_published_at=Subquery(latest.values("published_at")[:1]),
        version_snapshot=Subquery(latest.values("snapshot")[:1], output_field=JSONField()),
    ).order_by("slug")
    found = []
    for register in registers:
        snapshot = build_snapshot(register)
        draft_hash = content_hash(snapshot)
        published = register.version_snapshot
        source = Source(
            register=register.slug,  # named in the record's language by build_record
            slug=register.slug,
            draft_hash=draft_hash,
            version=register.version_number,
            version_hash=register.version_hash or "",
            published_at=register.version_published_at,
            draft_is_published=published is not None
            and content_hash(upgrade(published)) == draft_hash,
        )
        found.append((register, snapshot, source))
    return found


def build_record(controller: Controller, language: str, now: datetime | None = None) -> Record:
    """The company's record of processing activities in ``language``, as of ``now``."""
    found = _sources(controller)
    details = _controller_details(controller, language)
    activities: list[Activity] = []
    sources: list[Source] = []
    for _register, snapshot, source in found:
        activities.append(activity(snapshot, language))
        sources.append(replace(source, register=activities[-1].name))
    # The same data gives the same fingerprint, in every language of the record.
    facts = {
        "controller": controller_data(controller, tuple(record_languages(controller))),
        "registers": [[source.slug, source.draft_hash] for source in sources],
    }
    fingerprint = hashlib.sha256(canonical_json(facts)).hexdigest()
    return Record(
        controller_name=controller.name,
        controller=details,
        language=language,
        generated_at=now or timezone.now(),
        fingerprint=fingerprint,
        activities=activities,
        sources=sources,
    )


# --- The record as PDF and as a spreadsheet ---------------------------------------------


def source_status(source: Source) -> str:
    """Whether the register's draft is what was last published (in the active language)."""
    if source.version is None:
        return _("Not published")
    if source.draft_is_published:
        return _("The draft is the published version")
    return _("The draft has changes not yet published")


def record_html(record: Record) -> str:
    """The record as a printable HTML document (the PDF is rendered from it)."""
    with translation.override(record.language), timezone.override(PDF_TIME_ZONE):
        sources = [(source, source_status(source)) for source in record.sources]
        return render_to_string("notices/art30.html", {"record": record, "sources": sources})


def record_pdf(record: Record) -> bytes:
    """The record as a PDF, rendered by the project's sandboxed renderer."""
    return render_pdf(record_html(record))


def _safe(value: Any) -> Any:
    """A cell value that a spreadsheet shows as text and never runs as a formula."""
    if isinstance(value, str):
        return ILLEGAL_CHARACTERS_RE.sub("", value)
    return value


def _append(sheet: Any, row: list[Any]) -> None:
    sheet.append([_safe(value) for value in row])
    for cell in sheet[sheet.max_row]:
        if isinstance(cell.value, str):
            cell.data_type = "s"  # openpyxl takes "=…" for a formula: tenant text is text


def _record_sheet(sheet: Any, record: Record, date: str) -> None:
    sheet.title = _("Record")
    _append(sheet, [_("Record of processing activities"), record.controller_name])
    _append(sheet, [_("Generated"), date])
    _append(sheet, [_("Record fingerprint (SHA-256)"), record.fingerprint])
    _append(sheet, [])
    _append(sheet, [_("Processing activity"), _("Art. 30(1)"), _("Item"), _("Content")])
    _append(sheet, [_("All"), "a", str(ITEMS["a"]), ""])
    for label, value in record.controller:
        _append(sheet, [_("All"), "a", label, value])
    for item in record.activities:
        for entry in item.entries:
            for line in entry.lines:
                _append(sheet, [item.name, entry.item, entry.heading, line])


def _sources_sheet(sheet: Any, record: Record) -> None:
    sheet.title = _("Basis of the record")
    _append(
        sheet,
        [
            _("Register"),
            _("Draft content hash"),
            _("Published version"),
            _("Published"),
            _("Version content hash"),
            _("Status"),
        ],
    )
    for source in record.sources:
        published = (
            formats.date_format(timezone.localtime(source.published_at), "DATE_FORMAT")
            if source.published_at
            else ""
        )
        row = [source.register, source.draft_hash, source.version, published]
        _append(sheet, [*row, source.version_hash, source_status(source)])


def record_xlsx(record: Record) -> bytes:
    """The record as an XLSX workbook: the record itself, then what it was generated from."""
    with translation.override(record.language), timezone.override(PDF_TIME_ZONE):
        workbook = Workbook()
        date = formats.date_format(timezone.localtime(record.generated_at), "DATE_FORMAT")
        _record_sheet(workbook.active, record, date)
        _sources_sheet(workbook.create_sheet(), record)
        for sheet in workbook.worksheets:
            for column, width in zip("ABCDEF", (30, 20, 40, 80, 66, 40), strict=True):
                sheet.column_dimensions[column].width = width
        workbook.properties.title = (
            f"{_('Record of processing activities')} – {record.controller_name}"
        )
        workbook.properties.language = record.language
        buffer = io.BytesIO()
        workbook.save(buffer)
    return buffer.getvalue()
