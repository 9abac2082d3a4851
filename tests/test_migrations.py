"""Migrations match the models, are all applied, build the schema from an empty
database, and the data migrations write the shared catalogues.

The catalogue tests read what the migrations themselves wrote, through the models
as they were at that migration: conftest's autouse fixture refills the catalogues
before every database test, so the rows a test finds at the start prove nothing.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from django.apps import apps as django_apps
from django.apps.registry import Apps
from django.conf import settings
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import translation

from controllers.models import Controller
from notices.models import LegalBasis, Register, Right, SupervisoryAuthority

# Our apps, in dependency order: notices depends on controllers.
PROJECT_APPS = ["controllers", "notices"]

CATALOGUES = ("notices", "0002_catalogues")
BEFORE_SWEDISH = ("notices", "0004_swedish_and_languages")
SWEDISH = ("notices", "0005_swedish_catalogues")

# GDPR Art. 6(1)(a)-(f) and Art. 9(2)(a)-(j).
LEGAL_BASIS_CODES = [f"6-1-{letter}" for letter in "abcdef"] + [
    f"9-2-{letter}" for letter in "abcdefghij"
]
RIGHT_CODES = [code for code, _label in Right.Code.choices]
AUTHORITY_EMAIL = "tietosuoja@om.fi"


def test_every_model_change_has_a_migration(db):
    out = io.StringIO()
    try:
        call_command("makemigrations", "--check", "--dry-run", stdout=out, stderr=out)
    except SystemExit:
        pytest.fail(f"Models have changes without a migration:\n{out.getvalue()}")


@pytest.mark.parametrize("language", [code for code, _name in settings.LANGUAGES])
def test_validating_a_processor_leaves_its_constraints_as_migrated(acme, language):
    # modeltranslation rewrites a filter's Q in place by the active language, and
    # validating a conditional unique constraint filters by the constraint's own
    # condition: a condition written as Q(name="") became Q(name_<language>="").
    from notices.models import Processor

    before = [repr(c) for c in Processor._meta.constraints]
    with translation.override(language):
        Processor(controller=acme.controller, name="Mailer Oy").validate_constraints()
        Processor(controller=acme.controller, name="").validate_constraints()

    assert [repr(c) for c in Processor._meta.constraints] == before
    test_every_model_change_has_a_migration(None)


def test_every_migration_is_applied_and_none_conflict(db):
    executor = MigrationExecutor(connection)

    assert executor.loader.detect_conflicts() == {}
    assert executor.migration_plan(executor.loader.graph.leaf_nodes()) == []


# serialized_rollback: the flush after a transactional test must not let post_migrate
# recreate content types with new ids, or the next serialized_rollback test collides with them.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_migrations_build_the_schema_from_empty():
    try:
        for app_label in reversed(PROJECT_APPS):
            call_command("migrate", app_label, "zero", verbosity=0)
        tables = connection.introspection.table_names()
        assert Controller._meta.db_table not in tables
        assert Register._meta.db_table not in tables

        call_command("migrate", verbosity=0)
        tables = connection.introspection.table_names()
        assert Controller._meta.db_table in tables
        assert Register._meta.db_table in tables
        # The tables were dropped: these rows are what the data migrations wrote.
        assert_catalogues_as_migrated(django_apps)
    finally:
        # Later tests share this database: leave it fully migrated whatever happened.
        call_command("migrate", verbosity=0)


def apps_at(migration: tuple[str, str]) -> Apps:
    """The models as they were after ``migration``: a database migrated back to it has
    none of the tables added since (a later many-to-many to a catalogue, say)."""
    return MigrationExecutor(connection).loader.project_state(migration).apps


def without_catalogues(apps: Apps) -> None:
    for model in ("LegalBasis", "Right", "SupervisoryAuthority"):
        apps.get_model("notices", model).objects.all().delete()


def run_again(migration: tuple[str, str]) -> Apps:
    """Run an applied migration's operations again, as ``migrate`` runs them.

    Its RunPython gets the models as they were before it, and the models after it
    are returned. The tables are today's; later migrations only added nullable
    columns (0004's Swedish ones) to the catalogue tables. Unlike migrating back
    (tens of seconds of table rebuilds on SQLite), nothing is recorded or rebuilt.
    """
    loader = MigrationExecutor(connection).loader
    state = loader.project_state(migration, at_end=False)
    with connection.schema_editor() as editor:
        return loader.get_migration(*migration).apply(state, editor).apps


def assert_catalogues_as_migrated(apps: Apps) -> None:
    """Every legal basis and right, in Finnish, Swedish and English; the authority right."""
    bases = apps.get_model("notices", "LegalBasis").objects.all()
    assert sorted(basis.code for basis in bases) == LEGAL_BASIS_CODES
    rights = apps.get_model("notices", "Right").objects.all()
    assert sorted(right.code for right in rights) == sorted(RIGHT_CODES)
    for basis in bases:
        assert basis.kind == ("art6" if basis.code.startswith("6-") else "art9")
        assert basis.name_fi and basis.name_en and basis.description_fi and basis.description_en
    for right in rights:
        assert right.name_fi and right.name_en and right.default_text_fi and right.default_text_en
    assert_in_swedish(apps)
    authority = apps.get_model("notices", "SupervisoryAuthority").objects.get()
    assert authority.is_default
    assert_authority_as_published(authority)


def assert_in_swedish(apps: Apps) -> None:
    """Every legal basis and right has Swedish texts of its own (not a copy of another)."""
    for basis in apps.get_model("notices", "LegalBasis").objects.all():
        assert basis.name_sv and basis.description_sv, basis.code
        assert basis.name_sv not in (basis.name_fi, basis.name_en), basis.code
        assert basis.description_sv not in (basis.description_fi, basis.description_en)
    for right in apps.get_model("notices", "Right").objects.all():
        assert right.name_sv and right.default_text_sv, right.code
        assert right.name_sv not in (right.name_fi, right.name_en), right.code
        assert right.default_text_sv not in (right.default_text_fi, right.default_text_en)


def assert_authority_as_published(authority) -> None:
    """The contact details the Office of the Data Protection Ombudsman publishes."""
    assert authority.name_fi == "Tietosuojavaltuutetun toimisto"
    assert authority.name_sv == "Dataombudsmannens byrå"
    assert authority.name_en == "Office of the Data Protection Ombudsman"
    assert authority.street_address_fi == "PL 800, 00531 Helsinki"
    # The untranslated column holds the default language's text. On the live model
    # modeltranslation reads that attribute in the active language, which an earlier
    # test in the same worker may have left as any language.
    with translation.override(settings.LANGUAGE_CODE):
        assert authority.street_address == authority.street_address_fi
    assert authority.street_address_sv == "PB 800, 00531 Helsingfors"
    assert "800, 00531 Helsinki" in authority.street_address_en
    assert authority.phone == "029 566 6700"
    assert authority.email == AUTHORITY_EMAIL


# Transactional, like the test above: a schema editor cannot run inside the test's
# transaction on SQLite.
catalogue_test = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@catalogue_test
def test_catalogue_migration_fills_legal_bases():
    without_catalogues(django_apps)

    apps = run_again(CATALOGUES)

    bases = apps.get_model("notices", "LegalBasis").objects.all()
    assert sorted(basis.code for basis in bases) == LEGAL_BASIS_CODES
    for basis in bases:
        assert basis.kind == ("art6" if basis.code.startswith("6-") else "art9")
        assert basis.name_fi and basis.name_en and basis.name == basis.name_fi
        assert basis.description_fi and basis.description_en
    rights = apps.get_model("notices", "Right").objects.all()
    assert sorted(right.code for right in rights) == sorted(RIGHT_CODES)
    assert all(right.default_text_fi and right.default_text_en for right in rights)
    authorities = apps.get_model("notices", "SupervisoryAuthority").objects.all()
    assert [(a.email, a.is_default) for a in authorities] == [(AUTHORITY_EMAIL, True)]


@catalogue_test
def test_swedish_catalogue_migration_translates_and_corrects_what_0002_wrote():
    """A database in production: 0002's rows, one of them edited since."""
    try:
        call_command("migrate", *BEFORE_SWEDISH, verbosity=0)
        without_catalogues(apps_at(BEFORE_SWEDISH))
        before = run_again(CATALOGUES)
        office = before.get_model("notices", "SupervisoryAuthority").objects.get()
        assert "00521" in office.street_address_fi  # what 0002 wrote and 0005 corrects
        edited = before.get_model("notices", "LegalBasis").objects.filter(code="6-1-a")
        edited.update(name_fi="Suostumus (oma teksti)")

        call_command("migrate", *SWEDISH, verbosity=0)
    finally:
        call_command("migrate", verbosity=0)

    assert_catalogues_as_migrated(django_apps)
    bases = LegalBasis.objects
    assert bases.get(code="6-1-f").name_sv == "Berättigat intresse"
    assert bases.get(code="6-1-a").name_fi == "Suostumus (oma teksti)"
    assert bases.get(code="6-1-a").name_en == "Consent"
    assert SupervisoryAuthority.objects.get().pk == office.pk


@catalogue_test
def test_swedish_catalogue_migration_creates_missing_rows():
    """A database whose catalogues are gone (or never came): 0005 alone fills them."""
    try:
        call_command("migrate", *BEFORE_SWEDISH, verbosity=0)
        without_catalogues(apps_at(BEFORE_SWEDISH))

        call_command("migrate", *SWEDISH, verbosity=0)
    finally:
        call_command("migrate", verbosity=0)

    assert_catalogues_as_migrated(django_apps)


BEFORE_COUNTRY_CODE = ("controllers", "0006_admin_list_indexes")


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_controllers_country_text_becomes_a_code_and_an_unreadable_one_is_reported():
    try:
        call_command("migrate", *BEFORE_COUNTRY_CODE, verbosity=0)
        old = MigrationExecutor(connection).loader.project_state(BEFORE_COUNTRY_CODE).apps
        Controller_then = old.get_model("controllers", "Controller")
        for slug, business_id, texts in (
            ("suomi", "1234567-1", {"fi": "Suomi", "sv": "Finland", "en": "Finland"}),
            ("sverige", "7654321-2", {"fi": "Ruotsi", "sv": "Sverige", "en": "Sweden"}),
            ("kaukana", "1572860-0", {"fi": "Kaukomaa", "en": "Faraway"}),
        ):
            Controller_then.objects.create(
                name=slug,
                slug=slug,
                business_id=business_id,
                email=f"info@{slug}.example",
                country=texts["fi"],
                **{f"country_{code}": text for code, text in texts.items()},
            )
        call_command("migrate", verbosity=0)
        codes = dict(Controller.objects.values_list("slug", "country"))
        assert codes == {"suomi": "FI", "sverige": "SE", "kaukana": ""}
        from controllers.models import AuditEvent

        event = AuditEvent.objects.get(controller__slug="kaukana")
        assert "Kaukomaa" in event.details and "Faraway" in event.details
    finally:
        call_command("migrate", verbosity=0)


@contextmanager
def between_migrations(before: tuple[str, str], after: tuple[str, str]) -> Iterator[Apps]:
    """The schema at ``before`` (its models, to write old rows), then migrated to ``after``.

    Whatever happens, the database ends fully migrated again, as the next test expects.
    """
    try:
        MigrationExecutor(connection).migrate([before])
        yield MigrationExecutor(connection).loader.project_state(before).apps
        MigrationExecutor(connection).migrate([after])
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())
