"""Reading a backup file: its bytes, its schema, and every check that needs no writes.

``backup_open`` opens a file: an archive (schema version 3, ``archive``) is read
member by member; a JSON backup (versions 1 and 2) is read whole by
``backup_read``/``backup_loads`` (size, UTF-8, JSON without duplicate keys or NaN).
``read`` then checks the data: the format and
schema version (version 1 files are upgraded first, ``version1``), no NUL
character anywhere, the schema (``schema``, with paths from pydantic), and
then what the schema cannot see: that every reference resolves to an object of
the right kind in this file (and in the same register where that matters),
that catalogue codes and users exist, that what the database keeps unique is
unique in the file, and that every stored file, page and snapshot matches its
recorded size and SHA-256 hash.

An archive's versions are read, validated and checked one at a time
(``Backup.versions``), and read and validated again while importing, so that
memory holds one version however long the history is.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import shutil
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import pydantic
from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import models
from django.utils.translation import gettext as _

from controllers.validators import validate_logo

from .. import languages
from ..parts import PARTS
from ..snapshot import content_hash
from . import columns, earlier_shapes, errors, schema, version1
from .archive import MANIFEST, ZIP_MAGIC, Archive, is_archive
from .columns import CATALOGUES, Column, Kind, Layout
from .errors import BackupError
from .schema import ARCHIVE_VERSION, FORMAT, SCHEMA_VERSION, attribute, value

# The most of a backup held in memory at once: a JSON backup (all of it) or one member of
# an archive (its manifest, a version, a PDF). settings.BACKUP_MAX_BYTES overrides it.
DEFAULT_MAX_BYTES = 200 * 1024 * 1024
# Bytes copied at a time from a pipe to a temporary file.
COPY_CHUNK = 1024 * 1024
# The schema versions of a JSON backup; older ones are upgraded before validation.
UPGRADES = {1: version1.upgrade, SCHEMA_VERSION: None}


# --- Bytes to JSON ----------------------------------------------------------------------


def max_backup_bytes() -> int:
    """The most read into memory at once: settings.BACKUP_MAX_BYTES, else 200 MiB."""
    return int(getattr(settings, "BACKUP_MAX_BYTES", None) or DEFAULT_MAX_BYTES)


def _too_large(limit: int) -> BackupError:
    return BackupError(
        _("The backup file is larger than %(max)d bytes, the most this service reads.")
        % {"max": limit},
        code="too_large",
    )


def _unreadable(error: OSError) -> BackupError:
    return BackupError(
        _("The backup file cannot be read: %(error)s") % {"error": error.strerror or error},
        code="unreadable",
    )


@contextlib.contextmanager
def backup_open(
    *, path: str | Path, max_bytes: int | None = None
) -> Iterator[dict[str, Any] | Archive]:
    """The backup at ``path`` for ``controller_import``: an open archive, or a JSON file's data.

    ``max_bytes`` bounds what is read at once: the whole of a JSON file, each member
    of an archive.
    """
    limit = max_bytes if max_bytes is not None else max_backup_bytes()
    try:
        handle = open(path, "rb")  # noqa: SIM115 (closed below, after the import)
    except OSError as error:
        raise _unreadable(error) from error
    with handle, tempfile.TemporaryFile() as spool:
        try:
            if not handle.seekable():
                # A pipe (``import_controller /dev/stdin < file`` through Docker): zipfile
                # needs to seek, so the stream goes to a temporary file, not to memory.
                shutil.copyfileobj(handle, spool, COPY_CHUNK)
                spool.seek(0)
                handle = spool
            head = handle.read(len(ZIP_MAGIC))
            handle.seek(0)
        except OSError as error:
            raise _unreadable(error) from error
        if not is_archive(head):
            yield _json_from(handle, limit)
            return
        archive = Archive(handle, max_bytes=limit)
        try:
            yield archive
        finally:
            archive.close()


def backup_read(*, path: str | Path, max_bytes: int | None = None) -> dict[str, Any]:
    """Read and parse the JSON backup file at ``path``, refusing one over ``max_bytes``."""
    limit = max_bytes if max_bytes is not None else max_backup_bytes()
    try:
        with open(path, "rb") as handle:
            if Path(path).stat().st_size > limit:
                raise _too_large(limit)
            return _json_from(handle, limit)
    except OSError as error:
        raise _unreadable(error) from error


def _json_from(handle: IO[bytes], limit: int) -> dict[str, Any]:
    try:
        raw = handle.read(limit + 1)
    except OSError as error:
        raise _unreadable(error) from error
    return backup_loads(raw, max_bytes=limit)


def _no_duplicate_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, item in pairs:
        if key in result:
            raise ValueError(f"duplicate key {key!r}")
        result[key] = item
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


# --- Checking the data --------------------------------------------------------------------


@dataclass
class Backup:
    """A backup that passed every check that needs no writes, ready to import."""

    file: Any  # an instance of schema.backup_file() or, of an archive, schema.manifest_file()
    written_as: int  # the schema version of the file as it was written
    archive: Archive | None = None
    ids: dict[type[models.Model], set[int]] = field(default_factory=dict)
    catalogues: dict[type[models.Model], dict[str, models.Model]] = field(default_factory=dict)

    def catalogue_entry(self, model: type[models.Model], key: str) -> models.Model:
        return self.catalogues[model][key.lower()]

    def versions(self, i: int) -> Iterator[tuple[Any, str]]:
        """The versions of the ``i``-th register, with their paths, one at a time.

        An archive's are read from their members and validated each time: only
        one is in memory at once.
        """
        for j, item in enumerate(self.file.registers[i].versions):
            path = f"registers[{i}].versions[{j}]"
            yield (item if self.archive is None else _archived(self.archive, item, path)), path


def _archived(archive: Archive, item: Any, path: str) -> Any:
    """The version an archive's manifest names in ``item``, read and validated."""
    try:
        data = backup_loads(archive.version(item, path), max_bytes=archive.max_bytes)
    except BackupError as error:
        if error.path:
            raise
        # Not JSON, or not an object: said of this member.
        raise BackupError(error.message, code=error.code, path=path) from error
    archive.with_pdfs(data, path)
    _check_no_nul(data, path)
    try:
        return schema.version_model().model_validate(data)
    except pydantic.ValidationError as error:
        raise errors.schema_error(error, path) from None


def read(source: dict[str, Any] | Archive) -> Backup:
    """Check a backup: a JSON file's data (``backup_loads``) or an open archive.

    BackupError if refused.
    """
    archive = source if isinstance(source, Archive) else None
    if archive is not None:
        data = backup_loads(archive.read(MANIFEST, ""), max_bytes=archive.max_bytes)
    else:
        data = source
    if not isinstance(data, dict):
        raise BackupError(_("The backup file does not hold a JSON object."), code="format")
    _check_format(data, archive=archive is not None)
    _check_no_nul(data)
    written = data["schema_version"]
    upgrade = UPGRADES.get(written)
    if upgrade is not None:
        data = upgrade(data)
    data = earlier_shapes.upgrade(data)
    model = schema.manifest_file() if archive is not None else schema.backup_file()
    try:
        file = model.model_validate(data)
    except pydantic.ValidationError as error:
        raise errors.schema_error(error) from None
    backup = Backup(file=file, written_as=written, archive=archive)
    checker = _Checker()
    checker.check(backup)
    if archive is not None:
        archive.check_all_named()
    backup.ids, backup.catalogues = checker.ids, checker.catalogues
    return backup


def _check_format(data: dict[str, Any], *, archive: bool) -> None:
    if data.get("format") != FORMAT:
        raise BackupError(
            _("This is not a controller backup of this service (its “format” is not “%(format)s”).")
            % {"format": FORMAT},
            code="format",
        )
    version = data.get("schema_version")
    supported = {ARCHIVE_VERSION} if archive else set(UPGRADES)
    if type(version) is not int or version not in supported:
        raise BackupError(
            _(
                "The backup's schema version %(found)s is not supported; "
                "this service reads version %(supported)d."
            )
            % {
                "found": json.dumps(version)[:20],
                "supported": ARCHIVE_VERSION if archive else SCHEMA_VERSION,
            },
            code="schema_version",
        )


def _check_no_nul(data: Any, prefix: str = "") -> None:
    """No text anywhere may hold a NUL character (PostgreSQL refuses them; paths hide them)."""
    stack: list[tuple[Any, str]] = [(data, prefix)]
    while stack:
        item, path = stack.pop()
        if isinstance(item, str) and "\x00" in item:
            raise BackupError(_("the text contains a NUL character."), code="nul", path=path or ".")
        if isinstance(item, dict):
            for key, child in item.items():
                if "\x00" in key:
                    raise BackupError(
                        _("the text contains a NUL character."), code="nul", path=path or "."
                    )
                stack.append((child, f"{path}.{key}" if path else key))
        elif isinstance(item, list):
            stack.extend((child, f"{path}[{i}]") for i, child in enumerate(item))


# Every object of a file: (object, layout, path, scope). The scope of a register's parts
# and versions is the register's path: a reference from a part may name the file's
# contact persons and processors (scope "") or the same register's parts.
Walk = Iterator[tuple[Any, Layout, str, str]]


def objects(file: Any) -> Walk:
    yield file.controller, columns.CONTROLLER, "controller", ""
    for key, layout in (
        ("memberships", columns.MEMBERSHIP),
        ("contact_persons", columns.CONTACT_PERSON),
        ("processors", columns.PROCESSOR),
    ):
        for i, entry in enumerate(getattr(file, key)):
            yield entry, layout, f"{key}[{i}]", ""
    for i, register in enumerate(file.registers):
        path = f"registers[{i}]"
        yield register, columns.REGISTER, path, ""
        for part in PARTS:
            for j, entry in enumerate(value(register, part.key)):
                yield entry, columns.part_layout(part), f"{path}.{part.key}[{j}]", path


def version_objects(version: Any, path: str, scope: str) -> Walk:
    """A version and its renderings, in the walk's form (versions are walked one at a time)."""
    yield version, columns.VERSION, path, scope
    for k, rendering in enumerate(version.renderings):
        yield rendering, columns.RENDERING, f"{path}.renderings[{k}]", scope


def lists(file: Any) -> Iterator[tuple[list[Any], Layout, str]]:
    """Every list of objects of one kind in one owner, for what must be unique in it.

    Not the versions: they are checked one at a time (``_Checker.check_versions``).
    """
    yield file.memberships, columns.MEMBERSHIP, "memberships"
    yield file.contact_persons, columns.CONTACT_PERSON, "contact_persons"
    yield file.processors, columns.PROCESSOR, "processors"
    yield file.registers, columns.REGISTER, "registers"
    for i, register in enumerate(file.registers):
        path = f"registers[{i}]"
        for part in PARTS:
            yield value(register, part.key), columns.part_layout(part), f"{path}.{part.key}"


@dataclass(frozen=True)
class _Target:
    model: type[models.Model]
    scope: str


@dataclass
class _Checker:
    refs: dict[str, _Target] = field(default_factory=dict)
    ids: dict[type[models.Model], set[int]] = field(default_factory=dict)
    catalogues: dict[type[models.Model], dict[str, models.Model]] = field(default_factory=dict)
    users: set[str] = field(default_factory=set)

    def check(self, backup: Backup) -> None:
        file = backup.file
        self.check_users(file.users)
        for entry, layout, path, scope in objects(file):
            self.declare(entry, layout, path, scope)
        for entry, layout, path, scope in objects(file):
            for column in columns.columns(layout):
                self.check_column(entry, column, path, scope)
        if file.controller.logo is not None:
            _check_logo(file.controller.logo, "controller.logo")
        for entries, layout, path in lists(file):
            _check_unique(entries, layout, path)
        for i in range(len(file.registers)):
            self.check_versions(backup, i)

    def check_versions(self, backup: Backup, i: int) -> None:
        """Every check of the ``i``-th register's versions, one version at a time.

        Versions refer only to users and to nothing another version declares, so
        they can be checked after everything else.
        """
        scope = f"registers[{i}]"
        unique = _Unique(columns.VERSION, f"{scope}.versions")
        for j, (version, path) in enumerate(backup.versions(i)):
            for entry, layout, where, _scope in version_objects(version, path, scope):
                self.declare(entry, layout, where, scope)
                for column in columns.columns(layout):
                    self.check_column(entry, column, where, scope)
            _check_version(version, path)
            unique.add(version, j)
            _check_unique(version.renderings, columns.RENDERING, f"{path}.renderings")

    def check_users(self, users: list[Any]) -> None:
        for i, user in enumerate(users):
            if user.username in self.users:
                raise _twice(user.username, f"users[{i}].username")
            self.users.add(user.username)

    def declare(self, entry: Any, layout: Layout, path: str, scope: str) -> None:
        if layout.ref:
            if entry.ref in self.refs:
                raise BackupError(
                    _("the reference “%(ref)s” is used for two objects.") % {"ref": entry.ref},
                    code="duplicate_ref",
                    path=f"{path}.ref",
                )
            self.refs[entry.ref] = _Target(layout.model, scope)
        if layout.id and entry.id is not None:
            seen = self.ids.setdefault(layout.model, set())
            if entry.id in seen:
                raise BackupError(
                    _("the id %(id)d is used for two objects of the same kind.") % {"id": entry.id},
                    code="duplicate_id",
                    path=f"{path}.id",
                )
            seen.add(entry.id)

    def check_column(self, entry: Any, column: Column, path: str, scope: str) -> None:
        found = value(entry, column.key)
        where = f"{path}.{column.key}"
        if found is None:
            return
        if column.kind is Kind.REF:
            self.check_link(found, column, where, scope)
        elif column.kind is Kind.REFS:
            for j, ref in enumerate(found):
                self.check_link(ref, column, f"{where}[{j}]", scope)
        elif column.kind is Kind.CODE:
            self.check_code(found, column, where)
        elif column.kind is Kind.CODES:
            for j, code in enumerate(found):
                self.check_code(code, column, f"{where}[{j}]")
        elif column.kind is Kind.USER and found not in self.users:
            raise _unknown_ref(found, _("users"), where)
        elif column.kind is Kind.FILE:
            _check_stored_file(found, where)

    def check_link(self, ref: Any, column: Column, path: str, scope: str) -> None:
        """A reference to one of this file's objects of the right kind and register."""
        target = self.refs.get(ref) if isinstance(ref, str) else None
        if (
            target is None
            or target.model is not column.related_model
            or target.scope not in ("", scope)
        ):
            raise _unknown_ref(ref, column.related_model._meta.verbose_name_plural, path)

    def check_code(self, code: str, column: Column, path: str) -> None:
        """A shared catalogue's entry, by its natural key, in this database."""
        model = column.related_model
        catalogue = CATALOGUES[model]
        if model not in self.catalogues:
            self.catalogues[model] = {
                str(getattr(entry, catalogue.key)).lower(): entry
                for entry in model._default_manager.order_by("-pk")
            }
        if code.lower() not in self.catalogues[model]:
            shown = code[:200]
            raise BackupError(
                str(catalogue.unknown) % {"code": shown, "email": shown},
                code=catalogue.error_code,
                path=path,
            )


def _unknown_ref(ref: Any, what: Any, path: str) -> BackupError:
    return BackupError(
        _(
            "“%(ref)s” is not one of the %(what)s in this file; a backup may only "
            "refer to its own controller's objects."
        )
        % {"ref": str(ref)[:100], "what": what},
        code="unknown_ref",
        path=path,
    )


def _twice(shown: Any, path: str) -> BackupError:
    return BackupError(
        _("“%(value)s” appears twice.") % {"value": str(shown)[:100]}, code="duplicate", path=path
    )


def _unique_keys(layout: Layout) -> list[list[str]]:
    """What the database keeps unique among the objects of one owner, as keys of the file."""
    keys = [
        [name for name in constraint.fields if name != layout.owner]
        for constraint in layout.model._meta.constraints
        if isinstance(constraint, models.UniqueConstraint)
        and constraint.condition is None
        and layout.owner in constraint.fields
    ]
    keys += [[c.key] for c in columns.columns(layout) if c.field.unique and c.kind is Kind.VALUE]
    return keys


class _Unique:
    """What must be unique in one list, checked entry by entry (a list may be streamed)."""

    def __init__(self, layout: Layout, path: str) -> None:
        self.path = path
        self.seen: list[tuple[list[str], set[str]]] = [
            (keys, set()) for keys in _unique_keys(layout)
        ]

    def add(self, entry: Any, i: int) -> None:
        for keys, seen in self.seen:
            values = [_unique_value(entry, key) for key in keys]
            if any(found is None for found in values):
                continue  # a translated name left empty in a language is not a duplicate
            found = json.dumps(values, default=str)
            if found in seen:
                shown = " / ".join(str(found) for found in values)
                raise _twice(shown, f"{self.path}[{i}].{keys[0].split('_')[0]}")
            seen.add(found)


def _unique_value(entry: Any, key: str) -> Any:
    """The value of ``key`` in an entry; ``name_<language>`` (a translated column
    modeltranslation keeps unique) is the ``name`` text's, or None where it has none."""
    base, _sep, language = key.rpartition("_")
    if (
        base
        and language in languages.codes()
        and isinstance(getattr(entry, attribute(base), None), dict)
    ):
        return getattr(entry, attribute(base)).get(language) or None
    return value(entry, key)


def _check_unique(entries: list[Any], layout: Layout, path: str) -> None:
    unique = _Unique(layout, path)
    for i, entry in enumerate(entries):
        unique.add(entry, i)


# --- Files and hashes ----------------------------------------------------------------------


def _check_stored_file(stored: schema.StoredFile, path: str) -> None:
    content = stored.content_base64
    if len(content) != stored.size:
        raise BackupError(
            _("the file has %(actual)d bytes, not the %(size)d the backup records.")
            % {"actual": len(content), "size": stored.size},
            code="size",
            path=path,
        )
    if hashlib.sha256(content).hexdigest() != stored.sha256:
        raise BackupError(
            _("the file's content does not match its SHA-256 hash."), code="hash", path=path
        )


def _check_logo(logo: schema.Logo, path: str) -> None:
    """The logo passes the same checks as an uploaded one: a real raster image, small enough."""
    upload = SimpleUploadedFile(Path(logo.name).name, logo.content_base64)
    try:
        image = forms.ImageField().clean(upload)
        validate_logo(image)
    except ValidationError as error:
        raise BackupError(" ".join(error.messages), code="logo", path=path) from error


def _check_version(version: Any, path: str) -> None:
    """A published version's stored pages and files are exactly what was published."""
    snapshot = version.snapshot
    if content_hash(snapshot) != version.content_hash:
        raise BackupError(
            _("the content hash does not match the version's snapshot."),
            code="hash",
            path=f"{path}.content_hash",
        )
    published = snapshot["languages"]
    for k, rendering in enumerate(version.renderings):
        rendering_path = f"{path}.renderings[{k}]"
        if rendering.language not in published:
            raise BackupError(
                _("the language “%(language)s” is not one of the version's languages.")
                % {"language": rendering.language[:10]},
                code="language",
                path=f"{rendering_path}.language",
            )
        _check_rendering(rendering, rendering_path)
    if sorted(r.language for r in version.renderings) != sorted(published):
        raise BackupError(
            _("the version must have a rendering in each of its languages (%(languages)s).")
            % {"languages": ", ".join(published)},
            code="language",
            path=f"{path}.renderings",
        )


def _check_rendering(rendering: Any, path: str) -> None:
    """The stored hashes that make the public ETags must match the stored bytes."""
    pdf = rendering.pdf
    if hashlib.sha256(rendering.html.encode()).hexdigest() != rendering.html_hash:
        raise BackupError(
            _("the page does not match its recorded hash."), code="hash", path=f"{path}.html_hash"
        )
    if pdf.sha256 != rendering.pdf_hash:
        raise BackupError(
            _("the PDF does not match its recorded hash."), code="hash", path=f"{path}.pdf_hash"
        )
    if len(pdf.content_base64) != rendering.pdf_size:
        raise BackupError(
            _("the file has %(actual)d bytes, not the %(size)d the backup records.")
            % {"actual": len(pdf.content_base64), "size": rendering.pdf_size},
            code="size",
            path=f"{path}.pdf_size",
        )
    if not pdf.content_base64.startswith(b"%PDF-"):
        raise BackupError(_("the file is not a PDF document."), code="not_pdf", path=f"{path}.pdf")
