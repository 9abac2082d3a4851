"""The form renderer: Django's widget templates through Jinja2, labels in Python.

A register's one-page editor draws about 850 widgets, each through two or three of
Django's small widget templates (``input.html``, ``attrs.html``…): the Django
template language spent about a sixth of the page's time on them. Django ships
those templates for Jinja2 too (``django/forms/jinja2``), written to give the same
markup, and Jinja2 compiles a template to Python.

Two more of Django's form templates are not rendered at all: a field's label
(``label.html``) is written in Python as the template writes it, with Django's own
escaping, and an empty error list draws nothing without its template.

Every other template (a form's layout, a full error list, the admin's widget
wrappers, a widget of ours or of a library) is rendered by Django's default form
renderer, from the same places as before. An override of one of Django's widget
templates would have to be a Jinja2 one, in an app's ``jinja2/`` folder.

Both engines escape what they are given: Django's safe strings stay unescaped in
Jinja2 (they carry ``__html__``), everything else is escaped.
"""

from __future__ import annotations

from typing import Any

from django.forms.renderers import BaseRenderer, DjangoTemplates, Jinja2
from django.template import TemplateDoesNotExist
from django.utils.html import conditional_escape, format_html, format_html_join
from django.utils.safestring import SafeString

# Only the widgets: they hold the values, which both engines escape. A form's labels,
# help and error messages (a refused value quoted in a message) stay in Django's
# templates, escaped exactly as Django escapes (``'`` as ``&#x27;``, where Jinja2's
# MarkupSafe writes ``&#39;``).
JINJA2_TEMPLATES = "django/forms/widgets/"


# Django's templates of an error list; each draws nothing for an empty list (``{% if
# errors %}``, a loop), and a long form asks one for every field and line (about 950
# on a register's one-page editor, a tenth of its time).
ERROR_LISTS = frozenset(
    f"django/forms/errors/list/{name}" for name in ("default.html", "ul.html", "text.txt")
)


# A field's label: every field of a form has one, drawn here as Django's
# ``label.html`` and ``attrs.html`` draw it, escaped by Django's own escape.
LABEL = "django/forms/label.html"


class FormRenderer(BaseRenderer):
    """Jinja2 for the widget templates Django ships for it, Django's templates otherwise;
    nothing, without a template, for an empty error list; a label in Python."""

    def __init__(self) -> None:
        self.jinja2 = Jinja2()
        self.django = DjangoTemplates()
        # Which renderer has each name: a name Jinja2 lacks is not looked for again.
        # (The engines keep their compiled templates, and reload them in DEBUG.)
        self.owner: dict[str, BaseRenderer] = {}

    def render(self, template_name: str, context: dict[str, Any], request: Any = None) -> str:
        if template_name in ERROR_LISTS and not context.get("errors"):
            return ""
        if template_name == LABEL:
            return label(context)
        return super().render(template_name, context, request)

    def get_template(self, template_name: str) -> Any:
        owner = self.owner.get(template_name)
        if owner is not None:
            return owner.get_template(template_name)
        owner = self.django
        if template_name.startswith(JINJA2_TEMPLATES):
            try:
                template = self.jinja2.get_template(template_name)
            except TemplateDoesNotExist:
                pass
            else:
                self.owner[template_name] = self.jinja2
                return template
        template = owner.get_template(template_name)
        self.owner[template_name] = owner
        return template


def attributes(attrs: dict[str, Any]) -> SafeString:
    """As Django's ``attrs.html``: in order, ``True`` as a bare name, ``False`` left out."""
    return format_html_join(
        "",
        "{}",
        (
            (format_html(" {}", name) if value is True else format_html(' {}="{}"', name, value),)
            for name, value in attrs.items()
            if value is not False
        ),
    )


def label(context: dict[str, Any]) -> str:
    """As Django's ``label.html`` (stripped, as every rendered template is)."""
    text = context["label"]
    if not context["use_tag"]:
        return conditional_escape(text).strip()
    tag = context["tag"]
    return format_html("<{}{}>{}</{}>", tag, attributes(context["attrs"] or {}), text, tag).strip()
