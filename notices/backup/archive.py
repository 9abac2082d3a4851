"""Backups as ZIP archives (schema version 3): written and read one version at a time.

A JSON backup (version 2) holds a company's whole history in one document, so
building or reading one took five to six times the file's size in memory (a
600-version company: 213 MB, 1.2 GB of memory). An archive holds the same data
split so that no more than one version is in memory at once:

- ``versions/<register>/<number>.json``: one published version as a version 2
  file holds it, except that each rendering's ``pdf`` names the member holding
  its bytes (``"member"``) instead of carrying them in base64;
- ``versions/<register>/<number>/<language>.pdf``: that PDF, stored as it is;
- ``backup.json``, the manifest, written last: the rest of a version 2 file, whose
  registers list their versions as ``{"member", "size", "sha256"}``.

Reading refuses a member over the size limit before reading it, a member
whose bytes do not match the size and SHA-256 the manifest (or the version, for
a PDF) records, a member named twice, a name in the manifest the archive lacks,
and a member nobody names. ZIP's own CRC-32 catches damage on the way. The
manifest's users and parts are small; what grows with the history is only a
few dozen bytes of bookkeeping per version.
"""

from __future__ import annotations

import hashlib
import json
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import IO, Any

from django.utils.translation import gettext as _

from .errors import BackupError
from .schema import MEMBER_RE, MemberBytes

MANIFEST = "backup.json"
ZIP_MAGIC = b"PK\x03\x04"
# Fixed member times and modes: the same database state gives the same bytes.
MEMBER_TIME = (1980, 1, 1, 0, 0, 0)
MEMBER_MODE = 0o600 << 16
# The archive's directory may take this share of the limit: zipfile holds an object of
# about ten times an entry's size for each member, before any member is read.
DIRECTORY_SHARE = 16
# The errors of damaged ZIP data, as zipfile and zlib raise them.
DAMAGE = (zipfile.BadZipFile, zipfile.LargeZipFile, zlib.error, EOFError, NotImplementedError)


def is_archive(head: bytes) -> bool:
    """Whether a file starting with ``head`` is a ZIP archive (else a JSON backup)."""
    return head.startswith(ZIP_MAGIC)


def _damaged(error: BaseException) -> BackupError:
    return BackupError(
        _("The backup archive is damaged or not a ZIP archive (%(error)s). It may be truncated.")
        % {"error": str(error)[:200]},
        code="archive",
    )


def member_too_large(name: str, limit: int, path: str) -> BackupError:
    return BackupError(
        _(
            "the member “%(name)s” is larger than %(max)d bytes, the most this service "
            "reads at once."
        )
        % {"name": name[:200], "max": limit},
        code="too_large",
        path=path,
    )


def _twice(name: str, path: str = "") -> BackupError:
    return BackupError(
        _("the archive holds or names the member “%(name)s” twice.") % {"name": name[:200]},
        code="archive",
        path=path,
    )


def check_bytes(content: bytes, size: int, sha256: str, path: str) -> None:
    """``content`` has the size and SHA-256 recorded for it."""
    if len(content) != size:
        raise BackupError(
            _("the file has %(actual)d bytes, not the %(size)d the backup records.")
            % {"actual": len(content), "size": size},
            code="size",
            path=path,
        )
    if hashlib.sha256(content).hexdigest() != sha256:
        raise BackupError(
            _("the file's content does not match its SHA-256 hash."), code="hash", path=path
        )


def _check_directory(handle: IO[bytes], max_bytes: int) -> None:
    """Refuse an archive whose directory would not fit in memory, before zipfile reads it.

    A directory of millions of tiny members is small on disk but large in
    memory. ``zipfile._EndRecData`` (private, but in every Python 3) reads the
    end record, ZIP64's included, as ``ZipFile`` itself does.
    """
    end = zipfile._EndRecData(handle)  # type: ignore[attr-defined]
    if end is None:
        raise zipfile.BadZipFile("File is not a zip file")
    if end[zipfile._ECD_SIZE] > max_bytes // DIRECTORY_SHARE:  # type: ignore[attr-defined]
        raise BackupError(
            _(
                "The archive's list of members is larger than %(max)d bytes, the most this "
                "service reads."
            )
            % {"max": max_bytes // DIRECTORY_SHARE},
            code="too_large",
        )


class Archive:
    """A backup archive open for reading, one member at a time.

    ``claim`` records which member each place of the file names, so that a
    member named from two places, or by nobody (``check_all_named``), is refused.
    The same place may read its member again (the import reads each version
    twice: once to check it, once to write it).
    """

    def __init__(self, handle: IO[bytes], *, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        try:
            _check_directory(handle, max_bytes)
            self.zip = zipfile.ZipFile(handle)
            infos = self.zip.infolist()
        except (*DAMAGE, OSError, ValueError) as error:
            raise _damaged(error) from error
        self.members: dict[str, zipfile.ZipInfo] = {}
        for info in infos:
            if info.filename in self.members:
                raise _twice(info.filename)
            self.members[info.filename] = info
        self.claims: dict[str, str] = {MANIFEST: ""}

    def read(self, name: str, path: str) -> bytes:
        """The bytes of member ``name`` that the place ``path`` names; never over the limit."""
        if self.claims.setdefault(name, path) != path:
            raise _twice(name, path)
        info = self.members.get(name)
        if info is None:
            raise BackupError(
                _("the archive has no member “%(name)s”.") % {"name": name[:200]},
                code="member",
                path=path,
            )
        if info.file_size > self.max_bytes:
            raise member_too_large(name, self.max_bytes, path)
        try:
            with self.zip.open(info) as member:
                content = member.read(self.max_bytes + 1)
        except (*DAMAGE, OSError, ValueError, RuntimeError) as error:
            raise _damaged(error) from error
        if len(content) > self.max_bytes:
            raise member_too_large(name, self.max_bytes, path)
        return content

    def version(self, item: Any, path: str) -> bytes:
        """The bytes of the version the manifest's ``item`` names, as the manifest records."""
        content = self.read(item.member, path)
        check_bytes(content, item.size, item.sha256, path)
        return content

    def with_pdfs(self, data: dict[str, Any], path: str) -> None:
        """Put each PDF's bytes into the version ``data`` (parsed), in place of its member."""
        renderings = data.get("renderings")
        for k, rendering in enumerate(renderings if isinstance(renderings, list) else []):
            pdf = rendering.get("pdf") if isinstance(rendering, dict) else None
            if isinstance(pdf, dict):
                rendering["pdf"] = self.pdf(pdf, f"{path}.renderings[{k}].pdf")

    def pdf(self, pdf: dict[str, Any], path: str) -> dict[str, Any]:
        """A rendering's ``pdf`` with its member's bytes in place of the member's name.

        The bytes are checked against the recorded size and hash by the same
        checks as a JSON backup's (``reading``), under the same key.
        """
        if "content_base64" in pdf:
            raise BackupError(
                _("the key “%(key)s” is not part of this format.") % {"key": "content_base64"},
                code="unknown_key",
                path=f"{path}.content_base64",
            )
        name = pdf.get("member")
        if not isinstance(name, str):
            raise BackupError(
                _("the key “%(key)s” is missing.") % {"key": "member"},
                code="missing_key",
                path=f"{path}.member",
            )
        if not MEMBER_RE.match(name) or ".." in name or "//" in name:
            raise BackupError(
                _("the file name “%(name)s” is not allowed.") % {"name": name[:200]},
                code="unsafe_name",
                path=f"{path}.member",
            )
        content = MemberBytes(self.read(name, path))
        return {key: item for key, item in pdf.items() if key != "member"} | {
            "content_base64": content
        }

    def check_all_named(self) -> None:
        """Every member of the archive was named by the manifest or a version."""
        for name in self.members:
            if name not in self.claims:
                raise BackupError(
                    _("the archive member “%(name)s” is not part of the backup.")
                    % {"name": name[:200]},
                    code="archive",
                )

    def close(self) -> None:
        self.zip.close()


# --- Writing ------------------------------------------------------------------------------


@dataclass
class ArchiveSummary:
    """What an archive holds, counted while it is written."""

    registers: int = 0
    versions: int = 0
    renderings: int = 0
    files: int = 0
    file_bytes: int = 0


class ArchiveWriter:
    """Writes the members of a backup archive; the caller builds the entries.

    A context manager: the archive is closed (its directory written) however
    the export ends; an export that fails leaves an archive without a manifest,
    which no import accepts, for the caller to discard.
    """

    def __init__(self, output: IO[bytes]) -> None:
        self.zip = zipfile.ZipFile(output, "w", allowZip64=True)
        self.summary = ArchiveSummary()

    def __enter__(self) -> ArchiveWriter:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.zip.close()

    def write(self, name: str, content: bytes, *, compress: bool) -> None:
        info = zipfile.ZipInfo(name, date_time=MEMBER_TIME)
        info.external_attr = MEMBER_MODE
        info.compress_type = zipfile.ZIP_DEFLATED if compress else zipfile.ZIP_STORED
        self.zip.writestr(info, content)

    def pdf_member(self, prefix: str) -> Callable[[str, bytes], dict[str, Any]]:
        """How a rendering's PDF is written: a member of its own, named in the version."""

        def store(name: str, content: bytes) -> dict[str, Any]:
            member = f"{prefix}.pdf"
            # PDFs are compressed already: stored as they are.
            self.write(member, content, compress=False)
            self.summary.files += 1
            self.summary.file_bytes += len(content)
            return {
                "name": name,
                "size": len(content),
                "sha256": hashlib.sha256(content).hexdigest(),
                "member": member,
            }

        return store

    def version(self, member: str, data: dict[str, Any], renderings: int) -> dict[str, Any]:
        """Write one version's data as ``member``; the manifest's entry for it."""
        content = json.dumps(data, ensure_ascii=False, indent=1).encode() + b"\n"
        self.write(member, content, compress=True)
        self.summary.versions += 1
        self.summary.renderings += renderings
        return {
            "member": member,
            "size": len(content),
            "sha256": hashlib.sha256(content).hexdigest(),
        }

    def finish(self, manifest: dict[str, Any]) -> None:
        """Write the manifest, last."""
        content = json.dumps(manifest, ensure_ascii=False, indent=1).encode() + b"\n"
        self.write(MANIFEST, content, compress=True)
