"""Legal bases for the whole register or per purpose (issue 9 point 4).

A register may state its legal bases and its legitimate interest once; its
purposes then need no basis of their own, and the notice names the basis once
and writes the legitimate interest once, on the page, in the PDF and in JSON.
"""

from __future__ import annotations

import json

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse
from django.utils import translation

from notices import services
from notices.changes import compute_changes
from notices.completeness import check_completeness
from notices.models import LegalBasis, Purpose, Register, Right
from notices.presentation import localize
from notices.snapshot import build_snapshot
from tests.conftest import Tenant, login
from tests.notices_factory import pdf_text, publish
from tests.test_isolation import form_data
from tests.test_public_pages import body

INTEREST = {
    "fi": "Asiakassuhteen hoitaminen ja palvelun kehittäminen.",
    "en": "Looking after the customer relationship and improving the service.",
}


def basis(code: str) -> LegalBasis:
    return LegalBasis.objects.get(code=code)


def rights_row(data: dict, code: str) -> int:
    """The row of the rights inline that lists the right ``code``."""
    pk = str(Right.objects.get(code=code).pk)
    return next(
        int(key.split("-")[1])
        for key, value in data.items()
        if key.startswith("rights-") and key.endswith("-right") and value == pk
    )


def state_bases_once(client: Client, register: Register) -> None:
    """As an editor: contract and legitimate interests for the whole register, the
    interest written once; the first purpose's own basis removed; a second purpose on
    legitimate interests without its own interest text; the right to object listed."""
    change = reverse("admin:notices_register_change", args=[register.pk])
    data = form_data(client.get(change))
    data["legal_bases"] = [str(basis("6-1-b").pk), str(basis("6-1-f").pk)]
    data["legitimate_interest_fi"] = INTEREST["fi"]
    data["legitimate_interest_en"] = INTEREST["en"]
    data["purposes-0-legal_bases"] = []
    row = int(data["purposes-TOTAL_FORMS"])
    data["purposes-TOTAL_FORMS"] = str(row + 1)
    data[f"purposes-{row}-order"] = "2"
    data[f"purposes-{row}-name_fi"] = "Markkinointi"
    data[f"purposes-{row}-name_en"] = "Marketing"
    data[f"purposes-{row}-legal_bases"] = [str(basis("6-1-f").pk)]
    data[f"rights-{rights_row(data, 'objection')}-included"] = "on"
    response = client.post(change, data)
    assert response.status_code == 302, response.context and [
        response.context["adminform"].form.errors,
        *(f.formset.errors for f in response.context["inline_admin_formsets"]),
    ]


def test_editor_states_the_legal_bases_once_for_the_whole_register(
    register: Register, alice_client: Client, acme: Tenant
):
    state_bases_once(alice_client, register)
    register.refresh_from_db()
    assert sorted(b.code for b in register.legal_bases.all()) == ["6-1-b", "6-1-f"]
    assert not acme.purpose.legal_bases.exists()
    snapshot = build_snapshot(register)
    assert check_completeness(snapshot) == []
    assert [b["code"] for b in snapshot["register"]["legal_bases"]] == ["6-1-b", "6-1-f"]
    assert snapshot["register"]["legitimate_interest"]["en"] == INTEREST["en"]


def test_other_companys_editor_cannot_state_acmes_bases(register: Register, bob: User):
    change = reverse("admin:notices_register_change", args=[register.pk])
    assert login(bob).get(change).status_code == 404


@pytest.fixture
def stated_once(register: Register, alice_client: Client, paula: User, media):
    state_bases_once(alice_client, register)
    register.refresh_from_db()
    return publish(register, paula)


def purposes_section(html: str) -> str:
    """The purposes section without its explanation of what each basis means."""
    section = html.split('id="purposes"', 1)[1].split("</section>", 1)[0]
    return section.split('<dl class="bases">', 1)[0]


@pytest.mark.parametrize("lang", ["fi", "en"])
def test_published_page_names_the_basis_once_and_the_interest_once(stated_once, lang: str):
    client = Client()
    html = client.get(f"/{lang}/acme/customers/").content.decode()
    section = purposes_section(html)
    with translation.override(lang):
        once = translation.gettext("Legal basis of all processing")
        per_purpose = translation.gettext("Legal basis")
        contract = basis("6-1-b").name
    assert section.count(once) == 1
    assert section.count(contract) == 1
    assert section.count(INTEREST[lang]) == 1
    # Only the purpose with a basis of its own states one.
    assert section.count(f'<span class="label">{per_purpose}:</span>') == 1


def test_published_pdf_writes_the_interest_once(stated_once):
    pdf = Client().get("/en/acme/customers/pdf/")
    text = " ".join(pdf_text(body(pdf)).split())
    assert text.count("Legal basis of all processing") == 1
    assert text.count(INTEREST["en"]) == 1


def test_published_json_carries_the_register_bases(stated_once):
    response = Client().get("/en/acme/customers/notice.json")
    notice = json.loads(body(response))
    register = notice["register"]
    assert [b["code"] for b in register["legal_bases"]] == ["6-1-b", "6-1-f"]
    assert register["legitimate_interest"] == INTEREST["en"]
    assert [[b["code"] for b in p["legal_bases"]] for p in notice["purposes"]] == [[], ["6-1-f"]]


def test_register_bases_with_legitimate_interests_need_the_interest(
    register: Register, paula: User, media
):
    register.legal_bases.set([basis("6-1-f")])
    register.rights.filter(right__code="objection").update(included=True)
    with pytest.raises(services.PublishRefused) as refused:
        publish(register, paula)
    assert "write the legitimate interest of the whole register" in str(refused.value)


def test_a_purpose_without_a_basis_needs_the_register_to_state_one(register: Register):
    purpose = Purpose.objects.create(register=register, name_fi="Tilastot", name_en="Statistics")
    with translation.override("en"):
        problems = [p.message for p in check_completeness(build_snapshot(register))]
    assert "The purpose “Tilastot” has no legal basis." in problems
    register.legal_bases.set([basis("6-1-b")])
    assert check_completeness(build_snapshot(register)) == []
    assert not purpose.legal_bases.exists()


def test_changing_the_register_bases_is_a_substantive_change(register: Register):
    before = build_snapshot(register)
    register.legal_bases.set([basis("6-1-c")])
    (change,) = compute_changes(before, build_snapshot(register))
    assert (change["section"], change["substantive"], change["reason"]) == (
        "register",
        True,
        "legal_basis_changed",
    )


def test_snapshots_stored_before_register_bases_still_compare_and_read(register: Register):
    new = build_snapshot(register)
    old = json.loads(json.dumps(new))
    del old["register"]["legal_bases"]
    del old["register"]["legitimate_interest"]
    for purpose in old["purposes"]:
        del purpose["is_direct_marketing"]
    for cookie in old["cookies"]:
        del cookie["provider_country"]
    assert compute_changes(old, new) == []
    notice = localize(old, "en")
    assert notice["register"]["legal_bases"] == []
    assert [b["code"] for b in notice["legal_bases"]] == ["6-1-b"]
