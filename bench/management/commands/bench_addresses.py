"""``manage.py bench_addresses``: every public address a visitor can read, by kind.

For each online register with a published version, in each language of its
latest version: the notice page, its PDF, ``notice.json``, the change log, the
embed, the first version's page and PDF, the Atom feed and the comparison of
versions 1 and 2 (a register with one version answers that with 404); for each company with one, its
index page and Atom feed in each language it publishes in. Read-only.

With ``--static-dir DIR --register CONTROLLER/REGISTER --language L`` it lists
instead one address of each kind of that register and writes what each answers,
byte for byte, into ``DIR/<kind>.<ext>``: the bench serves those copies as static
files from the same server, the ceiling each address is measured against.
"""

from __future__ import annotations

from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import CommandError
from django.test import Client
from django.urls import reverse

from bench.management.base import JsonResultCommand
from notices.models import Register
from notices.rendering import public_urls, version_urls

# The extension of each kind's static copy: WhiteNoise's Content-Type comes from it.
EXTENSIONS = {
    "page": "html",
    "pdf": "pdf",
    "json": "json",
    "embed": "html",
    "changelog": "html",
    "version": "html",
    "version-pdf": "pdf",
    "index": "html",
    "feed": "xml",
    "company-feed": "xml",
    "compare": "html",
}


def register_addresses(controller: str, register: str, language: str) -> dict[str, str]:
    """One address of each kind for one register in one language (EXTENSIONS' order)."""
    urls = public_urls(controller, register, language)
    kwargs = {"lang": language, "controller": controller, "register": register}
    first = version_urls(controller, register, language, 1)
    paths = {
        "page": urls["detail"],
        "pdf": urls["pdf"],
        "json": urls["json"],
        "embed": urls["embed"],
        "changelog": urls["versions"],
        "version": first["page"],
        "version-pdf": first["pdf"],
        "index": urls["index"],
        "feed": reverse("notices:feed", kwargs=kwargs),
        "company-feed": reverse(
            "notices:company_feed", kwargs={"lang": language, "controller": controller}
        ),
        "compare": reverse("notices:compare", kwargs={**kwargs, "old": 1, "new": 2}),
    }
    return {kind: paths[kind] for kind in EXTENSIONS}


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
        languages.update(latest.languages)
        for language in latest.languages:
            kinds = register_addresses(register.controller.slug, register.slug, language)
            if len(register.versions.all()) < 2:
                del kinds["compare"]
            addresses |= set(kinds.items())
    return sorted(addresses), sorted(languages)


def copy_bodies(
    addresses: dict[str, str], static_dir: Path, host: str | None = None
) -> list[dict[str, Any]]:
    """Each address's body as the service answers it now, copied into ``static_dir``.

    Asked through Django's test client (every middleware, as gunicorn would), with
    ``host`` or else a host the settings allow (a feed's links name it); anything
    but 200 stops the bench.
    """
    client = Client(
        HTTP_HOST=host or (settings.ALLOWED_HOSTS[0] if settings.ALLOWED_HOSTS else None)
    )
    static_dir.mkdir(parents=True, exist_ok=True)
    rows = []
    for kind, path in addresses.items():
        response = client.get(path)
        if response.status_code != 200:
            raise CommandError(f"{kind} {path} answered {response.status_code}")
        body = b"".join(response.streaming_content) if response.streaming else response.content
        copy = static_dir / f"{kind}.{EXTENSIONS[kind]}"
        copy.write_bytes(body)
        static_path = f"{settings.STATIC_URL}{static_dir.name}/{copy.name}"
        rows.append({"kind": kind, "path": path, "bytes": len(body), "static_path": static_path})
    return rows


class Command(JsonResultCommand):
    help = "List the public addresses of every published notice and company, by kind."

    def add_arguments(self, parser: ArgumentParser) -> None:
        super().add_arguments(parser)
        parser.add_argument(
            "--static-dir",
            type=Path,
            help="copy one address of each kind of --register into this directory "
            "(a folder directly under STATIC_ROOT)",
        )
        parser.add_argument("--register", help="CONTROLLER/REGISTER, with --static-dir")
        parser.add_argument("--language", help="the addresses' language, with --static-dir")
        parser.add_argument(
            "--host",
            help="the Host the copies are asked with, as the bench will (with --static-dir)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["static_dir"] is None:
            addresses, languages = public_addresses()
            result: dict[str, Any] = {
                "addresses": [{"kind": kind, "path": path} for kind, path in addresses],
                "languages": languages,
            }
        else:
            if not options["register"] or not options["language"]:
                raise CommandError("--static-dir needs --register and --language.")
            controller, _slash, register = options["register"].partition("/")
            kinds = register_addresses(controller, register, options["language"])
            result = {"copies": copy_bodies(kinds, options["static_dir"], options["host"])}
        self.write_result(result, options["json_path"])
