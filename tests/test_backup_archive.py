"""Backups as archives (schema version 3): memory flat in the history, as strict as JSON.

A company restored from its version 1 backup (tests/data/backup-v1) is given a
long history cheaply (``bench.history``: copies of its latest version sharing
its stored PDFs), exported with ``export_controller`` and restored with
``import_controller``. Every public address must serve the same bytes after
the round trip; the peak memory of export and import must not grow with the
number of versions; a damaged, truncated or tampered archive must be refused
with nothing saved.
"""

from __future__ import annotations

import gc
import hashlib
import json
import os
import stat
import threading
import tracemalloc
import zipfile
from collections.abc import Callable
from io import BytesIO, StringIO, TextIOWrapper
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection
from django.utils import translation

from bench.history import grow_history
from controllers.models import Controller
from notices import backup, public_cache
from notices.backup import BackupError, controller_import
from notices.backup.archive import MANIFEST
from notices.backup.importing import _Writer
from notices.chain import verify_chain
from notices.models import NoticeRendering, NoticeVersion, Register
from tests.test_backup import empty_the_database, fetch, public_urls, row_counts, stored_files
from tests.test_backup_version1 import FILES, version_1

pytestmark = pytest.mark.django_db
SLUG = "sovellustalo"

Members = dict[str, bytes]


@pytest.fixture
def company(media: Path) -> Controller:
    """Sovellustalo: one register, two published versions in Finnish and English, a logo."""
    return backup.import_controller(version_1(SLUG))


def export(path: Path, slug: str = SLUG) -> Path:
    call_command("export_controller", slug, output=str(path), stdout=StringIO())
    return path


def members(path: Path) -> Members:
    with zipfile.ZipFile(path) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def write_members(path: Path, found: Members) -> Path:
    with zipfile.ZipFile(path, "w") as archive:
        for name, content in found.items():
            archive.writestr(name, content, zipfile.ZIP_DEFLATED)
    return path


def manifest(found: Members) -> dict[str, Any]:
    return json.loads(found[MANIFEST])


def set_version(found: Members, j: int, change: Callable[[dict[str, Any]], None]) -> None:
    """Change the ``j``-th version's member and record its new size and hash in the manifest."""
    member = manifest(found)["registers"][0]["versions"][j]["member"]
    version = json.loads(found[member])
    change(version)
    set_version_bytes(found, j, json.dumps(version).encode())


def set_version_bytes(found: Members, j: int, content: bytes) -> None:
    data = manifest(found)
    item = data["registers"][0]["versions"][j]
    found[item["member"]] = content
    item.update(size=len(content), sha256=hashlib.sha256(content).hexdigest())
    found[MANIFEST] = json.dumps(data).encode()


def import_file(path: Path, **options: Any) -> None:
    call_command("import_controller", str(path), replace=True, stdout=StringIO(), **options)


def measured(function: Callable[[], Any]) -> int:
    """The peak of memory traced while ``function`` runs, in bytes."""
    gc.collect()
    tracemalloc.start()
    try:
        function()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def bodies(urls: list[str]) -> dict[str, tuple[int, bytes, str | None]]:
    return {
        url: (page.status, page.body, page.headers["ETag"]) for url in urls for page in [fetch(url)]
    }


def sample(urls: list[str], versions: int) -> list[str]:
    """Every address but those of most versions: the first, three in between and the last."""
    kept = {1, 2, versions // 3, versions // 2, versions - 1, versions}
    return [
        url
        for url in urls
        if "/versions/" not in url
        or url.endswith("/versions/")
        or int(url.split("/versions/")[1].split("/")[0]) in kept
    ]


def test_a_long_history_round_trips_in_memory_that_does_not_grow_with_it(
    company, tmp_path, settings
):
    register = Register.objects.get(controller=company)
    peaks: dict[int, tuple[int, int]] = {}
    # As in production: no query log (a test before this one in the same process may have
    # left the connection logging, and 300 versions of logged INSERTs are megabytes).
    settings.DEBUG = False
    connection.force_debug_cursor = False
    connection.queries_log.clear()
    for versions in (50, 300):
        grow_history(register, versions=versions)
        path = tmp_path / f"{versions}.zip"
        exported = measured(lambda path=path: export(path))
        urls = sample(public_urls(), versions)
        before = bodies(urls)
        empty_the_database()
        settings.MEDIA_ROOT = tmp_path / f"media-{versions}"  # and empty storage
        # Once unmeasured: what a process builds once, whatever the file (caches, lazy
        # imports, an earlier test's leftovers), is not the import's own memory. Then
        # the same file again, replacing what the first import wrote.
        import_file(path)
        imported = measured(lambda path=path: import_file(path))
        assert bodies(urls) == before  # byte for byte, with the same ETags
        assert NoticeVersion.objects.filter(register__controller__slug=SLUG).count() == versions
        register = Register.objects.get(controller__slug=SLUG)
        peaks[versions] = (exported, imported)

    # Six times the history: a peak that grew with it would be about six times higher.
    # What does grow is a few dozen bytes of bookkeeping per version (ids, member names).
    for before, after in zip(peaks[50], peaks[300], strict=True):
        assert after < before * 1.5 + 2_000_000, peaks
    assert (tmp_path / "300.zip").stat().st_size > 4 * (tmp_path / "50.zip").stat().st_size


def test_the_archive_is_private_deterministic_and_holds_one_member_per_version_and_pdf(
    company, tmp_path
):
    first, second = export(tmp_path / "a.zip"), export(tmp_path / "b.zip")
    assert first.read_bytes() == second.read_bytes()
    assert stat.S_IMODE(os.stat(first).st_mode) == 0o600
    found = members(first)
    data = manifest(found)
    assert (data["format"], data["schema_version"]) == (backup.FORMAT, backup.ARCHIVE_VERSION)
    (register,) = data["registers"]
    items = register["versions"]
    assert [set(item) for item in items] == [{"member", "size", "sha256"}] * 2
    version = json.loads(found[items[1]["member"]])
    assert version["number"] == 2
    pdfs = {r["language"]: r["pdf"] for r in version["renderings"]}
    assert set(pdfs) == {"fi", "en"}
    stored = NoticeRendering.objects.get(
        version__number=2, language="fi", version__register__controller=company
    )
    assert found[pdfs["fi"]["member"]] == stored.pdf.read()
    assert "content_base64" not in pdfs["fi"]
    # 2 versions, their 4 PDFs and the manifest: nothing else.
    assert len(found) == 2 + 4 + 1
    with zipfile.ZipFile(first) as archive:
        assert archive.getinfo(pdfs["fi"]["member"]).compress_type == zipfile.ZIP_STORED


def test_the_archive_goes_to_standard_output_as_the_same_bytes_as_to_a_file(company, tmp_path):
    binary = BytesIO()
    stdout = TextIOWrapper(binary)
    call_command("export_controller", SLUG, stdout=stdout, stderr=StringIO())
    stdout.flush()
    assert binary.getvalue() == export(tmp_path / "backup.zip").read_bytes()
    # A text stream cannot take an archive; the JSON document it can.
    with pytest.raises(CommandError):
        call_command("export_controller", SLUG, stdout=StringIO())
    text = StringIO()
    call_command("export_controller", SLUG, json=True, stdout=text, stderr=StringIO())
    assert json.loads(text.getvalue())["schema_version"] == backup.SCHEMA_VERSION


def test_an_archive_given_as_bytes_or_path_restores_the_company(company, tmp_path):
    path = export(tmp_path / "backup.zip")
    again = backup.import_controller(path.read_bytes(), replace=True)
    assert again.pk == company.pk
    again = backup.import_controller(path, replace=True)
    assert NoticeVersion.objects.filter(register__controller=again).count() == 2


def test_an_archive_read_from_a_pipe_is_spooled_to_a_file(company, tmp_path):
    """``import_controller /dev/stdin < file`` through Docker: zipfile cannot seek a pipe."""
    content = export(tmp_path / "backup.zip").read_bytes()
    read, write = os.pipe()

    def send() -> None:
        with os.fdopen(write, "wb") as out:
            out.write(content)

    sender = threading.Thread(target=send)
    sender.start()
    try:
        again = backup.import_controller(f"/dev/fd/{read}", replace=True)
    finally:
        sender.join()
        os.close(read)
    assert again.pk == company.pk
    assert NoticeVersion.objects.filter(register__controller=again).count() == 2


def test_version_1_files_still_import_through_the_command(db, media, tmp_path):
    for slug in ("turvaratkaisu", "sovellustalo", "hyvinvointi"):
        path = tmp_path / f"{slug}.json"
        path.write_bytes(json.dumps(version_1(slug)).encode())
        import_file(path)
    assert Controller.objects.count() == 3
    assert sorted(p.name for p in FILES.glob("*.json.gz")) == [
        "hyvinvointi.json.gz",
        "sovellustalo.json.gz",
        "turvaratkaisu.json.gz",
    ]


def test_a_truncated_archive_is_refused_and_changes_nothing(company, tmp_path, media):
    whole = export(tmp_path / "backup.zip").read_bytes()
    path = tmp_path / "truncated.zip"
    path.write_bytes(whole[: len(whole) * 2 // 3])
    before, files = row_counts(), stored_files(media)

    with translation.override("en"), pytest.raises(CommandError) as refused:
        import_file(path)

    assert "nothing was changed" in str(refused.value) and "truncated" in str(refused.value)
    assert row_counts() == before
    assert stored_files(media) == files


def _flip_a_pdf_byte(path: Path) -> None:
    """Damage a stored PDF inside the archive's bytes: ZIP's CRC-32 no longer matches."""
    with zipfile.ZipFile(path) as archive:
        info = next(i for i in archive.infolist() if i.filename.endswith(".pdf"))
    raw = bytearray(path.read_bytes())
    at = info.header_offset + 30 + len(info.filename.encode()) + 100
    raw[at] ^= 0xFF
    path.write_bytes(bytes(raw))


def _retouch_a_pdf(found: Members) -> None:
    """Change a byte of a PDF member (a valid archive, with its CRC-32; the same size)."""
    name = next(n for n in found if n.endswith(".pdf"))
    content = found[name]
    found[name] = content[:200] + bytes([content[200] ^ 1]) + content[201:]


def _drop_a_pdf(found: Members) -> None:
    del found[next(n for n in found if n.endswith(".pdf"))]


def _one_pdf_for_two(found: Members) -> None:
    def share(version: dict[str, Any]) -> None:
        first, second = version["renderings"]
        second["pdf"]["member"] = first["pdf"]["member"]

    set_version(found, 1, share)


def _smuggled(found: Members) -> None:
    found["versions/register-1/extra.json"] = b"{}"


def _inline_pdf(found: Members) -> None:
    set_version(found, 0, lambda v: v["renderings"][0]["pdf"].update(content_base64="JVBERi0="))


def _number_as_text(found: Members) -> None:
    set_version(found, 1, lambda v: v.update(number="2"))


def _same_number(found: Members) -> None:
    set_version(found, 1, lambda v: v.update(number=1))


def _version_not_as_recorded(found: Members) -> None:
    name = manifest(found)["registers"][0]["versions"][1]["member"]
    found[name] = found[name].replace(b'"number": 2', b'"number": 3')


def _unsafe_member(found: Members) -> None:
    data = manifest(found)
    data["registers"][0]["versions"][0]["member"] = "../../etc/passwd"
    found[MANIFEST] = json.dumps(data).encode()


def _pdf_member_walks(found: Members) -> None:
    set_version(found, 0, lambda v: v["renderings"][0]["pdf"].update(member="../../x.pdf"))


def _version_not_json(found: Members) -> None:
    set_version_bytes(found, 1, b'{"number": 2, "number": 2}')


def _manifest_as_version_2(found: Members) -> None:
    found[MANIFEST] = json.dumps(manifest(found) | {"schema_version": 2}).encode()


SPOILED: list[tuple[str, Callable[[Members], None], str, str]] = [
    ("a PDF not as the version records it", _retouch_a_pdf, "hash", "versions[0].renderings"),
    ("a PDF missing", _drop_a_pdf, "member", "versions[0].renderings"),
    ("one PDF for two renderings", _one_pdf_for_two, "archive", "versions[1].renderings[1]"),
    ("a member nobody names", _smuggled, "archive", ""),
    ("a PDF in base64 in an archive", _inline_pdf, "unknown_key", "content_base64"),
    ("a version's number as text", _number_as_text, "type", "registers[0].versions[1].number"),
    ("two versions of one number", _same_number, "duplicate", "registers[0].versions[1].number"),
    ("a version not as the manifest records it", _version_not_as_recorded, "hash", "versions[1]"),
    ("a member name that walks", _unsafe_member, "unsafe_name", "versions[0].member"),
    ("a manifest of version 2", _manifest_as_version_2, "schema_version", ""),
    ("a PDF member name that walks", _pdf_member_walks, "unsafe_name", "pdf.member"),
    ("a version with a key twice", _version_not_json, "json", "registers[0].versions[1]"),
]


@pytest.mark.parametrize(
    ("spoil", "code", "where"),
    [(spoil, code, where) for _case, spoil, code, where in SPOILED],
    ids=[case for case, *_rest in SPOILED],
)
def test_a_spoiled_archive_is_refused_and_changes_nothing(
    company, tmp_path, media, spoil, code, where
):
    found = members(export(tmp_path / "backup.zip"))
    spoil(found)
    path = write_members(tmp_path / "spoiled.zip", found)
    before, files = row_counts(), stored_files(media)

    with pytest.raises(BackupError) as refused, backup.backup_open(path=path) as source:
        controller_import(data=source, replace=True)

    assert refused.value.code == code, refused.value
    assert where in refused.value.path, refused.value
    assert row_counts() == before
    assert stored_files(media) == files


def test_a_damaged_member_is_refused_by_its_checksum(company, tmp_path, media):
    path = export(tmp_path / "backup.zip")
    _flip_a_pdf_byte(path)
    before = row_counts()
    with pytest.raises(BackupError) as refused:
        backup.import_controller(path, replace=True)
    assert refused.value.code == "archive"
    assert row_counts() == before


def test_the_limit_applies_to_each_member_not_to_the_whole_archive(company, tmp_path):
    path = export(tmp_path / "backup.zip")
    with zipfile.ZipFile(path) as archive:
        sizes = {info.filename: info.file_size for info in archive.infolist()}
    largest = max(sizes, key=sizes.__getitem__)
    assert largest != MANIFEST
    # Less than the whole archive: still imported, one member at a time.
    import_file(path, max_bytes=sizes[largest])
    assert path.stat().st_size > sizes[largest]
    with pytest.raises(CommandError, match=str(sizes[largest] - 1)):
        import_file(path, max_bytes=sizes[largest] - 1)


def test_an_archive_of_countless_tiny_members_is_refused_before_its_directory_is_read(
    company, tmp_path
):
    found = members(export(tmp_path / "backup.zip"))
    largest = max(len(content) for content in found.values())
    found |= {f"versions/x/{n}": b"" for n in range(5000)}
    path = write_members(tmp_path / "many.zip", found)
    with pytest.raises(BackupError) as refused:
        backup.import_controller(path, replace=True, max_bytes=largest)
    assert refused.value.code == "too_large"
    assert str(largest // 16) in str(refused.value)


def test_a_failure_while_writing_the_versions_rolls_back_and_removes_the_files(
    company, tmp_path, settings, monkeypatch
):
    grow_history(Register.objects.get(controller=company), versions=6)
    path = export(tmp_path / "backup.zip")
    settings.MEDIA_ROOT = tmp_path / "empty-media"  # every file is stored anew
    before = row_counts()
    save_version = _Writer.save_version
    calls = []

    def fail_on_the_fifth(self: _Writer, *args: Any) -> str:
        calls.append(args)
        if len(calls) == 5:
            raise DatabaseError("the disk is full")
        return save_version(self, *args)

    monkeypatch.setattr(_Writer, "save_version", fail_on_the_fifth)
    with pytest.raises(BackupError) as refused:
        backup.import_controller(path, replace=True)

    assert refused.value.code == "database"
    assert len(calls) == 5 and refused.value.path.startswith("registers[0].versions[3]")
    assert row_counts() == before
    assert stored_files(settings.MEDIA_ROOT) == set()


def test_export_refuses_a_tampered_pdf_and_leaves_no_file(company, tmp_path, media):
    rendering = NoticeRendering.objects.filter(version__register__controller=company).first()
    (media / rendering.pdf.name).write_bytes(b"%PDF-1.4 tampered")
    with pytest.raises(CommandError, match=rendering.pdf.name):
        export(tmp_path / "backup.zip")
    assert list(tmp_path.glob("backup.zip*")) == []
    assert list(tmp_path.glob(".backup.zip*")) == []


def _edited_page(version: dict[str, Any]) -> None:
    """What an attacker with the archive would do: a page of their own, hashes recomputed."""
    rendering = version["renderings"][0]
    rendering["html"] = '<meta http-equiv="refresh" content="0;url=https://evil.example/">'
    rendering["html_hash"] = hashlib.sha256(rendering["html"].encode()).hexdigest()


def test_an_archive_whose_page_differs_from_its_signed_record_is_refused(company, tmp_path, media):
    found = members(export(tmp_path / "backup.zip"))
    set_version(found, 1, _edited_page)
    path = write_members(tmp_path / "edited.zip", found)
    before, files = row_counts(), stored_files(media)

    with pytest.raises(BackupError) as refused, backup.backup_open(path=path) as source:
        controller_import(data=source, replace=True)

    assert refused.value.code == "record", refused.value
    assert "renderings" in refused.value.path and "page" in refused.value.path
    assert row_counts() == before
    assert stored_files(media) == files


def test_versions_of_an_older_file_are_recorded_signed_and_chained(company) -> None:
    versions = list(NoticeVersion.objects.filter(register__controller=company).order_by("number"))
    assert [bool(v.signature) for v in versions] == [True, True]
    assert versions[1].record["previous"] == versions[0].record_hash
    assert verify_chain(versions).breaks == []


def test_a_restore_says_once_that_the_companys_answers_changed(
    company, tmp_path, monkeypatch, django_capture_on_commit_callbacks
):
    """Each kept public answer of the company is asked again after a restore: its
    stamp (and, for the company row, the global one) is replaced at the end of the
    writes and again at commit, not once for each of the hundreds of rows saved."""
    path = export(tmp_path / "company.zip")
    replaced: list[str | None] = []
    replace = public_cache._replace_stamp
    monkeypatch.setattr(
        public_cache, "_replace_stamp", lambda scope=None: [replaced.append(scope), replace(scope)]
    )
    with django_capture_on_commit_callbacks(execute=True):
        import_file(path)
    assert sorted(replaced, key=str) == [None, None, SLUG, SLUG]
