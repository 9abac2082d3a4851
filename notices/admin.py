from __future__ import annotations

from django.contrib import admin
from django.db.models import Count
from django.utils.translation import gettext_lazy as _
from modeltranslation.admin import (
    TabbedTranslationAdmin,
    TranslationStackedInline,
    TranslationTabularInline,
)

from controllers.tenancy import GlobalCatalogueAdminMixin, TenantAdminMixin, TenantInlineMixin

from . import services
from .forms import DataCategoryForm, PurposeForm
from .models import (
    Cookie,
    DataCategory,
    DataSubjectGroup,
    LegalBasis,
    Processor,
    Purpose,
    Recipient,
    Register,
    RegisterProcessor,
    RegisterRight,
    RetentionRule,
    Right,
    SecurityMeasure,
    Source,
    SupervisoryAuthority,
    Transfer,
)

# --- Shared catalogues: read by everyone, changed by superusers --------------------


@admin.register(LegalBasis)
class LegalBasisAdmin(GlobalCatalogueAdminMixin, TabbedTranslationAdmin):
    list_display = ["article", "name", "kind"]
    list_filter = ["kind"]
    search_fields = ["article", "name_fi", "name_en"]
    fields = ["code", "article", "kind", "name", "description", "order"]


@admin.register(Right)
class RightAdmin(GlobalCatalogueAdminMixin, TabbedTranslationAdmin):
    list_display = ["name", "article", "can_be_omitted"]
    search_fields = ["name_fi", "name_en"]
    fields = ["code", "article", "name", "default_text", "can_be_omitted", "order"]


@admin.register(SupervisoryAuthority)
class SupervisoryAuthorityAdmin(GlobalCatalogueAdminMixin, TabbedTranslationAdmin):
    list_display = ["name", "email", "phone", "is_default"]
    search_fields = ["name_fi", "name_en"]


# --- Processors: defined once per controller ---------------------------------------


@admin.register(Processor)
class ProcessorAdmin(TenantAdminMixin, TabbedTranslationAdmin):
    list_display = ["name", "service", "country", "controller", "register_count"]
    list_filter = ["controller", "country"]
    list_select_related = ["controller"]
    search_fields = ["name", "service_fi", "service_en"]
    fields = ["controller", "name", "service", "country", "website"]

    def get_queryset(self, request):  # type: ignore[no-untyped-def]
        return super().get_queryset(request).annotate(_register_count=Count("registers"))

    @admin.display(description=_("registers"), ordering="_register_count")
    def register_count(self, obj: Processor) -> int:
        return obj._register_count


# --- A register and its parts, in the order of the notice's sections ---------------


class RegisterPartInline(TenantInlineMixin, TranslationStackedInline):
    extra = 0
    classes = ["collapse"]


class RegisterPartTabularInline(TenantInlineMixin, TranslationTabularInline):
    extra = 0


class DataSubjectGroupInline(RegisterPartTabularInline):
    model = DataSubjectGroup
    fields = ["order", "name", "description"]


class PurposeInline(RegisterPartInline):
    model = Purpose
    form = PurposeForm
    fields = ["order", "name", "description", "legal_bases", "legitimate_interest"]
    filter_horizontal = ["legal_bases"]


class DataCategoryInline(RegisterPartInline):
    model = DataCategory
    form = DataCategoryForm
    fields = ["order", "name", "description", "is_special", "subject_groups"]


class SourceInline(RegisterPartTabularInline):
    model = Source
    fields = ["order", "name", "description", "is_public"]


class RecipientInline(RegisterPartTabularInline):
    model = Recipient
    fields = ["order", "name", "description", "is_regular_disclosure"]


class RegisterProcessorInline(RegisterPartTabularInline):
    model = RegisterProcessor
    fields = ["order", "processor", "processes"]
    autocomplete_fields = ["processor"]


class TransferInline(RegisterPartInline):
    model = Transfer
    fields = ["order", "country", "processor", "recipient", "safeguard", "copy_info"]
    autocomplete_fields = ["processor"]


class RetentionRuleInline(RegisterPartInline):
    model = RetentionRule
    fields = ["order", "data_category", "period", "period_unit", "starting_event", "criteria"]


class SecurityMeasureInline(RegisterPartTabularInline):
    model = SecurityMeasure
    fields = ["order", "kind", "description"]


class CookieInline(RegisterPartTabularInline):
    model = Cookie
    fields = ["order", "name", "provider", "category", "purpose", "duration", "consent_required"]


class RegisterRightInline(RegisterPartTabularInline):
    model = RegisterRight
    fields = ["order", "right", "included", "text"]


@admin.register(Register)
class RegisterAdmin(TenantAdminMixin, TabbedTranslationAdmin):
    list_display = [
        "name",
        "controller",
        "slug",
        "data_origin",
        "publish_in_english",
        "purpose_count",
        "updated_at",
    ]
    list_filter = ["controller", "data_origin", "publish_in_english"]
    list_select_related = ["controller"]
    search_fields = ["name_fi", "name_en", "slug", "controller__name"]
    prepopulated_fields = {"slug": ["name_fi"]}
    fieldsets = [
        (_("Register"), {"fields": ["controller", "name", "slug", "introduction"]}),
        (_("Contact person for register matters"), {"fields": ["contact_person"]}),
        (
            _("Where the data comes from"),
            {"fields": ["data_origin", "statutory_requirement"]},
        ),
        (_("Recipients"), {"fields": ["no_recipients"]}),
        (_("Transfers outside the EU/EEA"), {"fields": ["no_transfers"]}),
        (_("Cookies"), {"fields": ["cookies_info"]}),
        (
            _("Rights of the data subject"),
            {"fields": ["rights_exercise", "supervisory_authority"]},
        ),
        (
            _("Automated decision-making and profiling"),
            {"fields": ["has_automated_decisions", "automated_decisions"]},
        ),
        (_("Publishing"), {"fields": ["publish_in_english"]}),
    ]
    inlines = [
        DataSubjectGroupInline,
        PurposeInline,
        DataCategoryInline,
        SourceInline,
        RecipientInline,
        RegisterProcessorInline,
        TransferInline,
        RetentionRuleInline,
        SecurityMeasureInline,
        CookieInline,
        RegisterRightInline,
    ]

    def get_queryset(self, request):  # type: ignore[no-untyped-def]
        return super().get_queryset(request).annotate(_purpose_count=Count("purposes"))

    @admin.display(description=_("purposes"), ordering="_purpose_count")
    def purpose_count(self, obj: Register) -> int:
        return obj._purpose_count

    def save_related(self, request, form, formsets, change):  # type: ignore[no-untyped-def]
        super().save_related(request, form, formsets, change)
        if not change:
            services.register_add_default_rights(register=form.instance)
