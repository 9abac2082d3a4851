"""A superuser's changelists cost the same with 3 companies as with 30.

Each list is opened filtered to one company, so its rows stay the same and only
what the page adds per company (sidebar filters listing every company or
register, a date bar) would make it grow.
"""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from controllers.models import Controller, Membership
from tests.conftest import Tenant, login, make_tenant

# (changelist, query string that shows one company's rows)
LISTS = [
    ("notices_register_changelist", "controller__id__exact={id}"),
    ("notices_noticeversion_changelist", "register__controller__id__exact={id}"),
    ("notices_processor_changelist", "controller__id__exact={id}"),
    ("controllers_controller_changelist", "q=Acme"),
    ("controllers_contactperson_changelist", "controller__id__exact={id}"),
    ("controllers_membership_changelist", "controller__id__exact={id}"),
    ("controllers_auditevent_changelist", "controller__id__exact={id}"),
]

# The total count ("1 result (30 total)") may add a digit or two.
PAGE_SIZE_SLACK = 100


def add_companies(n: int) -> None:
    start = Controller.objects.count()
    for i in range(start, start + n):
        make_tenant(f"Company {i}", f"company-{i}", f"{2000000 + i}-{i % 10}")


def open_list(client: Client, name: str, query: str) -> tuple[int, int]:
    """(queries, bytes) of one changelist page."""
    with CaptureQueriesContext(connection) as queries:
        response = client.get(f"{reverse(f'admin:{name}')}?{query}")
    assert response.status_code == 200
    return len(queries), len(response.content)


@pytest.mark.parametrize(("name", "query"), LISTS)
def test_superuser_list_is_flat_in_the_number_of_companies(name, query, root, acme: Tenant):
    client = login(root)
    query = query.format(id=acme.controller.pk)
    add_companies(2)
    few_queries, few_bytes = open_list(client, name, query)
    add_companies(27)
    many_queries, many_bytes = open_list(client, name, query)
    assert Controller.objects.count() == 30
    assert many_queries == few_queries
    assert many_bytes - few_bytes <= PAGE_SIZE_SLACK, (few_bytes, many_bytes)


def sidebar(page: bytes) -> str:
    """The list filters' part of a changelist page ("" when it shows none)."""
    _, _, filters = page.decode().partition('id="changelist-filter"')
    return filters


def test_superuser_sidebar_does_not_list_the_companies(root, acme: Tenant, beta: Tenant):
    response = login(root).get(reverse("admin:notices_noticeversion_changelist"))
    assert "Borealis" not in sidebar(response.content)
    assert "Acme" not in sidebar(response.content)


def test_superuser_filter_link_still_narrows_the_list(root, acme: Tenant, beta: Tenant):
    url = reverse("admin:notices_register_changelist")
    response = login(root).get(f"{url}?controller__id__exact={beta.controller.pk}")
    page = response.content.decode()
    assert "Borealis customer register" in page
    assert "Acme customer register" not in page
    # The chosen company is shown, so the filter can be removed.
    assert "Borealis" in sidebar(response.content)


def test_member_sidebar_lists_own_companies_only(alice, acme: Tenant, beta: Tenant):
    east = make_tenant("Acme East", "acme-east", "1234567-9")
    Membership.objects.create(user=alice, controller=east.controller, role="editor")
    response = login(alice).get(reverse("admin:notices_register_changelist"))
    filters = sidebar(response.content)
    assert f"controller__id__exact={acme.controller.pk}" in filters
    assert f"controller__id__exact={east.controller.pk}" in filters
    assert "Borealis" not in filters


def test_versions_list_does_not_load_snapshots(root, acme: Tenant, beta: Tenant):
    client = login(root)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("admin:notices_noticeversion_changelist"))
    assert response.status_code == 200
    assert "Acme customer register" in response.content.decode()
    selects = [q["sql"] for q in queries if '"notices_noticeversion"' in q["sql"]]
    assert selects
    for sql in selects:
        assert not re.search(r'"notices_noticeversion"\."snapshot"', sql), sql
