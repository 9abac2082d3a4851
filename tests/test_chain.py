"""Tamper-evident versions: signed records chained per register, checked from what is stored.

Notices are published for real; the tampering tests change the database or the
stored files behind the service's back, as an intruder or a bad restore would,
and expect ``manage.py verify_notices`` to name the version and what broke.
"""

from __future__ import annotations

import base64
import hashlib
import importlib
import io
from datetime import UTC, datetime
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from django.apps import apps as django_apps
from django.contrib.auth.models import User
from django.core.checks import run_checks
from django.core.exceptions import ImproperlyConfigured
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import CommandError, call_command
from django.test import Client
from django.utils import translation

from notices import chain, signing_keys
from notices.models import NoticeRendering, NoticeVersion, Register
from notices.snapshot import canonical_json
from tests.notices_factory import files_under, publish

pytestmark = pytest.mark.usefixtures("blank_pdfs")  # no PDF is read here (tests/conftest.py)

FIRST = datetime(2025, 1, 15, 9, 0, tzinfo=UTC)
SECOND = datetime(2025, 6, 1, 9, 0, tzinfo=UTC)
THIRD = datetime(2025, 9, 1, 9, 0, tzinfo=UTC)
ROOT = "/{lang}/acme/customers/"
MIGRATION = importlib.import_module("notices.migrations.0008_version_hash_chain")


def verify(*args: str) -> tuple[int, str]:
    """Run verify_notices: its exit code and everything it printed."""
    out = io.StringIO()
    try:
        with translation.override("en"):
            call_command("verify_notices", *args, stdout=out)
    except CommandError as error:
        return error.returncode, f"{out.getvalue()}{error}"
    return 0, out.getvalue()


def breaks(output: str) -> set[str]:
    """The ``<version> <part>`` of every break reported ("acme/customers v1 content")."""
    return {
        line.split(": ", 1)[0] for line in output.splitlines() if line.startswith("acme/customers ")
    }


@pytest.fixture
def versions(register: Register, paula: User) -> list[NoticeVersion]:
    first = publish(register, paula, published_at=FIRST)
    register.introduction_en = "Changed for the second version."
    register.save()
    return [first, publish(register, paula, published_at=SECOND)]


def stored(number: int) -> NoticeVersion:
    return NoticeVersion.objects.get(register__slug="customers", number=number)


# --- The record -----------------------------------------------------------------------------


def test_each_published_version_has_a_signed_record_chained_to_the_one_before(versions):
    first, second = stored(1), stored(2)
    assert first.record["previous"] is None
    assert second.record["previous"] == first.record_hash
    client = Client()
    keys = client.get("/.well-known/notice-signing-keys.json").json()["keys"]
    public = {key["key_id"]: base64.b64decode(key["public_key"]) for key in keys}
    for version in (first, second):
        record = version.record
        assert record["format"] == "tietosuoja-notice-record/1"
        assert (record["controller"], record["register"]) == ("acme", "customers")
        assert record["version"] == version.number
        assert record["content"] == version.content_hash
        assert version.record_hash == hashlib.sha256(canonical_json(record)).hexdigest()
        assert sorted(record["renderings"]) == ["en", "fi"]
        # The signature checks with the public key the service publishes.
        Ed25519PublicKey.from_public_bytes(public[version.key_id]).verify(
            base64.b64decode(version.signature), canonical_json(record)
        )
    assert second.record["published_at"] == "2025-06-01T09:00:00.000000Z"
    # What a visitor downloads is what the current record hashes.
    for lang in ("fi", "en"):
        hashes = second.record["renderings"][lang]
        root = ROOT.format(lang=lang)
        for kind, address in (
            ("page", root),
            ("embed", f"{root}embed/"),
            ("json", f"{root}notice.json"),
            ("pdf", f"{root}pdf/"),
        ):
            response = client.get(address)
            content = (
                b"".join(response.streaming_content) if response.streaming else response.content
            )
            assert hashlib.sha256(content).hexdigest() == hashes[kind], (lang, kind)
        first_pdf = b"".join(client.get(f"{root}versions/1/pdf/").streaming_content)
        assert hashlib.sha256(first_pdf).hexdigest() == first.record["renderings"][lang]["pdf"]


def test_publishing_without_a_signing_key_is_refused_and_leaves_nothing(
    register: Register, paula: User, settings, media: Path
):
    settings.NOTICE_SIGNING_KEY_FILE = ""
    with pytest.raises(ImproperlyConfigured):
        publish(register, paula)
    assert not NoticeVersion.objects.exists()
    assert files_under(media) == set()


# --- verify_notices -------------------------------------------------------------------------


def test_verify_notices_passes_on_an_intact_database(versions):
    code, output = verify()
    assert code == 0, output
    assert "2 versions of 1 notices checked: 0 breaks." in output


def tamper_page(version: NoticeVersion) -> None:
    rendering = version.renderings.get(language="fi")
    evil = rendering.html.replace("<head>", '<head><meta http-equiv="refresh" content="0;url=//x">')
    NoticeRendering.objects.filter(pk=rendering.pk).update(html=evil)


def tamper_pdf(version: NoticeVersion) -> None:
    name = version.renderings.get(language="fi").pdf.name
    with default_storage.open(name, "rb") as handle:
        content = handle.read()
    default_storage.delete(name)
    default_storage.save(
        name,
        ContentFile(
            content.replace(b"/Type /Catalog", b"/Type /Catalog /OpenAction 1 0 R", 1) + b"%"
        ),
    )


def tamper_snapshot(version: NoticeVersion) -> None:
    snapshot = version.snapshot
    snapshot["register"]["name"]["fi"] = "Jotain muuta"
    NoticeVersion.objects.filter(pk=version.pk).update(snapshot=snapshot)


def tamper_embed(version: NoticeVersion) -> None:
    version.renderings.filter(language="en").update(embed_html="<p>other</p>")


@pytest.mark.parametrize(
    ("tamper", "reported"),
    [
        (tamper_page, {"acme/customers v1 renderings.fi.page"}),
        (tamper_pdf, {"acme/customers v1 renderings.fi.pdf"}),
        (tamper_snapshot, {"acme/customers v1 content"}),
        (tamper_embed, {"acme/customers v1 renderings.en.embed"}),
    ],
    ids=["page", "pdf", "snapshot", "embed"],
)
def test_tampering_with_stored_content_is_reported(versions, tamper, reported):
    tamper(stored(1))

    code, output = verify()

    assert code == 1
    assert breaks(output) == reported, output
    assert "does not match the signed record" in output
    assert "2 versions of 1 notices checked: 1 breaks." in output


def test_a_record_rewritten_to_match_tampered_content_fails_its_signature(versions):
    version = stored(2)
    tamper_page(version)
    version.refresh_from_db()
    page = version.renderings.get(language="fi")
    record = version.record
    record["renderings"]["fi"]["page"] = chain.sha256(page.html)
    NoticeRendering.objects.filter(pk=page.pk).update(html_hash=chain.sha256(page.html))
    NoticeVersion.objects.filter(pk=version.pk).update(
        record=record, record_hash=chain.record_hash(record)
    )

    code, output = verify()

    assert code == 1
    assert breaks(output) == {"acme/customers v2 signature"}, output
    assert "The signature does not match the record." in output


def test_a_signature_with_an_unknown_key_is_reported(versions):
    NoticeVersion.objects.filter(number=1).update(key_id="0000000000000000")

    code, output = verify()

    assert code == 1
    assert breaks(output) == {"acme/customers v1 signature"}, output
    assert "0000000000000000" in output


def test_a_deleted_version_breaks_the_chain(versions, register, paula):
    register.introduction_en = "Third."
    register.save()
    publish(register, paula, published_at=THIRD)
    stored(2).delete()

    code, output = verify()

    assert code == 1
    assert breaks(output) == {"acme/customers v3 previous"}, output
    assert "a version was removed, added or reordered" in output


def test_reordered_versions_break_the_chain(versions):
    NoticeVersion.objects.filter(number=1).update(number=99)
    NoticeVersion.objects.filter(number=2).update(number=1)
    NoticeVersion.objects.filter(number=99).update(number=2)

    code, output = verify()

    assert code == 1
    assert breaks(output) == {
        "acme/customers v1 version",
        "acme/customers v1 previous",
        "acme/customers v2 version",
        "acme/customers v2 previous",
    }, output


def test_verify_notices_checks_one_controller_on_request(versions):
    tamper_page(stored(1))
    code, output = verify("--controller", "acme")
    assert code == 1 and breaks(output) == {"acme/customers v1 renderings.fi.page"}
    code, output = verify("--controller", "beta")
    assert code == 1 and "There is no controller with published notices" in output


def test_sign_missing_signs_only_records_whose_hashes_check(versions):
    NoticeVersion.objects.update(signature="", key_id="")
    tamper_page(stored(2))
    code, output = verify()
    assert code == 1
    assert "acme/customers v1 signature" in breaks(output)

    code, output = verify("--sign-missing")

    assert "Signed 1 records." in output
    assert stored(1).signature and not stored(2).signature
    assert code == 1
    assert breaks(output) == {
        "acme/customers v2 renderings.fi.page",
        "acme/customers v2 signature",
    }, output


# --- Keys ---------------------------------------------------------------------------------


def test_a_rotated_key_keeps_earlier_records_verifiable(
    versions, register, paula, settings, tmp_path
):
    old = signing_keys.signing_key().public_key()
    retired = tmp_path / "retired.pem"
    retired.write_bytes(
        old.public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )
    )
    settings.NOTICE_SIGNING_KEY_FILE = str(tmp_path / "new.pem")
    settings.NOTICE_SIGNING_RETIRED_KEYS_FILE = str(retired)
    register.introduction_en = "Third."
    register.save()
    third = publish(register, paula, published_at=THIRD)

    assert third.key_id != stored(1).key_id == signing_keys.key_id(old)
    code, output = verify()
    assert code == 0, output
    document = Client().get("/.well-known/notice-signing-keys.json").json()
    listed = {key["key_id"]: key["current"] for key in document["keys"]}
    assert listed == {third.key_id: True, stored(1).key_id: False}

    # Without the retired key, the records it signed can no longer be checked.
    settings.NOTICE_SIGNING_RETIRED_KEYS_FILE = ""
    code, output = verify()
    assert breaks(output) == {"acme/customers v1 signature", "acme/customers v2 signature"}


def test_check_deploy_warns_without_a_key_and_errs_on_a_bad_one(settings, tmp_path):
    settings.NOTICE_SIGNING_KEY_FILE = ""
    found = {m.id: m.level for m in run_checks(include_deployment_checks=True)}
    assert "notices.W001" in found and "notices.E001" not in found
    bad = tmp_path / "bad.pem"
    bad.write_text("not a key")
    settings.NOTICE_SIGNING_KEY_FILE = str(bad)
    settings.NOTICE_SIGNING_KEY_GENERATE = False
    found = {m.id for m in run_checks(include_deployment_checks=True)}
    assert "notices.E001" in found and "notices.W001" not in found


# --- Public documents -----------------------------------------------------------------------


def test_the_signing_keys_are_published_without_a_query(db, django_assert_num_queries):
    client = Client()
    with django_assert_num_queries(0):
        response = client.get("/.well-known/notice-signing-keys.json")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json; charset=utf-8"
    assert response["Cache-Control"] == "public, max-age=3600"
    assert response["Access-Control-Allow-Origin"] == "*"
    [key] = response.json()["keys"]
    assert key["algorithm"] == "Ed25519" and key["current"] is True
    raw = base64.b64decode(key["public_key"])
    assert key["key_id"] == hashlib.sha256(raw).hexdigest()[:16]
    assert (
        serialization.load_pem_public_key(key["public_key_pem"].encode()).public_bytes(
            serialization.Encoding.Raw, serialization.PublicFormat.Raw
        )
        == raw
    )
    again = client.get("/.well-known/notice-signing-keys.json", HTTP_IF_NONE_MATCH=response["ETag"])
    assert again.status_code == 304


def test_the_manifest_lists_the_chain_in_one_query(
    versions, register, paula, django_assert_num_queries
):
    client = Client()
    address = f"{ROOT.format(lang='en')}manifest.json"
    with django_assert_num_queries(1):
        response = client.get(address)
    assert response.status_code == 200
    assert response["Cache-Control"].startswith("public, max-age=300")
    assert response["Last-Modified"]
    manifest = response.json()
    assert manifest["keys"] == "/.well-known/notice-signing-keys.json"
    entries = manifest["versions"]
    assert [e["version"] for e in entries] == [1, 2]
    for entry, version in zip(entries, (stored(1), stored(2)), strict=True):
        assert entry["record"] == version.record
        assert chain.record_hash(entry["record"]) == entry["record_hash"] == version.record_hash
        assert (entry["signature"], entry["key_id"]) == (version.signature, version.key_id)
        assert (
            entry["addresses"]["fi"]["pdf"] == f"/fi/acme/customers/versions/{version.number}/pdf/"
        )
    assert entries[1]["record"]["previous"] == entries[0]["record_hash"]
    # The same document in every language; a revalidation costs no body.
    assert client.get(f"{ROOT.format(lang='fi')}manifest.json").content == response.content
    assert client.get(address, HTTP_IF_NONE_MATCH=response["ETag"]).status_code == 304

    register.introduction_en = "Third."
    register.save()
    publish(register, paula, published_at=THIRD)
    with django_assert_num_queries(1):
        assert len(client.get(address).json()["versions"]) == 3


def test_the_manifest_of_an_unknown_or_offline_notice(versions):
    client = Client()
    assert client.get("/en/acme/nothing/manifest.json").status_code == 404
    Register.objects.filter(slug="customers").update(is_online=False)
    assert client.get(f"{ROOT.format(lang='en')}manifest.json").status_code == 410


# --- Versions published before records, and the backup import ---------------------------------


def test_the_migration_writes_the_records_publishing_would_have(versions, settings):
    written = {
        v.number: (v.record, v.record_hash, v.signature) for v in NoticeVersion.objects.all()
    }
    NoticeVersion.objects.update(record=None, record_hash="", signature="", key_id="")

    settings.NOTICE_SIGNING_KEY_FILE = ""
    MIGRATION.seal_published_versions(django_apps, None)

    unsigned = {
        v.number: (v.record, v.record_hash, v.signature) for v in NoticeVersion.objects.all()
    }
    assert unsigned == {n: (record, digest, "") for n, (record, digest, _sig) in written.items()}
    code, output = verify()
    assert breaks(output) == {"acme/customers v1 signature", "acme/customers v2 signature"}


def test_verify_record_checks_a_restored_version_before_it_is_saved(versions):
    """How the backup import calls it: the version and renderings as read, the PDFs' bytes."""
    version = stored(2)
    renderings = list(version.renderings.all())
    pdfs = {}
    for rendering in renderings:
        with default_storage.open(rendering.pdf.name, "rb") as handle:
            pdfs[rendering.language] = handle.read()
    restored = NoticeVersion(
        **{
            f.attname: getattr(version, f.attname)
            for f in NoticeVersion._meta.concrete_fields
            if not f.primary_key
        }
    )
    assert (
        chain.verify_record(
            restored, renderings=renderings, pdfs=pdfs, previous=stored(1).record_hash
        )
        == []
    )

    pdfs["en"] = pdfs["en"] + b"\n/JavaScript"
    renderings[0].html = renderings[0].html + "<script>"
    found = chain.verify_record(restored, renderings=renderings, pdfs=pdfs, previous=None)
    assert {b.part for b in found} == {
        f"renderings.{renderings[0].language}.page",
        "renderings.en.pdf",
        "previous",
    }
    assert all(b.version == "acme/customers v2" for b in found)


def test_a_snapshot_stripped_of_its_shape_is_reported_not_a_crash(versions):
    NoticeVersion.objects.filter(number=1).update(snapshot={"languages": []})

    code, output = verify()

    assert code == 1
    assert "?/? v1 content: What is stored now does not match the signed record." in output
    assert "acme/customers v2" not in output
