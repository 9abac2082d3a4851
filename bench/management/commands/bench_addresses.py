"""``manage.py bench_addresses``: every public address a visitor can read, by kind.

For each online register with a published version, in each language of its
latest version: the notice page, its PDF, ``notice.json``, the change log, the
embed, and the first version's page and PDF; for each company with one, its
index page in each language it publishes in. Read-only.
"""

from __future__ import annotations

from typing import Any

from bench.management.base import JsonResultCommand
from notices.models import Register
from notices.rendering import public_urls, version_urls


def public_addresses() -> tuple[list[tuple[str, str]], list[str]]:
    """(kind, path) pairs, sorted, without duplicates; and the languages they are in."""
    addresses: set[tuple[str, str]] = set()
    languages: set[str] = set()
    registers = (
        Register.objects.filter(is_online=True, versions__isnull=False)
        .distinct()
        .select_related("controller")
        .prefetch_related("versions")
    )
    for register in registers:
        latest = max(register.versions.all(), key=lambda version: version.number)
        slugs = (register.controller.slug, register.slug)
        languages.update(latest.languages)
        for language in latest.languages:
            urls = public_urls(*slugs, language)
            first = version_urls(*slugs, language, 1)
            addresses |= {
                ("page", urls["detail"]),
                ("pdf", urls["pdf"]),
                ("json", urls["json"]),
                ("changelog", urls["versions"]),
                ("embed", urls["embed"]),
                ("version", first["page"]),
                ("version-pdf", first["pdf"]),
                ("index", urls["index"]),
            }
    return sorted(addresses), sorted(languages)


class Command(JsonResultCommand):
    help = "List the public addresses of every published notice and company, by kind."

    def handle(self, *args: Any, **options: Any) -> None:
        addresses, languages = public_addresses()
        self.write_result(
            {
                "addresses": [{"kind": kind, "path": path} for kind, path in addresses],
                "languages": languages,
            },
            options["json_path"],
        )
