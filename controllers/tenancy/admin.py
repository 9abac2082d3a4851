"""Row-level tenancy in the stock admin: every page asks ``queries``.

``TenantAdminMixin`` (model admins) and ``TenantInlineMixin`` (inlines) scope the
rows, narrow every foreign-key and many-to-many choice and every list filter to the
user's controllers, give new objects the tenant from the user rather than the form,
record every change in the audit log, and turn another controller's object into a
404. ``GlobalCatalogueAdminMixin`` opens a shared catalogue to every member for
reading only. Which of the three an admin is, ``tenant_admin_kind()`` tells.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import admin
from django.contrib.admin.filters import RelatedFieldListFilter
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.admin.utils import NotRelationField, get_fields_from_path
from django.contrib.admin.widgets import AutocompleteSelect, AutocompleteSelectMultiple
from django.contrib.contenttypes import views as contenttype_views
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import FieldDoesNotExist, ObjectDoesNotExist, ValidationError
from django.db import models
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import URLPattern, path
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from ..audit import AuditedAdminMixin
from .forms import (
    RowChoiceField,
    RowMultipleChoiceField,
    TenantInlineFormSet,
    TenantModelForm,
    tenant_form,
)
from .queries import (
    controller_id_of,
    controller_ids_for,
    is_member,
    is_tenant_model,
    scope,
    tenant_path,
)

# --- Tenancy in the admin -------------------------------------------------------------


def has_admin_access(user: Any) -> bool:
    """Whether ``user`` may use the admin: a superuser with staff status, or any member.

    Membership of a company is what grants access: nobody has to remember to tick
    "staff status" for a company's editor or publisher (forgetting it locked the
    user out with no hint). A superuser keeps Django's rule.
    """
    if not (getattr(user, "is_authenticated", False) and user.is_active):
        return False
    if user.is_superuser:
        return user.is_staff
    return bool(controller_ids_for(user))


class TenantRelatedFieldListFilter(RelatedFieldListFilter):
    """A related-field filter that lists no more than the user's own objects.

    A member gets a link per object of their own controllers. A superuser sees
    every company, so a link per company or register would grow the page and its
    query with the number of companies: the superuser gets a link only for the
    object already chosen (``?controller__id__exact=``, which keeps working) and
    finds a company's rows with the list's search box.
    """

    def field_choices(self, field, request, model_admin):  # type: ignore[no-untyped-def]
        related = field.related_model
        queryset = scope(related._default_manager.all(), request.user)
        self.lists_chosen_only = request.user.is_superuser
        if self.lists_chosen_only:
            queryset = queryset.filter(pk__in=self._chosen_keys(field))
        ordering = self.field_admin_ordering(field, request, model_admin)
        if ordering:
            queryset = queryset.order_by(*ordering)
        return [(obj.pk, str(obj)) for obj in queryset]

    def _chosen_keys(self, field) -> list[Any]:  # type: ignore[no-untyped-def]
        # A value that cannot be a key chooses nothing (the list then shows no rows).
        keys = []
        for value in self.lookup_val or []:
            try:
                keys.append(field.target_field.to_python(value))
            except (ValidationError, TypeError, ValueError):
                continue
        return keys

    def has_output(self) -> bool:
        return super().has_output() or (self.lists_chosen_only and bool(self.lookup_choices))


class _ForgivingAutocomplete:
    """An autocomplete box that shows a submitted value which cannot be a key as no choice.

    Django's own looks every submitted value up when it redisplays a refused form,
    and a value such as ``processor=abc`` then fails with a server error instead
    of the field's "Select a valid choice".
    """

    # The row's current choice when its form already holds it (fetched with the row,
    # ``notices.widgets.SharedChoicesFormSet``): shown without a query of its own.
    chosen: models.Model | None = None

    def optgroups(self, name, value, attr=None):  # type: ignore[no-untyped-def]
        target = self.field.target_field
        keys = []
        for item in value:
            try:
                target.to_python(item)
            except (ValidationError, TypeError, ValueError):
                continue
            keys.append(item)
        chosen = self.chosen
        if chosen is not None and target.primary_key and [str(k) for k in keys] == [str(chosen.pk)]:
            return self._chosen_groups(name, chosen)
        return super().optgroups(name, keys, attr)

    def _chosen_groups(self, name: str, chosen: models.Model) -> list:
        """Django's groups for one selected object (``AutocompleteMixin.optgroups``)."""
        options = []
        if not self.is_required and not self.allow_multiple_selected:
            options.append(self.create_option(name, "", "", False, 0))
        label = self.choices.field.label_from_instance(chosen)
        options.append(self.create_option(name, chosen.pk, label, True, len(options)))
        return [(None, options, 0)]


class TenantAutocompleteSelect(_ForgivingAutocomplete, AutocompleteSelect):
    pass


class TenantAutocompleteSelectMultiple(_ForgivingAutocomplete, AutocompleteSelectMultiple):
    pass


class _TenantAdminBase:
    """What model admins and inlines share: permissions and scoped choices."""

    # Addresses typed without a scheme are taken as https.
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}

    # What members (non-superusers) may do besides viewing their own rows.
    members_can_add = True
    members_can_change = True
    members_can_delete = True

    def _is_tenant_user(self, request: HttpRequest) -> bool:
        return has_admin_access(request.user)

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

    # The choices of a relation are scoped to the user's controllers here; the form
    # narrows them further to the one controller and parent of the page.
    def formfield_for_foreignkey(self, db_field, request, **kwargs):  # type: ignore[no-untyped-def]
        related = db_field.related_model
        base = kwargs.get("queryset", related._default_manager.all())
        kwargs["queryset"] = scope(base, request.user)
        if "widget" not in kwargs and db_field.name in self.get_autocomplete_fields(request):
            kwargs["widget"] = TenantAutocompleteSelect(
                db_field, self.admin_site, using=kwargs.get("using")
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):  # type: ignore[no-untyped-def]
        related = db_field.related_model
        base = kwargs.get("queryset", related._default_manager.all())
        kwargs["queryset"] = scope(base, request.user)
        if "widget" not in kwargs and db_field.name in self.get_autocomplete_fields(request):
            kwargs["widget"] = TenantAutocompleteSelectMultiple(
                db_field, self.admin_site, using=kwargs.get("using")
            )
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return scope(super().get_queryset(request), request.user)


class _ChangeTitleMixin:
    """A change page titled by the site's hand-written title for the model, if it has one."""

    def change_view(self, request, object_id, form_url="", extra_context=None):  # type: ignore[no-untyped-def]
        change_title = getattr(self.admin_site, "change_title", None)
        title = change_title(self.model) if change_title else None
        # Without the right to change, Django's own "View …" title stays.
        if title and self.has_change_permission(request):
            extra_context = {"title": title, **(extra_context or {})}
        return super().change_view(request, object_id, form_url, extra_context)


class TenantAdminMixin(_ChangeTitleMixin, AuditedAdminMixin, _TenantAdminBase):
    """Row-level tenancy for a ModelAdmin. Put it first among the bases.

    Every addition, change and deletion is also recorded in the controller's audit
    log (controllers.audit).
    """

    form = TenantModelForm

    # A superuser's list covers every company. Its page counts the rows it shows
    # but not the whole table a second time ("N results (M total)"), and, when no
    # column is chosen, is ordered by an index of the table itself: the models'
    # own orderings go across tables (``controller__name``), which sorts every
    # row of every company before the first page is cut. A member's list keeps
    # the model's ordering: it holds one company's rows.
    show_full_result_count = False
    superuser_ordering: tuple[str, ...] = ("-pk",)

    def get_ordering(self, request):  # type: ignore[no-untyped-def]
        if request.user.is_superuser and self.superuser_ordering:
            return list(self.superuser_ordering)
        return super().get_ordering(request)

    def audit_controller(self, obj: models.Model) -> int | None:
        return controller_id_of(obj) if is_tenant_model(type(obj)) else None

    def get_object(self, request, object_id, from_field=None):  # type: ignore[no-untyped-def]
        # Another controller's object, like a missing one, is a 404: no redirect
        # with a message that would tell the object exists.
        obj = super().get_object(request, object_id, from_field)
        if obj is None:
            raise Http404(_("No such object."))
        return obj

    def get_form(self, request, obj=None, change=False, **kwargs):  # type: ignore[no-untyped-def]
        form = super().get_form(request, obj, change=change, **kwargs)
        return tenant_form(form, user=request.user, model=self.model, obj=obj)

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


class TenantInlineMixin(_TenantAdminBase):
    """Row-level tenancy for an inline: scoped rows and choices, tenant checks on POST."""

    form = TenantModelForm
    formset = TenantInlineFormSet

    # A row's relations are checked against what all the rows chose, in one query
    # (``TenantInlineFormSet``), not one query per row.
    def formfield_for_foreignkey(self, db_field, request, **kwargs):  # type: ignore[no-untyped-def]
        kwargs.setdefault("form_class", RowChoiceField)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):  # type: ignore[no-untyped-def]
        kwargs.setdefault("form_class", RowMultipleChoiceField)
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def get_formset(self, request, obj=None, **kwargs):  # type: ignore[no-untyped-def]
        # ``obj`` is the parent: its controller is the rows' controller.
        formset = super().get_formset(request, obj, **kwargs)
        formset.form = tenant_form(
            formset.form, user=request.user, model=self.parent_model, obj=obj
        )
        return formset


class GlobalCatalogueAdminMixin(_ChangeTitleMixin, AuditedAdminMixin, _TenantAdminBase):
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


def view_on_site(
    request: HttpRequest, content_type_id: int, object_id: str, *, site: admin.AdminSite
) -> HttpResponse:
    """Django's "view on site" redirect, for an object the user may view in ``site`` only.

    Django's own looks the id up in every company and, with DEBUG on, tells a
    missing object from one without a public address by its 404 message. Here
    an object the user may not view, of a model without an admin, or missing,
    is the same 404.
    """
    try:
        model = ContentType.objects.get_for_id(content_type_id).model_class()
    except ContentType.DoesNotExist:
        model = None
    model_admin = site.get_model_admin(model) if model and site.is_registered(model) else None
    if model_admin is None:
        raise Http404(_("No such object."))
    try:
        obj = model_admin.get_queryset(request).get(pk=object_id)
    except (ObjectDoesNotExist, ValidationError, ValueError) as error:
        raise Http404(_("No such object.")) from error
    if not model_admin.has_view_permission(request, obj):
        raise Http404(_("No such object."))
    return contenttype_views.shortcut(request, content_type_id, object_id)


class MemberAuthenticationForm(AdminAuthenticationForm):
    """The admin's login form: a member may log in without staff status."""

    def confirm_login_allowed(self, user: Any) -> None:
        if not has_admin_access(user):
            raise ValidationError(
                self.error_messages["invalid_login"],
                code="invalid_login",
                params={"username": self.username_field.verbose_name},
            )


class TenantAdminSite(admin.AdminSite):
    """The project's admin site: Django's, with the tenant ``view_on_site`` redirect.

    Admin access is membership (``has_admin_access``), not the staff flag.
    notices.admin_site.NoticesAdminSite builds on it; config.apps installs that.
    """

    login_form = MemberAuthenticationForm

    def has_permission(self, request: HttpRequest) -> bool:
        return has_admin_access(request.user)

    # Django titles a change page "Change %s" with the model's verbose name, and
    # Finnish needs that object in the partitive ("Muokkaa rekisteriä", never
    # "Muokkaa rekisteri"), which no pattern can make: each title is written out
    # here and translated by hand. A model missing here keeps Django's title.
    change_titles: dict[str, Promise] = {
        "controllers.controller": _("Change controller"),
        "controllers.contactperson": _("Change contact person"),
        "controllers.membership": _("Change membership"),
        "notices.legalbasis": _("Change legal basis"),
        "notices.right": _("Change data subject right"),
        "notices.supervisoryauthority": _("Change supervisory authority"),
        "notices.processor": _("Change processor"),
        "notices.register": _("Change register"),
    }

    def change_title(self, model: type[models.Model]) -> Promise | None:
        """The change page's title for ``model`` in the active language, if written out."""
        return self.change_titles.get(model._meta.label_lower)

    def get_urls(self) -> list[Any]:
        view = self.admin_view(_view_on_site_of(self))
        return [
            path("r/<int:content_type_id>/<path:object_id>/", view, name="view_on_site")
            if isinstance(pattern, URLPattern) and pattern.name == "view_on_site"
            else pattern
            for pattern in super().get_urls()
        ]


def _view_on_site_of(site: admin.AdminSite) -> Callable[..., HttpResponse]:
    def view(request: HttpRequest, content_type_id: int, object_id: str) -> HttpResponse:
        return view_on_site(request, content_type_id, object_id, site=site)

    return view
