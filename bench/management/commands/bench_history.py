"""``manage.py bench_history --force``: publish time and bytes per version at 3 and 200 versions.

Takes the register with the most parts among those with at most two published
versions (publishing it up to two first if needed), then publishes versions 3 to
``2 + runs`` for real (every language: page, embed, JSON, PDF and the register's
change log), each after renaming its first purpose, so that every version has a
change list of its own. Versions up to ``200 - runs`` are then made cheaply by
copying the latest version's rows (``bench.history.grow_by_copies``: the copies
share its stored PDF, no PDF is rendered for them), and the last ``runs``
versions up to 200 are published for real again. Reported: each real publish's
time and query count, the bytes the 3rd and the 200th version store (database
text and media), the CPU time of a publish's change-log step (its own entry
rendered, the kept ones joined and stored) after the early and the late
publishes, and of rendering the whole change log at 3 and 200 entries (what a
restore does once). Target: the 200th within 10% of the 3rd.
"""

from __future__ import annotations

import os
import time
from argparse import ArgumentParser
from dataclasses import dataclass
from statistics import median
from typing import Any

from django.core.management.base import CommandError
from django.db import connection
from django.db.models import Count
from django.test.utils import CaptureQueriesContext

from bench.history import grow_by_copies, version_bytes
from bench.management.base import JsonResultCommand, publisher_of, summary_in_every_language
from notices import changelog, languages
from notices.models import NoticeVersion, Register, RegisterChangelog
from notices.rendering import VersionInfo, render_changelog
from notices.services import notice_publish

TARGET = 0.10
FIRST, LAST = 3, 200


def bench_register() -> Register:
    """The register with the most parts of those with at most two versions."""
    registers = (
        Register.objects.select_related("controller")
        .annotate(
            n_versions=Count("versions", distinct=True),
            n_parts=Count("purposes", distinct=True) + Count("data_categories", distinct=True),
        )
        .filter(n_versions__lt=FIRST)
        .order_by("-n_parts", "pk")
    )
    register = registers.first()
    if register is None:
        raise CommandError("No register with fewer than 3 versions: did load_demo run?")
    return register


@dataclass(frozen=True)
class Publish:
    version: NoticeVersion
    wall_s: float
    cpu_s: float  # this process and its PDF renderer children: less noisy on a busy machine
    queries: int


def cpu_seconds() -> float:
    times = os.times()
    return times.user + times.system + times.children_user + times.children_system


def publish_next(register: Register, user: Any) -> Publish:
    """Rename the first purpose (a change of its own) and publish, measured."""
    number = register.versions.count() + 1
    purpose = register.purposes.order_by("pk").first()
    for field in languages.field_names("name"):
        base = (getattr(purpose, field) or "").split(" · ")[0]
        setattr(purpose, field, f"{base} · {number:03d}" if base else base)
    purpose.save()
    summary = summary_in_every_language(f"Benchmark version {number:03d}: a purpose renamed.")
    started, cpu = time.perf_counter(), cpu_seconds()
    with CaptureQueriesContext(connection) as queries:
        version = notice_publish(register=register, user=user, summary=summary)
    return Publish(version, time.perf_counter() - started, cpu_seconds() - cpu, len(queries))


def changelog_render_s(register: Register, entries: int) -> float:
    """CPU seconds to render the change log of the latest ``entries`` versions whole, every
    language: what a restore does once, and publishing did before entries were kept."""
    latest = register.versions.order_by("-number").first()
    history = changelog.history(register)[:entries]
    info = VersionInfo(latest.number, latest.published_at, history[-1]["published_at"])
    started = time.process_time()
    for language in latest.languages:
        render_changelog(latest.snapshot, language, info, history)
    return time.process_time() - started


def changelog_store_s(register: Register) -> float:
    """CPU seconds of a publish's change-log step as of the latest version (every language):
    its own entry rendered, the kept ones joined, the change log stored."""
    latest = register.versions.order_by("-number").first()
    info = VersionInfo(latest.number, latest.published_at, changelog.newest(register)[1])
    # The latest entry's kept pieces go, as if it had just been published.
    register.changelog_pieces.filter(number=latest.number).delete()
    started = time.process_time()
    changelog.changelog_store(register=register, snapshot=latest.snapshot, info=info)
    return time.process_time() - started


class Command(JsonResultCommand):
    help = "Grow a register to 200 versions; time publishing and weigh versions 3 and 200."
    writes_data = True

    def add_arguments(self, parser: ArgumentParser) -> None:
        super().add_arguments(parser)
        parser.add_argument("--runs", type=int, default=3, help="real publishes at each end")

    def handle(self, *args: Any, runs: int, **options: Any) -> None:
        if not 1 <= runs <= 20:
            raise CommandError("--runs must be from 1 to 20.")
        register = bench_register()
        user = publisher_of(register.controller)
        while register.versions.count() < FIRST - 1:
            publish_next(register, user)
        early = [publish_next(register, user) for _ in range(runs)]
        store_s = {early[-1].version.number: changelog_store_s(register)}
        started = time.perf_counter()
        copied = grow_by_copies(register, LAST - runs)
        grow_s = time.perf_counter() - started
        late = [publish_next(register, user) for _ in range(runs)]
        store_s[late[-1].version.number] = changelog_store_s(register)
        result = self.result(register, early, late, copied, grow_s)
        result["changelog_store_s"] = {str(number): s for number, s in store_s.items()}
        self.write_result(result, options["json_path"])

    def result(
        self,
        register: Register,
        early: list[Publish],
        late: list[Publish],
        copied: int,
        grow_s: float,
    ) -> dict[str, Any]:
        first, last = version_bytes(early[0].version), version_bytes(late[-1].version)
        bytes_growth = {kind: last[kind] / first[kind] - 1 for kind in first}
        cpu = {"first": median(p.cpu_s for p in early), "last": median(p.cpu_s for p in late)}
        wall = {"first": median(p.wall_s for p in early), "last": median(p.wall_s for p in late)}
        stored = RegisterChangelog.objects.filter(register=register)
        return {
            "register": f"{register.controller.slug}/{register.slug}",
            "languages": early[0].version.languages,
            "versions": [early[0].version.number, late[-1].version.number],
            "copied_versions": copied,
            "grow_s": grow_s,
            "publish_wall_s": {
                "early": [p.wall_s for p in early],
                "late": [p.wall_s for p in late],
            },
            "publish_cpu_s": {"early": [p.cpu_s for p in early], "late": [p.cpu_s for p in late]},
            "median_wall_s": wall,
            "median_cpu_s": cpu,
            "cpu_growth": cpu["last"] / cpu["first"] - 1,
            "wall_growth": wall["last"] / wall["first"] - 1,
            # The last of the early runs: the first publish in a process fills caches.
            "queries": {"first": early[-1].queries, "last": late[-1].queries},
            "bytes_first": first,
            "bytes_last": last,
            "bytes_growth": bytes_growth,
            "changelog_bytes": sum(len(c.html.encode()) + len(c.json.encode()) for c in stored),
            "changelog_render_s": {str(n): changelog_render_s(register, n) for n in (FIRST, LAST)},
            "target": TARGET,
            "ok": abs(bytes_growth["total"]) <= TARGET
            and cpu["last"] <= cpu["first"] * (1 + TARGET),
        }
