"""What the bench commands share: a JSON result and a refusal to touch production data."""

from __future__ import annotations

import json
from argparse import ArgumentParser
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from controllers.models import Controller, Membership


class JsonResultCommand(BaseCommand):
    """A command whose result is one JSON document, for the runners to read.

    ``--json FILE`` writes it to a file (the runners use that, so nothing else a
    command or a library prints can get mixed into it); without it, standard output.
    """

    #: Commands that create or publish data refuse to run with DEBUG off unless
    #: given --force, as ``load_demo`` does: they must never meet real companies.
    writes_data = False

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "--json", dest="json_path", type=Path, help="write the result here (default: stdout)"
        )
        if self.writes_data:
            parser.add_argument(
                "--force",
                action="store_true",
                help="run even with DEBUG off (the bench's throw-away database)",
            )

    def execute(self, *args: Any, **options: Any) -> str | None:
        if self.writes_data and not settings.DEBUG and not options.get("force"):
            raise CommandError(
                "Refusing to run with DEBUG off: this command creates and publishes data. "
                "Use --force in a throw-away database (make bench and make load do)."
            )
        return super().execute(*args, **options)

    def write_result(self, result: dict[str, Any], path: Path | None) -> None:
        text = json.dumps(result, indent=2, default=str) + "\n"
        if path is None:
            self.stdout.write(text, ending="")
        else:
            path.write_text(text)


def publisher_of(controller: Controller) -> Any:
    """The company's first active publisher by username, else the first active superuser."""
    membership = (
        Membership.objects.filter(
            controller=controller, role=Membership.Role.PUBLISHER, user__is_active=True
        )
        .select_related("user")
        .order_by("user__username")
        .first()
    )
    if membership is not None:
        return membership.user
    user = get_user_model().objects.filter(is_superuser=True, is_active=True).order_by("pk").first()
    if user is None:
        raise CommandError(f"Nobody may publish for {controller.slug}: did load_demo run?")
    return user


def summary_in_every_language(text: str) -> dict[str, str]:
    """A change summary for each configured language (publishing needs one per language)."""
    return {code: text for code, _name in settings.LANGUAGES}


def valid_business_ids(after: int, count: int) -> Iterator[tuple[str, int]]:
    """Business IDs numbered after ``after`` that the model accepts, with their numbers.

    The check digit is found by asking the field's validators rather than
    computing it here, so the rule stays defined in one place.
    """
    business_id = Controller._meta.get_field("business_id")
    for number in range(after + 1, after + count):
        for check in range(10):
            candidate = f"{number:07d}-{check}"
            try:
                business_id.run_validators(candidate)
            except ValidationError:
                continue
            yield candidate, number
