"""A tabular inline's cells written in Python (notices/templatetags/admin_rows.py).

Each row of every tabular inline on the register's one-page editor is drawn by
``inline_cells`` and by the template loop it replaced (kept here as the reference):
the same markup, for editable, hidden, refused and read-only fields.
"""

from __future__ import annotations

import re

import pytest
from django.contrib.admin import helpers
from django.forms.utils import ErrorDict
from django.template import engines
from django.urls import reverse
from django.utils import translation

from tests.conftest import Tenant, login

pytestmark = pytest.mark.django_db

HOSTILE = "\"><script>alert(1)</script>&amp; it's"

# templates/admin/edit_inline/tabular.html's cells before inline_cells.
REFERENCE = engines["django"].from_string(
    """{% load admin_rows %}{% for fieldset in inline_admin_form %}
          {% for line in fieldset %}
            {% for field in line %}
              <td class="{% if field.field.name %}field-{{ field.field.name }}{% endif %}{% if field.field.is_hidden %} hidden{% endif %}">
              {% if field.is_readonly %}
                  <p>{{ field.contents }}</p>
              {% else %}
                  {{ field.field.errors.as_ul }}
                  {% if not field.field.is_hidden %}<label class="visually-hidden" for="{{ field.field.id_for_label }}">{{ field.field.label|capfirst }}</label>{% endif %}
                  {{ field.field }}
              {% endif %}
              </td>
            {% endfor %}
          {% endfor %}
        {% endfor %}<!-- ours -->{% inline_cells inline_admin_form %}"""  # noqa: E501
)


def both(inline_admin_form) -> tuple[str, str]:
    reference, ours = REFERENCE.render({"inline_admin_form": inline_admin_form}).split(
        "<!-- ours -->"
    )

    def markup(html: str) -> str:
        return re.sub(r">\s+<", "><", re.sub(r"\s+", " ", html)).strip()

    return markup(reference), markup(ours)


def tabular_formsets(acme: Tenant, alice) -> list:
    response = login(alice).get(reverse("admin:notices_register_change", args=[acme.register.pk]))
    assert response.status_code == 200
    found = [
        formset
        for formset in response.context["inline_admin_formsets"]
        if formset.opts.template.endswith("tabular.html")
    ]
    assert found, "the register's editor has tabular inlines"
    return found


def test_every_row_of_every_tabular_inline_is_the_templates_markup(acme: Tenant, alice):
    rows = 0
    with translation.override("en"):
        for formset in tabular_formsets(acme, alice):
            for inline_admin_form in formset:
                reference, ours = both(inline_admin_form)
                assert ours == reference
                assert 'class="visually-hidden"' in ours
                rows += 1
    assert rows >= 4


def test_refused_and_hostile_values_are_drawn_as_the_template_draws_them(acme: Tenant, alice):
    with translation.override("en"):
        formset = tabular_formsets(acme, alice)[0]
        form = formset.formset.forms[0]
        name = next(n for n, f in form.fields.items() if not f.widget.is_hidden)
        # As a refused POST leaves it (the rows here are unbound).
        form._errors = ErrorDict({name: form.error_class([HOSTILE], renderer=form.renderer)})
        form.initial[name] = HOSTILE
        inline_admin_form = next(iter(formset))
        reference, ours = both(inline_admin_form)
        assert ours == reference
        assert '<ul class="errorlist"' in ours
        assert "<script>" not in ours


def test_read_only_rows_are_drawn_as_the_template_draws_them(acme: Tenant, alice):
    with translation.override("en"):
        for formset in tabular_formsets(acme, alice):
            fields = [name for fieldset in formset.fieldsets for name in fieldset[1]["fields"]]
            read_only = helpers.InlineAdminFormSet(
                formset.opts,
                formset.formset,
                formset.fieldsets,
                readonly_fields=fields,
                model_admin=formset.model_admin,
                has_change_permission=False,
            )
            for inline_admin_form in read_only:
                reference, ours = both(inline_admin_form)
                assert ours == reference
                assert "<p>" in ours
