"""Tenancy: which controllers' data a user may see and touch. Decided here only.

Every tenant-owned model declares ``tenant_path``, the lookup from the model to
its Controller ("" for Controller itself, "controller", "register__controller");
``None`` marks a shared catalogue that is the same for everyone. Everything else
in the project (admins, forms, inlines, filters, autocomplete, views) asks this
module: ``scope()`` narrows a queryset, ``controller_id_of()`` tells an object's
tenant, and the admin mixins below apply both to every page of the admin.

An object of another controller is a 404, never a redirect or a leak.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django import forms
from django.contrib import admin
from django.contrib.admin.filters import RelatedFieldListFilter
from django.contrib.admin.utils import NotRelationField, get_fields_from_path
from django.contrib.admin.widgets import AutocompleteSelect, AutocompleteSelectMultiple
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db import models
from django.db.models import QuerySet
from django.forms.models import BaseInlineFormSet
from django.http import Http404, HttpRequest
from django.utils.translation import gettext_lazy as _

from .audit import AuditedAdminMixin
from .models import Controller, Membership
from .validators import validate_no_control_characters

# --- Queries ------------------------------------------------------------------------


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

    Cached on the user object for the length of a request.
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


def _related_model(field: models.Field) -> type[models.Model] | None:
    if field.is_relation and field.related_model is not None:
        return field.related_model
    return None


# --- Forms ---------------------------------------------------------------------------


class TenantModelForm(forms.ModelForm):
    """A model form that keeps every relation inside one controller.

    The admin sets ``tenant_user`` and, when it is known, ``tenant_controller_id``
    on a per-request subclass. The tenant of a new object comes from there, never
    from the submitted data.
    """

    tenant_user: Any = None
    tenant_controller_id: int | None = None

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if (
            tenant_path(self._meta.model) == "controller"
            and self.instance.controller_id is None
            and self.tenant_controller_id is not None
        ):
            self.instance.controller_id = self.tenant_controller_id

    def _own_controller_id(self, cleaned: dict[str, Any]) -> int | None:
        path = tenant_path(self._meta.model)
        if path is None:
            return None
        if path == "":
            return self.instance.pk
        first = path.split("__")[0]
        parent = cleaned.get(first)
        if parent is not None:
            if isinstance(parent, Controller):
                return parent.pk
            return controller_id_of(parent)
        return controller_id_of(self.instance) or self.tenant_controller_id

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        own = self._own_controller_id(cleaned)
        for name, value in list(cleaned.items()):
            try:
                field = self._meta.model._meta.get_field(name)
            except FieldDoesNotExist:
                continue
            related = _related_model(field)
            if related is None or not is_tenant_model(related) or value is None:
                continue
            values: Iterable[models.Model] = value if field.many_to_many else [value]
            for obj in values:
                other = controller_id_of(obj)
                foreign = self.tenant_user is not None and not is_member(self.tenant_user, other)
                if foreign or (own is not None and other != own):
                    self.add_error(
                        name,
                        ValidationError(
                            _("“%(object)s” belongs to another controller."),
                            code="other_controller",
                            params={"object": obj},
                        ),
                    )
                    break
        return cleaned

    def _get_validation_exclusions(self) -> set[str]:
        # The tenant field is set by us, not by the form, but the uniqueness rules
        # that include it (a slug unique within a controller) must still be checked.
        exclude = super()._get_validation_exclusions()
        if tenant_path(self._meta.model) == "controller" and self.instance.controller_id:
            exclude.discard("controller")
        return exclude


# --- Admin ---------------------------------------------------------------------------


class TenantRelatedFieldListFilter(RelatedFieldListFilter):
    """A related-field filter that offers only the user's own controllers' objects."""

    def field_choices(self, field, request, model_admin):  # type: ignore[no-untyped-def]
        related = field.related_model
        queryset = scope(related._default_manager.all(), request.user)
        ordering = self.field_admin_ordering(field, request, model_admin)
        if ordering:
            queryset = queryset.order_by(*ordering)
        return [(obj.pk, str(obj)) for obj in queryset]


# The most characters a long text (a register's introduction, a description) may have.
TEXT_MAX_LENGTH = 10_000


class _ForgivingAutocomplete:
    """An autocomplete box that shows a submitted value which cannot be a key as no choice.

    Django's own looks every submitted value up when it redisplays a refused form,
    and a value such as ``processor=abc`` then fails with a server error instead
    of the field's "Select a valid choice".
    """

    def optgroups(self, name, value, attr=None):  # type: ignore[no-untyped-def]
        target = self.field.target_field
        keys = []
        for item in value:
            try:
                target.to_python(item)
            except (ValidationError, TypeError, ValueError):
                continue
            keys.append(item)
        return super().optgroups(name, keys, attr)


class TenantAutocompleteSelect(_ForgivingAutocomplete, AutocompleteSelect):
    pass


class TenantAutocompleteSelectMultiple(_ForgivingAutocomplete, AutocompleteSelectMultiple):
    pass


class _TenantAdminBase:
    """What model admins and inlines share: permissions and scoped choices."""

    # Addresses typed without a scheme are taken as https. Texts may hold no
    # invisible control characters (controllers.validators), and long texts have a
    # limit: a megabyte pasted into one field would make the admin page and the PDF
    # of every version huge and slow.
    formfield_overrides = {
        models.URLField: {"assume_scheme": "https"},
        models.CharField: {"validators": [validate_no_control_characters]},
        models.TextField: {
            "max_length": TEXT_MAX_LENGTH,
            "validators": [validate_no_control_characters],
        },
    }

    # What members (non-superusers) may do besides viewing their own rows.
    members_can_add = True
    members_can_change = True
    members_can_delete = True

    def _is_tenant_user(self, request: HttpRequest) -> bool:
        user = request.user
        if not (user.is_active and user.is_staff):
            return False
        return user.is_superuser or bool(controller_ids_for(user))

    def _may_touch(self, request: HttpRequest, obj: models.Model | None) -> bool:
        if not self._is_tenant_user(request):
            return False
        if obj is None or not is_tenant_model(type(obj)):
            return True
        return is_member(request.user, controller_id_of(obj))

    def _member_may(self, request: HttpRequest, allowed: bool, obj: models.Model | None) -> bool:
        if request.user.is_superuser:
            return request.user.is_active and request.user.is_staff
        if not allowed or not is_tenant_model(self.model):
            return False
        return self._may_touch(request, obj)

    def has_view_permission(self, request: HttpRequest, obj: models.Model | None = None) -> bool:
        return self._may_touch(request, obj)

    def has_change_permission(self, request: HttpRequest, obj: models.Model | None = None) -> bool:
        return self._member_may(request, self.members_can_change, obj)

    def has_add_permission(self, request: HttpRequest, obj: models.Model | None = None) -> bool:
        return self._member_may(request, self.members_can_add, obj)

    def has_delete_permission(self, request: HttpRequest, obj: models.Model | None = None) -> bool:
        return self._member_may(request, self.members_can_delete, obj)

    def _current_controller_id(self, request: HttpRequest) -> int | None:
        return getattr(request, "_tenant_controller_id", None)

    def _narrow(self, request: HttpRequest, related: type[models.Model], queryset: QuerySet):
        if not is_tenant_model(related):
            return queryset
        queryset = scope(queryset, request.user)
        controller_id = self._current_controller_id(request)
        if controller_id is not None:
            queryset = queryset.filter(**{controller_lookup(related): controller_id})
        return queryset

    def formfield_for_foreignkey(self, db_field, request, **kwargs):  # type: ignore[no-untyped-def]
        related = db_field.related_model
        base = kwargs.get("queryset", related._default_manager.all())
        kwargs["queryset"] = self._narrow(request, related, base)
        if "widget" not in kwargs and db_field.name in self.get_autocomplete_fields(request):
            kwargs["widget"] = TenantAutocompleteSelect(
                db_field, self.admin_site, using=kwargs.get("using")
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):  # type: ignore[no-untyped-def]
        related = db_field.related_model
        base = kwargs.get("queryset", related._default_manager.all())
        kwargs["queryset"] = self._narrow(request, related, base)
        if "widget" not in kwargs and db_field.name in self.get_autocomplete_fields(request):
            kwargs["widget"] = TenantAutocompleteSelectMultiple(
                db_field, self.admin_site, using=kwargs.get("using")
            )
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return scope(super().get_queryset(request), request.user)


def _tenant_form(base: type[forms.ModelForm], request: HttpRequest) -> type[forms.ModelForm]:
    """A per-request subclass of ``base`` that knows the user and the tenant."""
    return type(
        base.__name__,
        (base,),
        {
            "tenant_user": request.user,
            "tenant_controller_id": getattr(request, "_tenant_controller_id", None),
        },
    )


class TenantAdminMixin(AuditedAdminMixin, _TenantAdminBase):
    """Row-level tenancy for a ModelAdmin. Put it first among the bases.

    Every addition, change and deletion is also recorded in the controller's audit
    log (controllers.audit).
    """

    form = TenantModelForm

    def audit_controller(self, obj: models.Model) -> int | None:
        return controller_id_of(obj) if is_tenant_model(type(obj)) else None

    def get_object(self, request, object_id, from_field=None):  # type: ignore[no-untyped-def]
        # Another controller's object, like a missing one, is a 404: no redirect
        # with a message that would tell the object exists.
        obj = super().get_object(request, object_id, from_field)
        if obj is None:
            raise Http404(_("No such object."))
        return obj

    def _remember_controller(self, request: HttpRequest, obj: models.Model | None) -> None:
        controller_id = None
        if obj is not None and obj.pk is not None and is_tenant_model(type(obj)):
            controller_id = controller_id_of(obj)
        elif is_tenant_model(self.model):
            ids = controller_ids_for(request.user)
            if ids is not None and len(ids) == 1:
                controller_id = next(iter(ids))
        request._tenant_controller_id = controller_id

    def get_form(self, request, obj=None, change=False, **kwargs):  # type: ignore[no-untyped-def]
        self._remember_controller(request, obj)
        form = super().get_form(request, obj, change=change, **kwargs)
        return _tenant_form(form, request)

    def get_formsets_with_inlines(self, request, obj=None):  # type: ignore[no-untyped-def]
        self._remember_controller(request, obj)
        yield from super().get_formsets_with_inlines(request, obj)

    def get_exclude(self, request, obj=None):  # type: ignore[no-untyped-def]
        exclude = list(super().get_exclude(request, obj) or [])
        # The tenant is never chosen in a form when it is already known.
        if tenant_path(self.model) == "controller":
            ids = controller_ids_for(request.user)
            if obj is not None or (ids is not None and len(ids) == 1):
                exclude.append("controller")
        return exclude

    def get_fieldsets(self, request, obj=None):  # type: ignore[no-untyped-def]
        fieldsets = super().get_fieldsets(request, obj)
        excluded = set(self.get_exclude(request, obj) or [])
        if not excluded:
            return fieldsets
        return [
            (name, {**opts, "fields": [f for f in opts["fields"] if f not in excluded]})
            for name, opts in fieldsets
        ]

    def get_readonly_fields(self, request, obj=None):  # type: ignore[no-untyped-def]
        readonly = list(super().get_readonly_fields(request, obj))
        if obj is not None and tenant_path(self.model) == "controller":
            readonly.append("controller")
        return readonly

    def get_list_filter(self, request):  # type: ignore[no-untyped-def]
        filters = []
        for item in super().get_list_filter(request):
            if isinstance(item, str):
                try:
                    field = get_fields_from_path(self.model, item)[-1]
                except (FieldDoesNotExist, NotRelationField):
                    field = None
                if field is not None and field.is_relation:
                    item = (item, TenantRelatedFieldListFilter)
            filters.append(item)
        return filters

    def has_module_permission(self, request: HttpRequest) -> bool:
        return self._is_tenant_user(request)


class TenantInlineFormSet(BaseInlineFormSet):
    """An inline formset whose rows can only name the parent's own children.

    Django validates a row's hidden id against every row of the model; a row id of
    another register (or controller) would then be silently ignored. Here it is a
    form error instead.
    """

    def add_fields(self, form: forms.ModelForm, index: int | None) -> None:
        super().add_fields(form, index)
        pk_field = form.fields.get(self._pk_field.name)
        if isinstance(pk_field, forms.ModelChoiceField):
            pk_field.queryset = self.get_queryset()


class TenantInlineMixin(_TenantAdminBase):
    """Row-level tenancy for an inline: scoped rows and choices, tenant checks on POST."""

    form = TenantModelForm
    formset = TenantInlineFormSet

    def get_formset(self, request, obj=None, **kwargs):  # type: ignore[no-untyped-def]
        request._tenant_parent = obj
        formset = super().get_formset(request, obj, **kwargs)
        formset.form = _tenant_form(formset.form, request)
        return formset

    def _narrow(self, request: HttpRequest, related: type[models.Model], queryset: QuerySet):
        # Within a register's page, offer only that register's own parts.
        queryset = super()._narrow(request, related, queryset)
        parent = getattr(request, "_tenant_parent", None)
        if parent is None or not is_tenant_model(related):
            return queryset
        for field in related._meta.get_fields():
            if field.many_to_one and field.related_model is type(parent):
                return queryset.filter(**{field.name: parent.pk}) if parent.pk else queryset.none()
        return queryset


class GlobalCatalogueAdminMixin(AuditedAdminMixin, _TenantAdminBase):
    """A shared catalogue: every member may read it, only superusers change it.

    Changes are audited without a controller: only superusers see those events.
    """

    def audit_controller(self, obj: models.Model) -> None:
        return None

    def has_module_permission(self, request: HttpRequest) -> bool:
        return self._is_tenant_user(request)

    def get_object(self, request, object_id, from_field=None):  # type: ignore[no-untyped-def]
        obj = super().get_object(request, object_id, from_field)
        if obj is None:
            raise Http404(_("No such object."))
        return obj


def tenant_admin_kind(model_admin: admin.ModelAdmin) -> str:
    """How ``model_admin`` decides access: 'tenant', 'catalogue' or 'django'."""
    if isinstance(model_admin, TenantAdminMixin):
        return "tenant"
    if isinstance(model_admin, GlobalCatalogueAdminMixin):
        return "catalogue"
    return "django"
