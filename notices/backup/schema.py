"""The structure of a backup file (schema versions 2 and 3), declared as pydantic models.

``backup_file()`` is the model of a whole JSON file (version 2); ``manifest_file()``
the model of an archive's manifest (version 3), whose registers list their
versions as members of the archive (``VersionMember``), each read and validated
one at a time as a ``version_model()``. The objects that hold a
model's data (the controller, a register, each part) are built from
``columns.columns()``, so their keys follow the Django models and the
registries; the rest (stored files, users, versions' snapshots and change
lists) is declared here. Validation is strict: no type is coerced (``1`` is
not ``true``, ``"1"`` is not ``1``), no unknown key is accepted, and every
error has its path in the file (``registers[0].purposes[2].name``).

What the schema checks is the file's shape: JSON types, references that are
well formed, names of stored files, base64. Whether references resolve and
hashes match is ``reading``'s work; whether the values obey the models' rules
(lengths, choices, characters, cross-field rules) is the models' own
``full_clean()`` while importing.
"""

from __future__ import annotations

import base64
import binascii
import re
from datetime import date, datetime
from functools import cache
from pathlib import Path
from typing import Annotated, Any

from django.db import models
from django.utils.translation import gettext as _
from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StrictBool,
    StrictInt,
    StrictStr,
    WrapValidator,
    create_model,
)
from pydantic_core import PydanticCustomError

from .. import languages
from ..changes import KINDS, REASONS
from ..models import Controller, NoticeRendering, NoticeVersion, Register
from ..parts import PARTS, SECTIONS
from ..snapshot import upgrade
from . import columns
from .columns import Column, Kind, Layout

FORMAT = "tietosuoja-controller-backup"
# A whole backup as one JSON document (``backup_dumps``); still written on request.
SCHEMA_VERSION = 2
# A backup as a ZIP archive: a manifest, one member per version and per PDF (``archive``).
ARCHIVE_VERSION = 3
# Primary keys the importer will try to keep: positive 32-bit integers.
MAX_ID = 2**31 - 1

REF_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$")
SHA256_RE = re.compile(r"^[0-9a-f]{64}$")
# Storage names we accept for a logo: ours (upload_to="logos/"), nothing that walks.
LOGO_NAME_RE = re.compile(r"^logos/[A-Za-z0-9][A-Za-z0-9._-]{0,93}$")
LOGO_EXTENSIONS = frozenset({".png", ".jpg", ".jpeg", ".gif", ".webp"})
PDF_NAME_RE = re.compile(r"^notices/(?:[A-Za-z0-9_-][A-Za-z0-9._-]*/){0,4}[A-Za-z0-9_.-]+\.pdf$")
# Names of an archive's members that the manifest and the versions name.
MEMBER_RE = re.compile(r"^versions/(?:[A-Za-z0-9_-][A-Za-z0-9._-]*/){0,4}[A-Za-z0-9_.-]+$")


class Entry(BaseModel):
    """Every object of the file: strict types, no key that is not declared."""

    model_config = ConfigDict(strict=True, extra="forbid", frozen=True)


def _expected(what: str) -> PydanticCustomError:
    return PydanticCustomError("type", _("expected %(expected)s.") % {"expected": what})


# --- Values ---------------------------------------------------------------------------


def _day(value: Any) -> date:
    """An ISO 8601 date (2019-05-31), as the exporter writes it."""
    if isinstance(value, str) and len(value) == 10:
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
    raise _expected(_("a date (YYYY-MM-DD)"))


def _timestamp(value: Any) -> datetime:
    """An ISO 8601 date and time with a time zone, as the exporter writes it."""
    moment = None
    if isinstance(value, str):
        try:
            moment = datetime.fromisoformat(value)
        except ValueError:
            moment = None
    if moment is None or moment.tzinfo is None:
        raise _expected(_("a date and time with a time zone"))
    return moment


def _ref_name(value: str) -> str:
    if not REF_RE.match(value):
        raise PydanticCustomError(
            "bad_ref",
            _("“%(ref)s” is not a valid reference (letters, digits, “-”, “_”, “.”, “:”).")
            % {"ref": value[:100]},
        )
    return value


def _link(value: Any) -> Any:
    """A reference to another object; a number (a database key) is refused when resolved."""
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise _expected(_("a string"))
    return value


def _link_or_null(value: Any) -> Any:
    return None if value is None else _link(value)


def _language(value: str) -> str:
    if value not in languages.codes():
        raise PydanticCustomError(
            "unknown_key",
            _("the key “%(key)s” is not part of this format.") % {"key": value[:20]},
        )
    return value


def _languages(value: list[str]) -> list[str]:
    if not value or len(set(value)) != len(value):
        raise _expected(", ".join(languages.codes()))
    return value


def _sha256(value: str) -> str:
    if not SHA256_RE.match(value):
        raise _expected(_("a SHA-256 hash in lower-case hexadecimal"))
    return value


class MemberBytes(bytes):
    """A stored file's bytes read from an archive member (no JSON value is one)."""


def _base64(value: Any) -> bytes:
    if isinstance(value, MemberBytes):
        return bytes(value)
    try:
        if not isinstance(value, str):
            raise ValueError
        return base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        raise _expected(_("base64-encoded bytes")) from None


Timestamp = Annotated[datetime, BeforeValidator(_timestamp)]
Day = Annotated[date, BeforeValidator(_day)]
RefName = Annotated[StrictStr, AfterValidator(_ref_name)]
Link = Annotated[Any, BeforeValidator(_link)]
LinkOrNull = Annotated[Any, BeforeValidator(_link_or_null)]
Language = Annotated[StrictStr, AfterValidator(_language)]
Languages = Annotated[list[Language], AfterValidator(_languages)]
Text = dict[Language, StrictStr | None]
"""A translated field: its text in each configured language (a missing language: none)."""
Texts = dict[Language, StrictStr]
Sha256 = Annotated[StrictStr, AfterValidator(_sha256)]
Id = Annotated[StrictInt, Field(ge=1, le=MAX_ID)]


def attribute(key: str) -> str:
    """The pydantic attribute of a key: a key that BaseModel uses (``json``) gets a ``_``."""
    return f"{key}_" if hasattr(BaseModel, key) else key


def value(entry: BaseModel, key: str) -> Any:
    """The value of ``key`` in an object of the file."""
    return getattr(entry, attribute(key))


# --- Stored files ---------------------------------------------------------------------


def _safe_name(name: str, pattern: re.Pattern[str]) -> str:
    """A stored file's name: relative, ours, no parent directories or odd characters."""
    unsafe = (
        not pattern.match(name)
        or ".." in name
        or "//" in name
        or "\\" in name
        or name.startswith("/")
        or any(ord(char) < 32 for char in name)
    )
    if unsafe:
        raise PydanticCustomError(
            "unsafe_name", _("the file name “%(name)s” is not allowed.") % {"name": name[:200]}
        )
    return name


def _logo_name(name: str) -> str:
    _safe_name(name, LOGO_NAME_RE)
    if Path(name).suffix.lower() not in LOGO_EXTENSIONS:
        raise PydanticCustomError(
            "unsafe_name", _("the file name “%(name)s” is not allowed.") % {"name": name[:200]}
        )
    return name


class StoredFile(Entry):
    """A file in storage (the logo, a PDF): its name, size, SHA-256 and bytes."""

    name: StrictStr
    size: Annotated[StrictInt, Field(ge=0)]
    sha256: Sha256
    content_base64: Annotated[bytes, BeforeValidator(_base64)]


class Logo(StoredFile):
    name: Annotated[StrictStr, AfterValidator(_logo_name)]


class Pdf(StoredFile):
    name: Annotated[StrictStr, AfterValidator(lambda name: _safe_name(name, PDF_NAME_RE))]


MemberName = Annotated[StrictStr, AfterValidator(lambda name: _safe_name(name, MEMBER_RE))]


class VersionMember(Entry):
    """A version in an archive's manifest: the member that holds it, its size and SHA-256."""

    member: MemberName
    size: Annotated[StrictInt, Field(ge=0)]
    sha256: Sha256


# --- What a published version stores -------------------------------------------------


def _keep_as_given(given: Any, handler: Any) -> Any:
    """Check ``given`` against the declared shape but keep it exactly as it was given.

    A snapshot and a change list are stored as published: their hash and the
    pages rendered from them depend on every key, declared or not.
    """
    handler(given)
    return given


def _snapshot_as_given(given: Any, handler: Any) -> Any:
    """A stored snapshot of any schema, checked in today's shape, kept as it was published."""
    handler(upgrade(given) if isinstance(given, dict) else given)
    return given


def _one_of(choices: dict[str, Any], *, null: bool = False) -> Any:
    def check(value: Any) -> Any:
        if (value is None and null) or (isinstance(value, str) and value in choices):
            return value
        raise _expected(", ".join(choices))

    return Annotated[Any, BeforeValidator(check)]


class ChangeDetail(Entry):
    """A field a change changed, old → new by language (empty: a text too long to quote)."""

    field: StrictStr
    label: Texts
    old: Texts
    new: Texts


class Change(Entry):
    """One entry of a version's change list, as the change log renders it."""

    section: StrictStr
    kind: _one_of(KINDS)  # type: ignore[valid-type]
    name: Texts
    substantive: StrictBool
    reason: _one_of(REASONS, null=True)  # type: ignore[valid-type]
    details: list[ChangeDetail] = []


def _identified(identity: str) -> Any:
    def check(item: dict[str, Any]) -> dict[str, Any]:
        if identity not in item:
            raise PydanticCustomError(
                "missing_key", _("the key “%(key)s” is missing.") % {"key": identity}
            )
        return item

    return Annotated[dict[str, Any], AfterValidator(check)]


@cache
def snapshot_model() -> type[BaseModel]:
    """What a published snapshot must hold for later publishing: sections and every part.

    Items are matched across versions by their identity (``parts.Part.identity``).
    """
    fields: dict[str, Any] = {"languages": (Languages, ...)}
    for section in SECTIONS:
        shape = dict[str, Any] | None if section.key == "contact_person" else dict[str, Any]
        fields[attribute(section.key)] = (shape, Field(alias=section.key))
    for part in PARTS:
        items = list[_identified(part.identity)]  # type: ignore[misc]
        fields[attribute(part.key)] = (items, Field(alias=part.key))
    return create_model(
        "Snapshot", __config__=ConfigDict(strict=True, extra="allow", frozen=True), **fields
    )


# --- Objects built from the models -------------------------------------------------------


def _value_type(field: models.Field) -> Any:
    if isinstance(field, models.BooleanField):
        return StrictBool
    if isinstance(field, models.IntegerField):
        return StrictInt
    if isinstance(field, models.DateTimeField):
        return Timestamp
    if isinstance(field, models.DateField):
        return Day
    if isinstance(field, models.JSONField):
        return Any
    if isinstance(field, models.CharField | models.TextField):
        return StrictStr
    raise TypeError(f"The backup has no JSON form for {field!r}; declare one in _shapes().")


def _shapes() -> dict[tuple[type[models.Model], str], Any]:
    """Keys whose shape is more than their model field's type says."""
    return {
        (Controller, "logo"): Logo | None,
        (Register, "languages"): list[StrictStr],
        (NoticeVersion, "summary"): Texts,
        (NoticeVersion, "changes"): Annotated[list[Change], WrapValidator(_keep_as_given)],
        (NoticeVersion, "snapshot"): Annotated[snapshot_model(), WrapValidator(_snapshot_as_given)],
        (NoticeRendering, "pdf"): Pdf,
    }


# The JSON form of a column by its kind; a plain value's by its model field (_value_type).
KIND_TYPES: dict[Kind, Any] = {
    Kind.TEXT: Text,
    Kind.REF: Link,
    Kind.REFS: list[Link],
    Kind.CODE: StrictStr,
    Kind.CODES: list[StrictStr],
    Kind.USER: StrictStr,
}


def _column_type(model: type[models.Model], column: Column) -> Any:
    shaped = _shapes().get((model, column.key))
    if shaped is not None:
        return shaped
    if column.kind is Kind.FILE:
        raise TypeError(f"Declare the stored file {column.key!r} of {model.__name__} in _shapes().")
    if column.kind is Kind.REF and column.null:
        return LinkOrNull
    found = KIND_TYPES.get(column.kind) or _value_type(column.field)
    return found | None if column.null and column.kind is not Kind.REFS else found


def entry_model(layout: Layout, **children: Any) -> type[BaseModel]:
    """The model of one object of ``layout``: ``ref``, ``id``, its columns and ``children``."""
    fields: dict[str, Any] = {}
    if layout.ref:
        fields["ref"] = (RefName, ...)
    if layout.id:
        fields["id"] = (Id | None, None)
    for column in columns.columns(layout):
        fields[attribute(column.key)] = (
            _column_type(layout.model, column),
            Field(alias=column.key, **_left_out(column)),
        )
    for key, child in children.items():
        fields[key] = (list[child], ...)
    return create_model(f"{layout.model.__name__}Entry", __base__=Entry, **fields)


def _left_out(column: Column) -> dict[str, Any]:
    """How a column may be left out, as files written before it existed do; {} if required.

    A text that may be blank (Register.joint_controllers), codes that may be none, a
    flag or record with a default, a value that may be null
    (NoticeVersion.effective_at, .record) or a blank string (.record_hash, .signature)
    takes the model's empty value; every other key is required.
    """
    field = column.field
    if column.kind is Kind.TEXT:
        return {"default_factory": dict} if field.blank else {}
    if column.kind is Kind.CODES and field.blank:
        # Catalogue codes that may be none (Register.legal_bases): none.
        return {"default_factory": list}
    if column.kind is not Kind.VALUE:
        return {}
    if isinstance(field, models.BooleanField | models.JSONField) and field.has_default():
        # A flag or a record added later (Purpose.is_direct_marketing,
        # NoticeVersion.acknowledged_warnings): the model's default, as a migration gives.
        default = field.default
        return {"default_factory": default} if callable(default) else {"default": default}
    if field.null:
        return {"default": None}
    if field.blank and isinstance(field, models.CharField | models.TextField):
        return {"default": ""}
    return {}


class UserEntry(Entry):
    """A user named by the file: never a password or a staff or superuser flag."""

    username: StrictStr
    email: StrictStr
    first_name: StrictStr
    last_name: StrictStr


USER_FIELDS = tuple(UserEntry.model_fields)


@cache
def version_model() -> type[BaseModel]:
    """The model of one published version with its renderings (and their PDFs)."""
    return entry_model(columns.VERSION, renderings=entry_model(columns.RENDERING))


@cache
def backup_file() -> type[BaseModel]:
    """The model of a whole backup file of schema version 2."""
    return _file_model("BackupFile", version_model())


@cache
def manifest_file() -> type[BaseModel]:
    """The model of an archive's manifest (version 3): its versions are members."""
    return _file_model("Manifest", VersionMember)


def _file_model(name: str, version: type[BaseModel]) -> type[BaseModel]:
    parts = {part.key: entry_model(columns.part_layout(part)) for part in PARTS}
    register = entry_model(columns.REGISTER, **parts, versions=version)
    return create_model(
        name,
        __base__=Entry,
        format=(StrictStr, ...),
        schema_version=(StrictInt, ...),
        exported_at=(StrictStr | None, None),
        controller=(entry_model(columns.CONTROLLER), ...),
        users=(list[UserEntry], ...),
        memberships=(list[entry_model(columns.MEMBERSHIP)], ...),  # type: ignore[misc]
        contact_persons=(list[entry_model(columns.CONTACT_PERSON)], ...),  # type: ignore[misc]
        processors=(list[entry_model(columns.PROCESSOR)], ...),  # type: ignore[misc]
        registers=(list[register], ...),  # type: ignore[valid-type]
    )
