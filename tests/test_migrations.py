"""Migrations match the models, are all applied, and build the schema from an empty database."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from controllers.models import Controller
from notices.models import LegalBasis, Register

# Our apps, in dependency order: notices depends on controllers.
PROJECT_APPS = ["controllers", "notices"]


def test_every_model_change_has_a_migration(db):
    out = io.StringIO()
    try:
        call_command("makemigrations", "--check", "--dry-run", stdout=out, stderr=out)
    except SystemExit:
        pytest.fail(f"Models have changes without a migration:\n{out.getvalue()}")


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
        assert LegalBasis.objects.exists()
    finally:
        # Later tests share this database: leave it fully migrated whatever happened.
        call_command("migrate", verbosity=0)
