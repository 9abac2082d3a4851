"""``manage.py load_demo``: three fictional companies with registers and demo logins."""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.urls import reverse
from django.utils.translation import gettext as _

from notices import demo

# Where `make run` serves the site.
DEV_SERVER = "http://127.0.0.1:8000"


def summary_lines(result: demo.DemoResult) -> list[str]:
    """What the command prints after loading: the logins and where to use them."""
    roles = {
        "superuser": _("superuser"),
        "editor": _("editor"),
        "publisher": _("publisher"),
    }
    lines = [
        _("Demo data loaded. Companies: %(companies)d, registers: %(registers)d.")
        % {"companies": len(result.companies), "registers": len(result.registers)},
        "",
        _("Logins (username / password / role / company):"),
    ]
    for login in result.logins:
        company = login.company or _("all companies")
        lines.append(
            f"  {login.username} / {login.password} / {roles.get(login.role, login.role)}"
            f" / {company}"
        )
    lines += ["", _("Admin: %(url)s") % {"url": DEV_SERVER + reverse("admin:index")}]
    published = [r for r in result.registers if r.versions.exists()]
    if published:
        lines += ["", _("Published notices:")]
        for register in published:
            for language in register.languages:
                url = reverse(
                    "notices:detail",
                    kwargs={
                        "lang": language,
                        "controller": register.controller.slug,
                        "register": register.slug,
                    },
                )
                lines.append(f"  {DEV_SERVER}{url}")
    return lines


class Command(BaseCommand):
    help = "Load three fictional demo companies with their registers and demo logins."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "--force",
            action="store_true",
            help=_("Load the demo data even when DEBUG is off."),
        )
        parser.add_argument(
            "--no-publish",
            action="store_false",
            dest="publish",
            help=_("Do not publish the demo notices."),
        )

    def handle(self, *args: Any, force: bool = False, publish: bool = True, **options: Any) -> None:
        # The demo logins have published passwords: keep them out of production.
        if not settings.DEBUG and not force:
            raise CommandError(
                _(
                    "Refusing to load demo data with DEBUG off: it creates users whose "
                    "passwords are public. Use --force to load it anyway."
                )
            )
        try:
            result = demo.load_demo()
        except demo.DemoConflict as conflict:
            raise CommandError(
                _(
                    "A company that is not part of the demo already uses the address name "
                    "“%(slug)s” or the business ID %(business_id)s. Nothing was changed."
                )
                % {"slug": conflict.slug, "business_id": conflict.business_id}
            ) from conflict
        if publish:
            demo.publish_demo(result)
        self.print_summary(result)

    def print_summary(self, result: demo.DemoResult) -> None:
        """Print the logins and the admin address; a later step adds the public notices."""
        for line in summary_lines(result):
            self.stdout.write(line)
