"""Guided editing of a register: one step per section of the notice, in its order.

The steps are built from what already defines a register's page, never from a
list of fields of their own:

- a step names the sections it edits (keys of ``parts.PARTS`` and
  ``parts.SECTIONS``) and the register fields that open its fieldsets (its
  *anchors*);
- every fieldset of the register admin goes to the step of its anchor field; a
  fieldset without one goes with the fieldset declared before it, so a field or
  fieldset added next to its section lands in that section's step;
- every inline goes to the step of its part; an inline of no part goes with the
  inline declared before it.

``test_steps`` checks that every field and inline of the admin is in exactly one
step. The completeness check's problems are placed here too: each belongs to a
step and, where it names one, to a field of an item in a language, which is the
anchor (``f-…``) of that field on the step's page (static/js/admin-steps.js
focuses it).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from typing import Any

from django.contrib import admin
from django.db.models import Model
from django.forms import BoundField
from django.http import HttpRequest
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from . import languages
from .completeness import Problem
from .models import Register
from .parts import PARTS, PARTS_BY_KEY, Part, translated_fields


@dataclass(frozen=True)
class Step:
    """One page of the guided editor."""

    key: str
    label: Promise
    parts: tuple[str, ...] = ()
    anchors: tuple[str, ...] = ()
    sections: tuple[str, ...] = ()

    def covers(self, section: str) -> bool:
        return section == self.key or section in self.parts or section in self.sections


# In the order of the notice's sections (templates/notices/_notice_body.html). The
# published languages open the first step: they decide the columns of every text.
STEPS: tuple[Step, ...] = (
    Step(
        "register",
        _("Register"),
        parts=("coverage", "subject_groups"),
        anchors=("name", "languages"),
        sections=("register",),
    ),
    Step("contact_person", _("Contact person"), anchors=("contact_person",)),
    # The bases stated once for the whole register belong with the purposes' own.
    Step(
        "purposes",
        _("Purposes and legal bases"),
        parts=("purposes",),
        anchors=("legal_bases",),
    ),
    Step(
        "data_categories", _("Personal data"), parts=("data_categories",), anchors=("data_origin",)
    ),
    Step("sources", _("Sources"), parts=("sources",)),
    Step(
        "recipients",
        _("Recipients and disclosures"),
        parts=("recipients",),
        anchors=("no_recipients",),
    ),
    Step("processors", _("Processors"), parts=("processors",)),
    Step(
        "transfers",
        _("Transfers outside the EU/EEA"),
        parts=("transfers",),
        anchors=("no_transfers",),
    ),
    Step("retention", _("Retention"), parts=("retention",)),
    Step("security", _("Security"), parts=("security",)),
    Step("cookies", _("Cookies"), parts=("cookies",), anchors=("cookies_info",)),
    Step(
        "automated",
        _("Automated decision-making and profiling"),
        anchors=("has_automated_decisions",),
    ),
    Step(
        "rights",
        _("Rights of the data subject"),
        parts=("rights",),
        anchors=("rights_exercise",),
        sections=("supervisory_authority",),
    ),
    # The company's own words around the sections: lead paragraphs, how the notice is
    # changed, and its history from before this service.
    Step(
        "changes",
        _("Changes to this notice and its history"),
        parts=("section_leads", "earlier_changes"),
        anchors=("changes_policy",),
    ),
    Step("record", _("Record of processing activities"), anchors=("joint_controllers",)),
)
STEPS_BY_KEY = {step.key: step for step in STEPS}
PART_OF_MODEL = {part.model: part for part in PARTS}


def base_name(model: type[Model], name: str) -> tuple[str, str | None]:
    """A form field's model field and language (``name_<code>`` -> ``name``, ``<code>``)."""
    for base in translated_fields(model):
        for code in languages.codes():
            if name == f"{base}_{code}":
                return base, code
    return name, None


# --- Which fieldsets and inlines each step holds ---------------------------------------


@dataclass
class StepPlan:
    """One step's share of the register admin: its fieldsets and inline admins."""

    step: Step
    fieldsets: list[tuple[Any, dict[str, Any]]] = dataclass_field(default_factory=list)
    inlines: list[Any] = dataclass_field(default_factory=list)

    def fields(self) -> list[str]:
        return [name for _label, options in self.fieldsets for name in options["fields"]]


def plan(
    fieldsets: Sequence[tuple[Any, dict[str, Any]]], inlines: Iterable[Any]
) -> dict[str, StepPlan]:
    """The register admin's fieldsets and inline admins, shared out among the steps."""
    plans = {step.key: StepPlan(step) for step in STEPS}
    by_anchor = {anchor: step.key for step in STEPS for anchor in step.anchors}
    current = STEPS[0].key
    for label, options in fieldsets:
        names = [base_name(Register, name)[0] for name in options.get("fields", ())]
        current = next((by_anchor[n] for n in names if n in by_anchor), current)
        plans[current].fieldsets.append((label, options))
    by_part = {key: step.key for step in STEPS for key in step.parts}
    current = STEPS[0].key
    for inline in inlines:
        part = PART_OF_MODEL.get(inline.model)
        if part is not None and part.key in by_part:
            current = by_part[part.key]
        plans[current].inlines.append(inline)
    return plans


def admin_plan(model_admin: admin.ModelAdmin, request: HttpRequest, obj: Register | None) -> dict:
    return plan(
        model_admin.get_fieldsets(request, obj), model_admin.get_inline_instances(request, obj)
    )


def declared_plan() -> dict[str, StepPlan]:
    """The steps of the register admin as declared (its fieldsets and inline classes)."""
    model_admin = admin.site.get_model_admin(Register)
    return plan(model_admin.fieldsets or (), model_admin.inlines)


def neighbours(key: str) -> tuple[Step | None, Step | None]:
    index = [step.key for step in STEPS].index(key)
    before = STEPS[index - 1] if index > 0 else None
    after = STEPS[index + 1] if index + 1 < len(STEPS) else None
    return before, after


def step_url(register_pk: int, key: str) -> str:
    return reverse("admin:notices_register_step", args=[register_pk, key])


def item_key(part: Part, obj: Model, columns: Sequence[str]) -> Any:
    """An item's identity in the snapshot (what a problem names), from its row."""
    if part.build is not None:
        item = part.build(obj, tuple(columns), {"rests_on_consent": True})
        if item:
            return item.get(part.identity)
        # A row the notice leaves out (a right not included) is named as a problem
        # names it (completeness: a right that applies but is left out).
        return getattr(obj, part.identity, obj.pk)
    return getattr(obj, part.identity if part.identity != "id" else "pk")


# --- Where a problem is fixed ----------------------------------------------------------


def field_anchor(scope_key: str, name: str, language: str | None) -> str:
    return "-".join(["f", scope_key, name, *([language] if language else [])])


def step_of(problem: Problem, plans: dict[str, StepPlan] | None = None) -> Step:
    """The step a problem of the register is fixed on."""
    # A publish warning (completeness.PublishWarning) names only its section.
    field, item = getattr(problem, "field", ""), getattr(problem, "item", None)
    if field and item is None:
        plans = plans if plans is not None else declared_plan()
        for step_plan in plans.values():
            if field in {base_name(Register, n)[0] for n in step_plan.fields()}:
                return step_plan.step
    for step in STEPS:
        if step.covers(problem.section):
            return step
    return STEPS[0]


def problem_anchor(problem: Problem) -> str:
    """The id of the element on the step's page that a problem's link opens and focuses."""
    register_fields = {f.name for f in Register._meta.get_fields()}
    part = PARTS_BY_KEY.get(problem.section)
    if part is not None and not (problem.item is None and problem.field in register_fields):
        if problem.item is None:
            return f"part-{part.key}-new"
        if problem.field and problem.field in part.inline.fields:
            translated = problem.field in translated_fields(part.model)
            language = problem.language if translated else None
            return field_anchor(f"{part.key}-{problem.item}", problem.field, language)
        return f"item-{part.key}-{problem.item}"
    # A text of the contact person or the authority: the register's choice of it.
    name = problem.field if problem.field in register_fields else problem.section
    if name in register_fields:
        language = problem.language if name in translated_fields(Register) else None
        return field_anchor("register", name, language)
    return "step-title"


def problem_url(problem: Problem, register: Register, plans: dict | None = None) -> str:
    """The address that fixes a problem: its step, field and language, or the controller."""
    if problem.where == "controller":
        url = reverse("admin:controllers_controller_change", args=[register.controller_id])
        return f"{url}#id_{problem.field}" if problem.field else url
    step = step_of(problem, plans)
    return f"{step_url(register.pk, step.key)}#{problem_anchor(problem)}"


@dataclass
class Status:
    """A step's state in the sidebar, from the completeness check."""

    code: str  # "done", "missing" or "todo"
    label: str
    problems: list[Problem]


def statuses(
    problems: Iterable[Problem], plans: dict[str, StepPlan], warnings: Iterable[Problem] = ()
) -> dict[str, Status]:
    """Each step's status: done, a text missing in some language, something to do, or
    (publishable, but to look at) a warning. ``warnings`` are placed as problems are.
    """
    from django.utils.translation import gettext

    found: dict[str, list[Problem]] = {step.key: [] for step in STEPS}
    warned: dict[str, list[Problem]] = {step.key: [] for step in STEPS}
    for problem in problems:
        if problem.where == "register":
            found[step_of(problem, plans).key].append(problem)
    for warning in warnings:
        if warning.where in ("register", "processor"):
            warned[step_of(warning, plans).key].append(warning)
    result = {}
    for key, listed in found.items():
        if not listed and warned[key]:
            result[key] = Status("warning", gettext("To check"), warned[key])
        elif not listed:
            result[key] = Status("done", gettext("Done"), listed)
        elif all(p.text_missing for p in listed):
            names = ", ".join(
                languages.native_name(c) for c in languages.ordered(p.language for p in listed)
            )
            result[key] = Status(
                "missing", gettext("Missing in %(languages)s") % {"languages": names}, listed
            )
        else:
            result[key] = Status("todo", gettext("To do"), listed)
    return result


# --- Languages side by side ------------------------------------------------------------


@dataclass
class Cell:
    """One language's input of a translated text."""

    language: str
    name: str
    field: BoundField
    anchor: str
    missing: bool


@dataclass
class Row:
    """A field of a step: one input, or a translated text with a column per language."""

    name: str
    label: str
    help_text: str
    required: bool
    anchor: str
    field: BoundField | None = None
    cells: list[Cell] = dataclass_field(default_factory=list)
    flagged: bool = False

    @property
    def errors(self) -> list:
        return [error for cell in self.cells for error in cell.field.errors]


def _value(bound: BoundField) -> str:
    value = bound.value()
    return value.strip() if isinstance(value, str) else ""


def rows(form: Any, model: type[Model], scope_key: str, marked: set[str]) -> list[Row]:
    """The form's fields in order, each translated text's languages side by side.

    A language's input is marked missing when it is empty while another language
    has the text, or when the completeness check names it (``marked``).
    """
    found: dict[str, Row] = {}
    for name in form.fields:
        if name in {"id", "DELETE"} or form.fields[name].widget.is_hidden:
            continue
        base, language = base_name(model, name)
        bound = form[name]
        if language is None:
            anchor = field_anchor(scope_key, name, None)
            found[name] = Row(
                name, bound.label, bound.help_text, bound.field.required, anchor, field=bound
            )
            continue
        model_field = model._meta.get_field(base)
        row = found.setdefault(
            base,
            Row(
                base,
                str(model_field.verbose_name),
                str(model_field.help_text),
                False,
                field_anchor(scope_key, base, None),
            ),
        )
        row.required = row.required or bound.field.required
        anchor = field_anchor(scope_key, base, language)
        row.cells.append(Cell(language, languages.native_name(language), bound, anchor, False))
    for row in found.values():
        for cell in row.cells:
            others = any(_value(other.field) for other in row.cells if other is not cell)
            cell.missing = cell.anchor in marked or (others and not _value(cell.field))
            widget = cell.field.field.widget
            widget.attrs["lang"] = cell.language
            if cell.missing:
                widget.attrs["aria-describedby"] = f"{cell.anchor}-missing"
            if "rows" in widget.attrs:
                widget.attrs["rows"] = "3"
        if row.field is not None and row.anchor in marked:
            row.flagged = True
            row.field.field.widget.attrs["aria-describedby"] = f"{row.anchor}-missing"
    return list(found.values())
