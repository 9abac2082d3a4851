"""What a register's notice is made of, defined once.

Each ``Part`` names a section of the notice: its one ``key`` (the same in the
snapshot, ``notice.json``, the backup file, the change list and the
completeness check), its label, its model, how an item reads as snapshot data,
how an item is named in the change list and how it is edited in the admin.
The snapshot (``snapshot.py``), the change list (``changes.py``), the
completeness check (``completeness.py``), the admin's inlines (``admin.py``)
and the backup (``backup``) are all built from ``PARTS``; a test checks that
every part appears in each of them, so a new part cannot be half-added.

Translated fields are found in django-modeltranslation's registry, never listed
by hand: a field registered in ``translation.py`` is read in every language the
register publishes.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db import models
from django.db.models import Prefetch
from django.utils.formats import date_format
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField
from modeltranslation.translator import NotRegistered, translator

from . import models as models_module
from . import rules
from .forms import DataCategoryForm, PurposeForm
from .languages import names, texts
from .models import (
    Cookie,
    CoverageItem,
    DataCategory,
    DataSubjectGroup,
    EarlierChange,
    LegalBasis,
    Purpose,
    Recipient,
    RegisterProcessor,
    RegisterRight,
    RetentionRule,
    SectionLead,
    SecurityMeasure,
    Source,
    Transfer,
)

Item = dict[str, Any]


def translated_fields(model: type[models.Model]) -> tuple[str, ...]:
    """The fields of ``model`` stored once per language (modeltranslation's registry)."""
    try:
        return tuple(translator.get_options_for_model(model).all_fields)
    except NotRegistered:
        return ()


def value_of(obj: models.Model, name: str, languages: Iterable[str]) -> Any:
    """One field of ``obj`` as snapshot data: texts by language, codes, ids."""
    model_field = obj._meta.get_field(name)
    if name in translated_fields(type(obj)):
        return texts(obj, name, languages)
    if isinstance(model_field, CountryField):
        return getattr(obj, name).code or ""
    if model_field.many_to_many:
        return [related.pk for related in getattr(obj, name).all()]
    if model_field.many_to_one:
        return getattr(obj, model_field.attname)
    return getattr(obj, name)


def catalogue_entry(basis: LegalBasis, languages: Iterable[str]) -> Item:
    """A legal basis as a purpose's snapshot lists it."""
    return {
        "code": basis.code,
        "article": basis.article,
        "kind": basis.kind,
        "name": texts(basis, "name", languages),
        "description": texts(basis, "description", languages),
    }


@dataclass(frozen=True)
class Inline:
    """How a part is edited on the register's admin page."""

    fields: tuple[str, ...]
    stacked: bool = False
    form: type | None = None
    options: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Part:
    """A listed section of a register's notice (purposes, recipients, …).

    ``fields`` are read from each row (``value_of``); ``computed`` adds what is
    computed from related rows; ``build`` replaces both where the item is not a
    plain copy of one row. ``identity`` matches an item across versions.
    """

    key: str
    label: Promise
    model: type[models.Model]
    accessor: str
    inline: Inline
    fields: tuple[str, ...] = ()
    computed: Callable[[Any, tuple[str, ...]], Item] | None = None
    build: Callable[[Any, tuple[str, ...], dict[str, Any]], Item | None] | None = None
    name: Callable[[Item, str], str] | None = None
    identity: str = "id"
    prefetch: Callable[[], Prefetch | str] | None = None
    substantive_addition: str | None = None
    # Whether the notice shows it as a section an editor can open with a lead paragraph.
    has_lead: bool = True

    def item(self, obj: models.Model, languages: tuple[str, ...], context: dict) -> Item | None:
        """One row as snapshot data (None: left out of the notice)."""
        if self.build is not None:
            return self.build(obj, languages, context)
        data: Item = {"id": obj.pk}
        for name in self.fields:
            data[name] = value_of(obj, name, languages)
        if self.computed is not None:
            data.update(self.computed(obj, languages))
        return data

    def item_name(self, item: Item, language: str) -> str:
        """A short name of an item for the change list, in ``language``."""
        if self.name is not None:
            return self.name(item, language)
        name = item["name"]
        return name.get(language, "") if isinstance(name, dict) else str(name)

    def prefetch_lookup(self) -> Prefetch | str:
        return self.prefetch() if self.prefetch is not None else self.accessor


# --- Items that are more than a copy of one row ------------------------------------


def _purpose_extra(purpose: Purpose, languages: tuple[str, ...]) -> Item:
    return {
        "legal_bases": [catalogue_entry(b, languages) for b in purpose.legal_bases.all()],
        "legitimate_interest": texts(purpose, "legitimate_interest", languages),
    }


def _processor_item(link: RegisterProcessor, languages: tuple[str, ...], _context: dict) -> Item:
    processor = link.processor
    name = names(processor, "name", languages)
    # A processor named by its function only: "what it does" is its name, and like a
    # name it may be written once for every language.
    service = texts if any(name.values()) else names
    return {
        "id": link.processor_id,
        "name": name,
        "service": service(processor, "service", languages),
        "country": processor.country.code,
        "website": processor.website,
        "processes": texts(link, "processes", languages),
    }


def _transfer_extra(transfer: Transfer, languages: tuple[str, ...]) -> Item:
    processor = transfer.processor
    if processor is None:
        return {"processor": ""}
    return {
        "processor": processor_label(
            names(processor, "name", languages), names(processor, "service", languages)
        )
    }


def processor_label(name: dict[str, str] | str, service: dict[str, str]) -> dict[str, str] | str:
    """How a transfer names its processor: by name, or by what it does if it has none."""
    if isinstance(name, dict):
        return name if any(name.values()) else service
    return name or next((text for text in service.values() if text), "")


def _retention_extra(rule: RetentionRule, languages: tuple[str, ...]) -> Item:
    category = rule.data_category
    return {"data_category_name": texts(category, "name", languages) if category else None}


def _right_item(link: RegisterRight, languages: tuple[str, ...], context: dict) -> Item | None:
    right = link.right
    # The right to withdraw consent is shown wherever a purpose rests on consent.
    shown = link.included or (
        right.code == right.Code.WITHDRAW_CONSENT and context.get("rests_on_consent")
    )
    if not shown:
        return None
    own = texts(link, "text", languages)
    default = texts(right, "default_text", languages)
    return {
        "code": right.code,
        "article": right.article,
        "name": texts(right, "name", languages),
        "text": {lang: own[lang] or default[lang] for lang in languages},
        "own_wording": any(own.values()),
    }


# --- Names in the change list --------------------------------------------------------


def _transfer_name(item: Item, language: str) -> str:
    processor = item["processor"]
    # Snapshots stored before processor names were translated hold one name.
    if isinstance(processor, dict):
        processor = processor.get(language, "")
    who = processor or item["recipient"].get(language, "")
    return f"{who} ({item['country']})"


def _retention_name(item: Item, language: str) -> str:
    if item["data_category_name"]:
        return item["data_category_name"].get(language, "")
    return str(WHOLE_REGISTER)


def _security_name(item: Item, language: str) -> str:
    return item["description"].get(language, "")[:80]


def _lead_name(item: Item, language: str) -> str:
    return section_label(item["section"])


def _earlier_change_item(change: EarlierChange, languages: tuple[str, ...], _context: dict) -> Item:
    return {
        "id": change.pk,
        "date": change.date.isoformat(),
        "text": texts(change, "text", languages),
    }


def _earlier_change_name(item: Item, language: str) -> str:
    return date_format(date.fromisoformat(item["date"]), "DATE_FORMAT")


def _recipient_extra(recipient: Any, languages: tuple[str, ...]) -> Item:
    return {"name": names(recipient, "name", languages)}


WHOLE_REGISTER = _("whole register")

COOKIE_FIELDS = (
    "name",
    "provider",
    "category",
    "purpose",
    "duration",
    "consent_required",
    "provider_country",
)


PARTS: tuple[Part, ...] = (
    Part(
        key="coverage",
        label=_("What the register covers"),
        model=CoverageItem,
        accessor="coverage",
        fields=("name",),
        has_lead=False,
        inline=Inline(fields=("order", "name")),
    ),
    Part(
        key="subject_groups",
        label=_("Groups of data subjects"),
        model=DataSubjectGroup,
        accessor="subject_groups",
        fields=("name", "description"),
        inline=Inline(fields=("order", "name", "description")),
    ),
    Part(
        key="purposes",
        label=_("Purposes and legal bases"),
        model=Purpose,
        accessor="purposes",
        fields=("name", "description", "is_direct_marketing"),
        computed=_purpose_extra,
        prefetch=lambda: Prefetch(
            "purposes", queryset=Purpose.objects.prefetch_related("legal_bases")
        ),
        substantive_addition="new_purpose",
        inline=Inline(
            fields=(
                "order",
                "name",
                "description",
                "legal_bases",
                "legitimate_interest",
                "is_direct_marketing",
            ),
            stacked=True,
            form=PurposeForm,
            options={"filter_horizontal": ["legal_bases"]},
        ),
    ),
    Part(
        key="data_categories",
        label=_("Personal data"),
        model=DataCategory,
        accessor="data_categories",
        fields=("name", "description", "is_special", "subject_groups"),
        prefetch=lambda: Prefetch(
            "data_categories", queryset=DataCategory.objects.prefetch_related("subject_groups")
        ),
        inline=Inline(
            fields=("order", "name", "description", "is_special", "subject_groups"),
            stacked=True,
            form=DataCategoryForm,
        ),
    ),
    Part(
        key="sources",
        label=_("Sources"),
        model=Source,
        accessor="sources",
        fields=("name", "description", "is_public"),
        inline=Inline(fields=("order", "name", "description", "is_public")),
    ),
    Part(
        key="recipients",
        label=_("Recipients and disclosures"),
        model=Recipient,
        accessor="recipients",
        fields=("name", "description", "is_regular_disclosure"),
        computed=_recipient_extra,
        substantive_addition="new_recipient",
        inline=Inline(fields=("order", "name", "description", "is_regular_disclosure")),
    ),
    Part(
        key="processors",
        label=_("Processors"),
        model=RegisterProcessor,
        accessor="register_processors",
        build=_processor_item,
        prefetch=lambda: Prefetch(
            "register_processors", queryset=RegisterProcessor.objects.select_related("processor")
        ),
        substantive_addition="new_processor",
        inline=Inline(
            fields=("order", "processor", "processes"),
            options={"autocomplete_fields": ["processor"]},
        ),
    ),
    Part(
        key="transfers",
        label=_("Transfers outside the EU/EEA"),
        model=Transfer,
        accessor="transfers",
        fields=("country", "recipient", "safeguard", "copy_info"),
        computed=_transfer_extra,
        name=_transfer_name,
        prefetch=lambda: Prefetch(
            "transfers", queryset=Transfer.objects.select_related("processor")
        ),
        substantive_addition="new_transfer",
        inline=Inline(
            fields=("order", "country", "processor", "recipient", "safeguard", "copy_info"),
            stacked=True,
            options={"autocomplete_fields": ["processor"]},
        ),
    ),
    Part(
        key="retention",
        label=_("Retention"),
        model=RetentionRule,
        accessor="retention_rules",
        fields=("data_category", "period", "period_unit", "starting_event", "criteria"),
        computed=_retention_extra,
        name=_retention_name,
        prefetch=lambda: Prefetch(
            "retention_rules", queryset=RetentionRule.objects.select_related("data_category")
        ),
        inline=Inline(
            fields=(
                "order",
                "data_category",
                "period",
                "period_unit",
                "starting_event",
                "criteria",
            ),
            stacked=True,
        ),
    ),
    Part(
        key="security",
        label=_("Security"),
        model=SecurityMeasure,
        accessor="security_measures",
        fields=("kind", "description"),
        name=_security_name,
        inline=Inline(fields=("order", "kind", "description")),
    ),
    Part(
        key="cookies",
        label=_("Cookies"),
        model=Cookie,
        accessor="cookies",
        fields=COOKIE_FIELDS,
        inline=Inline(fields=("order", *COOKIE_FIELDS)),
    ),
    Part(
        key="rights",
        label=_("Rights"),
        model=RegisterRight,
        accessor="rights",
        build=_right_item,
        identity="code",
        prefetch=lambda: Prefetch("rights", queryset=RegisterRight.objects.select_related("right")),
        inline=Inline(fields=("order", "right", "included", "text")),
    ),
    Part(
        key="section_leads",
        label=_("Lead paragraphs of the sections"),
        model=SectionLead,
        accessor="section_leads",
        fields=("section", "text"),
        name=_lead_name,
        identity="section",
        has_lead=False,
        inline=Inline(fields=("section", "text"), stacked=True),
    ),
    Part(
        key="earlier_changes",
        label=_("Changes before this service"),
        model=EarlierChange,
        accessor="earlier_changes",
        build=_earlier_change_item,
        name=_earlier_change_name,
        has_lead=False,
        inline=Inline(fields=("date", "text"), stacked=True),
    ),
)

PARTS_BY_KEY = {part.key: part for part in PARTS}


@dataclass(frozen=True)
class Section:
    """A part of the notice that is one object, not a list: who, what, whom to ask."""

    key: str
    label: Promise
    # Where it is edited: on the controller's page or on the register's.
    edited_on: str


# The single-object sections, then the listed parts, in the order of the notice.
SECTIONS: tuple[Section, ...] = (
    Section("controller", _("Controller"), "controller"),
    Section("register", _("Register"), "register"),
    Section("contact_person", _("Contact person"), "register"),
    Section("supervisory_authority", _("Supervisory authority"), "register"),
)
SECTION_LABELS: dict[str, Promise] = {
    **{section.key: section.label for section in SECTIONS},
    **{part.key: part.label for part in PARTS},
}
# Change lists stored before the keys were unified name the contact "contact".
SECTION_ALIASES = {"contact": "contact_person"}


def section_label(key: str) -> str:
    return str(SECTION_LABELS.get(SECTION_ALIASES.get(key, key), key))


def lead_section_choices() -> list[tuple[str, Promise]]:
    """The sections a lead paragraph can open: every section and shown part, in order.

    A section or part added here gets its lead paragraph without further code
    (``SectionLead.section`` takes its choices from this at run time).
    """
    return [(section.key, section.label) for section in SECTIONS] + [
        (part.key, part.label) for part in PARTS if part.has_lead
    ]


# SectionLead.section takes its choices from here (see notices.models.lead_sections).
models_module.LEAD_SECTION_CHOICES[:] = lead_section_choices()


def rests_on_consent(purposes: Iterable[Purpose]) -> bool:
    """Whether any purpose of a register (rows, with bases prefetched) rests on consent."""
    return any(rules.is_consent(b.code) for p in purposes for b in p.legal_bases.all())


# --- The published notice's numbered sections ----------------------------------------


def _has_cookies(notice: dict[str, Any]) -> bool:
    return bool(notice["cookies"] or notice["register"]["cookies_info"])


def _has_contact(notice: dict[str, Any]) -> bool:
    # Optional where the controller's own contact details are given (Art. 13(1)(a)-(b)).
    return bool(notice["contact_person"] or notice["controller"].get("has_dpo"))


def _has_processors(notice: dict[str, Any]) -> bool:
    return bool(notice["processors"])


def _names_authority(notice: dict[str, Any]) -> bool:
    # Art. 13(2)(d) asks for the right to complain (a right every notice lists); which
    # authority, with its address, is custom: printed only where the editor chose one.
    return bool(notice["supervisory_authority"] or notice["leads"].get("supervisory_authority"))


def _answers_automated(notice: dict[str, Any]) -> bool:
    # Shown once the editor has answered the question, either way (None: unanswered).
    return notice["register"]["has_automated_decisions"] is not None


@dataclass(frozen=True)
class NoticeSection:
    """A numbered section of the published notice (page, embed and PDF alike).

    ``anchor`` is the section's id on the page; ``shown`` tells, from the notice
    read in one language (``presentation.localize``), whether the notice has the
    section at all (None: every notice has it).
    """

    anchor: str
    heading: Promise
    shown: Callable[[dict[str, Any]], bool] | None = None


# The sections in the customary order of a Finnish notice (rekisteriseloste):
# controller, contact person, register, purposes and bases, data, sources,
# disclosures, transfers, retention, security, and then what the GDPR added.
# The numbers are counted over the sections a notice shows, so they run 1, 2, 3
# without gaps; a published version's numbers are fixed with its stored bytes.
NOTICE_SECTIONS: tuple[NoticeSection, ...] = (
    NoticeSection("controller", _("Controller")),
    NoticeSection("contact", _("Contact person"), shown=_has_contact),
    NoticeSection("register", _("Register")),
    NoticeSection("purposes", _("Purposes and legal bases")),
    NoticeSection("data", _("Personal data")),
    NoticeSection("sources", _("Sources")),
    NoticeSection("recipients", _("Recipients and disclosures")),
    NoticeSection("processors", _("Processors"), shown=_has_processors),
    NoticeSection("transfers", _("Transfers outside the EU/EEA")),
    NoticeSection("retention", _("Retention")),
    NoticeSection("security", _("Security")),
    NoticeSection("cookies", _("Cookies"), shown=_has_cookies),
    NoticeSection("automated", _("Automated decision-making"), shown=_answers_automated),
    NoticeSection("rights", _("Your rights")),
    NoticeSection("complaint", _("Complaints"), shown=_names_authority),
    NoticeSection("changes", _("Changes")),
)


def numbered_sections(notice: dict[str, Any]) -> list[dict[str, Any]]:
    """The sections ``notice`` (localized) shows, numbered from 1, with their headings."""
    shown = [s for s in NOTICE_SECTIONS if s.shown is None or s.shown(notice)]
    return [
        {"anchor": section.anchor, "number": number, "heading": str(section.heading)}
        for number, section in enumerate(shown, start=1)
    ]
