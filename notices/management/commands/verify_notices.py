"""``manage.py verify_notices [--controller SLUG] [--sign-missing]``: check every signed record."""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from notices.chain import verify_chain
from notices.models import Register


class Command(BaseCommand):
    help = _(
        "Recompute every published version's record from the database and the stored "
        "files, check its signature and its link to the version before; exit 1 on any break."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "--controller", metavar="SLUG", help=_("Check only this controller's notices.")
        )
        parser.add_argument(
            "--sign-missing",
            action="store_true",
            help=_("Sign the unsigned records whose hashes all check, with the current key."),
        )

    def handle(self, *args: Any, **options: Any) -> None:
        registers = Register.objects.filter(versions__isnull=False).distinct().order_by("pk")
        if options["controller"]:
            registers = registers.filter(controller__slug=options["controller"])
            if not registers.exists():
                raise CommandError(
                    _("There is no controller with published notices at “%(slug)s”.")
                    % {"slug": options["controller"]}
                )
        counts = {"registers": 0, "versions": 0, "signed": 0, "breaks": 0}
        for register in registers.iterator():
            versions = register.versions.order_by("number").prefetch_related("renderings")
            result = verify_chain(versions, sign_missing=options["sign_missing"])
            for found in result.breaks:
                self.stdout.write(str(found))
            counts["registers"] += 1
            counts["versions"] += result.versions
            counts["signed"] += result.signed
            counts["breaks"] += len(result.breaks)
        if counts["signed"]:
            self.stdout.write(_("Signed %(signed)d records.") % counts)
        summary = _("%(versions)d versions of %(registers)d notices checked: %(breaks)d breaks.")
        if counts["breaks"]:
            raise CommandError(summary % counts, returncode=1)
        self.stdout.write(summary % counts)
