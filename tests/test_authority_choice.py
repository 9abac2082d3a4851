"""Which supervisory authority a notice names is the editor's choice, never a default.

Art. 13(2)(d) and 14(2)(e) ask for the right to lodge a complaint with a supervisory
authority: the right is in every notice's rights (it always applies). Naming the
authority with its address is Finnish custom. A register starts with none chosen; a
notice without one publishes the complaint right and no authority, in no output.
"""

from __future__ import annotations

import json

import pytest
from django.contrib.auth.models import User
from django.test import Client

from notices.completeness import check_completeness
from notices.models import NoticeVersion, Register, SupervisoryAuthority
from notices.snapshot import build_snapshot
from tests.conftest import Tenant
from tests.notices_factory import publish
from tests.test_isolation import url
from tests.test_migrations import between_migrations
from tests.test_own_words import post_step, published, section, squeeze
from tests.test_steps import step_url
from tests.test_validation import assert_saved, submit

pytestmark = pytest.mark.django_db

OMBUDSMAN = "tietosuoja@om.fi"


def ombudsman() -> SupervisoryAuthority:
    return SupervisoryAuthority.objects.get(email=OMBUDSMAN)


def test_a_new_register_names_no_authority(alice_client: Client, acme: Tenant):
    assert SupervisoryAuthority.objects.filter(is_default=True).exists()  # listed first only
    response = submit(
        alice_client, url(Register, "add"), {"name_fi": "Uutiskirje", "slug": "newsletter"}
    )
    assert_saved(response)
    register = Register.objects.get(slug="newsletter")
    assert register.supervisory_authority is None
    problems = check_completeness(build_snapshot(register))
    assert "supervisory_authority" not in {p.section for p in problems}
    # The rights step offers the choice, none chosen.
    page = alice_client.get(step_url(register, "rights")).content.decode()
    assert 'name="supervisory_authority"' in page
    assert '<option value="" selected>' in page


def test_a_notice_without_an_authority_states_the_right_and_names_none(
    acme: Tenant, register: Register, paula: User
):
    Register.objects.filter(pk=register.pk).update(supervisory_authority=None)
    register.refresh_from_db()
    snapshot = build_snapshot(register)
    assert snapshot["supervisory_authority"] is None
    assert check_completeness(snapshot) == []
    assert "complaint" in {right["code"] for right in snapshot["rights"]}

    publish(register, paula)
    authority = ombudsman()
    for language in register.languages:
        texts = published(language)
        assert 'id="complaint"' not in texts["page"]
        assert 'id="rights"' in texts["page"]
        for where in ("page", "pdf"):
            assert authority.email not in texts[where], where
            assert squeeze(authority.street_address) not in squeeze(texts[where]), where
        data = json.loads(texts["json"])
        assert data["supervisory_authority"] is None
        assert "complaint" not in [s["anchor"] for s in data["sections"]]
        dpv = Client().get(f"/{language}/acme/customers/dpv.jsonld")
        assert dpv.status_code == 200
        assert "dpv:hasAuthority" not in json.loads(dpv.content)


def test_the_authority_chosen_in_the_rights_step_is_published_and_logged(
    acme: Tenant, register: Register, alice: User, paula: User
):
    Register.objects.filter(pk=register.pk).update(supervisory_authority=None)
    register.refresh_from_db()
    publish(register, paula)
    authority = ombudsman()
    response = post_step(alice, register, "rights", {"supervisory_authority": str(authority.pk)})
    assert response.status_code == 302
    register.refresh_from_db()
    assert register.supervisory_authority == authority

    publish(register, paula)
    texts = published("fi")
    complaint = section(texts["page"], "complaint")
    assert authority.email in complaint
    assert authority.name_fi in complaint
    assert squeeze(authority.name_fi) in squeeze(texts["pdf"])
    data = json.loads(texts["json"])
    assert data["supervisory_authority"]["email"] == authority.email
    assert "complaint" in [s["anchor"] for s in data["sections"]]
    # The change log says the authority was added, and later removed.
    second = NoticeVersion.objects.filter(register=register).latest("number")
    assert [(c["section"], c["kind"]) for c in second.changes] == [
        ("supervisory_authority", "added")
    ]
    Register.objects.filter(pk=register.pk).update(supervisory_authority=None)
    register.refresh_from_db()
    third = publish(register, paula)
    assert [(c["section"], c["kind"]) for c in third.changes] == [
        ("supervisory_authority", "removed")
    ]
    assert authority.email not in published("fi")["page"]


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_migration_keeps_every_chosen_authority(acme: Tenant):
    before = ("notices", "0017_register_transfers_statement_data_origin_unanswered")
    after = ("notices", "0018_register_authority_chosen")
    with between_migrations(before, after) as old:
        OldRegister = old.get_model("notices", "Register")
        # The old default, which nobody chose: the migration cannot tell, so it keeps it.
        defaulted = OldRegister.objects.create(
            controller_id=acme.controller.pk, name_fi="Vanha", slug="vanha", languages=["fi"]
        )
        assert defaulted.supervisory_authority_id == ombudsman().pk
    kept = dict(Register.objects.values_list("slug", "supervisory_authority__email"))
    assert kept == {"customers": OMBUDSMAN, "vanha": OMBUDSMAN}
    assert Register(controller=acme.controller).supervisory_authority_id is None
