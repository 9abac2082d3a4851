"""``manage.py generate_signing_key FILE``: a new Ed25519 key for signing records."""

from __future__ import annotations

from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from notices.signing_keys import generate_key_file, key_id


class Command(BaseCommand):
    help = _(
        "Write a new Ed25519 signing key to FILE (PEM, readable by its owner only) and print "
        "its key id; point NOTICE_SIGNING_KEY_FILE at it."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("file", help=_("Where to write the key; must not exist yet."))

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["file"])
        if path.exists():
            raise CommandError(
                _("%(file)s exists already; a key is never overwritten.") % {"file": path}
            )
        key = generate_key_file(path)
        self.stdout.write(key_id(key.public_key()))
