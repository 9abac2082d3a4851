"""The admin at scale: each page a member uses costs the same queries with 2 companies as with 12.

The pages are the bench's own list (``bench_admin.member_pages``), so the bench
measures what these tests hold flat. The database also grows the way the bench
grows it: ``bench_scale`` copies are checked here to belong to their own company.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from bench.management.commands.bench_admin import (
    FormValues,
    Page,
    member_pages,
    superuser_pages,
)
from controllers.audit import audit_record
from controllers.models import AuditEvent, ContactPerson, Controller, Membership
from notices.models import (
    LegalBasis,
    NoticeRendering,
    NoticeVersion,
    Register,
    RegisterProcessor,
    RetentionRule,
    Transfer,
)
from notices.snapshot import build_snapshot, content_hash
from tests.conftest import Tenant, login, make_user
from tests.test_admin_lists import add_companies


def queries_of(client: Client, page: Page) -> int:
    """Queries of one request of ``page``; the editor's POST resubmits its form unchanged."""
    data = None
    if page.post:
        parser = FormValues("register_form")
        parser.feed(client.get(page.url).content.decode())
        data = parser.data
    with CaptureQueriesContext(connection) as queries:
        response = client.post(page.url, data) if page.post else client.get(page.url)
    expected = 302 if page.post else 200
    assert response.status_code == expected, (page.name, response.status_code)
    return len(queries)


def add_versions(register: Register, n: int, publisher: User | None = None) -> None:
    """``n`` more published versions of ``register``, with an audit event each."""
    snapshot = build_snapshot(register)
    start = register.versions.count()
    for number in range(start + 1, start + n + 1):
        version = NoticeVersion.objects.create(
            register=register,
            number=number,
            published_at=timezone.now(),
            summary={},
            published_by=publisher,
            snapshot=snapshot,
            content_hash=content_hash(snapshot),
        )
        audit_record(
            user=None, controller=register.controller, action=AuditEvent.Action.PUBLISH, obj=version
        )


def test_member_pages_do_not_grow_with_companies_and_versions(
    register: Register, paula: User, acme: Tenant, beta: Tenant
):
    client = login(paula)
    add_versions(register, 1, paula)
    pages = member_pages(acme.controller, register)
    # Once first: the content types and the like are cached on first use.
    for page in pages:
        queries_of(client, page)
    few = {page.name: queries_of(client, page) for page in pages}
    add_companies(10)
    # Each by another publisher: the editor lists versions with their publishers.
    for i in range(9):
        add_versions(register, 1, make_user(f"publisher{i}"))
    many = {page.name: queries_of(client, page) for page in pages}
    assert Controller.objects.count() == 12
    assert register.versions.count() == 10
    assert many == few


def test_superuser_lists_do_not_grow_with_companies(root: User, acme: Tenant, beta: Tenant):
    client = login(root)
    pages = superuser_pages(acme.controller)
    for page in pages:
        queries_of(client, page)
    few = {page.name: queries_of(client, page) for page in pages}
    add_companies(10)
    add_versions(acme.register, 9)
    many = {page.name: queries_of(client, page) for page in pages}
    assert many == few


def test_superuser_list_shows_the_newest_first_without_a_second_count(
    root: User, acme: Tenant, beta: Tenant
):
    client = login(root)
    page = client.get("/admin/notices/register/").content.decode()
    assert page.index("Borealis customer register") < page.index("Acme customer register")
    searched = client.get("/admin/notices/register/?q=Acme").content.decode()
    assert "Acme customer register" in searched
    assert "Borealis customer register" not in searched
    # "1 result (Show all)", not "(2 total)": the whole table is not counted again.
    assert "Show all" in searched
    assert " total)" not in searched


def test_member_list_keeps_the_models_ordering(alice: User, acme: Tenant):
    Register.objects.create(controller=acme.controller, name_fi="Aaa", name_en="Aaa", slug="aaa")
    page = login(alice).get("/admin/notices/register/").content.decode()
    assert page.index("Aaa") < page.index("Acme customer register")


def test_processor_list_shows_the_country_name(root: User, acme: Tenant):
    page = login(root).get("/admin/notices/processor/").content.decode()
    assert "United States" in page


# --- bench_scale: the copies the bench measures ----------------------------------------------


@pytest.fixture
def source(acme: Tenant, paula: User, media: Path) -> Tenant:
    """Acme with a stored rendering of its version, as a published demo company has."""
    (media / "acme.pdf").write_bytes(b"%PDF-1.7 stand-in")
    NoticeRendering.objects.create(
        version=acme.register.versions.get(),
        language=acme.register.languages[0],
        html="<p>Acme</p>",
        embed_html="<p>Acme</p>",
        changelog_html="",
        json="{}",
        pdf="acme.pdf",
        pdf_size=17,
        html_hash="h",
        pdf_hash="p",
    )
    return acme


def grow(tmp_path: Path, companies: int) -> dict:
    output = tmp_path / "scale.json"
    call_command(
        "bench_scale",
        f"--companies={companies}",
        "--source=acme",
        "--force",
        "--json",
        str(output),
    )
    return json.loads(output.read_text())


def test_bench_scale_grows_to_the_number_of_companies(source: Tenant, beta: Tenant, tmp_path):
    result = grow(tmp_path, 5)
    assert result["copies"] == 3
    assert result["after"]["companies"] == 5
    copies = Controller.objects.filter(slug__startswith="acme-")
    assert copies.count() == 3
    for company in copies:
        registers = Register.objects.filter(controller=company)
        assert registers.count() == 3
        for register in registers:
            assert sorted(register.versions.values_list("number", flat=True)) == [1, 2, 3]
            version = register.versions.get(number=3)
            assert version.snapshot["controller"]["slug"] == company.slug
            assert version.snapshot["register"]["slug"] == register.slug
            rendering = version.renderings.get()
            assert rendering.pdf.name == "acme.pdf"
        publisher = Membership.objects.get(controller=company, role="publisher")
        assert publisher.user.username == f"bench-publisher-{company.slug}"
        assert AuditEvent.objects.filter(controller=company).exists()
    # Growing again to the same size adds nothing.
    assert grow(tmp_path, 5)["copies"] == 0


def test_bench_scale_copies_belong_to_their_own_company(source: Tenant, tmp_path):
    grow(tmp_path, 3)
    for link in RegisterProcessor.objects.select_related("register", "processor"):
        assert link.processor.controller_id == link.register.controller_id
    for transfer in Transfer.objects.select_related("register", "processor"):
        assert transfer.processor.controller_id == transfer.register.controller_id
    for rule in RetentionRule.objects.select_related("data_category"):
        assert rule.data_category.register_id == rule.register_id
    for register in Register.objects.select_related("contact_person"):
        assert register.contact_person.controller_id == register.controller_id
    for category in source.category._meta.model.objects.prefetch_related("subject_groups"):
        assert {g.register_id for g in category.subject_groups.all()} <= {category.register_id}
    assert (
        ContactPerson.objects.count()
        == 3 * ContactPerson.objects.filter(controller=source.controller).count()
    )


def test_bench_scale_refuses_without_debug_unless_forced(source: Tenant):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="Refusing"):
        call_command("bench_scale", "--companies=3")
    assert Controller.objects.count() == 1


def test_bench_scale_copies_the_registers_own_and_its_parts_relations(source: Tenant, tmp_path):
    """Each copy is the same register: the editor's pages measure the same choices."""
    bases = list(LegalBasis.objects.order_by("pk")[:2])
    source.register.legal_bases.set(bases[:1])
    source.purpose.legal_bases.set(bases)
    grow(tmp_path, 2)
    copy = Register.objects.filter(controller__slug__startswith="acme-").first()
    assert list(copy.legal_bases.all()) == bases[:1]
    assert [list(p.legal_bases.all()) for p in copy.purposes.all()] == [bases]
    assert list(copy.data_categories.get().subject_groups.all()) == list(copy.subject_groups.all())
