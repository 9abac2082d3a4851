"""`manage.py load_demo`: the demo companies from their backup files, demo logins, publishing."""

from __future__ import annotations

import json
from io import BytesIO, StringIO
from pathlib import Path

import pytest
from django.contrib.auth import authenticate
from django.contrib.auth.models import User
from django.core.management import CommandError, call_command
from django.test import Client, RequestFactory
from django.utils import timezone
from django.utils.html import escape
from modeltranslation.translator import translator
from pypdf import PdfReader

from controllers.models import ContactPerson, Controller, Membership
from controllers.validators import validate_business_id
from notices import backup, languages, services
from notices.completeness import check_completeness
from notices.management.commands import load_demo as command
from notices.models import (
    Cookie,
    DataCategory,
    DataSubjectGroup,
    NoticeVersion,
    Processor,
    Purpose,
    Recipient,
    Register,
    RegisterProcessor,
    RegisterRight,
    RetentionRule,
    Right,
    SecurityMeasure,
    Source,
    Transfer,
)
from notices.snapshot import build_snapshot

pytestmark = pytest.mark.django_db

DEMO_SLUGS = {"turvaratkaisu", "sovellustalo", "hyvinvointi"}
TRILINGUAL = "hyvinvointi"  # Hyvinvointivirta Oy publishes in Finnish, Swedish and English

COUNTED_MODELS = [
    User,
    Controller,
    ContactPerson,
    Membership,
    Register,
    DataSubjectGroup,
    Purpose,
    Purpose.legal_bases.through,
    DataCategory,
    DataCategory.subject_groups.through,
    Source,
    Recipient,
    Processor,
    RegisterProcessor,
    Transfer,
    RetentionRule,
    Right,
    SecurityMeasure,
    Cookie,
    RegisterRight,
]


def load() -> str:
    """Run the command as the tests' DEBUG-off settings require, and return its output."""
    out = StringIO()
    call_command("load_demo", force=True, publish=False, stdout=out)
    return out.getvalue()


def counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in COUNTED_MODELS}


# Names a company may give once, in the default language, for every language.
PROPER_NAMES = {("ContactPerson", "name"), ("Processor", "name")}


def company_texts(controller: Controller) -> list[tuple[str, str, dict[str, str]]]:
    """Every translated text of the company's own objects: (model, field, {language: text}).

    The shared catalogues (legal bases, rights, the authority) are not the company's;
    a proper name given once (the same in every language) is not a text to translate.
    """
    texts = []
    for model in translator.get_registered_models(abstract=False):
        tenant_path = getattr(model, "tenant_path", None)
        if tenant_path is None:
            continue
        objects = model.objects.filter(**{tenant_path or "pk": controller.pk}).order_by("pk")
        for obj in objects:
            for name in translator.get_options_for_model(model).fields:
                values = {lang: getattr(obj, f"{name}_{lang}") or "" for lang in ("fi", "sv", "en")}
                given = [lang for lang, value in values.items() if value.strip()]
                if (model.__name__, name) in PROPER_NAMES and given == ["fi"]:
                    continue
                if given:
                    texts.append((model.__name__, name, values))
    return texts


def state() -> list[tuple[str, ...]]:
    """The visible content of every demo company, independent of primary keys."""
    rows: list[tuple[str, ...]] = []
    for controller in Controller.objects.order_by("slug"):
        rows.append((controller.slug, controller.name, controller.business_id))
        rows += [(m, f, json.dumps(v, sort_keys=True)) for m, f, v in company_texts(controller)]
        for register in controller.registers.order_by("slug"):
            rows.append((register.slug, ",".join(register.languages)))
            rows += [(str(r.period), r.period_unit) for r in register.retention_rules.all()]
            rows += [(r.right.code, str(r.included)) for r in register.rights.all()]
            for purpose in register.purposes.all():
                rows.append(tuple(sorted(b.code for b in purpose.legal_bases.all())))
    return rows


def test_loading_twice_gives_the_same_state():
    load()
    first_counts, first_state = counts(), state()

    load()

    assert counts() == first_counts
    assert state() == first_state
    assert Controller.objects.count() == 3
    assert Register.objects.count() == 3
    assert User.objects.count() == 7  # admin, and an editor and a publisher per company


def test_three_controllers_with_valid_business_ids():
    load()

    controllers = list(Controller.objects.all())
    assert {controller.slug for controller in controllers} == DEMO_SLUGS
    for controller in controllers:
        validate_business_id(controller.business_id)  # raises ValidationError if invalid
        assert controller.country == "FI"


def log_in(username: str, password: str) -> User | None:
    """Authenticate as the admin's login form does (django-axes needs the request)."""
    request = RequestFactory().post("/admin/login/", REMOTE_ADDR="192.0.2.1")
    return authenticate(request, username=username, password=password)


def test_each_company_has_an_editor_and_a_publisher_who_can_log_in():
    load()

    for controller in Controller.objects.all():
        memberships = {m.role: m.user for m in controller.memberships.select_related("user")}
        assert set(memberships) == {"editor", "publisher"}
        for role, user in memberships.items():
            assert user.username == f"{role}-{controller.slug}"
            assert user.is_active
            assert user.is_staff
            assert not user.is_superuser
            password = f"demo-{controller.slug}-2026"
            assert log_in(user.username, password) == user


def test_reloading_restores_a_changed_demo_password():
    load()
    editor = User.objects.get(username="editor-sovellustalo")
    editor.set_password("something-else")
    editor.is_active = False
    editor.save()

    load()

    assert log_in("editor-sovellustalo", "demo-sovellustalo-2026") == editor


def test_admin_is_a_superuser_with_the_demo_password():
    load()

    admin = log_in("admin", "demo-admin-2026")
    assert admin is not None
    assert admin.is_superuser
    assert admin.is_staff


def test_every_register_is_complete_and_published_in_its_languages():
    load()

    languages = {r.controller.slug: r.languages for r in Register.objects.select_related()}
    assert languages == {
        "turvaratkaisu": ["fi", "en"],
        "sovellustalo": ["fi", "en"],
        "hyvinvointi": ["fi", "sv", "en"],
    }
    for register in Register.objects.all():
        assert register.contact_person is not None
        assert register.introduction_fi and register.introduction_en
        assert register.rights_exercise_fi and register.rights_exercise_en
        assert not register.has_automated_decisions

        purposes = list(register.purposes.prefetch_related("legal_bases"))
        assert purposes, register
        # A purpose rests on the bases the register states for all purposes and its own.
        whole = {basis.code for basis in register.legal_bases.all()}
        for purpose in purposes:
            own = {basis.code for basis in purpose.legal_bases.all()}
            assert own | whole, purpose
            if "6-1-f" in own:
                assert purpose.legitimate_interest_fi, purpose
                assert purpose.legitimate_interest_en, purpose

        assert register.data_categories.exists(), register
        assert register.retention_rules.exists(), register
        assert register.security_measures.exists(), register
        assert register.subject_groups.exists(), register
        assert register.sources.exists(), register

        rights = {r.right.code: r for r in register.rights.select_related("right")}
        assert set(rights) == set(Right.Code.values)
        for code in ("access", "rectification", "restriction", "complaint"):
            assert rights[code].included, (register, code)
        rests_on_consent = "6-1-a" in whole or (
            register.purposes.filter(legal_bases__code="6-1-a").exists()
        )
        assert rights["withdraw_consent"].included == rests_on_consent, register


def test_processors_outside_the_eea_have_a_transfer_with_a_safeguard():
    load()

    for use in RegisterProcessor.objects.select_related("processor", "register"):
        if use.processor.is_outside_eea:
            transfer = Transfer.objects.get(register=use.register, processor=use.processor)
            assert transfer.safeguard
            assert transfer.copy_info_fi and transfer.copy_info_en
    for register in Register.objects.all():
        assert register.no_transfers == (not register.transfers.exists())


def test_cookies_need_consent_unless_strictly_necessary():
    load()

    cookies = list(Cookie.objects.all())
    assert any(c.category == "necessary" and not c.consent_required for c in cookies)
    assert any(c.category == "statistics" for c in cookies)
    for cookie in cookies:
        if cookie.category != "necessary":
            assert cookie.consent_required, cookie


def test_demo_companies_follow_their_reference_notices():
    load()

    # Like WeSolve: a consent-based newsletter next to legitimate-interest purposes.
    turva = Register.objects.get(controller__slug="turvaratkaisu")
    assert turva.purposes.filter(legal_bases__code="6-1-a").exists()
    assert turva.purposes.filter(legal_bases__code="6-1-f").count() >= 3
    assert turva.retention_rules.filter(data_category__isnull=False).count() >= 5
    assert turva.transfers.get().safeguard == "scc"

    # Like Secapp: a DPO, a marketing contact, two groups with their own categories,
    # a public source and US processors under the Data Privacy Framework.
    sovellus = Register.objects.get(controller__slug="sovellustalo")
    assert sovellus.controller.has_dpo
    assert sovellus.contact_person.title_en == "Marketing Manager"
    assert sovellus.subject_groups.count() == 2
    admins = sovellus.subject_groups.get(name_en="Customers' main users and contract contacts")
    assert admins.data_categories.count() >= 3
    assert sovellus.sources.filter(is_public=True).exists()
    assert {t.safeguard for t in sovellus.transfers.all()} == {"dpf"}
    access = sovellus.rights.get(right__code="access")
    assert "kerran vuodessa" in access.text_fi
    assert "once a year" in access.text_en

    # Like Wellflix: a customer register kept 10 years from the end of the relationship.
    hyvinvointi = Register.objects.get(controller__slug="hyvinvointi")
    assert hyvinvointi.name_fi == "Asiakasrekisteri"
    rule = hyvinvointi.retention_rules.get()
    assert (rule.period, rule.period_unit) == (10, "years")
    assert rule.starting_event_fi and rule.starting_event_en
    # Like Wellflix: contract stated once for the whole register, processors named by
    # their function only, and a history from before the service (issue 9, point 12).
    assert list(hyvinvointi.legal_bases.values_list("code", flat=True)) == ["6-1-b"]
    processors = Processor.objects.filter(controller=hyvinvointi.controller)
    assert processors.exists()
    for processor in processors:
        assert not processor.name_fi and processor.service_fi and processor.service_en
    assert str(hyvinvointi.first_published_on) == "2022-11-03"
    assert [str(c.date) for c in hyvinvointi.earlier_changes.all()] == ["2024-05-02", "2023-07-10"]
    assert hyvinvointi.no_transfers
    assert set(hyvinvointi.security_measures.values_list("kind", flat=True)) >= {
        "manual",
        "electronic",
    }


def test_every_text_of_a_company_is_written_in_each_of_its_languages():
    load()

    missing = []
    for controller in Controller.objects.all():
        languages = {lang for r in controller.registers.all() for lang in r.languages}
        for model, name, values in company_texts(controller):
            missing += [
                f"{controller.slug} {model}.{name}_{lang}"
                for lang in sorted(languages)
                if not values[lang].strip()
            ]
    assert missing == []


def test_the_trilingual_company_writes_swedish_not_finnish():
    load()

    texts = company_texts(Controller.objects.get(slug=TRILINGUAL))
    assert len(texts) > 50
    copied = {(m, f) for m, f, values in texts if values["sv"] in (values["fi"], values["en"])}
    # Words that read the same in the languages: "session" (the country is a code now).
    assert copied == {("Cookie", "duration")}
    register = Register.objects.get(controller__slug=TRILINGUAL)
    assert register.name_sv == "Kundregister"
    assert "personuppgifter" in register.introduction_sv


def test_demo_uses_fictional_contact_details():
    load()

    for controller in Controller.objects.all():
        assert controller.email.endswith(".example.com")
        assert ".example.com" in controller.website
    for contact in ContactPerson.objects.all():
        assert contact.email.endswith(".example.com")
    for user in User.objects.all():
        assert user.email.endswith("example.com")


def test_refuses_without_force_when_debug_is_off(settings):
    settings.DEBUG = False

    with pytest.raises(CommandError, match="--force"):
        call_command("load_demo", publish=False, stdout=StringIO())

    assert not Controller.objects.exists()
    assert not User.objects.exists()


def test_runs_without_force_when_debug_is_on(settings):
    settings.DEBUG = True

    call_command("load_demo", publish=False, stdout=StringIO())

    assert Controller.objects.count() == 3


def test_output_lists_the_logins_and_the_admin_address():
    output = load()

    assert "admin / demo-admin-2026" in output
    for slug in DEMO_SLUGS:
        assert f"editor-{slug} / demo-{slug}-2026" in output
        assert f"publisher-{slug} / demo-{slug}-2026" in output
    assert "http://127.0.0.1:8000/admin/" in output


def test_load_demo_returns_the_registers_it_imported():
    result = command.load_demo()

    assert len(result.registers) == 3
    assert {register.controller.slug for register in result.registers} == DEMO_SLUGS
    assert set(result.registers) == set(Register.objects.all())


def test_every_demo_notice_is_complete_enough_to_publish():
    load()

    for register in Register.objects.all():
        assert check_completeness(build_snapshot(register)) == [], register


# --- The files ----------------------------------------------------------------------


def test_the_demo_directory_holds_the_company_files_and_the_versions():
    files = {p.relative_to(command.DEMO_DIR).as_posix() for p in command.DEMO_DIR.rglob("*")}

    assert files == {
        "companies",
        "companies/hyvinvointi.json",
        "companies/sovellustalo.json",
        "companies/turvaratkaisu.json",
        "versions.json",
    }
    assert command.company_files() == sorted((command.DEMO_DIR / "companies").iterdir())


@pytest.mark.parametrize("path", command.company_files(), ids=lambda path: path.name)
def test_every_company_file_is_a_backup_the_importer_accepts(path: Path):
    data = json.loads(path.read_bytes())

    assert data["format"] == backup.FORMAT
    assert data["schema_version"] == backup.SCHEMA_VERSION
    assert all(register["versions"] == [] for register in data["registers"])
    controller = backup.import_controller(path)  # into an empty database: no replace
    assert controller.slug == path.stem
    assert not NoticeVersion.objects.exists()


def test_the_demo_goes_through_the_import_validation(tmp_path):
    """A text with a bidirectional override is refused as the admin refuses it."""
    data = json.loads((command.COMPANY_DIR / "hyvinvointi.json").read_text())
    data["registers"][0]["name"]["sv"] = "Kund\u202eregister"
    broken = tmp_path / "hyvinvointi.json"
    broken.write_text(json.dumps(data), encoding="utf-8")

    with pytest.raises(CommandError, match=r"hyvinvointi\.json.*registers\[0\]"):
        command.load_demo(files=[*command.company_files()[1:], broken])

    assert not Controller.objects.exists()
    assert not User.objects.exists()


def test_versions_have_a_summary_in_every_language_of_every_demo_register():
    versions = command.read_versions()

    assert [v.published_at and v.published_at.date().isoformat() for v in versions] == [
        "2025-03-03",
        "2026-09-15",
        None,  # published when the demo is loaded, announced ahead
    ]
    assert [v.only for v in versions] == [[], [], [TRILINGUAL]]
    assert versions[2].effective_after_days
    for path in command.company_files():
        for register in json.loads(path.read_bytes())["registers"]:
            for version in versions:
                assert set(register["languages"]) <= set(version.summary), path.name


# --- Replacing and conflicts --------------------------------------------------------


@pytest.mark.usefixtures("blank_pdfs")  # reads pages, not PDFs (tests/conftest.py)
def test_reloading_after_publishing_replaces_the_published_demo(
    settings, tmp_path, django_capture_on_commit_callbacks
):
    settings.MEDIA_ROOT = tmp_path
    load()
    register = Register.objects.get(controller__slug="sovellustalo")
    publisher = User.objects.get(username="publisher-sovellustalo")
    services.notice_publish(
        register=register, user=publisher, summary={"fi": "Julkaistu.", "en": "Published."}
    )
    assert list(tmp_path.rglob("*.pdf"))

    with django_capture_on_commit_callbacks(execute=True):
        load()

    assert not NoticeVersion.objects.exists()
    assert Register.objects.count() == 3
    assert list(tmp_path.rglob("*.pdf")) == []


@pytest.mark.parametrize(
    ("slug", "business_id"),
    [("hyvinvointi", "1234567-1"), ("oikea-yritys", "9000004-6")],
    ids=["same address name", "same business ID"],
)
def test_refuses_to_overwrite_a_company_that_is_not_the_demo(slug, business_id):
    Controller.objects.create(
        name="Oikea Yritys Oy",
        business_id=business_id,
        slug=slug,
        street_address="Katu 1",
        postal_code="00100",
        city="Helsinki",
        email="info@oikea.example.com",
    )

    with pytest.raises(CommandError, match="hyvinvointi.*9000004-6"):
        load()

    assert Controller.objects.get().name == "Oikea Yritys Oy"
    assert not Register.objects.exists()
    assert not User.objects.exists()


# --- Publishing ---------------------------------------------------------------------


@pytest.mark.usefixtures("blank_pdfs")  # reads pages, not PDFs (tests/conftest.py)
def test_publishes_two_dated_versions_of_every_register_and_prints_their_urls(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    out = StringIO()
    call_command("load_demo", force=True, stdout=out)
    output = out.getvalue()

    for register in Register.objects.select_related("controller"):
        versions = list(register.versions.order_by("number"))[:2]
        assert [v.number for v in versions] == [1, 2]
        assert versions[1].effective_at is None
        assert versions[0].published_at.date() < versions[1].published_at.date()
        assert versions[1].changes, "the second version lists what changed"
        assert [set(v.summary) for v in versions] == [set(register.languages)] * 2
        assert versions[1].published_by.username == f"publisher-{register.controller.slug}"
        for language in register.languages:
            url = f"/{language}/{register.controller.slug}/{register.slug}/"
            assert f"http://127.0.0.1:8000{url}" in output
            assert Client().get(url).status_code == 200
    assert "http://127.0.0.1:8000/sv/hyvinvointi/asiakasrekisteri/" in output
    # Each register's last two versions compared, in its first language.
    compare = "/fi/sovellustalo/asiakasrekisteri/compare/1...2/"
    assert f"http://127.0.0.1:8000{compare}" in output
    page = Client().get(compare)
    assert page.status_code == 200
    assert "Kaikki henkilöstön tunnukset käyttävät kaksivaiheista tunnistautumista." in page.text
    # Hyvinvointivirta's last two: the version announced ahead against the one in force.
    announced = "/fi/hyvinvointi/asiakasrekisteri/compare/2...3/"
    assert f"http://127.0.0.1:8000{announced}" in output
    assert "varmuuskopiot salataan" in Client().get(announced).text


@pytest.fixture
def trilingual(settings, tmp_path) -> Register:
    """The trilingual company loaded alone and published twice."""
    settings.MEDIA_ROOT = tmp_path
    result = command.load_demo(files=[command.COMPANY_DIR / f"{TRILINGUAL}.json"])
    command.publish_demo(result, command.read_versions())
    return Register.objects.get(controller__slug=TRILINGUAL)


def get(url: str, language: str):
    response = Client().get(url)
    assert response.status_code == 200, url
    assert response["Content-Language"] == language
    return response


def test_the_trilingual_notice_pdf_change_log_and_json_exist_in_each_language(trilingual):
    base = "/{lang}/hyvinvointi/asiakasrekisteri/"
    names = {"fi": "Asiakasrekisteri", "sv": "Kundregister", "en": "Customer register"}
    summaries = {
        "fi": "Lisätty kaksivaiheinen tunnistautuminen suojaustoimiin.",
        "sv": "Tvåstegsverifiering har lagts till bland säkerhetsåtgärderna.",
        "en": "Added two-factor authentication to the security measures.",
    }
    for lang, name in names.items():
        url = base.format(lang=lang)
        assert name in get(url, lang).content.decode()

        pdf = get(f"{url}pdf/", lang)
        assert pdf["Content-Type"] == "application/pdf"
        reader = PdfReader(BytesIO(b"".join(pdf.streaming_content)))
        pdf_text = "".join(page.extract_text() for page in reader.pages)
        assert name in pdf_text

        changelog = get(f"{url}versions/", lang).content.decode()
        assert escape(summaries[lang]) in changelog

        notice = json.loads(get(f"{url}notice.json", lang).content)
        assert name in json.dumps(notice, ensure_ascii=False)


@pytest.mark.usefixtures("blank_pdfs")  # reads pages, not PDFs (tests/conftest.py)
def test_the_swedish_page_shows_the_companys_swedish_texts(trilingual):
    # The latest version, announced ahead: it holds every text of the draft.
    latest = trilingual.versions.order_by("-number").first().number
    page = get(f"/sv/hyvinvointi/asiakasrekisteri/versions/{latest}/", "sv").content.decode()

    texts = company_texts(trilingual.controller)
    # "Suomi" (the country) is also the language switcher's name for Finnish.
    switcher = {languages.native_name(code) for code in languages.codes()}
    finnish = [
        (model, name, values["fi"])
        for model, name, values in texts
        if values["fi"] not in switcher and escape(values["fi"]) in page
    ]
    # Without automated decisions the page gives its standard sentence, not the text.
    assert not trilingual.has_automated_decisions
    shown = [(m, n, v) for m, n, v in texts if (m, n) != ("Register", "automated_decisions")]
    # The changes from before the service are in the change log, not on the page.
    earlier = [v["sv"] for m, n, v in shown if (m, n) == ("EarlierChange", "text")]
    shown = [(m, n, v) for m, n, v in shown if (m, n) != ("EarlierChange", "text")]
    swedish = [(m, n, v["sv"]) for m, n, v in shown if escape(v["sv"]) not in page]
    assert finnish == []
    assert swedish == []
    assert earlier
    changelog = get("/sv/hyvinvointi/asiakasrekisteri/versions/", "sv").content.decode()
    assert [text for text in earlier if escape(text) not in changelog] == []
    assert escape("Alla personalens användarkonton har tvåstegsverifiering.") in page


@pytest.mark.usefixtures("blank_pdfs")  # reads pages, not PDFs (tests/conftest.py)
def test_one_company_has_a_change_announced_ahead_and_it_is_printed(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    out = StringIO()
    call_command("load_demo", force=True, stdout=out)

    announced = NoticeVersion.objects.get(effective_at__isnull=False)
    assert announced.register.controller.slug == TRILINGUAL
    assert announced.number == 3
    day = timezone.localtime(announced.effective_at)
    assert (day.hour, day.minute) == (0, 0)
    assert day.date() > timezone.localdate()
    assert f"/fi/{TRILINGUAL}/asiakasrekisteri/versions/3/" in out.getvalue()
    assert NoticeVersion.objects.filter(number=3).count() == 1
