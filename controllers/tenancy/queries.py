"""Which controllers' rows a user may see and touch: the questions everything asks.

Every tenant-owned model declares ``tenant_path``, the lookup from the model to its
Controller ("" for Controller itself, "controller", "register__controller"); ``None``
marks a shared catalogue that is the same for everyone. ``scope()`` narrows a
queryset to the user's controllers, ``controller_id_of()`` tells an object's tenant,
``get_for_user_or_404()`` turns another controller's object into a 404.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import QuerySet
from django.http import Http404

from ..models import Controller, Membership


def tenant_path(model: type[models.Model]) -> str | None:
    """The lookup from ``model`` to its Controller, or None for a shared catalogue."""
    return getattr(model, "tenant_path", None)


def is_tenant_model(model: type[models.Model]) -> bool:
    return tenant_path(model) is not None


def controller_lookup(model: type[models.Model]) -> str:
    """The lookup that yields the controller's primary key, e.g. ``register__controller``."""
    path = tenant_path(model)
    if path is None:
        raise ValueError(f"{model.__name__} is a shared catalogue, not tenant data")
    return path or "pk"


def controller_ids_for(user: Any) -> set[int] | None:
    """The ids of the controllers ``user`` belongs to; None means every controller.

    Remembered on the user object, as Django's own ModelBackend remembers a user's
    permissions: ``request.user`` is loaded anew for each request, so the memo
    lasts one request, and an admin page asks over 300 times (the permissions of
    every admin, inline and row). A membership changed within that request is not
    seen by it.
    """
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return set()
    if user.is_superuser:
        return None
    cached = getattr(user, "_tenant_controller_ids", None)
    if cached is None:
        cached = set(Membership.objects.filter(user=user).values_list("controller_id", flat=True))
        user._tenant_controller_ids = cached
    return cached


def scope(queryset: QuerySet, user: Any) -> QuerySet:
    """Narrow ``queryset`` to the rows of the controllers ``user`` belongs to."""
    model = queryset.model
    if not is_tenant_model(model):
        return queryset
    ids = controller_ids_for(user)
    if ids is None:
        return queryset
    return queryset.filter(**{f"{controller_lookup(model)}__in": ids})


def controller_id_of(obj: models.Model) -> int | None:
    """The primary key of the controller that owns ``obj`` (None if not yet known)."""
    path = tenant_path(type(obj))
    if path is None:
        raise ValueError(f"{type(obj).__name__} is a shared catalogue, not tenant data")
    if path == "":
        return obj.pk
    *hops, last = path.split("__")
    target: Any = obj
    for hop in hops:
        field = target._meta.get_field(hop)
        # An unsaved parent may be cached on the object before its id exists.
        if getattr(target, field.attname) is None and not field.is_cached(target):
            return None
        target = getattr(target, hop)
    return getattr(target, f"{last}_id", None)


def is_member(user: Any, controller_id: int | None) -> bool:
    ids = controller_ids_for(user)
    return ids is None or (controller_id is not None and controller_id in ids)


def can_publish(user: Any, controller: Controller | int) -> bool:
    """Whether ``user`` may publish the notices of ``controller`` (publisher role)."""
    controller_id = controller if isinstance(controller, int) else controller.pk
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    if user.is_superuser:
        return True
    return Membership.objects.filter(
        user=user, controller_id=controller_id, role=Membership.Role.PUBLISHER
    ).exists()


def get_for_user_or_404(queryset: QuerySet, user: Any, **lookup: Any) -> models.Model:
    """The object of ``queryset`` matching ``lookup`` within the user's tenants, else 404."""
    try:
        return scope(queryset, user).get(**lookup)
    except (queryset.model.DoesNotExist, ValidationError, ValueError) as exc:
        raise Http404 from exc
