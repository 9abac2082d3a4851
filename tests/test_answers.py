"""Nothing is published that nobody chose; required only where the law requires.

The questions GDPR requires a notice to answer (automated decisions, recipients,
transfers outside the EU/EEA, whether providing the data is required) start
unanswered; the publish page refuses until an editor answers, with a link to the
question; the notice states an answer only where an editor chose it. Details the
law does not require (business ID, company email, contact person, a processor's
name or country, a cookie's duration or consent) may be left out, and then the
notice says nothing about them. Everything through the admin forms as Acme's
editor (alice) and publisher (paula), and on the published page, PDF and JSON.
"""

from __future__ import annotations

import html
import importlib
import json
import re

import pytest
from django.apps import apps as django_apps
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse
from django.utils import translation

from controllers.models import Controller
from notices.models import NoticeVersion, Processor, Register
from notices.steps import step_url
from tests.conftest import Tenant, login
from tests.notices_factory import pdf_text, publish
from tests.test_isolation import url
from tests.test_validation import (
    assert_error,
    assert_saved,
    controller_page,
    register_page,
    submit,
)

QUESTIONS = ("has_automated_decisions", "no_recipients", "no_transfers")
NO_AUTOMATED = (
    "No decisions are made by automated means alone, and there is no profiling with "
    "legal or similarly significant effects."
)
NOT_DISCLOSED = "The data is not disclosed to anyone outside the controller."
NOT_TRANSFERRED = "Personal data is not transferred outside the EU or the EEA."
UNANSWERED = {
    "has_automated_decisions": (
        "Answer whether decisions are made by automated means alone or people are "
        "profiled (Art. 22)."
    ),
    "no_recipients": (
        "Answer whether the data has recipients: list them (by name or category), "
        "or choose “no recipients”."
    ),
    "no_transfers": (
        "Answer whether data is transferred outside the EU/EEA: list the transfers, "
        "choose “no transfers”, or answer in the company's own words."
    ),
}


def gettext_in(language: str, message: str) -> str:
    with translation.override(language):
        return translation.gettext(message)


def published_texts(client: Client, language: str) -> dict[str, str]:
    """The current notice's page, PDF text and JSON in ``language``, as a visitor gets them."""
    root = f"/{language}/acme/customers/"
    page = client.get(root)
    pdf = client.get(f"{root}pdf/")
    data = client.get(f"{root}notice.json")
    assert (page.status_code, pdf.status_code, data.status_code) == (200, 200, 200)
    return {
        "page": page.content.decode(),
        "pdf": pdf_text(b"".join(pdf.streaming_content) if pdf.streaming else pdf.content),
        "json": data.content.decode(),
    }


def leave_questions_unanswered(tenant: Tenant) -> None:
    """Nothing listed and nothing chosen: recipients, transfers and automated decisions."""
    tenant.register.recipients.all().delete()
    tenant.register.transfers.all().delete()
    tenant.processor.country = "SE"  # inside the EEA: only the unanswered questions are wrong
    tenant.processor.save()
    Register.objects.filter(pk=tenant.register.pk).update(
        has_automated_decisions=None, no_recipients=None, no_transfers=None
    )


# --- Starting unanswered -----------------------------------------------------------------


def test_a_new_register_starts_with_every_question_unanswered(alice_client: Client, acme):
    response = submit(
        alice_client, url(Register, "add"), {"name_fi": "Uutiskirje", "slug": "newsletter"}
    )
    assert_saved(response)
    register = Register.objects.get(slug="newsletter")
    assert [getattr(register, question) for question in QUESTIONS] == [None, None, None]

    page = alice_client.get(register_page(register))
    html = page.content.decode()
    form = page.context["adminform"].form
    for question in QUESTIONS:
        # An explicit choice, "not answered yet" selected, with an anchor the publish page links to.
        assert f'id="id_{question}"' in html
        assert [str(label) for _value, label in form.fields[question].choices][0] == (
            "not answered yet"
        )
        assert form[question].value() is None
        checked = re.search(rf'<input[^>]*name="{question}"[^>]*value=""[^>]*checked', html)
        assert checked, question


# The guided editor's step that asks each question (notices/steps.py).
QUESTION_STEPS = {
    "has_automated_decisions": "automated",
    "no_recipients": "recipients",
    "no_transfers": "transfers",
}


# --- Refusing until answered -----------------------------------------------------------------


@pytest.mark.parametrize("language", ["en", "fi"])
def test_publish_page_asks_each_unanswered_question_with_a_link_to_it(
    acme: Tenant, register: Register, paula: User, language: str
):
    leave_questions_unanswered(acme)
    client = login(paula, language)
    address = reverse("admin:notices_register_publish", args=[register.pk])
    page = client.get(address).content.decode()
    for question, message in UNANSWERED.items():
        translated = gettext_in(language, message)
        assert translated != message or language == "en"
        assert translated in html.unescape(page)
        # The link opens the guided step of the question, at its field.
        step = step_url(register.pk, QUESTION_STEPS[question])
        assert f'href="{step}#f-register-{question}"' in page
    # Nothing is published, and nothing was answered for the company.
    response = client.post(address, {"summary_fi": "Julkaisu.", "summary_en": "Publication."})
    assert response.status_code == 200
    assert not NoticeVersion.objects.filter(register=register).exists()
    register.refresh_from_db()
    assert [getattr(register, question) for question in QUESTIONS] == [None, None, None]


def test_unanswered_statutory_requirement_is_refused_with_a_link(register: Register, paula: User):
    Register.objects.filter(pk=register.pk).update(statutory_requirement_en="")
    page = login(paula).get(reverse("admin:notices_register_publish", args=[register.pk]))
    html = page.content.decode()
    assert "[en] Say whether providing the data is a statutory or contractual requirement." in (
        html
    )
    step = step_url(register.pk, "data_categories")
    assert f'href="{step}#f-register-statutory_requirement-en"' in html


# --- Publishing only what was chosen ------------------------------------------------------


def test_answers_chosen_in_the_admin_are_published_as_statements(
    acme: Tenant, register: Register, alice_client: Client, paula: User
):
    leave_questions_unanswered(acme)
    response = submit(
        alice_client,
        register_page(register),
        {"has_automated_decisions": "False", "no_recipients": "True", "no_transfers": "True"},
    )
    assert_saved(response)
    register.refresh_from_db()
    assert (register.has_automated_decisions, register.no_recipients, register.no_transfers) == (
        False,
        True,
        True,
    )
    publish(register, paula)
    anonymous = Client()
    for language in ("en", "fi"):
        published = published_texts(anonymous, language)
        for statement in (NO_AUTOMATED, NOT_DISCLOSED, NOT_TRANSFERRED):
            expected = gettext_in(language, statement)
            assert expected in published["page"]
            assert expected.split(",")[0] in published["pdf"]
        data = json.loads(published["json"])
        assert data["register"]["has_automated_decisions"] is False
        assert data["register"]["no_recipients"] is True
        assert data["register"]["no_transfers"] is True


def test_a_notice_entered_with_nothing_chosen_states_nothing_it_was_not_told(
    acme: Tenant, register: Register, alice_client: Client, paula: User
):
    """Only what the company wrote: no business ID, no email, no contact person,
    a processor named by its function only, a cookie with no duration or consent,
    automated decisions described; no statement of the service's own."""
    controller = submit(
        alice_client,
        controller_page(acme.controller),
        {
            "business_id": "",
            "email": "",
            "street_address": "",
            "postal_code": "",
            "city": "",
            "phone": "09 123 4567",
        },
    )
    assert_saved(controller)
    processor = submit(
        alice_client,
        url(Processor, "change", acme.processor.pk),
        {
            "name_fi": "",
            "name_en": "",
            "country": "",
            "service_fi": "Laskutusohjelmiston toimittaja",
            "service_en": "",
        },
    )
    assert_saved(processor)
    answered = submit(
        alice_client,
        register_page(register),
        {
            "contact_person": "",
            "has_automated_decisions": "True",
            "automated_decisions_fi": "Luottoraja lasketaan automaattisesti.",
            "automated_decisions_en": "The credit limit is computed automatically.",
            "register_processors-0-processes_fi": "",
            "register_processors-0-processes_en": "",
            "cookies-0-category": "statistics",
            "cookies-0-consent_required": "",
            "cookies-0-duration_fi": "",
            "cookies-0-duration_en": "",
        },
    )
    assert_saved(answered)
    register.refresh_from_db()
    assert register.contact_person is None
    assert (register.no_recipients, register.no_transfers) == (None, None)  # listed instead
    # A statistics cookie with consent not stated is a warning (Finnish law), acknowledged:
    # the notice then says nothing about consent, as the company said nothing.
    cookie = register.cookies.get()
    publish(register, paula, acknowledged=(f"cookie_consent:{cookie.pk}",))

    published = published_texts(Client(), "en")
    page, pdf = published["page"], published["pdf"]
    for text in (page, pdf):
        for unsaid in (
            "Business ID",
            "Contact person for register matters",
            "No processors are used",
            "No decisions are made by automated means alone",
            "not disclosed to anyone outside the controller",
            "not transferred outside the EU",
            "not required",
        ):
            assert unsaid not in text, unsaid
        assert "09 123 4567" in text
        assert "The credit limit is computed automatically." in text
    # The function names the processor, also where a transfer names it.
    cookies = page.split('id="cookies"', 1)[1].split("</section>", 1)[0]
    assert "required" not in cookies
    assert "Laskutusohjelmiston toimittaja" in page.split('id="processors"', 1)[1]
    assert "Laskutusohjelmiston toimittaja" in page.split('id="transfers"', 1)[1]
    assert 'id="contact"' not in page
    data = json.loads(published["json"])
    assert data["controller"]["business_id"] == data["controller"]["email"] == ""
    assert data["contact_person"] is None
    assert data["processors"][0]["name"] == data["processors"][0]["country"] == ""
    assert data["cookies"][0]["consent_required"] is None
    assert data["cookies"][0]["duration"] == ""


# --- Required only where the law requires ---------------------------------------------------


def test_controller_needs_one_way_to_be_contacted_before_publishing(
    acme: Tenant, register: Register, paula: User
):
    Controller.objects.filter(pk=acme.controller.pk).update(
        business_id="", email="", street_address="", postal_code="", city="", phone=""
    )
    page = login(paula).get(reverse("admin:notices_register_publish", args=[register.pk]))
    html = page.content.decode()
    assert "Give at least one way to contact the controller" in html
    controller = reverse("admin:controllers_controller_change", args=[acme.controller.pk])
    assert f'href="{controller}#id_email"' in html
    assert "business ID" not in html
    Controller.objects.filter(pk=acme.controller.pk).update(website="https://acme.example")
    assert publish(register, paula).number == 1


def test_several_controllers_may_have_no_business_id_but_not_the_same_one(
    alice_client: Client, acme: Tenant, beta: Tenant
):
    Controller.objects.filter(pk=beta.controller.pk).update(business_id="")
    assert_saved(submit(alice_client, controller_page(acme.controller), {"business_id": ""}))
    assert Controller.objects.filter(business_id="").count() == 2
    Controller.objects.filter(pk=beta.controller.pk).update(business_id="7654321-2")
    response = submit(alice_client, controller_page(acme.controller), {"business_id": "7654321-2"})
    assert_error(response, "__all__", "A controller with this business ID already exists.")


def test_processors_may_be_named_by_function_only(alice_client: Client, acme: Tenant):
    for service in ("Taloushallinnon palveluntarjoaja", "IT-alihankkijat"):
        response = submit(
            alice_client,
            url(Processor, "add"),
            {"controller": str(acme.controller.pk), "service_fi": service},
        )
        assert_saved(response)
    added = {"Taloushallinnon palveluntarjoaja", "IT-alihankkijat"}
    unnamed = [
        p
        for p in Processor.objects.filter(controller=acme.controller, name__isnull=True)
        if str(p) in added
    ]
    assert sorted(str(p) for p in unnamed) == [
        "IT-alihankkijat",
        "Taloushallinnon palveluntarjoaja",
    ]
    assert {p.country.code for p in unnamed} == {""}
    listing = alice_client.get(url(Processor, "changelist")).content.decode()
    for processor in unnamed:
        change = url(Processor, "change", processor.pk)
        assert re.search(rf'<a href="{change}[^"]*">{re.escape(str(processor))}</a>', listing)


# --- Existing registers: the old defaults nobody chose ----------------------------------------


def test_migration_unanswers_the_old_defaults_and_keeps_what_shows_a_choice(acme, beta):
    """False was the default: where nothing is listed nobody chose it. A listed recipient
    or transfer shows the answer; a necessary cookie's "no consent" was chosen against
    the default; "consent required" was forced on every other cookie."""
    migration = importlib.import_module(
        "notices.migrations.0010_register_questions_start_unanswered"
    )
    Register.objects.update(has_automated_decisions=False, no_recipients=False, no_transfers=False)
    beta.register.recipients.all().delete()
    beta.register.transfers.all().delete()
    beta.cookie.category, beta.cookie.consent_required = "statistics", True
    beta.cookie.save()

    migration.unanswer_defaults(django_apps, None)

    kept, unanswered = (
        Register.objects.get(pk=acme.register.pk),
        Register.objects.get(pk=beta.register.pk),
    )
    assert (kept.has_automated_decisions, kept.no_recipients, kept.no_transfers) == (
        None,
        False,
        False,
    )
    assert (
        unanswered.has_automated_decisions,
        unanswered.no_recipients,
        unanswered.no_transfers,
    ) == (None, None, None)
    acme.cookie.refresh_from_db()
    beta.cookie.refresh_from_db()
    assert (acme.cookie.consent_required, beta.cookie.consent_required) == (False, None)
