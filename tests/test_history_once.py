"""History stored once: a version stores its own change entry, the register its change log.

Each version's page, embed, PDF and notice.json show that version's own summary
and change list and link to the change log; the change log (``versions/`` and
``changes.json``) is built from every version's own entry and stored once per
register and language (``RegisterChangelog``), replaced at each publish. So what
a version stores and what publishing costs do not grow with the versions before
it, and an earlier version's stored bytes never change.
"""

from __future__ import annotations

import importlib
import json

import pytest
from django.apps import apps
from django.contrib.auth.models import User
from django.core.files.storage import default_storage
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from bench.history import grow_by_copies, version_bytes
from notices import changes, pdf, services
from notices.changelog import changelog_rebuild
from notices.models import NoticeRendering, NoticeVersion, Register, RegisterChangelog
from notices.services import PublishRefused
from tests.notices_factory import pdf_text, publish
from tests.test_publishing import body

LANGUAGES = ("fi", "en")
PUBLIC = "/{lang}/acme/customers/"


def summaries(number: int) -> dict[str, str]:
    return {
        "fi": f"Muutos numero {number:03d}: tarkoitus nimettiin uudelleen.",
        "en": f"Change number {number:03d}: the purpose was renamed.",
    }


def edit_and_publish(register: Register, user: User, number: int) -> NoticeVersion:
    """Rename the purpose (the same length every time) and publish with its own summary."""
    purpose = register.purposes.order_by("pk").first()
    purpose.name_fi = f"Asiakassuhde {number:03d}"
    purpose.name_en = f"Customer relationship {number:03d}"
    purpose.save()
    version = publish(register, user, summaries(number))
    assert version.number == number
    return version


def stored(version: NoticeVersion) -> dict[str, tuple]:
    """Every stored byte of a version, by language: its rows and its PDF file."""
    result = {}
    for r in NoticeRendering.objects.filter(version=version):
        with default_storage.open(r.pdf.name, "rb") as pdf:
            result[r.language] = (r.html, r.embed_html, r.changelog_html, r.json, pdf.read())
    return result


def test_an_earlier_versions_bytes_stay_as_stored_when_later_versions_are_published(
    register: Register, paula: User
):
    first = edit_and_publish(register, paula, 1)
    before = stored(first)
    client = Client()
    served = {
        lang: body(client.get(PUBLIC.format(lang=lang) + "versions/1/pdf/")) for lang in LANGUAGES
    }
    edit_and_publish(register, paula, 2)
    edit_and_publish(register, paula, 3)

    assert stored(first) == before
    for lang in LANGUAGES:
        assert body(client.get(PUBLIC.format(lang=lang) + "versions/1/pdf/")) == served[lang]
        page = client.get(PUBLIC.format(lang=lang) + "versions/1/").content.decode()
        assert summaries(1)[lang] in page
        assert summaries(3)[lang] not in page


def test_a_version_shows_its_own_changes_and_links_to_the_change_log(
    register: Register, paula: User
):
    edit_and_publish(register, paula, 1)
    edit_and_publish(register, paula, 2)
    client = Client()
    for lang in LANGUAGES:
        base = PUBLIC.format(lang=lang)
        page = client.get(base).content.decode()
        assert summaries(2)[lang] in page
        assert summaries(1)[lang] not in page
        assert f'href="{base}versions/"' in page
        pdf = pdf_text(body(client.get(f"{base}pdf/")))
        assert summaries(2)[lang] in pdf and summaries(1)[lang] not in pdf

        document = json.loads(client.get(f"{base}notice.json").content)
        assert document["format_version"] == 3
        assert document["changes"]["version"] == 2
        assert document["changes"]["summary"] == summaries(2)[lang]
        assert [c["name"] for c in document["changes"]["changes"]] == [
            {"fi": "Asiakassuhde 002", "en": "Customer relationship 002"}[lang]
        ]
        assert document["changelog"] == f"{base}changes.json"
        assert client.get(document["changelog"]).status_code == 200


def test_the_change_log_lists_every_version_from_its_own_entry_in_each_language(
    register: Register, paula: User
):
    versions = [edit_and_publish(register, paula, number) for number in (1, 2, 3)]
    client = Client()
    for lang in LANGUAGES:
        base = PUBLIC.format(lang=lang)
        log = client.get(f"{base}versions/")
        assert log.status_code == 200 and log["Content-Language"] == lang
        html = log.content.decode()
        for version in versions:
            assert version.summary[lang] in html
            assert f'href="{base}versions/{version.number}/"' in html
            assert f'href="{base}versions/{version.number}/pdf/"' in html

        document = json.loads(client.get(f"{base}changes.json").content)
        assert (document["format"], document["language"], document["version"]) == (
            "tietosuoja-changelog",
            lang,
            3,
        )
        with translation.override(lang):
            expected = [
                {
                    "version": v.number,
                    "published_at": v.published_at.isoformat(),
                    "summary": v.summary[lang],
                    "changes": [changes.describe(c, lang) for c in v.changes],
                }
                for v in reversed(versions)
            ]
        assert document["versions"] == json.loads(json.dumps(expected))
    # Stored once per register and language, as of the latest version.
    rows = RegisterChangelog.objects.filter(register=register)
    assert sorted((row.language, row.version) for row in rows) == [("en", 3), ("fi", 3)]
    assert not NoticeRendering.objects.filter(version__number=3).exclude(changelog_html="")


def test_the_change_log_is_one_query_with_validators_and_follows_the_register(
    register: Register, paula: User, django_assert_num_queries
):
    edit_and_publish(register, paula, 1)
    client = Client()
    for suffix in ("versions/", "changes.json"):
        address = PUBLIC.format(lang="fi") + suffix
        with django_assert_num_queries(1):
            response = client.get(address)
        assert response.status_code == 200
        again = client.get(address, HTTP_IF_NONE_MATCH=response["ETag"])
        assert again.status_code == 304
    assert client.get("/sv/acme/customers/versions/").status_code == 404
    services.register_set_online(register=register, user=paula, online=False)
    assert client.get(PUBLIC.format(lang="fi") + "changes.json").status_code == 410


def measured_publish(register: Register, user: User, number: int) -> tuple[dict, int]:
    """Publish version ``number`` with the usual edit: its stored bytes and its queries."""
    with CaptureQueriesContext(connection) as queries:
        version = edit_and_publish(register, user, number)
    return version_bytes(version), len(queries)


def test_bytes_and_queries_per_version_do_not_grow_with_earlier_versions(
    register: Register, paula: User
):
    edit_and_publish(register, paula, 1)
    edit_and_publish(register, paula, 2)
    third, third_queries = measured_publish(register, paula, 3)
    assert grow_by_copies(register, 29) == 26
    thirtieth, thirtieth_queries = measured_publish(register, paula, 30)

    for kind in ("text", "media", "total"):
        assert abs(thirtieth[kind] - third[kind]) <= 0.1 * third[kind], (kind, third, thirtieth)
    assert thirtieth_queries == third_queries
    # The change log holds all 30 entries, in each language.
    for lang in LANGUAGES:
        log = RegisterChangelog.objects.get(register=register, language=lang)
        assert [v["version"] for v in json.loads(log.json)["versions"]] == list(range(30, 0, -1))


def test_a_failed_publish_leaves_the_change_log_and_versions_as_they_were(
    register: Register, paula: User, monkeypatch
):
    edit_and_publish(register, paula, 1)
    before = list(RegisterChangelog.objects.filter(register=register).values())

    def broken(html: str, **kwargs: object) -> bytes:
        # Runs in the renderer's child process, as a crash of WeasyPrint would.
        raise RuntimeError("the renderer crashed")

    monkeypatch.setattr(pdf, "render_pdf_in_process", broken)
    with pytest.raises(PublishRefused):
        edit_and_publish(register, paula, 2)
    assert list(RegisterChangelog.objects.filter(register=register).values()) == before
    assert list(register.versions.values_list("number", flat=True)) == [1]


def test_registers_published_before_keep_serving_their_change_log_after_the_migration(
    register: Register, paula: User
):
    """0006 copies the latest version's stored change log, byte for byte, as the
    register's; a restore (``changelog_rebuild``) does the same."""
    edit_and_publish(register, paula, 1)
    # The layout of versions published before: the whole change log in each rendering.
    old_html = {lang: f"<p>Old change log ({lang})</p>" for lang in LANGUAGES}
    for r in NoticeRendering.objects.filter(version__register=register):
        document = json.loads(r.json)
        document["format_version"] = 2
        document["changes"] = [document["changes"]]
        del document["changelog"]
        r.changelog_html, r.json = old_html[r.language], json.dumps(document)
        r.save()
    migration = importlib.import_module("notices.migrations.0009_register_changelog")
    for rebuild in (
        lambda: migration.copy_latest_changelogs(apps, None),
        lambda: changelog_rebuild(register=register),
    ):
        RegisterChangelog.objects.all().delete()
        rebuild()
        client = Client()
        for lang in LANGUAGES:
            base = PUBLIC.format(lang=lang)
            assert client.get(f"{base}versions/").content.decode() == old_html[lang]
            document = json.loads(client.get(f"{base}changes.json").content)
            assert [v["summary"] for v in document["versions"]] == [summaries(1)[lang]]
