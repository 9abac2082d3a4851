"""The record of processing activities (Art. 30(1)): every point in the PDF and the XLSX.

The PDF is rendered by WeasyPrint and read back with pypdf; the spreadsheet is read
back with openpyxl. Alice (editor of Acme) gets Acme's record; bob (Borealis) and
charlie (no company) get a 404.
"""

from __future__ import annotations

import io

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation
from openpyxl import load_workbook

from notices import art30
from notices.models import (
    DataSubjectGroup,
    LegalBasis,
    NoticeVersion,
    Purpose,
    Register,
    Transfer,
)
from notices.snapshot import build_snapshot, content_hash
from notices.templatetags.notice_tags import notice_date
from tests.conftest import Tenant, login
from tests.notices_factory import pdf_text, publish

JOINT = "Acme Holding Oy, holding@acme.example"


@pytest.fixture
def company(register: Register, paula: User, acme: Tenant) -> Register:
    """Acme with a published customer register changed since, and an unpublished staff one."""
    controller = acme.controller
    controller.dpo_name, controller.dpo_email = "Dora Dpo", "dpo@acme.example"
    controller.representative_fi = "Acme EU-edustaja, Bryssel"
    controller.representative_en = "Acme EU Rep, Brussels"
    controller.save()
    register.joint_controllers_en = register.joint_controllers_fi = JOINT
    register.save()
    publish(register, paula)
    Transfer.objects.create(
        register=register,
        country="IN",
        recipient_en="Acme India support",
        safeguard="art49",
        copy_info_en="Explicit consent recorded in the ticket",
    )
    staff = Register.objects.create(
        controller=controller,
        name_fi="Acme henkilöstörekisteri",
        slug="staff",
        languages=["fi"],
    )
    DataSubjectGroup.objects.create(register=staff, name_fi="Työntekijät")
    purpose = Purpose.objects.create(register=staff, name_fi="Palkanmaksu")
    purpose.legal_bases.set([LegalBasis.objects.get(code="6-1-c")])
    return register


def address(name: str, controller_pk: int, lang: str | None = None) -> str:
    args = [controller_pk] if lang is None else [controller_pk, lang]
    return reverse(f"admin:controllers_controller_art30{name}", args=args)


def expected_items(lang: str) -> list[str]:
    with translation.override(lang):
        return [f"({item}) {heading}" for item, heading in art30.ITEMS.items()]


def test_pdf_holds_every_point_of_article_30(company: Register, alice: User, acme: Tenant):
    response = login(alice).get(address("_pdf", acme.controller.pk, "en"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert "no-store" in response["Cache-Control"]
    assert "-art30-" in response["Content-Disposition"]
    text = pdf_text(response.content)
    for heading in expected_items("en")[1:]:
        assert heading in text, heading
    for expected in (
        "Record of processing activities",
        "Controller, joint controllers, representative and data protection officer",
        "Acme",
        "1234567-1",
        "info@acme.example",
        "Acme EU Rep, Brussels",
        "Dora Dpo",
        f"Joint controllers: {JOINT}",
        "Acme customer register",
        "Acme customer relationship",
        "6(1)(b)",
        "Data subjects: Acme customers",
        "Personal data: Acme contact details",
        "Acme recipient",
        "Processor: Acme CRM",
        "United States of America",
        "standard contractual clauses",
        "India",
        "Explicit consent recorded in the ticket",
        "Acme contact details: 10 years",
        "Acme firewall",
        # The staff register has no English: its Finnish texts stand in.
        "Acme henkilöstörekisteri",
        "Palkanmaksu",
        "Työntekijät",
        "The draft has changes not yet published",
        "Not published",
        f"Generated: {notice_date(timezone.now())}",
    ):
        assert expected in text, expected
    squeezed = text.replace(" ", "")
    assert content_hash(build_snapshot(company)) in squeezed
    assert company.versions.get().content_hash in squeezed


def test_spreadsheet_cells_hold_every_point(company: Register, alice: User, acme: Tenant):
    response = login(alice).get(address("_xlsx", acme.controller.pk, "en"))
    assert response.status_code == 200
    assert response["Content-Type"] == art30_views_xlsx()
    workbook = load_workbook(io.BytesIO(response.content))
    record, sources = workbook.worksheets
    assert (record.title, sources.title) == ("Record", "Basis of the record")
    assert record["A1"].value == "Record of processing activities"
    assert record["B1"].value == "Acme"
    assert record["B2"].value == notice_date(timezone.now())
    rows = [tuple(row) for row in record.iter_rows(min_row=6, values_only=True)]
    assert ("All", "a", "Data protection officer", "Dora Dpo, dpo@acme.example") in rows
    points = {(row[0], row[1]) for row in rows}
    for name in ("Acme customer register", "Acme henkilöstörekisteri"):
        assert {(name, item) for item in "abcdefg"} <= points
    activity = [row for row in rows if row[0] == "Acme customer register"]
    assert (
        "Acme customer register",
        "a",
        str(art30.ITEMS["a"]),
        f"Joint controllers: {JOINT}",
    ) in (activity)
    lines = {(row[1], row[3]) for row in activity}
    assert (
        "d",
        "Processor: Acme CRM – Customer relationship management – "
        "United States of America – Contact details",
    ) in lines
    assert any(item == "e" and "India" in line and "Art. 49" in line for item, line in lines)
    assert any(item == "f" and "10 years" in line for item, line in lines)
    assert ("g", "Electronic material: Acme firewall") in lines

    header, *data = list(sources.iter_rows(values_only=True))
    assert header[:3] == ("Register", "Draft content hash", "Published version")
    by_name = {row[0]: row for row in data}
    customers = by_name["Acme customer register"]
    assert customers[1] == content_hash(build_snapshot(company))
    assert customers[2] == 1
    assert customers[4] == company.versions.get().content_hash
    assert customers[5] == "The draft has changes not yet published"
    assert by_name["Acme henkilöstörekisteri"][2] is None


def art30_views_xlsx() -> str:
    return "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def test_record_in_finnish_and_only_in_the_companys_languages(company: Register, alice: User):
    client = login(alice)
    pk = company.controller_id
    text = pdf_text(client.get(address("_pdf", pk, "fi")).content)
    with translation.override("fi"):
        title = translation.gettext("Record of processing activities")
    assert title != "Record of processing activities"
    assert title in text
    for heading in expected_items("fi")[1:]:
        assert heading in text, heading
    day = timezone.localtime()
    assert f"{day.day}.{day.month}.{day.year}" in text
    # Acme's registers publish in Finnish and English only.
    assert client.get(address("_pdf", pk, "sv")).status_code == 404
    assert client.get(address("_xlsx", pk, "sv")).status_code == 404


def test_members_of_another_company_get_404(
    company: Register, bob: User, charlie: User, alice: User
):
    pk = company.controller_id
    addresses = [address("", pk), address("_pdf", pk, "en"), address("_xlsx", pk, "en")]
    for url in addresses:
        assert login(bob).get(url).status_code == 404, (bob, url)
        # charlie is a member of no company, so no admin user: the login page.
        response = login(charlie).get(url)
        assert response.status_code == 302, (charlie, url)
        assert response["Location"].startswith("/admin/login/")
    anonymous = Client().get(addresses[0])
    assert anonymous.status_code == 302
    own = login(alice)
    page = own.get(addresses[0])
    assert page.status_code == 200
    assert addresses[1] in page.content.decode()
    change = own.get(reverse("admin:controllers_controller_change", args=[pk]))
    assert addresses[0] in change.content.decode()


def test_tenant_text_that_looks_like_a_formula_stays_text(company: Register, alice: User):
    Purpose.objects.filter(register=company).update(name_en='=HYPERLINK("http://evil","x")')
    response = login(alice).get(address("_xlsx", company.controller_id, "en"))
    record = load_workbook(io.BytesIO(response.content)).worksheets[0]
    cells = [c for row in record.iter_rows() for c in row if c.value and "HYPERLINK" in c.value]
    assert cells and all(cell.data_type == "s" for cell in cells)


def test_fingerprint_is_the_same_in_every_language_and_follows_the_drafts(company: Register):
    controller = company.controller
    english = art30.build_record(controller, "en")
    finnish = art30.build_record(controller, "fi")
    assert english.fingerprint == finnish.fingerprint
    Purpose.objects.filter(register=company).update(name_en="Changed")
    assert art30.build_record(controller, "en").fingerprint != english.fingerprint
    assert NoticeVersion.objects.filter(register=company).count() == 1


def test_a_version_published_before_joint_controllers_existed_is_still_the_draft(
    company: Register, paula: User
):
    """A stored snapshot without the key is read in today's shape: no change, no new hash."""
    Transfer.objects.filter(country="IN").delete()
    version = publish(company, paula)
    old = dict(version.snapshot)
    old["register"] = {k: v for k, v in old["register"].items() if k != "joint_controllers"}
    NoticeVersion.objects.filter(pk=version.pk).update(snapshot=old)
    Register.objects.filter(pk=company.pk).update(joint_controllers_en="", joint_controllers_fi="")
    (source,) = [
        s for s in art30.build_record(company.controller, "en").sources if s.slug == "customers"
    ]
    assert source.draft_is_published
    assert source.version == 2
