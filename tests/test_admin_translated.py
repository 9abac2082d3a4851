"""The admin in Finnish and Swedish: the JavaScript catalogue and the screen-reader headers.

The browser test (tests/browser/test_admin_languages.py) walks every page for
English left over; these are the parts Django's own catalogues leave untranslated.
"""

from __future__ import annotations

import json
import re

import pytest
from django.urls import reverse

from tests.conftest import login


@pytest.mark.parametrize(
    ("language", "choose_all", "english"),
    [("fi", "Valitse kaikki: %s", "Choose all %s"), ("sv", "Välj alla %s", "Choose all %s")],
)
def test_javascript_catalogue_has_the_selectors_strings(alice, language, choose_all, english):
    response = login(alice, language).get(reverse("admin:jsi18n"))
    assert response.status_code == 200
    # The view writes its catalogue as JSON (non-ASCII letters as \u escapes).
    found = re.search(r"const newcatalog = (\{.*?\n\s*\});", response.content.decode(), re.S)
    assert found, "no catalogue in the script"
    assert json.loads(found.group(1))[english] == choose_all


def test_the_legal_basis_selector_loads_the_catalogue(acme, alice):
    html = (
        login(alice, "fi")
        .get(reverse("admin:notices_register_change", args=[acme.register.pk]))
        .content.decode()
    )
    assert f'src="{reverse("admin:jsi18n")}"' in html


@pytest.mark.parametrize(("language", "header"), [("fi", "Nimi"), ("sv", "Modellens namn")])
def test_index_screen_reader_headers_are_translated(root, acme, language, header):
    html = login(root, language).get(reverse("admin:index")).content.decode()
    assert f'<th scope="col">{header}</th>' in html
    assert "Model name" not in html
    assert "Change or view list link" not in html
