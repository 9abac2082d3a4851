"""Backup and restore per company: export → empty database → import restores exactly.

The world of this module is the three demo companies as backups of schema version 1,
exported before languages became configurable (tests/data/backup-v1, one of them
with a logo), imported through the service, and one of them then made trilingual and
published a third time, in Finnish, Swedish and English. It is built once, inside a
module-wide transaction that is rolled back at the end; every test runs in its own
savepoint within it. Before any test, the module records every public URL's status,
body and caching headers, each register's draft snapshot, and the exported backup
files (JSON, schema version 2; the archives of version 3 are tested in
test_backup_archive).
"""

from __future__ import annotations

import copy
import gzip
import io
import json
import os
import re
import stat
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.apps import apps
from django.contrib.auth.models import User
from django.core.management import CommandError, call_command
from django.db import DatabaseError, models, transaction
from django.test import Client, override_settings
from django.utils import translation
from modeltranslation.utils import build_localized_fieldname
from PIL import Image

from controllers.models import ContactPerson, Controller, Membership
from controllers.tenancy import is_tenant_model
from controllers.validators import business_id_check_digit
from notices import backup, languages, services
from notices.backup import BackupError, columns, controller_import
from notices.backup.importing import _Writer
from notices.models import (
    LegalBasis,
    NoticeRendering,
    NoticeVersion,
    Processor,
    Register,
    Right,
    Transfer,
)
from notices.parts import PARTS, translated_fields
from notices.snapshot import build_snapshot
from tests.notices_factory import files_under

# Every test uses the database, so pytest-django runs them before the transactional
# tests, whose flush would empty the catalogues that the world needs.
pytestmark = pytest.mark.django_db

VERSION_1_FILES = Path(__file__).parent / "data" / "backup-v1"
SLUGS = ("turvaratkaisu", "sovellustalo", "hyvinvointi")
LOGO_COMPANY = "sovellustalo"
# The company the world makes trilingual and publishes a third time.
TRILINGUAL = "hyvinvointi"
THIRD_PUBLISHED = datetime(2026, 10, 1, 8, 0, tzinfo=UTC)
# The response headers a restored page must repeat exactly.
HEADERS = (
    "ETag",
    "Last-Modified",
    "Content-Type",
    "Content-Length",
    "Content-Disposition",
    "Content-Language",
    "Cache-Control",
)
FAST_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@dataclass(frozen=True)
class Page:
    status: int
    body: bytes
    headers: dict[str, str | None]


@dataclass
class World:
    media: Path
    files: dict[str, Path]  # slug → exported backup file
    data: dict[str, dict[str, Any]]  # slug → the parsed backup
    urls: list[str]
    pages: dict[str, Page]
    drafts: dict[str, dict[str, Any]]  # "<controller>/<register>" → draft snapshot


@cache
def client() -> Client:
    """One client for the module: each new one would load the middleware (and
    WhiteNoise's index of the static files) again."""
    return Client()


def fetch(url: str, **headers: str) -> Page:
    response = client().get(url, **headers)
    # Reading streaming_content closes the response (and the file) the way the test
    # client does; closing it here again would send request_finished and close the
    # database connection in the middle of the module's transaction.
    body = b"".join(response.streaming_content) if response.streaming else response.content
    return Page(response.status_code, body, {name: response.get(name) for name in HEADERS})


def public_urls() -> list[str]:
    """Every public address of every published register, in each published language."""
    urls = [f"/media/{c.logo.name}" for c in Controller.objects.exclude(logo="")]
    for register in Register.objects.select_related("controller").order_by("pk"):
        for lang in register.languages:
            base = f"/{lang}/{register.controller.slug}/{register.slug}/"
            urls += [f"/{lang}/{register.controller.slug}/", base, f"{base}pdf/"]
            urls += [f"{base}notice.json", f"{base}embed/", f"{base}versions/"]
            urls += [f"{base}changes.json"]
            for number in (
                NoticeRendering.objects.filter(version__register=register, language=lang)
                .order_by("version__number")
                .values_list("version__number", flat=True)
            ):
                urls += [f"{base}versions/{number}/", f"{base}versions/{number}/pdf/"]
    return urls


def drafts() -> dict[str, dict[str, Any]]:
    return {
        f"{r.controller.slug}/{r.slug}": build_snapshot(r)
        for r in Register.objects.select_related("controller")
    }


def png(width: int = 64, height: int = 32, color: str = "#1a5fb4") -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), color).save(out, format="PNG")
    return out.getvalue()


def version_1_file(slug: str) -> bytes:
    return gzip.decompress((VERSION_1_FILES / f"{slug}.json.gz").read_bytes())


def write_swedish(register: Register) -> None:
    """Give every text the register's notice shows a Swedish version (the English, marked).

    Texts that have their Swedish (the shared catalogues') keep it.
    """
    rows: list[models.Model] = [
        register,
        register.controller,
        register.supervisory_authority,
        *register.controller.contact_persons.all(),
        *register.controller.processors.all(),
        *LegalBasis.objects.all(),
        *Right.objects.all(),
    ]
    for part in PARTS:
        rows += list(getattr(register, part.accessor).all())
    for row in rows:
        texts = {}
        for name in translated_fields(type(row)):
            english = getattr(row, build_localized_fieldname(name, "en")) or ""
            swedish = build_localized_fieldname(name, "sv")
            if not getattr(row, swedish):
                # NULL, not '': a processor's name is unique in each language.
                texts[swedish] = f"{english} (sv)" if english else None
        type(row)._base_manager.filter(pk=row.pk).update(**texts)
    Register.objects.filter(pk=register.pk).update(languages=list(languages.codes()))


def build_world() -> None:
    """The demo companies from their version 1 backups, one of them published trilingual."""
    for slug in SLUGS:
        backup.import_controller(version_1_file(slug))
    User.objects.update(is_active=True)  # as load_demo does for its users
    register = Register.objects.get(controller__slug=TRILINGUAL)
    write_swedish(register)
    services.notice_publish(
        register=Register.objects.get(pk=register.pk),
        user=User.objects.get(username=f"publisher-{TRILINGUAL}"),
        summary=dict.fromkeys(languages.codes(), "Ruotsiksi, svenska, Swedish."),
        published_at=THIRD_PUBLISHED,
    )


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, tmp_path_factory) -> Iterator[World]:
    media = tmp_path_factory.mktemp("media")
    out = tmp_path_factory.mktemp("backups")
    with (
        django_db_blocker.unblock(),
        override_settings(MEDIA_ROOT=media, PASSWORD_HASHERS=FAST_HASHERS),
        transaction.atomic(),
    ):
        build_world()
        urls = public_urls()
        files = {}
        for slug in SLUGS:
            files[slug] = out / f"{slug}.json"
            call_command(
                "export_controller", slug, output=str(files[slug]), json=True, stdout=StringIO()
            )
        yield World(
            media=media,
            files=files,
            data={slug: json.loads(path.read_bytes()) for slug, path in files.items()},
            urls=urls,
            pages={url: fetch(url) for url in urls},
            drafts=drafts(),
        )
        transaction.set_rollback(True)


@pytest.fixture
def data(world: World) -> dict[str, Any]:
    """A fresh copy of one company's backup to spoil."""
    return copy.deepcopy(world.data["turvaratkaisu"])


def row_counts() -> dict[str, int]:
    return {model._meta.label: model._base_manager.count() for model in apps.get_models()}


def stored_files(root: Path) -> set[str]:
    return files_under(root)


def empty_the_database() -> None:
    """Delete every company, its published versions and every user: an empty database."""
    NoticeVersion.objects.all().delete()
    Register.objects.all().delete()
    Processor.objects.all().delete()
    ContactPerson.objects.all().delete()
    Controller.objects.all().delete()
    User.objects.all().delete()
    for model in apps.get_models():
        if is_tenant_model(model):
            model._base_manager.all().delete()
            assert not model._base_manager.exists(), model
    assert not User.objects.exists()


def assert_pages_identical(world: World, urls: list[str] | None = None) -> None:
    for url in urls or world.urls:
        before, after = world.pages[url], fetch(url)
        assert after.status == before.status == 200, url
        assert after.body == before.body, url
        assert after.headers == before.headers, url


def without(snapshot: Any, keys: set[str]) -> Any:
    """A snapshot without database ids (and the other keys named)."""
    if isinstance(snapshot, dict):
        return {k: without(v, keys) for k, v in snapshot.items() if k not in keys}
    if isinstance(snapshot, list):
        return [without(v, keys) for v in snapshot]
    return snapshot


# --- Round trip ---------------------------------------------------------------------


def test_the_module_records_every_public_address(world):
    # Two bilingual registers: 2 languages × (index, page, pdf, json, embed, versions,
    # changes.json, 2 × version page and pdf). The trilingual one: Finnish and English
    # with 3 versions, Swedish with its 1. And the one logo.
    assert len(world.urls) == 2 * 2 * 11 + 2 * 13 + 9 + 1
    assert all(page.status == 200 for page in world.pages.values())
    stored = [page for url, page in world.pages.items() if url.count("/") > 3]
    assert len(stored) == 2 * 2 * 10 + 2 * 12 + 8
    assert all(page.headers["ETag"] for page in stored)
    logo = f"/media/{world.data[LOGO_COMPANY]['controller']['logo']['name']}"
    assert logo.encode() in world.pages[f"/fi/{LOGO_COMPANY}/asiakasrekisteri/"].body
    swedish = world.pages[f"/sv/{TRILINGUAL}/asiakasrekisteri/"].body.decode()
    assert 'lang="sv"' in swedish and "(sv)" in swedish


def test_export_writes_one_private_self_contained_file(world):
    data = world.data["sovellustalo"]
    assert data["format"] == "tietosuoja-controller-backup"
    assert data["schema_version"] == 2
    assert stat.S_IMODE(os.stat(world.files["sovellustalo"]).st_mode) == 0o600
    controller = data["controller"]
    assert controller["slug"] == "sovellustalo"
    # Every configured language's text; Swedish never written in this company.
    # The country is a code, named in each notice's language.
    assert controller["country"] == "FI"
    assert controller["logo"]["name"].startswith("logos/")
    assert {u["username"] for u in data["users"]} == {
        "editor-sovellustalo",
        "publisher-sovellustalo",
    }
    assert {(m["user"], m["role"]) for m in data["memberships"]} == {
        ("editor-sovellustalo", "editor"),
        ("publisher-sovellustalo", "publisher"),
    }
    (register,) = data["registers"]
    assert register["languages"] == ["fi", "en"]
    assert [v["number"] for v in register["versions"]] == [1, 2]
    assert {r["language"] for r in register["versions"][1]["renderings"]} == {"fi", "en"}
    assert set(register["versions"][1]["summary"]) == {"fi", "en"}
    assert register["versions"][1]["published_by"] == "publisher-sovellustalo"
    assert register["supervisory_authority"] == "tietosuoja@om.fi"
    assert register["processors"][0]["processor"].startswith("processor-")
    # The parts under the keys of the registry, in its order.
    parts = [key for key in register if key in {part.key for part in PARTS}]
    assert parts == [part.key for part in PARTS]
    # No password hashes: users are named, never their credentials.
    assert all(
        set(user) == {"username", "email", "first_name", "last_name"} for user in data["users"]
    )
    assert "md5$" not in world.files["sovellustalo"].read_text()


def test_export_of_the_trilingual_company_holds_its_swedish(world):
    (register,) = world.data[TRILINGUAL]["registers"]
    assert register["languages"] == list(languages.codes())
    assert register["name"]["sv"] == "Customer register (sv)"
    third = register["versions"][2]
    assert [r["language"] for r in third["renderings"]] == sorted(languages.codes())
    assert set(third["summary"]) == set(languages.codes())


def test_the_export_is_the_same_bytes_every_time(world, db):
    out, err = StringIO(), StringIO()
    call_command("export_controller", "hyvinvointi", json=True, stdout=out, stderr=err)
    assert out.getvalue().encode() == world.files["hyvinvointi"].read_bytes()
    assert "hyvinvointi" in err.getvalue()


def test_export_of_an_unknown_company_is_refused(world, db):
    with pytest.raises(CommandError, match="nobody"):
        call_command("export_controller", "nobody", stdout=StringIO())


def test_export_refuses_a_stored_pdf_that_no_longer_matches_its_hash(world, db, settings):
    rendering = NoticeRendering.objects.filter(
        version__register__controller__slug="hyvinvointi"
    ).first()
    path = world.media / rendering.pdf.name
    original = path.read_bytes()
    try:
        path.write_bytes(original[:-10] + b"tampered!!")
        with pytest.raises(CommandError, match=rendering.pdf.name):
            call_command("export_controller", "hyvinvointi", json=True, stdout=StringIO())
    finally:
        path.write_bytes(original)


def test_round_trip_into_an_empty_database_restores_every_public_address(
    world, db, settings, tmp_path
):
    empty_the_database()
    settings.MEDIA_ROOT = tmp_path / "fresh-media"  # and empty storage
    for url in world.urls:
        assert fetch(url).status == 404, url

    outputs = {}
    for slug in SLUGS:
        out, err = StringIO(), StringIO()
        call_command("import_controller", str(world.files[slug]), stdout=out, stderr=err)
        outputs[slug] = (out.getvalue(), err.getvalue())

    assert_pages_identical(world)
    assert drafts() == world.drafts  # ids included: they were free, so they were kept
    for slug in SLUGS:
        again = backup.controller_export(controller=Controller.objects.get(slug=slug))
        assert backup.backup_dumps(again) == world.files[slug].read_bytes()
    # 2 × 2 versions × 2 languages of PDFs, 2 × 2 + 3 of the trilingual one, and the logo.
    assert len(stored_files(settings.MEDIA_ROOT)) == 8 + 7 + 1
    # The users did not exist: created inactive, without a usable password, and reported.
    for user in User.objects.all():
        assert not user.is_active and not user.has_usable_password()
    assert Membership.objects.count() == 6
    assert "publisher-hyvinvointi" in outputs["hyvinvointi"][1]

    # Conditional requests still answer 304 to the ETags visitors already hold.
    for url, page in world.pages.items():
        if page.headers["ETag"]:
            assert fetch(url, HTTP_IF_NONE_MATCH=page.headers["ETag"]).status == 304, url

    # The ids in the published snapshots still match the draft: publishing the
    # unchanged draft again lists no changes.
    root = User.objects.create_superuser("root", "root@example.com", "x")
    register = Register.objects.get(controller__slug=TRILINGUAL)
    version = services.notice_publish(
        register=register, user=root, summary=dict.fromkeys(languages.codes(), "Ennallaan.")
    )
    assert version.number == 4
    assert version.changes == []


def test_import_is_refused_where_the_company_exists(world, db):
    before = row_counts()
    with pytest.raises(CommandError, match="--replace"):
        call_command("import_controller", str(world.files["sovellustalo"]), stdout=StringIO())
    assert row_counts() == before


def test_import_is_refused_where_the_business_id_belongs_to_another_slug(world, db, data):
    Controller.objects.filter(slug="turvaratkaisu").update(slug="renamed")
    with pytest.raises(BackupError) as refused:
        controller_import(data=data)
    assert refused.value.code == "exists"


def test_replace_refuses_when_slug_and_business_id_name_two_companies(world, db, data):
    data["controller"]["business_id"] = world.data["sovellustalo"]["controller"]["business_id"]
    before = row_counts()
    with pytest.raises(BackupError) as refused:
        controller_import(data=data, replace=True)
    assert refused.value.code == "conflict"
    assert row_counts() == before


def test_replace_restores_the_company_in_place(
    world, db, django_capture_on_commit_callbacks, settings
):
    files_before = stored_files(world.media)
    controller = Controller.objects.get(slug="sovellustalo")
    register = controller.registers.get()
    # A draft edit and a third published version that the backup does not have.
    register.introduction_fi = "Muutettu johdanto."
    register.save()
    publisher = User.objects.get(username="publisher-sovellustalo")
    services.notice_publish(register=register, user=publisher, summary={"fi": "x", "en": "x"})
    extra = set(stored_files(world.media)) - files_before
    assert len(extra) == 2

    with django_capture_on_commit_callbacks(execute=True):
        result = controller_import(data=world.data["sovellustalo"], replace=True)

    assert Controller.objects.get(slug="sovellustalo").pk == controller.pk
    assert_pages_identical(world, [u for u in world.urls if "sovellustalo" in u])
    assert (
        drafts()["sovellustalo/asiakasrekisteri"] == world.drafts["sovellustalo/asiakasrekisteri"]
    )
    assert not Register.objects.get(pk=register.pk).versions.filter(number=3).exists()
    # The same files were adopted, the third version's PDFs deleted after the commit.
    assert stored_files(world.media) == files_before
    assert (result.files_reused, result.files_stored) == (5, 0)
    assert result.replaced and result.new_ids == 0
    assert result.created_users == [] and result.email_differs == []


def test_import_beside_the_original_gives_new_ids_and_serves_the_same_bytes(world, db, data):
    # The same company under another name: every id in the file is taken.
    data["controller"]["slug"] = "turva-kopio"
    digits = "7777777"
    data["controller"]["business_id"] = f"{digits}-{business_id_check_digit(digits)}"
    result = controller_import(data=data)

    assert result.new_ids > 20
    assert result.existing_members == ["editor-turvaratkaisu", "publisher-turvaratkaisu"]
    original = world.drafts["turvaratkaisu/asiakasrekisteri"]
    copied = build_snapshot(Register.objects.get(controller__slug="turva-kopio"))
    ignored = {"id", "subject_groups", "data_category", "slug", "business_id"}
    assert without(copied, ignored) == without(original, ignored)
    # The stored pages and files (the company's index page is rendered live).
    for url in world.urls:
        if "/turvaratkaisu/asiakasrekisteri/" in url:
            page = fetch(url.replace("/turvaratkaisu/", "/turva-kopio/"))
            # An earlier version's banner, added when served, links to the current one.
            body = page.body.replace(b"/turva-kopio/", b"/turvaratkaisu/")
            expected = world.pages[url].body
            if "/versions/" in url and body != expected:
                # An earlier version's page keeps its links with that version when served
                # (views._with_own_links), by the company's own address: the copy's stored
                # page still names the original's, so only its links differ.
                body, expected = (re.sub(rb'href="[^"]*"', b'href=""', b) for b in (body, expected))
            assert body == expected, url
            assert page.headers["ETag"] == world.pages[url].headers["ETag"], url


def objects_with_ids(data: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """Every object of a backup that carries an id (not the snapshots inside it)."""
    yield data["controller"]
    yield from data["contact_persons"]
    yield from data["processors"]
    for register in data["registers"]:
        yield register
        for part in PARTS:
            yield from register[part.key]
        yield from register["versions"]


def test_ids_kept_from_the_file_are_not_handed_out_again(world, db, data):
    """After explicit ids are inserted, new rows get ids above them (PostgreSQL's sequences)."""
    data["controller"].update(
        slug="turva-korkea", business_id="7777777-" + str(business_id_check_digit("7777777"))
    )
    for obj in objects_with_ids(data):
        obj["id"] += 10**9
    result = controller_import(data=data)
    assert result.new_ids == 0

    register = Register.objects.get(controller__slug="turva-korkea")
    assert register.pk > 10**9
    contact = ContactPerson.objects.create(
        controller=result.controller, name="Uusi", email="uusi@example.com"
    )
    processor = Processor.objects.create(
        controller=result.controller, name="Uusi", service_fi="x", country="FI"
    )
    copy_ = Register.objects.create(controller=result.controller, name_fi="Uusi", slug="uusi")
    for new in (contact, processor, copy_):
        assert new.pk > 10**9, type(new)


LAYOUTS = [
    columns.CONTROLLER,
    columns.CONTACT_PERSON,
    columns.PROCESSOR,
    columns.MEMBERSHIP,
    columns.REGISTER,
    columns.VERSION,
    columns.RENDERING,
    *(columns.part_layout(part) for part in PARTS),
]


@pytest.mark.parametrize("layout", LAYOUTS, ids=[layout.model.__name__ for layout in LAYOUTS])
def test_every_model_field_has_its_key_in_the_backup(layout):
    """The file's keys are read from the model: each field is a key, or why not is known."""
    model = layout.model
    keys = {column.key for column in columns.columns(layout)}
    for field in [*model._meta.concrete_fields, *model._meta.many_to_many]:
        localized = getattr(field, "translated_field", None)
        if field.primary_key:
            assert layout.id or model in (Membership, NoticeRendering), model
        elif field.name == layout.owner:
            pass  # implied by the list the object sits in
        elif localized is not None:
            assert localized.name in keys  # name_sv: one language of the key "name"
        elif model is Register and field.name == "processors":
            pass  # the rows of the "processors" part
        else:
            assert field.name in keys, (model.__name__, field.name)
    # Translated fields hold every configured language.
    for name in translated_fields(model):
        kinds = {column.key: column.kind for column in columns.columns(layout)}
        assert kinds[name] is columns.Kind.TEXT


def test_every_tenant_model_is_in_the_backup():
    """A new model holding a company's data must be given a place in the file."""
    tenant_models = {m for m in apps.get_models() if is_tenant_model(m)}
    # The audit log is not part of a backup, and a register's change log and its
    # entries' kept pieces are rebuilt from its versions on import (see
    # docs/backup-format.md).
    rebuilt = ("AuditEvent", "RegisterChangelog", "ChangelogPiece")
    tenant_models = {m for m in tenant_models if m.__name__ not in rebuilt}
    covered = {layout.model for layout in LAYOUTS}
    assert tenant_models <= covered, tenant_models - covered


def test_the_export_file_has_exactly_the_keys_of_the_schema(world):
    """What the exporter writes, the schema declares (and the other way round)."""
    register = world.data[TRILINGUAL]["registers"][0]
    expected = {"ref", "id", *(c.key for c in columns.columns(columns.REGISTER))}
    expected |= {part.key for part in PARTS} | {"versions"}
    assert set(register) == expected
    for part in PARTS:
        for item in register[part.key]:
            layout = columns.part_layout(part)
            assert set(item) == {"ref", "id", *(c.key for c in columns.columns(layout))}
    schema_keys = set(backup.schema.backup_file().model_fields)
    assert set(world.data[TRILINGUAL]) == schema_keys - {"exported_at"}


# --- Refusals: a bad file changes nothing ----------------------------------------------


def register_of(data: dict[str, Any]) -> dict[str, Any]:
    return data["registers"][0]


def last_rendering(data: dict[str, Any]) -> dict[str, Any]:
    return register_of(data)["versions"][-1]["renderings"][-1]


def set_in(path: tuple[Any, ...], value: Any) -> Callable[[dict[str, Any]], None]:
    def mutate(data: dict[str, Any]) -> None:
        target = data
        for key in path[:-1]:
            target = target[key]
        target[path[-1]] = value

    return mutate


def delete_in(path: tuple[Any, ...]) -> Callable[[dict[str, Any]], None]:
    def mutate(data: dict[str, Any]) -> None:
        target = data
        for key in path[:-1]:
            target = target[key]
        del target[path[-1]]

    return mutate


def flip_pdf_byte(data: dict[str, Any]) -> None:
    pdf = last_rendering(data)["pdf"]
    content = bytearray(base64_decode(pdf["content_base64"]))
    content[len(content) // 2] ^= 0x01
    pdf["content_base64"] = base64_encode(bytes(content))


def consistent_tampered_pdf(data: dict[str, Any]) -> None:
    """New PDF bytes with their own matching sha256: only pdf_hash (the ETag) disagrees."""
    import hashlib

    pdf = last_rendering(data)["pdf"]
    content = base64_decode(pdf["content_base64"]) + b"%% appended"
    pdf.update(
        content_base64=base64_encode(content),
        sha256=hashlib.sha256(content).hexdigest(),
        size=len(content),
    )


def logo_bytes(content: bytes, name: str = "logos/logo.png") -> Callable[[dict[str, Any]], None]:
    def mutate(data: dict[str, Any]) -> None:
        import hashlib

        data["controller"]["logo"] = {
            "name": name,
            "size": len(content),
            "sha256": hashlib.sha256(content).hexdigest(),
            "content_base64": base64_encode(content),
        }

    return mutate


def base64_decode(text: str) -> bytes:
    import base64

    return base64.b64decode(text)


def base64_encode(content: bytes) -> str:
    import base64

    return base64.b64encode(content).decode()


def foreign_group_ref(world_data: dict[str, Any]) -> Callable[[dict[str, Any]], None]:
    other = world_data["sovellustalo"]["registers"][0]["subject_groups"][0]["ref"]
    return lambda data: register_of(data)["data_categories"][0].update(subject_groups=[other])


def tamper(mutate_register: Callable[[dict[str, Any]], None]) -> Callable[[dict[str, Any]], None]:
    return lambda data: mutate_register(register_of(data))


CHANGE = {
    "section": "purposes",
    "kind": "added",
    "name": {"fi": "Uusi", "en": "New"},
    "substantive": True,
    "reason": "new_purpose",
}

SVG = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'

# (case, how to spoil the file, the error code expected)
HOSTILE: list[tuple[str, Callable[[dict[str, Any]], None], str]] = [
    ("wrong format", set_in(("format",), "something-else"), "format"),
    ("newer schema version", set_in(("schema_version",), 3), "schema_version"),
    ("schema version as text", set_in(("schema_version",), "1"), "schema_version"),
    ("no schema version", delete_in(("schema_version",)), "schema_version"),
    ("unknown top-level key", set_in(("extra",), {}), "unknown_key"),
    ("missing controller field", delete_in(("controller", "name")), "missing_key"),
    ("registers not a list", set_in(("registers",), {}), "type"),
    ("order as text", tamper(lambda r: r["purposes"][0].update(order="1")), "type"),
    ("boolean as integer", tamper(lambda r: r.update(is_online=1)), "type"),
    ("integer as boolean", tamper(lambda r: r["purposes"][0].update(order=True)), "type"),
    (
        "naive datetime",
        tamper(lambda r: r["versions"][0].update(published_at="2025-03-03T10:00:00")),
        "type",
    ),
    (
        "unknown key in a part",
        tamper(lambda r: r["purposes"][0].update(controller=1)),
        "unknown_key",
    ),
    ("NUL in a text", tamper(lambda r: r["name"].update(fi="Asiakas\x00rekisteri")), "nul"),
    (
        "duplicate reference",
        tamper(lambda r: r["sources"][1].update(ref=r["sources"][0]["ref"])),
        "duplicate_ref",
    ),
    ("bad reference syntax", tamper(lambda r: r["sources"][0].update(ref="../x")), "bad_ref"),
    (
        "duplicate id",
        tamper(lambda r: r["sources"][1].update(id=r["sources"][0]["id"])),
        "duplicate_id",
    ),
    (
        "contact person not in the file",
        tamper(lambda r: r.update(contact_person="contact-999999")),
        "unknown_ref",
    ),
    (
        "database key instead of a reference",
        tamper(lambda r: r.update(contact_person=1)),
        "unknown_ref",
    ),
    (
        "reference of the wrong kind",
        tamper(lambda r: r["transfers"][0].update(processor=r["subject_groups"][0]["ref"])),
        "unknown_ref",
    ),
    (
        "retention rule naming a group",
        tamper(lambda r: r["retention"][0].update(data_category=r["subject_groups"][0]["ref"])),
        "unknown_ref",
    ),
    (
        "register processor not in the file",
        tamper(lambda r: r["processors"][0].update(processor="processor-999999")),
        "unknown_ref",
    ),
    (
        "publisher not among the users",
        tamper(lambda r: r["versions"][0].update(published_by="mallory")),
        "unknown_ref",
    ),
    ("membership of an unknown user", set_in(("memberships", 0, "user"), "mallory"), "unknown_ref"),
    (
        "unknown legal basis",
        tamper(lambda r: r["purposes"][0].update(legal_bases=["6-1-z"])),
        "unknown_code",
    ),
    ("unknown right", tamper(lambda r: r["rights"][0].update(right="immortality")), "unknown_code"),
    (
        "unknown supervisory authority",
        tamper(lambda r: r.update(supervisory_authority="x@evil.example")),
        "unknown_authority",
    ),
    (
        "right listed twice",
        tamper(lambda r: r["rights"][1].update(right=r["rights"][0]["right"])),
        "duplicate",
    ),
    ("version number twice", tamper(lambda r: r["versions"][1].update(number=1)), "duplicate"),
    (
        "rendering in another language",
        lambda d: last_rendering(d).update(language="sv"),
        "language",
    ),
    ("rendering missing", tamper(lambda r: r["versions"][0]["renderings"].pop()), "language"),
    (
        "PDF name with ..",
        lambda d: last_rendering(d)["pdf"].update(name="notices/../../etc/passwd.pdf"),
        "unsafe_name",
    ),
    (
        "absolute PDF name",
        lambda d: last_rendering(d)["pdf"].update(name="/etc/x.pdf"),
        "unsafe_name",
    ),
    (
        "PDF name with a backslash",
        lambda d: last_rendering(d)["pdf"].update(name="notices\\..\\x.pdf"),
        "unsafe_name",
    ),
    ("PDF byte changed", flip_pdf_byte, "hash"),
    ("PDF replaced with its own hash", consistent_tampered_pdf, "hash"),
    ("PDF size wrong", lambda d: last_rendering(d)["pdf"].update(size=1), "size"),
    (
        "PDF not base64",
        lambda d: last_rendering(d)["pdf"].update(content_base64="%%%not base64"),
        "type",
    ),
    (
        "page changed after publishing",
        lambda d: last_rendering(d).update(html=last_rendering(d)["html"] + "<script>x</script>"),
        "hash",
    ),
    (
        "snapshot changed",
        tamper(lambda r: r["versions"][0]["snapshot"]["register"].update(slug="x")),
        "hash",
    ),
    (
        "broken change list",
        tamper(lambda r: r["versions"][1].update(changes=[{"kind": "exploded"}])),
        "missing_key",
    ),
    ("logo name with ..", logo_bytes(png(), "logos/../../settings.png"), "unsafe_name"),
    ("absolute logo name", logo_bytes(png(), "/tmp/logo.png"), "unsafe_name"),
    ("logo name with a backslash", logo_bytes(png(), "logos\\logo.png"), "unsafe_name"),
    ("logo outside logos/", logo_bytes(png(), "notices/logo.png"), "unsafe_name"),
    ("SVG logo with a script", logo_bytes(SVG, "logos/logo.svg"), "unsafe_name"),
    ("SVG renamed .png", logo_bytes(SVG, "logos/logo.png"), "logo"),
    ("logo too many pixels", logo_bytes(png(3000, 10), "logos/wide.png"), "logo"),
    ("invalid business ID", set_in(("controller", "business_id"), "1234567-2"), "invalid"),
    ("invalid slug", set_in(("controller", "slug"), "../turva"), "invalid"),
    ("invalid brand colour", set_in(("controller", "brand_color"), "red;}"), "invalid"),
    ("invalid email", set_in(("contact_persons", 0, "email"), "not-an-email"), "invalid"),
    ("invalid register slug", tamper(lambda r: r.update(slug="a/b")), "invalid"),
    ("unknown membership role", set_in(("memberships", 0, "role"), "owner"), "invalid"),
    (
        "invalid new username",
        lambda d: [
            d["users"][0].update(username="bad user!"),
            d["memberships"][0].update(user="bad user!"),
        ],
        "invalid",
    ),
    ("text over its maximum length", tamper(lambda r: r["name"].update(fi="x" * 201)), "invalid"),
    (
        "transfer to an EU country",
        tamper(lambda r: r["transfers"][0].update(country="SE")),
        "invalid",
    ),
    # Languages as data (schema version 2).
    (
        "text in a language not configured",
        tamper(lambda r: r["name"].update(de="x")),
        "unknown_key",
    ),
    ("text as a plain string", tamper(lambda r: r.update(name="Asiakasrekisteri")), "type"),
    ("text in a number", tamper(lambda r: r["purposes"][0]["name"].update(sv=5)), "type"),
    ("no text in the default language", tamper(lambda r: r["name"].pop("fi")), "invalid"),
    ("no language to publish in", tamper(lambda r: r.update(languages=[])), "invalid"),
    ("unknown language to publish in", tamper(lambda r: r.update(languages=["xx"])), "invalid"),
    ("a language twice", tamper(lambda r: r.update(languages=["fi", "fi"])), "invalid"),
    (
        "summary in a language not configured",
        tamper(lambda r: r["versions"][0]["summary"].update(xx="Hei")),
        "unknown_key",
    ),
    (
        "version 1 key in a version 2 file",
        tamper(lambda r: r.update(publish_in_english=True)),
        "unknown_key",
    ),
    (
        "part under its version 1 key",
        tamper(lambda r: r.update(retention_rules=r.pop("retention"))),
        "missing_key",
    ),
    ("id zero", tamper(lambda r: r["sources"][0].update(id=0)), "type"),
    ("id beyond 32 bits", tamper(lambda r: r["sources"][0].update(id=2**31)), "type"),
    (
        "change of an unknown kind",
        tamper(lambda r: r["versions"][1]["changes"].append({**CHANGE, "kind": "exploded"})),
        "type",
    ),
    (
        "snapshot without a part",
        tamper(lambda r: r["versions"][0]["snapshot"].pop("retention")),
        "missing_key",
    ),
    (
        "snapshot item without its id",
        tamper(lambda r: r["versions"][0]["snapshot"]["purposes"][0].pop("id")),
        "missing_key",
    ),
    (
        "membership twice",
        lambda d: d["memberships"].append(dict(d["memberships"][0])),
        "duplicate",
    ),
]


@pytest.mark.parametrize(
    ("mutate", "code"), [(m, c) for _case, m, c in HOSTILE], ids=[case for case, _m, _c in HOSTILE]
)
def test_a_spoiled_backup_is_refused_and_changes_nothing(world, db, data, mutate, code):
    mutate(data)
    before, files = row_counts(), stored_files(world.media)

    with pytest.raises(BackupError) as refused:
        controller_import(data=data, replace=True)  # even when asked to replace

    assert refused.value.code == code, refused.value
    assert row_counts() == before
    assert stored_files(world.media) == files
    assert_pages_identical(world, [u for u in world.urls if "/turvaratkaisu/" in u][:4])


def test_a_reference_to_another_companys_object_is_refused(world, db, data):
    foreign_group_ref(world.data)(data)
    before = row_counts()
    with pytest.raises(BackupError) as refused:
        controller_import(data=data, replace=True)
    assert refused.value.code == "unknown_ref"
    assert "registers[0].data_categories[0].subject_groups[0]" in str(refused.value)
    assert row_counts() == before


@pytest.mark.parametrize(
    ("content", "code"),
    [
        (b"", "json"),
        (b"\xff\xfe not utf-8", "encoding"),
        (b"[1, 2, 3]", "format"),
        (b'{"format": "tietosuoja-controller-backup", "format": "x"}', "json"),
        (b'{"schema_version": NaN}', "json"),
        (b"[" * 100_000 + b"]" * 100_000, "json"),
    ],
    ids=["empty", "not UTF-8", "not an object", "duplicate keys", "NaN", "deeply nested"],
)
def test_a_file_that_is_not_a_backup_is_refused(world, db, tmp_path, content, code):
    path = tmp_path / "backup.json"
    path.write_bytes(content)
    before = row_counts()
    with pytest.raises(BackupError) as refused:
        controller_import(data=backup.backup_read(path=path), replace=True)
    assert refused.value.code == code
    assert row_counts() == before


def test_a_truncated_file_is_refused_with_a_clear_message(world, db, tmp_path):
    whole = world.files["hyvinvointi"].read_text(encoding="utf-8")
    path = tmp_path / "truncated.json"
    # Cut between characters: a cut inside one is refused as not UTF-8, another test's case.
    path.write_text(whole[: len(whole) // 2], encoding="utf-8")
    before, files = row_counts(), stored_files(world.media)

    with translation.override("en"), pytest.raises(CommandError) as refused:
        call_command("import_controller", str(path), replace=True, stdout=StringIO())

    message = str(refused.value)
    assert "nothing was changed" in message
    assert "not valid JSON" in message and "truncated" in message
    assert row_counts() == before
    assert stored_files(world.media) == files


def test_the_refusal_is_in_finnish_for_a_finnish_operator(world, db):
    with translation.override("fi"), pytest.raises(CommandError) as refused:
        call_command("import_controller", str(world.files["hyvinvointi"]), stdout=StringIO())
    assert "--replace" in str(refused.value)
    assert "muutettu" in str(refused.value) or "ei tuotu" in str(refused.value)


def test_an_oversized_file_is_refused_before_it_is_read(world, db, settings):
    size = world.files["hyvinvointi"].stat().st_size
    with pytest.raises(CommandError, match=str(size - 1)):
        call_command(
            "import_controller",
            str(world.files["hyvinvointi"]),
            replace=True,
            max_bytes=size - 1,
            stdout=StringIO(),
        )
    settings.BACKUP_MAX_BYTES = 1000
    with pytest.raises(BackupError) as refused:
        backup.backup_read(path=world.files["hyvinvointi"])
    assert refused.value.code == "too_large"


def test_a_failure_while_writing_removes_the_stored_files_and_rolls_back(
    world, db, data, settings, tmp_path, monkeypatch
):
    settings.MEDIA_ROOT = tmp_path / "media"  # empty storage: every file is stored anew
    before = row_counts()

    def fail(self: Any) -> None:
        raise DatabaseError("the disk is full")

    monkeypatch.setattr(_Writer, "advance_sequences", fail)
    with pytest.raises(BackupError) as refused:
        controller_import(data=data, replace=True)

    assert refused.value.code == "database"
    assert row_counts() == before
    assert stored_files(settings.MEDIA_ROOT) == set()
    settings.MEDIA_ROOT = world.media
    assert_pages_identical(world, [u for u in world.urls if "/turvaratkaisu/" in u])


def test_a_model_rule_broken_after_the_deletion_rolls_the_deletion_back(world, db, data):
    """Cross-field rules run while writing: the replaced company's data must come back."""
    transfer = register_of(data)["transfers"][0]
    transfer.update(processor=None, recipient=dict.fromkeys(languages.codes(), ""))
    before = row_counts()
    with pytest.raises(BackupError) as refused:
        controller_import(data=data, replace=True)
    assert refused.value.code == "invalid"
    assert "transfers[0]" in refused.value.path
    assert row_counts() == before
    assert Transfer.objects.filter(register__controller__slug="turvaratkaisu").exists()


def test_import_keeps_answers_as_the_file_gives_them_and_missing_ones_unanswered(world, db, data):
    """A company without a business ID or email imports beside the others; the answers
    to GDPR's questions come in as the file gives them (false stays the answer no) and,
    where a file leaves them out, unanswered: the importer never answers for the company."""
    data["controller"]["slug"] = "turva-kopio"
    data["controller"]["business_id"] = ""
    data["controller"]["email"] = ""
    register = register_of(data)
    register["has_automated_decisions"] = False
    del register["no_recipients"], register["no_transfers"]
    cookie = register["cookies"][0]
    cookie["consent_required"] = None
    cookie["duration"] = dict.fromkeys(cookie["duration"], "")
    controller_import(data=data)

    copied = Register.objects.get(controller__slug="turva-kopio")
    assert copied.controller.business_id == copied.controller.email == ""
    assert copied.has_automated_decisions is False
    assert (copied.no_recipients, copied.no_transfers) == (None, None)
    assert copied.cookies.order_by("order", "pk").first().consent_required is None
    # A second company without a business ID is a different company, not a conflict.
    data["controller"]["slug"] = "turva-toinen"
    controller_import(data=data)
    assert Controller.objects.filter(business_id="").count() == 2


def test_import_keeps_where_the_data_comes_from_and_an_absent_answer_stays_unanswered(
    world, db, data
):
    """Where the data comes from is the company's answer: a file that gives it (every
    file written before it could be left unanswered) keeps it; a file without the key
    leaves it unanswered. Files written before the transfers question could be answered
    in the company's own words have no such text: none is made up."""
    data["controller"]["slug"] = "turva-vanha"
    data["controller"]["business_id"] = ""
    register = register_of(data)
    register["data_origin"] = "other"
    del register["transfers_statement"]
    controller_import(data=data)
    kept = Register.objects.get(controller__slug="turva-vanha")
    assert kept.data_origin == "other"
    assert not kept.has_transfers_statement()

    data["controller"]["slug"] = "turva-ilman"
    del register["data_origin"]
    controller_import(data=data)
    assert Register.objects.get(controller__slug="turva-ilman").data_origin == ""
