"""Faults: the PDF renderer failing or hanging, the database going away, concurrent users.

What must hold whatever breaks:

* A publish whose PDF cannot be rendered (the renderer raises, crashes or hangs
  past the time limit) is refused with a clear message; no version, rendering or
  file of it is left, no renderer process outlives it, and the previous version
  keeps being served byte for byte.
* A public request during a database outage answers 503 with a short translated
  page and Retry-After, never a stack trace, and the next request after the
  database is back is served normally.
* Two publishers publishing the same register through the admin at the same time
  get consecutive versions (or one is told to try again), each with its own summary.
* A visitor reading the notice while a publisher edits the draft sees the
  published version, byte for byte.

Two publishers through the service, on both databases, are tested in
test_publishing.py (test_version_numbers_unique_under_concurrent_publishing).
"""

from __future__ import annotations

import multiprocessing
import os
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path

import psycopg
import pytest
from django.contrib.auth.models import User
from django.core.handlers.wsgi import WSGIHandler
from django.db import connection, connections
from django.test import Client
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape

from notices import pdf, rendering, services
from notices.models import NoticeRendering, NoticeVersion, Register
from notices.public_cache import RESPONSES
from tests.conftest import Tenant, login, make_user
from tests.notices_factory import files_under, publish, without_weasyprint
from tests.test_isolation import form_data
from tests.test_publishing import body

PUBLIC_SUFFIXES = [
    "",
    "pdf/",
    "notice.json",
    "embed/",
    "versions/",
    "versions/1/",
    "versions/1/pdf/",
]
REFUSED_RENDER = (
    "The PDF could not be rendered, so nothing was published and the previous version "
    "stays online. Please try again; if it fails again, shorten very long texts."
)
UNAVAILABLE = {
    "fi": "Palvelu on tilapäisesti poissa käytöstä",
    "en": "Service temporarily unavailable",
}


def public_urls(register: Register) -> list[str]:
    base = f"/{{lang}}/{register.controller.slug}/{register.slug}/"
    return [base.format(lang=lang) + suffix for lang in ("fi", "en") for suffix in PUBLIC_SUFFIXES]


def served(register: Register) -> dict[str, tuple[int, bytes, str | None]]:
    """Status, body and ETag of every public address of the register."""
    client = Client()
    found = {}
    for address in public_urls(register):
        response = client.get(address)
        found[address] = (response.status_code, body(response), response.get("ETag"))
    return found


def child_processes() -> list[int]:
    """Processes this test process has started and not yet reaped (Linux /proc)."""
    pids = []
    for task in Path(f"/proc/{os.getpid()}/task").iterdir():
        children = (task / "children").read_text().split()
        pids += [int(pid) for pid in children]
    return pids


# --- The PDF renderer fails or hangs while publishing -----------------------------------


def hang(html: str, **options) -> bytes:
    time.sleep(3600)
    raise AssertionError("not reached: the renderer is killed at its time limit")


def crash(html: str, **options) -> bytes:
    os._exit(70)


def fail(html: str, **options) -> bytes:
    raise RuntimeError("simulated WeasyPrint failure")


@pytest.mark.parametrize("fault", [hang, crash, fail], ids=["hang", "crash", "error"])
def test_pdf_fault_during_publish_is_refused_and_the_previous_version_stays(
    fault: Callable, register: Register, paula: User, media: Path, monkeypatch, settings
):
    """The English PDF fails in its renderer while the Finnish one renders beside it."""
    publish(register, paula)
    before = served(register)
    files_before = files_under(media)
    assert all(status == 200 for status, _body, _etag in before.values())

    pdf._warm_up()  # the warm-up renders in this process: it must not meet the fault
    real_render = pdf.render_pdf_in_process

    def faulty(html: str, **options) -> bytes:
        # Runs in the renderer's child process, which inherits this patch.
        if '<html lang="en"' in html:
            return fault(html, **options)
        return real_render(html, **options)

    monkeypatch.setattr(pdf, "render_pdf_in_process", faulty)
    real_start_pdfs = rendering.start_pdfs
    limit = 1.0

    def with_limit(jobs: list[pdf.PdfJob]) -> pdf.PdfBatch:
        # A short limit for the failing English render only: the test is about
        # the English child, and a hang is found out after a second.
        return real_start_pdfs(
            [replace(job, timeout=limit) if '<html lang="en"' in job.html else job for job in jobs]
        )

    monkeypatch.setattr(rendering, "start_pdfs", with_limit)
    Register.objects.filter(pk=register.pk).update(name_en="Renamed customer register")

    client = login(paula, "fi")
    client.raise_request_exception = False
    started = time.monotonic()
    response = client.post(
        reverse("admin:notices_register_publish", args=[register.pk]),
        {"summary_fi": "Toinen versio.", "summary_en": "Second version."},
    )
    elapsed = time.monotonic() - started

    # Refused on the page, in the publisher's language, not a server error.
    assert response.status_code == 200, response.status_code
    html = response.content.decode()
    with translation.override("fi"):
        message = translation.gettext(REFUSED_RENDER)
    assert message != REFUSED_RENDER
    assert escape(message) in html
    if fault is hang:
        assert limit <= elapsed < limit + 30, elapsed

    # Nothing of version 2 exists; version 1 is served exactly as before.
    assert list(NoticeVersion.objects.values_list("number", flat=True)) == [1]
    assert NoticeRendering.objects.count() == 2
    assert files_under(media) == files_before
    assert served(register) == before
    # The renderer child was stopped and reaped: no process is left behind.
    assert multiprocessing.active_children() == []
    assert child_processes() == []

    # Once the renderer works again, publishing does too.
    monkeypatch.setattr(pdf, "render_pdf_in_process", real_render)
    monkeypatch.setattr(rendering, "start_pdfs", real_start_pdfs)
    response = client.post(
        reverse("admin:notices_register_publish", args=[register.pk]),
        {"summary_fi": "Toinen versio.", "summary_en": "Second version."},
    )
    assert response.status_code == 302
    assert list(NoticeVersion.objects.order_by("number").values_list("number", flat=True)) == [
        1,
        2,
    ]
    assert "Renamed customer register" in Client().get("/en/acme/customers/").content.decode()


def test_one_language_failing_stops_the_others_at_once_and_stores_nothing(
    register: Register, paula: User, media: Path, tmp_path: Path, monkeypatch, settings
):
    """The languages render in parallel: the English child fails while the Finnish
    one is still rendering (here, forever). The publish is refused at once, not at
    the Finnish child's time limit, and no child and no file of it is left."""
    publish(register, paula)
    before = served(register)
    files_before = files_under(media)
    settings.PDF_RENDER_TIMEOUT = 60
    finnish_started = tmp_path / "finnish-renderer-started"
    pdf._warm_up()

    def finnish_hangs_english_fails(html: str, **options) -> bytes:
        if '<html lang="en"' in html:
            while not finnish_started.exists():  # fail only once the Finnish child runs
                time.sleep(0.01)
            raise RuntimeError("simulated WeasyPrint failure")
        finnish_started.touch()
        time.sleep(3600)
        raise AssertionError("not reached: the Finnish child is killed")

    monkeypatch.setattr(pdf, "render_pdf_in_process", finnish_hangs_english_fails)
    Register.objects.filter(pk=register.pk).update(name_en="Renamed customer register")
    started = time.monotonic()
    with pytest.raises(services.PublishRefused, match="could not be rendered"):
        publish(register, paula, summary={"fi": "Toinen.", "en": "Second."})
    elapsed = time.monotonic() - started

    assert elapsed < 30, elapsed  # well before the Finnish child's 60 s limit
    assert multiprocessing.active_children() == []
    assert child_processes() == []
    assert list(NoticeVersion.objects.values_list("number", flat=True)) == [1]
    assert NoticeRendering.objects.count() == 2
    assert files_under(media) == files_before
    assert served(register) == before


# --- The database goes away during a public request --------------------------------------


@pytest.fixture
def quick_pdf(monkeypatch) -> None:
    """Publishing without WeasyPrint, where the PDF's content does not matter."""
    without_weasyprint(monkeypatch)


def assert_unavailable_page(response, language: str) -> None:
    assert response.status_code == 503, response.status_code
    assert response["Retry-After"] == "30"
    assert response["Cache-Control"] == "no-store"
    assert response["Content-Type"] == "text/html; charset=utf-8"
    html = response.content.decode()
    assert f'<html lang="{language}"' in html
    assert UNAVAILABLE[language] in html
    for leak in ("Traceback", "OperationalError", "InterfaceError", "psycopg", "sqlite"):
        assert leak not in html


class _FailingCursor:
    """A DB-API cursor whose next execute fails as the driver fails when the server is gone."""

    def __init__(self, cursor, fault: dict) -> None:
        self._cursor = cursor
        self._fault = fault

    def execute(self, *args, **kwargs):
        if self._fault["left"] > 0:
            self._fault["left"] -= 1
            raise self._fault["error"]
        return self._cursor.execute(*args, **kwargs)

    def __enter__(self):
        return self

    def __exit__(self, *exc_info) -> None:
        self._cursor.close()

    def __iter__(self):
        return iter(self._cursor)

    def __getattr__(self, name: str):
        return getattr(self._cursor, name)


class _FailingConnection:
    def __init__(self, raw, fault: dict) -> None:
        self._raw = raw
        self._fault = fault

    def cursor(self, *args, **kwargs):
        return _FailingCursor(self._raw.cursor(*args, **kwargs), self._fault)

    def __getattr__(self, name: str):
        return getattr(self._raw, name)


def forget_kept_answers() -> None:
    """The process has not kept the public answers (``notices.public_cache``): as on the
    first request for an address, or the first after a change, which the database answers.

    While the database is away, an answer a process kept is given again without it, for
    at most ``PUBLIC_CACHE_SECONDS``.
    """
    RESPONSES.clear()


@contextmanager
def driver_fails(kind: str) -> Iterator[dict]:
    """The database driver raises its own ``kind`` error on the next query of this thread.

    Django turns it into django.db.OperationalError or InterfaceError the way it
    does for a real broken connection.
    """
    connection.ensure_connection()
    raw = connection.connection
    fault = {"left": 1, "error": getattr(connection.Database, kind)("server closed the connection")}
    connection.connection = _FailingConnection(raw, fault)
    try:
        yield fault
    finally:
        if connection.connection is not None and isinstance(
            connection.connection, _FailingConnection
        ):
            connection.connection = raw


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.parametrize("kind", ["OperationalError", "InterfaceError"])
@pytest.mark.parametrize("language", ["fi", "en"])
def test_database_error_in_a_public_request_is_a_clean_503(
    kind: str, language: str, register: Register, paula: User, quick_pdf
):
    publish(register, paula)
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    page = f"/{language}/acme/customers/"
    expected = client.get(page).content

    with driver_fails(kind) as fault:
        # The answer this process kept needs no query: it is still given.
        kept = client.get(page)
        assert (kept.status_code, kept.content, fault["left"]) == (200, expected, 1)
        forget_kept_answers()
        response = client.get(page)
        assert fault["left"] == 0, "the page did not query the database"
    assert_unavailable_page(response, language)  # the page's language, not the browser's

    again = client.get(page)
    assert again.status_code == 200
    assert again.content == expected


def other_connection_terminates(pid: int) -> None:
    settings_dict = connection.settings_dict
    with psycopg.connect(
        dbname=settings_dict["NAME"],
        user=settings_dict["USER"] or None,
        password=settings_dict["PASSWORD"] or None,
        host=settings_dict["HOST"] or None,
        port=settings_dict["PORT"] or None,
        autocommit=True,
    ) as other:
        terminated = other.execute("SELECT pg_terminate_backend(%s)", [pid]).fetchone()[0]
    assert terminated


@contextmanager
def sqlite_table_locked(table: str) -> Iterator[None]:
    """Another connection holds an uncommitted write to ``table``.

    In the tests' shared in-memory SQLite database a reader of that table then
    fails at once with "database table is locked" (an OperationalError).
    """
    ready, release, done = threading.Event(), threading.Event(), threading.Event()
    errors: list[BaseException] = []

    def writer() -> None:
        try:
            with connection.cursor() as cursor:
                cursor.execute("BEGIN IMMEDIATE")
                cursor.execute(f'UPDATE "{table}" SET "is_online" = "is_online"')  # noqa: S608
                ready.set()
                release.wait(30)
                cursor.execute("ROLLBACK")
        except BaseException as error:  # reported below
            errors.append(error)
            ready.set()
        finally:
            connection.close()
            done.set()

    thread = threading.Thread(target=writer)
    thread.start()
    assert ready.wait(30)
    try:
        yield
    finally:
        release.set()
        thread.join(30)
    assert errors == []


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_database_lost_between_requests_is_a_503_and_the_next_request_works(
    register: Register, paula: User, quick_pdf
):
    """PostgreSQL: the server ends the backend. SQLite: a writer locks the table."""
    publish(register, paula)
    client = Client()
    page = "/fi/acme/customers/"
    expected = client.get(page).content
    forget_kept_answers()

    if connection.vendor == "postgresql":
        pid = connection.connection.info.backend_pid
        other_connection_terminates(pid)
        response = client.get(page)
        # The broken connection was closed at once, not kept for the next request.
        assert connection.connection is None
    else:
        with sqlite_table_locked(Register._meta.db_table):
            response = client.get(page)
    assert_unavailable_page(response, "fi")

    again = client.get(page)
    assert again.status_code == 200
    assert again.content == expected
    if connection.vendor == "postgresql":
        assert connection.connection.info.backend_pid != pid


def wsgi_get(handler: WSGIHandler, path: str) -> tuple[str, dict[str, str], bytes]:
    """One GET through Django's WSGI handler, the way gunicorn calls it."""
    import io
    import sys

    environ = {
        "REQUEST_METHOD": "GET",
        "PATH_INFO": path,
        "QUERY_STRING": "",
        "SCRIPT_NAME": "",
        "SERVER_NAME": "testserver",
        "SERVER_PORT": "80",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "HTTP_HOST": "testserver",
        "REMOTE_ADDR": "127.0.0.1",
        "wsgi.input": io.BytesIO(),
        "wsgi.errors": sys.stderr,
        "wsgi.url_scheme": "http",
        "wsgi.version": (1, 0),
        "wsgi.multithread": False,
        "wsgi.multiprocess": True,
        "wsgi.run_once": False,
    }
    started: list = []
    result = handler(
        environ, lambda status, headers, exc_info=None: started.append((status, headers))
    )
    try:
        content = b"".join(result)
    finally:
        result.close()  # fires request_finished, as a WSGI server does
    status, headers = started[0]
    return status, dict(headers), content


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_database_down_through_the_wsgi_handler_is_a_503_until_it_is_back(
    register: Register, paula: User, settings, quick_pdf
):
    """The production request cycle: request signals, connection reuse and health checks.

    PostgreSQL: the server refuses connections (a closed port) and later comes
    back. SQLite: the driver fails on the next query.
    """
    settings.ALLOWED_HOSTS = ["testserver"]
    publish(register, paula)
    handler = WSGIHandler()
    page = "/en/acme/customers/"
    status, _headers, expected = wsgi_get(handler, page)
    assert status == "200 OK"
    forget_kept_answers()

    if connection.vendor == "postgresql":
        real = dict(connection.settings_dict)
        connection.close()
        connection.settings_dict.update(HOST="127.0.0.1", PORT="1")
        try:
            outage = [wsgi_get(handler, page) for _ in range(2)]
        finally:
            connection.close()
            connection.settings_dict.update(real)
    else:
        with driver_fails("OperationalError"):
            outage = [wsgi_get(handler, page)]
    for status, headers, content in outage:
        assert status == "503 Service Unavailable"
        assert headers["Retry-After"] == "30"
        assert UNAVAILABLE["en"].encode() in content
        assert b"Traceback" not in content

    status, _headers, content = wsgi_get(handler, page)
    assert status == "200 OK"
    assert content == expected


# --- Two publishers at once, through the admin --------------------------------------------


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_publishers_publish_through_the_admin_at_once(
    register: Register, paula: User, acme: Tenant, media: Path
):
    """Consecutive versions, each with its own publisher and summary, or a clean refusal."""
    peter = make_user("peter")
    peter.memberships.create(controller=acme.controller, role="publisher")
    address = reverse("admin:notices_register_publish", args=[register.pk])
    barrier = threading.Barrier(2, timeout=30)
    results: dict[str, object] = {}

    clients = {user.username: login(user) for user in (paula, peter)}

    def run(user: User) -> None:
        try:
            client = clients[user.username]
            client.raise_request_exception = False
            barrier.wait()
            results[user.username] = client.post(
                address,
                {"summary_fi": f"{user.username} fi", "summary_en": f"{user.username} en"},
            )
        except BaseException as error:  # reported below
            results[user.username] = error
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(user,)) for user in (paula, peter)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=180)
    assert not any(thread.is_alive() for thread in threads)

    published = {name for name, r in results.items() if getattr(r, "status_code", None) == 302}
    refused = {name: r for name, r in results.items() if name not in published}
    versions = list(NoticeVersion.objects.filter(register=register).order_by("number"))
    assert [v.number for v in versions] == list(range(1, len(versions) + 1))
    assert {v.published_by.username for v in versions} == published
    for version in versions:
        name = version.published_by.username
        assert (version.summary["fi"], version.summary["en"]) == (f"{name} fi", f"{name} en")
        assert sorted(version.renderings.values_list("language", flat=True)) == ["en", "fi"]
    assert files_under(media) == {
        f"notices/acme/customers/acme-customers-v{v.number}-{lang}.pdf"
        for v in versions
        for lang in ("fi", "en")
    }
    if connection.vendor == "postgresql":
        # The register is locked while numbering: the second publisher waits its turn.
        assert published == {"paula", "peter"}, refused
    else:
        # SQLite writes one at a time: the other publisher may be asked to try again.
        assert published, refused
        for response in refused.values():
            assert getattr(response, "status_code", None) in (200, 503), response


# --- A visitor reads while a publisher edits the draft ------------------------------------


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_visitor_sees_the_published_version_while_the_draft_is_edited(
    register: Register, paula: User, acme: Tenant
):
    publish(register, paula)
    published = served(register)
    reads = [a for a in public_urls(register) if a.endswith(("/customers/", "pdf/", "json"))]
    edits = 0
    stop = threading.Event()
    errors: list[BaseException] = []
    seen: dict[str, set] = {address: set() for address in reads}

    client = login(paula)
    address = reverse("admin:notices_register_change", args=[register.pk])

    def editor() -> None:
        nonlocal edits
        try:
            data = form_data(client.get(address))
            while not stop.is_set() and edits < 15:
                edits += 1
                data["name_fi"] = f"Luonnos {edits}"
                data["introduction_en"] = f"Draft introduction {edits}"
                data["purposes-0-name_en"] = f"Draft purpose {edits}"
                response = client.post(address, data)
                assert response.status_code == 302, response.status_code
        except BaseException as error:  # reported below
            errors.append(error)
        finally:
            stop.set()
            connections.close_all()

    def visitor() -> None:
        try:
            if connection.vendor == "sqlite":
                # The tests' SQLite database is shared-cache in-memory: a reader of a
                # table another connection is writing fails at once ("database table
                # is locked") instead of waiting as with a database file. The visitor
                # reads only published rows, which no edit writes, so reading
                # uncommitted changes the bytes of nothing it is served.
                with connection.cursor() as cursor:
                    cursor.execute("PRAGMA read_uncommitted = 1")
            client = Client()
            while not stop.is_set():
                for address in reads:
                    response = client.get(address)
                    seen[address].add((response.status_code, body(response)))
        except BaseException as error:  # reported below
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=editor), threading.Thread(target=visitor)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads)
    assert errors == []
    assert edits >= 5
    for address in reads:
        status, content, _etag = published[address]
        assert seen[address] == {(status, content)}, address
    # The edits were saved: the draft changed, the public notice did not.
    assert Register.objects.get(pk=register.pk).name_fi == f"Luonnos {edits}"
    assert served(register) == published
