"""Workflows with side effects on registers: called from the admin, commands and tests."""

from __future__ import annotations

import hashlib
from collections.abc import Collection
from datetime import datetime
from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from controllers.audit import audit_record
from controllers.models import AuditEvent
from controllers.tenancy import can_publish, is_member

from . import changelog, languages, public_cache, rules
from .chain import seal_version
from .change_details import detailed_changes
from .completeness import Problem, PublishWarning, check_completeness, check_warnings
from .models import NoticeRendering, NoticeVersion, Register, RegisterRight, Right
from .pdf import PdfRenderError
from .rendering import Rendered, VersionInfo, render_languages
from .snapshot import build_snapshot, content_hash


@transaction.atomic
def register_add_default_rights(*, register: Register) -> list[RegisterRight]:
    """Give ``register`` every right of the catalogue it does not list yet.

    A right is included where it applies to the register's legal bases as they
    are now (``rules.applicable_rights``), or where the catalogue says it always
    does. The admin calls this once, when a register is first saved (with the
    purposes saved in the same form); later changes of the bases do not change
    the list: the completeness check then refuses a right that applies but is
    left out and warns of one listed that cannot apply. Rights keep the
    catalogue's order; the register may write its own wording.
    """
    listed = set(register.rights.values_list("right_id", flat=True))
    applies = _applicable_rights(register).required
    missing = [
        RegisterRight(
            register=register,
            right=right,
            order=right.order,
            included=right.code in applies or not right.can_be_omitted,
        )
        for right in Right.objects.exclude(pk__in=listed)
    ]
    return RegisterRight.objects.bulk_create(missing)


def _applicable_rights(register: Register) -> rules.ApplicableRights:
    """The rights that apply to ``register``'s legal bases as saved now."""
    purposes = register.purposes.prefetch_related("legal_bases")
    codes = {basis.code for basis in register.legal_bases.all()}
    codes |= {basis.code for purpose in purposes for basis in purpose.legal_bases.all()}
    return rules.applicable_rights(
        codes,
        direct_marketing=any(purpose.is_direct_marketing for purpose in purposes),
        automated_decisions=register.has_automated_decisions is True,
    )


class PublishRefused(Exception):
    """Publishing was refused; ``problems`` say what to fix."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("; ".join(p.message for p in problems))
        self.problems = problems


def notice_preview(*, register: Register, user: Any) -> tuple[dict[str, Any], list, VersionInfo]:
    """The draft of ``register`` as it would be published now: snapshot, entries, version.

    A draft has no change-log entry of its own yet, so its entries are empty.
    """
    if not is_member(user, register.controller_id):
        raise PermissionDenied
    snapshot = build_snapshot(register)
    now = timezone.now()
    first = register.versions.order_by("number").values_list("published_at", flat=True).first()
    return snapshot, [], VersionInfo(number=None, published_at=now, first_published_at=first or now)


def notice_publish(
    *,
    register: Register,
    user: Any,
    summary: dict[str, str],
    published_at: datetime | None = None,
    effective_at: datetime | None = None,
    acknowledged: Collection[str] = (),
) -> NoticeVersion:
    """Publish the draft of ``register`` as its next immutable version.

    Warnings (contradictions, ``completeness.check_warnings``) do not stop it when
    the publisher acknowledged each by its key in ``acknowledged``; the version
    records them, in the publisher's language, with the moment and the user.

    With ``effective_at`` (a later moment) the change is announced ahead: the new
    version is published now but comes into force then (notices.in_force).

    Checks the publisher's role and the notice's completeness, then in one
    transaction numbers the version, stores its snapshot and change list,
    renders the page, embed, JSON and PDF of each language (showing this
    version's own changes), and replaces the register's change log, built from
    every version's own entry (``notices.changelog``). If
    anything fails, nothing is published, stored files are removed, and the
    previous version stays live.
    """
    if not can_publish(user, register.controller_id):
        raise PermissionDenied
    snapshot = build_snapshot(register)
    problems = check_completeness(snapshot) + _summary_problems(snapshot, summary)
    if effective_at is not None and effective_at <= (published_at or timezone.now()):
        problems.append(
            Problem(
                snapshot["languages"][0],
                "register",
                "changes",
                _("The day the new version comes into force must be later than today."),
            )
        )
    warnings = check_warnings(snapshot)
    problems += _unacknowledged(snapshot, warnings, acknowledged)
    if problems:
        raise PublishRefused(problems)

    stored: list[str] = []
    try:
        version = _publish_locked(
            register,
            user,
            snapshot,
            summary,
            (published_at, effective_at),
            stored,
            acknowledged_warnings=_acknowledgements(warnings, user),
        )
    except IntegrityError as exc:
        _remove(stored)
        raise _refusal(
            snapshot, _("Another version was published at the same moment. Please try again.")
        ) from exc
    except PdfRenderError as exc:
        _remove(stored)
        raise _refusal(
            snapshot,
            _(
                "The PDF could not be rendered, so nothing was published and the "
                "previous version stays online. Please try again; if it fails again, "
                "shorten very long texts."
            ),
        ) from exc
    except BaseException:
        _remove(stored)
        raise
    return version


def _publish_locked(
    register: Register,
    user: Any,
    snapshot: dict[str, Any],
    summary: dict[str, str],
    moments: tuple[datetime | None, datetime | None],
    stored: list[str],
    acknowledged_warnings: list[dict[str, str]] | None = None,
) -> NoticeVersion:
    """The publishing transaction: number, store and render a version (see notice_publish).

    ``moments``: when it is published (default now) and when it comes into force.
    """
    published_at, effective_at = moments
    with transaction.atomic():
        # Lock the register: concurrent publishers get consecutive numbers.
        locked = Register.objects.select_for_update().get(pk=register.pk)
        previous = locked.versions.order_by("-number").first()
        number = previous.number + 1 if previous else 1
        when = published_at or timezone.now()
        version = NoticeVersion.objects.create(
            register=locked,
            number=number,
            published_at=when,
            published_by=user,
            summary={language: summary[language].strip() for language in snapshot["languages"]},
            changes=detailed_changes(previous.snapshot if previous else None, snapshot),
            snapshot=snapshot,
            content_hash=content_hash(snapshot),
            effective_at=effective_at,
            acknowledged_warnings=acknowledged_warnings or [],
        )
        entries, first_published_at = changelog.newest(locked)
        info = VersionInfo(
            number=number,
            published_at=when,
            first_published_at=first_published_at,
            content_hash=version.content_hash,
            effective_at=effective_at,
        )
        # The version's own page links to what changed since the one before only in
        # a language both are published in.
        own = {
            **entries[0],
            "previous_languages": list(entries[1]["summary"]) if entries[1:] else [],
        }

        def store_changelog() -> None:  # while the PDFs render
            changelog.changelog_store(register=locked, snapshot=snapshot, info=info)

        renderings = render_languages(snapshot, info, own, meanwhile=store_changelog)
        for language, rendered in zip(snapshot["languages"], renderings, strict=True):
            _store_rendering(version, snapshot, language, rendered, stored)
        seal_version(version)
        audit_record(
            user=user,
            controller=locked.controller_id,
            action=AuditEvent.Action.PUBLISH,
            obj=version,
        )
    return version


def _unacknowledged(
    snapshot: dict[str, Any], warnings: list[PublishWarning], acknowledged: Collection[str]
) -> list[Problem]:
    """A problem for each warning the publisher has not acknowledged."""
    return [
        Problem(
            snapshot["languages"][0],
            "register",
            warning.section,
            _("Acknowledge the warning to publish anyway: %(warning)s")
            % {"warning": warning.message},
        )
        for warning in warnings
        if warning.key not in acknowledged
    ]


def _acknowledgements(warnings: list[PublishWarning], user: Any) -> list[dict[str, str]]:
    """The warnings the publisher acknowledged, as the version records them."""
    now = timezone.now().isoformat()
    return [
        {
            "code": warning.key,
            "text": warning.message,
            "language": translation.get_language() or "",
            "at": now,
            "user": getattr(user, "username", ""),
        }
        for warning in warnings
    ]


def _summary_problems(snapshot: dict[str, Any], summary: dict[str, str]) -> list[Problem]:
    return [
        Problem(
            language,
            "register",
            "changes",
            _("Write a short summary of the changes in every published language."),
        )
        for language in snapshot["languages"]
        if not (summary.get(language) or "").strip()
    ]


def _refusal(snapshot: dict[str, Any], message: str) -> PublishRefused:
    return PublishRefused([Problem(snapshot["languages"][0], "register", "changes", message)])


def _store_rendering(
    version: NoticeVersion,
    snapshot: dict[str, Any],
    language: str,
    rendered: Rendered,
    stored: list[str],
) -> NoticeRendering:
    """Store one language of ``version`` as rendered; the PDF's name goes in ``stored``.

    ``changelog_html`` stays empty: the change log is the register's (``RegisterChangelog``).
    """
    name = default_storage.save(
        pdf_storage_name(snapshot, version.number, language), ContentFile(rendered.pdf)
    )
    stored.append(name)
    return NoticeRendering.objects.create(
        version=version,
        language=language,
        html=rendered.html,
        embed_html=rendered.embed_html,
        changelog_html="",
        json=rendered.json,
        pdf=name,
        pdf_size=len(rendered.pdf),
        html_hash=hashlib.sha256(rendered.html.encode()).hexdigest(),
        pdf_hash=hashlib.sha256(rendered.pdf).hexdigest(),
    )


def _remove(names: list[str]) -> None:
    for name in names:
        default_storage.delete(name)


def pdf_storage_name(snapshot: dict[str, Any], number: int, language: str) -> str:
    controller = snapshot["controller"]["slug"]
    register = snapshot["register"]["slug"]
    return f"notices/{controller}/{register}/{controller}-{register}-v{number}-{language}.pdf"


def pdf_download_name(controller: str, register: str, number: int | None, language: str) -> str:
    """A readable file name: controller, register, version and language."""
    version = f"v{number}" if number else "draft"
    return f"{controller}-{register}-{version}-{language}.pdf"


def register_set_online(*, register: Register, user: Any, online: bool) -> Register:
    """Take a register's public notice offline (410 Gone) or bring it back."""
    if not can_publish(user, register.controller_id):
        raise PermissionDenied
    with transaction.atomic():
        Register.objects.filter(pk=register.pk).update(is_online=online)
        public_cache.changed(register.controller.slug)  # update() sends no signal
        register.is_online = online
        audit_record(
            user=user,
            controller=register.controller_id,
            action=AuditEvent.Action.ONLINE if online else AuditEvent.Action.OFFLINE,
            obj=register,
        )
    return register


def _copy_slug(register: Register) -> str:
    """A free address name for a copy of ``register``: ``<slug>-2``, ``<slug>-3``…"""
    taken = set(
        Register.objects.filter(controller_id=register.controller_id).values_list("slug", flat=True)
    )
    base = register.slug[:55]
    number = 2
    while f"{base}-{number}" in taken:
        number += 1
    return f"{base}-{number}"


def register_duplicate(*, register: Register, user: Any) -> Register:
    """A new draft register of the same company with a copy of every part of ``register``.

    The copy is never published or online until a publisher publishes it; its name
    is the original's followed by a number in each language, and its address name
    the original's with the same number, both to be changed by the editor. Parts
    that point at other parts of the register (a data category's groups, a
    retention rule's category) point at the copies. One transaction, audited.
    """
    from .parts import PARTS

    if not is_member(user, register.controller_id):
        raise PermissionDenied
    with transaction.atomic():
        original = Register.objects.get(pk=register.pk)
        copy = Register.objects.get(pk=register.pk)
        copy.pk = None
        copy._state.adding = True
        copy.slug = _copy_slug(original)
        number = copy.slug.rsplit("-", 1)[1]
        for code in languages.codes():
            name = getattr(original, f"name_{code}", "") or ""
            if name:
                setattr(copy, f"name_{code}", f"{name} ({number})"[:200])
        copy.is_online = True
        copy.save()
        copied: dict[tuple[type, int], Any] = {}
        for part in PARTS:
            _copy_part_rows(part.model, original, copy, copied)
        audit_record(
            user=user,
            controller=copy.controller_id,
            action=AuditEvent.Action.ADD,
            obj=copy,
        )
    return copy


def _copy_part_rows(model: type, original: Register, copy: Register, copied: dict) -> None:
    """Copy the rows of one part model; relations to parts already copied follow the copy."""
    many = [f for f in model._meta.many_to_many if f.remote_field.through._meta.auto_created]
    for row in model.objects.filter(register=original).order_by("pk"):
        old_pk = row.pk
        links = {f.name: list(getattr(row, f.name).all()) for f in many}
        row.pk = None
        row.id = None
        row._state.adding = True
        row.register = copy
        for field in model._meta.concrete_fields:
            if field.many_to_one and field.name != "register":
                target = copied.get((field.related_model, getattr(row, field.attname)))
                if target is not None:
                    setattr(row, field.name, target)
        row.save()
        copied[(model, old_pk)] = row
        for name, related in links.items():
            getattr(row, name).set([copied.get((type(obj), obj.pk), obj) for obj in related])
