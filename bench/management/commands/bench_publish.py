"""``manage.py bench_publish --runs N --static-dir DIR``: time publishing the largest notice.

The largest register is the one with the most purposes + data categories +
processors (the demo's, in the bench). Unless ``--own-languages`` is given, it is
first made to publish every configured language, a missing text taking the
default language's (the demo's largest register has no Swedish; the target is
the largest notice in every language). It is published ``--runs`` times through
``notices.services.notice_publish`` as its company's publisher, each run timed
(every language: page, embed, change log, JSON and PDF). The last version's page
and PDF in the site's default language are then copied byte for byte into
``--static-dir``, so that WhiteNoise can serve files of exactly the same size
from the same server: the ceiling for a view that serves stored bytes.
"""

from __future__ import annotations

import statistics
import time
from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.files.storage import default_storage
from django.core.management.base import CommandError
from django.db import transaction
from django.db.models import Count
from modeltranslation.translator import translator

from bench.management.base import JsonResultCommand, publisher_of, summary_in_every_language
from notices import languages
from notices.models import NoticeVersion, Register
from notices.rendering import public_urls
from notices.services import notice_publish


def largest_register() -> tuple[Register, int]:
    """The register with the most parts (ties: the oldest), and how many registers there are."""
    registers = list(
        Register.objects.select_related("controller").annotate(
            n_purposes=Count("purposes", distinct=True),
            n_categories=Count("data_categories", distinct=True),
            n_processors=Count("register_processors", distinct=True),
        )
    )
    if not registers:
        raise CommandError("There are no registers: did load_demo run?")
    largest = max(registers, key=lambda r: (r.n_purposes + r.n_categories + r.n_processors, -r.pk))
    return largest, len(registers)


# What the figure is held to (issue 13): the largest notice, every language.
TARGET_S = 1.5


@transaction.atomic
def publish_every_language(register: Register) -> None:
    """Make ``register`` publish every configured language (the bench's database only).

    A text missing in a language is copied from the default language, in every
    row of every translated model: the notice then has the same amount of text in
    each language, which is what a publish of the largest notice costs.
    """
    for model in translator.get_registered_models():
        fields = translator.get_options_for_model(model).fields
        for row in model.objects.all():
            for field in fields:
                fallback = getattr(row, languages.default_field(field))
                for name in languages.field_names(field):
                    if not getattr(row, name) and fallback:
                        setattr(row, name, fallback)
            row.save()
    register.languages = list(languages.codes())
    register.save(update_fields=["languages"])


class Command(JsonResultCommand):
    help = "Publish the largest register N times, timing each; copy its page and PDF as static."
    writes_data = True

    def add_arguments(self, parser: ArgumentParser) -> None:
        super().add_arguments(parser)
        parser.add_argument("--runs", type=int, default=5, help="how many times to publish")
        parser.add_argument(
            "--static-dir",
            type=Path,
            required=True,
            help="where to copy the page (page-sized.html) and PDF (pdf-sized.pdf)",
        )
        parser.add_argument(
            "--own-languages",
            action="store_true",
            help="publish only the languages the register has (default: every language)",
        )

    def handle(
        self, *args: Any, runs: int, static_dir: Path, own_languages: bool, **options: Any
    ) -> None:
        if runs < 1:
            raise CommandError("--runs must be at least 1.")
        register, count = largest_register()
        if not own_languages:
            publish_every_language(register)
        user = publisher_of(register.controller)
        before = {
            "versions": NoticeVersion.objects.count(),
            "registers_published": Register.objects.filter(versions__isnull=False)
            .distinct()
            .count(),
            "register_versions": register.versions.count(),
        }
        times = []
        for run in range(1, runs + 1):
            started = time.perf_counter()
            version = notice_publish(
                register=register,
                user=user,
                summary=summary_in_every_language(f"Benchmark publish {run}."),
            )
            times.append(time.perf_counter() - started)

        renderings = {r.language: r for r in version.renderings.all()}
        shown = renderings.get(settings.LANGUAGE_CODE) or next(iter(renderings.values()))
        static_dir.mkdir(parents=True, exist_ok=True)
        (static_dir / "page-sized.html").write_bytes(shown.html.encode())
        with default_storage.open(shown.pdf.name, "rb") as pdf:
            (static_dir / "pdf-sized.pdf").write_bytes(pdf.read())
        urls = public_urls(register.controller.slug, register.slug, shown.language)
        self.write_result(
            {
                "controller": register.controller.slug,
                "register": register.slug,
                "parts": {
                    "purposes": register.n_purposes,
                    "data_categories": register.n_categories,
                    "processors": register.n_processors,
                },
                "registers": count,
                "versions_before_bench": before["versions"],
                "registers_published_before_bench": before["registers_published"],
                "register_versions_before": before["register_versions"],
                "publisher": user.username,
                "publisher_is_superuser": user.is_superuser,
                "languages": sorted(renderings),
                "runs_s": times,
                "min_s": min(times),
                "median_s": statistics.median(times),
                "max_s": max(times),
                "target_s": TARGET_S,
                "language_count": len(renderings),
                "language": shown.language,
                "page_url": urls["detail"],
                "pdf_url": urls["pdf"],
                "page_bytes": {k: len(r.html.encode()) for k, r in renderings.items()},
                "pdf_bytes": {k: r.pdf_size for k, r in renderings.items()},
            },
            options["json_path"],
        )
