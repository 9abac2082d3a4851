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

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.http import HttpRequest

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


class AuditedAdminMixin:
    """Records every addition, change and deletion made through an admin.

    Hooks the admin's own logging (which also feeds each object's history page),
    so inline changes are in the parent's change message and the bulk "delete
    selected" action is covered as well as the delete page.
    """

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
