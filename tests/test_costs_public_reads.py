"""A public request costs the same whatever the length of its register's history.

The current addresses find the latest version by reading the (register, number)
index backwards from its end, so one public request reads one version and its
rendering, not every version the register ever published. On PostgreSQL the plan
says so (EXPLAIN ANALYZE: no sequential scan or sort over the versions, a row or
two read from each table); on SQLite the work the query engine does (its virtual
machine's instructions) stays the same when the history grows thirtyfold.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from notices.models import NoticeRendering, NoticeVersion, Register, RegisterChangelog
from tests.notices_factory import publish

pytestmark = pytest.mark.usefixtures("blank_pdfs")  # no PDF is read here (tests/conftest.py)

HISTORY = 60
ROOT = "/fi/acme/customers/"
CURRENT = {
    "detail": ROOT,
    "pdf": f"{ROOT}pdf/",
    "json": f"{ROOT}notice.json",
    "embed": f"{ROOT}embed/",
    "versions": f"{ROOT}versions/",
    "changes_json": f"{ROOT}changes.json",
}
# The change log is read from the register's RegisterChangelog row, by its unique
# (register, language) index.
HISTORY_TABLES = {
    model._meta.db_table for model in (NoticeVersion, NoticeRendering, RegisterChangelog)
}


def grow_history(first: NoticeVersion, to: int) -> None:
    """Versions 2..``to`` as copies of ``first`` (no rendering: the rows are what counts).

    Each copy's page names its number, so a test can tell which version it was served.
    """
    renderings = list(first.renderings.all())
    for number in range(first.number + 1, to + 1):
        version = NoticeVersion.objects.get(pk=first.pk)
        version.pk = None
        version.number = number
        # Dated in the past: a version dated after now would not be in force yet.
        version.published_at = first.published_at - timedelta(days=to - number + 1)
        version.save()
        copies = []
        for rendering in renderings:
            rendering.pk = None
            rendering.version = version
            rendering.html = rendering.html.replace("</body>", f"<!-- copy {number} --></body>")
            copies.append(rendering)
        NoticeRendering.objects.bulk_create(copies)
        for rendering in renderings:
            rendering.html = rendering.html.replace(f"<!-- copy {number} -->", "")


def served(client: Client, address: str) -> tuple[bytes, list[dict[str, Any]]]:
    """The response's body and its queries, each with its SQL as run, parameters bound.

    The captured SQL alone is not enough on PostgreSQL: the public lookup binds its
    parameters on the server, so the text logged holds ``$1``… placeholders.
    """
    bound: list[str] = []

    def record(execute, sql, params, many, context):  # type: ignore[no-untyped-def]
        postgresql = connection.vendor == "postgresql"
        bound.append(connection.ops.compose_sql(sql, params) if postgresql and params else sql)
        return execute(sql, params, many, context)

    with CaptureQueriesContext(connection) as captured, connection.execute_wrapper(record):
        response = client.get(address)
        content = b"".join(response.streaming_content) if response.streaming else response.content
    assert response.status_code == 200, address
    assert len(bound) == len(captured.captured_queries)
    return content, [
        {**query, "sql": sql} for query, sql in zip(captured.captured_queries, bound, strict=True)
    ]


def plan_nodes(plan: dict[str, Any]) -> Iterator[dict[str, Any]]:
    yield plan
    for child in plan.get("Plans", []):
        yield from plan_nodes(child)


def read(node: dict[str, Any]) -> int:
    """The rows a plan node produced and threw away, over all its loops."""
    return node["Actual Rows"] * node["Actual Loops"] + node.get("Rows Removed by Filter", 0)


def postgresql_plan(sql: str) -> list[dict[str, Any]]:
    with connection.cursor() as cursor:
        # Fresh statistics, as autovacuum would keep them (see the README's operator part).
        cursor.execute(f"ANALYZE {', '.join(sorted(HISTORY_TABLES))}")
        # A test's tables fit in a page or two, where reading them whole is cheaper
        # than an index and the planner rightly does so. With that choice taken away,
        # what is left shows whether the query can be answered without the history.
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute(f"EXPLAIN (ANALYZE, FORMAT JSON) {sql}")
        (explained,) = cursor.fetchone()
        cursor.execute("RESET enable_seqscan")
    if isinstance(explained, str):
        explained = json.loads(explained)
    return list(plan_nodes(explained[0]["Plan"]))


def sqlite_instructions(client: Client, address: str) -> int:
    """How many virtual machine instructions SQLite ran to answer ``address``."""
    counted = [0]

    def count() -> int:
        counted[0] += 1
        return 0  # go on

    connection.ensure_connection()
    connection.connection.set_progress_handler(count, 1)
    try:
        served(client, address)
    finally:
        connection.connection.set_progress_handler(None, 1)
    return counted[0]


def test_current_version_is_found_without_reading_the_history(register: Register, paula: User):
    first = publish(register, paula)
    client = Client()
    if connection.vendor == "sqlite":
        short = {name: sqlite_instructions(client, address) for name, address in CURRENT.items()}
    grow_history(first, HISTORY)

    for name, address in CURRENT.items():
        content, queries = served(client, address)
        assert len(queries) == 1, (name, queries)
        if name == "detail":
            assert f"<!-- copy {HISTORY} -->".encode() in content
        if connection.vendor == "postgresql":
            nodes = postgresql_plan(queries[0]["sql"])
            on_history = [node for node in nodes if node.get("Relation Name") in HISTORY_TABLES]
            assert on_history, nodes
            for node in on_history:
                assert node["Node Type"] != "Seq Scan", (name, node)
                assert read(node) <= 2, (name, node)
            for node in nodes:
                if "Sort" in node["Node Type"]:
                    assert read(node) <= 1, (name, node)  # the one row found, if any
        else:
            assert sqlite_instructions(client, address) <= short[name] * 1.1, name
