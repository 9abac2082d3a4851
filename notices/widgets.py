"""A select box rendered without a template per option, for pages with many of them.

Django renders every ``<option>`` through its own template: a country list is about
250 templates, and a step with a country on each row renders thousands (the cookies
step spent two thirds of its time there). ``FastSelect`` writes the same markup
(Django's ``select.html`` and ``select_option.html``) with ``format_html``: every
value, label and attribute is escaped as the templates escape it.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.admin.widgets import RelatedFieldWidgetWrapper
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django_countries.widgets import LazySelect

# Exactly these classes: a multiple select, radio buttons or the admin's own widgets
# render differently and keep their templates.
PLAIN_SELECTS = (forms.Select, LazySelect)


class FastSelect(forms.Select):
    """``forms.Select`` with the options written in Python rather than one template each."""

    def render(
        self, name: str, value: Any, attrs: dict[str, Any] | None = None, renderer: Any = None
    ) -> SafeString:
        widget = self.get_context(name, value, attrs)["widget"]
        return format_html(
            '<select name="{}"{}>{}\n</select>',
            widget["name"],
            _attributes(widget["attrs"]),
            format_html_join("", "{}", ((_group(*group),) for group in widget["optgroups"])),
        )


def _attributes(attrs: dict[str, Any]) -> SafeString:
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


def _group(label: str | None, options: list[dict[str, Any]], _index: int) -> SafeString:
    rows = format_html_join(
        "",
        '\n  <option value="{}"{}>{}</option>',
        ((str(o["value"]), _attributes(o["attrs"]), o["label"]) for o in options),
    )
    if not label:
        return rows
    return format_html('\n  <optgroup label="{}">{}\n  </optgroup>', label, rows)


def fast_selects(fields: dict[str, forms.Field]) -> None:
    """Give every plain select of ``fields`` (a form's or a form class's) a ``FastSelect``."""
    for field in fields.values():
        holder: Any = field
        if isinstance(field.widget, RelatedFieldWidgetWrapper):
            holder = field.widget
        if type(holder.widget) in PLAIN_SELECTS:
            old = holder.widget
            new = FastSelect(attrs=old.attrs, choices=old.choices)
            new.is_required = old.is_required
            new.is_localized = old.is_localized
            holder.widget = new
