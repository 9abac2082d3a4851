"""Issue 10, point 8: each guided step and the company home make a fixed number of
queries whatever the number of rows (no N+1), on SQLite and on PostgreSQL.
Issue 13, point 4: so do saving a step and the one-page editor unchanged, as a
browser resubmits them (each row's id and chosen objects checked in one query
per relation for all the rows, not one per row).

A step is asked for a register with one row of every part (and one right), then
again with about ten of every part: groups, purposes with several legal bases,
data categories with several groups, processors (each its own), transfers,
retention rules, cookies, every right of the catalogue, lead paragraphs, earlier
changes. The company home is asked with one register, then five.
"""

from __future__ import annotations

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from bench.management.commands.bench_admin import FormValues
from notices import services, steps
from notices.models import (
    CoverageItem,
    EarlierChange,
    LegalBasis,
    Processor,
    Register,
    RegisterProcessor,
    RegisterRight,
    Right,
    SectionLead,
    Transfer,
)
from notices.parts import lead_section_choices
from tests.conftest import Tenant, login
from tests.notices_factory import make_publisher, publish

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.usefixtures("blank_pdfs"),  # no PDF is read here (tests/conftest.py)
]

ROWS = 10


def queries(client, url: str) -> list[str]:
    """The SQL of one GET of ``url``, after a first one (caches filled on first use)."""
    assert client.get(url).status_code == 200
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return [q["sql"] for q in captured.captured_queries]


def form_values(client, url: str, form_id: str) -> dict[str, list[str]]:
    """What a browser would submit from the page's form, unchanged."""
    parser = FormValues(form_id)
    parser.feed(client.get(url).content.decode())
    assert parser.data, f"no form #{form_id} at {url}"
    return parser.data


def post_queries(client, url: str, form_id: str) -> list[str]:
    """The SQL of saving the form of ``url`` unchanged, after a first save."""
    data = form_values(client, url, form_id)
    assert client.post(url, data).status_code == 302
    with CaptureQueriesContext(connection) as captured:
        response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[-3000:]
    return [q["sql"] for q in captured.captured_queries]


def copy(obj, **changes):  # type: ignore[no-untyped-def]
    """A new row like ``obj`` (its many-to-many relations too), with ``changes``."""
    relations = {f.name: list(getattr(obj, f.name).all()) for f in obj._meta.many_to_many}
    obj.pk = None
    obj._state.adding = True
    for name, value in changes.items():
        setattr(obj, name, value)
    obj.save()
    for name, related in relations.items():
        getattr(obj, name).set(related)
    return obj


def one_right_only(register: Register) -> None:
    first = register.rights.order_by("order", "pk").first()
    register.rights.exclude(pk=first.pk).delete()


def grow(tenant: Tenant) -> None:
    """About ten rows of every part of the tenant's register (one right: every right)."""
    register = tenant.register
    bases = list(LegalBasis.objects.order_by("pk")[:3])
    tenant.purpose.legal_bases.set(bases)
    groups = [tenant.group] + [copy(tenant.group) for _ in range(ROWS - 1)]
    tenant.category.subject_groups.set(groups[:3])
    categories = [tenant.category] + [copy(tenant.category) for _ in range(ROWS - 1)]
    for obj in (tenant.purpose, tenant.source, tenant.recipient, tenant.security, tenant.cookie):
        for _ in range(ROWS - 1):
            copy(obj)
    for number in range(ROWS - 1):
        CoverageItem.objects.create(register=register, name_fi=f"Kattavuus {number}")
        EarlierChange.objects.create(
            register=register, date=date(2018, 1, number + 1), text_fi=f"Muutos {number}"
        )
        processor = Processor.objects.create(
            controller=tenant.controller,
            name_fi=f"Käsittelijä {number}",
            service_fi="Palvelu",
            country="SE",
        )
        RegisterProcessor.objects.create(
            register=register, processor=processor, processes_fi="Tiedot"
        )
        Transfer.objects.create(
            register=register, country="US", processor=processor, safeguard="scc"
        )
        copy(tenant.retention, data_category=categories[number + 1])
    used = set(SectionLead.objects.filter(register=register).values_list("section", flat=True))
    for section, _label in [c for c in lead_section_choices() if c[0] not in used][: ROWS - 1]:
        SectionLead.objects.create(register=register, section=section, text_fi="Johdanto")
    present = set(register.rights.values_list("right_id", flat=True))
    for order, right in enumerate(Right.objects.exclude(pk__in=present), start=10):
        RegisterRight.objects.create(register=register, right=right, order=order)


def test_the_grown_register_has_about_ten_rows_of_every_part(acme) -> None:
    one_right_only(acme.register)
    grow(acme)
    register = acme.register
    for accessor in (
        "coverage",
        "subject_groups",
        "purposes",
        "data_categories",
        "sources",
        "recipients",
        "register_processors",
        "transfers",
        "retention_rules",
        "security_measures",
        "cookies",
        "section_leads",
        "earlier_changes",
    ):
        assert getattr(register, accessor).count() >= ROWS, accessor
    assert register.rights.count() == Right.objects.count() > 1


@pytest.mark.parametrize("key", [s.key for s in steps.STEPS])
def test_a_step_makes_the_same_queries_with_one_row_or_ten(alice, acme, key) -> None:
    client = login(alice)
    url = reverse("admin:notices_register_step", args=[acme.register.pk, key])
    one_right_only(acme.register)
    few = queries(client, url)
    grow(acme)
    many = queries(client, url)
    assert len(many) == len(few), "\n".join(many)
    # The step does show the rows it was grown by.
    shown = client.get(url).content.decode().count('id="item-')
    expected = {"rights": Right.objects.count(), "contact_person": 0, "automated": 0, "record": 0}
    assert shown >= expected.get(key, ROWS)


def test_the_company_home_makes_the_same_queries_with_one_register_or_five(register) -> None:
    paula = make_publisher(register.controller)
    publish(register, paula)
    client = login(paula)
    urls = [
        reverse("admin:index"),
        reverse("admin:controllers_controller_home", args=[register.controller_id]),
    ]
    few = [queries(client, url) for url in urls]
    assert Register.objects.filter(controller=register.controller).count() == 1
    copies = [services.register_duplicate(register=register, user=paula) for _ in range(4)]
    publish(copies[0], paula)
    copies[1].is_online = False
    copies[1].save()
    for url, before in zip(urls, few, strict=True):
        after = queries(client, url)
        assert client.get(url).content.decode().count('class="register-card"') == 5
        assert len(after) == len(before), "\n".join(after)


def test_the_one_page_editor_makes_the_same_queries_with_one_row_or_ten(alice, acme) -> None:
    """The register's whole form: each relation's choices once for all its rows, each
    row's chosen values (legal bases, groups, a processor) fetched with the rows."""
    client = login(alice)
    url = reverse("admin:notices_register_change", args=[acme.register.pk])
    one_right_only(acme.register)
    few = queries(client, url)
    grow(acme)
    many = queries(client, url)
    assert len(many) == len(few), "\n".join(many)
    html = client.get(url).content.decode()
    # Every grown row is on the page, with its processor chosen (autocomplete) and
    # its legal bases selected.
    processors = RegisterProcessor.objects.filter(register=acme.register)
    assert processors.count() == ROWS
    for link in processors.select_related("processor"):
        assert f'<option value="{link.processor_id}" selected>{link.processor}</option>' in html
    assert html.count('name="purposes-') >= ROWS
    for basis in acme.purpose.legal_bases.all():
        assert f'<option value="{basis.pk}" selected>' in html


@pytest.mark.parametrize("key", [s.key for s in steps.STEPS])
def test_saving_a_step_makes_the_same_queries_with_one_row_or_ten(alice, acme, key) -> None:
    client = login(alice)
    url = reverse("admin:notices_register_step", args=[acme.register.pk, key])
    one_right_only(acme.register)
    few = post_queries(client, url, "step-form")
    grow(acme)
    many = post_queries(client, url, "step-form")
    assert len(many) == len(few), "\n".join(many)


def test_saving_the_one_page_editor_makes_the_same_queries_with_one_row_or_ten(alice, acme) -> None:
    client = login(alice)
    url = reverse("admin:notices_register_change", args=[acme.register.pk])
    one_right_only(acme.register)
    few = post_queries(client, url, "register_form")
    grow(acme)
    many = post_queries(client, url, "register_form")
    assert len(many) == len(few), "\n".join(many)
    # Every grown row was submitted, and saved as it was.
    submitted = form_values(client, url, "register_form")
    assert int(submitted["register_processors-TOTAL_FORMS"][0]) >= ROWS
    assert RegisterProcessor.objects.filter(register=acme.register).count() == ROWS
    assert set(acme.purpose.legal_bases.all()) == set(LegalBasis.objects.order_by("pk")[:3])
