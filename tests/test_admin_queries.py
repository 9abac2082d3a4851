"""Changelists make the same number of queries for 1 row as for 10: no N+1."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from controllers.models import ContactPerson, Membership
from notices.models import Processor, Register
from tests.conftest import login, make_user


def add_rows(controller, n: int) -> None:
    for i in range(n):
        contact = ContactPerson.objects.create(
            controller=controller, name=f"Extra {i}", email=f"extra{i}@example.com"
        )
        Register.objects.create(
            controller=controller,
            name_fi=f"Rekisteri {i}",
            slug=f"extra-{i}",
            contact_person=contact,
        )
        Processor.objects.create(
            controller=controller, name=f"Processor {i}", service_fi="Palvelu", country="FI"
        )
        user = make_user(f"member{i}")
        Membership.objects.create(user=user, controller=controller)


def count_queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


@pytest.mark.parametrize(
    "name",
    [
        "notices_register_changelist",
        "notices_processor_changelist",
        "controllers_contactperson_changelist",
        "controllers_membership_changelist",
        "notices_noticeversion_changelist",
    ],
)
def test_changelist_queries_do_not_grow_with_rows(name, alice, acme):
    client = login(alice)
    url = reverse(f"admin:{name}")
    few = count_queries(client, url)
    add_rows(acme.controller, 10)
    many = count_queries(client, url)
    assert many == few


def test_the_company_page_makes_the_same_queries_with_one_register_or_four(alice, acme):
    """Its embed snippets list the company's registers, without a query per register."""
    client = login(alice)
    url = reverse("admin:controllers_controller_change", args=[acme.controller.pk])
    count_queries(client, url)  # caches filled on first use are not the page's
    few = count_queries(client, url)
    for number in range(3):
        Register.objects.create(
            controller=acme.controller,
            name_fi=f"Rekisteri {number}",
            slug=f"more-{number}",
            contact_person=acme.contact,
        )
    assert Register.objects.filter(controller=acme.controller).count() == 4
    assert count_queries(client, url) == few
