"""SQLite under concurrent writers: they wait for each other instead of failing.

Issue 12, finding 4: bursts of 16-32 failed logins at once (django-axes writes a
row per attempt) were answered 503 from "database is locked". As the audit did,
this runs gunicorn (several worker processes) against a temporary SQLite file
and sends 32 failed logins and then 8 admin saves at once.
"""

from __future__ import annotations

import http.client
import re
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import urlencode

import pytest

from bench.harness import HOST, ROOT, Gunicorn, Project, gunicorn

USERNAME = "root"
PASSWORD = "a-long-enough-test-password-42"  # noqa: S105 (a throw-away test database)
LOGINS = 32
SAVES = 8


class SqliteProject(Project):
    """A throw-away SQLite file, and the static files this worktree has collected."""

    def env(self) -> dict[str, str]:
        return super().env() | {
            "STATIC_ROOT": str(ROOT / "staticfiles"),
            # Every attempt counts; none is refused as a lockout before it is counted.
            "LOGIN_FAILURE_LIMIT": "1000",
            "DJANGO_SUPERUSER_PASSWORD": PASSWORD,
        }


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Gunicorn, Path]]:
    tmp = tmp_path_factory.mktemp("sqlite")
    database = tmp / "db.sqlite3"
    project = SqliteProject(code=ROOT, tmp=tmp, database_url=f"sqlite:///{database}")
    for command in (
        ["migrate", "--noinput", "-v0"],
        ["createsuperuser", "--noinput", f"--username={USERNAME}", "--email=root@example.com"],
    ):
        subprocess.run(  # noqa: S603 (our own interpreter and manage.py)
            [sys.executable, "manage.py", *command],
            cwd=ROOT,
            env=project.env(),
            check=True,
            capture_output=True,
            timeout=300,
        )
    with gunicorn(project, workers=4, ready_path="/admin/login/") as running:
        yield running, database


class Browser:
    """A minimal client with its own cookies over plain HTTP."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, form: dict[str, str] | None = None):
        conn = http.client.HTTPConnection(HOST, self.port, timeout=120)
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        body = None
        if form is not None:
            body = urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        try:
            conn.request(method, path, body=body, headers=headers)
            response = conn.getresponse()
            content = response.read().decode(errors="replace")
            for header in response.headers.get_all("Set-Cookie") or []:
                name, value = header.split(";", 1)[0].split("=", 1)
                self.cookies[name] = value
            return response.status, content
        finally:
            conn.close()

    def csrf(self, path: str) -> str:
        status, page = self.request("GET", path)
        assert status == 200, (path, status)
        return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)


def failures(database: Path) -> int:
    with sqlite3.connect(database) as db:
        (count,) = db.execute("SELECT SUM(failures_since_start) FROM axes_accessattempt").fetchone()
    return count or 0


def test_concurrent_failed_logins_and_admin_saves_wait_instead_of_failing(server):
    running, database = server
    browser = Browser(running.port)
    token = browser.csrf("/admin/login/")

    def wrong_password(attempt: int) -> int:
        form = {"csrfmiddlewaretoken": token, "username": USERNAME, "password": f"wrong-{attempt}"}
        return browser.request("POST", "/admin/login/?next=/admin/", form)[0]

    with ThreadPoolExecutor(LOGINS) as pool:
        statuses = list(pool.map(wrong_password, range(LOGINS)))
    assert statuses == [200] * LOGINS, statuses
    assert failures(database) == LOGINS

    status, _ = browser.request(
        "POST",
        "/admin/login/?next=/admin/",
        {"csrfmiddlewaretoken": token, "username": USERNAME, "password": PASSWORD},
    )
    assert status == 302
    token = browser.csrf("/admin/auth/group/add/")

    def save(number: int) -> int:
        form = {"csrfmiddlewaretoken": token, "name": f"group-{number}"}
        return browser.request("POST", "/admin/auth/group/add/", form)[0]

    with ThreadPoolExecutor(SAVES) as pool:
        statuses = list(pool.map(save, range(SAVES)))
    assert statuses == [302] * SAVES, statuses
    with sqlite3.connect(database) as db:
        (groups,) = db.execute("SELECT COUNT(*) FROM auth_group").fetchone()
        (mode,) = db.execute("PRAGMA journal_mode").fetchone()
    assert groups == SAVES
    assert mode == "wal"
