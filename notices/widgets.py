"""A select box rendered without a template per option, for pages with many of them.

Django renders every ``<option>`` through its own template: a country list is about
250 templates, and a step with a country on each row renders thousands (the cookies
step spent two thirds of its time there). ``FastSelect`` writes the same markup
(Django's ``select.html`` and ``select_option.html``) with ``format_html``: every
value, label and attribute is escaped as the templates escape it.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django import forms
from django.contrib.admin.widgets import AutocompleteMixin, RelatedFieldWidgetWrapper
from django.utils.choices import BaseChoiceIterator
from django.utils.functional import cached_property
from django.utils.html import conditional_escape, escape, format_html
from django.utils.safestring import SafeString
from django_countries.widgets import LazySelect

from config.renderers import attributes

# Exactly these classes: a multiple select, radio buttons or the admin's own widgets
# render differently and keep their templates.
PLAIN_SELECTS = (forms.Select, LazySelect)


class FastSelect(forms.Select):
    """``forms.Select`` with the options written in Python rather than one template each.

    Not even Django's ``optgroups``: it builds a dictionary of attributes for every
    option, most of the time of a 250-country list.
    """

    def render(
        self, name: str, value: Any, attrs: dict[str, Any] | None = None, renderer: Any = None
    ) -> SafeString:
        # The widget's context without the options (``ChoiceWidget.get_context`` adds them).
        widget = forms.Widget.get_context(self, name, value, attrs)["widget"]
        return format_html(
            '<select name="{}"{}>{}\n</select>',
            widget["name"],
            attributes(widget["attrs"]),
            SafeString("".join(self._options(widget["value"]))),
        )

    def _options(self, values: list[str]) -> Iterator[str]:
        """Django's ``optgroups`` and ``select_option.html``: the first match selected."""
        chosen = set(values)
        has_selected = False
        for group_value, group_label in self.choices:
            if isinstance(group_label, (list, tuple)):
                rows = []
                for option_value, option_label in group_label:
                    selected = not has_selected and str(option_value) in chosen
                    has_selected |= selected
                    rows.append(_option(option_value, option_label, selected))
                yield format_html(
                    '\n  <optgroup label="{}">{}\n  </optgroup>',
                    "" if group_value is None else group_value,
                    SafeString("".join(rows)),
                )
                continue
            option_value = "" if group_value is None else group_value
            selected = not has_selected and str(option_value) in chosen
            has_selected |= selected
            yield _option(option_value, group_label, selected)


def _option(value: Any, label: Any, selected: bool) -> str:
    # escape() of the value as the template's ``stringformat:'s'`` then autoescape,
    # conditional_escape() of the label as ``{{ widget.label }}``.
    return (
        f'\n  <option value="{escape(str(value))}"{" selected" if selected else ""}>'
        f"{conditional_escape(label)}</option>"
    )


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


class OnceChoices(BaseChoiceIterator):
    """A relation's choices, read from the database once however many rows show them."""

    def __init__(self, field: forms.ModelChoiceField) -> None:
        self.field = field
        self.rows: list[Any] | None = None

    def __iter__(self) -> Any:
        if self.rows is None:
            # A comprehension, not list(): list() asks the iterator's length first, a COUNT.
            self.rows = [choice for choice in self.field.iterator(self.field)]  # noqa: C416
        return iter(self.rows)


class SharedChoicesFormSet:
    """A formset whose rows (and empty row) share each relation's choices.

    Django gives every row's select its own query: a page of rows would ask the
    same legal bases, rights or data categories once per row. The rows of one
    formset have the same choices (the same tenant and parent, ``TenantInlineFormSet``),
    so the first row's query, made when a select is first drawn, serves them all;
    a POST that is saved without being drawn again asks nothing. Validation still
    checks each submitted value against the field's own queryset.
    """

    @cached_property
    def empty_form(self) -> forms.BaseForm:
        # Django builds a new empty row each time it is asked for, and the admin asks
        # four times a formset (the row to copy, the media, the iteration, multipart).
        return super().empty_form  # type: ignore[misc]

    def add_fields(self, form: forms.BaseForm, index: int | None) -> None:
        super().add_fields(form, index)  # type: ignore[misc]
        shared: dict[str, OnceChoices] = self.__dict__.setdefault("_once_choices", {})
        for name, field in form.fields.items():
            if not isinstance(field, forms.ModelChoiceField):
                continue
            widget = field.widget
            if isinstance(widget, RelatedFieldWidgetWrapper):
                widget = widget.widget
            if widget.is_hidden:
                continue
            if isinstance(widget, AutocompleteMixin):
                # It shows only the chosen object: the row's own, fetched with the row.
                link = form._meta.model._meta.get_field(name)
                if form.instance.pk and link.many_to_one and link.is_cached(form.instance):
                    widget.chosen = getattr(form.instance, name)
                continue
            if name not in shared:
                shared[name] = OnceChoices(field)
            field.choices = shared[name]
