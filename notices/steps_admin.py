"""The guided editor's pages in the register admin (notices.steps defines the steps).

``/admin/notices/register/<id>/step/<key>/`` edits one step: a model form and
inline formsets restricted to that step's fields, built by the register admin
itself (so tenancy, validation, auditing and the default rights of a new register
are the admin's own), and ``/admin/notices/register/new/`` creates a register
from the first step. Everything is validated before anything is saved, in one
transaction: a refused step saves nothing.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.admin import helpers
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.forms.formsets import all_valid
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import translation
from django.utils.translation import gettext

from controllers.tenancy import can_publish, get_for_user_or_404

from . import languages, steps
from .completeness import check_completeness, check_warnings
from .models import Register
from .snapshot import build_snapshot
from .widgets import FastSelect


def _columns_only(names: list[str], model: type, columns: list[str]) -> list[str]:
    """``names`` without the translated columns of languages not in ``columns``."""
    kept = []
    for name in names:
        _base, language = steps.base_name(model, name)
        if language is None or language in columns:
            kept.append(name)
    return kept


def _choice_label(obj: Any) -> str:
    """A choice's name in the admin's language, else in any language that has one.

    A company's own rows (groups, categories) are named in the register's languages
    only: in another admin language their name would be empty, an unlabelled box.
    """
    label = str(obj).strip()
    if label or "name" not in steps.translated_fields(type(obj)):
        return label or str(obj.pk)
    names = languages.texts(obj, "name", languages.codes())
    return next((name for name in names.values() if name), str(obj.pk))


def _share_choices(formset: Any) -> None:
    """One query for a relation's choices in all the formset's rows, as plain widgets.

    Django renders every row's select from its own query, and the admin's
    autocomplete and two-box widgets look each row's values up again: the page's
    queries would grow with its rows.
    """
    rows = formset.forms
    if not rows:
        return
    first = rows[0]
    for name, model_field in first.fields.items():
        if not isinstance(model_field, forms.ModelChoiceField) or model_field.widget.is_hidden:
            continue
        model_field.label_from_instance = _choice_label
        # A comprehension, not list(): list() asks the iterator's length first, a COUNT.
        choices = [choice for choice in model_field.choices]  # noqa: C416
        many = isinstance(model_field, forms.ModelMultipleChoiceField)
        # The admin's "Hold down Control…" hint is for a select box, not check boxes.
        own_help = first._meta.model._meta.get_field(name).help_text
        for form in rows:
            target = form.fields[name]
            target.widget = forms.CheckboxSelectMultiple() if many else FastSelect()
            target.choices = choices
            if many:
                target.help_text = own_help


def _order_last(formset: Any) -> None:
    """A card's position in its list comes last, and a new card's follows the rows.

    The order is a detail: a new row goes after the others without the editor
    choosing a number (the field says 0 otherwise, and comes first).
    """
    rows = formset.forms
    if not rows or "order" not in rows[0].fields:
        return
    after = max((form.instance.order for form in rows if form.instance.pk), default=0) + 1
    for form in rows:
        form.fields["order"] = form.fields.pop("order")
        form.fields["order"].help_text = gettext(
            "Where it appears in its list: lower numbers first."
        )
        if not form.instance.pk:
            # On the page and in what comes back: a new card left as it was is unchanged.
            form.initial["order"] = after


def _related_lookups() -> forms.Media:
    """The admin's scripts for the windows of a choice's "+" and pencil links.

    Not the register admin's whole media: modeltranslation's tabs script would fold
    the languages side by side back into tabs.
    """
    extra = "" if settings.DEBUG else ".min"
    scripts = [f"vendor/jquery/jquery{extra}.js", "jquery.init.js", "core.js"]
    return forms.Media(
        js=[f"admin/js/{name}" for name in [*scripts, "admin/RelatedObjectLookups.js"]]
    )


def _register_name(register: Register | None) -> str:
    """The register's name in the admin's language, else in the first it is published in."""
    if register is None:
        return ""
    names = languages.texts(register, "name", [translation.get_language(), *register.languages])
    return next((name for name in names.values() if name), register.slug)


class GuidedStepsMixin:
    """The guided steps of a register; put it first among RegisterAdmin's bases."""

    def get_urls(self):  # type: ignore[no-untyped-def]
        wrap = self.admin_site.admin_view
        return [
            path("new/", wrap(self.step_new_view), name="notices_register_new"),
            path(
                "<int:pk>/step/<slug:key>/",
                wrap(self.step_view),
                name="notices_register_step",
            ),
            path(
                "<int:pk>/steps/",
                wrap(self.steps_start_view),
                name="notices_register_steps",
            ),
            *super().get_urls(),
        ]

    def steps_start_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        register = get_for_user_or_404(Register.objects.all(), request.user, pk=pk)
        return redirect(steps.step_url(register.pk, steps.STEPS[0].key))

    # --- Building a step -------------------------------------------------------------

    def _step_form(self, request: HttpRequest, obj: Register | None, names: list[str]) -> type:
        readonly = set(self.get_readonly_fields(request, obj))
        excluded = set(self.get_exclude(request, obj) or [])
        fields = [n for n in names if n not in readonly and n not in excluded]
        form_class = self.get_form(request, obj, change=obj is not None, fields=fields)
        # A short catalogue (the legal bases) as check boxes, as on the purposes' cards:
        # the admin's two-box selector does not fit a phone and is four times as tall.
        for name, field in form_class.base_fields.items():
            if isinstance(field, forms.ModelMultipleChoiceField):
                field.widget = forms.CheckboxSelectMultiple()
                field.widget.choices = field.choices
                field.help_text = Register._meta.get_field(name).help_text
        return form_class

    def _step_formsets(
        self, request: HttpRequest, obj: Register, plan: steps.StepPlan, columns: list[str]
    ) -> list[tuple[Any, Any]]:
        data = request.POST if request.method == "POST" else None
        made = []
        for inline in plan.inlines:
            names = helpers.flatten_fieldsets(inline.get_fieldsets(request, obj))
            fields = _columns_only(list(names), inline.model, columns)
            formset_class = inline.get_formset(request, obj, fields=fields, extra=1)
            formset = formset_class(
                data,
                request.FILES or None,
                instance=obj,
                prefix=formset_class.get_default_prefix(),
                queryset=inline.get_queryset(request),
            )
            _share_choices(formset)
            _order_last(formset)
            made.append((inline, formset))
        return made

    def _save(self, request: HttpRequest, form: Any, formsets: list, add: bool) -> Register:
        with transaction.atomic():
            obj = self.save_form(request, form, change=not add)
            self.save_model(request, obj, form, change=not add)
            self.save_related(request, form, formsets, change=not add)
            message = self.construct_change_message(request, form, formsets, add)
            if add:
                self.log_addition(request, obj, message)
            else:
                self.log_change(request, obj, message)
        return obj

    def _after_save(self, request: HttpRequest, register: Register, key: str) -> HttpResponse:
        self.message_user(request, gettext("Saved."), messages.SUCCESS)
        _before, after = steps.neighbours(key)
        if "_next" in request.POST and after is not None:
            return redirect(steps.step_url(register.pk, after.key))
        return redirect(steps.step_url(register.pk, key))

    # --- The pages -------------------------------------------------------------------

    def step_new_view(self, request: HttpRequest) -> HttpResponse:
        """The first step for a register that does not exist yet: it creates it."""
        if not self.has_add_permission(request):
            raise PermissionDenied
        key = steps.STEPS[0].key
        plan = steps.admin_plan(self, request, None)[key]
        columns = list(languages.codes())
        form_class = self._step_form(request, None, plan.fields())
        # The company home's link names the company (?controller=), as the add form's does.
        initial = self.get_changeform_initial_data(request)
        form = form_class(request.POST or None, request.FILES or None, initial=initial)
        if request.method == "POST" and form.is_valid():
            register = self._save(request, form, [], add=True)
            return self._after_save(request, register, key)
        context = self._step_context(request, None, plan, form, [], columns, [], {})
        return TemplateResponse(request, "admin/notices/register/step.html", context)

    def step_view(self, request: HttpRequest, pk: int, key: str) -> HttpResponse:
        """One step of a register: only its fields and parts, languages side by side."""
        register = get_for_user_or_404(
            Register.objects.select_related("controller"), request.user, pk=pk
        )
        if key not in steps.STEPS_BY_KEY:
            raise Http404(gettext("No such step."))
        if request.method == "POST" and not self.has_change_permission(request, register):
            raise PermissionDenied
        plans = steps.admin_plan(self, request, register)
        plan = plans[key]
        columns = languages.ordered(register.languages)
        names = _columns_only(plan.fields(), Register, columns)
        form = self._step_form(request, register, names)(
            request.POST or None, request.FILES or None, instance=register
        )
        formsets = self._step_formsets(request, register, plan, columns)
        if request.method == "POST":
            valid = form.is_valid()
            if all_valid([formset for _inline, formset in formsets]) and valid:
                self._save(request, form, [f for _i, f in formsets], add=False)
                return self._after_save(request, register, key)
        snapshot = build_snapshot(register)
        problems = check_completeness(snapshot)
        # Contradictions do not stop publishing, but their step shows "To check".
        warnings = check_warnings(snapshot)
        context = self._step_context(
            request, register, plan, form, formsets, columns, problems, plans, warnings
        )
        return TemplateResponse(request, "admin/notices/register/step.html", context)

    def _step_context(  # noqa: PLR0913 - the page's parts, each built by the view
        self,
        request: HttpRequest,
        register: Register | None,
        plan: steps.StepPlan,
        form: Any,
        formsets: list,
        columns: list[str],
        problems: list,
        plans: dict,
        warnings: list | tuple = (),
    ) -> dict[str, Any]:
        step = plan.step
        marked = {steps.problem_anchor(p) for p in problems if p.where == "register"}
        state = steps.statuses(problems, plans, warnings) if register is not None else {}
        here = [
            p for p in problems if p.where == "register" and state and p in state[step.key].problems
        ]
        before, after = steps.neighbours(step.key)
        groups = []
        for inline, formset in formsets:
            part = steps.PART_OF_MODEL.get(inline.model)
            part_key = part.key if part else formset.prefix
            items = []
            # The new card opens by itself only while the part has no rows yet: on a
            # long part it is folded ("Add: …"), and a problem's link unfolds it.
            existing = any(form.instance.pk for form in formset.forms)
            for item_form in formset.forms:
                obj = item_form.instance if item_form.instance.pk else None
                ident = steps.item_key(part, obj, columns) if (obj and part) else None
                scope_key = f"{part_key}-{ident}" if ident is not None else f"{part_key}-new"
                rows = steps.rows(item_form, inline.model, scope_key, marked)
                flagged = item_form.errors or any(c.missing for r in rows for c in r.cells)
                items.append(
                    {
                        "form": item_form,
                        "rows": rows,
                        "title": str(obj) if obj else "",
                        "id": f"item-{scope_key}" if obj else f"part-{part_key}-new",
                        "open": (obj is None and not existing)
                        or bool(flagged)
                        or any(r.flagged for r in rows),
                        "can_delete": obj is not None and formset.can_delete,
                    }
                )
            groups.append(
                {
                    "key": part_key,
                    "label": inline.model._meta.verbose_name_plural,
                    "item_label": inline.model._meta.verbose_name,
                    "formset": formset,
                    "items": items,
                }
            )
        # The "+" and pencil links beside a choice open their window with the admin's
        # RelatedObjectLookups.js; without it they led away from the step.
        media = _related_lookups() + form.media
        for _inline, formset in formsets:
            media += formset.media
        nav = [
            {
                "step": s,
                "number": n,
                "url": steps.step_url(register.pk, s.key) if register else "",
                "status": state.get(s.key),
            }
            for n, s in enumerate(steps.STEPS, start=1)
        ]
        return {
            **self.admin_site.each_context(request),
            "title": str(step.label),
            "opts": self.opts,
            "original": register,
            "register_name": _register_name(register),
            "step": step,
            "nav": nav,
            "status": state.get(step.key),
            "problems": [(p, "#" + steps.problem_anchor(p)) for p in here],
            "rows": steps.rows(form, Register, "register", marked),
            "non_field_errors": form.non_field_errors(),
            "has_errors": bool(form.errors)
            or any(not f.is_valid() for _i, f in formsets if f.is_bound),
            "groups": groups,
            "columns": columns,
            "media": media,
            "previous_url": steps.step_url(register.pk, before.key) if register and before else "",
            "next_url": steps.step_url(register.pk, after.key) if register and after else "",
            "has_next": after is not None,
            "can_change": register is None or self.has_change_permission(request, register),
            "can_publish": register is not None
            and can_publish(request.user, register.controller_id),
            "full_form_url": reverse("admin:notices_register_change", args=[register.pk])
            if register
            else "",
            "is_nav_sidebar_enabled": False,
        }
