"""Tamper-evident versions: each published version's signed record, chained per register.

A version's *record* (format ``RECORD_FORMAT``, defined in docs/verifying-notices.md)
holds the SHA-256 of its snapshot, summary and change list, of each stored
page, embed, change log, JSON document and PDF of each language, and the record
hash of the register's previous version. Its canonical bytes are
``snapshot.canonical_json(record)``; the *record hash* is their SHA-256 and the
*signature* their Ed25519 signature with the service's key. Signing is outside
the hashed bytes, so a record signed later keeps its hash and the chain holds.

``seal_version`` writes the record at the end of the publishing transaction;
``verify_record`` recomputes one version's record from what is stored (used by
``manage.py verify_notices`` and by the backup import). Nothing here changes a
published version's content: the record is written once, and only a missing
signature is ever added (``sign_record``).
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from django.core.exceptions import ImproperlyConfigured
from django.core.files.storage import default_storage
from django.utils.translation import gettext as _

from . import signing_keys
from .models import NoticeRendering, NoticeVersion
from .snapshot import canonical_json, content_hash

RECORD_FORMAT = "tietosuoja-notice-record/1"
# The stored bytes of one language a record covers, by the name the record gives them.
# The change log is the register's, replaced at every publish (RegisterChangelog), not
# a version's own: it is built from the versions' entries, which the records cover.
RENDERED = {"page": "html", "embed": "embed_html", "json": "json"}


def sha256(data: bytes | str) -> str:
    return hashlib.sha256(data.encode() if isinstance(data, str) else data).hexdigest()


def timestamp(moment: datetime) -> str:
    """A publication time in the record: UTC, to the microsecond, ``Z`` at the end."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def rendering_hashes(rendering: Any, pdf_hash: str) -> dict[str, str]:
    """The hashes of one language's stored texts, and ``pdf_hash`` for its PDF."""
    hashes = {name: sha256(getattr(rendering, field)) for name, field in RENDERED.items()}
    return hashes | {"pdf": pdf_hash}


def build_record(
    *,
    version: Any,
    content: str,
    renderings: Mapping[str, Mapping[str, str]],
    previous: str | None,
) -> dict[str, Any]:
    """The record of ``version`` (a NoticeVersion, also a migration's historical one).

    ``content`` is the snapshot's hash and ``renderings`` each language's hashes:
    at publishing, those just computed; when verifying, those recomputed now.
    """
    snapshot = version.snapshot
    return {
        "format": RECORD_FORMAT,
        "controller": snapshot["controller"]["slug"],
        "register": snapshot["register"]["slug"],
        "version": version.number,
        "published_at": timestamp(version.published_at),
        "content": content,
        "summary": sha256(canonical_json(version.summary)),
        "changes": sha256(canonical_json(version.changes)),
        "renderings": {language: dict(hashes) for language, hashes in renderings.items()},
        "previous": previous,
    }


def record_hash(record: Mapping[str, Any]) -> str:
    return sha256(canonical_json(record))


def sign_record(version: Any, key: Ed25519PrivateKey) -> None:
    """Sign ``version``'s record with ``key`` and save the signature and the key's id."""
    signature = key.sign(canonical_json(version.record))
    version.signature = base64.b64encode(signature).decode("ascii")
    version.key_id = signing_keys.key_id(key.public_key())
    type(version).objects.filter(pk=version.pk).update(
        signature=version.signature, key_id=version.key_id
    )


def write_record(version: Any, previous: str | None) -> None:
    """Compute and save the record of ``version`` (also a migration's historical model).

    The record takes the hashes kept at publishing (``content_hash``, each
    rendering's ``html_hash`` and ``pdf_hash``) and hashes the other stored texts.
    """
    renderings = version.renderings.order_by("language")
    version.record = build_record(
        version=version,
        content=version.content_hash,
        renderings={r.language: rendering_hashes(r, r.pdf_hash) for r in renderings},
        previous=previous,
    )
    version.record_hash = record_hash(version.record)
    type(version).objects.filter(pk=version.pk).update(
        record=version.record, record_hash=version.record_hash
    )


def seal_version(version: NoticeVersion) -> None:
    """Write and sign the record of ``version``, just published, in its transaction.

    Called last in the publishing transaction, after every language is stored:
    the record takes the hashes computed while storing and links to the previous
    version's record. Without a signing key publishing is refused
    (ImproperlyConfigured), so no unsigned version is ever published.
    """
    key = signing_keys.signing_key()
    if key is None:
        raise ImproperlyConfigured(
            "No signing key: set NOTICE_SIGNING_KEY_FILE (see docs/verifying-notices.md)."
        )
    previous = (
        NoticeVersion.objects.filter(register_id=version.register_id, number=version.number - 1)
        .values_list("record_hash", flat=True)
        .first()
    )
    write_record(version, previous)
    sign_record(version, key)


# --- Verifying ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Break:
    """Something stored that no longer matches a version's signed record."""

    version: str  # "controller/register v3"
    part: str  # the record's key that broke: "renderings.fi.pdf", "signature", "previous"
    message: str

    def __str__(self) -> str:
        return f"{self.version} {self.part}: {self.message}"


UNCHECKED: Any = object()


def verify_record(
    version: NoticeVersion,
    *,
    renderings: Iterable[NoticeRendering] | None = None,
    pdfs: Mapping[str, bytes] | None = None,
    previous: str | None = UNCHECKED,
    keys: Mapping[str, Ed25519PublicKey] | None = None,
) -> list[Break]:
    """Every way ``version``'s stored content differs from its signed record.

    Recomputes the record from the version's snapshot, summary and change list
    and from its renderings (``renderings``, or those stored) and PDFs (``pdfs``
    by language, or the files in storage), then checks the record hash, the
    signature against the service's keys (``keys``, default: current and
    retired) and, unless ``previous`` is left out, that the record names
    ``previous`` (the record hash of the version before, None for the first).
    An empty list means the version is intact.
    """
    label = _label(version)
    record = version.record
    if not isinstance(record, dict):
        return [Break(label, "record", _("The version has no record."))]
    rows = list(version.renderings.all() if renderings is None else renderings)
    try:
        expected = build_record(
            version=version,
            content=content_hash(version.snapshot),
            renderings={r.language: _recomputed(r, pdfs) for r in rows},
            previous=record.get("previous") if previous is UNCHECKED else previous,
        )
    except (KeyError, TypeError, AttributeError):  # a snapshot without its slugs
        expected = {}
    breaks = [Break(label, part, message) for part, message in _differences(record, expected)]
    breaks += _column_breaks(label, version, rows)
    if record_hash(record) != version.record_hash:
        breaks.append(Break(label, "record_hash", _("The record does not match its hash.")))
    if (message := _signature_problem(version, keys)) is not None:
        breaks.append(Break(label, "signature", message))
    return breaks


def _label(version: NoticeVersion) -> str:
    snapshot = version.snapshot if isinstance(version.snapshot, dict) else {}
    parts = [snapshot.get(key) for key in ("controller", "register")]
    slugs = [str(part.get("slug", "?")) if isinstance(part, dict) else "?" for part in parts]
    return f"{'/'.join(slugs)} v{version.number}"


def _recomputed(rendering: NoticeRendering, pdfs: Mapping[str, bytes] | None) -> dict[str, str]:
    """One language's hashes from what is stored now; "unreadable" for a missing PDF."""
    if pdfs is not None and rendering.language in pdfs:
        content: bytes | None = pdfs[rendering.language]
    else:
        try:
            with default_storage.open(rendering.pdf.name, "rb") as handle:
                content = handle.read()
        except (OSError, ValueError):
            content = None
    return rendering_hashes(rendering, sha256(content) if content is not None else "unreadable")


def _differences(record: Mapping[str, Any], expected: Mapping[str, Any]) -> list[tuple[str, str]]:
    """The record's keys (``renderings.<language>.<kind>`` inside) whose values differ."""
    changed = _("What is stored now does not match the signed record.")
    found = []
    for key in sorted(set(record) | set(expected)):
        if key == "renderings" and isinstance(record.get(key), dict) and key in expected:
            recorded, now = record[key], expected[key]
            for language in sorted(set(recorded) | set(now)):
                old, new = recorded.get(language), now.get(language)
                if not isinstance(old, dict) or new is None:
                    found.append((f"renderings.{language}", changed))
                    continue
                found += [
                    (f"renderings.{language}.{kind}", changed)
                    for kind in sorted(set(old) | set(new))
                    if old.get(kind) != new.get(kind)
                ]
        elif key == "previous" and record.get(key) != expected.get(key):
            found.append(
                (
                    key,
                    _(
                        "The record does not name the previous version's record: a version "
                        "was removed, added or reordered."
                    ),
                )
            )
        elif record.get(key) != expected.get(key):
            found.append((key, changed))
    return found


def _column_breaks(label: str, version: NoticeVersion, rows: list[NoticeRendering]) -> list[Break]:
    """The hashes kept beside the content (served as ETags) must be the record's too."""
    changed = _("What is stored now does not match the signed record.")
    record = version.record
    breaks = []
    if version.content_hash != record.get("content"):
        breaks.append(Break(label, "content_hash", changed))
    recorded = record.get("renderings") if isinstance(record.get("renderings"), dict) else {}
    for row in rows:
        hashes = recorded.get(row.language) or {}
        if row.html_hash != hashes.get("page"):
            breaks.append(Break(label, f"renderings.{row.language}.html_hash", changed))
        if row.pdf_hash != hashes.get("pdf"):
            breaks.append(Break(label, f"renderings.{row.language}.pdf_hash", changed))
    return breaks


def _signature_problem(
    version: NoticeVersion, keys: Mapping[str, Ed25519PublicKey] | None
) -> str | None:
    if not version.signature:
        return _("The record is not signed: run manage.py verify_notices --sign-missing.")
    known = signing_keys.verifying_keys() if keys is None else keys
    public = known.get(version.key_id)
    if public is None:
        return _("The record is signed with key %(key)s, which is not one of the service's.") % {
            "key": version.key_id
        }
    try:
        public.verify(
            base64.b64decode(version.signature, validate=True), canonical_json(version.record)
        )
    except (InvalidSignature, ValueError):
        return _("The signature does not match the record.")
    return None


def verify_chain(versions: Iterable[NoticeVersion], *, sign_missing: bool = False) -> ChainResult:
    """``verify_record`` for one register's versions in number order, linked one to the next.

    The first must name no previous record and each next one its predecessor's
    record hash: a version removed, inserted or renumbered breaks the link. With
    ``sign_missing``, an unsigned record whose every hash checks is signed with
    the current key (records written by migration 0006 without a key).
    """
    result = ChainResult()
    previous: str | None = None
    key = signing_keys.signing_key() if sign_missing else None
    for version in versions:
        breaks = verify_record(version, previous=previous)
        if key is not None and not version.signature and [b.part for b in breaks] == ["signature"]:
            sign_record(version, key)
            result.signed += 1
            breaks = []
        result.versions += 1
        result.breaks += breaks
        previous = version.record_hash or None
    return result


@dataclass
class ChainResult:
    versions: int = 0
    signed: int = 0
    breaks: list[Break] = field(default_factory=list)
