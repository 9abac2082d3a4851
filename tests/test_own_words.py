"""The company's own answers: transfers in its own words, where the data comes from.

Issue 9, point 1: nothing is published that nobody chose. Real notices answer the
transfers question with a condition ("not, unless technically necessary"; "as a
rule not; if so, with standard contractual clauses"): a yes or no would distort it,
and "no" used to add the service's unconditional sentence beside the company's
own. The register may answer in the company's own words instead
(``Register.transfers_statement``): printed as written, no service sentence, the
question answered. Where the data comes from (Art. 13 or 14) starts unanswered and
is refused until chosen. Through the guided steps as Acme's editor (alice) and
publisher (paula), and on the published page, PDF text and JSON.
"""

from __future__ import annotations

import html
import json
import re

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse
from django.utils import translation

from notices.completeness import check_completeness, check_warnings
from notices.models import Cookie, NoticeVersion, Register
from notices.snapshot import build_snapshot
from notices.steps import problem_url
from tests.conftest import Tenant, login
from tests.notices_factory import pdf_text, publish
from tests.test_isolation import url
from tests.test_migrations import between_migrations
from tests.test_steps import open_step, step_url
from tests.test_validation import assert_saved, submit

pytestmark = pytest.mark.django_db

OWN_WORDS = {
    "fi": (
        "Tietoja ei siirretä EU:n tai ETA:n ulkopuolelle, ellei se ole teknisesti "
        "välttämätöntä palvelun toteuttamiseksi."
    ),
    "en": (
        "As a rule, data is not transferred outside the EU or the EEA; where it is, the "
        "Commission's standard contractual clauses protect it."
    ),
}
NOT_TRANSFERRED = "Personal data is not transferred outside the EU or the EEA."
ORIGIN_QUESTION = (
    "Answer where the data comes from: from the data subjects themselves, from elsewhere, or both."
)


def in_language(language: str, message: str) -> str:
    with translation.override(language):
        return translation.gettext(message)


def squeeze(text: str) -> str:
    """Text without spaces, line breaks and soft hyphens (PDF lines break anywhere)."""
    return re.sub(r"[\s\u00ad]+", "", text)


def published(language: str) -> dict[str, str]:
    """Acme's current notice in ``language`` as a visitor gets it: page, PDF text, JSON."""
    client = Client()
    root = f"/{language}/acme/customers/"
    page, pdf, data = (client.get(f"{root}{tail}") for tail in ("", "pdf/", "notice.json"))
    assert (page.status_code, pdf.status_code, data.status_code) == (200, 200, 200)
    content = b"".join(pdf.streaming_content) if pdf.streaming else pdf.content
    return {
        "page": html.unescape(page.content.decode()),
        "pdf": pdf_text(content),
        "json": data.content,
    }


def section(html: str, anchor: str) -> str:
    return html.split(f'id="{anchor}"', 1)[1].split("</section>", 1)[0]


def without_transfers(tenant: Tenant) -> None:
    """No transfer listed and the processor inside the EEA: the question is open."""
    tenant.register.transfers.all().delete()
    tenant.processor.country = "SE"
    tenant.processor.save()


def post_step(user: User, register: Register, key: str, changes: dict[str, str]):
    client, address, data = open_step(user, register, key)
    for name, value in changes.items():
        data[name] = [value]
    return client.post(address, data)


# --- Transfers in the company's own words -----------------------------------------------


def test_transfers_answered_in_own_words_are_published_as_written_and_nothing_else(
    acme: Tenant, register: Register, alice: User, paula: User
):
    without_transfers(acme)
    snapshot = build_snapshot(register)
    assert [p.field for p in check_completeness(snapshot)] == ["no_transfers"]

    response = post_step(
        alice,
        register,
        "transfers",
        {
            "no_transfers": "own",
            "transfers_statement_fi": OWN_WORDS["fi"],
            "transfers_statement_en": OWN_WORDS["en"],
        },
    )
    assert response.status_code == 302, response.context and response.context["rows"]
    register.refresh_from_db()
    assert register.no_transfers is None  # neither yes nor no: the company's words answer
    assert (register.transfers_statement_fi, register.transfers_statement_en) == (
        OWN_WORDS["fi"],
        OWN_WORDS["en"],
    )
    # The step shows the third answer chosen, and the check is satisfied.
    page = login(alice).get(step_url(register, "transfers")).content.decode()
    assert re.search(r'<input[^>]*name="no_transfers"[^>]*value="own"[^>]*checked', page)
    assert "in the company&#x27;s own words: write the answer below" in page
    assert check_completeness(build_snapshot(register)) == []

    publish(register, paula)
    for language in ("fi", "en"):
        texts = published(language)
        transfers = section(texts["page"], "transfers")
        assert OWN_WORDS[language] in transfers
        assert squeeze(OWN_WORDS[language]) in squeeze(texts["pdf"])
        service_sentence = in_language(language, NOT_TRANSFERRED)
        assert service_sentence not in texts["page"]
        assert squeeze(service_sentence) not in squeeze(texts["pdf"])
        data = json.loads(texts["json"])["register"]
        assert data["no_transfers"] is None
        assert data["transfers_statement"] == OWN_WORDS[language]
        assert data["no_transfers_label"] == in_language(
            language, "answered in the company's own words"
        )


def test_the_own_words_answer_needs_its_text_and_is_the_only_answer(
    acme: Tenant, register: Register, alice: User
):
    without_transfers(acme)
    empty = post_step(alice, register, "transfers", {"no_transfers": "own"})
    assert empty.status_code == 200
    assert "Write the answer in the company&#x27;s own words below." in empty.content.decode()

    unchosen = post_step(
        alice, register, "transfers", {"no_transfers": "", "transfers_statement_fi": "Ei."}
    )
    assert unchosen.status_code == 200
    assert "choose “in the company&#x27;s own words”, or clear the text" in (
        unchosen.content.decode()
    )

    twice = post_step(
        alice, register, "transfers", {"no_transfers": "True", "transfers_statement_fi": "Ei."}
    )
    assert twice.status_code == 200
    assert "Answer the transfers question once" in twice.content.decode()

    register.refresh_from_db()
    assert register.no_transfers is None
    assert not register.has_transfers_statement()


def test_own_words_are_needed_in_every_published_language(
    acme: Tenant, register: Register, paula: User
):
    without_transfers(acme)
    Register.objects.filter(pk=register.pk).update(transfers_statement_fi=OWN_WORDS["fi"])
    problems = check_completeness(build_snapshot(register))
    # Answered (not asked again), but the English notice lacks the text.
    assert [(p.language, p.field, p.text_missing) for p in problems] == [
        ("en", "transfers_statement", True)
    ]
    link = step_url(register, "transfers") + "#f-register-transfers_statement-en"
    assert problem_url(problems[0], register) == link
    page = login(paula).get(reverse("admin:notices_register_publish", args=[register.pk]))
    assert f'href="{link}"' in page.content.decode()


def test_providers_outside_the_eea_beside_own_words_are_warnings_not_refusals(
    acme: Tenant, register: Register, paula: User
):
    """The service cannot tell what the company's words cover: a processor or cookie
    provider known to be outside the EU/EEA is for the publisher to look at; one of
    unknown location is no contradiction of words that may allow transfers."""
    acme.register.transfers.all().delete()  # the US processor stays, no transfer listed
    Register.objects.filter(pk=register.pk).update(
        transfers_statement_fi=OWN_WORDS["fi"], transfers_statement_en=OWN_WORDS["en"]
    )
    Cookie.objects.filter(pk=acme.cookie.pk).update(
        provider="Analytics Inc.", provider_country="US"
    )
    snapshot = build_snapshot(register)
    assert check_completeness(snapshot) == []
    with translation.override("en"):
        warnings = {w.key: w.message for w in check_warnings(snapshot)}
    expected = {f"processor_location:{acme.processor.pk}", f"cookie_location:{acme.cookie.pk}"}
    assert set(warnings) == expected
    for message in warnings.values():
        assert message.startswith(
            "The register answers on transfers outside the EU/EEA in the company's own words"
        )
        assert "United States" in message

    # Unknown locations are not warned about beside the company's own words.
    acme.processor.country = ""
    acme.processor.save()
    Cookie.objects.filter(pk=acme.cookie.pk).update(provider_country="")
    assert check_warnings(build_snapshot(register)) == []

    # A known one is published only once acknowledged, and then as the company wrote it.
    acme.processor.country = "US"
    acme.processor.save()
    with pytest.raises(Exception):  # noqa: B017, PT011 - the service's refusal, any kind
        publish(register, paula)
    assert not NoticeVersion.objects.filter(register=register).exists()
    publish(register, paula, acknowledged=(f"processor_location:{acme.processor.pk}",))
    assert OWN_WORDS["en"] in section(published("en")["page"], "transfers")


# --- Where the data comes from -----------------------------------------------------------


def test_a_new_register_does_not_say_where_its_data_comes_from(alice_client: Client, acme: Tenant):
    response = submit(
        alice_client, url(Register, "add"), {"name_fi": "Uutiskirje", "slug": "newsletter"}
    )
    assert_saved(response)
    register = Register.objects.get(slug="newsletter")
    assert register.data_origin == ""
    with translation.override("en"):
        problems = check_completeness(build_snapshot(register))
    problems = [p for p in problems if p.field == "data_origin"]
    assert [str(p) for p in problems] == [ORIGIN_QUESTION]
    assert problem_url(problems[0], register) == (
        step_url(register, "data_categories") + "#f-register-data_origin"
    )
    # Its step asks, "not answered yet" chosen.
    page = alice_client.get(step_url(register, "data_categories")).content.decode()
    assert re.search(r'<input[^>]*name="data_origin"[^>]*value=""[^>]*checked', page)
    assert "not answered yet" in page


@pytest.mark.parametrize("language", ["en", "fi"])
def test_an_unanswered_data_origin_is_refused_with_a_link_and_the_draft_still_renders(
    register: Register, paula: User, language: str
):
    Register.objects.filter(pk=register.pk).update(data_origin="")
    client = login(paula, language)
    address = reverse("admin:notices_register_publish", args=[register.pk])
    html = client.get(address).content.decode()
    message = in_language(language, ORIGIN_QUESTION)
    assert message != ORIGIN_QUESTION or language == "en"
    assert message.replace("'", "&#x27;") in html
    assert f'href="{step_url(register, "data_categories")}#f-register-data_origin"' in html
    response = client.post(address, {"summary_fi": "Julkaisu.", "summary_en": "Publication."})
    assert response.status_code == 200
    assert not NoticeVersion.objects.filter(register=register).exists()
    # The draft's preview (page and PDF) says nothing about where the data comes from.
    preview = client.get(reverse("admin:notices_register_preview", args=[register.pk, language]))
    assert preview.status_code == 200
    sources = section(preview.content.decode(), "sources")
    for origin in Register.DataOrigin:
        assert in_language(language, str(origin.label))[1:] not in sources
    pdf = client.get(reverse("admin:notices_register_preview_pdf", args=[register.pk, language]))
    assert pdf.status_code == 200
    assert "(Art. 13" not in pdf_text(pdf.content)


def test_the_data_origin_chosen_in_its_step_is_published(
    register: Register, alice: User, paula: User
):
    Register.objects.filter(pk=register.pk).update(data_origin="")
    response = post_step(alice, register, "data_categories", {"data_origin": "both"})
    assert response.status_code == 302
    register.refresh_from_db()
    assert register.data_origin == "both"
    publish(register, paula)
    label = "both from the data subjects and from elsewhere (Art. 13 and 14)"
    texts = published("en")
    assert f"{label[0].upper()}{label[1:]}." in section(texts["page"], "sources")
    assert squeeze(label[1:]) in squeeze(texts["pdf"])
    data = json.loads(texts["json"])["register"]
    assert (data["data_origin"], data["data_origin_label"]) == ("both", label)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_migration_keeps_every_existing_answer_and_new_registers_start_unanswered(
    acme: Tenant,
):
    before = ("notices", "0016_processor_service_optional_when_named")
    after = ("notices", "0017_register_transfers_statement_data_origin_unanswered")
    with between_migrations(before, after) as old:
        OldRegister = old.get_model("notices", "Register")
        OldRegister.objects.filter(pk=acme.register.pk).update(data_origin="other")
        # Made with the old default, which nobody chose, but which a notice may show.
        defaulted = OldRegister.objects.create(
            controller_id=acme.controller.pk, name_fi="Vanha", slug="vanha", languages=["fi"]
        )
        assert defaulted.data_origin == "subject"
    origins = dict(Register.objects.values_list("slug", "data_origin"))
    assert origins == {"customers": "other", "vanha": "subject"}
    assert Register(controller=acme.controller).data_origin == ""
