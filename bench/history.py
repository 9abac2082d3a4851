"""A long published history made cheaply, for the backup bench and its tests.

Rendering a version's PDF takes about a second, so a history of 1,000 versions
is not published: copies of a register's latest version (its snapshot, change
list, summary and pages) are inserted as the following versions, and every
copy's renderings name the latest version's stored PDFs (a stored sample PDF
stands in for rendering). Each copy is a valid published version (its snapshot
matches its content hash, its pages and PDFs their recorded hashes), so a
backup carries and checks it like a real one; only its pages do not change
from one version to the next.
"""

from __future__ import annotations

from datetime import timedelta

from django.db import transaction

from notices.models import NoticeRendering, NoticeVersion, Register

# Versions inserted per statement: bounded memory and statement size.
BATCH = 100


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
    return max(0, versions - start + 1)
