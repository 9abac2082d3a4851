"""`manage.py load_demo`: three fictional companies, complete registers, demo logins."""

from __future__ import annotations

from io import StringIO

import pytest
from django.contrib.auth import authenticate
from django.contrib.auth.models import User
from django.core.management import CommandError, call_command
from django.test import Client, RequestFactory
from modeltranslation.translator import translator

from controllers.models import ContactPerson, Controller, Membership
from controllers.validators import validate_business_id
from notices import demo, services
from notices.completeness import check_completeness
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


def snapshot() -> list[tuple[str, ...]]:
    """The visible content of every register, independent of primary keys."""
    rows = []
    for register in Register.objects.order_by("controller__slug", "slug"):
        rows.append((register.controller.slug, register.slug, register.name_fi))
        rows += [(p.name_fi, p.legitimate_interest_en or "") for p in register.purposes.all()]
        rows += [(c.name_en, c.description_fi) for c in register.data_categories.all()]
        rows += [(str(r.period), r.criteria_fi or "") for r in register.retention_rules.all()]
        rows += [(r.right.code, str(r.included), r.text_en or "") for r in register.rights.all()]
    return rows


def test_loading_twice_gives_the_same_state():
    load()
    first_counts, first_snapshot = counts(), snapshot()

    load()

    assert counts() == first_counts
    assert snapshot() == first_snapshot
    assert Controller.objects.count() == 3
    assert Register.objects.count() == 3
    assert User.objects.count() == 7  # admin, and an editor and a publisher per company


def test_three_controllers_with_valid_business_ids():
    load()

    controllers = list(Controller.objects.all())
    assert {controller.slug for controller in controllers} == DEMO_SLUGS
    for controller in controllers:
        validate_business_id(controller.business_id)  # raises ValidationError if invalid
        assert controller.country_fi == "Suomi"
        assert controller.country_en == "Finland"


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
            assert user.is_staff
            assert not user.is_superuser
            password = f"demo-{controller.slug}-2026"
            assert log_in(user.username, password) == user


def test_admin_is_a_superuser_with_the_demo_password():
    load()

    admin = log_in("admin", "demo-admin-2026")
    assert admin is not None
    assert admin.is_superuser
    assert admin.is_staff


def test_every_register_is_complete_and_published_in_english():
    load()

    for register in Register.objects.all():
        assert register.publish_in_english
        assert register.contact_person is not None
        assert register.introduction_fi and register.introduction_en
        assert register.rights_exercise_fi and register.rights_exercise_en
        assert not register.has_automated_decisions

        purposes = list(register.purposes.prefetch_related("legal_bases"))
        assert purposes, register
        for purpose in purposes:
            codes = {basis.code for basis in purpose.legal_bases.all()}
            assert codes, purpose
            if "6-1-f" in codes:
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
        rests_on_consent = register.purposes.filter(legal_bases__code="6-1-a").exists()
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
    assert hyvinvointi.purposes.filter(legal_bases__code="6-1-b").exists()
    assert hyvinvointi.no_transfers
    assert set(hyvinvointi.security_measures.values_list("kind", flat=True)) >= {
        "manual",
        "electronic",
    }


def test_every_finnish_text_has_an_english_translation():
    load()

    missing = []
    for model in translator.get_registered_models(abstract=False):
        fields = translator.get_options_for_model(model).fields
        for obj in model.objects.all():
            for name in fields:
                finnish = getattr(obj, f"{name}_fi")
                english = getattr(obj, f"{name}_en")
                if finnish and finnish.strip() and not (english and english.strip()):
                    missing.append(f"{model.__name__} {obj.pk}: {name}")
    assert missing == []


def test_demo_uses_fictional_contact_details():
    load()

    for controller in Controller.objects.all():
        assert controller.email.endswith(".example.com")
        assert ".example.com" in controller.website
    for contact in ContactPerson.objects.all():
        assert contact.email.endswith(".example.com")


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


def test_load_demo_returns_the_registers_it_created():
    result = demo.load_demo()

    assert len(result.registers) == 3
    assert {register.controller.slug for register in result.registers} == DEMO_SLUGS
    assert set(result.registers) == set(Register.objects.all())


def test_every_demo_notice_is_complete_enough_to_publish():
    load()

    for register in Register.objects.all():
        assert check_completeness(build_snapshot(register)) == [], register


def test_reloading_after_publishing_replaces_the_published_demo(
    settings, tmp_path, django_capture_on_commit_callbacks
):
    settings.MEDIA_ROOT = tmp_path
    load()
    register = Register.objects.get(controller__slug="hyvinvointi")
    publisher = User.objects.get(username="publisher-hyvinvointi")
    services.notice_publish(
        register=register, user=publisher, summary={"fi": "Julkaistu.", "en": "Published."}
    )
    assert list(tmp_path.rglob("*.pdf"))

    with django_capture_on_commit_callbacks(execute=True):
        load()

    assert not NoticeVersion.objects.exists()
    assert Register.objects.count() == 3
    assert list(tmp_path.rglob("*.pdf")) == []


def test_refuses_to_overwrite_a_company_that_is_not_the_demo():
    Controller.objects.create(
        name="Oikea Yritys Oy",
        business_id="1234567-1",
        slug="hyvinvointi",
        street_address="Katu 1",
        postal_code="00100",
        city="Helsinki",
        email="info@oikea.example.com",
    )

    with pytest.raises(CommandError, match="hyvinvointi"):
        load()

    assert Controller.objects.get().name == "Oikea Yritys Oy"
    assert not Register.objects.exists()
    assert not User.objects.exists()


def test_publishes_two_dated_versions_of_every_register_and_prints_their_urls(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    out = StringIO()
    call_command("load_demo", force=True, stdout=out)
    output = out.getvalue()
    for register in Register.objects.select_related("controller"):
        versions = list(register.versions.order_by("number"))
        assert [v.number for v in versions] == [1, 2]
        assert versions[0].published_at.date() < versions[1].published_at.date()
        assert versions[1].changes, "the second version lists what changed"
        for language in ("fi", "en"):
            url = f"/{language}/{register.controller.slug}/{register.slug}/"
            assert f"http://127.0.0.1:8000{url}" in output
            assert Client().get(url).status_code == 200
