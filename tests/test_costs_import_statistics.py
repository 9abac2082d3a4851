"""A restored company is served fast at once: the import gathers PostgreSQL's statistics.

Bulk-loaded tables have no statistics until autovacuum gets to them, and until
then the planner guesses (the company index scanned every version: 2.5 ms a
request instead of 0.05 ms). The import runs ANALYZE on the tables it filled,
inside its transaction; SQLite needs nothing and gets nothing.
"""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.test.utils import CaptureQueriesContext

from controllers.models import Controller
from notices import backup
from notices.backup import controller_import
from notices.models import NoticeRendering, NoticeVersion, Register
from tests.notices_factory import publish

pytestmark = pytest.mark.usefixtures("blank_pdfs")  # no PDF is read here (tests/conftest.py)

FILLED = {model._meta.db_table for model in (Controller, Register, NoticeVersion, NoticeRendering)}


def analyzed(queries: list[dict[str, str]]) -> set[str]:
    """The tables named by the ANALYZE statements among ``queries``."""
    tables: set[str] = set()
    for query in queries:
        if query["sql"].upper().startswith("ANALYZE"):
            tables.update(name.strip(' "') for name in query["sql"][len("ANALYZE") :].split(","))
    return tables


def statistics(table: str) -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_stats WHERE tablename = %s", [table])
        return cursor.fetchone()[0]


def test_import_gathers_statistics_on_the_tables_it_filled(register: Register, paula: User):
    publish(register, paula)
    data = backup.controller_export(controller=register.controller)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            # As after a restore into a fresh database (the test runs as a superuser).
            for table in FILLED:
                cursor.execute("DELETE FROM pg_statistic WHERE starelid = %s::regclass", [table])
        assert {table: statistics(table) for table in FILLED} == dict.fromkeys(FILLED, 0)

    with CaptureQueriesContext(connection) as captured:
        controller_import(data=data, replace=True)

    if connection.vendor == "postgresql":
        assert analyzed(captured.captured_queries) >= FILLED
        assert all(statistics(table) for table in FILLED), FILLED
    else:
        assert analyzed(captured.captured_queries) == set()
