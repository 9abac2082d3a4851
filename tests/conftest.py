"""Two tenants with full data: alice edits Acme, bob publishes Borealis, charlie has none.

Everything of Borealis carries the word "borealis", so a page that leaks it is easy to catch.
"""

from __future__ import annotations

import importlib
import io
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest
from django.apps import apps as django_apps
from django.contrib.auth.models import User
from django.test import Client
from django.utils import timezone
from pypdf import PdfWriter

from controllers.audit import audit_record
from controllers.models import AuditEvent, ContactPerson, Controller, Membership
from notices import services
from notices.models import (
    Cookie,
    CoverageItem,
    DataCategory,
    DataSubjectGroup,
    EarlierChange,
    LegalBasis,
    NoticeVersion,
    Processor,
    Purpose,
    Recipient,
    Register,
    RegisterProcessor,
    RetentionRule,
    Right,
    SectionLead,
    SecurityMeasure,
    Source,
    SupervisoryAuthority,
    Transfer,
)
from notices.snapshot import build_snapshot, content_hash

PASSWORD = "correct-horse-battery-staple"


CATALOGUE_MIGRATION = importlib.import_module("notices.migrations.0002_catalogues")
SWEDISH_CATALOGUE_MIGRATION = importlib.import_module("notices.migrations.0005_swedish_catalogues")


@pytest.fixture(autouse=True)
def _shared_catalogues(request: pytest.FixtureRequest) -> None:
    """Every database test starts with the shared catalogues the data migrations fill.

    A transactional test ends by flushing every table; whichever test runs next in
    the same worker (under xdist the order is not ours to choose) would otherwise
    find no legal bases, rights or supervisory authority.
    """
    marker = request.node.get_closest_marker("django_db")
    uses_db = marker is not None or {"db", "transactional_db", "live_server"} & set(
        request.fixturenames
    )
    if not uses_db:
        return
    request.getfixturevalue("db")
    complete = (
        SupervisoryAuthority.objects.filter(is_default=True).exists()
        and LegalBasis.objects.count() == len(CATALOGUE_MIGRATION.LEGAL_BASES)
        and Right.objects.count() == len(CATALOGUE_MIGRATION.RIGHTS)
    )
    if not complete:
        CATALOGUE_MIGRATION.fill_catalogues(django_apps, None)
        SWEDISH_CATALOGUE_MIGRATION.fill_swedish_catalogues(django_apps, None)


@pytest.fixture(autouse=True)
def _no_kept_public_answers() -> None:
    """Each test starts with no public response kept (``notices.public_cache``).

    Between tests the database is rolled back or flushed, a change no stamp
    records, as an operator's SQL would be; a kept answer of an earlier test's
    company must not answer this test's requests.
    """
    from notices.public_cache import RESPONSES

    RESPONSES.clear()


@pytest.fixture
def blank_pdfs(monkeypatch: pytest.MonkeyPatch) -> None:
    """Publishing stores a one-page blank PDF instead of rendering the notice.

    For tests of anything but the PDF (schedules, feeds, the chain, the admin):
    rendering is a second or more a language. Only WeasyPrint's work is replaced:
    the children still fork and answer through their pipes (``without_weasyprint``).
    The PDF tests, and every test that reads a PDF back, render real ones.
    """
    from tests.notices_factory import without_weasyprint  # it imports this module

    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    buffer = io.BytesIO()
    writer.write(buffer)
    without_weasyprint(monkeypatch, buffer.getvalue())


@pytest.fixture(scope="session", autouse=True)
def _throw_away_signing_key(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    """Tests publish with a key made for this run (production sets NOTICE_SIGNING_KEY_FILE)."""
    from django.test import override_settings

    path = tmp_path_factory.mktemp("signing") / "notice-signing-key.pem"
    with override_settings(
        NOTICE_SIGNING_KEY_FILE=str(path),
        NOTICE_SIGNING_KEY_GENERATE=True,
        NOTICE_SIGNING_RETIRED_KEYS_FILE="",
    ):
        yield path


@pytest.fixture(autouse=True)
def _fresh_public_memos() -> None:
    """Each test starts without the feeds and comparisons an earlier test's process kept.

    A feed is kept by what says which versions it lists (their count, newest id
    and dates), a comparison by its versions' ids and hashes: in production a
    committed version's id is never given again, but a test's rolled-back rows give
    theirs to the next test's (SQLite), and a comparison kept would be served
    without the queries a test counts.
    """
    from notices import history_views

    history_views.FEEDS.clear()
    history_views.COMPARISONS.clear()


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings) -> None:
    """Hashing passwords properly takes a third of a second each; tests need no secrecy."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def make_user(username: str, *, superuser: bool = False) -> User:
    if superuser:
        return User.objects.create_superuser(username, f"{username}@example.com", PASSWORD)
    return User.objects.create_user(username, f"{username}@example.com", PASSWORD, is_staff=True)


def make_controller(name: str, slug: str, business_id: str) -> Controller:
    return Controller.objects.create(
        name=name,
        business_id=business_id,
        slug=slug,
        street_address="Esimerkkikatu 1",
        postal_code="00100",
        city="Helsinki",
        email=f"info@{slug}.example",
    )


@dataclass
class Tenant:
    """A controller with one register that has every kind of part."""

    controller: Controller
    contact: ContactPerson
    register: Register
    group: DataSubjectGroup
    purpose: Purpose
    category: DataCategory
    source: Source
    recipient: Recipient
    processor: Processor
    register_processor: RegisterProcessor
    transfer: Transfer
    retention: RetentionRule
    security: SecurityMeasure
    cookie: Cookie


def make_tenant(name: str, slug: str, business_id: str) -> Tenant:
    controller = make_controller(name, slug, business_id)
    contact = ContactPerson.objects.create(
        controller=controller, name_fi=f"{name} Contact", email=f"contact@{slug}.example"
    )
    register = Register.objects.create(
        controller=controller,
        name_fi=f"{name} asiakasrekisteri",
        name_en=f"{name} customer register",
        slug="customers",
        languages=["fi", "en"],
        contact_person=contact,
        data_origin="subject",  # the editor's answer (no default says where data comes from)
        # The editor's choice too: no register names an authority by default.
        supervisory_authority=SupervisoryAuthority.objects.get(is_default=True),
    )
    group = DataSubjectGroup.objects.create(register=register, name_fi=f"{name} asiakkaat")
    purpose = Purpose.objects.create(register=register, name_fi=f"{name} asiakassuhde")
    purpose.legal_bases.set([LegalBasis.objects.get(code="6-1-b")])
    # After the purposes, as the admin does: the rights listed follow from the bases.
    services.register_add_default_rights(register=register)
    category = DataCategory.objects.create(register=register, name_fi=f"{name} yhteystiedot")
    category.subject_groups.set([group])
    # The notice's own free texts and its history before the service (issue 9).
    CoverageItem.objects.create(
        register=register,
        name_fi=f"{name} laskutus",
        name_sv=f"{name} fakturering",
        name_en=f"{name} billing",
    )
    SectionLead.objects.create(
        register=register,
        section="purposes",
        text_fi=f"{name} johdanto",
        text_sv=f"{name} inledning",
        text_en=f"{name} introduction",
    )
    EarlierChange.objects.create(
        register=register,
        date=date(2019, 1, 1),
        text_fi=f"{name} aiempi muutos",
        text_sv=f"{name} tidigare ändring",
        text_en=f"{name} earlier change",
    )
    # A published version row (not rendered: rendering is tested where it matters).
    snapshot = build_snapshot(register)
    NoticeVersion.objects.create(
        register=register,
        number=1,
        published_at=timezone.now(),
        summary={"fi": f"{name} julkaisu"},
        snapshot=snapshot,
        content_hash=content_hash(snapshot),
    )
    processor = Processor.objects.create(
        controller=controller, name_fi=f"{name} CRM", service_fi="Asiakkuudenhallinta", country="US"
    )
    # An audit log entry, so every tenant admin (the audit log's too) has a row per tenant.
    audit_record(user=None, controller=controller, action=AuditEvent.Action.ADD, obj=register)
    return Tenant(
        controller=controller,
        contact=contact,
        register=register,
        group=group,
        purpose=purpose,
        category=category,
        source=Source.objects.create(register=register, name_fi=f"{name} lähde"),
        recipient=Recipient.objects.create(register=register, name_fi=f"{name} vastaanottaja"),
        processor=processor,
        register_processor=RegisterProcessor.objects.create(
            register=register, processor=processor, processes_fi="Yhteystiedot"
        ),
        transfer=Transfer.objects.create(
            register=register, country="US", processor=processor, safeguard="scc"
        ),
        retention=RetentionRule.objects.create(
            register=register, data_category=category, period=10, period_unit="years"
        ),
        security=SecurityMeasure.objects.create(
            register=register, kind="electronic", description_fi=f"{name} palomuuri"
        ),
        cookie=Cookie.objects.create(
            register=register,
            name=f"{slug}_session",
            provider=name,
            category="necessary",
            duration_fi="istunto",
            consent_required=False,
        ),
    )


@pytest.fixture
def acme(db) -> Tenant:
    return make_tenant("Acme", "acme", "1234567-1")


@pytest.fixture
def beta(db) -> Tenant:
    return make_tenant("Borealis", "borealis", "7654321-2")


@pytest.fixture
def alice(acme: Tenant) -> User:
    """Editor of Acme."""
    user = make_user("alice")
    Membership.objects.create(user=user, controller=acme.controller, role="editor")
    return user


@pytest.fixture
def bob(beta: Tenant) -> User:
    """Publisher of Borealis."""
    user = make_user("bob")
    Membership.objects.create(user=user, controller=beta.controller, role="publisher")
    return user


@pytest.fixture
def charlie(db) -> User:
    """Staff user of no company: must see nothing."""
    return make_user("charlie")


@pytest.fixture
def root(db) -> User:
    return make_user("root", superuser=True)


def login(user: User, language: str = "en") -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    client.force_login(user)
    return client


@pytest.fixture
def alice_client(alice: User) -> Client:
    return login(alice)


@pytest.fixture
def media(settings, tmp_path) -> Path:
    """A fresh MEDIA_ROOT: stored PDFs and logos of one test."""
    root = tmp_path / "media"
    root.mkdir()
    settings.MEDIA_ROOT = root
    return root


@pytest.fixture
def register(acme: Tenant, media: Path) -> Register:
    """Acme's register made complete enough to publish in Finnish and English."""
    from tests.notices_factory import complete_notice

    return complete_notice(acme)


@pytest.fixture
def paula(acme: Tenant) -> User:
    """Publisher of Acme."""
    from tests.notices_factory import make_publisher

    return make_publisher(acme.controller)
