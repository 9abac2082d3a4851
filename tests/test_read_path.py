"""The public read path at the speed of stored bytes, and never stale (issue 13).

Public addresses are answered by ``config.middleware.PublicFastPath`` with one
hand-written query (``notices.public``) and without the middleware they do not
need. What must hold, checked here: a new version or an offline switch shows
from the very next request; conditional requests answer 304; the fast path sends
exactly the headers the whole middleware chain sent; one query per request
whatever the number of versions; and on PostgreSQL each public query uses the
indexes of the big tables.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.contrib.auth.models import User
from django.db import connection, connections
from django.test import Client
from django.test.utils import CaptureQueriesContext

from bench.history import grow_by_copies
from notices import public, public_cache, services
from notices.models import NoticeRendering, NoticeVersion, Purpose, Register
from tests.notices_factory import publish
from tests.test_public_pages import body, in_language, urls

FIRST = datetime(2025, 1, 15, 9, 0, tzinfo=UTC)
SECOND = datetime(2025, 6, 1, 9, 0, tzinfo=UTC)
FAST_PATH = "config.middleware.PublicFastPath"
INDEX = "/{lang}/acme/"


@pytest.fixture
def published(register: Register, paula: User) -> NoticeVersion:
    return publish(register, paula, published_at=FIRST)


def addresses(lang: str = "fi") -> dict[str, str]:
    return {**urls(lang), "index": INDEX.format(lang=lang)}


def add_versions(register: Register, count: int) -> None:
    """``count`` more versions of ``register``, copies of its latest one and its renderings.

    A size for the query counts without rendering dozens of PDFs: the copies are
    new rows (published versions are never edited) that share the stored PDF.
    """
    latest = register.versions.order_by("-number").values_list("number", flat=True).first()
    grow_by_copies(register, latest + count)


def full_chain(settings) -> Client:
    """A client whose requests go through every middleware, as before the fast path."""
    settings.MIDDLEWARE = [name for name in settings.MIDDLEWARE if name != FAST_PATH]
    return Client()


# --- Freshness: the next request sees the database as it is ----------------------------


def test_a_new_version_is_served_from_the_next_request(published: NoticeVersion, paula: User):
    client = Client()
    before = {kind: client.get(address) for kind, address in addresses().items()}
    for kind, response in before.items():
        assert response.status_code == 200, kind
        body(response)
    purpose = Purpose.objects.get(register=published.register)
    purpose.name_fi = "Asiakkuuden hoito"
    purpose.save()
    publish(published.register, paula, summary={"fi": "Uusi.", "en": "New."}, published_at=SECOND)

    page = client.get(addresses()["detail"])
    assert "Asiakkuuden hoito" in page.content.decode()
    assert page["ETag"] != before["detail"]["ETag"]
    pdf = client.get(addresses()["pdf"])
    assert 'filename="acme-customers-v2-fi.pdf"' in pdf["Content-Disposition"]
    body(pdf)
    for kind in ("json", "embed", "versions"):
        response = client.get(addresses()[kind])
        assert response["ETag"] != before[kind]["ETag"], kind
        assert response["Last-Modified"] != before[kind]["Last-Modified"], kind
    # The cached copy of an earlier version's page is out of date too: it has a banner now.
    old = client.get(addresses()["version"], HTTP_IF_NONE_MATCH=before["version"]["ETag"])
    assert old.status_code == 200
    assert in_language("fi", "This is an earlier version of the notice.") in old.content.decode()


def test_an_offline_switch_is_served_from_the_next_request(published: NoticeVersion, paula):
    client = Client()
    register = published.register
    for kind, address in addresses().items():
        assert client.get(address).status_code == 200, kind
    services.register_set_online(register=register, user=paula, online=False)
    for kind, address in addresses().items():
        expected = 404 if kind == "index" else 410  # the index lists online notices only
        assert client.get(address).status_code == expected, kind
    services.register_set_online(register=register, user=paula, online=True)
    for kind, address in addresses().items():
        response = client.get(address)
        assert response.status_code == 200, kind
        body(response)


def test_the_company_index_shows_a_renamed_register_at_once(published: NoticeVersion):
    client = Client()
    assert "Acme asiakasrekisteri" in client.get(INDEX.format(lang="fi")).content.decode()
    register = Register.objects.get(pk=published.register_id)
    register.name_fi = "Uusi nimi"
    register.save()  # as the admin saves it
    page = client.get(INDEX.format(lang="fi")).content.decode()
    assert "Uusi nimi" in page
    assert "Acme asiakasrekisteri" not in page


FEED = "/{lang}/acme/customers/feed.atom"
COMPANY_FEED = "/{lang}/acme/feed.atom"
COMPARE = "/{lang}/acme/customers/compare/1...2/"


def test_feeds_and_the_comparison_follow_the_database_from_the_next_request(
    published: NoticeVersion, paula: User
):
    """Kept per process, yet a publish, a rename or an offline switch shows at once."""
    client = Client()
    feed = client.get(FEED.format(lang="fi"))
    company = client.get(COMPANY_FEED.format(lang="fi"))
    assert feed.content.count(b"<entry>") == company.content.count(b"<entry>") == 1
    assert client.get(COMPARE.format(lang="fi")).status_code == 404
    publish(published.register, paula, summary={"fi": "Uusi.", "en": "New."}, published_at=SECOND)
    for address in (FEED, COMPANY_FEED):
        again = client.get(address.format(lang="fi"))
        assert again.content.count(b"<entry>") == 2, address
        assert b"Uusi." in again.content, address
    assert client.get(COMPARE.format(lang="fi")).status_code == 200
    register = Register.objects.get(pk=published.register_id)
    register.name_fi = "Uusi nimi"
    register.save()
    for address in (FEED, COMPANY_FEED):
        assert "Uusi nimi" in client.get(address.format(lang="fi")).content.decode(), address
    services.register_set_online(register=published.register, user=paula, online=False)
    assert client.get(FEED.format(lang="fi")).status_code == 410
    assert client.get(COMPANY_FEED.format(lang="fi")).status_code == 404  # no online notice
    assert client.get(COMPARE.format(lang="fi")).status_code == 410
    services.register_set_online(register=published.register, user=paula, online=True)
    for address in (FEED, COMPANY_FEED, COMPARE):
        assert client.get(address.format(lang="fi")).status_code == 200, address


def test_feeds_and_the_comparison_are_one_query_once_made(
    published: NoticeVersion, paula: User, django_assert_num_queries
):
    """The first request of a content renders it (its own queries); then none while the
    process keeps the response, and one for a conditional request (never kept)."""
    publish(published.register, paula, summary={"fi": "Uusi.", "en": "New."}, published_at=SECOND)
    client = Client()
    for address, first_time in ((FEED, 2), (COMPANY_FEED, 2), (COMPARE, 3)):
        address = address.format(lang="fi")
        with django_assert_num_queries(first_time):
            made = client.get(address)
        with django_assert_num_queries(0):
            again = client.get(address)
        assert (again.status_code, again.content) == (200, made.content), address
        with django_assert_num_queries(1):
            cached = client.get(address, HTTP_IF_NONE_MATCH=made["ETag"])
        assert cached.status_code == 304, address


# --- Same answers as the whole middleware chain ----------------------------------------


def headers_of(client: Client, address: str, **extra) -> tuple[int, dict[str, object], bytes]:
    """Status, headers and body; the policy's directives as a set (their order means nothing)."""
    response = client.get(address, **extra)
    headers: dict[str, object] = dict(response.headers)
    if "Content-Security-Policy" in headers:
        policy = response["Content-Security-Policy"]
        headers["Content-Security-Policy"] = {part.strip() for part in policy.split(";")}
    return response.status_code, headers, body(response)


@pytest.mark.parametrize("hsts", [False, True], ids=["plain", "https-hsts"])
def test_the_fast_path_sends_exactly_the_headers_of_the_whole_chain(
    published: NoticeVersion, settings, hsts: bool
):
    settings.SECURE_HSTS_SECONDS = 3600 if hsts else 0
    published.register.controller.embed_origins = "https://www.acme.example"
    published.register.controller.save()
    fast = Client()
    requests = []
    for lang in ("fi", "en"):
        for address in addresses(lang).values():
            requests.append((address, {"secure": hsts}))
            etag = fast.get(address)["ETag"]
            requests.append((address, {"secure": hsts, "HTTP_IF_NONE_MATCH": etag}))
    answers = [headers_of(fast, address, **extra) for address, extra in requests]
    assert not hasattr(fast.get(addresses()["detail"]).wsgi_request, "session")

    whole = full_chain(settings)
    assert hasattr(whole.get(addresses()["detail"]).wsgi_request, "session")
    for (address, extra), answer in zip(requests, answers, strict=True):
        assert answer[0] in (200, 304), address
        expected = headers_of(whole, address, **extra)
        differing = {
            name: (expected[1].get(name), answer[1].get(name))
            for name in expected[1].keys() | answer[1].keys()
            if expected[1].get(name) != answer[1].get(name)
        }
        assert differing == {}, (address, extra)
        assert expected == answer, (address, extra)
    if hsts:
        assert all("Strict-Transport-Security" in headers for _s, headers, _b in answers)


def test_errors_and_redirects_still_go_through_the_whole_chain(published: NoticeVersion):
    client = Client()
    for address, status in (
        ("/fi/acme/customers/versions/01/", 301),
        ("/fi/acme/no-such-register/", 404),
        ("/fi/acme/customers/versions/9/pdf/", 404),
        ("/fi/acme/customers/?q=%00", 400),
    ):
        response = client.get(address)
        assert response.status_code == status, address
        assert hasattr(response.wsgi_request, "session"), address
        assert "Content-Security-Policy" in response, address
    response = client.post(addresses()["detail"])
    assert response.status_code == 405
    assert "Content-Security-Policy" in response
    assert Client(HTTP_HOST="evil.example").get(addresses()["detail"]).status_code == 400


def test_conditional_requests_answer_304_with_one_query(
    published: NoticeVersion, django_assert_num_queries
):
    client = Client()
    for kind, address in addresses().items():
        first = client.get(address)
        body(first)
        with django_assert_num_queries(1):
            again = client.get(address, HTTP_IF_NONE_MATCH=first["ETag"])
        assert again.status_code == 304, kind
        assert again["ETag"] == first["ETag"], kind
        assert again["Cache-Control"] == first["Cache-Control"], kind
        assert "frame-ancestors" in again["Content-Security-Policy"], kind
        if kind == "index":
            continue  # the index has no date of its own, only its ETag
        with django_assert_num_queries(1):
            since = client.get(address, HTTP_IF_MODIFIED_SINCE=first["Last-Modified"])
        assert since.status_code == 304, kind


# --- A fixed number of queries, whatever the number of versions ------------------------


def test_one_query_per_public_request_with_one_version_or_thirty(
    published: NoticeVersion, django_assert_num_queries
):
    client = Client()
    sizes = {}
    for size, versions in (("one", 1), ("thirty", 30)):
        if versions > 1:
            add_versions(published.register, versions - 1)
        assert published.register.versions.count() == versions
        for kind, address in addresses().items():
            with django_assert_num_queries(1):
                response = client.get(address)
                content = body(response)
            assert response.status_code == 200, (size, kind)
            sizes[size, kind] = len(content)
    # The thirty-version register answers from its latest version: version 1 has a banner.
    banner = in_language("fi", "This is an earlier version of the notice.")
    assert banner in client.get(addresses()["version"]).content.decode()
    assert client.get(addresses()["json"]).json()["version"] == 1  # copies keep the JSON


# --- Indexes on PostgreSQL ---------------------------------------------------------------

BIG_TABLES = (
    NoticeVersion._meta.db_table,
    NoticeRendering._meta.db_table,
    Register._meta.db_table,
    public.CONTROLLERS,
)


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="EXPLAIN plans are PostgreSQL's; CI runs this suite on PostgreSQL as well",
)
def test_every_public_query_reads_the_big_tables_by_index(published: NoticeVersion):
    """With sequential scans priced out, each plan still reaches every table by an index.

    ``enable_seqscan = off`` makes PostgreSQL choose any index that can serve a
    scan, so a ``Seq Scan`` left in the plan means no index fits the query: at a
    thousand companies and nine thousand versions that query would read a whole table.
    """
    add_versions(published.register, 5)
    queries = {
        f"{body_column} {'earlier' if earlier else 'current'}": (
            public._rendering_sql(connection.vendor, earlier, body_column),
            public.rendering_params("fi", "acme", "customers", 1 if earlier else None),
        )
        for body_column in public.BODIES
        for earlier in (False, True)
    }
    for form in public.CHANGELOG_BODIES:
        queries[f"change log {form}"] = (
            public.changelog_sql(form),
            public.rendering_params("fi", "acme", "customers", None),
        )
    queries["company index"] = (public.company_index_sql(), {"controller": "acme"})
    where = {"lang": "fi", "controller": "acme", "register": "customers"}
    queries["comparison"] = (public.pair_sql(), where | {"old": 1, "new": 2})
    for company in (False, True):
        queries[f"feed company={company}"] = (
            public.feed_signature_sql(connection.vendor, company),
            where,
        )
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        for name, (sql, params) in queries.items():
            cursor.execute(f"EXPLAIN {sql}", params)
            plan = "\n".join(row[0] for row in cursor.fetchall())
            assert "Index" in plan, f"{name}:\n{plan}"
            for table in BIG_TABLES:
                assert f"Seq Scan on {table}" not in plan, f"{name}:\n{plan}"
            cursor.execute(sql, params)
            assert cursor.fetchall(), name


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="the health check is a query only on PostgreSQL; CI runs this suite on it as well",
)
# serialized_rollback as every transactional test here: the flush after it must not let
# post_migrate recreate the content types with new ids under the other tests.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_kept_connection_the_server_closed_is_replaced_without_an_error(
    published: NoticeVersion,
):
    """The public lookup is its own health check: no SELECT 1 before it, no 503 after it.

    Between two requests the server ends the connection the worker keeps
    (``CONN_MAX_AGE``); the next request's lookup fails on it, finds it unusable,
    and runs again on a new connection, as the health check would have made it.
    """
    client = Client()
    assert client.get(addresses()["detail"]).status_code == 200
    backend = connection.connection.info.backend_pid
    other = connections.create_connection("default")
    try:
        with other.cursor() as cursor:
            cursor.execute("SELECT pg_terminate_backend(%s)", [backend])
    finally:
        other.close()
    # What each request starts with on a kept connection (request_started; the test
    # client leaves that signal out): its health is to be checked again.
    connection.health_check_done = False
    public_cache.RESPONSES.clear()  # a request the process has not kept the answer to
    with CaptureQueriesContext(connection) as queries:
        response = client.get(addresses()["detail"])
    assert response.status_code == 200
    body(response)
    assert connection.connection.info.backend_pid != backend
    # The lookup that failed, and the same on the new connection (logged bound on the server).
    logged = [query["sql"] for query in queries]
    assert len(logged) == 2 and logged[0] == logged[1], logged
    assert logged[0].startswith("SELECT r.language, r.html_hash"), logged
