"""``manage.py bench_seed --registers N --force``: many published notices for the load test.

No register is built here. The companies already in the database (the demo's,
from ``load_demo``) are each written once to a backup file with
``export_controller``; copies of those files, differing only in the company's
name, address name (slug) and business ID, are restored with
``import_controller``, company after company in turn, until at least N more
published registers exist. Each copied register is then published once more
through ``notices.services.notice_publish``, so its latest version names its
own company. The restored earlier versions keep the bytes of the company they
were copied from: they are what a restore serves.

The slug and business ID are changed in the file because ``import_controller``
has no option to restore under another name; the file format is documented in
docs/backup-format.md.
"""

from __future__ import annotations

import io
import itertools
import json
import tempfile
import time
from argparse import ArgumentParser
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.core.management import call_command
from django.core.management.base import CommandError

from bench.management.base import (
    JsonResultCommand,
    publisher_of,
    summary_in_every_language,
    valid_business_ids,
)
from controllers.models import Controller
from notices.completeness import check_warnings
from notices.models import NoticeVersion, Register
from notices.services import notice_publish
from notices.snapshot import build_snapshot

# No loop runs away, whatever --registers says.
MAX_COPIES = 500
# Where the copies' business IDs start (the demo's are 9000001-…).
FIRST_BUSINESS_NUMBER = 8_100_000


@dataclass
class Seeding:
    """What the seeding did, for the report."""

    copies: list[str] = field(default_factory=list)
    registers: int = 0
    import_s: list[float] = field(default_factory=list)
    publish_s: list[float] = field(default_factory=list)
    import_warnings: list[str] = field(default_factory=list)
    acknowledged: int = 0  # warnings acknowledged at publishing (see publish_all)


def free_slug(base: str, number: int) -> str:
    for n in itertools.count(number):
        slug = f"{base}-{n}"
        if not Controller.objects.filter(slug=slug).exists():
            return slug
    raise AssertionError("unreachable")


def free_business_id(after: int) -> tuple[str, int]:
    """An unused business ID that the model's own validators accept, and its number."""
    for candidate, number in valid_business_ids(after, 10_000):
        if not Controller.objects.filter(business_id=candidate).exists():
            return candidate, number
    raise CommandError("No free business ID found for a copy.")


def export(controller: Controller, directory: Path) -> dict[str, Any]:
    path = directory / f"{controller.slug}.json"
    # JSON (schema version 2): the copies change the company's name in the data.
    call_command(
        "export_controller", controller.slug, "--output", str(path), "--json", stdout=io.StringIO()
    )
    return json.loads(path.read_text(encoding="utf-8"))


def import_copy(
    backup: dict[str, Any], slug: str, business_id: str, number: int, directory: Path
) -> list[str]:
    """Restore ``backup`` as another company; the import's warnings."""
    company = backup["controller"]
    copy = backup | {
        "controller": company
        | {"slug": slug, "business_id": business_id, "name": f"{company['name']} {number}"}
    }
    path = directory / f"{slug}.json"
    path.write_text(json.dumps(copy), encoding="utf-8")
    warnings = io.StringIO()
    call_command("import_controller", str(path), stdout=io.StringIO(), stderr=warnings)
    path.unlink()
    return [line for line in warnings.getvalue().splitlines() if line.strip()]


def publish_all(controller: Controller, seeding: Seeding) -> None:
    """Publish each register of ``controller`` that has a published version, once."""
    user = publisher_of(controller)
    for register in Register.objects.filter(
        controller=controller, versions__isnull=False
    ).distinct():
        started = time.perf_counter()
        # A copy's company has another name, so the cookies its original sets itself
        # read as set by another company of unknown country: the publisher
        # acknowledges those warnings, as one would in the admin.
        warnings = check_warnings(build_snapshot(register))
        seeding.acknowledged += len(warnings)
        notice_publish(
            register=register,
            user=user,
            summary=summary_in_every_language("Load test publication."),
            acknowledged=tuple(warning.key for warning in warnings),
        )
        seeding.publish_s.append(time.perf_counter() - started)
        seeding.registers += 1


def published_registers(controller: Controller) -> int:
    return Register.objects.filter(controller=controller, versions__isnull=False).distinct().count()


class Command(JsonResultCommand):
    help = (
        "Restore copies of the companies in the database (export_controller, then "
        "import_controller under new address names) until at least N more published "
        "registers exist, and publish each copied register once more."
    )
    writes_data = True

    def add_arguments(self, parser: ArgumentParser) -> None:
        super().add_arguments(parser)
        parser.add_argument(
            "--registers", type=int, default=21, help="at least this many more registers"
        )

    def handle(self, *args: Any, registers: int, **options: Any) -> None:
        sources = [c for c in Controller.objects.order_by("slug") if published_registers(c) > 0]
        if not sources:
            raise CommandError("No company has a published register: did load_demo run?")
        seeding = Seeding()
        number = FIRST_BUSINESS_NUMBER
        with tempfile.TemporaryDirectory(prefix="bench-seed-") as tmp:
            directory = Path(tmp)
            backups = {c.slug: export(c, directory) for c in sources} if registers > 0 else {}
            for n in range(MAX_COPIES):
                if seeding.registers >= registers:
                    break
                source = sources[n % len(sources)]
                slug = free_slug(source.slug, n // len(sources) + 1)
                business_id, number = free_business_id(number)
                started = time.perf_counter()
                seeding.import_warnings += import_copy(
                    backups[source.slug], slug, business_id, n // len(sources) + 1, directory
                )
                seeding.import_s.append(time.perf_counter() - started)
                seeding.copies.append(slug)
                publish_all(Controller.objects.get(slug=slug), seeding)
        self.write_result(
            {
                "sources": [c.slug for c in sources],
                "copies": seeding.copies,
                "seeded_registers": seeding.registers,
                "import_s": seeding.import_s,
                "publish_s": seeding.publish_s,
                "import_warnings": sorted(set(seeding.import_warnings)),
                "acknowledged_warnings": seeding.acknowledged,
                "controllers": Controller.objects.count(),
                "registers": Register.objects.filter(versions__isnull=False).distinct().count(),
                "versions": NoticeVersion.objects.count(),
            },
            options["json_path"],
        )
