"""``manage.py bench_backup --force [--sizes 100,1000] [--compare-json]``: long backups.

A copy of the company whose register is the largest published one is restored
under another address name (so the other steps' data stay as they were), and
its register's history is grown to each size in turn with ``bench.history``:
copies of its latest version, whose renderings name the latest version's
stored PDFs (a stored sample PDF stands in for rendering; nothing is rendered).
At each size the company is exported with ``export_controller`` and restored
over itself with ``import_controller --replace``, each in a child process
under the default limits, timed, with the child's peak resident memory
(``ru_maxrss`` from ``wait4``). ``--compare-json`` does the same with the JSON
backup (``--json``, imported with ``--max-bytes`` of its size): the format that
held the whole history in memory.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import time
import zipfile
from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.files.storage import default_storage
from django.core.management.base import CommandError
from django.db import transaction

from bench.history import grow_history
from bench.management.base import JsonResultCommand
from bench.management.commands.bench_seed import free_business_id, free_slug
from controllers.models import ContactPerson, Controller, Membership
from notices.backup import DEFAULT_MAX_BYTES, max_backup_bytes
from notices.backup.archive import MANIFEST
from notices.models import NoticeRendering, NoticeVersion, Processor, Register

# Business IDs of the bench's copy start here (bench_seed's at 8100000, the demo's at 9000001).
FIRST_BUSINESS_NUMBER = 8_700_000
# The targets printed next to the figures (issue 14).
TARGET_VERSIONS = 2_000
FLAT_MEMORY = 1.25  # peak memory at the largest size / at the smallest, at most


def largest_published_register() -> Register:
    """A published register as the demo loads it: the one with the shortest history.

    The bench grows its copy's history itself. The register with the longest history
    is the one ``bench_history`` grew to 200 versions just before: copying it (as a
    JSON backup, ``bench_seed.import_copy``) would read some 250 MB at once, over the
    import's default limit.
    """
    registers = Register.objects.filter(versions__isnull=False).distinct().select_related()
    found = min(registers, key=lambda r: (r.versions.count(), r.pk), default=None)
    if found is None:
        raise CommandError("No register has a published version: did load_demo run?")
    return found


def child(*args: str, log: Path) -> dict[str, float]:
    """Run ``manage.py *args`` through ``bench.peak``: its seconds and peak memory (MiB)."""
    manage = str(Path(settings.BASE_DIR) / "manage.py")
    command = [sys.executable, "-m", "bench.peak", sys.executable, manage, *args]
    with open(log, "ab") as output:
        done = subprocess.run(  # noqa: S603 (our own interpreter and manage.py)
            command, stdout=subprocess.PIPE, stderr=output, cwd=settings.BASE_DIR, check=False
        )
    if done.returncode != 0:
        tail = log.read_text(errors="replace")[-2000:]
        raise CommandError(f"{' '.join(args[:2])} failed ({done.returncode}):\n{tail}")
    found = json.loads(done.stdout)
    return {"s": found["s"], "max_rss_mib": found["max_rss_mib"]}


def copy_company(source: Controller, directory: Path) -> Controller:
    """Restore ``source`` under a free address name and business ID; the copy."""
    from bench.management.commands.bench_seed import export, import_copy

    slug = free_slug("bench-backup", 1)
    business_id, _number = free_business_id(FIRST_BUSINESS_NUMBER)
    import_copy(export(source, directory), slug, business_id, 1, directory)
    return Controller.objects.get(slug=slug)


def remove_company(company: Controller) -> None:
    """Delete the bench's copy and its stored files: a kept bench database stays as it was."""
    renderings = NoticeRendering.objects.filter(version__register__controller=company)
    names = set(renderings.values_list("pdf", flat=True))
    if company.logo:
        names.add(company.logo.name)
    with transaction.atomic():
        renderings.delete()
        NoticeVersion.objects.filter(register__controller=company).only("pk").delete()
        for model in (Register, Processor, ContactPerson, Membership):
            model.objects.filter(controller=company).delete()
        company.delete()
    in_use = set(NoticeRendering.objects.filter(pdf__in=names).values_list("pdf", flat=True))
    in_use |= set(Controller.objects.filter(logo__in=names).values_list("logo", flat=True))
    for name in names - in_use:
        default_storage.delete(name)


def archive_sizes(path: Path) -> dict[str, int]:
    """The manifest's size and the largest other member's: what the import holds at once."""
    with zipfile.ZipFile(path) as archive:
        infos = archive.infolist()
    return {
        "manifest_bytes": next(i.file_size for i in infos if i.filename == MANIFEST),
        "largest_member_bytes": max(i.file_size for i in infos if i.filename != MANIFEST),
        "members": len(infos),
    }


class Command(JsonResultCommand):
    help = "Grow a copy of a company's history and time its backup's export and import."
    writes_data = True

    def add_arguments(self, parser: ArgumentParser) -> None:
        super().add_arguments(parser)
        parser.add_argument("--sizes", default="100,1000", help="versions, comma-separated")
        parser.add_argument(
            "--compare-json", action="store_true", help="also the JSON backup (schema 2)"
        )

    def handle(self, *args: Any, sizes: str, compare_json: bool, **options: Any) -> None:
        wanted = sorted({int(size) for size in sizes.split(",") if size.strip()})
        if not wanted or wanted[0] < 2:
            raise CommandError("--sizes: at least one size, each at least 2.")
        source = largest_published_register()
        rows = []
        with tempfile.TemporaryDirectory(prefix="bench-backup-") as tmp:
            directory = Path(tmp)
            company = copy_company(source.controller, directory)
            for versions in wanted:
                register = Register.objects.get(controller=company, slug=source.slug)
                started = time.perf_counter()
                grow_history(register, versions=versions)
                grown = time.perf_counter() - started
                row = {"versions": versions, "grow_s": round(grown, 2)}
                row["archive"] = self.round_trip(company.slug, directory / f"{versions}.zip")
                if compare_json:
                    row["json"] = self.round_trip(
                        company.slug, directory / f"{versions}.json", as_json=True
                    )
                rows.append(row)
                self.stderr.write(f"bench_backup: {versions} versions: {row}")
            result = self.result(source, company, rows)
            remove_company(company)
        self.write_result(result, options["json_path"])

    def round_trip(self, slug: str, path: Path, *, as_json: bool = False) -> dict[str, Any]:
        """Export to ``path`` and import it over the company, each in a child process."""
        log = path.with_suffix(".log")
        flags = ["--json"] if as_json else []
        exported = child("export_controller", slug, "-o", str(path), *flags, log=log)
        size = path.stat().st_size
        # A JSON backup is read whole: allowed its size. An archive: the default limits.
        limit = ["--max-bytes", str(size)] if as_json else []
        imported = child("import_controller", str(path), "--replace", *limit, log=log)
        found = {"bytes": size, "export": exported, "import": imported}
        if not as_json:
            found.update(archive_sizes(path))
        path.unlink()
        return found

    def result(self, source: Register, company: Controller, rows: list[dict]) -> dict[str, Any]:
        smallest, largest = rows[0]["archive"], rows[-1]["archive"]
        limit = max_backup_bytes()
        # The manifest grows by one entry per version; a version's member not at all.
        grown = rows[-1]["versions"] - rows[0]["versions"]
        per_version = (largest["manifest_bytes"] - smallest["manifest_bytes"]) / (grown or 1)
        at_target = largest["manifest_bytes"] + per_version * max(
            0, TARGET_VERSIONS - rows[-1]["versions"]
        )
        return {
            "copied_from": f"{source.controller.slug}/{source.slug}",
            "company": company.slug,
            "register": source.slug,
            "sample_pdf": "the latest version's stored PDFs (nothing rendered)",
            "database": settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1],
            "debug": settings.DEBUG,
            "max_bytes": limit,
            "rows": rows,
            "targets": {
                "flat_memory_ratio_max": FLAT_MEMORY,
                "export_memory_ratio": largest["export"]["max_rss_mib"]
                / smallest["export"]["max_rss_mib"],
                "import_memory_ratio": largest["import"]["max_rss_mib"]
                / smallest["import"]["max_rss_mib"],
                "versions": TARGET_VERSIONS,
                "manifest_bytes_per_version": round(per_version),
                "manifest_bytes_at_target": round(at_target),
                "largest_member_bytes": largest["largest_member_bytes"],
                "under_default_limit": max(at_target, largest["largest_member_bytes"])
                <= min(limit, DEFAULT_MAX_BYTES),
            },
        }
