"""The company home: the admin's front page for a company's members.

Each register of the member's companies with its state (never published, the
published version and its date, edited since that version, offline) and the
buttons a member needs every day: edit, preview, publish and the public page.
The page reads a fixed number of rows whatever the number of registers: the
companies, their registers with their latest version (one query with
subqueries), the publish events of those versions, and the user's publisher
roles.

"Edited since version N" compares the register's last save with the moment its
latest version was published (the audit log's publish event, as a version's
``published_at`` may be dated in the past). A change made elsewhere (a shared
processor's details) does not count; the publish page shows every change.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db.models import DateTimeField, IntegerField, OuterRef, Subquery
from django.http import HttpRequest
from django.urls import reverse
from django.utils import translation

from controllers.models import AuditEvent, Controller, Membership
from controllers.tenancy import controller_ids_for

from . import languages
from .models import NoticeRendering, NoticeVersion, Register


@dataclass
class RegisterState:
    """One register's line on the company home."""

    register: Register
    version: int | None
    published_at: datetime | None
    edited_since: bool
    public_url: str | None
    public_language: str | None
    preview_language: str

    @property
    def is_published(self) -> bool:
        return self.version is not None


@dataclass
class CompanyHome:
    controller: Controller
    registers: list[RegisterState]
    can_publish: bool
    view_site_url: str | None


def _latest(field: str, output: Any) -> Subquery:
    latest = NoticeVersion.objects.filter(register=OuterRef("pk")).order_by("-number")
    return Subquery(latest.values(field)[:1], output_field=output)


def _registers(controller_ids: list[int]) -> list[Register]:
    names = ["name", *languages.field_names("name")]
    return list(
        Register.objects.filter(controller_id__in=controller_ids)
        .only("controller", "slug", "languages", "is_online", "updated_at", *names)
        .annotate(
            _version_pk=_latest("pk", IntegerField()),
            _version=_latest("number", IntegerField()),
            _published_at=_latest("published_at", DateTimeField()),
        )
        .order_by("controller_id", languages.default_field("name"), "pk")
    )


def _published_moments(version_pks: list[int]) -> dict[int, datetime]:
    """When each version was really published: its audit event, not its stated date."""
    events = AuditEvent.objects.filter(
        action=AuditEvent.Action.PUBLISH,
        content_type=ContentType.objects.get_for_model(NoticeVersion),
        object_id__in=[str(pk) for pk in version_pks],
    ).values_list("object_id", "created_at")
    moments: dict[int, datetime] = {}
    for object_id, created_at in events:
        key = int(object_id)
        moments[key] = max(created_at, moments.get(key, created_at))
    return moments


def _public_languages(version_pks: list[int]) -> dict[int, set[str]]:
    rows = NoticeRendering.objects.filter(version_id__in=version_pks).values_list(
        "version_id", "language"
    )
    found: dict[int, set[str]] = {}
    for version_id, language in rows:
        found.setdefault(version_id, set()).add(language)
    return found


def _state(
    register: Register,
    slug: str,
    moments: dict[int, datetime],
    published_in: dict[int, set[str]],
) -> RegisterState:
    active = translation.get_language()
    preview = active if active in register.languages else register.languages[0]
    version_pk = register._version_pk
    public_url = lang = None
    edited = False
    if version_pk is not None:
        published = moments.get(version_pk, register._published_at)
        edited = register.updated_at > published
        codes = published_in.get(version_pk, set())
        lang = active if active in codes else next(iter(languages.ordered(codes)), None)
        if lang and register.is_online:
            public_url = reverse(
                "notices:detail",
                kwargs={"lang": lang, "controller": slug, "register": register.slug},
            )
    return RegisterState(
        register=register,
        version=register._version,
        published_at=register._published_at,
        edited_since=edited,
        public_url=public_url,
        public_language=lang if public_url else None,
        preview_language=preview,
    )


def company_homes(request: HttpRequest, controller_ids: list[int] | None = None) -> list:
    """The homes of ``controller_ids`` (default: every company of the user), by name.

    The caller has checked that the user may see these companies.
    """
    user = request.user
    if controller_ids is None:
        controller_ids = sorted(controller_ids_for(user) or [])
    controllers = list(
        Controller.objects.filter(pk__in=controller_ids).only("name", "slug").order_by("name")
    )
    registers = _registers([c.pk for c in controllers])
    version_pks = [r._version_pk for r in registers if r._version_pk is not None]
    moments = _published_moments(version_pks)
    published_in = _public_languages(version_pks)
    if user.is_superuser:
        publishes = {c.pk for c in controllers}
    else:
        publishes = set(
            Membership.objects.filter(
                user=user, controller_id__in=controller_ids, role=Membership.Role.PUBLISHER
            ).values_list("controller_id", flat=True)
        )
    homes = []
    for controller in controllers:
        states = [
            _state(register, controller.slug, moments, published_in)
            for register in registers
            if register.controller_id == controller.pk
        ]
        index = reverse(
            "notices:index",
            kwargs={"lang": translation.get_language(), "controller": controller.slug},
        )
        # The index lists what is online in its language; without any it is a 404.
        listed = any(state.public_language == translation.get_language() for state in states)
        homes.append(
            CompanyHome(
                controller=controller,
                registers=states,
                can_publish=controller.pk in publishes,
                view_site_url=index if listed else None,
            )
        )
    return homes
