"""The guided editor: one step per section of the notice (notices.steps, steps_admin).

alice edits Acme, bob publishes Borealis, charlie belongs to no company.
"""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from bench.management.commands.bench_admin import FormValues
from controllers.models import AuditEvent, Membership
from notices import steps
from notices.admin import RegisterAdmin
from notices.completeness import Problem, check_completeness
from notices.models import Purpose, Register
from notices.parts import PARTS
from notices.snapshot import build_snapshot
from tests.conftest import login, make_user

pytestmark = pytest.mark.django_db


def step_url(register: Register, key: str) -> str:
    return reverse("admin:notices_register_step", args=[register.pk, key])


def form_data(client, url: str) -> dict[str, list[str]]:
    """What a browser would submit from the step's form, unchanged."""
    parser = FormValues("step-form")
    parser.feed(client.get(url).content.decode())
    return parser.data


def open_step(user, register: Register, key: str):  # type: ignore[no-untyped-def]
    """A logged-in client, the step's address and its form's values as a browser has them."""
    client = login(user)
    url = step_url(register, key)
    return client, url, form_data(client, url)


def test_every_field_and_inline_of_the_register_admin_is_in_exactly_one_step() -> None:
    plans = steps.plan(RegisterAdmin.fieldsets, RegisterAdmin.inlines)
    fields = [name for plan in plans.values() for name in plan.fields()]
    declared = [name for _label, options in RegisterAdmin.fieldsets for name in options["fields"]]
    assert sorted(fields) == sorted(declared)
    inlines = [inline for plan in plans.values() for inline in plan.inlines]
    assert sorted(i.__name__ for i in inlines) == sorted(i.__name__ for i in RegisterAdmin.inlines)
    # Every part of the notice is edited in the step that names it.
    for part in PARTS:
        (owner,) = [p for p in plans.values() if any(i.model is part.model for i in p.inlines)]
        assert part.key in owner.step.parts


def test_a_fieldset_or_inline_declared_next_to_a_section_lands_in_its_step() -> None:
    fieldsets = [
        ("Recipients", {"fields": ["no_recipients"]}),
        ("A new one", {"fields": ["recipients_lead"]}),
        ("Transfers", {"fields": ["no_transfers"]}),
    ]
    inlines = [type("A", (), {"model": Purpose}), type("B", (), {"model": object})]
    plans = steps.plan(fieldsets, inlines)
    assert plans["recipients"].fields() == ["no_recipients", "recipients_lead"]
    assert [i.__name__ for i in plans["purposes"].inlines] == ["A", "B"]


@pytest.mark.parametrize("step", [s.key for s in steps.STEPS])
def test_editor_opens_every_step_of_her_register(alice, acme, step) -> None:
    response = login(alice).get(step_url(acme.register, step))
    assert response.status_code == 200
    body = response.content.decode()
    assert 'id="step-form"' in body
    assert body.count('aria-current="step"') == 1
    assert "step-savebar" in body


def test_the_register_list_links_to_the_steps(alice, acme) -> None:
    body = login(alice).get(reverse("admin:notices_register_changelist")).content.decode()
    assert reverse("admin:notices_register_steps", args=[acme.register.pk]) in body


def test_editor_saves_a_step_and_its_parts(alice, acme) -> None:
    client, url, data = open_step(alice, acme.register, "purposes")
    data["purposes-0-name_en"] = ["Customer relationship"]
    # The step's empty item adds a purpose.
    data["purposes-1-name_fi"] = ["Markkinointi"]
    data["purposes-1-legal_bases"] = [str(acme.purpose.legal_bases.get().pk)]
    response = client.post(url, {**data, "_next": ["1"]})
    assert response.status_code == 302
    assert response["Location"] == step_url(acme.register, "data_categories")
    names = sorted(Purpose.objects.filter(register=acme.register).values_list("name_fi", flat=True))
    assert names == ["Acme asiakassuhde", "Markkinointi"]
    acme.purpose.refresh_from_db()
    assert acme.purpose.name_en == "Customer relationship"
    # Audited like the one-page form.
    assert AuditEvent.objects.filter(controller=acme.controller, action="change").exists()


def test_a_refused_step_shows_its_errors_and_saves_nothing(alice, acme) -> None:
    client, url, data = open_step(alice, acme.register, "register")
    data["name_en"] = ["Renamed"]
    # A new group of data subjects without its required Finnish name.
    data["subject_groups-1-name_en"] = ["Visitors"]
    response = client.post(url, data)
    assert response.status_code == 200
    body = response.content.decode()
    assert "Nothing was saved." in body
    assert "errorlist" in body
    acme.register.refresh_from_db()
    assert acme.register.name_en == "Acme customer register"
    assert acme.register.subject_groups.count() == 1


def test_a_step_shows_only_the_published_languages(alice, acme) -> None:
    body = login(alice).get(step_url(acme.register, "register")).content.decode()
    assert 'name="name_fi"' in body and 'name="name_en"' in body
    # Swedish is configured but not published by this register: no column, not cleared.
    assert 'name="name_sv"' not in body


def test_a_missing_translation_is_marked_in_place(alice, acme) -> None:
    # The group has a Finnish name only.
    body = login(alice).get(step_url(acme.register, "register")).content.decode()
    group = f"f-subject_groups-{acme.group.pk}-name-en"
    assert f'id="{group}"' in body
    assert f'id="{group}-missing"' in body
    assert f'aria-describedby="{group}-missing"' in body


def test_editor_cannot_open_or_save_another_companys_register(alice, beta, acme) -> None:
    client = login(alice)
    other = beta.register
    for key in ("register", "purposes"):
        assert client.get(step_url(other, key)).status_code == 404
        assert client.post(step_url(other, key), {"name_fi": "x"}).status_code == 404
    assert client.get(reverse("admin:notices_register_steps", args=[other.pk])).status_code == 404
    other.refresh_from_db()
    assert other.name_fi == "Borealis asiakasrekisteri"


def test_charlie_sees_no_step(charlie, acme) -> None:
    response = login(charlie).get(step_url(acme.register, "register"))
    assert response.status_code in {302, 404}
    assert "Acme" not in response.content.decode()


def test_an_unknown_step_is_a_404(alice, acme) -> None:
    assert login(alice).get(step_url(acme.register, "nothing")).status_code == 404


def test_a_new_register_is_created_from_the_first_step(alice, acme) -> None:
    client = login(alice)
    url = reverse("admin:notices_register_new")
    data = form_data(client, url)
    data.update({"name_fi": ["Uutiskirje"], "slug": ["newsletter"], "languages": ["fi", "en"]})
    response = client.post(url, {**data, "_next": ["1"]})
    register = Register.objects.get(controller=acme.controller, slug="newsletter")
    assert response["Location"] == step_url(register, "contact_person")
    assert register.languages == ["fi", "en"]
    assert register.rights.exists()


def test_problem_links_open_the_step_field_and_language(alice, acme) -> None:
    register = acme.register
    with translation.override("en"):
        problems = check_completeness(build_snapshot(register))
    by_message = {(p.language, p.message): steps.problem_url(p, register) for p in problems}
    rights = by_message[("en", "Say how a person can use the rights.")]
    assert rights == step_url(register, "rights") + "#f-register-rights_exercise-en"
    purpose = [
        url for (lang, message), url in by_message.items() if "“Acme asiakassuhde”" in message
    ]
    assert step_url(register, "purposes") + f"#f-purposes-{acme.purpose.pk}-name-en" in purpose
    # The publish page links each problem there.
    paula = make_user("paula")
    Membership.objects.create(user=paula, controller=acme.controller, role="publisher")
    page = login(paula).get(reverse("admin:notices_register_publish", args=[register.pk]))
    assert f'href="{rights}"' in page.content.decode()


def _step_queries(client, register: Register, key: str) -> int:
    client.get(step_url(register, key))  # caches filled on first use are not the page's
    with CaptureQueriesContext(connection) as captured:
        assert client.get(step_url(register, key)).status_code == 200
    return len(captured)


@pytest.mark.parametrize("step", [s.key for s in steps.STEPS])
def test_a_step_makes_the_same_queries_whatever_its_rows(alice, acme, step) -> None:
    client = login(alice)
    before = _step_queries(client, acme.register, step)
    # Four more of every part.
    for _ in range(4):
        for obj in (
            acme.group,
            acme.purpose,
            acme.category,
            acme.source,
            acme.recipient,
            acme.transfer,
            acme.retention,
            acme.security,
            acme.cookie,
        ):
            relations = {f.name: list(getattr(obj, f.name).all()) for f in obj._meta.many_to_many}
            obj.pk = None
            obj._state.adding = True
            obj.save()
            for name, related in relations.items():
                getattr(obj, name).set(related)
    assert _step_queries(client, acme.register, step) == before


def test_a_step_is_done_missing_to_do_or_to_check() -> None:
    plans = steps.plan(RegisterAdmin.fieldsets, RegisterAdmin.inlines)
    missing = Problem("en", "register", "purposes", "m", "name", 3, text_missing=True)
    todo = Problem("fi", "register", "register", "t", "automated_decisions")
    warning = Problem("fi", "register", "cookies", "w")
    found = steps.statuses([missing, todo], plans, warnings=[warning])
    assert found["purposes"].code == "missing"
    assert found["automated"].code == "todo"
    assert found["cookies"].code == "warning"
    assert found["security"].code == "done"


def test_a_row_of_another_companys_register_cannot_be_edited_through_a_step(
    alice, acme, beta
) -> None:
    client, url, data = open_step(alice, acme.register, "purposes")
    data["purposes-0-id"] = [str(beta.purpose.pk)]
    data["purposes-0-name_fi"] = ["Kaapattu"]
    response = client.post(url, data)
    assert response.status_code == 200
    assert "Nothing was saved." in response.content.decode()
    beta.purpose.refresh_from_db()
    assert beta.purpose.name_fi == "Borealis asiakassuhde"


def test_a_text_of_the_chosen_contact_person_links_to_the_choice() -> None:
    problem = Problem("en", "register", "contact_person", "m", "title", text_missing=True)
    assert steps.problem_anchor(problem) == "f-register-contact_person"
    assert steps.step_of(problem).key == "contact_person"


def test_a_right_left_out_before_the_purposes_links_to_its_included_box(alice, acme) -> None:
    """The guided steps create a register before its purposes: the rights its bases need
    later (portability, for a contract) are listed but left out, and the problem opens
    that right's card with its "included" box, not an empty card for a new right.
    """
    from notices.models import LegalBasis

    client = login(alice)
    url = reverse("admin:notices_register_new")
    data = form_data(client, url)
    data.update({"name_fi": ["Tilaukset"], "slug": ["orders"], "languages": ["fi"]})
    client.post(url, {**data, "_next": ["1"]})
    register = Register.objects.get(controller=acme.controller, slug="orders")
    portability = register.rights.get(right__code="portability")
    assert not portability.included
    purpose = Purpose.objects.create(register=register, name_fi="Toimitus")
    purpose.legal_bases.add(LegalBasis.objects.get(code="6-1-b"))

    with translation.override("en"):
        problems = check_completeness(build_snapshot(register))
    (missing,) = [p for p in problems if "data portability" in p.message]
    anchor = "f-rights-portability-included"
    assert steps.problem_url(missing, register) == step_url(register, "rights") + f"#{anchor}"
    body = client.get(step_url(register, "rights")).content.decode()
    assert f'id="{anchor}"' in body
    assert f'id="{anchor}-missing"' in body  # marked in place, its card open
    assert '<details class="step-item" id="item-rights-portability" open>' in body


def test_the_plus_beside_a_choice_opens_its_window_on_a_step(alice, acme) -> None:
    """The admin's RelatedObjectLookups.js is on the page (without it "+" leaves the step);
    modeltranslation's tabs script is not (it would fold the languages into tabs).
    """
    body = login(alice).get(step_url(acme.register, "contact_person")).content.decode()
    assert 'id="add_id_contact_person"' in body
    assert "admin/js/admin/RelatedObjectLookups" in body
    assert "admin/js/jquery.init" in body
    assert "tabbed_translation_fields" not in body


def test_a_new_register_of_the_company_named_in_the_address(alice, acme, beta) -> None:
    """The company home's "Add a register" names its company, as the add form's link does."""
    Membership.objects.create(user=alice, controller=beta.controller, role="editor")
    url = reverse("admin:notices_register_new") + f"?controller={beta.controller.pk}"
    body = login(alice).get(url).content.decode()
    assert f'<option value="{beta.controller.pk}" selected>' in body


def test_a_required_choice_says_so_as_a_required_text_does(alice, acme) -> None:
    """A security measure's material is required: its label says so, as its description's does."""
    body = login(alice).get(step_url(acme.register, "security")).content.decode()
    new = 'id="f-security-new-kind"'
    assert new in body
    label = body[body.index(new) :].split("</div>")[0]
    assert 'class="step-required">(required)' in label


def test_a_cards_order_comes_last_and_a_new_card_follows_the_rows(register: Register, alice):
    Purpose.objects.filter(register=register).update(order=4)
    client, url, data = open_step(alice, register, "purposes")
    html = client.get(url).content.decode()
    prefix = "purposes"
    rows = Purpose.objects.filter(register=register).count()
    # The new card's position is after the rows', not 0.
    assert data[f"{prefix}-{rows}-order"] == ["5"]
    # In every card the order is the last input before the next card's first.
    new_card = html.split(f'name="{prefix}-{rows}-', 1)[1]
    names = re.findall(rf'name="{prefix}-{rows}-([a-z_]+)"', new_card)
    assert names[-1] == "order", names
    assert "Where it appears in its list: lower numbers first." in html
