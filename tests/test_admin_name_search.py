"""A processor or contact person named once, in the default language, is the same name
in every language: the admin's search and autocomplete find it from an admin in any
language (modeltranslation otherwise searches only the active language's column)."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from controllers.models import ContactPerson
from notices.models import Processor
from tests.conftest import Tenant, login

pytestmark = pytest.mark.django_db

LANGUAGES = [code for code, _name in settings.LANGUAGES]


@pytest.mark.parametrize("language", LANGUAGES)
def test_autocomplete_finds_a_processor_named_in_one_language(acme: Tenant, alice, language):
    named = Processor.objects.create(
        controller=acme.controller,
        **{f"name_{settings.MODELTRANSLATION_DEFAULT_LANGUAGE}": "Postikyyhky Oy"},
        **{f"service_{code}": "sähköposti" for code in LANGUAGES},
    )
    client: Client = login(alice, language)
    response = client.get(
        reverse("admin:autocomplete"),
        {
            "app_label": "notices",
            "model_name": "registerprocessor",
            "field_name": "processor",
            "term": "Postikyyhky",
        },
    )
    assert response.status_code == 200
    assert [int(item["id"]) for item in response.json()["results"]] == [named.pk]


@pytest.mark.parametrize("language", LANGUAGES)
def test_list_search_finds_a_contact_named_in_one_language(acme: Tenant, alice, language):
    ContactPerson.objects.create(
        controller=acme.controller,
        **{f"name_{settings.MODELTRANSLATION_DEFAULT_LANGUAGE}": "Veera Vastaava"},
    )
    client: Client = login(alice, language)
    response = client.get(reverse("admin:controllers_contactperson_changelist"), {"q": "Vastaava"})
    assert response.status_code == 200
    assert "Veera Vastaava" in response.content.decode()
