"""Writing a controller's backup: everything of one controller as the data of one file.

The data follow ``columns``: every object's keys in its model's order, lists in
a fixed order (by id, a part by its order, versions by number, renderings by
language, users by username), no time of export. The same database state
therefore always gives the same bytes (``backup_dumps``, ``backup_write``).

``backup_write`` writes an archive (schema version 3, ``archive``) one version
at a time, so its memory does not grow with the history; ``controller_export``
builds a whole JSON backup (version 2) in memory, for small companies and tests.
"""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import IO, Any

from django.contrib.auth import get_user_model
from django.core.files.storage import default_storage
from django.db import connection, models, transaction
from django.utils.translation import gettext as _
from django_countries.fields import CountryField

from controllers.models import ContactPerson, Controller, Membership

from .. import languages
from ..models import Processor, Register
from ..parts import PARTS
from . import columns
from .archive import ArchiveWriter
from .columns import CATALOGUES, Column, Kind, Layout
from .errors import BackupError
from .schema import ARCHIVE_VERSION, FORMAT, SCHEMA_VERSION, USER_FIELDS

# How a stored file's name and bytes are written into the backup.
Store = Callable[[str, bytes], dict[str, Any]]


def ref(model: type[models.Model], pk: Any) -> str | None:
    """The file-local reference of an object: its model's name and its id."""
    return f"{model._meta.model_name}-{pk}" if pk is not None else None


def _file_entry(name: str, content: bytes) -> dict[str, Any]:
    return {
        "name": name,
        "size": len(content),
        "sha256": hashlib.sha256(content).hexdigest(),
        "content_base64": base64.b64encode(content).decode("ascii"),
    }


def _stored(obj: models.Model, column: Column, store: Store) -> dict[str, Any] | None:
    """A stored file's bytes; checked against ``<field>_hash`` and ``<field>_size`` if kept."""
    name = getattr(obj, column.key).name
    if not name:
        return None
    what = f"{obj}, {column.field.verbose_name}"
    try:
        with default_storage.open(name, "rb") as handle:
            content = handle.read()
    except OSError as error:
        raise BackupError(
            _("The stored file %(name)s (%(what)s) cannot be read: %(error)s")
            % {"name": name, "what": what, "error": error},
            code="stored_file",
        ) from error
    recorded = getattr(obj, f"{column.key}_hash", None)
    if recorded is not None and hashlib.sha256(content).hexdigest() != recorded:
        raise BackupError(
            _(
                "The stored file %(name)s (%(what)s) does not match its recorded hash; "
                "nothing was exported."
            )
            % {"name": name, "what": what},
            code="stored_file",
        )
    size = getattr(obj, f"{column.key}_size", None)
    if size is not None and len(content) != size:
        raise BackupError(
            _(
                "The stored file %(name)s (%(what)s) does not match its recorded size; "
                "nothing was exported."
            )
            % {"name": name, "what": what},
            code="stored_file",
        )
    return store(name, content)


def _plain(obj: models.Model, field: models.Field) -> Any:
    found = field.value_from_object(obj)
    if found is None:
        return None
    if isinstance(field, models.DateField):  # a DateTimeField too
        return found.isoformat()
    if isinstance(field, CountryField):
        return found.code
    return found


def _encode(obj: models.Model, column: Column, store: Store) -> Any:
    kind, field = column.kind, column.field
    if kind is Kind.TEXT:
        return {code: getattr(obj, columns.localized(column, code)) for code in languages.codes()}
    if kind is Kind.REF:
        return ref(column.related_model, getattr(obj, field.attname))
    if kind is Kind.REFS:
        pks = getattr(obj, column.key).order_by("pk").values_list("pk", flat=True)
        return [ref(column.related_model, pk) for pk in pks]
    if kind in (Kind.CODE, Kind.CODES):
        key = CATALOGUES[column.related_model].key
        if kind is Kind.CODES:
            return list(getattr(obj, column.key).values_list(key, flat=True))
        related = getattr(obj, column.key)
        return getattr(related, key) if related is not None else None
    if kind is Kind.USER:
        user = getattr(obj, column.key)
        return user.get_username() if user is not None else None
    if kind is Kind.FILE:
        return _stored(obj, column, store)
    return _plain(obj, field)


def entry(
    obj: models.Model, layout: Layout, *, store: Store = _file_entry, **children: list[Any]
) -> dict[str, Any]:
    """One object as the file holds it: ``ref``, ``id``, its columns, then ``children``.

    ``store`` writes its stored files: in base64 in the JSON by default.
    """
    data: dict[str, Any] = {}
    if layout.ref:
        data["ref"] = ref(layout.model, obj.pk)
    if layout.id:
        data["id"] = obj.pk
    for column in columns.columns(layout):
        data[column.key] = _encode(obj, column, store)
    data.update(children)
    return data


def register_parts(register: Register) -> dict[str, list[dict[str, Any]]]:
    """A register's parts under their keys, in the registry's order."""
    return {
        part.key: [
            entry(row, columns.part_layout(part))
            for row in getattr(register, part.accessor).order_by("order", "pk")
        ]
        for part in PARTS
    }


def _register_entry(register: Register) -> dict[str, Any]:
    parts = register_parts(register)
    versions = [
        entry(
            version,
            columns.VERSION,
            renderings=[
                entry(rendering, columns.RENDERING)
                for rendering in version.renderings.order_by("language")
            ],
        )
        for version in register.versions.select_related("published_by").order_by("number")
    ]
    return entry(register, columns.REGISTER, **parts, versions=versions)


def _users(controller: Controller, memberships: list[Membership]) -> list[dict[str, Any]]:
    """The users the file names: members, and whoever published a version."""
    publishers = (
        get_user_model()
        .objects.filter(published_versions__register__controller=controller)
        .distinct()
    )
    users = {m.user.get_username(): m.user for m in memberships}
    users.update({user.get_username(): user for user in publishers})
    return [
        {name: getattr(user, name) or "" for name in USER_FIELDS}
        for _username, user in sorted(users.items())
    ]


def controller_export(*, controller: Controller) -> dict[str, Any]:
    """Everything of ``controller`` as the data of a backup file (schema version 2).

    Raises BackupError if a stored file (logo or PDF) is missing or no longer
    matches its recorded hash: a backup that could not be restored is refused.
    Call it inside a transaction to read a consistent state (the export command
    does, with repeatable reads on PostgreSQL).
    """
    controller = Controller.objects.get(pk=controller.pk)
    return {
        **_head(controller, SCHEMA_VERSION),
        "registers": [
            _register_entry(register)
            for register in Register.objects.filter(controller=controller).order_by("pk")
        ],
    }


def _head(controller: Controller, schema_version: int) -> dict[str, Any]:
    """What a backup holds before its registers: the controller and what it owns."""
    memberships = sorted(
        Membership.objects.filter(controller=controller).select_related("user"),
        key=lambda m: m.user.get_username(),
    )
    return {
        "format": FORMAT,
        "schema_version": schema_version,
        "controller": entry(controller, columns.CONTROLLER),
        "users": _users(controller, memberships),
        "memberships": [entry(m, columns.MEMBERSHIP) for m in memberships],
        "contact_persons": [
            entry(contact, columns.CONTACT_PERSON)
            for contact in ContactPerson.objects.filter(controller=controller).order_by("pk")
        ],
        "processors": [
            entry(processor, columns.PROCESSOR)
            for processor in Processor.objects.filter(controller=controller).order_by("pk")
        ],
    }


def _archived_register(writer: ArchiveWriter, register: Register) -> dict[str, Any]:
    """Write a register's versions one at a time; the register's entry in the manifest."""
    versions = []
    found = register.versions.select_related("published_by").order_by("number")
    for version in found.iterator(chunk_size=20):
        prefix = f"versions/{ref(Register, register.pk)}/{version.number}"
        renderings = [
            entry(
                rendering,
                columns.RENDERING,
                store=writer.pdf_member(f"{prefix}/{rendering.language}"),
            )
            for rendering in version.renderings.order_by("language")
        ]
        data = entry(version, columns.VERSION, renderings=renderings)
        versions.append(writer.version(f"{prefix}.json", data, len(renderings)))
    writer.summary.registers += 1
    return entry(register, columns.REGISTER, **register_parts(register), versions=versions)


def backup_write(*, controller: Controller, output: IO[bytes]) -> ExportSummary:
    """Write everything of ``controller`` to ``output`` as a backup archive (schema version 3).

    One version (with its PDFs) is in memory at a time; the manifest, written
    last, holds the rest. Raises BackupError as ``controller_export`` does; call
    it inside ``read_consistently`` for a consistent state.
    """
    controller = Controller.objects.get(pk=controller.pk)
    with ArchiveWriter(output) as writer:
        manifest = _head(controller, ARCHIVE_VERSION)
        manifest["registers"] = [
            _archived_register(writer, register)
            for register in Register.objects.filter(controller=controller).order_by("pk")
        ]
        writer.finish(manifest)
    found = writer.summary
    logo = manifest["controller"]["logo"]
    return ExportSummary(
        registers=found.registers,
        versions=found.versions,
        renderings=found.renderings,
        files=found.files + (1 if logo else 0),
        file_bytes=found.file_bytes + (logo["size"] if logo else 0),
    )


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
