"""An object's history is its own company's, whatever ids the database reuses.

As the audit found it: Acme's publisher adds a purpose to a draft register and
deletes the register, and a processor likewise; then a backup of another company
whose register and processor carry the same ids is imported, naming bob (a
member of Borealis, a third company) as a member. bob must not read Acme's
events on the new objects' history pages.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

from controllers.models import Controller
from notices import backup
from notices.models import LegalBasis, Processor, Register
from tests.conftest import Tenant, login
from tests.notices_factory import make_publisher
from tests.test_isolation import form_data

pytestmark = pytest.mark.usefixtures("blank_pdfs")  # no PDF is read here (tests/conftest.py)

DEMO = Path(settings.BASE_DIR) / "notices" / "demo" / "companies" / "hyvinvointi.json"
PURPOSE = "Acmen salainen tarkoitus"
PROCESSOR = "Acme Salainen Alihankkija Oy"


def history(client: Client, model: type, pk: int) -> Any:
    opts = model._meta
    return client.get(reverse(f"admin:{opts.app_label}_{opts.model_name}_history", args=[pk]))


@pytest.fixture
def deleted_by_acme(acme: Tenant) -> dict[str, int]:
    """A draft register and a processor Acme's publisher edited and then deleted: their ids."""
    paula = make_publisher(acme.controller)
    client = login(paula)
    draft = Register.objects.create(
        controller=acme.controller, name_fi="Luonnos", slug="luonnos", languages=["fi"]
    )
    change = reverse("admin:notices_register_change", args=[draft.pk])
    data = form_data(client.get(change))
    row = int(data["purposes-TOTAL_FORMS"])
    data["purposes-TOTAL_FORMS"] = str(row + 1)
    data[f"purposes-{row}-order"] = "1"
    data[f"purposes-{row}-name_fi"] = PURPOSE
    data[f"purposes-{row}-legal_bases"] = [str(LegalBasis.objects.get(code="6-1-b").pk)]
    response = client.post(change, data)
    assert response.status_code == 302, response.context and [
        f.errors for f in response.context["inline_admin_formsets"]
    ]
    assert draft.purposes.filter(name_fi=PURPOSE).exists()
    delete = reverse("admin:notices_register_delete", args=[draft.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 302

    add = reverse("admin:notices_processor_add")
    response = client.post(add, {"name_fi": PROCESSOR, "service_fi": "Postitus", "country": "FI"})
    assert response.status_code == 302
    processor = Processor.objects.get(name_fi=PROCESSOR)
    delete = reverse("admin:notices_processor_delete", args=[processor.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 302
    return {"register": draft.pk, "processor": processor.pk}


def other_company_reusing(ids: dict[str, int]) -> dict[str, Any]:
    """A demo company's backup whose register and processor carry ``ids``, with bob a member."""
    data = json.loads(DEMO.read_text())
    data["registers"][0]["id"] = ids["register"]
    data["processors"][0]["id"] = ids["processor"]
    data["users"].append(
        {"username": "bob", "email": "bob@example.com", "first_name": "", "last_name": ""}
    )
    data["memberships"].append({"user": "bob", "role": "editor"})
    return data


def test_import_never_gives_an_id_with_another_companys_history(
    deleted_by_acme: dict[str, int], bob: User, media
):
    controller = backup.import_controller(other_company_reusing(deleted_by_acme))

    register = Register.objects.get(controller=controller)
    processor = Processor.objects.filter(controller=controller).order_by("pk").first()
    assert register.pk != deleted_by_acme["register"]
    assert processor.pk != deleted_by_acme["processor"]
    client = login(bob)
    for model, obj in ((Register, register), (Processor, processor)):
        page = history(client, model, obj.pk)
        assert page.status_code == 200
        text = page.content.decode()
        assert "paula" not in text
        assert PURPOSE not in text
        assert PROCESSOR not in text
    # The old ids name nothing bob may open.
    assert history(client, Register, deleted_by_acme["register"]).status_code == 404
    assert history(client, Processor, deleted_by_acme["processor"]).status_code == 404


def test_history_of_a_reused_id_shows_only_its_own_companys_events(
    deleted_by_acme: dict[str, int], beta: Tenant, bob: User, root: User
):
    """However an id comes to be reused (a restore into another database, raw SQL)."""
    reused = Register.objects.create(
        pk=deleted_by_acme["register"],
        controller=beta.controller,
        name_fi="Borealis uusi",
        slug="uusi",
    )
    Processor.objects.create(
        pk=deleted_by_acme["processor"], controller=beta.controller, name="Borealis Posti"
    )
    for user in (bob, root):
        client = login(user)
        for model, pk in deleted_by_acme.items():
            page = history(client, Register if model == "register" else Processor, pk)
            assert page.status_code == 200
            text = page.content.decode()
            assert "paula" not in text
            assert PURPOSE not in text
            assert PROCESSOR not in text
    assert reused.controller == beta.controller


def test_history_shows_the_companys_own_events_translated(acme: Tenant, alice: User, root):
    client = login(alice)
    change = reverse("admin:notices_register_change", args=[acme.register.pk])
    data = form_data(client.get(change))
    data["sources-0-DELETE"] = "on"
    assert client.post(change, data).status_code == 302

    for user in (alice, root):
        english = history(login(user), Register, acme.register.pk)
        assert english.status_code == 200
        assert "Deleted source “Acme lähde”." in english.content.decode()
    finnish = history(login(alice, "fi"), Register, acme.register.pk).content.decode()
    assert "Poistettu tietolähde" in finnish
    assert "alice" in finnish


def test_history_of_another_companys_object_is_404(alice: User, beta: Tenant, charlie: User):
    assert history(login(alice), Register, beta.register.pk).status_code == 404
    assert history(login(alice), Controller, beta.controller.pk).status_code == 404
    # A user of no company is no admin user: the login page, nothing of the object.
    response = history(login(charlie), Register, beta.register.pk)
    assert response.status_code in {302, 403, 404}
    assert response.status_code != 302 or response["Location"].startswith("/admin/login/")
