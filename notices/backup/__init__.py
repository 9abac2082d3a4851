"""Backup and restore of one controller as a single self-contained file.

The format is described in ``docs/backup-format.md``: a ZIP archive read and
written one version at a time (schema version 3), or one JSON document (version
2, built in memory; version 1 files are still read). The modules, in the order
a backup passes through them:

- ``columns``: what the file holds of each model, read from the models, the
  registry of a register's parts (``notices.parts``) and modeltranslation's;
- ``export``: a controller as an archive (``backup_write``), or as the data of a
  JSON file (``controller_export``) and its bytes (``backup_dumps``),
  deterministic for the same database state;
- ``archive``: the archive's members, written and read one at a time;
- ``schema``: the file's structure as pydantic models, with error paths such
  as ``registers[0].purposes[2].name``; ``version1`` upgrades old files;
- ``reading``: a file (``backup_open``) or bytes to JSON, then every check that needs no writes
  (references, catalogue codes, uniqueness, hashes of stored pages and files);
- ``importing``: the writes, in one transaction, each object after its model's
  ``full_clean()``; a refused file changes nothing.

Services for other code: ``import_controller`` (below), ``controller_import``
(the same from parsed data, with a report) and ``controller_export``.
"""

from __future__ import annotations

import io
import os
from collections.abc import Mapping
from typing import Any

from controllers.models import Controller

from .archive import Archive, is_archive
from .errors import BackupError
from .export import (
    ExportSummary,
    backup_dumps,
    backup_write,
    controller_export,
    export_summary,
    read_consistently,
)
from .importing import ImportResult, controller_import
from .reading import (
    DEFAULT_MAX_BYTES,
    backup_loads,
    backup_open,
    backup_read,
    max_backup_bytes,
)
from .schema import ARCHIVE_VERSION, FORMAT, SCHEMA_VERSION


def import_controller(
    source: str | os.PathLike[str] | bytes | Mapping[str, Any],
    *,
    replace: bool = False,
    max_bytes: int | None = None,
) -> Controller:
    """Create (or with ``replace``, replace) one controller from a backup; the controller.

    ``source`` is the path of a backup file (an archive or JSON), its bytes, or a
    JSON file's parsed data. A file
    may hold no published versions (``"versions": []``): the registers are then
    drafts, to be published with ``notices.services.notice_publish``. Users the
    file names that do not exist are created inactive, without a usable
    password; existing users of the same username get the memberships.

    Everything is checked before anything is written, and written in one
    transaction with each model's ``full_clean()``. If the file is refused,
    raises BackupError (a translated message, ``code`` and the ``path`` in the
    file) and changes nothing. ``controller_import`` does the same from parsed
    data and returns a report (``ImportResult``); the ``import_controller``
    command prints it.
    """
    if isinstance(source, Mapping):
        return controller_import(data=dict(source), replace=replace).controller
    if isinstance(source, bytes) and is_archive(source):
        limit = max_bytes if max_bytes is not None else max_backup_bytes()
        archive = Archive(io.BytesIO(source), max_bytes=limit)
        return controller_import(data=archive, replace=replace).controller
    if isinstance(source, bytes):
        data = backup_loads(source, max_bytes=max_bytes)
        return controller_import(data=data, replace=replace).controller
    with backup_open(path=source, max_bytes=max_bytes) as opened:
        return controller_import(data=opened, replace=replace).controller


__all__ = [
    "ARCHIVE_VERSION",
    "DEFAULT_MAX_BYTES",
    "FORMAT",
    "SCHEMA_VERSION",
    "BackupError",
    "ExportSummary",
    "ImportResult",
    "backup_dumps",
    "backup_loads",
    "backup_open",
    "backup_read",
    "backup_write",
    "controller_export",
    "controller_import",
    "export_summary",
    "import_controller",
    "max_backup_bytes",
    "read_consistently",
]
