"""Long histories, cheaply: what ``bench_history``, ``bench_backup`` and their tests share.

A register's history of 200 versions is grown by copying its latest version's
rows (version, renderings) under the next numbers; the copies share that
version's stored PDFs, so no PDF is rendered for them. What a copy stores is
what its original stored, and the register's change log is built again with an
entry for each copy, as publishing them would have left it (``notices.changelog``).

``grow_history`` (the backup bench's) makes the same kind of copies a minute apart,
every column taken over, in batches so that 1,000 versions stay cheap: a backup
carries and checks each copy like a real version; only its pages do not change
from one version to the next.
"""

from __future__ import annotations

import json
from datetime import timedelta

from django.db import transaction

from notices.chain import seal_version
from notices.changelog import changelog_rebuild
from notices.models import NoticeRendering, NoticeVersion, Register
from notices.public_cache import changed

BATCH = 100


@transaction.atomic
def grow_by_copies(register: Register, upto: int) -> int:
    """Copy ``register``'s latest version as each next number up to ``upto``; how many.

    Each copy is dated one second after the one before, after the original, and
    shares its PDFs (the same stored names: a copy adds no file).
    """
    latest = register.versions.order_by("-number").first()
    if latest is None or latest.number >= upto:
        return 0
    renderings = list(latest.renderings.all())
    copies = NoticeVersion.objects.bulk_create(
        [
            NoticeVersion(
                register=register,
                number=number,
                published_at=latest.published_at + timedelta(seconds=number - latest.number),
                published_by=latest.published_by,
                summary=latest.summary,
                changes=latest.changes,
                snapshot=latest.snapshot,
                content_hash=latest.content_hash,
            )
            for number in range(latest.number + 1, upto + 1)
        ],
        batch_size=BATCH,
    )
    NoticeRendering.objects.bulk_create(
        [
            NoticeRendering(
                version=copy,
                language=r.language,
                html=r.html,
                embed_html=r.embed_html,
                changelog_html=r.changelog_html,
                json=r.json,
                pdf=r.pdf.name,
                pdf_size=r.pdf_size,
                html_hash=r.html_hash,
                pdf_hash=r.pdf_hash,
            )
            for copy in copies
            for r in renderings
        ],
        batch_size=BATCH,
    )
    _seal(register, latest.number)
    # The change log and its kept entries, as publishing each copy would have left them.
    changelog_rebuild(register=register)
    changed()  # bulk rows send no signals: the processes' kept public answers are stale
    return len(copies)


def version_bytes(version: NoticeVersion) -> dict[str, int]:
    """What one version stores: database text (its snapshot, summary and change list,
    its renderings' page, embed, change log and JSON) and media (its PDFs)."""
    own = (version.snapshot, version.summary, version.changes)
    text = sum(len(json.dumps(value, ensure_ascii=False).encode()) for value in own)
    media = 0
    for r in version.renderings.all():
        text += sum(len(body.encode()) for body in (r.html, r.embed_html, r.changelog_html, r.json))
        media += r.pdf_size
    return {"text": text, "media": media, "total": text + media}


def _copied_fields(model: type[NoticeVersion] | type[NoticeRendering], owner: str) -> list[str]:
    """The columns a copy takes over: all but the primary key, the owner and the number."""
    return [
        field.attname
        for field in model._meta.concrete_fields
        if not field.primary_key and field.name not in (owner, "number", "published_at")
    ]


@transaction.atomic
def grow_history(register: Register, *, versions: int) -> int:
    """Give ``register`` ``versions`` published versions by copying its latest one.

    Copies are published a minute apart after the latest. Returns how many were
    added (none if the register already has as many). Raises ValueError if the
    register has never been published.
    """
    latest = register.versions.order_by("-number").first()
    if latest is None:
        raise ValueError(f"{register} has no published version to copy.")
    renderings = list(latest.renderings.order_by("language"))
    version_fields = _copied_fields(NoticeVersion, "register")
    rendering_fields = _copied_fields(NoticeRendering, "version")
    start = latest.number + 1
    for first in range(start, versions + 1, BATCH):
        numbers = range(first, min(first + BATCH, versions + 1))
        copies = NoticeVersion.objects.bulk_create(
            NoticeVersion(
                register=register,
                number=number,
                published_at=latest.published_at + timedelta(minutes=number - latest.number),
                **{name: getattr(latest, name) for name in version_fields},
            )
            for number in numbers
        )
        NoticeRendering.objects.bulk_create(
            NoticeRendering(
                version=copy, **{name: getattr(rendering, name) for name in rendering_fields}
            )
            for copy in copies
            for rendering in renderings
        )
    _seal(register, latest.number)
    changed()  # bulk rows send no signals: the processes' kept public answers are stale
    return max(0, versions - start + 1)


def _seal(register: Register, after: int) -> None:
    """Sign each copy's own record, chained in order, as publishing would have.

    A copy's record must name its own number and renderings: a backup checks every
    version against its signed record (about 8 ms a version).
    """
    for copy in register.versions.filter(number__gt=after).order_by("number"):
        seal_version(copy)
