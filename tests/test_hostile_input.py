"""Hostile and broken input, typed into every admin field, and what visitors then get.

The fields are discovered from the real admin pages a company editor sees: the
controller, its contact person and processor, and the register with every inline
(groups, purposes, data categories, sources, recipients, processors, transfers,
retention, security, cookies, rights), Finnish and English variants alike, plus
the publisher's change summaries. A new field or inline is covered without
editing this file.

Each round gives every field one value of the catalogue (field i gets value
i + round), so that over all rounds every field meets every value, and one
publish per round checks all the values that were accepted. For each
(field, value):

* refused: the page comes back with the field's own error, in the admin's
  language (Finnish or English, alternating by round) and shown on the page,
  and the database is exactly as it was; or
* accepted: it is stored as the form cleaned it, and after publishing it is in
  the notice's JSON exactly, on the page only escaped, in the PDF as text, and
  nothing it says takes effect: no script, handler, style or URL of it in the
  HTML, no action, file or JavaScript in the PDF, no request to the address it
  names (a local server counts them).

Never a 500. NUL characters, over-long values (10 × the field's maximum) and a
megabyte of text must be refused everywhere; plain-text fields must accept
everything else that fits.

Logos (SVG with script, renamed non-images, too many bytes or pixels,
decompression bombs) and the admin's search boxes get tests of their own below.
"""

from __future__ import annotations

import json
import math
import re
import struct
import subprocess
import unicodedata
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from django import forms
from django.conf import settings as django_settings
from django.contrib import admin
from django.core import validators
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import models
from django.forms.models import InlineForeignKeyField
from django.test import Client
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape
from modeltranslation.translator import NotRegistered, translator
from pypdf.generic import DictionaryObject

from controllers.models import ContactPerson, Controller
from controllers.tenancy import tenant_admin_kind
from controllers.validators import validate_no_control_characters
from notices import languages
from notices.models import LegalBasis, NoticeVersion, Processor, Recipient, Register
from tests.conftest import Tenant, login
from tests.notices_factory import (
    complete_notice,
    files_under,
    make_publisher,
    publish,
    without_weasyprint,
)
from tests.test_isolation import form_data, url
from tests.test_pdf import CountingServer, embedded_files, image_count, read
from tests.test_validation import png, register_state, stored

MEGABYTE = 1_000_000

# --- The catalogue ----------------------------------------------------------------------


@dataclass(frozen=True)
class Hostile:
    """A hostile value; ``make(field, server_url)`` builds it for one form field."""

    name: str
    make: Callable[[forms.Field, str], str]
    typed_only: bool = False  # not sent to select boxes (a megabyte in a <select>)


def const(value: str) -> Callable[[forms.Field, str], str]:
    return lambda _field, _url: value


def ten_times_the_maximum(form_field: forms.Field, _url: str) -> str:
    if isinstance(form_field, forms.IntegerField):
        return "9" * 60  # ten times the digits of any integer column's maximum
    return "x" * (10 * (getattr(form_field, "max_length", None) or 10_000))


SCRIPT = "<script>alert(1)</script>"
ATTRIBUTE_BREAK = '"><img src=x onerror=alert(1)>'
STYLE_BREAK = "</style><style>body{display:none}</style>"
COMMENT_BREAK = "--><!--<svg onload=alert(1)>"
BULLETS = "- <script>alert(2)</script>\n- <b>bold</b> item"
ENTITIES = "&lt;b&gt; &amp;amp; &#x27;"

CATALOGUE = [
    Hostile("script", const(SCRIPT)),
    Hostile("attribute-break", const(ATTRIBUTE_BREAK)),
    Hostile("javascript-url", const("javascript:alert(1)")),
    Hostile("data-url", const("data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==")),
    Hostile("style-break", const(STYLE_BREAK)),
    Hostile("css-value", lambda _f, url: f"red;background:url({url}/css.png)"),
    Hostile("markdown-link", const("[x](javascript:alert(1))")),
    Hostile("markdown-image", lambda _f, url: f"![x]({url}/markdown.png)"),
    Hostile("html-image", lambda _f, url: f'<img src="{url}/img.png">'),
    Hostile("template-variable", const("{{ 7*7 }}")),
    Hostile("template-tag", const("{% debug %}")),
    Hostile("comment-break", const(COMMENT_BREAK)),
    Hostile("entities", const(ENTITIES)),
    Hostile("sql", const("'; DROP TABLE notices_register; --")),
    Hostile("bullets", const(BULLETS)),
    Hostile("null-byte", const("a\x00b")),
    Hostile("control-characters", const("\x07\x1b[31mred\x1b[0m")),
    Hostile("bidi-override", const("abc \u202eevil.exe def")),
    Hostile("zalgo-emoji", const("Z̷̢a̸l̵g̶o 👩‍👩‍👧 ÅÄÖ")),
    Hostile("whitespace", const("  \t padded value \t  ")),
    Hostile("ten-times-the-maximum", ten_times_the_maximum),
    Hostile("megabyte", const("m" * MEGABYTE), typed_only=True),
]
ROUNDS = len(CATALOGUE)
# The notice under attack publishes every configured language.
LANGUAGES = languages.codes()
# NUL cannot be stored; control and text-direction characters would change how the
# notice shows (boxes in the PDF, reversed text); over-long values exceed the limits.
MUST_BE_REFUSED = {
    "null-byte",
    "control-characters",
    "bidi-override",
    "ten-times-the-maximum",
    "megabyte",
}

# Written as they are, these would take effect; none may appear unescaped anywhere.
RAW_MARKERS = [
    "<script>alert(",
    "<img src=x",
    '<img src="http://127.0.0.1',
    "<style>body{display:none}",
    "<svg onload",
    "<b>bold</b>",
    ENTITIES,
]

# Values that are stored but not shown on the page or in the PDF (only in the JSON).
# Joint controllers are in the record of processing activities, not yet on the page.
NOT_SHOWN = {("Register", "slug"), ("Processor", "website"), ("Register", "joint_controllers")}


# --- Fields of the admin pages -------------------------------------------------------------


@dataclass
class FormField:
    """One field of an admin page: its POST key, form field and the object it edits."""

    key: str
    form_field: forms.Field
    obj: models.Model
    name: str

    @property
    def model(self) -> str:
        return type(self.obj).__name__

    @property
    def base_name(self) -> str:
        """The model field behind a translation field: ``name`` of ``name_fi``."""
        try:
            fields = translator.get_options_for_model(type(self.obj)).all_fields
        except NotRegistered:
            return self.name
        for base in fields:
            if self.name in (f"{base}_{lang}" for lang in LANGUAGES):
                return base
        return self.name

    @property
    def language(self) -> str | None:
        """The language of a translation field; None when shown in every language."""
        if self.model == "NoticeVersion":  # summary_fi, summary_sv …
            return self.name[-2:]
        return self.name[-2:] if self.base_name != self.name else None

    @property
    def is_select(self) -> bool:
        return isinstance(self.form_field, forms.ChoiceField)

    @property
    def is_plain_text(self) -> bool:
        """Free text: a plain CharField with no rule but its length."""
        plain = (validators.MaxLengthValidator, validators.ProhibitNullCharactersValidator)
        model_field = self.obj._meta.get_field(self.name)
        return type(self.form_field) is forms.CharField and all(
            isinstance(v, plain) or v is validate_no_control_characters
            for v in [*self.form_field.validators, *model_field.validators]
        )


def typed_fields(response) -> list[FormField]:
    """Every field of the admin page a user fills in: text, numbers and choices.

    Left out: hidden fields (row ids, the parent), tick boxes and yes/no answers,
    the delete box and file uploads (logos have their own test).
    """

    def yes_no(form_field: forms.Field) -> bool:
        values = {value for value, _label in getattr(form_field, "choices", [])}
        return isinstance(form_field, forms.TypedChoiceField) and values <= {None, True, False}

    def of(form: forms.BaseForm, obj: models.Model) -> list[FormField]:
        found = []
        for name, form_field in form.fields.items():
            if (
                form_field.widget.is_hidden
                or yes_no(form_field)
                or isinstance(
                    form_field, forms.BooleanField | forms.FileField | InlineForeignKeyField
                )
                or name == "DELETE"
            ):
                continue
            found.append(FormField(form.add_prefix(name), form_field, obj, name))
        return found

    main = response.context["adminform"].form
    fields = of(main, main.instance)
    for inline in response.context["inline_admin_formsets"]:
        for form in inline.formset.forms:
            assert form.instance.pk, "only existing rows are filled in"
            fields += of(form, form.instance)
    return fields


def tenant_pages(tenant: Tenant) -> list[tuple[str, Callable[[], Any]]]:
    """The admin change page of every object a company editor types into.

    Taken from the admin site: every tenant admin whose objects members may change,
    on the tenant's own object of that model (Membership and published versions
    are read-only to members).
    """
    objects = {
        Register: (tenant.register, lambda: register_state(tenant.register)),
        Controller: (tenant.controller, lambda: stored(tenant.controller)),
        ContactPerson: (tenant.contact, lambda: stored(tenant.contact)),
        Processor: (tenant.processor, lambda: stored(tenant.processor)),
    }
    editable = [
        model
        for model, model_admin in admin.site._registry.items()
        if tenant_admin_kind(model_admin) == "tenant" and model_admin.members_can_change
    ]
    assert set(editable) <= set(objects), (
        f"no hostile test object for {set(editable) - set(objects)}"
    )
    return [
        (url(model, "change", objects[model][0].pk), objects[model][1])
        for model in sorted(editable, key=lambda m: m._meta.label)
    ]


def hostile_for(form_field: FormField, index: int) -> Hostile:
    catalogue = [h for h in CATALOGUE if not (form_field.is_select and h.typed_only)]
    return catalogue[index % len(catalogue)]


# --- Submitting and reading the answer --------------------------------------------------------


@dataclass
class Outcome:
    """What happened to each (field, value) of a round."""

    accepted: list[tuple[FormField, Hostile, Any]] = field(default_factory=list)
    refused: list[tuple[FormField, Hostile, list[str]]] = field(default_factory=list)

    @property
    def pairs(self) -> int:
        return len(self.accepted) + len(self.refused)


def assert_no_raw_payload(html: str, where: str) -> None:
    for marker in RAW_MARKERS:
        assert marker not in html, f"unescaped {marker!r} in {where}"


def error_messages(errors: dict[str, list], language: str) -> dict[str, list[str]]:
    with translation.override(language):
        return {key: [m for e in errs for m in e] for key, errs in errors.items()}


def errors_by_key(response) -> dict[str, list]:
    """Field errors of the admin page by POST key; no error may be left without a field."""
    found: dict[str, list] = {}
    main = response.context["adminform"].form
    for name, errs in main.errors.as_data().items():
        assert name != "__all__", [list(e) for e in errs]
        found[main.add_prefix(name)] = errs
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        assert not formset.non_form_errors(), formset.non_form_errors()
        for form in formset.forms:
            for name, errs in form.errors.as_data().items():
                assert name != "__all__", [list(e) for e in errs]
                found[form.add_prefix(name)] = errs
    return found


def assert_errors_shown_and_translated(
    html: str, errors: dict[str, list], language: str, where: str
) -> dict[str, list[str]]:
    shown = error_messages(errors, language)
    english = error_messages(errors, "en")
    for key, messages in shown.items():
        assert messages, key
        for message in messages:
            assert escape(message) in html, f"{where}: error of {key} not on the page: {message}"
        if language == "fi":
            untranslated = set(messages) & set(english[key])
            assert not untranslated, f"{where}: {key}: not in Finnish: {untranslated}"
    return shown


def fits_in_one_request(values: dict[str, Any]) -> bool:
    size = sum(
        len(k) + sum(len(v) for v in (x if isinstance(x, list) else [x])) for k, x in values.items()
    )
    return size < 0.9 * django_settings.DATA_UPLOAD_MAX_MEMORY_SIZE


def batches(assignments: dict[str, Any]) -> list[dict[str, Any]]:
    """The assignments in as few POSTs as fit under Django's request size limit."""
    out: list[dict[str, Any]] = [{}]
    for key, value in sorted(assignments.items(), key=lambda item: len(str(item[1]))):
        if not fits_in_one_request({**out[-1], key: value}):
            out.append({})
        out[-1][key] = value
    return out


@dataclass
class AdminPage:
    """An admin change page: its fields and the POST data that resubmits it unchanged."""

    address: str
    state: Callable[[], Any]
    fields: list[FormField]
    data: dict[str, Any]


def open_pages(client: Client, tenant: Tenant) -> list[AdminPage]:
    pages = []
    for address, state in tenant_pages(tenant):
        response = client.get(address)
        assert response.status_code == 200, address
        pages.append(AdminPage(address, state, typed_fields(response), form_data(response)))
    return pages


def submit_round(
    client: Client,
    page: AdminPage,
    assigned: dict[str, tuple[FormField, Hostile, Any]],
    language: str,
    outcome: Outcome,
) -> None:
    """Post the assigned values and save what the page accepts.

    A refused field goes back to its stored value and the rest is posted again,
    until the page saves.
    """
    where = f"{page.address} ({language})"
    for pending in batches({key: value for key, (_f, _h, value) in assigned.items()}):
        for _attempt in range(4):
            before = page.state()
            response = client.post(page.address, {**page.data, **pending})
            assert response.status_code in (200, 302), f"{where}: {response.status_code}"
            html = response.content.decode()
            assert_no_raw_payload(html, where)
            if response.status_code == 302:
                page.data.update(pending)
                for key, value in pending.items():
                    form_field, hostile, _ = assigned[key]
                    outcome.accepted.append((form_field, hostile, value))
                break
            errors = errors_by_key(response)
            assert errors, f"{where}: redisplayed without an error"
            assert page.state() == before, f"{where}: refused, but something was saved"
            strangers = set(errors) - set(pending)
            assert not strangers, f"{where}: errors on fields not filled in: {strangers}"
            messages = assert_errors_shown_and_translated(html, errors, language, where)
            for key, texts in messages.items():
                form_field, hostile, _ = assigned[key]
                outcome.refused.append((form_field, hostile, texts))
                del pending[key]
        else:
            raise AssertionError(f"{where}: still not saved after removing refused values")


def publish_round(
    client: Client,
    notice: Tenant,
    language: str,
    round_number: int,
    server_url: str,
    media: Path,
    outcome: Outcome,
) -> list[tuple[FormField, Hostile, str]]:
    """Publish through the admin with hostile change summaries; returns the accepted ones."""
    address = reverse("admin:notices_register_publish", args=[notice.register.pk])
    versions = list(NoticeVersion.objects.filter(register=notice.register))
    files = files_under(media)
    summaries: dict[str, tuple[FormField, Hostile, str]] = {}
    for offset, lang in enumerate(LANGUAGES):
        form_field = FormField(
            f"summary_{lang}", forms.CharField(max_length=2000), NoticeVersion(), f"summary_{lang}"
        )
        hostile = CATALOGUE[(round_number + offset) % ROUNDS]
        summaries[form_field.key] = (form_field, hostile, hostile.make(form_field.form_field, ""))
    pending = {key: value for key, (_f, _h, value) in summaries.items()}
    plain = {f"summary_{lang}": f"Julkaisu {lang}." for lang in LANGUAGES}
    for _attempt in range(3):
        response = client.post(address, pending)
        assert response.status_code in (200, 302), response.status_code
        html = response.content.decode()
        assert_no_raw_payload(html, "publish page")
        if response.status_code == 302:
            break
        problems = [str(p.message) for p in response.context["problems"]]
        assert not problems, f"publishing refused: {problems}"
        assert list(NoticeVersion.objects.filter(register=notice.register)) == versions
        assert files_under(media) == files
        errors = response.context["form"].errors.as_data()
        assert errors, "publish page redisplayed without an error"
        messages = assert_errors_shown_and_translated(html, errors, language, "publish page")
        for key, texts in messages.items():
            outcome.refused.append((summaries[key][0], summaries[key][1], texts))
            pending[key] = plain[key]
    else:
        raise AssertionError("publishing refused although the summaries are fine")
    version = NoticeVersion.objects.filter(register=notice.register).latest()
    assert version.number == len(versions) + 1
    assert sorted(version.renderings.values_list("language", flat=True)) == sorted(LANGUAGES)
    accepted = []
    for key, (form_field, hostile, value) in summaries.items():
        if pending[key] == value:
            outcome.accepted.append((form_field, hostile, value))
            assert version.summary[form_field.language] == value.strip()
            accepted.append((form_field, hostile, value.strip()))
    return accepted


# --- What visitors get --------------------------------------------------------------------------


URL_ATTRIBUTES = {"href", "src", "action", "data", "poster", "background", "srcset"}


class PageAudit(HTMLParser):
    """The markup of a page, reduced to what could take effect.

    Each element becomes a signature: its tag and attribute names, and for
    addresses their kind (``/``, ``#``, ``mailto:``, ``https:`` ...; a ``data:``
    address in full). A page made from hostile text may only contain signatures
    that the same page made from plain text has. Whatever the templates, these are
    problems outright: event handler attributes, ``javascript:`` addresses,
    anything pointing at the hostile server, inline script, and style text with
    URLs, imports or ``display: none``.
    """

    STYLE_EFFECTS = ("url(", "@import", "expression(", "display:none", "javascript:", "</")

    def __init__(self, server_url: str) -> None:
        super().__init__(convert_charrefs=True)
        self.server = server_url.split("//", 1)[1]
        self.signatures: set[tuple] = set()
        self.problems: list[str] = []
        self._open: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        signature: list[tuple[str, str]] = []
        for name, value in sorted(attrs):
            kind = ""
            if name in URL_ATTRIBUTES:
                target = (value or "").strip()
                lowered = re.sub(r"[\s\x00-\x1f]", "", target).lower()
                if lowered.startswith(("javascript:", "vbscript:")):
                    self.problems.append(f"<{tag} {name}={value!r}>")
                if self.server in target:
                    self.problems.append(f"<{tag} {name}> points at the hostile server")
                if lowered.startswith("data:"):
                    kind = target
                else:
                    kind = re.match(r"^(/|#|[a-z][a-z0-9+.-]*:|)", lowered).group(1)
            if name.startswith("on") or name in ("srcdoc", "formaction"):
                self.problems.append(f"<{tag} {name}={value!r}>")
            signature.append((name, kind))
        self.signatures.add((tag, tuple(signature)))
        self._open = tag if tag in ("script", "style") else None

    def handle_endtag(self, tag: str) -> None:
        self._open = None

    def handle_data(self, data: str) -> None:
        if self._open == "script" and data.strip():
            self.problems.append(f"inline script {data[:80]!r}")
        if self._open == "style":
            squeezed = re.sub(r"\s+", "", data).lower()
            for effect in self.STYLE_EFFECTS:
                if effect in squeezed:
                    self.problems.append(f"style with {effect}: {data[:80]!r}")


def audit(html: str, server_url: str) -> PageAudit:
    parser = PageAudit(server_url)
    parser.feed(html)
    parser.close()
    return parser


def audit_pdf(data: bytes, where: str, images: int = 0) -> str:
    """The PDF's text, after checking that it does nothing but show text and the logo."""
    reader = read(data)
    assert embedded_files(reader) == [], where
    assert image_count(reader) == images, where
    root = reader.trailer["/Root"]
    assert "/OpenAction" not in root and "/AA" not in root, where
    names = root.get("/Names")
    assert names is None or "/JavaScript" not in names.get_object(), where
    for pdf_page in reader.pages:
        assert "/AA" not in pdf_page, where
        for annotation in pdf_page.get("/Annots", []):
            action = annotation.get_object().get("/A")
            if action is None:
                continue
            action = action.get_object()
            assert isinstance(action, DictionaryObject)
            assert action.get("/S") in ("/URI", "/GoTo"), f"{where}: action {action}"
            if action.get("/S") == "/URI":
                assert str(action["/URI"]).startswith(("mailto:", "https://", "http://")), action
    # The metadata must still be readable (XMP is XML: no raw control characters).
    assert reader.metadata is not None
    reader.xmp_metadata  # noqa: B018 (parses the XMP packet; raises if it is broken)
    text = body_text(data, reader)  # every page's text reads back
    assert text.strip(), where
    return text


# Text below this height (from the bottom of the page) is the running footer and
# the page number in the bottom margin (22 mm in notice.css), not the notice itself.
FOOTER_ZONE_PT = 18 / 25.4 * 72


def body_text(data: bytes, reader) -> str:
    """The text of every page without the running footer, page numbers and list bullets.

    Read by poppler's ``pdftotext`` (a C reader, tens of times faster than pypdf on
    these long documents), cropped above the bottom margin where the footer and the
    page number are (22 mm in notice.css). A value broken across two pages is read
    back with the page break in between, which ``squeeze`` removes; lines that are a
    lone glyph (the bullets of lists) are left out.
    """
    box = reader.pages[0].mediabox
    width, height = float(box.width), float(box.height)
    command = ["pdftotext", "-q", "-enc", "UTF-8", "-x", "0", "-y", "0"]
    command += ["-W", str(math.ceil(width)), "-H", str(math.floor(height - FOOTER_ZONE_PT))]
    result = subprocess.run([*command, "-", "-"], input=data, capture_output=True, check=True)  # noqa: S603
    lines = result.stdout.decode().splitlines()
    return "\n".join(line for line in lines if not _lone_glyph(line))


def _lone_glyph(line: str) -> bool:
    glyphs = re.sub(r"[\s\x00\f]+", "", line)
    return len(glyphs) == 1 and not glyphs.isalnum()


def public_addresses(tenant: Tenant, lang: str, number: int) -> dict[str, str]:
    base = f"/{lang}/{tenant.controller.slug}/{tenant.register.slug}/"
    return {
        "page": base,
        "embed": f"{base}embed/",
        "change log": f"{base}versions/",
        "version": f"{base}versions/{number}/",
        "index": f"/{lang}/{tenant.controller.slug}/",
    }


def page_signatures(client: Client, tenant: Tenant, server_url: str) -> dict[str, set]:
    """Signatures of every public page of the current version, by language and kind."""
    number = NoticeVersion.objects.filter(register=tenant.register).latest().number
    found: dict[str, set] = {}
    for lang in LANGUAGES:
        for kind, address in public_addresses(tenant, lang, number).items():
            response = client.get(address)
            assert response.status_code == 200, address
            parsed = audit(response.content.decode(), server_url)
            assert parsed.problems == [], f"plain {address}: {parsed.problems}"
            found[f"{lang} {kind}"] = parsed.signatures
    return found


def squeeze(text: str) -> str:
    """``text`` without whitespace (line breaks fall anywhere) and without the NULs
    pypdf puts between the characters of some fonts' text."""
    return re.sub(r"[\s\x00]+", "", text)


def lines_of(text: str) -> list[str]:
    """Non-empty lines without a leading list bullet, as the notice shows them."""
    return [
        re.sub(r"^\s*(?:[-*•–])\s+", "", line).strip() for line in text.splitlines() if line.strip()
    ]


def in_pdf(expected: str, text: str) -> bool:
    """Whether the PDF text shows ``expected``.

    Emoji and combining marks are left out: the PDF fonts have no glyph for emoji
    (a box is drawn, which pypdf reads back as noise), and marks may come back
    detached from their letters.
    """
    visible = "".join(
        ch if ch.isprintable() and ord(ch) < 0x2000 and not unicodedata.combining(ch) else " "
        for ch in expected
    )
    shown = squeeze(text)
    return all(squeeze(part) in shown for line in lines_of(visible) for part in line.split())


JSON_SECTIONS = {
    "DataSubjectGroup": "subject_groups",
    "Purpose": "purposes",
    "DataCategory": "data_categories",
    "Source": "sources",
    "Recipient": "recipients",
    "Transfer": "transfers",
    "RetentionRule": "retention",
    "SecurityMeasure": "security",
    "Cookie": "cookies",
    "CoverageItem": "coverage",
    "SectionLead": "section_leads",
    "EarlierChange": "earlier_changes",
}


def json_value(document: dict[str, Any], form_field: FormField) -> Any:
    """Where the notice JSON shows the value of ``form_field``."""
    obj, name, model = form_field.obj, form_field.base_name, form_field.model
    if model == "NoticeVersion":
        return document["changes"]["summary"]
    if model == "Controller":
        if name.startswith("dpo_"):
            return document["controller"]["dpo"][name[4:]]
        return document["controller"][name]
    if model == "ContactPerson":
        return document["contact_person"][name]
    if model == "Register":
        return document["register"][name]
    if model in ("Processor", "RegisterProcessor"):
        pk = obj.pk if model == "Processor" else obj.processor_id
        return next(p for p in document["processors"] if p["id"] == pk)[name]
    if model == "RegisterRight":
        return next(r for r in document["rights"] if r["code"] == obj.right.code)[name]
    items = document[JSON_SECTIONS[model]]
    return next(item for item in items if item["id"] == obj.pk)[name]


def check_public(
    tenant: Tenant,
    values: list[tuple[FormField, Hostile, str]],
    baseline: dict[str, set],
    server: CountingServer,
) -> None:
    """Every public form of the current version shows ``values`` inert and exactly."""
    client = Client()
    number = NoticeVersion.objects.filter(register=tenant.register).latest().number
    documents, pages, texts = {}, {}, {}
    for lang in LANGUAGES:
        for kind, address in public_addresses(tenant, lang, number).items():
            response = client.get(address)
            assert response.status_code == 200, (address, response.status_code)
            html = response.content.decode()
            assert_no_raw_payload(html, address)
            parsed = audit(html, server.url)
            assert parsed.problems == [], f"{address}: {parsed.problems}"
            new = parsed.signatures - baseline[f"{lang} {kind}"]
            assert not new, f"{address}: markup the plain page does not have: {new}"
            if kind == "page":
                pages[lang] = html
        base = public_addresses(tenant, lang, number)["page"]
        response = client.get(base + "notice.json")
        assert response["Content-Type"] == "application/json; charset=utf-8"
        documents[lang] = json.loads(response.content)
        pdf = b"".join(client.get(base + "pdf/").streaming_content)
        texts[lang] = audit_pdf(pdf, f"{base}pdf/")
    assert server.requests == [], "the hostile address was fetched"

    for form_field, hostile, value in values:
        for lang in [form_field.language] if form_field.language else LANGUAGES:
            where = f"{form_field.key} = {hostile.name} ({lang})"
            assert json_value(documents[lang], form_field) == value, f"{where}: JSON"
            if (form_field.model, form_field.base_name) in NOT_SHOWN:
                continue
            for line in lines_of(value):
                assert escape(line) in pages[lang], f"{where}: not shown escaped on the page"
            assert in_pdf(value, texts[lang]), f"{where}: not in the PDF text"


# --- Fixtures ---------------------------------------------------------------------------------


@pytest.fixture
def media(settings, tmp_path) -> Path:
    root = tmp_path / "media"
    root.mkdir()
    settings.MEDIA_ROOT = root
    return root


@pytest.fixture
def notice(acme: Tenant, media: Path) -> Tenant:
    """Acme's complete notice with every text filled in and every optional part shown.

    Every text has a plain value in both languages, so a refused value falls back
    to one and the notice stays complete whatever a round refuses. The DPO, the
    automated decisions, a processor inside the EEA and a transfer named by its
    recipient make the notice show fields it otherwise leaves out.
    """
    complete_notice(acme)
    Controller.objects.filter(pk=acme.controller.pk).update(
        dpo_name="Tietosuojavastaava", dpo_phone="+358 40 000 0000", phone="+358 9 000 000"
    )
    ContactPerson.objects.filter(pk=acme.contact.pk).update(phone="+358 50 000 0000")
    Register.objects.filter(pk=acme.register.pk).update(
        has_automated_decisions=True, languages=list(LANGUAGES)
    )
    Processor.objects.filter(pk=acme.processor.pk).update(country="SE")
    # Consent and legitimate interests beside the contract: every right of the catalogue
    # applies (rules.applicable_rights), so every right's text is shown.
    acme.purpose.legal_bases.add(*LegalBasis.objects.filter(code__in=["6-1-a", "6-1-f"]))
    acme.register.rights.update(included=True)
    acme.transfer.processor = None
    acme.transfer.save()
    register = acme.register
    parts = [
        obj
        for relation in Register._meta.related_objects
        if relation.one_to_many and relation.related_model is not NoticeVersion
        for obj in getattr(register, relation.get_accessor_name()).all()
    ]
    for obj in [acme.controller, acme.contact, acme.processor, register, *parts]:
        obj.refresh_from_db()
        try:
            fields = translator.get_options_for_model(type(obj)).all_fields
        except NotRegistered:
            continue
        for base in fields:
            for lang in LANGUAGES:
                if not getattr(obj, f"{base}_{lang}"):
                    setattr(obj, f"{base}_{lang}", f"{base} {lang}")
        obj.save()
    return acme


@pytest.fixture
def server():
    with CountingServer() as counting:
        yield counting


# --- The rounds ---------------------------------------------------------------------------------


def test_catalogue_covers_the_issue():
    names = {h.name for h in CATALOGUE}
    assert len(names) == len(CATALOGUE) >= 20
    assert names >= MUST_BE_REFUSED


# The rounds run in a few tests that share one published notice, so that xdist
# workers share the work and each test pays for its set-up once.
CHUNKS = 6


@pytest.mark.parametrize("chunk", range(CHUNKS))
def test_hostile_values_are_refused_or_shown_inert(
    chunk: int, notice: Tenant, alice, media: Path, server: CountingServer, monkeypatch, capsys
):
    editors = {lang: login(alice, lang) for lang in LANGUAGES}
    paula = make_publisher(notice.controller)
    publishers = {lang: login(paula, lang) for lang in LANGUAGES}
    for client in [*editors.values(), *publishers.values()]:
        client.raise_request_exception = False  # a 500 is a failed assertion, not a traceback

    # Versions 1 and 2 are plain: their pages show what markup the templates make,
    # a change log and the lists and paragraphs of texts included. (Their PDFs are
    # not looked at, so they are not rendered.)
    with monkeypatch.context() as patch:
        without_weasyprint(patch)
        publish(notice.register, paula)
        texts = {
            lang: f"{lang}: paragraph.\n\nAnother,\non two lines.\n\n- one\n- two"
            for lang in LANGUAGES
        }
        Register.objects.filter(pk=notice.register.pk).update(
            **{f"introduction_{lang}": texts[lang] for lang in LANGUAGES}
        )
        notice.source.delete()
        Recipient.objects.create(
            register=notice.register,
            order=9,
            **{f"name_{lang}": f"Uusi {lang}" for lang in LANGUAGES},
            # Every text in every language, as the fixture gives the others: a round
            # that stores a value in one language only keeps the notice complete.
            **{f"description_{lang}": f"Kuvaus {lang}" for lang in LANGUAGES},
        )
        publish(notice.register, paula, summary=texts)
    baseline = page_signatures(Client(), notice, server.url)
    pages = open_pages(editors["fi"], notice)
    totals = Outcome()

    for round_number in range(chunk, ROUNDS, CHUNKS):
        language = "fi" if (round_number // CHUNKS) % 2 == 0 else "en"
        outcome = Outcome()
        position = round_number  # runs on across pages, so every page meets every value
        for page in pages:
            assigned = {}
            for form_field in page.fields:
                hostile = hostile_for(form_field, position)
                position += 1
                value = hostile.make(form_field.form_field, server.url)
                if isinstance(form_field.form_field, forms.MultipleChoiceField):
                    value = [value]
                assigned[form_field.key] = (form_field, hostile, value)
            submit_round(editors[language], page, assigned, language, outcome)
        check_refusals(outcome, server.url)

        # Stored exactly as the form cleans it.
        expected: list[tuple[FormField, Hostile, str]] = []
        for form_field, hostile, value in outcome.accepted:
            cleaned = form_field.form_field.clean(value)
            fresh = type(form_field.obj)._default_manager.get(pk=form_field.obj.pk)
            assert getattr(fresh, form_field.name) == cleaned, form_field.key
            if isinstance(cleaned, str):
                expected.append((form_field, hostile, cleaned))

        published = publish_round(
            publishers[language], notice, language, round_number, server.url, media, outcome
        )
        check_public(notice, expected + published, baseline, server)
        with capsys.disabled():
            print(
                f"\nhostile round {round_number} ({language}): {outcome.pairs} (field, value) "
                f"pairs, {len(outcome.accepted)} stored and shown inert, "
                f"{len(outcome.refused)} refused"
            )
        totals.accepted += outcome.accepted
        totals.refused += outcome.refused

    # The admin shows every stored hostile value escaped too.
    for page in pages:
        response = editors[language].get(page.address)
        assert response.status_code == 200
        assert_no_raw_payload(response.content.decode(), f"{page.address} after the rounds")
    publish_page = reverse("admin:notices_register_publish", args=[notice.register.pk])
    assert_no_raw_payload(publishers["en"].get(publish_page).content.decode(), "publish page")
    assert totals.accepted and totals.refused


def check_refusals(outcome: Outcome, server_url: str) -> None:
    """Refused: what no field may hold. Plain text takes everything else that fits."""
    for form_field, hostile, messages in outcome.refused:
        if form_field.is_plain_text and hostile.name not in MUST_BE_REFUSED:
            value = hostile.make(form_field.form_field, server_url).strip()
            limit = form_field.form_field.max_length
            assert limit is not None and len(value) > limit, (
                f"plain text {form_field.key} refused {hostile.name}: {messages}"
            )
    for form_field, hostile, _value in outcome.accepted:
        assert hostile.name not in MUST_BE_REFUSED, f"{form_field.key} accepted {hostile.name}"


# --- Logos ---------------------------------------------------------------------------------------


def png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def decompression_bomb(width: int, height: int) -> bytes:
    """A valid one-bit PNG of ``width`` × ``height`` white pixels: a few hundred KB at most.

    Decoded it would take width × height bytes of memory; Pillow refuses to open
    it (DecompressionBombError) above twice its pixel limit and warns above it.
    """
    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    compressor = zlib.compressobj(9)
    row = b"\x00" * (1 + (width + 7) // 8)
    data = b"".join(compressor.compress(row) for _ in range(height)) + compressor.flush()
    return (
        b"\x89PNG\r\n\x1a\n"
        + png_chunk(b"IHDR", header)
        + png_chunk(b"IDAT", data)
        + png_chunk(b"IEND", b"")
    )


SVG_WITH_SCRIPT = (
    b'<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10" onload="alert(1)">'
    b"<script>alert(document.cookie)</script><rect width='10' height='10'/></svg>"
)

# (case, file name, content, content type, acceptable error codes)
REFUSED_LOGOS: list[tuple[str, str, Callable[[], bytes], str, set[str]]] = [
    ("svg-with-script", "logo.svg", lambda: SVG_WITH_SCRIPT, "image/svg+xml", {"invalid_image"}),
    ("svg-named-png", "logo.png", lambda: SVG_WITH_SCRIPT, "image/png", {"invalid_image"}),
    (
        "html-named-png",
        "logo.png",
        lambda: b"<!doctype html><script>alert(1)</script>",
        "image/png",
        {"invalid_image"},
    ),
    (
        "pdf-named-png",
        "logo.png",
        lambda: b"%PDF-1.7\n1 0 obj <<>> endobj\n%%EOF\n",
        "image/png",
        {"invalid_image"},
    ),
    ("png-named-html", "logo.html", lambda: png(16, 16), "text/html", {"invalid_extension"}),
    ("png-named-svg", "logo.svg", lambda: png(16, 16), "image/svg+xml", {"invalid_extension"}),
    ("truncated-png", "logo.png", lambda: png(64, 64)[:60], "image/png", {"invalid_image"}),
    (
        "too-many-bytes",
        "logo.png",
        lambda: png(480, 480, noise=True),
        "image/png",
        {"logo_too_large"},
    ),
    ("too-many-pixels", "logo.png", lambda: png(2001, 1), "image/png", {"logo_too_many_pixels"}),
    (
        "decompression-bomb",  # 900 million pixels: Pillow's DecompressionBombError
        "logo.png",
        lambda: decompression_bomb(30_000, 30_000),
        "image/png",
        {"invalid_image"},
    ),
    (
        "decompression-bomb-warning",  # 100 million: Pillow only warns; the pixel limit refuses
        "logo.png",
        lambda: decompression_bomb(10_000, 10_000),
        "image/png",
        {"logo_too_many_pixels", "invalid_image"},
    ),
]


@pytest.mark.parametrize(
    ("case", "name", "content", "kind", "codes"), REFUSED_LOGOS, ids=[c[0] for c in REFUSED_LOGOS]
)
def test_hostile_logo_is_refused_with_a_form_error(
    case, name, content, kind, codes, alice, acme: Tenant, media: Path, settings
):
    assert settings.LOGO_MAX_BYTES == 512 * 1024 and settings.LOGO_MAX_DIMENSION == 2000
    data = content()
    assert len(data) < django_settings.FILE_UPLOAD_MAX_MEMORY_SIZE * 10  # a small upload
    client = login(alice, "fi")
    client.raise_request_exception = False
    address = url(Controller, "change", acme.controller.pk)
    before = stored(acme.controller)
    page = client.get(address)
    response = client.post(
        address, {**form_data(page), "logo": SimpleUploadedFile(name, data, content_type=kind)}
    )
    assert response.status_code == 200, response.status_code
    errors = response.context["adminform"].form.errors.as_data()
    assert set(errors) == {"logo"}, errors
    assert {e.code for e in errors["logo"]} & codes, [(e.code, list(e)) for e in errors["logo"]]
    assert_errors_shown_and_translated(response.content.decode(), errors, "fi", case)
    assert stored(acme.controller) == before
    assert files_under(media) == set()


ACCEPTED_LOGOS = [
    ("hostile-file-name", f"{ATTRIBUTE_BREAK}.png", lambda: png(24, 24)),
    (
        "png-with-html-after-its-end",
        "logo.png",
        lambda: png(24, 24) + b"<!doctype html><script>alert(1)</script>",
    ),
]


def test_accepted_logo_is_stored_safely_and_shown_only_as_an_image(
    notice: Tenant, alice, media: Path, server: CountingServer
):
    """A real image is accepted whatever its name or trailing bytes, and stays an image."""
    editor = login(alice, "en")
    paula = make_publisher(notice.controller)
    address = url(Controller, "change", notice.controller.pk)
    for number, (case, name, content) in enumerate(ACCEPTED_LOGOS, 1):
        page = editor.get(address)
        upload = SimpleUploadedFile(name, content(), content_type="image/png")
        response = editor.post(address, {**form_data(page), "logo": upload})
        assert response.status_code == 302, case
        logo = Controller.objects.get(pk=notice.controller.pk).logo.name
        assert re.fullmatch(r"logos/[A-Za-z0-9_.-]+\.png", logo), logo
        assert (media / logo).read_bytes() == upload.file.getvalue()

        served = Client().get(f"/media/{logo}")
        assert served.status_code == 200
        assert served["Content-Type"] == "image/png"
        assert served["X-Content-Type-Options"] == "nosniff"

        publish(notice.register, paula, summary=dict.fromkeys(LANGUAGES, f"Logo {number}."))
        client = Client()
        for lang in LANGUAGES:
            base = f"/{lang}/{notice.controller.slug}/{notice.register.slug}/"
            html = client.get(base).content.decode()
            assert_no_raw_payload(html, f"{case} {base}")
            parsed = audit(html, server.url)
            assert parsed.problems == [], parsed.problems
            assert f'src="/media/{logo}"' in html
            audit_pdf(b"".join(client.get(base + "pdf/").streaming_content), case, images=1)
        assert server.requests == []


# --- Search boxes ---------------------------------------------------------------------------

SEARCHABLE = [
    (model, model_admin)
    for model, model_admin in sorted(
        admin.site._registry.items(), key=lambda item: item[0]._meta.label
    )
    if tenant_admin_kind(model_admin) == "tenant" and model_admin.search_fields
]


@pytest.mark.parametrize(
    ("model", "model_admin"), SEARCHABLE, ids=[m._meta.label for m, _ in SEARCHABLE]
)
def test_admin_search_takes_hostile_text(model, model_admin, alice, acme: Tenant):
    """Every catalogue value in each search box: a page with the text escaped, or 400 for NUL.

    PostgreSQL cannot compare text with NUL at all, so a NUL anywhere in the address
    is refused before the database is asked (notices.middleware).
    """
    client = login(alice, "fi")
    client.raise_request_exception = False
    changelist = url(model, "changelist")
    searched = 0
    for hostile in CATALOGUE:
        if hostile.typed_only:
            continue  # a megabyte does not fit in an address
        value = hostile.make(forms.CharField(max_length=200), "http://127.0.0.1:9")
        response = client.get(changelist, {"q": value})
        if "\x00" in value:
            assert response.status_code == 400, (hostile.name, response.status_code)
            continue
        assert response.status_code == 200, (hostile.name, response.status_code)
        html = response.content.decode()
        assert_no_raw_payload(html, f"{changelist}?q={hostile.name}")
        assert f'value="{escape(value.strip())}"' in html or f'value="{escape(value)}"' in html
        searched += 1
    assert searched == len(CATALOGUE) - 2


def test_nul_in_any_address_is_400_not_a_server_error(alice_client, acme: Tenant):
    alice_client.raise_request_exception = False
    register_list = url(Register, "changelist")
    for address, params in [
        (register_list, {"data_origin__exact": "\x00"}),
        (register_list, {"o": "1\x00"}),
        (register_list, {"q\x00": "x"}),
        ("/admin/autocomplete/", {"term": "a\x00", "app_label": "notices",
                                  "model_name": "transfer", "field_name": "processor"}),
        ("/fi/acme/customers/", {"x": "\x00"}),
    ]:  # fmt: skip
        response = alice_client.get(address, params)
        assert response.status_code == 400, (address, params, response.status_code)
    response = alice_client.get(
        "/admin/autocomplete/",
        {
            "term": SCRIPT,
            "app_label": "notices",
            "model_name": "transfer",
            "field_name": "processor",
        },
    )
    assert response.status_code == 200
    assert response.json() == {"results": [], "pagination": {"more": False}}
