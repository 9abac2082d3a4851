"""The audit log: who did what, when, to which object of which controller.

``audit_record`` is the one way to write an ``AuditEvent``. The admin calls it for
every addition, change and deletion (``AuditedAdminMixin``, part of the tenancy
mixins, so every tenant admin records without opting in); the publishing services
call it for publish, offline and online. No signals: a row is written where the
action happens, in the same transaction.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from django.contrib.admin.utils import unquote
from django.contrib.admin.views.main import PAGE_VAR
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.db import models
from django.db.models import QuerySet
from django.http import Http404, HttpRequest
from django.template.response import TemplateResponse
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from .models import AuditEvent, Controller


def _controller_id(controller: Controller | int | None) -> int | None:
    if controller is None or isinstance(controller, int):
        return controller
    return controller.pk


def _user_fields(user: Any) -> dict[str, Any]:
    if user is None or not getattr(user, "is_authenticated", False):
        return {"user": None, "username": ""}
    return {"user": user, "username": user.get_username()[:150]}


def _event(
    *,
    user: Any,
    controller: Controller | int | None,
    action: str,
    obj: models.Model | None,
    details: str | list,
) -> AuditEvent:
    if isinstance(details, list):
        details = json.dumps(details) if details else ""
    event = AuditEvent(
        controller_id=_controller_id(controller),
        action=action,
        details=details,
        **_user_fields(user),
    )
    if obj is not None:
        event.content_type = ContentType.objects.get_for_model(obj, for_concrete_model=False)
        event.object_id = str(obj.pk)[:64] if obj.pk is not None else ""
        event.object_repr = str(obj)[:200]
    return event


def audit_record(
    *,
    user: Any,
    controller: Controller | int | None,
    action: str,
    obj: models.Model | None = None,
    details: str | list = "",
) -> AuditEvent:
    """Record that ``user`` did ``action`` (an ``AuditEvent.Action``) to ``obj``.

    ``details`` is a short text, or the admin's change message (a list, as the
    admin's own history stores it), which is shown translated.
    """
    event = _event(user=user, controller=controller, action=action, obj=obj, details=details)
    event.save()
    return event


def audit_record_many(
    *,
    user: Any,
    action: str,
    objects: Iterable[tuple[Controller | int | None, models.Model]],
) -> list[AuditEvent]:
    """Record the same action on many objects (a bulk deletion) in one query."""
    events = [
        _event(user=user, controller=controller, action=action, obj=obj, details="")
        for controller, obj in objects
    ]
    return AuditEvent.objects.bulk_create(events)


def object_history(obj: models.Model, *, controller: Controller | int | None) -> QuerySet:
    """The events about ``obj`` written while it belonged to ``controller``, newest first.

    An event names its object by content type and id only, and databases reuse
    ids (an import keeps the file's ids where free): the controller is what tells
    this object's events from those of an earlier object of another company with
    the same id. ``None`` is a shared catalogue's history (events without a
    controller).
    """
    controller_id = _controller_id(controller)
    events = AuditEvent.objects.filter(
        content_type=ContentType.objects.get_for_model(obj, for_concrete_model=False),
        object_id=str(obj.pk),
    )
    if controller_id is None:
        return events.filter(controller__isnull=True)
    return events.filter(controller_id=controller_id)


def ids_with_history(
    model: type[models.Model], ids: Iterable[int], *, controller: Controller | int | None
) -> set[int]:
    """Which of ``ids`` of ``model`` have events of another controller than ``controller``.

    Events of a deleted controller (whose ``controller`` is now empty) count as
    another's. An import gives none of these ids to a new object, so an object
    never starts life with a history that is not its company's.
    """
    events = AuditEvent.objects.filter(
        content_type=ContentType.objects.get_for_model(model, for_concrete_model=False),
        object_id__in=[str(i) for i in ids],
    )
    controller_id = _controller_id(controller)
    if controller_id is not None:
        events = events.exclude(controller_id=controller_id)
    return {int(found) for found in events.values_list("object_id", flat=True).distinct()}


class AuditedAdminMixin:
    """Records every addition, change and deletion made through an admin, and shows it.

    Hooks the admin's own logging, so inline changes are in the parent's change
    message and the bulk "delete selected" action is covered as well as the
    delete page. An object's history page shows its events from this log, of its
    own controller only (``object_history``), to superusers as to members.

    Django's ``LogEntry`` rows are still written by the admin's logging (they feed
    each user's own "Recent actions" on the admin index), but no history page
    reads them: they name an object by id only, and an id can be reused by
    another company's object.
    """

    history_per_page = 100

    def audit_controller(self, obj: models.Model) -> int | None:
        """The controller ``obj`` belongs to (None for shared catalogues).

        The admin mixins that use this class say which (the tenancy mixins ask
        controllers.tenancy). The audit log does not ask tenancy itself: tenancy
        builds on this module, not the other way round.
        """
        raise NotImplementedError

    def log_addition(self, request: HttpRequest, obj: models.Model, message: Any) -> Any:
        result = super().log_addition(request, obj, message)  # type: ignore[misc]
        audit_record(
            user=request.user,
            controller=self.audit_controller(obj),
            action=AuditEvent.Action.ADD,
            obj=obj,
            details=message,
        )
        return result

    def log_change(self, request: HttpRequest, obj: models.Model, message: Any) -> Any:
        result = super().log_change(request, obj, message)  # type: ignore[misc]
        audit_record(
            user=request.user,
            controller=self.audit_controller(obj),
            action=AuditEvent.Action.CHANGE,
            obj=obj,
            details=message,
        )
        return result

    def log_deletions(self, request: HttpRequest, queryset: Iterable[models.Model]) -> Any:
        # Called before the objects are deleted, while their controller is still known.
        objects = list(queryset)
        result = super().log_deletions(request, objects)  # type: ignore[misc]
        audit_record_many(
            user=request.user,
            action=AuditEvent.Action.DELETE,
            objects=[(self.audit_controller(obj), obj) for obj in objects],
        )
        return result

    def history_view(
        self, request: HttpRequest, object_id: str, extra_context: dict[str, Any] | None = None
    ) -> TemplateResponse:
        """The object's history: its audit events, newest first, in the reader's language."""
        obj = self.get_object(request, unquote(object_id))  # type: ignore[attr-defined]
        if obj is None:
            raise Http404(_("No such object."))
        if not self.has_view_or_change_permission(request, obj):  # type: ignore[attr-defined]
            raise PermissionDenied
        events = object_history(obj, controller=self.audit_controller(obj))
        paginator = self.get_paginator(request, events, self.history_per_page)  # type: ignore[attr-defined]
        page = paginator.get_page(request.GET.get(PAGE_VAR, 1))
        opts = self.opts  # type: ignore[attr-defined]
        fields = AuditEvent._meta
        context = {
            **self.admin_site.each_context(request),  # type: ignore[attr-defined]
            "title": _("Change history: %s") % obj,
            "subtitle": None,
            "action_list": page,
            "page_range": paginator.get_elided_page_range(page.number),
            "page_var": PAGE_VAR,
            "pagination_required": paginator.num_pages > 1,
            "module_name": str(capfirst(opts.verbose_name_plural)),
            "object": obj,
            "opts": opts,
            "headings": [
                capfirst(fields.get_field(name).verbose_name)
                for name in ("created_at", "username", "action", "details")
            ],
            "preserved_filters": self.get_preserved_filters(request),  # type: ignore[attr-defined]
            **(extra_context or {}),
        }
        request.current_app = self.admin_site.name  # type: ignore[attr-defined]
        return TemplateResponse(request, "admin/audit_history.html", context)
