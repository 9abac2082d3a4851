"""Backup and restore of one controller as a single self-contained JSON file.

``controller_export(controller=...)`` reads everything of a controller (its own
fields in both languages, logo, contact persons, processors, registers with all
their parts, memberships by username, and every published version with its
stored pages, JSON and PDFs) into a dict; ``backup_dumps`` turns it into the
bytes of the file. ``backup_loads``/``backup_read`` parse such a file and
``controller_import(data=...)`` restores it into this database in one
transaction. The format is described in ``docs/backup-format.md``.

Objects refer to each other with export-local references (``"ref"`` strings),
never with database keys, so a file can be restored into any database. Each
object also carries its primary key in the exporting database (``"id"``): the
importer keeps it when it is free, because published snapshots name the parts
of a register by id and the change list of the next version compares by id.

Importing validates the whole file before it writes anything: structure and
types, references (only to this file's own objects, of the right kind and
register), catalogue codes, file names, SHA-256 hashes of every file and page,
and every model field (``clean_fields``). The writes then run in one
transaction with ``full_clean()`` before every save; on any failure the
transaction is rolled back and every file it stored is removed again.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import os
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from functools import partial
from pathlib import Path
from typing import Any

from django import forms
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import DatabaseError, connection, models, transaction
from django.db.models.deletion import ProtectedError
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django_countries.fields import CountryField

from controllers.models import ContactPerson, Controller, Membership
from controllers.validators import validate_logo

from .changes import KINDS, REASONS
from .models import (
    Cookie,
    DataCategory,
    DataSubjectGroup,
    LegalBasis,
    NoticeRendering,
    NoticeVersion,
    Processor,
    Purpose,
    Recipient,
    Register,
    RegisterProcessor,
    RegisterRight,
    RetentionRule,
    Right,
    SecurityMeasure,
    Source,
    SupervisoryAuthority,
    Transfer,
)
from .services import pdf_storage_name
from .snapshot import content_hash

FORMAT = "tietosuoja-controller-backup"
SCHEMA_VERSION = 1
# The largest backup file import_controller reads; settings.BACKUP_MAX_BYTES overrides it.
DEFAULT_MAX_BYTES = 200 * 1024 * 1024
# Primary keys the importer will try to keep: positive 32-bit integers.
MAX_ID = 2**31 - 1
LANGUAGES = ("fi", "en")

# --- The schema: the fields of each object, as stored in the file ---------------------
# Every concrete field of these models is either listed here or written by the code
# below (relations, the logo, the PDF file); tests/test_backup.py checks that nothing
# is left out. Translated fields appear once per language (name_fi, name_en).

CONTROLLER_FIELDS = (
    "name",
    "business_id",
    "slug",
    "street_address",
    "postal_code",
    "city",
    "country_fi",
    "country_en",
    "phone",
    "email",
    "website",
    "brand_color",
    "representative_fi",
    "representative_en",
    "dpo_name",
    "dpo_email",
    "dpo_phone",
    "embed_origins",
    "created_at",
    "updated_at",
)
CONTACT_FIELDS = ("name", "title_fi", "title_en", "email", "phone")
PROCESSOR_FIELDS = ("name", "service_fi", "service_en", "country", "website")
REGISTER_FIELDS = (
    "slug",
    "name_fi",
    "name_en",
    "introduction_fi",
    "introduction_en",
    "data_origin",
    "statutory_requirement_fi",
    "statutory_requirement_en",
    "has_automated_decisions",
    "automated_decisions_fi",
    "automated_decisions_en",
    "no_recipients",
    "no_transfers",
    "cookies_info_fi",
    "cookies_info_en",
    "rights_exercise_fi",
    "rights_exercise_en",
    "publish_in_english",
    "is_online",
    "created_at",
    "updated_at",
)
VERSION_FIELDS = (
    "number",
    "published_at",
    "summary_fi",
    "summary_en",
    "changes",
    "snapshot",
    "content_hash",
)
RENDERING_FIELDS = (
    "language",
    "html",
    "embed_html",
    "changelog_html",
    "json",
    "pdf_size",
    "html_hash",
    "pdf_hash",
)
USER_FIELDS = ("username", "email", "first_name", "last_name")
FILE_KEYS = ("name", "size", "sha256", "content_base64")


@dataclass(frozen=True)
class Part:
    """One kind of a register's parts: its key in the file, model, fields and links."""

    key: str
    model: type[models.Model]
    fields: tuple[str, ...]
    kind: str  # the prefix of exported references, e.g. "group-12"
    links: tuple[str, ...] = ()


TEXT = ("name_fi", "name_en", "description_fi", "description_en")

# In the order they are created: groups before the categories that name them,
# categories before the retention rules that name them.
PARTS: tuple[Part, ...] = (
    Part("subject_groups", DataSubjectGroup, ("order", *TEXT), "group"),
    Part(
        "purposes",
        Purpose,
        ("order", *TEXT, "legitimate_interest_fi", "legitimate_interest_en"),
        "purpose",
        ("legal_bases",),
    ),
    Part(
        "data_categories",
        DataCategory,
        ("order", *TEXT, "is_special"),
        "category",
        ("subject_groups",),
    ),
    Part("sources", Source, ("order", *TEXT, "is_public"), "source"),
    Part("recipients", Recipient, ("order", *TEXT, "is_regular_disclosure"), "recipient"),
    Part(
        "register_processors",
        RegisterProcessor,
        ("order", "processes_fi", "processes_en"),
        "register-processor",
        ("processor",),
    ),
    Part(
        "transfers",
        Transfer,
        (
            "order",
            "country",
            "recipient_fi",
            "recipient_en",
            "safeguard",
            "copy_info_fi",
            "copy_info_en",
        ),
        "transfer",
        ("processor",),
    ),
    Part(
        "retention_rules",
        RetentionRule,
        (
            "order",
            "period",
            "period_unit",
            "starting_event_fi",
            "starting_event_en",
            "criteria_fi",
            "criteria_en",
        ),
        "retention",
        ("data_category",),
    ),
    Part(
        "security_measures",
        SecurityMeasure,
        ("order", "kind", "description_fi", "description_en"),
        "security",
    ),
    Part(
        "cookies",
        Cookie,
        (
            "order",
            "name",
            "provider",
            "category",
            "purpose_fi",
            "purpose_en",
            "duration_fi",
            "duration_en",
            "consent_required",
        ),
        "cookie",
    ),
    Part("rights", RegisterRight, ("order", "included", "text_fi", "text_en"), "right", ("right",)),
)

# What a published snapshot must hold for the next version's change list to be computed.
SNAPSHOT_OBJECTS = ("controller", "register", "authority")
SNAPSHOT_LISTS = (
    "subject_groups",
    "purposes",
    "data_categories",
    "sources",
    "recipients",
    "processors",
    "transfers",
    "retention",
    "security",
    "cookies",
    "rights",
)

# Storage names we accept for a logo: ours (upload_to="logos/"), nothing that walks.
LOGO_NAME_RE = re.compile(r"^logos/[A-Za-z0-9][A-Za-z0-9._-]{0,93}$")
LOGO_EXTENSIONS = frozenset({".png", ".jpg", ".jpeg", ".gif", ".webp"})
PDF_NAME_RE = re.compile(r"^notices/(?:[A-Za-z0-9_-][A-Za-z0-9._-]*/){0,4}[A-Za-z0-9_.-]+\.pdf$")
REF_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$")
SHA256_RE = re.compile(r"^[0-9a-f]{64}$")


class BackupError(Exception):
    """A backup cannot be exported or imported; the message says why (translated).

    ``code`` is a stable identifier of the kind of problem, ``path`` the place in
    the file (e.g. ``registers[0].purposes[2].legal_bases[1]``).
    """

    def __init__(self, message: str, *, code: str, path: str = "") -> None:
        super().__init__(f"{path}: {message}" if path else message)
        self.message = message
        self.code = code
        self.path = path


# --- Export ---------------------------------------------------------------------------


def _encode(model_field: models.Field, value: Any) -> Any:
    if value is None:
        return None
    if isinstance(model_field, models.DateTimeField):
        return value.isoformat()
    if isinstance(model_field, CountryField):
        return value.code
    return value


def _values(obj: models.Model, names: Iterable[str]) -> dict[str, Any]:
    meta = obj._meta
    return {
        name: _encode(meta.get_field(name), meta.get_field(name).value_from_object(obj))
        for name in names
    }


def _file_entry(name: str, content: bytes) -> dict[str, Any]:
    return {
        "name": name,
        "size": len(content),
        "sha256": hashlib.sha256(content).hexdigest(),
        "content_base64": base64.b64encode(content).decode("ascii"),
    }


def _read_stored(name: str, *, expected_sha256: str | None, what: str) -> bytes:
    try:
        with default_storage.open(name, "rb") as handle:
            content = handle.read()
    except OSError as error:
        raise BackupError(
            _("The stored file %(name)s (%(what)s) cannot be read: %(error)s")
            % {"name": name, "what": what, "error": error},
            code="stored_file",
        ) from error
    if expected_sha256 is not None and hashlib.sha256(content).hexdigest() != expected_sha256:
        raise BackupError(
            _(
                "The stored file %(name)s (%(what)s) does not match its recorded hash; "
                "nothing was exported."
            )
            % {"name": name, "what": what},
            code="stored_file",
        )
    return content


def _ref(kind: str, pk: int | None) -> str | None:
    return f"{kind}-{pk}" if pk is not None else None


def _part_entry(part: Part, obj: models.Model) -> dict[str, Any]:
    entry: dict[str, Any] = {"ref": _ref(part.kind, obj.pk), "id": obj.pk}
    entry.update(_values(obj, part.fields))
    if part.key == "purposes":
        entry["legal_bases"] = [basis.code for basis in obj.legal_bases.order_by("order", "code")]
    elif part.key == "data_categories":
        entry["subject_groups"] = [
            _ref("group", pk)
            for pk in obj.subject_groups.order_by("pk").values_list("pk", flat=True)
        ]
    elif part.key in ("register_processors", "transfers"):
        entry["processor"] = _ref("processor", obj.processor_id)
    elif part.key == "retention_rules":
        entry["data_category"] = _ref("category", obj.data_category_id)
    elif part.key == "rights":
        entry["right"] = obj.right.code
    return entry


def _version_entry(version: NoticeVersion) -> dict[str, Any]:
    entry: dict[str, Any] = {"id": version.pk}
    entry.update(_values(version, VERSION_FIELDS))
    entry["published_by"] = version.published_by.get_username() if version.published_by else None
    renderings = []
    for rendering in version.renderings.order_by("language"):
        item = _values(rendering, RENDERING_FIELDS)
        what = f"{version} ({rendering.language})"
        pdf = _read_stored(rendering.pdf.name, expected_sha256=rendering.pdf_hash, what=what)
        if len(pdf) != rendering.pdf_size:
            raise BackupError(
                _(
                    "The stored file %(name)s (%(what)s) does not match its recorded size; "
                    "nothing was exported."
                )
                % {"name": rendering.pdf.name, "what": what},
                code="stored_file",
            )
        item["pdf"] = _file_entry(rendering.pdf.name, pdf)
        renderings.append(item)
    entry["renderings"] = renderings
    return entry


def controller_export(*, controller: Controller) -> dict[str, Any]:
    """Everything of ``controller`` as the data of a backup file (schema version 1).

    Raises BackupError if a stored file (logo or PDF) is missing or no longer
    matches its recorded hash: a backup that could not be restored is refused.
    Call it inside a transaction to read a consistent state (the export command
    does, with repeatable reads on PostgreSQL).
    """
    controller = Controller.objects.get(pk=controller.pk)
    data: dict[str, Any] = {
        "format": FORMAT,
        "schema_version": SCHEMA_VERSION,
        "exported_at": timezone.now().isoformat(),
    }
    entry: dict[str, Any] = {"id": controller.pk}
    entry.update(_values(controller, CONTROLLER_FIELDS))
    entry["logo"] = None
    if controller.logo:
        logo = _read_stored(controller.logo.name, expected_sha256=None, what=_("logo"))
        entry["logo"] = _file_entry(controller.logo.name, logo)
    data["controller"] = entry

    # The users the file names: members, and whoever published a version.
    memberships = Membership.objects.filter(controller=controller).select_related("user")
    publishers = (
        get_user_model()
        .objects.filter(published_versions__register__controller=controller)
        .distinct()
    )
    users = {m.user.get_username(): m.user for m in memberships}
    users.update({user.get_username(): user for user in publishers})
    data["users"] = [
        {name: getattr(user, name) or "" for name in USER_FIELDS}
        for _username, user in sorted(users.items())
    ]
    data["memberships"] = [
        {"user": m.user.get_username(), "role": m.role}
        for m in sorted(memberships, key=lambda m: m.user.get_username())
    ]
    data["contact_persons"] = [
        {"ref": _ref("contact", c.pk), "id": c.pk, **_values(c, CONTACT_FIELDS)}
        for c in ContactPerson.objects.filter(controller=controller).order_by("pk")
    ]
    data["processors"] = [
        {"ref": _ref("processor", p.pk), "id": p.pk, **_values(p, PROCESSOR_FIELDS)}
        for p in Processor.objects.filter(controller=controller).order_by("pk")
    ]
    registers = []
    for register in Register.objects.filter(controller=controller).order_by("pk"):
        item: dict[str, Any] = {"ref": _ref("register", register.pk), "id": register.pk}
        item.update(_values(register, REGISTER_FIELDS))
        item["contact_person"] = _ref("contact", register.contact_person_id)
        item["supervisory_authority"] = {"email": register.supervisory_authority.email}
        for part in PARTS:
            manager = getattr(register, part.key)
            item[part.key] = [_part_entry(part, obj) for obj in manager.order_by("order", "pk")]
        item["versions"] = [
            _version_entry(version)
            for version in register.versions.select_related("published_by").order_by("number")
        ]
        registers.append(item)
    data["registers"] = registers
    return data


def backup_dumps(data: dict[str, Any]) -> bytes:
    """The bytes of a backup file: UTF-8 JSON, one key a line, ending in a newline."""
    return json.dumps(data, ensure_ascii=False, indent=1).encode() + b"\n"


@dataclass(frozen=True)
class ExportSummary:
    """How much a backup holds, for the export command's report."""

    registers: int
    versions: int
    renderings: int
    files: int
    file_bytes: int


def export_summary(data: dict[str, Any]) -> ExportSummary:
    versions = [v for r in data["registers"] for v in r["versions"]]
    renderings = [x for v in versions for x in v["renderings"]]
    files = [x["pdf"]["size"] for x in renderings]
    if data["controller"]["logo"]:
        files.append(data["controller"]["logo"]["size"])
    return ExportSummary(
        registers=len(data["registers"]),
        versions=len(versions),
        renderings=len(renderings),
        files=len(files),
        file_bytes=sum(files),
    )


# --- Reading a file -------------------------------------------------------------------


def max_backup_bytes() -> int:
    """The largest backup file accepted: settings.BACKUP_MAX_BYTES, else 200 MB."""
    return int(getattr(settings, "BACKUP_MAX_BYTES", None) or DEFAULT_MAX_BYTES)


def _too_large(limit: int) -> BackupError:
    return BackupError(
        _("The backup file is larger than %(max)d bytes, the most this service reads.")
        % {"max": limit},
        code="too_large",
    )


def backup_read(*, path: str | Path, max_bytes: int | None = None) -> dict[str, Any]:
    """Read and parse the backup file at ``path``, refusing one over ``max_bytes``."""
    limit = max_bytes if max_bytes is not None else max_backup_bytes()
    try:
        with open(path, "rb") as handle:
            if Path(path).stat().st_size > limit:
                raise _too_large(limit)
            raw = handle.read(limit + 1)
    except OSError as error:
        raise BackupError(
            _("The backup file cannot be read: %(error)s") % {"error": error.strerror or error},
            code="unreadable",
        ) from error
    return backup_loads(raw, max_bytes=limit)


def _no_duplicate_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise ValueError(f"duplicate key {key!r}")
        result[key] = value
    return result


def _no_constants(name: str) -> Any:
    raise ValueError(f"{name} is not allowed")


def backup_loads(raw: bytes, *, max_bytes: int | None = None) -> dict[str, Any]:
    """Parse the bytes of a backup file into its data; BackupError if it is not JSON."""
    limit = max_bytes if max_bytes is not None else max_backup_bytes()
    if len(raw) > limit:
        raise _too_large(limit)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        raise BackupError(_("The backup file is not UTF-8 text."), code="encoding") from error
    try:
        data = json.loads(text, object_pairs_hook=_no_duplicate_keys, parse_constant=_no_constants)
    except json.JSONDecodeError as error:
        raise BackupError(
            _(
                "The backup file is not valid JSON (line %(line)d, column %(column)d): "
                "%(error)s. It may be truncated or damaged."
            )
            % {"line": error.lineno, "column": error.colno, "error": error.msg},
            code="json",
        ) from error
    except (ValueError, RecursionError) as error:
        raise BackupError(
            _("The backup file is not valid JSON: %(error)s.") % {"error": error},
            code="json",
        ) from error
    if not isinstance(data, dict):
        raise BackupError(_("The backup file does not hold a JSON object."), code="format")
    return data


# --- Validating a file (nothing is written) ------------------------------------------


@dataclass
class _Obj:
    """One object read from the file: its model, place, reference, id and field values."""

    model: type[models.Model]
    path: str
    values: dict[str, Any]
    ref: str | None = None
    id: int | None = None
    links: dict[str, Any] = field(default_factory=dict)
    instance: Any = None


@dataclass
class _StoredFile:
    name: str
    content: bytes
    sha256: str


@dataclass
class _Version:
    obj: _Obj
    published_by: str | None
    renderings: list[tuple[_Obj, _StoredFile]]


@dataclass
class _Register:
    obj: _Obj
    parts: dict[str, list[_Obj]]
    versions: list[_Version]


@dataclass
class _Plan:
    controller: _Obj
    logo: _StoredFile | None
    users: dict[str, _Obj]
    memberships: list[_Obj]
    contacts: list[_Obj]
    processors: list[_Obj]
    registers: list[_Register]


def _type_error(path: str, expected: str) -> BackupError:
    return BackupError(_("expected %(expected)s.") % {"expected": expected}, code="type", path=path)


def _expect_dict(value: Any, path: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise _type_error(path, _("an object"))
    return value


def _expect_list(value: Any, path: str) -> list[Any]:
    if not isinstance(value, list):
        raise _type_error(path, _("a list"))
    return value


def _expect_str(value: Any, path: str) -> str:
    if not isinstance(value, str):
        raise _type_error(path, _("a string"))
    return value


def _expect_int(value: Any, path: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise _type_error(path, _("an integer"))
    return value


def _check_keys(
    obj: dict[str, Any], path: str, required: Iterable[str], optional: Iterable[str] = ()
) -> None:
    required = set(required)
    missing = sorted(required - obj.keys())
    if missing:
        raise BackupError(
            _("the key “%(key)s” is missing.") % {"key": missing[0]}, code="missing_key", path=path
        )
    unknown = sorted(obj.keys() - required - set(optional))
    if unknown:
        raise BackupError(
            _("the key “%(key)s” is not part of this format.") % {"key": unknown[0][:100]},
            code="unknown_key",
            path=path,
        )


def _decode(model_field: models.Field, value: Any, path: str) -> Any:
    """A field's value from the file, type-checked; the model's validators run later."""
    if value is None:
        if model_field.null:
            return None
        raise _type_error(path, _("a value, not null"))
    if isinstance(model_field, models.BooleanField):
        if not isinstance(value, bool):
            raise _type_error(path, _("true or false"))
        return value
    if isinstance(model_field, models.IntegerField):
        return _expect_int(value, path)
    if isinstance(model_field, models.DateTimeField):
        text = _expect_str(value, path)
        try:
            moment = datetime.fromisoformat(text)
        except ValueError:
            moment = None
        if moment is None or moment.tzinfo is None:
            raise _type_error(path, _("a date and time with a time zone"))
        return moment
    if isinstance(model_field, models.JSONField):
        return value
    return _expect_str(value, path)


class _Reader:
    """Walks the file once, checking everything that needs no writes."""

    def __init__(self) -> None:
        self.refs: set[str] = set()
        self.ids: dict[type[models.Model], set[int]] = {}
        self.legal_bases = {basis.code: basis for basis in LegalBasis.objects.all()}
        self.rights = {right.code: right for right in Right.objects.all()}

    # -- generic objects

    def object(
        self,
        raw: Any,
        path: str,
        model: type[models.Model],
        names: tuple[str, ...],
        *,
        links: tuple[str, ...] = (),
        with_ref: bool = True,
        with_id: bool = True,
    ) -> tuple[_Obj, dict[str, Any]]:
        data = _expect_dict(raw, path)
        required = set(names) | set(links) | ({"ref"} if with_ref else set())
        _check_keys(data, path, required, {"id"} if with_id else ())
        values = {
            name: _decode(model._meta.get_field(name), data[name], f"{path}.{name}")
            for name in names
        }
        obj = _Obj(model=model, path=path, values=values)
        if with_ref:
            obj.ref = self.new_ref(data["ref"], f"{path}.ref")
        if with_id and data.get("id") is not None:
            obj.id = self.new_id(model, data["id"], f"{path}.id")
        return obj, data

    def new_ref(self, value: Any, path: str) -> str:
        ref = _expect_str(value, path)
        if not REF_RE.match(ref):
            raise BackupError(
                _("“%(ref)s” is not a valid reference (letters, digits, “-”, “_”, “.”, “:”).")
                % {"ref": ref[:100]},
                code="bad_ref",
                path=path,
            )
        if ref in self.refs:
            raise BackupError(
                _("the reference “%(ref)s” is used for two objects.") % {"ref": ref},
                code="duplicate_ref",
                path=path,
            )
        self.refs.add(ref)
        return ref

    def new_id(self, model: type[models.Model], value: Any, path: str) -> int:
        pk = _expect_int(value, path)
        if not 1 <= pk <= MAX_ID:
            raise _type_error(path, _("a positive integer"))
        seen = self.ids.setdefault(model, set())
        if pk in seen:
            raise BackupError(
                _("the id %(id)d is used for two objects of the same kind.") % {"id": pk},
                code="duplicate_id",
                path=path,
            )
        seen.add(pk)
        return pk

    @staticmethod
    def link(value: Any, path: str, allowed: dict[str, _Obj], what: str, *, null: bool) -> Any:
        """A reference to one of ``allowed`` (this file's own objects of the right kind)."""
        if value is None and null:
            return None
        ref = _expect_str(value, path) if not isinstance(value, int) else None
        if ref is None or ref not in allowed:
            shown = str(value)[:100]
            raise BackupError(
                _(
                    "“%(ref)s” is not one of the %(what)s in this file; a backup may only "
                    "refer to its own controller's objects."
                )
                % {"ref": shown, "what": what},
                code="unknown_ref",
                path=path,
            )
        return allowed[ref]

    @staticmethod
    def unique(seen: set[Any], value: Any, path: str) -> None:
        if value in seen:
            raise BackupError(
                _("“%(value)s” appears twice.") % {"value": str(value)[:100]},
                code="duplicate",
                path=path,
            )
        seen.add(value)

    # -- files

    def stored_file(self, raw: Any, path: str, name_re: re.Pattern[str]) -> _StoredFile:
        data = _expect_dict(raw, path)
        _check_keys(data, path, FILE_KEYS)
        name = _expect_str(data["name"], f"{path}.name")
        _check_name(name, f"{path}.name", name_re)
        size = _expect_int(data["size"], f"{path}.size")
        sha256 = _expect_str(data["sha256"], f"{path}.sha256")
        if not SHA256_RE.match(sha256):
            raise _type_error(f"{path}.sha256", _("a SHA-256 hash in lower-case hexadecimal"))
        encoded = _expect_str(data["content_base64"], f"{path}.content_base64")
        try:
            content = base64.b64decode(encoded, validate=True)
        except (binascii.Error, ValueError) as error:
            raise _type_error(f"{path}.content_base64", _("base64-encoded bytes")) from error
        if len(content) != size:
            raise BackupError(
                _("the file has %(actual)d bytes, not the %(size)d the backup records.")
                % {"actual": len(content), "size": size},
                code="size",
                path=path,
            )
        if hashlib.sha256(content).hexdigest() != sha256:
            raise BackupError(
                _("the file's content does not match its SHA-256 hash."),
                code="hash",
                path=path,
            )
        return _StoredFile(name=name, content=content, sha256=sha256)

    # -- the parts of the file

    def read(self, data: dict[str, Any]) -> _Plan:
        if data.get("format") != FORMAT:
            raise BackupError(
                _(
                    "This is not a controller backup of this service "
                    "(its “format” is not “%(format)s”)."
                )
                % {"format": FORMAT},
                code="format",
            )
        version = data.get("schema_version")
        if type(version) is not int or version != SCHEMA_VERSION:
            raise BackupError(
                _(
                    "The backup's schema version %(found)s is not supported; "
                    "this service reads version %(supported)d."
                )
                % {"found": json.dumps(version)[:20], "supported": SCHEMA_VERSION},
                code="schema_version",
            )
        _check_keys(
            data,
            "",
            (
                "format",
                "schema_version",
                "controller",
                "users",
                "memberships",
                "contact_persons",
                "processors",
                "registers",
            ),
            ("exported_at",),
        )
        _check_no_nul(data)

        controller, raw = self.object(
            data["controller"],
            "controller",
            Controller,
            CONTROLLER_FIELDS,
            links=("logo",),
            with_ref=False,
        )
        logo = None
        if raw["logo"] is not None:
            logo = self.stored_file(raw["logo"], "controller.logo", LOGO_NAME_RE)
            _check_logo(logo, "controller.logo")

        users: dict[str, _Obj] = {}
        for i, item in enumerate(_expect_list(data["users"], "users")):
            path = f"users[{i}]"
            user, _raw = self.object(
                item, path, get_user_model(), USER_FIELDS, with_ref=False, with_id=False
            )
            self.unique(set(users), user.values["username"], f"{path}.username")
            users[user.values["username"]] = user

        memberships = []
        members: set[str] = set()
        for i, item in enumerate(_expect_list(data["memberships"], "memberships")):
            path = f"memberships[{i}]"
            entry = _expect_dict(item, path)
            _check_keys(entry, path, ("user", "role"))
            user = self.link(entry["user"], f"{path}.user", users, _("users"), null=False)
            self.unique(members, user.values["username"], f"{path}.user")
            role = _expect_str(entry["role"], f"{path}.role")
            memberships.append(
                _Obj(model=Membership, path=path, values={"role": role}, links={"user": user})
            )

        contacts = [
            self.object(item, f"contact_persons[{i}]", ContactPerson, CONTACT_FIELDS)[0]
            for i, item in enumerate(_expect_list(data["contact_persons"], "contact_persons"))
        ]
        processors = []
        processor_names: set[str] = set()
        for i, item in enumerate(_expect_list(data["processors"], "processors")):
            processor = self.object(item, f"processors[{i}]", Processor, PROCESSOR_FIELDS)[0]
            self.unique(processor_names, processor.values["name"], f"processors[{i}].name")
            processors.append(processor)

        by_ref = {
            "contacts": {c.ref: c for c in contacts},
            "processors": {p.ref: p for p in processors},
            "users": users,
        }
        registers = []
        slugs: set[str] = set()
        for i, item in enumerate(_expect_list(data["registers"], "registers")):
            register = self.register(item, f"registers[{i}]", by_ref)
            self.unique(slugs, register.obj.values["slug"], f"registers[{i}].slug")
            registers.append(register)
        return _Plan(
            controller=controller,
            logo=logo,
            users=users,
            memberships=memberships,
            contacts=contacts,
            processors=processors,
            registers=registers,
        )

    def register(self, raw: Any, path: str, by_ref: dict[str, dict[str, _Obj]]) -> _Register:
        keys = ("contact_person", "supervisory_authority", *(p.key for p in PARTS), "versions")
        obj, data = self.object(raw, path, Register, REGISTER_FIELDS, links=keys)
        obj.links["contact_person"] = self.link(
            data["contact_person"],
            f"{path}.contact_person",
            by_ref["contacts"],
            _("contact persons"),
            null=True,
        )
        authority = _expect_dict(data["supervisory_authority"], f"{path}.supervisory_authority")
        _check_keys(authority, f"{path}.supervisory_authority", ("email",))
        email = _expect_str(authority["email"], f"{path}.supervisory_authority.email")
        found = SupervisoryAuthority.objects.filter(email__iexact=email).order_by("pk").first()
        if found is None:
            raise BackupError(
                _(
                    "this database has no supervisory authority with the email address "
                    "“%(email)s”; add it to the catalogue first."
                )
                % {"email": email[:200]},
                code="unknown_authority",
                path=f"{path}.supervisory_authority.email",
            )
        obj.links["supervisory_authority"] = found

        parts: dict[str, list[_Obj]] = {}
        for part in PARTS:
            items = []
            seen: set[Any] = set()
            for i, item in enumerate(_expect_list(data[part.key], f"{path}.{part.key}")):
                item_path = f"{path}.{part.key}[{i}]"
                child, raw_child = self.object(
                    item, item_path, part.model, part.fields, links=part.links
                )
                self.part_links(part, child, raw_child, item_path, parts, by_ref, seen)
                items.append(child)
            parts[part.key] = items

        versions = []
        numbers: set[int] = set()
        for i, item in enumerate(_expect_list(data["versions"], f"{path}.versions")):
            version = self.version(item, f"{path}.versions[{i}]", by_ref["users"])
            self.unique(numbers, version.obj.values["number"], f"{path}.versions[{i}].number")
            versions.append(version)
        return _Register(obj=obj, parts=parts, versions=versions)

    def part_links(
        self,
        part: Part,
        child: _Obj,
        raw: dict[str, Any],
        path: str,
        parts: dict[str, list[_Obj]],
        by_ref: dict[str, dict[str, _Obj]],
        seen: set[Any],
    ) -> None:
        """Resolve a part's links: catalogue codes, or refs to this register's own parts."""
        if part.key == "purposes":
            codes = _expect_list(raw["legal_bases"], f"{path}.legal_bases")
            bases = []
            for j, code in enumerate(codes):
                code_path = f"{path}.legal_bases[{j}]"
                code = _expect_str(code, code_path)
                if code not in self.legal_bases:
                    raise BackupError(
                        _("unknown legal basis code “%(code)s”.") % {"code": code[:100]},
                        code="unknown_code",
                        path=code_path,
                    )
                bases.append(self.legal_bases[code])
            child.links["legal_bases"] = bases
        elif part.key == "data_categories":
            groups = {g.ref: g for g in parts["subject_groups"]}
            refs = _expect_list(raw["subject_groups"], f"{path}.subject_groups")
            child.links["subject_groups"] = [
                self.link(
                    ref,
                    f"{path}.subject_groups[{j}]",
                    groups,
                    _("groups of data subjects of this register"),
                    null=False,
                )
                for j, ref in enumerate(refs)
            ]
        elif part.key in ("register_processors", "transfers"):
            processor = self.link(
                raw["processor"],
                f"{path}.processor",
                by_ref["processors"],
                _("processors"),
                null=part.key == "transfers",
            )
            child.links["processor"] = processor
            if part.key == "register_processors":
                self.unique(seen, processor.ref, f"{path}.processor")
        elif part.key == "retention_rules":
            categories = {c.ref: c for c in parts["data_categories"]}
            child.links["data_category"] = self.link(
                raw["data_category"],
                f"{path}.data_category",
                categories,
                _("data categories of this register"),
                null=True,
            )
        elif part.key == "rights":
            code = _expect_str(raw["right"], f"{path}.right")
            if code not in self.rights:
                raise BackupError(
                    _("unknown right code “%(code)s”.") % {"code": code[:100]},
                    code="unknown_code",
                    path=f"{path}.right",
                )
            self.unique(seen, code, f"{path}.right")
            child.links["right"] = self.rights[code]

    def version(self, raw: Any, path: str, users: dict[str, _Obj]) -> _Version:
        obj, data = self.object(
            raw,
            path,
            NoticeVersion,
            VERSION_FIELDS,
            links=("published_by", "renderings"),
            with_ref=False,
        )
        values = obj.values
        published_by = self.link(
            data["published_by"], f"{path}.published_by", users, _("users"), null=True
        )
        snapshot = values["snapshot"]
        languages = _check_snapshot(snapshot, f"{path}.snapshot")
        if content_hash(snapshot) != values["content_hash"]:
            raise BackupError(
                _("the content hash does not match the version's snapshot."),
                code="hash",
                path=f"{path}.content_hash",
            )
        _check_changes(values["changes"], f"{path}.changes")
        renderings = []
        seen: set[str] = set()
        for i, item in enumerate(_expect_list(data["renderings"], f"{path}.renderings")):
            item_path = f"{path}.renderings[{i}]"
            rendering, raw_rendering = self.object(
                item,
                item_path,
                NoticeRendering,
                RENDERING_FIELDS,
                links=("pdf",),
                with_ref=False,
                with_id=False,
            )
            language = rendering.values["language"]
            if language not in languages:
                raise BackupError(
                    _("the language “%(language)s” is not one of the version's languages.")
                    % {"language": language[:10]},
                    code="language",
                    path=f"{item_path}.language",
                )
            self.unique(seen, language, f"{item_path}.language")
            pdf = self.stored_file(raw_rendering["pdf"], f"{item_path}.pdf", PDF_NAME_RE)
            _check_rendering(rendering.values, pdf, item_path)
            renderings.append((rendering, pdf))
        if seen != set(languages):
            raise BackupError(
                _("the version must have a rendering in each of its languages (%(languages)s).")
                % {"languages": ", ".join(languages)},
                code="language",
                path=f"{path}.renderings",
            )
        return _Version(
            obj=obj,
            published_by=published_by.values["username"] if published_by else None,
            renderings=renderings,
        )


def _check_no_nul(data: Any) -> None:
    """No text anywhere may hold a NUL character (PostgreSQL refuses them; paths hide them)."""
    stack: list[tuple[Any, str]] = [(data, "")]
    while stack:
        value, path = stack.pop()
        if isinstance(value, str):
            if "\x00" in value:
                raise BackupError(
                    _("the text contains a NUL character."), code="nul", path=path or "."
                )
        elif isinstance(value, dict):
            for key, item in value.items():
                if "\x00" in key:
                    raise BackupError(
                        _("the text contains a NUL character."), code="nul", path=path or "."
                    )
                stack.append((item, f"{path}.{key}" if path else key))
        elif isinstance(value, list):
            stack.extend((item, f"{path}[{i}]") for i, item in enumerate(value))


def _check_name(name: str, path: str, pattern: re.Pattern[str]) -> None:
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
        raise BackupError(
            _("the file name “%(name)s” is not allowed.") % {"name": name[:200]},
            code="unsafe_name",
            path=path,
        )


def _check_logo(logo: _StoredFile, path: str) -> None:
    """The logo passes the same checks as an uploaded one: a real raster image, small enough."""
    if Path(logo.name).suffix.lower() not in LOGO_EXTENSIONS:
        raise BackupError(
            _("the file name “%(name)s” is not allowed.") % {"name": logo.name[:200]},
            code="unsafe_name",
            path=f"{path}.name",
        )
    upload = SimpleUploadedFile(Path(logo.name).name, logo.content)
    try:
        image = forms.ImageField().clean(upload)
        validate_logo(image)
    except ValidationError as error:
        raise BackupError(" ".join(error.messages), code="logo", path=path) from error


def _check_snapshot(snapshot: Any, path: str) -> list[str]:
    """The shape of a published snapshot that later publishing relies on; its languages."""
    snapshot = _expect_dict(snapshot, path)
    languages = _expect_list(snapshot.get("languages"), f"{path}.languages")
    if not languages or any(lang not in LANGUAGES for lang in languages):
        raise _type_error(f"{path}.languages", _("a list of the languages fi and en"))
    if len(set(languages)) != len(languages):
        raise _type_error(f"{path}.languages", _("a list of the languages fi and en"))
    for key in SNAPSHOT_OBJECTS:
        _expect_dict(snapshot.get(key), f"{path}.{key}")
    if snapshot.get("contact_person") is not None:
        _expect_dict(snapshot["contact_person"], f"{path}.contact_person")
    for key in SNAPSHOT_LISTS:
        for i, item in enumerate(_expect_list(snapshot.get(key), f"{path}.{key}")):
            item = _expect_dict(item, f"{path}.{key}[{i}]")
            if "code" not in item and "id" not in item:
                raise BackupError(
                    _("the key “%(key)s” is missing.") % {"key": "id"},
                    code="missing_key",
                    path=f"{path}.{key}[{i}]",
                )
    return languages


def _check_changes(changes: Any, path: str) -> None:
    """A version's change list, as the change log of later versions renders it."""
    for i, change in enumerate(_expect_list(changes, path)):
        item_path = f"{path}[{i}]"
        change = _expect_dict(change, item_path)
        _check_keys(change, item_path, ("section", "kind", "name", "substantive", "reason"))
        _expect_str(change["section"], f"{item_path}.section")
        if change["kind"] not in KINDS:
            raise _type_error(f"{item_path}.kind", ", ".join(KINDS))
        name = _expect_dict(change["name"], f"{item_path}.name")
        for language in LANGUAGES:
            _expect_str(name.get(language), f"{item_path}.name.{language}")
        if not isinstance(change["substantive"], bool):
            raise _type_error(f"{item_path}.substantive", _("true or false"))
        if change["reason"] is not None and change["reason"] not in REASONS:
            raise _type_error(f"{item_path}.reason", ", ".join(REASONS))


def _check_rendering(values: dict[str, Any], pdf: _StoredFile, path: str) -> None:
    """The stored hashes that make the public ETags must match the stored bytes."""
    if hashlib.sha256(values["html"].encode()).hexdigest() != values["html_hash"]:
        raise BackupError(
            _("the page does not match its recorded hash."), code="hash", path=f"{path}.html_hash"
        )
    if pdf.sha256 != values["pdf_hash"]:
        raise BackupError(
            _("the PDF does not match its recorded hash."), code="hash", path=f"{path}.pdf_hash"
        )
    if len(pdf.content) != values["pdf_size"]:
        raise BackupError(
            _("the file has %(actual)d bytes, not the %(size)d the backup records.")
            % {"actual": len(pdf.content), "size": values["pdf_size"]},
            code="size",
            path=f"{path}.pdf_size",
        )
    if not pdf.content.startswith(b"%PDF-"):
        raise BackupError(_("the file is not a PDF document."), code="not_pdf", path=f"{path}.pdf")


# --- Importing ------------------------------------------------------------------------


@dataclass
class ImportResult:
    """What an import did, for the command's report."""

    controller: Controller
    replaced: bool = False
    registers: int = 0
    versions: int = 0
    renderings: int = 0
    files_stored: int = 0
    files_reused: int = 0
    created_users: list[str] = field(default_factory=list)
    existing_members: list[str] = field(default_factory=list)
    email_differs: list[str] = field(default_factory=list)
    new_ids: int = 0
    logo_renamed_from: str = ""


def _error_text(error: ValidationError) -> str:
    if hasattr(error, "error_dict"):
        return "; ".join(
            f"{name}: {' '.join(messages)}" for name, messages in error.message_dict.items()
        )
    return " ".join(error.messages)


def _invalid(error: ValidationError, path: str) -> BackupError:
    return BackupError(
        _("invalid values: %(errors)s") % {"errors": _error_text(error)},
        code="invalid",
        path=path,
    )


def _build(obj: _Obj, *, exclude: Iterable[str] = ()) -> Any:
    """An unsaved instance of ``obj``, its fields validated (relations come later)."""
    instance = obj.model(**obj.values)
    relations = [f.name for f in obj.model._meta.concrete_fields if f.is_relation]
    try:
        instance.clean_fields(exclude=[*relations, *exclude])
    except ValidationError as error:
        raise _invalid(error, obj.path) from error
    obj.instance = instance
    return instance


def _validate_fields(plan: _Plan) -> None:
    """Run every model field's validators on every object of the file, before any write."""
    _build(plan.controller, exclude=["logo"])
    user_model = get_user_model()
    existing = set(
        user_model.objects.filter(username__in=list(plan.users)).values_list("username", flat=True)
    )
    for username, user in plan.users.items():
        if username not in existing:
            _build(user, exclude=["password"])
    for membership in plan.memberships:
        _build(membership)
    for obj in [*plan.contacts, *plan.processors]:
        _build(obj)
    for register in plan.registers:
        _build(register.obj)
        for items in register.parts.values():
            for obj in items:
                _build(obj)
        for version in register.versions:
            # A first version's empty change list is valid; its shape was checked above.
            _build(version.obj, exclude=["changes"])
            for rendering, _pdf in version.renderings:
                _build(rendering, exclude=["pdf"])


def _existing_controller(plan: _Plan, *, replace: bool) -> Controller | None:
    """The controller this file would replace, or BackupError if it may not."""
    slug = plan.controller.values["slug"]
    business_id = plan.controller.values["business_id"]
    found = {
        c.pk: c
        for c in Controller.objects.filter(models.Q(slug=slug) | models.Q(business_id=business_id))
    }
    if len(found) > 1:
        raise BackupError(
            _(
                "The address name “%(slug)s” and the business ID %(business_id)s belong to two "
                "different controllers in this database. Nothing was changed."
            )
            % {"slug": slug, "business_id": business_id},
            code="conflict",
        )
    existing = next(iter(found.values()), None)
    if existing is not None and not replace:
        raise BackupError(
            _(
                "A controller with the address name “%(slug)s” or the business ID "
                "%(business_id)s already exists. Nothing was changed; use --replace to "
                "replace it with the backup."
            )
            % {"slug": slug, "business_id": business_id},
            code="exists",
        )
    return existing


def controller_import(*, data: dict[str, Any], replace: bool = False) -> ImportResult:
    """Restore the backup ``data`` (as parsed by ``backup_loads``) into this database.

    Validates everything that can be checked without writing first. Then, in one
    transaction: with ``replace``, deletes the existing controller's registers
    (with their versions), processors, contact persons and memberships and
    updates the controller itself in place; creates the controller, its objects,
    missing users (inactive, without a usable password), memberships, versions
    and renderings, and stores the logo and PDFs in default storage. Objects keep
    their ids where those are free. If anything fails, nothing is changed and the
    files stored so far are removed. Raises BackupError with a translated message.
    """
    plan = _Reader().read(_expect_dict(data, ""))
    _validate_fields(plan)
    existing = _existing_controller(plan, replace=replace)
    importer = _Importer(plan)
    try:
        # The untranslated columns of translated fields take the Finnish value, as in
        # the admin and the demo.
        with transaction.atomic(), translation.override("fi"):
            return importer.run(existing)
    except BackupError:
        importer.remove_stored()
        raise
    except ValidationError as error:
        importer.remove_stored()
        raise _invalid(error, importer.path) from error
    except ProtectedError as error:
        importer.remove_stored()
        raise BackupError(
            _(
                "The existing controller's data cannot be deleted because other records "
                "refer to it (%(error)s). Nothing was changed."
            )
            % {"error": error.args[0] if error.args else error},
            code="protected",
        ) from error
    except DatabaseError as error:
        importer.remove_stored()
        raise BackupError(
            _("The import failed and nothing was changed: %(error)s") % {"error": error},
            code="database",
            path=importer.path,
        ) from error
    except BaseException:
        importer.remove_stored()
        raise


def import_controller(
    source: str | os.PathLike[str] | bytes | Mapping[str, Any],
    *,
    replace: bool = False,
    max_bytes: int | None = None,
) -> Controller:
    """Create (or with ``replace``, replace) one controller from a backup; the controller.

    ``source`` is the path of a backup file, its bytes, or its parsed data. A file
    may hold no published versions (``"versions": []``): the controller and its
    registers are created as drafts, to be published with ``notice_publish``. Users
    the file names that do not exist are created inactive, without a usable
    password. Everything is validated first and written in one transaction;
    raises BackupError (translated, with the place in the file) and changes
    nothing if the file is refused. ``import_controller`` (the command) and
    ``load_demo`` call this.
    """
    if isinstance(source, bytes):
        data = backup_loads(source, max_bytes=max_bytes)
    elif isinstance(source, Mapping):
        data = dict(source)
    else:
        data = backup_read(path=source, max_bytes=max_bytes)
    return controller_import(data=data, replace=replace).controller


class _Importer:
    """The writing half of an import; ``run`` happens inside one transaction."""

    def __init__(self, plan: _Plan) -> None:
        self.plan = plan
        self.stored: list[str] = []  # files this import saved: removed again on failure
        self.path = ""  # where in the file the current write comes from
        self.explicit_ids: set[type[models.Model]] = set()
        self.free_ids: dict[type[models.Model], set[int]] = {}
        self.users: dict[str, Any] = {}
        self.result: ImportResult | None = None

    def remove_stored(self) -> None:
        for name in self.stored:
            default_storage.delete(name)
        self.stored = []

    def run(self, existing: Controller | None) -> ImportResult:
        plan = self.plan
        old_files: list[str] = []
        if existing is not None:
            existing = Controller.objects.select_for_update().get(pk=existing.pk)
            old_files = self.delete_contents(existing)
        self.find_free_ids()

        controller = self.save_controller(existing)
        result = self.result = ImportResult(controller=controller, replaced=existing is not None)
        self.save_logo(controller)
        self.save_users(controller)
        contacts = {c.ref: self.save(c, controller=controller) for c in plan.contacts}
        processors = {p.ref: self.save(p, controller=controller) for p in plan.processors}
        for register in plan.registers:
            self.save_register(register, controller, contacts, processors)
            result.registers += 1
        self.advance_sequences()

        if old_files:
            # The replaced controller's files go once the transaction has committed,
            # unless this import adopted them.
            keep = set(NoticeRendering.objects.values_list("pdf", flat=True))
            keep.update(Controller.objects.exclude(logo="").values_list("logo", flat=True))
            gone = [name for name in old_files if name not in keep]
            transaction.on_commit(partial(_delete_files, gone))
        return result

    # -- replacing

    def delete_contents(self, controller: Controller) -> list[str]:
        """Delete what the controller holds, in the order its protections require.

        Versions protect their registers, and registers' parts protect processors
        and contact persons. Returns the names of the files they used.
        """
        self.path = "controller"
        versions = NoticeVersion.objects.filter(register__controller=controller)
        files = list(
            NoticeRendering.objects.filter(version__in=versions)
            .exclude(pdf="")
            .values_list("pdf", flat=True)
        )
        if controller.logo:
            files.append(controller.logo.name)
        versions.delete()
        Register.objects.filter(controller=controller).delete()
        Processor.objects.filter(controller=controller).delete()
        ContactPerson.objects.filter(controller=controller).delete()
        Membership.objects.filter(controller=controller).delete()
        return files

    # -- ids

    def find_free_ids(self) -> None:
        """Which of the file's ids are free in this database, model by model."""
        wanted: dict[type[models.Model], set[int]] = {}
        objs = [self.plan.controller, *self.plan.contacts, *self.plan.processors]
        for register in self.plan.registers:
            objs.append(register.obj)
            objs.extend(obj for items in register.parts.values() for obj in items)
            objs.extend(version.obj for version in register.versions)
        for obj in objs:
            if obj.id is not None:
                wanted.setdefault(obj.model, set()).add(obj.id)
        for model, ids in wanted.items():
            taken = set(model._base_manager.filter(pk__in=ids).values_list("pk", flat=True))
            self.free_ids[model] = ids - taken

    def assign_id(self, obj: _Obj, instance: models.Model) -> bool:
        """Give ``instance`` its id from the file if that is free; True if it did."""
        if obj.id is None:
            return False
        if obj.id in self.free_ids.get(obj.model, set()):
            instance.pk = obj.id
            self.explicit_ids.add(obj.model)
            return True
        if self.result is not None:
            self.result.new_ids += 1
        return False

    def advance_sequences(self) -> None:
        """After inserting explicit ids, move PostgreSQL's id sequences past them.

        SQLite's AUTOINCREMENT does this by itself.
        """
        if connection.vendor != "postgresql" or not self.explicit_ids:
            return
        quote = connection.ops.quote_name
        with connection.cursor() as cursor:
            for model in self.explicit_ids:
                table = quote(model._meta.db_table)
                column = model._meta.pk.column
                # GREATEST: only ever raises the sequence, never lowers it under a
                # concurrent insert. Table and column names come from the models.
                sql = (
                    "SELECT setval(pg_get_serial_sequence(%s, %s), GREATEST("  # noqa: S608
                    f"(SELECT COALESCE(MAX({quote(column)}), 1) FROM {table}), "
                    "nextval(pg_get_serial_sequence(%s, %s))))"
                )
                cursor.execute(sql, [table, column, table, column])

    # -- saving

    def save(self, obj: _Obj, **relations: Any) -> Any:
        """Validate ``obj`` fully, with its relations set, and insert it."""
        self.path = obj.path
        instance = obj.instance
        for name, value in relations.items():
            setattr(instance, name, value)
        kept = self.assign_id(obj, instance)
        # A first version's empty change list is valid; its shape was checked above.
        instance.full_clean(exclude=["changes"] if obj.model is NoticeVersion else None)
        instance.save(force_insert=kept)
        return instance

    def save_controller(self, existing: Controller | None) -> Controller:
        obj = self.plan.controller
        self.path = obj.path
        if existing is None:
            controller = obj.instance
            kept = self.assign_id(obj, controller)
        else:
            controller, kept = existing, False
            for name, value in obj.values.items():
                setattr(controller, name, value)
            controller.logo = ""
        controller.full_clean(exclude=["logo"])
        controller.save(force_insert=kept)
        return controller

    def save_logo(self, controller: Controller) -> None:
        logo = self.plan.logo
        self.path = "controller.logo"
        if logo is not None:
            name = self.store(logo.name, logo.content)
            if name != logo.name:
                self.result.logo_renamed_from = logo.name
            controller.logo = name
        controller.full_clean()
        controller.save()
        # created_at and updated_at as in the backup (saving sets them to now).
        Controller.objects.filter(pk=controller.pk).update(
            created_at=self.plan.controller.values["created_at"],
            updated_at=self.plan.controller.values["updated_at"],
        )

    def save_users(self, controller: Controller) -> None:
        """Memberships by username; missing users are created inactive, without a password."""
        result = self.result
        existing = {
            user.get_username(): user
            for user in get_user_model().objects.filter(username__in=list(self.plan.users))
        }
        self.users = dict(existing)
        for username, obj in self.plan.users.items():
            self.path = obj.path
            if username in existing:
                if (existing[username].email or "").lower() != obj.values["email"].lower():
                    result.email_differs.append(username)
                continue
            user = obj.instance
            user.is_active = False
            user.is_staff = True
            user.set_unusable_password()
            user.full_clean()
            user.save()
            self.users[username] = user
            result.created_users.append(username)
        for membership in self.plan.memberships:
            username = membership.links["user"].values["username"]
            if username in existing:
                result.existing_members.append(username)
            self.save(membership, controller=controller, user=self.users[username])

    def save_register(
        self,
        plan: _Register,
        controller: Controller,
        contacts: dict[str, ContactPerson],
        processors: dict[str, Processor],
    ) -> None:
        obj = plan.obj
        contact = obj.links["contact_person"]
        register = self.save(
            obj,
            controller=controller,
            contact_person=contacts[contact.ref] if contact else None,
            supervisory_authority=obj.links["supervisory_authority"],
        )
        Register.objects.filter(pk=register.pk).update(
            created_at=obj.values["created_at"], updated_at=obj.values["updated_at"]
        )
        saved: dict[str, Any] = {}
        for part in PARTS:
            for child in plan.parts[part.key]:
                links = child.links
                relations: dict[str, Any] = {"register": register}
                if part.key in ("register_processors", "transfers"):
                    processor = links["processor"]
                    relations["processor"] = processors[processor.ref] if processor else None
                elif part.key == "retention_rules":
                    category = links["data_category"]
                    relations["data_category"] = saved[category.ref] if category else None
                elif part.key == "rights":
                    relations["right"] = links["right"]
                instance = self.save(child, **relations)
                saved[child.ref] = instance
                if part.key == "purposes":
                    instance.legal_bases.set(links["legal_bases"])
                elif part.key == "data_categories":
                    instance.subject_groups.set([saved[g.ref] for g in links["subject_groups"]])
        for version in plan.versions:
            self.save_version(version, register)

    def save_version(self, plan: _Version, register: Register) -> None:
        number = plan.obj.values["number"]
        version = self.save(
            plan.obj,
            register=register,
            published_by=self.users[plan.published_by] if plan.published_by else None,
        )
        self.result.versions += 1
        names = {
            "controller": {"slug": register.controller.slug},
            "register": {"slug": register.slug},
        }
        for rendering, pdf in plan.renderings:
            self.path = rendering.path
            # A name we make from validated slugs, never the one in the file.
            wanted = pdf_storage_name(names, number, rendering.values["language"])
            self.save(rendering, version=version, pdf=self.store(wanted, pdf.content))
            self.result.renderings += 1

    def store(self, name: str, content: bytes) -> str:
        """Save ``content`` under ``name`` (a safe name we made or checked); the name used.

        A file already stored under that exact name with the same bytes and used by
        no row is adopted instead, so restoring into the same storage twice keeps one
        copy. Otherwise storage picks a free name if ``name`` is taken.
        """
        if default_storage.exists(name) and not _file_in_use(name):
            with default_storage.open(name, "rb") as handle:
                if hashlib.sha256(handle.read()).digest() == hashlib.sha256(content).digest():
                    self.result.files_reused += 1
                    return name
        saved = default_storage.save(name, ContentFile(content), max_length=300)
        self.stored.append(saved)
        self.result.files_stored += 1
        return saved


def _file_in_use(name: str) -> bool:
    return (
        NoticeRendering.objects.filter(pdf=name).exists()
        or Controller.objects.filter(logo=name).exists()
    )


def _delete_files(names: list[str]) -> None:
    for name in names:
        default_storage.delete(name)


def read_consistently(function: Callable[[], Any]) -> Any:
    """Run ``function`` in a transaction that sees one consistent state of the database.

    On PostgreSQL a repeatable-read, read-only transaction (a publish that commits
    meanwhile is not half seen); elsewhere a plain transaction.
    """
    outermost = not connection.in_atomic_block
    with transaction.atomic():
        if outermost and connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
        return function()
