"""``manage.py export_controller <slug> [-o FILE]``: one controller's backup as a JSON file."""

from __future__ import annotations

import os
import tempfile
from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from controllers.models import Controller
from notices import backup


def write_private_file(path: Path, content: bytes) -> None:
    """Write ``content`` to ``path`` all at once, readable by its owner only.

    A backup holds personal data (contact persons, users' email addresses): it is
    written to a temporary file in the same directory with mode 0600 and renamed
    into place, so a crash never leaves half a backup under the real name.
    """
    directory = path.parent
    handle, temporary = tempfile.mkstemp(dir=directory, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as output:
            output.write(content)
            output.flush()
            os.fsync(output.fileno())
        os.chmod(temporary, 0o600)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


class Command(BaseCommand):
    help = (
        "Write everything of one controller (data in every language, memberships, logo, "
        "published versions with their pages and PDFs) to one JSON backup file."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("slug", help=_("The controller's public address name, e.g. acme."))
        parser.add_argument(
            "-o",
            "--output",
            help=_("Where to write the backup file (default: standard output)."),
        )

    def handle(self, *args: Any, slug: str, output: str | None = None, **options: Any) -> None:
        controller = Controller.objects.filter(slug=slug).first()
        if controller is None:
            raise CommandError(
                _("There is no controller with the address name “%(slug)s”.") % {"slug": slug}
            )
        try:
            data = backup.read_consistently(lambda: backup.controller_export(controller=controller))
        except backup.BackupError as error:
            raise CommandError(str(error)) from error
        content = backup.backup_dumps(data)
        summary = backup.export_summary(data)
        report = _(
            "Exported “%(name)s” (%(slug)s): %(registers)d registers, %(versions)d published "
            "versions, %(files)d files; %(size)d bytes."
        ) % {
            "name": controller.name,
            "slug": controller.slug,
            "registers": summary.registers,
            "versions": summary.versions,
            "files": summary.files,
            "size": len(content),
        }
        if output in (None, "-"):
            # The bytes as they are, whatever the locale's encoding; a StringIO given
            # by call_command has no buffer and takes the text.
            buffer = getattr(getattr(self.stdout, "_out", None), "buffer", None)
            if buffer is not None:
                self.stdout.flush()
                buffer.write(content)
                buffer.flush()
            else:
                self.stdout.write(content.decode(), ending="")
            self.stderr.write(report)
            return
        path = Path(output)
        if not path.parent.is_dir():
            raise CommandError(
                _("The directory %(directory)s does not exist.") % {"directory": path.parent}
            )
        try:
            write_private_file(path, content)
        except OSError as error:
            raise CommandError(
                _("Could not write %(path)s: %(error)s")
                % {"path": path, "error": error.strerror or error}
            ) from error
        self.stdout.write(report)
        self.stdout.write(_("Backup written to %(path)s.") % {"path": path})
