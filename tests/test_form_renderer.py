"""The form renderer (config/renderers.py): Django's widget templates through Jinja2.

The same markup as Django's own renderer, hostile values escaped (MarkupSafe writes
``"`` as ``&#34;`` where Django writes ``&quot;``), messages and labels escaped as
Django escapes them, and the admin's widget templates (which Django ships for its
template language only) still found.
"""

from __future__ import annotations

import re

import pytest
from django import forms
from django.conf import settings
from django.contrib.admin import site
from django.contrib.admin.widgets import RelatedFieldWidgetWrapper
from django.forms.renderers import DjangoTemplates, get_default_renderer
from django.forms.utils import ErrorList
from django.template import TemplateDoesNotExist
from django.utils import translation
from django.utils.html import format_html

from config.renderers import FormRenderer
from notices.models import Purpose

HOSTILE = '"><script>alert(1)</script>&amp;'


class Everything(forms.Form):
    text = forms.CharField(help_text="Help")
    area = forms.CharField(widget=forms.Textarea)
    number = forms.IntegerField()
    flag = forms.BooleanField(required=False)
    choice = forms.ChoiceField(choices=[("a", HOSTILE), (HOSTILE, "B")])
    many = forms.MultipleChoiceField(
        choices=[("x", HOSTILE), ("y", "Y")], widget=forms.CheckboxSelectMultiple
    )
    radio = forms.ChoiceField(choices=[("r", HOSTILE)], widget=forms.RadioSelect)
    hidden = forms.CharField(widget=forms.HiddenInput)
    day = forms.DateField()


def drawn(renderer) -> str:
    form = Everything(
        data={
            "text": HOSTILE,
            "area": HOSTILE,
            "number": "x",  # an error, drawn with its message
            "choice": HOSTILE,
            "many": ["x"],
            "radio": "r",
            "hidden": HOSTILE,
            "day": HOSTILE,
        },
        renderer=renderer,
    )
    form.is_valid()
    # Django's own templates differ from the Jinja2 copies in blank lines, and
    # MarkupSafe writes the two quotes as numbers.
    html = form.render().replace("&#34;", "&quot;").replace("&#39;", "&#x27;")
    return re.sub(r">\s+<", "><", re.sub(r"\s+", " ", html))


def test_it_is_the_renderer_of_every_form() -> None:
    assert settings.FORM_RENDERER == "config.renderers.FormRenderer"
    assert isinstance(get_default_renderer(), FormRenderer)


def test_forms_are_drawn_as_django_draws_them_with_everything_escaped() -> None:
    ours, django = drawn(FormRenderer()), drawn(DjangoTemplates())
    assert ours == django
    assert "<script>" not in ours
    assert ours.count("&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;&amp;amp;") == 8


def test_a_refused_value_in_a_message_is_escaped_as_django_escapes_it() -> None:
    form = Everything(data={"choice": "it's <b>"}, renderer=FormRenderer())
    assert "it&#x27;s &lt;b&gt;" in str(form["choice"].errors)


def test_django_templates_come_from_jinja2_and_the_admins_from_django() -> None:
    renderer = FormRenderer()
    drawn(renderer)
    field = Purpose._meta.get_field("legal_bases")
    widget = RelatedFieldWidgetWrapper(
        forms.SelectMultiple(), field.remote_field, site, can_add_related=False
    )
    html = widget.render("legal_bases", [], renderer=renderer)
    assert 'class="related-widget-wrapper"' in html
    engines = {name: type(owner).__name__ for name, owner in renderer.owner.items()}
    assert engines["django/forms/widgets/textarea.html"] == "Jinja2"
    assert engines["django/forms/div.html"] == "DjangoTemplates"
    assert engines["admin/widgets/related_widget_wrapper.html"] == "DjangoTemplates"


def test_a_missing_template_is_still_an_error() -> None:
    with pytest.raises(TemplateDoesNotExist):
        FormRenderer().get_template("no/such/template.html")


@pytest.mark.parametrize(
    "template_name",
    [
        "django/forms/errors/list/default.html",
        "django/forms/errors/list/ul.html",
        "django/forms/errors/list/text.txt",
    ],
)
def test_an_error_list_is_drawn_as_django_draws_it_empty_or_not(template_name: str) -> None:
    """An empty list draws nothing without its template; a full one through it."""
    for messages in ([], [HOSTILE, "Second"]):
        errors = ErrorList(messages, field_id="id_x")
        ours = errors.render(template_name, renderer=FormRenderer())
        django = errors.render(template_name, renderer=DjangoTemplates())
        assert ours == django
        assert bool(ours) == bool(messages)
        assert "<script>" not in ours


@pytest.mark.parametrize("language", ["en", "fi"])
def test_labels_are_drawn_as_django_draws_them(language: str) -> None:
    """Every field's label (a checkbox's too, hidden and without an id), hostile text
    escaped, an admin label's text given already escaped left as it is."""

    class Labelled(Everything):
        no_id = forms.CharField(label=HOSTILE, widget=forms.TextInput(attrs={"id": ""}))

    def labels(renderer) -> list[str]:
        form = Labelled(auto_id="id_%s", renderer=renderer)
        drawn = [form[name].label_tag() for name in form.fields]
        drawn += [form[name].label_tag(attrs={"class": HOSTILE, "x": True}) for name in form.fields]
        drawn.append(
            form["text"].label_tag(contents=format_html("<b>{}</b>", "given"), label_suffix="")
        )
        drawn.append(form["text"].legend_tag())
        return drawn

    with translation.override(language):
        ours, django = labels(FormRenderer()), labels(DjangoTemplates())
    assert ours == django
    assert any("&quot;&gt;&lt;script&gt;" in text for text in ours)
    assert not any("<script>" in text for text in ours)
    assert '<label for="id_text">Text:</label>' in ours
