"""``manage.py import_controller <file> [--replace]``: restore one controller's backup."""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from notices import backup


def report_lines(result: backup.ImportResult) -> tuple[list[str], list[str]]:
    """What the command prints after an import: (information, warnings)."""
    controller = result.controller
    info = [
        _(
            "Imported “%(name)s” (%(slug)s): %(registers)d registers, %(versions)d published "
            "versions, %(renderings)d renderings; %(stored)d files stored, %(reused)d already "
            "in storage."
        )
        % {
            "name": controller.name,
            "slug": controller.slug,
            "registers": result.registers,
            "versions": result.versions,
            "renderings": result.renderings,
            "stored": result.files_stored,
            "reused": result.files_reused,
        }
    ]
    warnings = []
    if result.replaced:
        info.append(_("The controller's earlier data in this database was replaced."))
    if result.existing_members:
        info.append(
            _("Existing users were given their memberships: %(users)s.")
            % {"users": ", ".join(result.existing_members)}
        )
    if result.created_users:
        warnings.append(
            _(
                "These users did not exist and were created inactive, without a usable "
                "password: %(users)s. Activate them and set their passwords in the admin "
                "before they can log in."
            )
            % {"users": ", ".join(result.created_users)}
        )
    if result.email_differs:
        warnings.append(
            _(
                "The email address of %(users)s in this database differs from the backup: "
                "check that they are the same people before they keep their memberships."
            )
            % {"users": ", ".join(result.email_differs)}
        )
    if result.new_ids:
        warnings.append(
            _(
                "%(count)d objects got new ids because theirs are taken in this database. "
                "The next published version of a register lists those parts as removed and "
                "added again."
            )
            % {"count": result.new_ids}
        )
    if result.logo_renamed_from:
        warnings.append(
            _(
                "The logo was stored as %(name)s because %(old)s holds another file; the "
                "published versions still show %(old)s."
            )
            % {"name": controller.logo.name, "old": result.logo_renamed_from}
        )
    if result.unsigned:
        warnings.append(
            _(
                "%(count)d versions come from a file written before versions were signed: "
                "the service recorded and signed them now. Import such files only from a "
                "source you trust."
            )
            % {"count": result.unsigned}
        )
    return info, warnings


class Command(BaseCommand):
    help = (
        "Restore a controller from a backup file written by export_controller, in one "
        "transaction. Refuses a file that is damaged, tampered with or refers outside itself."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("file", help=_("The backup file to restore."))
        parser.add_argument(
            "--replace",
            action="store_true",
            help=_(
                "Replace a controller with the same address name or business ID: its "
                "registers, published versions, processors, contact persons and memberships "
                "are deleted first."
            ),
        )
        parser.add_argument(
            "--max-bytes",
            type=int,
            default=None,
            help=_(
                "The most to read into memory at once: a JSON backup file, or one member of "
                "an archive (default: BACKUP_MAX_BYTES, 200 MiB)."
            ),
        )

    def handle(
        self,
        *args: Any,
        file: str,
        replace: bool = False,
        max_bytes: int | None = None,
        **options: Any,
    ) -> None:
        try:
            with backup.backup_open(path=file, max_bytes=max_bytes) as source:
                result = backup.controller_import(data=source, replace=replace)
        except backup.BackupError as error:
            raise CommandError(
                _("The backup was not imported and nothing was changed. %(error)s")
                % {"error": error}
            ) from error
        info, warnings = report_lines(result)
        for line in info:
            self.stdout.write(line)
        for line in warnings:
            self.stderr.write(self.style.WARNING(line))
