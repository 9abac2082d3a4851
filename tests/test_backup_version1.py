"""Backups of schema version 1 (before languages were configurable) are still read.

The files are the demo companies as the code before the change exported them
(tests/data/backup-v1). Each must restore into an empty database with every
stored page, PDF and JSON document served byte for byte as the file holds it,
and read back as version 2 the way the data migration carried the database over.
"""

from __future__ import annotations

import base64
import copy
import gzip
import json
from pathlib import Path
from typing import Any

import pytest
from django.apps import apps
from django.test import Client

from notices import backup, languages
from notices.backup import BackupError, controller_import, earlier_shapes, version1
from notices.models import NoticeVersion, Register
from notices.parts import PARTS
from tests.notices_factory import files_under

FILES = Path(__file__).parent / "data" / "backup-v1"
SLUGS = ("turvaratkaisu", "sovellustalo", "hyvinvointi")


def version_1(slug: str) -> dict[str, Any]:
    return json.loads(gzip.decompress((FILES / f"{slug}.json.gz").read_bytes()))


def row_counts() -> dict[str, int]:
    return {model._meta.label: model._base_manager.count() for model in apps.get_models()}


def served(client: Client, url: str) -> tuple[int, bytes, str | None]:
    response = client.get(url)
    body = b"".join(response.streaming_content) if response.streaming else response.content
    return response.status_code, body, response.get("ETag")


@pytest.mark.parametrize("slug", SLUGS)
def test_a_version_1_backup_restores_every_stored_page_byte_for_byte(db, media, slug):
    data = version_1(slug)
    controller = backup.import_controller(data)

    client = Client()
    (register,) = data["registers"]
    latest = register["versions"][-1]
    base = f"/{{lang}}/{controller.slug}/{register['slug']}/"
    for rendering in latest["renderings"]:
        url = base.format(lang=rendering["language"])
        pdf = base64.b64decode(rendering["pdf"]["content_base64"])
        status, body, etag = served(client, url)
        assert (status, body.decode()) == (200, rendering["html"]), url
        assert etag == f'"{rendering["html_hash"][:40]}-page"'
        assert served(client, f"{url}embed/")[1].decode() == rendering["embed_html"]
        assert served(client, f"{url}versions/")[1].decode() == rendering["changelog_html"]
        assert served(client, f"{url}notice.json")[1].decode() == rendering["json"]
        assert served(client, f"{url}pdf/")[1] == pdf
    for version in register["versions"]:
        for rendering in version["renderings"]:
            url = base.format(lang=rendering["language"]) + f"versions/{version['number']}/pdf/"
            assert served(client, url)[1] == base64.b64decode(rendering["pdf"]["content_base64"])


def test_a_version_1_backup_reads_as_the_migration_carried_the_database_over(db, media):
    data = version_1("sovellustalo")
    v1_register = data["registers"][0]
    assert v1_register["publish_in_english"] is True
    controller = backup.import_controller(data)

    register = Register.objects.get(controller=controller)
    # publish_in_english: the default language and English, the two of version 1.
    assert register.languages == ["fi", "en"]
    assert (register.name_fi, register.name_en, register.name_sv) == (
        v1_register["name_fi"],
        v1_register["name_en"],
        None,
    )
    for version, v1_version in zip(
        NoticeVersion.objects.filter(register=register).order_by("number"),
        v1_register["versions"],
        strict=True,
    ):
        assert version.summary == {
            "fi": v1_version["summary_fi"],
            "en": v1_version["summary_en"],
        }
        assert version.snapshot == v1_version["snapshot"]
    # The parts listed under their related names in version 1 are all there.
    assert register.register_processors.count() == len(v1_register["register_processors"])
    assert register.retention_rules.count() == len(v1_register["retention_rules"])
    assert register.security_measures.count() == len(v1_register["security_measures"])
    assert register.supervisory_authority.email == v1_register["supervisory_authority"]["email"]


def test_a_register_not_published_in_english_publishes_in_the_default_language(db, media):
    data = version_1("hyvinvointi")
    data["registers"][0]["publish_in_english"] = False
    data["registers"][0]["versions"] = []
    controller = backup.import_controller(data)
    assert Register.objects.get(controller=controller).languages == [languages.default()]


def test_the_upgrade_uses_the_registry_keys_and_text_dicts():
    data = version_1("turvaratkaisu")
    upgraded = version1.upgrade(data)
    register = upgraded["registers"][0]
    assert upgraded["schema_version"] == 2
    # Parts added since version 2 are added empty when the file is read (earlier_shapes).
    assert {part.key for part in PARTS} - set(earlier_shapes.NEW_PARTS) <= set(register)
    assert not {"register_processors", "retention_rules", "security_measures"} & set(register)
    original = data["registers"][0]
    assert register["name"] == {"fi": original["name_fi"], "en": original["name_en"]}
    assert register["processors"][0]["processes"].keys() == {"fi", "en"}
    # The country's texts become its code when the file is read (earlier_shapes).
    assert earlier_shapes.upgrade(upgraded)["controller"]["country"] == "FI"
    assert "summary_fi" not in register["versions"][0]
    # The file itself is left as it was.
    assert "name" not in original and "publish_in_english" in original


def test_a_version_1_backup_exports_as_version_2_and_round_trips(db, media):
    controller = backup.import_controller(version_1("hyvinvointi"))
    first = backup.backup_dumps(backup.controller_export(controller=controller))
    assert json.loads(first)["schema_version"] == 2

    again = backup.import_controller(json.loads(first), replace=True)
    assert backup.backup_dumps(backup.controller_export(controller=again)) == first


@pytest.mark.parametrize(
    ("mutate", "code", "path"),
    [
        (
            lambda r: r.update(publish_in_english="yes"),
            "type",
            "registers[0].publish_in_english",
        ),
        (lambda r: r.update(name_xx="Nimi"), "unknown_key", "registers[0].name_xx"),
        (lambda r: r["purposes"][0].update(name_fi=5), "type", "registers[0].purposes[0].name.fi"),
        (
            lambda r: r["retention_rules"][0].update(data_category="category-999999"),
            "unknown_ref",
            "registers[0].retention[0].data_category",
        ),
        (
            lambda r: r["versions"][0].update(summary_fi=None, summary_en=3),
            "type",
            "registers[0].versions[0].summary.en",
        ),
    ],
    ids=[
        "publish_in_english not a boolean",
        "unknown language",
        "text a number",
        "bad ref",
        "summary",
    ],
)
def test_a_spoiled_version_1_backup_is_refused_and_changes_nothing(db, media, mutate, code, path):
    data = copy.deepcopy(version_1("turvaratkaisu"))
    mutate(data["registers"][0])
    before = row_counts()
    with pytest.raises(BackupError) as refused:
        controller_import(data=data)
    assert (refused.value.code, refused.value.path) == (code, path)
    assert row_counts() == before
    assert files_under(media) == set()
