"""Tenancy: which controllers' data a user may see and touch. Decided here only.

Everything else in the project (admins, forms, inlines, filters, autocomplete,
views, services) asks this package, by concern:

- ``queries``: ``scope()`` narrows a queryset to the user's controllers,
  ``controller_id_of()`` tells an object's tenant, ``is_member()``, ``can_publish()``
  and ``get_for_user_or_404()`` answer for one controller or object;
- ``forms``: model forms and inline formsets that keep every relation inside one
  controller and take the tenant of a new object from the admin, never from the form;
- ``admin``: the mixins that apply both to every page of the admin.

An object of another controller is a 404, never a redirect or a leak. The names
below are the package's public ones: import them from ``controllers.tenancy``.
"""

from .admin import (
    GlobalCatalogueAdminMixin,
    TenantAdminMixin,
    TenantAutocompleteSelect,
    TenantAutocompleteSelectMultiple,
    TenantInlineMixin,
    TenantRelatedFieldListFilter,
    has_admin_access,
    tenant_admin_kind,
)
from .forms import TenantInlineFormSet, TenantModelForm
from .queries import (
    can_publish,
    controller_id_of,
    controller_ids_for,
    controller_lookup,
    get_for_user_or_404,
    is_member,
    is_tenant_model,
    scope,
    tenant_path,
)

__all__ = [
    "GlobalCatalogueAdminMixin",
    "TenantAdminMixin",
    "TenantAutocompleteSelect",
    "TenantAutocompleteSelectMultiple",
    "TenantInlineFormSet",
    "TenantInlineMixin",
    "TenantModelForm",
    "TenantRelatedFieldListFilter",
    "can_publish",
    "controller_id_of",
    "controller_ids_for",
    "controller_lookup",
    "get_for_user_or_404",
    "has_admin_access",
    "is_member",
    "is_tenant_model",
    "scope",
    "tenant_admin_kind",
    "tenant_path",
]
