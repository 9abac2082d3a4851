"""The edge proxy as shipped: Debian's nginx with docker/nginx/notices.conf.template.

The template is rendered for this test's port and directories only (the NOTICES_*
variables, as the nginx image's envsubst fills them in) and put in front of the live
test server. Requests come from 127.0.0.2, so the address the proxy passes on can be
told apart from the proxy's own (127.0.0.1). nginx writes which requests reached
Django to its access log, which the static-file test reads.

Without /usr/sbin/nginx these tests fail: `apt-get install nginx` (`.ci/run` does).
"""

from __future__ import annotations

import http.client
import json
import re
import struct
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode, urlsplit

import pytest
from axes.models import AccessAttempt
from django.conf import settings as django_settings
from django.http import HttpRequest, HttpResponse
from django.urls import include, path

from bench.edge import NGINX, edge_proxy
from tests.conftest import Tenant
from tests.notices_factory import complete_notice, make_publisher, publish

CLIENT = "127.0.0.2"
NOTICE = "/en/acme/customers/"

# serialized_rollback: the flush after the test keeps the content types the other
# transactional tests restore (their ids are cached in every worker).
pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.usefixtures("blank_pdfs"),  # no PDF is read here (tests/conftest.py)
]


def cookie_view(request: HttpRequest) -> HttpResponse:
    """A response that says it may be cached publicly, yet sets a cookie."""
    response = HttpResponse("cookie")
    response["Cache-Control"] = "public, max-age=300"
    response.set_cookie("flavour", "oat")
    return response


# The project's addresses plus one that sets a cookie (ROOT_URLCONF for these tests).
urlpatterns = [
    path("edge-test/cookie/", cookie_view),
    path("", include("config.urls")),
]


@dataclass
class Response:
    status: int
    headers: http.client.HTTPMessage
    body: bytes

    @property
    def cache(self) -> str | None:
        return self.headers.get("X-Cache-Status")


@dataclass
class Edge:
    port: int
    directory: Path
    requests: list[str] = field(default_factory=list)

    def request(
        self,
        path: str,
        *,
        method: str = "GET",
        headers: dict[str, str] | None = None,
        body: str | None = None,
    ) -> Response:
        connection = http.client.HTTPConnection(
            "127.0.0.1", self.port, timeout=10, source_address=(CLIENT, 0)
        )
        self.requests.append(path)
        try:
            connection.request(method, path, body=body, headers=headers or {})
            answer = connection.getresponse()
            return Response(answer.status, answer.headers, answer.read())
        finally:
            connection.close()

    def reached_django(self, path: str) -> list[bool]:
        """For each request of ``path`` so far: whether nginx passed it to Django.

        nginx logs a request just after answering it, so the last line may lag a little.
        """
        deadline = time.monotonic() + 5
        while True:
            lines = (self.directory / "access.log").read_text().splitlines()
            logged = [line.split(" ") for line in lines]
            upstream = [fields[1] != "-" for fields in logged if fields[0] == path]
            if len(upstream) >= self.requests.count(path) or time.monotonic() > deadline:
                return upstream
            time.sleep(0.02)

    def cached_entry(self, path: str) -> bytes:
        """The cache file nginx keeps for ``path``."""
        for file in (self.directory / "cache").rglob("*"):
            if file.is_file() and f"\nKEY: http127.0.0.1{path}\n".encode() in file.read_bytes():
                return file.read_bytes()
        raise AssertionError(f"nginx has no cache file for {path}")


@pytest.fixture
def edge(live_server, settings, tmp_path: Path) -> Iterator[Edge]:
    assert NGINX.exists(), (
        f"{NGINX} is missing: install Debian's nginx (apt-get install nginx); "
        ".ci/run installs it. These tests are never skipped."
    )
    settings.ROOT_URLCONF = __name__
    settings.ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
    # As docker-compose.yml sets it: one proxy in front, appending to X-Forwarded-For.
    settings.TRUSTED_PROXY_COUNT = 1
    with edge_proxy(
        tmp_path / "edge",
        upstream_port=urlsplit(live_server.url).port,
        static_root=Path(django_settings.STATIC_ROOT),
    ) as proxy:
        yield Edge(port=proxy.port, directory=proxy.directory)


@pytest.fixture
def notice(acme: Tenant, media: Path) -> Tenant:
    """Acme's notice, published once."""
    register = complete_notice(acme)
    publish(register, make_publisher(acme.controller))
    return acme


def test_public_notice_page_is_served_from_the_cache(edge: Edge, notice: Tenant) -> None:
    first = edge.request(NOTICE)
    second = edge.request(NOTICE)

    assert first.status == 200
    assert first.cache == "MISS"
    assert second.status == 200
    assert second.cache == "HIT"
    assert second.body == first.body
    assert second.headers["ETag"] == first.headers["ETag"]
    assert edge.reached_django(NOTICE) == [True, False]


def test_conditional_request_through_the_proxy_gets_304(edge: Edge, notice: Tenant) -> None:
    etag = edge.request(NOTICE).headers["ETag"]

    answer = edge.request(NOTICE, headers={"If-None-Match": etag})

    assert answer.status == 304
    assert answer.body == b""
    assert answer.cache == "HIT"


def test_admin_pages_are_never_cached(edge: Edge, notice: Tenant) -> None:
    answers = [edge.request("/admin/login/") for _ in range(3)]

    assert [answer.status for answer in answers] == [200, 200, 200]
    assert [answer.cache for answer in answers] == ["BYPASS"] * 3
    assert edge.reached_django("/admin/login/") == [True] * 3
    # Each answer is the person's own: a CSRF cookie of its own every time.
    assert all("csrftoken=" in answer.headers["Set-Cookie"] for answer in answers)


def test_response_that_sets_a_cookie_is_never_cached(edge: Edge, notice: Tenant) -> None:
    answers = [edge.request("/edge-test/cookie/") for _ in range(3)]

    assert all(answer.headers["Set-Cookie"].startswith("flavour=oat") for answer in answers)
    assert [answer.cache for answer in answers] == ["MISS"] * 3
    assert edge.reached_django("/edge-test/cookie/") == [True] * 3


def test_request_with_a_session_cookie_bypasses_the_cache(edge: Edge, notice: Tenant) -> None:
    edge.request(NOTICE)
    assert edge.request(NOTICE).cache == "HIT"

    signed_in = edge.request(NOTICE, headers={"Cookie": "sessionid=abc123"})

    assert signed_in.status == 200
    assert signed_in.cache == "BYPASS"
    assert edge.reached_django(NOTICE) == [True, False, True]
    # The bypassed answer did not replace the cached one.
    assert edge.request(NOTICE).cache == "HIT"


def test_static_files_are_served_by_nginx_not_django(edge: Edge) -> None:
    manifest = Path(django_settings.STATIC_ROOT) / "staticfiles.json"
    assert manifest.exists(), "collect the static files first (make test does)"
    hashed = json.loads(manifest.read_text())["paths"]["admin/css/base.css"]
    address = f"/static/{hashed}"

    answer = edge.request(address)

    assert answer.status == 200
    assert answer.body == (Path(django_settings.STATIC_ROOT) / hashed).read_bytes()
    assert answer.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    assert answer.headers["Content-Type"] == "text/css"
    assert edge.reached_django(address) == [False]
    assert edge.request("/static/staticfiles.json").status == 404


def test_login_throttle_counts_the_address_the_proxy_passes(edge: Edge, notice: Tenant) -> None:
    login = edge.request("/admin/login/")
    csrf_cookie = re.search(r"csrftoken=([^;]+)", login.headers["Set-Cookie"]).group(1)
    token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', login.body).group(1)

    answer = edge.request(
        "/admin/login/",
        method="POST",
        body=urlencode(
            {"username": "alice", "password": "wrong", "csrfmiddlewaretoken": token.decode()}
        ),
        headers={
            "Content-Type": "application/x-www-form-urlencoded",
            "Cookie": f"csrftoken={csrf_cookie}",
            # A client's own claims: the proxy appends the real address to the first
            # and replaces the second (had Django believed https, its CSRF check would
            # have refused this POST for lack of a Referer).
            "X-Forwarded-For": "198.51.100.7",
            "X-Forwarded-Proto": "https",
        },
    )

    assert answer.status == 200, answer.body[:500]
    attempt = AccessAttempt.objects.get(username="alice")
    assert attempt.ip_address == CLIENT
    assert attempt.failures_since_start == 1


def test_new_version_is_served_within_max_age_plus_stale_while_revalidate(
    edge: Edge, notice: Tenant
) -> None:
    """After a publish the cache may serve the previous version, for a bounded time.

    nginx keeps a response for as long as its Cache-Control allows and no longer:
    the cache file records when it was stored, when it expires (max-age) and how long
    after that it may still be served while a fresh copy is fetched
    (stale-while-revalidate). So the previous version is gone at most 300 + 60 s
    after the publish; the test reads those figures instead of waiting them out.
    """
    before = edge.request(NOTICE)
    assert edge.request(NOTICE).cache == "HIT"
    register = notice.register
    register.introduction_en = "This notice now says something new."
    register.save()
    publish(
        register,
        make_publisher(notice.controller, "petra"),
        summary={"fi": "Uusi johdanto.", "en": "New introduction."},
    )

    cached = edge.request(NOTICE)

    assert cached.cache == "HIT"
    assert cached.headers["ETag"] == before.headers["ETag"]
    assert cached.headers["Cache-Control"] == "public, max-age=300, stale-while-revalidate=60"
    # ngx_http_file_cache_header_t: version, valid_sec, updating_sec, error_sec,
    # last_modified, date (64-bit, as Debian's nginx 1.22 writes it).
    version, valid_until, stale_updating, stale_error, _modified, stored_at = struct.unpack_from(
        "=Q5q", edge.cached_entry(NOTICE)
    )
    assert version == 5, f"unknown nginx cache file version {version}"
    assert valid_until - stored_at == 300
    assert stale_updating == 60
    # stale-while-revalidate also lets nginx serve the old page if Django fails then.
    assert stale_error == 60
    # Django itself already answers with the new version: the cache is all that lags.
    fresh = edge.request(NOTICE, headers={"Cookie": "sessionid=x"})
    assert fresh.cache == "BYPASS"
    assert fresh.headers["ETag"] != before.headers["ETag"]
    assert b"This notice now says something new." in fresh.body
