"""The admin's help texts are escaped (templates/admin/includes/fieldset.html).

Django's fieldset template marks a field's help text safe: the company's address
name help, "/<language>/<name>/", was drawn as two unknown tags, "//".
"""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from controllers.models import Controller
from tests.conftest import Tenant, login

pytestmark = pytest.mark.django_db


def help_texts(html: str) -> list[str]:
    return re.findall(r'<div class="help[^"]*"[^>]*>\s*<div>(.*?)</div>', html, re.S)


def test_the_address_name_help_is_shown_as_written(acme: Tenant, alice):
    page = login(alice, "en").get(
        reverse("admin:controllers_controller_change", args=[acme.controller.pk])
    )
    assert page.status_code == 200
    expected = str(Controller._meta.get_field("slug").help_text)
    assert "<language>" in expected
    shown = help_texts(page.content.decode())
    assert "Used in the public address of the notices: /&lt;language&gt;/&lt;name&gt;/." in shown


def test_no_help_text_of_the_register_editor_holds_a_tag(acme: Tenant, alice):
    html = (
        login(alice, "en")
        .get(reverse("admin:notices_register_change", args=[acme.register.pk]))
        .content.decode()
    )
    shown = help_texts(html)
    assert len(shown) > 10
    assert not [text for text in shown if "<" in text]
