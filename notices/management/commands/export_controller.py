"""``manage.py export_controller <slug> [-o FILE] [--json]``: one controller's backup file.

An archive (schema version 3) written one version at a time by default; with
``--json`` one JSON document (version 2) built in memory, for small companies.
"""

from __future__ import annotations

import os
import tempfile
from argparse import ArgumentParser
from collections.abc import Callable
from pathlib import Path
from typing import IO, Any

from django.core.management.base import BaseCommand, CommandError, OutputWrapper
from django.utils.translation import gettext as _

from controllers.models import Controller
from notices import backup


def write_private_file(path: Path, write: Callable[[IO[bytes]], Any]) -> Any:
    """Call ``write`` with a file that becomes ``path`` once it returns; what it returned.

    A backup holds personal data (contact persons, users' email addresses): it is
    written to a temporary file in the same directory with mode 0600 and renamed
    into place, so a crash or a refusal never leaves half a backup under the real name.
    """
    directory = path.parent
    handle, temporary = tempfile.mkstemp(dir=directory, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as output:
            result = write(output)
            output.flush()
            os.fsync(output.fileno())
        os.chmod(temporary, 0o600)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return result


def binary_stdout(stdout: Any) -> IO[bytes] | None:
    """The command's standard output as bytes; None for a StringIO given by call_command."""
    return getattr(getattr(stdout, "_out", None), "buffer", None)


class Command(BaseCommand):
    help = (
        "Write everything of one controller (data in every language, memberships, logo, "
        "published versions with their pages and PDFs) to one backup file: a ZIP archive "
        "written one version at a time, or with --json one JSON document."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("slug", help=_("The controller's public address name, e.g. acme."))
        parser.add_argument(
            "-o",
            "--output",
            help=_("Where to write the backup file (default: standard output)."),
        )
        parser.add_argument(
            "--json",
            action="store_true",
            help=_(
                "Write one JSON document (schema version 2), built in memory: readable, "
                "for small companies."
            ),
        )

    def handle(
        self, *args: Any, slug: str, output: str | None = None, json: bool = False, **options: Any
    ) -> None:
        controller = Controller.objects.filter(slug=slug).first()
        if controller is None:
            raise CommandError(
                _("There is no controller with the address name “%(slug)s”.") % {"slug": slug}
            )
        write = self.json_writer(controller) if json else self.archive_writer(controller)
        if output in (None, "-"):
            buffer = binary_stdout(self.stdout)
            if buffer is None and not json:
                raise CommandError(
                    _("An archive can only be written to a file or a binary output.")
                )
            self.stdout.flush()
            summary, size = write(buffer or self.stdout)
            self.stderr.write(self.report(controller, summary, size))
            return
        path = Path(output)
        if not path.parent.is_dir():
            raise CommandError(
                _("The directory %(directory)s does not exist.") % {"directory": path.parent}
            )
        try:
            summary, size = write_private_file(path, write)
        except OSError as error:
            raise CommandError(
                _("Could not write %(path)s: %(error)s")
                % {"path": path, "error": error.strerror or error}
            ) from error
        self.stdout.write(self.report(controller, summary, size))
        self.stdout.write(_("Backup written to %(path)s.") % {"path": path})

    def archive_writer(self, controller: Controller) -> Callable[[Any], tuple[Any, int]]:
        """Writes the archive to a binary file; (summary, bytes written)."""

        def write(out: IO[bytes]) -> tuple[Any, int]:
            counted = _Counting(out)
            try:
                summary = backup.read_consistently(
                    lambda: backup.backup_write(controller=controller, output=counted)
                )
            except backup.BackupError as error:
                raise CommandError(str(error)) from error
            counted.flush()
            return summary, counted.written

        return write

    def json_writer(self, controller: Controller) -> Callable[[Any], tuple[Any, int]]:
        """Writes the JSON document, to a binary file or a text stream; (summary, bytes)."""
        try:
            data = backup.read_consistently(lambda: backup.controller_export(controller=controller))
        except backup.BackupError as error:
            raise CommandError(str(error)) from error
        content = backup.backup_dumps(data)

        def write(out: Any) -> tuple[Any, int]:
            if isinstance(out, OutputWrapper):
                out.write(content.decode(), ending="")
            else:
                out.write(content)
                out.flush()
            return backup.export_summary(data), len(content)

        return write

    def report(self, controller: Controller, summary: backup.ExportSummary, size: int) -> str:
        return _(
            "Exported “%(name)s” (%(slug)s): %(registers)d registers, %(versions)d published "
            "versions, %(files)d files; %(size)d bytes."
        ) % {
            "name": controller.name,
            "slug": controller.slug,
            "registers": summary.registers,
            "versions": summary.versions,
            "files": summary.files,
            "size": size,
        }


class _Counting:
    """A binary output that counts the bytes written through it (the report's size).

    Not seekable: zipfile then writes each member's sizes after its data, so
    the same bytes go to a file and to a pipe.
    """

    def __init__(self, out: IO[bytes]) -> None:
        self.out = out
        self.written = 0

    def write(self, data: bytes) -> int:
        self.out.write(data)
        self.written += len(data)
        return len(data)

    def flush(self) -> None:
        self.out.flush()
