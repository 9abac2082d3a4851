from __future__ import annotations

from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from modeltranslation.admin import TabbedTranslationAdmin
from modeltranslation.utils import get_translation_fields

from .models import AuditEvent, ContactPerson, Controller, Membership
from .tenancy import TenantAdminMixin

admin.site.site_header = _("Privacy notices")
admin.site.site_title = _("Privacy notices")
admin.site.index_title = _("Describe your processing")
# The site is Django's default one, configured here: its "view on site" redirect
# (admin/r/<content type>/<id>/) is replaced by one that asks tenancy first.


@admin.register(Controller)
class ControllerAdmin(TenantAdminMixin, TabbedTranslationAdmin):
    members_can_add = False
    members_can_delete = False
    superuser_ordering = ("name",)  # the index controller_name
    list_display = ["name", "business_id", "slug", "city", "email"]
    search_fields = ["name", "business_id", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    fieldsets = [
        (_("Controller"), {"fields": ["name", "business_id", "slug"]}),
        (
            _("Contact details"),
            {
                "fields": [
                    "street_address",
                    "postal_code",
                    "city",
                    "country",
                    "phone",
                    "email",
                    "website",
                ]
            },
        ),
        (_("Data protection officer"), {"fields": ["dpo_name", "dpo_email", "dpo_phone"]}),
        (_("Representative in the EU"), {"fields": ["representative"]}),
        (_("Appearance of the notices"), {"fields": ["logo", "brand_color"]}),
        (_("Embedding on your websites"), {"fields": ["embed_origins"]}),
    ]

    def change_view(self, request, object_id, form_url="", extra_context=None):  # type: ignore[no-untyped-def]
        # The embed snippets of the company's registers, under the origins that allow them.
        obj = self.get_object(request, object_id)
        # With its company: the related manager sets each row's company from ``obj``
        # and would otherwise load the deferred key of every row, a query each.
        registers = obj.registers.only(
            "controller", "slug", "languages", *get_translation_fields("name")
        )
        extra = {"embed_registers": list(registers.order_by("slug"))}
        return super().change_view(request, object_id, form_url, {**extra, **(extra_context or {})})


@admin.register(ContactPerson)
class ContactPersonAdmin(TenantAdminMixin, TabbedTranslationAdmin):
    list_display = ["display_name", "title", "email", "phone", "controller"]
    list_filter = ["controller"]
    list_select_related = ["controller"]
    search_fields = [
        *get_translation_fields("name"),
        "email",
        *get_translation_fields("title"),
        "controller__name",
    ]
    fields = ["controller", "name", "title", "email", "phone", "postal_address"]

    # A name given once is the same in every language: listed in any admin language.
    @admin.display(description=_("name"), ordering="name")
    def display_name(self, obj: ContactPerson) -> str:
        return str(obj)


@admin.register(Membership)
class MembershipAdmin(TenantAdminMixin, admin.ModelAdmin):
    """Members see who has access to their controllers; superusers manage it."""

    members_can_add = False
    members_can_change = False
    members_can_delete = False
    list_display = ["user", "controller", "role"]
    list_filter = ["controller", "role"]
    list_select_related = ["user", "controller"]
    search_fields = ["user__username", "user__email", "controller__name"]
    autocomplete_fields = ["user"]


@admin.register(AuditEvent)
class AuditEventAdmin(TenantAdminMixin, admin.ModelAdmin):
    """The audit log of the user's controllers: read-only, for superusers too."""

    members_can_add = False
    members_can_change = False
    members_can_delete = False
    list_display = ["created_at", "username", "action", "content_type", "object_repr", "summary"]
    # A date filter rather than a date_hierarchy: the hierarchy's bar lists the
    # years, months or days that have events, which scans every company's events.
    list_filter = ["controller", "action", "created_at"]
    superuser_ordering = ("-created_at", "-pk")  # the index on created_at
    list_select_related = ["controller", "content_type"]
    search_fields = ["object_repr", "username", "details", "controller__name"]
    fields = [
        "created_at",
        "controller",
        "username",
        "action",
        "content_type",
        "object_id",
        "object_repr",
        "summary",
    ]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def has_delete_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    @admin.display(description=_("details"))
    def summary(self, obj: AuditEvent) -> str:
        return obj.summary()
