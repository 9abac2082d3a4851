from __future__ import annotations

from datetime import date, datetime

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin.views.main import ChangeList
from django.core.exceptions import PermissionDenied
from django.db.models import Count, IntegerField, OuterRef, Prefetch, Subquery
from django.db.models.functions import Coalesce
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone, translation
from django.utils.html import escape
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from modeltranslation.admin import (
    TabbedTranslationAdmin,
    TranslationStackedInline,
    TranslationTabularInline,
)

from controllers.tenancy import (
    GlobalCatalogueAdminMixin,
    TenantAdminMixin,
    TenantInlineMixin,
    can_publish,
    get_for_user_or_404,
    scope,
)
from controllers.validators import validate_no_control_characters

from . import languages, rendering, services, steps
from .change_details import detailed_changes
from .changes import describe
from .completeness import PublishWarning, check_completeness, check_warnings
from .forms import RegisterForm
from .in_force import start_of_day
from .languages import native_name
from .models import (
    LegalBasis,
    NoticeVersion,
    Processor,
    Purpose,
    Register,
    RegisterProcessor,
    Right,
    SupervisoryAuthority,
)
from .parts import PARTS, Part
from .steps_admin import GuidedStepsMixin
from .widgets import SharedChoicesFormSet, fast_selects

# --- Shared catalogues: read by everyone, changed by superusers --------------------


@admin.register(LegalBasis)
class LegalBasisAdmin(GlobalCatalogueAdminMixin, TabbedTranslationAdmin):
    list_display = ["article", "name", "kind"]
    list_filter = ["kind"]
    search_fields = ["article", *languages.field_names("name")]
    fields = ["code", "article", "kind", "name", "description", "order"]


@admin.register(Right)
class RightAdmin(GlobalCatalogueAdminMixin, TabbedTranslationAdmin):
    list_display = ["name", "article", "can_be_omitted"]
    search_fields = languages.field_names("name")
    fields = ["code", "article", "name", "default_text", "can_be_omitted", "order"]


@admin.register(SupervisoryAuthority)
class SupervisoryAuthorityAdmin(GlobalCatalogueAdminMixin, TabbedTranslationAdmin):
    list_display = ["name", "email", "phone", "is_default"]
    search_fields = languages.field_names("name")


# --- Processors: defined once per controller ---------------------------------------


def count_of(model: type, link: str) -> Coalesce:
    """How many ``model`` rows point at the outer row through ``link``, as a subquery.

    An aggregate (``Count``) would join every row of ``model`` and group the
    whole list before the page's 100 rows are cut, and Django keeps it in the
    list's count query too; a subquery is left out of the count and read for
    the rows shown.
    """
    rows = (
        model.objects.filter(**{link: OuterRef("pk")})
        .order_by()
        .values(link)
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(rows, output_field=IntegerField()), 0)


@admin.register(Processor)
class ProcessorAdmin(TenantAdminMixin, TabbedTranslationAdmin):
    list_display = ["display_name", "service", "country_name", "controller", "register_count"]
    list_filter = ["controller", "country"]
    list_select_related = ["controller"]
    # Every language's name: a name given once (in the default language) is found from
    # an admin in any language (modeltranslation turns "name" into the active one).
    search_fields = [
        *languages.field_names("name"),
        *languages.field_names("service"),
        "controller__name",
    ]
    fields = ["controller", "name", "service", "country", "website"]

    def get_queryset(self, request):  # type: ignore[no-untyped-def]
        return (
            super()
            .get_queryset(request)
            .annotate(_register_count=count_of(RegisterProcessor, "processor"))
        )

    # A processor named by its function only is listed (and linked) by what it does.
    @admin.display(description=_("name"), ordering="name")
    def display_name(self, obj: Processor) -> str:
        return str(obj)

    # Django shows a choice field through its flattened choices, which
    # django-countries rebuilds (250 countries) for every row: about 10 ms a row.
    @admin.display(description=_("country"), ordering="country")
    def country_name(self, obj: Processor) -> str:
        return obj.country.name

    @admin.display(description=_("registers"), ordering="_register_count")
    def register_count(self, obj: Processor) -> int:
        return obj._register_count


# --- A register and its parts, in the order of the notice's sections ---------------


class FastSelectRows:
    """An inline whose rows' select boxes are written without a template per option
    (``notices.widgets``: a country list on every processor or transfer row), and
    whose rows share each relation's choices (one query, not one per row)."""

    def get_formset(self, request, obj=None, **kwargs):  # type: ignore[no-untyped-def]
        formset = super().get_formset(request, obj, **kwargs)  # type: ignore[misc]
        fast_selects(formset.form.base_fields)
        return type(formset.__name__, (SharedChoicesFormSet, formset), {})


class RegisterPartRows:
    """The rows of one part of a register, validated against one reading of the
    register's first publication (each earlier change's date is checked against it)."""

    def full_clean(self) -> None:
        with self.instance.first_publication_remembered():  # type: ignore[attr-defined]
            super().full_clean()  # type: ignore[misc]


class PrefetchedRows:
    """The inline of one part of a register (``part``), whose rows come with what the
    part's snapshot prefetches (a right's catalogue entry, a purpose's legal bases):
    drawing a row, its name or its chosen values asks no query of its own."""

    part: Part | None = None

    def get_formset(self, request, obj=None, **kwargs):  # type: ignore[no-untyped-def]
        formset = super().get_formset(request, obj, **kwargs)  # type: ignore[misc]
        return type(formset.__name__, (RegisterPartRows, formset), {})

    def get_queryset(self, request):  # type: ignore[no-untyped-def]
        lookup = self.part.prefetch_lookup() if self.part is not None else None
        if not isinstance(lookup, Prefetch) or lookup.queryset is None:
            return super().get_queryset(request)  # type: ignore[misc]
        rows = scope(lookup.queryset, request.user)
        return rows if self.has_view_or_change_permission(request) else rows.none()  # type: ignore[attr-defined]


class RegisterPartInline(
    PrefetchedRows, FastSelectRows, TenantInlineMixin, TranslationStackedInline
):
    extra = 0
    classes = ["collapse"]


class RegisterPartTabularInline(
    PrefetchedRows, FastSelectRows, TenantInlineMixin, TranslationTabularInline
):
    extra = 0


def part_inline(part: Part) -> type:
    """The admin inline that edits one part of a register (parts.PARTS)."""
    base = RegisterPartInline if part.inline.stacked else RegisterPartTabularInline
    attributes: dict[str, object] = {
        "model": part.model,
        "part": part,
        "fields": list(part.inline.fields),
        "__module__": __name__,
        **part.inline.options,
    }
    if part.inline.form is not None:
        attributes["form"] = part.inline.form
    return type(f"{part.model.__name__}Inline", (base,), attributes)


PART_INLINES = {part.key: part_inline(part) for part in PARTS}


@admin.register(Register)
class RegisterAdmin(GuidedStepsMixin, TenantAdminMixin, TabbedTranslationAdmin):
    list_display = [
        "name",
        "controller",
        "slug",
        "data_origin",
        "published_languages",
        "purpose_count",
        "updated_at",
    ]
    list_filter = ["controller", "data_origin"]
    list_select_related = ["controller"]
    search_fields = [*languages.field_names("name"), "slug", "controller__name"]
    prepopulated_fields = {"slug": [languages.default_field("name")]}
    fieldsets = [
        (_("Register"), {"fields": ["controller", "name", "slug", "introduction"]}),
        (_("Contact person for register matters"), {"fields": ["contact_person"]}),
        (
            _("Where the data comes from"),
            {"fields": ["data_origin", "statutory_requirement"]},
        ),
        (
            _("Legal bases of the whole register"),
            {"fields": ["legal_bases", "legitimate_interest"]},
        ),
        (_("Recipients"), {"fields": ["no_recipients"]}),
        (
            _("Transfers outside the EU/EEA"),
            {"fields": ["no_transfers", "transfers_statement"]},
        ),
        (_("Cookies"), {"fields": ["cookies_info"]}),
        (
            _("Rights of the data subject"),
            {"fields": ["rights_exercise", "supervisory_authority"]},
        ),
        (
            _("Automated decision-making and profiling"),
            {"fields": ["has_automated_decisions", "automated_decisions"]},
        ),
        (_("Record of processing activities"), {"fields": ["joint_controllers"]}),
        (
            _("Changes to this notice and its history"),
            {"fields": ["changes_policy", "first_published_on"]},
        ),
        (_("Publishing"), {"fields": ["languages"]}),
    ]
    inlines = list(PART_INLINES.values())
    # The questions the notice must answer: an explicit choice, "not answered yet" first.
    radio_fields = {
        "data_origin": admin.VERTICAL,
        "has_automated_decisions": admin.VERTICAL,
        "no_recipients": admin.VERTICAL,
        "no_transfers": admin.VERTICAL,
    }
    filter_horizontal = ["legal_bases"]
    form = RegisterForm

    def get_queryset(self, request):  # type: ignore[no-untyped-def]
        return super().get_queryset(request).annotate(_purpose_count=count_of(Purpose, "register"))

    def get_changelist(self, request, **kwargs):  # type: ignore[no-untyped-def]
        return RegisterChangeList

    @admin.display(description=_("published languages"))
    def published_languages(self, obj: Register) -> str:
        return ", ".join(languages.native_name(code) for code in obj.languages)

    @admin.display(description=_("purposes"), ordering="_purpose_count")
    def purpose_count(self, obj: Register) -> int:
        return obj._purpose_count

    def get_form(self, request, obj=None, change=False, **kwargs):  # type: ignore[no-untyped-def]
        form = super().get_form(request, obj, change=change, **kwargs)
        fast_selects(form.base_fields)
        return form

    def save_related(self, request, form, formsets, change):  # type: ignore[no-untyped-def]
        super().save_related(request, form, formsets, change)
        if not change:
            services.register_add_default_rights(register=form.instance)

    # --- Preview, publish, offline --------------------------------------------------

    def get_urls(self):  # type: ignore[no-untyped-def]
        wrap = self.admin_site.admin_view
        return [
            path(
                "<int:pk>/preview/<str:lang>/",
                wrap(self.preview_view),
                name="notices_register_preview",
            ),
            path(
                "<int:pk>/preview/<str:lang>/pdf/",
                wrap(self.preview_pdf_view),
                name="notices_register_preview_pdf",
            ),
            path("<int:pk>/publish/", wrap(self.publish_view), name="notices_register_publish"),
            path("<int:pk>/online/", wrap(self.online_view), name="notices_register_online"),
            *super().get_urls(),
        ]

    def _register(self, request: HttpRequest, pk: int) -> Register:
        return get_for_user_or_404(
            Register.objects.select_related("controller"), request.user, pk=pk
        )

    def _preview_language(self, register: Register, lang: str) -> str:
        if lang not in register.languages:
            raise Http404(gettext("The register is not published in this language."))
        return lang

    def preview_view(self, request: HttpRequest, pk: int, lang: str) -> HttpResponse:
        """The draft rendered exactly as it would be published (editors and publishers)."""
        register = self._register(request, pk)
        self._preview_language(register, lang)
        snapshot, history, info = services.notice_preview(register=register, user=request.user)
        with translation.override(lang), timezone.override(settings.TIME_ZONE):
            context = rendering.context(snapshot, lang, info, history, "preview")
            response = TemplateResponse(request, "notices/notice.html", context)
            response.render()
        response["Cache-Control"] = "private, no-store"
        response["X-Robots-Tag"] = "noindex"
        return response

    def preview_pdf_view(self, request: HttpRequest, pk: int, lang: str) -> HttpResponse:
        register = self._register(request, pk)
        self._preview_language(register, lang)
        snapshot, history, info = services.notice_preview(register=register, user=request.user)
        pdf = rendering.render_preview_pdf(snapshot, lang, info, history)
        response = HttpResponse(pdf, content_type="application/pdf")
        name = services.pdf_download_name(register.controller.slug, register.slug, None, lang)
        response["Content-Disposition"] = f'inline; filename="{name}"'
        response["Cache-Control"] = "private, no-store"
        return response

    def publish_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        """Ask for a summary, show what changed, then publish (publishers only)."""
        register = self._register(request, pk)
        if not can_publish(request.user, register.controller_id):
            raise PermissionDenied
        snapshot, history, _info = services.notice_preview(register=register, user=request.user)
        problems = check_completeness(snapshot)
        warnings = check_warnings(snapshot)
        form = PublishForm(request.POST or None, languages=register.languages, warnings=warnings)
        previous = register.versions.order_by("-number").first()
        changes = detailed_changes(previous.snapshot if previous else None, snapshot)
        if request.method == "POST" and not problems and form.is_valid():
            try:
                version = services.notice_publish(
                    register=register,
                    user=request.user,
                    summary=form.summaries(),
                    effective_at=form.effective_at(),
                    acknowledged=form.acknowledged(),
                )
            except services.PublishRefused as refused:
                problems = refused.problems
            else:
                self.message_user(
                    request,
                    gettext("Version %(number)d of the notice is published.")
                    % {"number": version.number},
                    messages.SUCCESS,
                )
                # Back where the work continues: the company home, at this register's
                # card (its state, its public page), not the one-page form.
                home = reverse("admin:controllers_controller_home", args=[register.controller_id])
                return redirect(f"{home}#register-{register.pk}")
        language = translation.get_language()
        context = {
            **self.admin_site.each_context(request),
            "title": gettext("Publish “%(register)s”") % {"register": register},
            "opts": self.opts,
            "original": register,
            "form": form,
            "problems": problems,
            "warnings": [(warning, _warning_url(warning, register)) for warning in warnings],
            "changes": [
                describe(change, language if language in register.languages else None)
                for change in changes
            ],
            "previous": previous,
            "substantive": any(change["substantive"] for change in changes),
            "change_url": reverse("admin:notices_register_change", args=[register.pk]),
            "controller_url": reverse(
                "admin:controllers_controller_change", args=[register.controller_id]
            ),
        }
        return TemplateResponse(request, "admin/notices/register/publish.html", context)

    def online_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        """Take the public notice offline (410 Gone) or bring it back (publishers only).

        GET asks for confirmation on a page of its own; its form is the only form
        there, so it is never nested in the register's change form (a browser drops
        a nested form) and works without JavaScript. POST does it.
        """
        register = self._register(request, pk)
        if not can_publish(request.user, register.controller_id):
            raise PermissionDenied
        change_url = reverse("admin:notices_register_change", args=[register.pk])
        if request.method != "POST":
            context = {
                **self.admin_site.each_context(request),
                "title": gettext("Bring the notice back online?")
                if not register.is_online
                else gettext("Take the notice offline?"),
                "opts": self.opts,
                "original": register,
                "change_url": change_url,
                "public_url": reverse(
                    "notices:detail",
                    kwargs={
                        "lang": _public_language(register),
                        "controller": register.controller.slug,
                        "register": register.slug,
                    },
                ),
            }
            return TemplateResponse(request, "admin/notices/register/online.html", context)
        online = request.POST.get("online") == "1"
        services.register_set_online(register=register, user=request.user, online=online)
        self.message_user(
            request,
            gettext("The notice is online again.") if online else gettext("The notice is offline."),
            messages.SUCCESS,
        )
        return redirect(change_url)

    def change_view(self, request, object_id, form_url="", extra_context=None):  # type: ignore[no-untyped-def]
        register = self._register(request, object_id)
        extra = {
            "can_publish": can_publish(request.user, register.controller_id),
            "publish_languages": register.languages,
            # The 20 latest, with their publishers in the same query and without
            # their snapshots (about 29 KB each), which the page does not show.
            "versions": list(
                register.versions.select_related("published_by")
                .only("register", "number", "published_at", "summary", "published_by__username")
                .order_by("-number")[:20]
            ),
            "public_url": reverse(
                "notices:detail",
                kwargs={
                    "lang": _public_language(register),
                    "controller": register.controller.slug,
                    "register": register.slug,
                },
            ),
            "embed_snippet": _embed_snippet(request, register),
        }
        return super().change_view(request, object_id, form_url, {**extra, **(extra_context or {})})


def _public_language(register: Register) -> str:
    """The admin's own language where the register publishes it, else its first."""
    active = translation.get_language()
    return active if active in register.languages else register.languages[0]


def _warning_url(warning: PublishWarning, register: Register) -> str:
    """Where the editor fixes what a warning is about: a processor's page or the register's."""
    if warning.where == "processor" and warning.object_id is not None:
        return reverse("admin:notices_processor_change", args=[warning.object_id])
    # The step of the notice's section it is about (notices/steps.py).
    return steps.step_url(register.pk, steps.step_of(warning).key)


def _embed_snippet(request: HttpRequest, register: Register) -> str:
    url = request.build_absolute_uri(
        reverse(
            "notices:embed",
            kwargs={
                "lang": _public_language(register),
                "controller": register.controller.slug,
                "register": register.slug,
            },
        )
    )
    title = escape(register.name)
    return f'<iframe src="{url}" title="{title}" style="width:100%;height:80vh;border:0"></iframe>'


class PublishForm(forms.Form):
    """The change summary a publisher writes in each published language."""

    def __init__(self, *args, languages: list[str], warnings=(), **kwargs) -> None:  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        self.languages = languages
        self.warnings = list(warnings)
        if self.warnings:
            # One box per warning: a warning that appears after the page was shown is
            # not ticked, so it is never acknowledged unseen.
            self.fields["acknowledge"] = forms.MultipleChoiceField(
                label=_("I have read the warnings and publish the notice as it is"),
                choices=[(warning.key, warning.message) for warning in self.warnings],
                widget=forms.CheckboxSelectMultiple,
                required=False,
            )
        for code in languages:
            self.fields[f"summary_{code}"] = forms.CharField(
                label=_("Summary of changes (%(language)s)") % {"language": native_name(code)},
                widget=forms.Textarea(attrs={"rows": 3, "lang": code}),
                max_length=2000,
                validators=[validate_no_control_characters],
            )

        self.fields["effective_date"] = forms.DateField(
            label=_("Comes into force on"),
            required=False,
            help_text=_(
                "Leave empty to apply the new version as soon as it is published. A later "
                "day announces the change ahead: the current version stays in force until "
                "that day, and its page tells readers when it changes."
            ),
            widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        )

    def clean_effective_date(self) -> date | None:
        day = self.cleaned_data.get("effective_date")
        if day is not None and day <= timezone.localdate():
            raise forms.ValidationError(
                _("Choose a day after today, or leave it empty to apply the version at once.")
            )
        return day

    def clean_acknowledge(self) -> list[str]:
        ticked = self.cleaned_data.get("acknowledge") or []
        if any(warning.key not in ticked for warning in self.warnings):
            raise forms.ValidationError(
                _("Tick each warning to confirm that the notice says what the company does."),
                code="warning_not_acknowledged",
            )
        return ticked

    def acknowledged(self) -> list[str]:
        return list(self.cleaned_data.get("acknowledge") or [])

    def summaries(self) -> dict[str, str]:
        return {code: self.cleaned_data[f"summary_{code}"] for code in self.languages}

    def effective_at(self) -> datetime | None:
        """The start of the chosen day in the site's time zone, or None (at once)."""
        day = self.cleaned_data.get("effective_date")
        return start_of_day(day) if day else None


class RegisterChangeList(ChangeList):
    """The register list loads only the columns it shows, not each register's texts."""

    def url_for_result(self, result: Register) -> str:
        # A register opens in the guided steps (its one-page form stays linked from there).
        return reverse("admin:notices_register_steps", args=[result.pk])

    def get_queryset(self, request, exclude_parameters=None):  # type: ignore[no-untyped-def]
        return (
            super()
            .get_queryset(request, exclude_parameters)
            .only(
                "controller",
                "slug",
                "data_origin",
                "languages",
                "updated_at",
                "name",
                *languages.field_names("name"),
                "controller__name",
            )
        )


class VersionChangeList(ChangeList):
    """The versions list loads only the columns it shows.

    A version's snapshot is about 29 KB and the joined register, company and user
    rows are wide; the list shows names, numbers, dates and one flag read from the
    version's own short ``changes`` list.
    """

    def get_queryset(self, request, exclude_parameters=None):  # type: ignore[no-untyped-def]
        names = ["name", *languages.field_names("name")]
        return (
            super()
            .get_queryset(request, exclude_parameters)
            .only(
                "register",
                "number",
                "published_at",
                "published_by",
                "changes",
                *(f"register__{name}" for name in names),
                "register__controller__name",
                "published_by__username",
            )
        )


@admin.register(NoticeVersion)
class NoticeVersionAdmin(TenantAdminMixin, admin.ModelAdmin):
    """Published versions: readable by the controller's members, never edited or deleted."""

    members_can_add = False
    members_can_change = False
    members_can_delete = False
    list_display = ["register", "number", "published_at", "published_by", "substantive"]
    list_filter = ["register__controller", "register"]
    list_select_related = ["register", "register__controller", "published_by"]
    search_fields = [
        *(f"register__{name}" for name in languages.field_names("name")),
        "register__controller__name",
    ]
    fields = [
        "register",
        "number",
        "published_at",
        "published_by",
        "summary",
        "changes",
        "acknowledged_warnings",
        "content_hash",
    ]
    readonly_fields = fields

    def get_changelist(self, request, **kwargs):  # type: ignore[no-untyped-def]
        return VersionChangeList

    def has_add_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def has_delete_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    @admin.display(description=_("substantive changes"), boolean=True)
    def substantive(self, obj: NoticeVersion) -> bool:
        return any(change.get("substantive") for change in obj.changes)
