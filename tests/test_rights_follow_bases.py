"""The rights of the data subject follow from the legal bases (issue 9 point 5).

``rules.applicable_rights`` decides; a new register lists by default the rights
that apply to the bases saved with it; publishing is refused while a right that
applies is left out, and a right listed that cannot apply is a warning.
"""

from __future__ import annotations

import json

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse
from django.utils import translation

from notices import rules, services
from notices.completeness import check_completeness, check_warnings
from notices.models import LegalBasis, Purpose, Register
from notices.snapshot import build_snapshot
from tests.conftest import Tenant
from tests.notices_factory import pdf_text, publish
from tests.test_isolation import form_data
from tests.test_public_pages import body

ALWAYS = {"access", "rectification", "restriction", "complaint"}


@pytest.mark.parametrize(
    ("codes", "marketing", "automated", "required", "possible"),
    [
        # Art. 6(1)(b) contract: portability (Art. 20(1)(a)), erasure; no objection.
        (["6-1-b"], False, False, ALWAYS | {"erasure", "portability"}, set()),
        # Art. 6(1)(a) consent: portability and withdrawal (Art. 7(3)).
        (["6-1-a"], False, False, ALWAYS | {"erasure", "portability", "withdraw_consent"}, set()),
        # Art. 9(2)(a) explicit consent counts as consent for both.
        (["9-2-a"], False, False, ALWAYS | {"erasure", "portability", "withdraw_consent"}, set()),
        # Art. 6(1)(f) legitimate interests: objection (Art. 21(1)), no portability.
        (["6-1-f"], False, False, ALWAYS | {"erasure", "objection"}, set()),
        # Art. 6(1)(e) public task: objection; erasure excepted (Art. 17(3)(b)).
        (["6-1-e"], False, False, ALWAYS | {"objection"}, {"erasure"}),
        # Art. 6(1)(c) legal obligation: erasure excepted, nothing else.
        (["6-1-c"], False, False, ALWAYS, {"erasure"}),
        # Direct marketing: objection always (Art. 21(2)), even on consent.
        (
            ["6-1-a"],
            True,
            False,
            ALWAYS | {"erasure", "portability", "withdraw_consent", "objection"},
            set(),
        ),
        # Automated decisions: Art. 22.
        (["6-1-b"], False, True, ALWAYS | {"erasure", "portability", "automated_decision"}, set()),
        # A legal obligation beside a contract: erasure applies to the contract's data.
        (["6-1-c", "6-1-b"], False, False, ALWAYS | {"erasure", "portability"}, set()),
    ],
)
def test_applicable_rights(codes, marketing, automated, required, possible):
    rights = rules.applicable_rights(
        codes, direct_marketing=marketing, automated_decisions=automated
    )
    assert rights.required == frozenset(required)
    assert rights.possible == frozenset(required | possible)


def listed(register: Register) -> set[str]:
    return set(register.rights.filter(included=True).values_list("right__code", flat=True))


def add_register_through_admin(client: Client, codes: list[str], marketing: bool) -> Register:
    """As an editor: a new register with one purpose on ``codes``, saved once."""
    add = reverse("admin:notices_register_add")
    data = form_data(client.get(add))
    data.update({"name_fi": "Uutiskirje", "name_en": "Newsletter", "slug": "uutiskirje"})
    data["languages"] = ["fi", "en"]
    data["purposes-TOTAL_FORMS"] = "1"
    data["purposes-0-order"] = "1"
    data["purposes-0-name_fi"] = "Uutiskirjeen lähettäminen"
    data["purposes-0-legal_bases"] = [str(LegalBasis.objects.get(code=c).pk) for c in codes]
    if marketing:
        data["purposes-0-is_direct_marketing"] = "on"
    if "6-1-f" in codes:
        data["purposes-0-legitimate_interest_fi"] = "Asiakkaiden tiedottaminen."
    response = client.post(add, data)
    assert response.status_code == 302, response.context and [
        response.context["adminform"].form.errors,
        *(f.formset.errors for f in response.context["inline_admin_formsets"]),
    ]
    return Register.objects.get(slug="uutiskirje")


def test_new_register_on_consent_lists_withdrawal_and_portability(alice_client: Client):
    register = add_register_through_admin(alice_client, ["6-1-a"], marketing=False)
    assert listed(register) == ALWAYS | {"erasure", "portability", "withdraw_consent"}


def test_new_register_for_direct_marketing_lists_objection(alice_client: Client):
    register = add_register_through_admin(alice_client, ["6-1-a"], marketing=True)
    assert "objection" in listed(register)


def test_new_register_on_legitimate_interests_lists_objection_not_portability(
    alice_client: Client,
):
    register = add_register_through_admin(alice_client, ["6-1-f"], marketing=False)
    assert listed(register) == ALWAYS | {"erasure", "objection"}


def test_portability_left_out_of_a_contract_register_is_refused(
    register: Register, paula: User, media
):
    """The case measured in issue 9: portability dropped though the register rests on a contract."""
    register.rights.filter(right__code="portability").update(included=False)
    with pytest.raises(services.PublishRefused) as refused:
        publish(register, paula)
    assert "The notice must state the right to data portability." in str(refused.value)
    assert "Art. 20(1)" in str(refused.value)


def test_objection_required_once_a_purpose_is_direct_marketing(register: Register, acme: Tenant):
    assert "objection" not in listed(register)
    acme.purpose.is_direct_marketing = True
    acme.purpose.save()
    with translation.override("en"):
        problems = [p.message for p in check_completeness(build_snapshot(register))]
    assert any("right to object" in p and "direct marketing" in p for p in problems), problems


def test_withdrawal_listed_without_consent_is_a_warning(register: Register):
    register.rights.filter(right__code="withdraw_consent").update(included=True)
    assert check_completeness(build_snapshot(register)) == []
    with translation.override("en"):
        (warning,) = check_warnings(build_snapshot(register))
    assert warning.key == "right_cannot_apply:withdraw_consent"
    assert "no purpose rests on consent (Art. 7(3))" in warning.message


def test_consent_stated_for_the_whole_register_brings_the_withdrawal_right(
    register: Register, paula: User, media
):
    """A basis stated once counts like a purpose's: the notice shows the withdrawal right."""
    register.legal_bases.set([LegalBasis.objects.get(code="6-1-a")])
    version = publish(register, paula)
    assert "withdraw_consent" in {right["code"] for right in version.snapshot["rights"]}
    page = Client().get("/en/acme/customers/").content.decode()
    rights = page.split('id="rights"', 1)[1].split("</section>", 1)[0]
    assert "Right to withdraw consent" in rights
    assert "Right to data portability" in rights
    pdf = " ".join(pdf_text(body(Client().get("/en/acme/customers/pdf/"))).split())
    assert "Right to withdraw consent" in pdf
    notice = json.loads(body(Client().get("/en/acme/customers/notice.json")))
    assert {"withdraw_consent", "portability"} <= {r["code"] for r in notice["rights"]}
    assert "objection" not in {r["code"] for r in notice["rights"]}


def test_purpose_on_legal_obligation_only_may_leave_erasure_out(register: Register, acme: Tenant):
    acme.purpose.legal_bases.set([LegalBasis.objects.get(code="6-1-c")])
    register.rights.filter(right__code__in=["erasure", "portability"]).update(included=False)
    snapshot = build_snapshot(register)
    assert check_completeness(snapshot) == []
    assert check_warnings(snapshot) == []
    Purpose.objects.create(register=register, name_fi="Myynti", name_en="Sales").legal_bases.set(
        [LegalBasis.objects.get(code="6-1-b")]
    )
    with translation.override("en"):
        problems = [p.message for p in check_completeness(build_snapshot(register))]
    assert "The notice must state the right to erasure. It applies unless" in " ".join(problems)
