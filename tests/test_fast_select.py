"""FastSelect writes the markup Django's select templates write, escaped the same way.

The guided steps render a country list on every processor, transfer and cookie row;
FastSelect (notices/widgets.py) writes the options without a template each.
"""

from __future__ import annotations

import re

import pytest
from django import forms
from django.forms.renderers import DjangoTemplates
from django.utils import translation

from notices.models import Cookie, Register
from notices.widgets import FastSelect, fast_selects
from tests.conftest import Tenant, login
from tests.test_steps import step_url

HOSTILE = '"><script>alert(1)</script>&amp;'
# Django's own select templates, in Django's template language (the site's renderer
# takes Django's widget templates from Jinja2, which writes quotes as numbers).
DJANGO = DjangoTemplates()


def same_markup(html: str) -> str:
    """Django's templates put blank lines between options; nothing else may differ."""
    return re.sub(r">\s+<", "><", str(html).strip())


@pytest.mark.parametrize("value", ["FI", "", None, "XX"])
@pytest.mark.parametrize("language", ["fi", "en"])
def test_a_country_list_is_the_same_markup_as_djangos(value: str | None, language: str):
    with translation.override(language):
        django_widget = Cookie._meta.get_field("provider_country").formfield().widget
        fast = FastSelect(attrs=django_widget.attrs, choices=django_widget.choices)
        attrs = {"id": "id_c", "required": True, "disabled": False, "aria-describedby": HOSTILE}
        expected = django_widget.render("c", value, attrs, renderer=DJANGO)
        assert same_markup(fast.render("c", value, attrs)) == same_markup(expected)
        assert len(re.findall("<option", expected)) > 240


def test_groups_values_and_labels_are_escaped_as_django_does():
    choices = [
        ("", "---"),
        (HOSTILE, [(HOSTILE, HOSTILE), ("b", 'B "q" <b>')]),
        ("c", "C & D"),
    ]
    for value in ("b", HOSTILE, ["b", "c"], None):
        expected = forms.Select(choices=choices).render(
            HOSTILE, value, {"title": HOSTILE}, renderer=DJANGO
        )
        fast = FastSelect(choices=choices).render(HOSTILE, value, {"title": HOSTILE})
        assert same_markup(fast) == same_markup(expected)
        assert "<script>" not in fast


def test_only_plain_selects_are_replaced():
    class Form(forms.Form):
        one = forms.ChoiceField(choices=[("a", "A")])
        many = forms.MultipleChoiceField(choices=[("a", "A")])
        radio = forms.ChoiceField(choices=[("a", "A")], widget=forms.RadioSelect)

    fields = Form.base_fields
    fast_selects(fields)
    assert type(fields["one"].widget) is FastSelect
    assert type(fields["many"].widget) is forms.SelectMultiple
    assert type(fields["radio"].widget) is forms.RadioSelect


@pytest.mark.django_db
def test_the_cookies_step_shows_each_rows_country_chosen(acme: Tenant, register: Register, alice):
    Cookie.objects.filter(register=register).update(provider_country="SE")
    page = login(alice, "en").get(step_url(register, "cookies")).content.decode()
    chosen = re.findall(r'<select name="[^"]*provider_country"[^>]*>.*?</select>', page, re.S)
    rows = Cookie.objects.filter(register=register).count()
    assert rows and len(chosen) == rows + 1  # each row and the new card's empty one
    for select in chosen[:rows]:
        assert '<option value="SE" selected>Sweden</option>' in select
    assert 'value="SE" selected' not in chosen[-1]
