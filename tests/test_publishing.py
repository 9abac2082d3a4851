"""Publishing a notice: versions, renderings, refusals, roles, failures and concurrency.

Everything is real: the service, the admin views, WeasyPrint, the storage. PDFs are
read back with pypdf. The only fault injected is a renderer that fails on purpose.
"""

from __future__ import annotations

import hashlib
import re
import threading
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.core.files.storage import default_storage
from django.db import OperationalError, connection, connections
from django.test import Client
from django.urls import reverse
from django.utils import translation

from notices import pdf, services
from notices.models import (
    LegalBasis,
    NoticeRendering,
    NoticeVersion,
    Purpose,
    Recipient,
    Register,
    RegisterChangelog,
)
from notices.pdf import PdfRenderError
from notices.snapshot import build_snapshot, canonical_json
from tests.conftest import Tenant, login
from tests.notices_factory import (
    SUMMARY,
    files_under,
    pdf_text,
    publish,
)

PUBLIC = "/{lang}/acme/customers/"
PUBLIC_SUFFIXES = [
    "",
    "pdf/",
    "notice.json",
    "embed/",
    "versions/",
    "versions/1/",
    "versions/1/pdf/",
]


def admin_url(name: str, register: Register) -> str:
    return reverse(f"admin:notices_register_{name}", args=[register.pk])


def stored_bytes(name: str) -> bytes:
    with default_storage.open(name, "rb") as file:
        return file.read()


def body(response) -> bytes:
    # Consuming streaming_content closes the response the way the test client expects;
    # closing it again would fire request_finished and close the test's DB connection.
    if response.streaming:
        return b"".join(response.streaming_content)
    return response.content


def po_translation(msgid: str) -> str:
    """The msgstr of ``msgid`` in the Finnish catalogue, '' if untranslated or absent."""
    po = Path(django_settings.BASE_DIR) / "locale" / "fi" / "LC_MESSAGES" / "django.po"
    if not po.exists():
        return ""
    found = re.search(
        r'^msgid "' + re.escape(msgid) + r'"\nmsgstr "(.*)"$', po.read_text(), re.MULTILINE
    )
    return found.group(1) if found else ""


def in_finnish(msgid: str) -> str:
    with translation.override("fi"):
        return translation.gettext(msgid)


# --- Publishing creates a version ---------------------------------------------------


def test_first_publish_creates_version_1_with_both_languages(register, paula, media):
    when = datetime(2026, 3, 5, 10, 0, tzinfo=UTC)  # 12.00 in Helsinki, same day
    version = publish(register, paula, published_at=when)

    version.refresh_from_db()
    assert version.number == 1
    assert version.published_at == when
    assert version.published_by == paula
    assert (version.summary["fi"], version.summary["en"]) == (SUMMARY["fi"], SUMMARY["en"])
    assert version.changes == []
    assert version.snapshot == build_snapshot(register)
    expected_hash = hashlib.sha256(canonical_json(build_snapshot(register))).hexdigest()
    assert version.content_hash == expected_hash
    assert hashlib.sha256(canonical_json(version.snapshot)).hexdigest() == expected_hash

    renderings = {r.language: r for r in version.renderings.all()}
    assert set(renderings) == {"fi", "en"}
    stored = files_under(media)
    texts = {}
    for language, row in renderings.items():
        name = f"notices/acme/customers/acme-customers-v1-{language}.pdf"
        assert row.pdf.name == name
        assert name in stored
        data = stored_bytes(row.pdf.name)
        assert data == (media / name).read_bytes()
        assert len(data) == row.pdf_size
        assert hashlib.sha256(data).hexdigest() == row.pdf_hash
        assert hashlib.sha256(row.html.encode()).hexdigest() == row.html_hash
        assert f'<html lang="{language}"' in row.html
        texts[language] = pdf_text(data)
    assert stored == {r.pdf.name for r in renderings.values()}

    fi, en = texts["fi"], texts["en"]
    assert "Acme" in fi and "Acme" in en
    assert "Acme asiakasrekisteri" in fi
    assert "Acme customer register" not in fi
    assert "Acme customer register" in en
    assert "Acme asiakassuhde" in fi
    assert "Acme customer relationship" in en
    assert "5.3.2026" in fi and "05.03.2026" not in fi  # j.n.Y: no leading zeros
    assert "5 March 2026" in en
    assert "Controller" in en
    # The Finnish headings: whatever the catalogue says, and Finnish once translated.
    for msgid in ("Controller", "Purposes and legal bases", "Your rights"):
        assert in_finnish(msgid) in fi
        if po_translation(msgid):
            assert in_finnish(msgid) == po_translation(msgid)
            assert msgid not in fi
    if po_translation("Controller"):
        assert "Rekisterinpitäjä" in fi


def test_second_publish_lists_the_changes(register, paula, acme: Tenant):
    extra = Recipient.objects.create(
        register=register, name_fi="Kirjanpitotoimisto", name_en="Accounting firm"
    )
    first = publish(register, paula)
    first_snapshot = first.snapshot

    marketing = Purpose.objects.create(
        register=register, name_fi="Markkinointi", name_en="Marketing", order=5
    )
    marketing.legal_bases.set([LegalBasis.objects.get(code="6-1-c")])
    acme.purpose.legal_bases.set([LegalBasis.objects.get(code="6-1-c")])
    acme.retention.period = 12
    acme.retention.save()
    acme.category.name_fi = "Yhteystiedot"
    acme.category.name_en = "Contact details"
    acme.category.save()
    extra.delete()

    # Every purpose now rests on a legal obligation, so portability cannot apply
    # (Art. 20(1)); the publisher publishes the list of rights as it is.
    second = publish(
        register,
        paula,
        summary={"fi": "Markkinointi lisätty.", "en": "Marketing."},
        acknowledged=("right_cannot_apply:portability",),
    )
    assert [w["code"] for w in second.acknowledged_warnings] == ["right_cannot_apply:portability"]
    assert second.number == 2
    assert (second.summary["fi"], second.summary["en"]) == ("Markkinointi lisätty.", "Marketing.")
    found = {
        (c["section"], c["kind"], c["name"]["en"], c["substantive"], c["reason"])
        for c in second.changes
    }
    assert found == {
        ("purposes", "added", "Marketing", True, "new_purpose"),
        ("purposes", "changed", "Acme customer relationship", True, "legal_basis_changed"),
        ("retention", "changed", "Contact details", True, "longer_retention"),
        ("data_categories", "changed", "Contact details", False, None),
        ("recipients", "removed", "Accounting firm", False, None),
    }
    first.refresh_from_db()
    assert first.snapshot == first_snapshot  # the earlier version is untouched
    assert first.content_hash != second.content_hash
    assert NoticeVersion.objects.filter(register=register).count() == 2
    assert NoticeRendering.objects.filter(version__register=register).count() == 4


# --- Completeness refusals, one by one ------------------------------------------------


def _no_way_to_contact_the_controller(t: Tenant) -> None:
    controller = t.controller
    controller.street_address = controller.city = controller.email = ""
    controller.phone = controller.website = ""
    controller.save()


def _automated_decisions_unanswered(t: Tenant) -> None:
    t.register.has_automated_decisions = None
    t.register.save()


def _recipients_said_but_not_listed(t: Tenant) -> None:
    t.register.recipients.all().delete()
    t.register.no_recipients = False
    t.register.save()


def _statutory_requirement_unanswered(t: Tenant) -> None:
    t.register.statutory_requirement_fi = t.register.statutory_requirement_en = ""
    t.register.save()


def _no_purpose(t: Tenant) -> None:
    t.register.purposes.all().delete()


def _no_legal_basis(t: Tenant) -> None:
    t.purpose.legal_bases.clear()


def _legitimate_interest_missing_in_english(t: Tenant) -> None:
    t.purpose.legal_bases.set([LegalBasis.objects.get(code="6-1-f")])
    # The rights follow the new basis: objection applies (Art. 21(1)), portability not.
    t.register.rights.filter(right__code="objection").update(included=True)
    t.register.rights.filter(right__code="portability").update(included=False)
    t.purpose.legitimate_interest_fi = "Asiakassuhteen hoitaminen."
    t.purpose.legitimate_interest_en = ""
    t.purpose.save()


def _no_recipients(t: Tenant) -> None:
    t.register.recipients.all().delete()


def _no_transfers(t: Tenant) -> None:
    t.register.transfers.all().delete()
    t.processor.country = "SE"  # inside the EEA: only the missing statement is wrong
    t.processor.save()


def _no_retention(t: Tenant) -> None:
    t.register.retention_rules.all().delete()


def _no_rights_exercise(t: Tenant) -> None:
    t.register.rights_exercise_fi = ""
    t.register.rights_exercise_en = ""
    t.register.save()


def _elsewhere_without_sources(t: Tenant) -> None:
    t.register.data_origin = Register.DataOrigin.OTHER
    t.register.save()
    t.register.sources.all().delete()


def _english_text_missing(t: Tenant) -> None:
    t.purpose.name_en = ""
    t.purpose.save()


REFUSALS: list[tuple[str, Callable[[Tenant], None], dict[str, str] | None, str, str, str]] = [
    # id, change, summary, language, section, words in the message
    ("no-way-to-contact", _no_way_to_contact_the_controller, None, "fi", "controller", "contact"),
    (
        "automated-unanswered",
        _automated_decisions_unanswered,
        None,
        "fi",
        "register",
        "automated means",
    ),
    (
        "recipients-not-listed",
        _recipients_said_but_not_listed,
        None,
        "fi",
        "recipients",
        "list them",
    ),
    (
        "statutory-unanswered",
        _statutory_requirement_unanswered,
        None,
        "fi",
        "register",
        "statutory or contractual",
    ),
    ("no-purpose", _no_purpose, None, "fi", "purposes", "no purpose"),
    ("no-legal-basis", _no_legal_basis, None, "fi", "purposes", "no legal basis"),
    (
        "legitimate-interest-en",
        _legitimate_interest_missing_in_english,
        None,
        "en",
        "purposes",
        "legitimate interest",
    ),
    ("no-recipients", _no_recipients, None, "fi", "recipients", "no recipients"),
    ("no-transfers", _no_transfers, None, "fi", "transfers", "no transfers"),
    ("retention-missing", _no_retention, None, "fi", "retention", "Acme yhteystiedot"),
    ("rights-exercise", _no_rights_exercise, None, "fi", "rights", "use the rights"),
    ("no-sources", _elsewhere_without_sources, None, "fi", "sources", "sources"),
    ("english-text-missing", _english_text_missing, None, "en", "purposes", "Acme asiakassuhde"),
    (
        "summary-missing-en",
        lambda t: None,
        {"fi": "Julkaisu.", "en": "  "},
        "en",
        "changes",
        "summary",
    ),
]


@pytest.mark.parametrize(
    ("change", "summary", "language", "section", "words"),
    [r[1:] for r in REFUSALS],
    ids=[r[0] for r in REFUSALS],
)
def test_publishing_refused_when_incomplete(
    acme, register, paula, media, change, summary, language, section, words
):
    change(acme)
    register.refresh_from_db()
    with pytest.raises(services.PublishRefused) as refused:
        publish(register, paula, summary=summary)
    problems = refused.value.problems
    matching = [p for p in problems if (p.language, p.section) == (language, section)]
    assert matching, [(p.language, p.section, p.message) for p in problems]
    assert any(words.lower() in p.message.lower() for p in matching), [p.message for p in matching]
    assert words.lower() in str(refused.value).lower()
    if language == "en":
        # Complete in Finnish: only the English notice is refused.
        assert all(p.language == "en" for p in problems), problems
    assert not NoticeVersion.objects.exists()
    assert not NoticeRendering.objects.exists()
    assert files_under(media) == set()


# --- Roles: editors preview, publishers publish ----------------------------------------


def test_editor_cannot_publish_but_can_preview(register, alice, alice_client: Client, media):
    with pytest.raises(PermissionDenied):
        services.notice_publish(register=register, user=alice, summary=SUMMARY)
    assert alice_client.get(admin_url("publish", register)).status_code == 403
    response = alice_client.post(
        admin_url("publish", register), {"summary_fi": "x", "summary_en": "y"}
    )
    assert response.status_code == 403

    preview = alice_client.get(reverse("admin:notices_register_preview", args=[register.pk, "en"]))
    assert preview.status_code == 200
    html = preview.content.decode()
    assert "Draft preview" in html
    assert "Acme customer register" in html
    assert '<html lang="en"' in html
    assert "no-store" in preview["Cache-Control"]

    preview = alice_client.get(reverse("admin:notices_register_preview", args=[register.pk, "fi"]))
    assert preview.status_code == 200
    html = preview.content.decode()
    with translation.override("fi"):
        banner = translation.gettext("Draft preview: this is not published.")
    assert banner in html
    assert "Acme asiakasrekisteri" in html
    assert '<html lang="fi"' in html

    pdf = alice_client.get(reverse("admin:notices_register_preview_pdf", args=[register.pk, "fi"]))
    assert pdf.status_code == 200
    assert pdf["Content-Type"] == "application/pdf"
    assert "acme-customers-draft-fi.pdf" in pdf["Content-Disposition"]
    assert "Acme asiakasrekisteri" in pdf_text(pdf.content)

    assert not NoticeVersion.objects.exists()
    assert files_under(media) == set()


def test_publisher_publishes_through_the_admin(register, paula, media):
    publish(register, paula)
    marketing = Purpose.objects.create(register=register, name_fi="Markkinointi", name_en="Sales")
    marketing.legal_bases.set([LegalBasis.objects.get(code="6-1-b")])
    client = login(paula)

    page = client.get(admin_url("publish", register))
    assert page.status_code == 200
    html = page.content.decode()
    assert "Changes since version 1" in html
    assert "Purposes and legal bases: Sales – added" in html
    assert "new purpose" in html
    assert 'name="summary_fi"' in html and 'name="summary_en"' in html

    response = client.post(
        admin_url("publish", register),
        {"summary_fi": "Myynti lisätty.", "summary_en": "Sales added."},
        follow=True,
    )
    # Back on the company home, at the register's card, with the message and the
    # public page's link; not on the one-page form.
    home = reverse("admin:controllers_controller_home", args=[register.controller_id])
    assert response.redirect_chain == [(f"{home}#register-{register.pk}", 302)]
    html = response.content.decode()
    assert "Version 2 of the notice is published." in html
    assert f'id="register-{register.pk}"' in html
    assert 'href="/en/acme/customers/"' in html
    version = NoticeVersion.objects.get(register=register, number=2)
    assert (version.summary["fi"], version.summary["en"]) == ("Myynti lisätty.", "Sales added.")
    assert version.published_by == paula
    assert ("purposes", "added") in {(c["section"], c["kind"]) for c in version.changes}


def test_admin_publish_page_lists_problems_and_publishes_nothing(register, paula, media):
    register.rights_exercise_fi = ""
    register.rights_exercise_en = ""
    register.save()
    client = login(paula)
    page = client.get(admin_url("publish", register))
    assert page.status_code == 200
    html = page.content.decode()
    assert "The notice cannot be published yet" in html
    assert "Say how a person can use the rights." in html
    assert f'href="{admin_url("change", register)}"' in html
    assert 'name="summary_fi"' not in html

    response = client.post(
        admin_url("publish", register), {"summary_fi": "Julkaisu.", "summary_en": "Publication."}
    )
    assert response.status_code == 200
    assert "Say how a person can use the rights." in response.content.decode()
    assert not NoticeVersion.objects.exists()
    assert files_under(media) == set()


def test_admin_publish_needs_every_summary(register, paula, media):
    client = login(paula)
    response = client.post(admin_url("publish", register), {"summary_fi": "Julkaisu."})
    assert response.status_code == 200
    assert response.context["form"].errors["summary_en"]
    assert not NoticeVersion.objects.exists()


def test_admin_publish_page_names_changes_of_a_finnish_only_register(register, paula, acme):
    """The admin is in English, the register has only Finnish texts: names still show."""
    register.languages = ["fi"]
    register.save()
    publish(register, paula, summary={"fi": "Ensimmäinen."})
    marketing = Purpose.objects.create(register=register, name_fi="Markkinointi", name_en="")
    marketing.legal_bases.set([LegalBasis.objects.get(code="6-1-b")])
    page = login(paula, "en").get(admin_url("publish", register))
    assert page.status_code == 200
    html = page.content.decode()
    assert 'name="summary_en"' not in html
    listed = html.split('class="publish-changes"', 1)[1].split("</ul>", 1)[0]
    assert "Purposes and legal bases: Markkinointi – added" in listed, listed


def test_consent_purpose_shows_withdraw_consent_right(register, acme, alice_client):
    """Withdraw-consent wording appears wherever a purpose rests on consent."""
    register.rights.filter(right__code="withdraw_consent").update(included=False)
    preview = reverse("admin:notices_register_preview", args=[register.pk, "en"])
    assert "Right to withdraw consent" not in alice_client.get(preview).content.decode()
    consent = Purpose.objects.create(
        register=register, name_fi="Uutiskirje", name_en="Newsletter", order=3
    )
    consent.legal_bases.set([LegalBasis.objects.get(code="6-1-a")])
    html = alice_client.get(preview).content.decode()
    rights = html.split('id="rights"', 1)[1].split("</section>", 1)[0]
    assert "Right to withdraw consent" in rights
    assert "you can withdraw it at any time" in html


# --- Failures and drafts never reach visitors -----------------------------------------


def test_failed_render_leaves_previous_version_live(register, paula, media, monkeypatch):
    publish(register, paula)
    client = Client()
    page_before = client.get(PUBLIC.format(lang="en")).content
    pdf_before = body(client.get(PUBLIC.format(lang="fi") + "pdf/"))
    files_before = files_under(media)

    pdf._warm_up()
    real_render = pdf.render_pdf_in_process

    def failing_in_english(html: str, **options) -> bytes:
        # Runs in the English renderer's child; the Finnish one renders for real.
        if '<html lang="en"' in html:
            raise RuntimeError("simulated renderer failure")
        return real_render(html, **options)

    monkeypatch.setattr(pdf, "render_pdf_in_process", failing_in_english)
    Purpose.objects.filter(register=register).update(name_en="Renamed purpose")
    with pytest.raises(services.PublishRefused, match="could not be rendered") as refused:
        publish(register, paula, summary={"fi": "Toinen.", "en": "Second."})

    assert isinstance(refused.value.__cause__, PdfRenderError)
    assert "simulated renderer failure" in str(refused.value.__cause__)
    assert list(NoticeVersion.objects.values_list("number", flat=True)) == [1]
    assert NoticeRendering.objects.count() == 2
    assert files_under(media) == files_before
    assert client.get(PUBLIC.format(lang="en")).content == page_before
    assert body(client.get(PUBLIC.format(lang="fi") + "pdf/")) == pdf_before
    assert client.get(PUBLIC.format(lang="fi") + "versions/2/").status_code == 404


def test_render_failure_in_the_admin_is_reported_not_a_server_error(
    register, paula, media, monkeypatch
):
    def broken(html: str, **options) -> bytes:
        raise RuntimeError("simulated renderer failure")

    monkeypatch.setattr(pdf, "render_pdf_in_process", broken)
    client = login(paula)
    client.raise_request_exception = False
    response = client.post(
        admin_url("publish", register), {"summary_fi": "Julkaisu.", "summary_en": "Publication."}
    )
    # Nothing is published, and the publisher is told so on the page (not a 500).
    assert not NoticeVersion.objects.exists()
    assert files_under(media) == set()
    assert response.status_code == 200, response.status_code
    html = response.content.decode()
    assert 'class="errorlist' in html or 'class="error"' in html
    assert "could not be rendered" in html


def test_editing_the_draft_changes_nothing_public_until_next_publish(register, paula, media):
    publish(register, paula)
    client = Client()
    urls = [
        PUBLIC.format(lang=lang) + suffix for lang in ("fi", "en") for suffix in PUBLIC_SUFFIXES
    ]
    before = {url: body(client.get(url)) for url in urls}

    purpose = Purpose.objects.get(register=register)
    purpose.name_fi, purpose.name_en = "Uusi nimi", "New name"
    purpose.save()
    Recipient.objects.create(register=register, name_fi="Uusi saaja", name_en="New recipient")
    after = {url: body(client.get(url)) for url in urls}
    assert after == before
    assert "New name" not in before[PUBLIC.format(lang="en")].decode()

    publish(register, paula, summary={"fi": "Nimi.", "en": "Name."})
    current = client.get(PUBLIC.format(lang="en")).content.decode()
    assert "New name" in current
    assert (
        "Acme customer relationship" not in current.split('id="purposes"')[1].split("</section>")[0]
    )
    # The first version stays as it was.
    assert (
        body(client.get(PUBLIC.format(lang="fi") + "versions/1/pdf/"))
        == before[PUBLIC.format(lang="fi") + "versions/1/pdf/"]
    )


# --- Concurrent publishing -----------------------------------------------------------


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_version_numbers_unique_under_concurrent_publishing(register, paula, media):
    barrier = threading.Barrier(2, timeout=30)
    results: dict[str, object] = {}

    def run(name: str) -> None:
        try:
            own_register = Register.objects.get(pk=register.pk)
            user = User.objects.get(pk=paula.pk)
            barrier.wait()
            results[name] = publish(
                own_register, user, summary={"fi": f"{name} fi", "en": f"{name} en"}
            )
        except Exception as error:  # reported below
            results[name] = error
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(name,)) for name in ("first", "second")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads)

    published = {name: r for name, r in results.items() if isinstance(r, NoticeVersion)}
    failed = {name: r for name, r in results.items() if name not in published}
    rows = list(NoticeVersion.objects.filter(register=register).order_by("number"))
    numbers = [row.number for row in rows]
    assert len(numbers) == len(set(numbers))
    assert numbers == list(range(1, len(rows) + 1))
    # No lost summary: each stored version carries the summary of the thread that made it.
    assert {row.number: row.summary["fi"] for row in rows} == {
        v.number: f"{name} fi" for name, v in published.items()
    }
    assert {row.summary["en"] for row in rows} == {f"{name} en" for name in published}
    for row in rows:
        assert sorted(row.renderings.values_list("language", flat=True)) == ["en", "fi"]
    assert files_under(media) == {
        f"notices/acme/customers/acme-customers-v{n}-{lang}.pdf"
        for n in numbers
        for lang in ("fi", "en")
    }

    if connection.vendor == "postgresql":
        assert failed == {}
        assert numbers == [1, 2]
        # The second publisher waited for the first: the change log it stored includes
        # version 1.
        log = RegisterChangelog.objects.get(register=register, language="en").html
        assert 'href="/en/acme/customers/versions/2/"' in log
        assert 'href="/en/acme/customers/versions/1/"' in log
        assert rows[0].summary["en"] in log and rows[1].summary["en"] in log
    else:
        # SQLite cannot write concurrently: one publisher may be told to try again.
        assert published, failed
        assert all(
            isinstance(e, services.PublishRefused | OperationalError) for e in failed.values()
        ), failed


# --- Offline and back ---------------------------------------------------------------


def test_publisher_takes_notice_offline_and_back(register, paula, alice, alice_client, media):
    publish(register, paula)
    client = Client()
    urls = [
        PUBLIC.format(lang=lang) + suffix for lang in ("fi", "en") for suffix in PUBLIC_SUFFIXES
    ]
    assert {url: client.get(url).status_code for url in urls} == dict.fromkeys(urls, 200)

    with pytest.raises(PermissionDenied):
        services.register_set_online(register=register, user=alice, online=False)
    assert alice_client.post(admin_url("online", register), {"online": "0"}).status_code == 403
    register.refresh_from_db()
    assert register.is_online

    services.register_set_online(register=register, user=paula, online=False)
    assert {url: client.get(url).status_code for url in urls} == dict.fromkeys(urls, 410)
    assert client.get("/fi/acme/").status_code == 404
    assert alice_client.post(admin_url("online", register), {"online": "1"}).status_code == 403
    assert client.get(PUBLIC.format(lang="fi")).status_code == 410

    response = login(paula).post(admin_url("online", register), {"online": "1"})
    assert response.status_code == 302
    assert {url: client.get(url).status_code for url in urls} == dict.fromkeys(urls, 200)


# --- Published versions are read-only in the admin ----------------------------------


def test_published_versions_cannot_be_edited_or_deleted(register, paula, media):
    version = publish(register, paula)
    client = login(paula)
    change = reverse("admin:notices_noticeversion_change", args=[version.pk])
    page = client.get(change)
    assert page.status_code == 200
    assert 'name="_save"' not in page.content.decode()
    assert 'name="_continue"' not in page.content.decode()
    assert client.post(change, {"summary_fi": "Muutettu"}).status_code == 403
    delete = reverse("admin:notices_noticeversion_delete", args=[version.pk])
    assert client.get(delete).status_code == 403
    assert client.post(delete, {"post": "yes"}).status_code == 403
    assert client.get(reverse("admin:notices_noticeversion_add")).status_code == 403
    version.refresh_from_db()
    assert version.summary["fi"] == SUMMARY["fi"]

    register_delete = admin_url("delete", register)
    page = client.get(register_delete)
    assert page.status_code == 200
    assert "Cannot delete register" in page.content.decode()
    response = client.post(register_delete, {"post": "yes"})
    assert response.status_code == 200
    assert Register.objects.filter(pk=register.pk).exists()
    assert NoticeVersion.objects.filter(pk=version.pk).exists()
