"""Security headers on every kind of page: public, embed, admin and login.

Every HTML page gets a Content-Security-Policy without 'unsafe-inline' (scripts or
styles), nosniff, a Referrer-Policy and clickjacking protection; only the embed view
may be framed, and only by its controller's own origins. The admin's rendered pages
are scanned for anything the policy would block: inline scripts, event-handler
attributes, javascript: URLs, style attributes and unhashed <style> elements.
"""

from __future__ import annotations

import base64
import hashlib
import re
import secrets
from html.parser import HTMLParser

import pytest
from django.contrib.auth.models import User
from django.http import HttpResponse
from django.test import Client
from django.urls import reverse

from config.security import brand_style_hashes, client_ip
from controllers.models import Controller
from notices import services
from notices.models import NoticeVersion, Register
from notices.signing_keys import generate_key_file
from tests.conftest import PASSWORD, Tenant, login
from tests.notices_factory import publish
from tests.test_settings import run_python

ACME = "/{lang}/acme/customers/"
PUBLIC_SUFFIXES = ["", "pdf/", "notice.json", "versions/", "versions/1/", "versions/1/pdf/"]
EMBED_ORIGINS = ["https://www.acme.example", "https://intra.acme.example"]
# Script types a browser does not execute (data blocks), which a policy does not govern.
DATA_SCRIPT_TYPES = {"application/json", "application/ld+json", "text/template"}


@pytest.fixture
def published(register: Register, paula: User) -> NoticeVersion:
    return publish(register, paula)


def policy(response) -> dict[str, list[str]]:
    """The response's Content-Security-Policy as {directive: [sources]}; exactly one header."""
    header = response.headers.get("Content-Security-Policy")
    assert header, f"no Content-Security-Policy on {response.request['PATH_INFO']}"
    directives: dict[str, list[str]] = {}
    for part in header.split(";"):
        words = part.split()
        if words:
            assert words[0] not in directives, f"{words[0]} twice in {header}"
            directives[words[0]] = words[1:]
    return directives


def assert_site_policy(response, *, framable_by: list[str] | None = None) -> dict:
    """The site-wide policy and headers; ``framable_by`` for the embed view only."""
    csp = policy(response)
    assert csp["default-src"] == ["'self'"]
    assert csp["script-src"] == ["'self'"]
    assert csp["style-src"][0] == "'self'"
    assert all(source.startswith("'sha256-") for source in csp["style-src"][1:]), csp
    for directive, sources in csp.items():
        assert "'unsafe-inline'" not in sources, directive
        assert "'unsafe-eval'" not in sources, directive
        assert "*" not in sources, directive
    assert csp["img-src"] == ["'self'", "data:"]
    assert csp["object-src"] == ["'none'"]
    assert csp["base-uri"] == ["'self'"]
    assert csp["form-action"] == ["'self'"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    if framable_by is None:
        assert csp["frame-ancestors"] == ["'none'"]
        assert response["X-Frame-Options"] == "DENY"
    else:
        assert csp["frame-ancestors"] == framable_by
        assert "X-Frame-Options" not in response
    return csp


def style_hash(css: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(css.encode()).digest()).decode() + "'"


class Blockable(HTMLParser):
    """Collects what a strict policy would block in a page."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []
        self.styles: list[str] = []
        self._script: dict[str, str | None] | None = None
        self._in_style = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        for name, value in attrs:
            if name.startswith("on"):
                self.problems.append(f"<{tag} {name}=…> event handler")
            if name == "style":
                self.problems.append(f"<{tag} style={value!r}> style attribute")
            if name in {"href", "src", "action", "formaction"} and (
                value or ""
            ).strip().lower().startswith("javascript:"):
                self.problems.append(f"<{tag} {name}={value!r}> javascript: URL")
        if tag == "script":
            self._script = attributes
        if tag == "style":
            self._in_style = True
            self.styles.append("")

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._script = None
        if tag == "style":
            self._in_style = False

    def handle_data(self, data: str) -> None:
        if self._in_style:
            self.styles[-1] += data
        script = self._script
        if script is None or not data.strip():
            return
        if script.get("src") or (script.get("type") or "").lower() in DATA_SCRIPT_TYPES:
            return
        self.problems.append(f"inline <script>: {data.strip()[:80]!r}")


def assert_nothing_blocked(response) -> None:
    """No inline script, handler or style in the page unless the policy allows it by hash."""
    assert response.status_code == 200, response.request["PATH_INFO"]
    parser = Blockable()
    parser.feed(response.content.decode())
    assert parser.problems == [], response.request["PATH_INFO"]
    allowed = policy(response)["style-src"]
    for css in parser.styles:
        assert style_hash(css) in allowed, f"<style>{css}</style> is not allowed by hash"


# --- Public pages -------------------------------------------------------------------


def test_public_pages_send_the_site_policy_and_headers(published: NoticeVersion):
    client = Client()
    for lang in ("fi", "en"):
        for suffix in PUBLIC_SUFFIXES:
            response = client.get(ACME.format(lang=lang) + suffix)
            assert response.status_code == 200, suffix
            assert_site_policy(response)
        index = client.get(f"/{lang}/acme/")
        assert index.status_code == 200
        assert_site_policy(index)
        missing = client.get(f"/{lang}/acme/no-such-register/")
        assert missing.status_code == 404
        assert_site_policy(missing)


def test_notice_pages_run_no_inline_script_and_their_brand_style_is_allowed_by_hash(
    published: NoticeVersion,
):
    client = Client()
    for lang in ("fi", "en"):
        for suffix in ("", "versions/", "versions/1/", "embed/"):
            response = client.get(ACME.format(lang=lang) + suffix)
            assert_nothing_blocked(response)
        page = client.get(ACME.format(lang=lang))
        css = re.search(r"<style>(.*?)</style>", page.content.decode(), re.S).group(1)
        assert "--brand: #1a5fb4" in css
        assert policy(page)["style-src"] == ["'self'", style_hash(css)]


def test_a_304_carries_the_same_policy(published: NoticeVersion):
    client = Client()
    for suffix in ("", "embed/"):
        first = client.get(ACME.format(lang="fi") + suffix)
        again = client.get(ACME.format(lang="fi") + suffix, HTTP_IF_NONE_MATCH=first["ETag"])
        assert again.status_code == 304
        assert policy(again)["frame-ancestors"] == policy(first)["frame-ancestors"]
        assert policy(again)["script-src"] == ["'self'"]


def test_offline_notice_page_sends_the_policy(published: NoticeVersion, paula: User):
    services.register_set_online(register=published.register, user=paula, online=False)
    response = Client().get(ACME.format(lang="fi"))
    assert response.status_code == 410
    assert_site_policy(response)


# --- The embed ------------------------------------------------------------------------


def test_embed_is_framable_by_exactly_the_controllers_origins(published: NoticeVersion):
    client = Client()
    for lang in ("fi", "en"):
        embed = client.get(ACME.format(lang=lang) + "embed/")
        assert embed.status_code == 200
        csp = assert_site_policy(embed, framable_by=EMBED_ORIGINS)
        assert "'self'" not in csp["frame-ancestors"]


def test_embed_of_a_controller_without_origins_may_not_be_framed(published: NoticeVersion):
    Controller.objects.filter(slug="acme").update(embed_origins="")
    embed = Client().get(ACME.format(lang="fi") + "embed/")
    assert embed.status_code == 200
    assert_site_policy(embed, framable_by=["'none'"])


def test_embed_header_takes_only_well_formed_origins(published: NoticeVersion):
    # Stored without the form's validation (as an import or a shell could).
    Controller.objects.filter(slug="acme").update(
        embed_origins="https://ok.example\nhttps://x.example; script-src *\n'unsafe-inline'"
    )
    embed = Client().get(ACME.format(lang="fi") + "embed/")
    csp = assert_site_policy(embed, framable_by=["https://ok.example"])
    assert csp["script-src"] == ["'self'"]


# --- The brand-style hash -------------------------------------------------------------


def html_response(html: str) -> HttpResponse:
    return HttpResponse(html, content_type="text/html; charset=utf-8")


def test_only_a_brand_colour_rule_in_the_head_is_hashed():
    rule = ":root { --brand: #0b6e4f; --brand-text: #ffffff; }"
    page = f"<html><head><style>{rule}</style></head><body><style>{rule}</style></body></html>"
    assert brand_style_hashes(html_response(page)) == [style_hash(rule)]

    for other in (
        "body { background: url(https://evil.example/x) }",
        ":root { --brand: red; }",
        ":root { --brand: #000000; } p { color: red }",
        ":root { --brand: url(x); }",
    ):
        page = f"<html><head><style>{other}</style></head><body></body></html>"
        assert brand_style_hashes(html_response(page)) == [], other

    # Not HTML, or no head: nothing.
    json_response = HttpResponse(f"<head><style>{rule}</style></head>", "application/json")
    assert brand_style_hashes(json_response) == []
    assert brand_style_hashes(html_response(f"<p><style>{rule}</style></p>")) == []


# --- Admin ------------------------------------------------------------------------------


def test_login_page_sends_the_site_policy():
    response = Client().get(reverse("admin:login"))
    assert response.status_code == 200
    assert_site_policy(response)
    assert_nothing_blocked(response)


def admin_pages(tenant: Tenant, register: Register) -> list[str]:
    return [
        reverse("admin:index"),
        reverse("admin:notices_register_changelist"),
        reverse("admin:notices_register_add"),
        reverse("admin:notices_register_change", args=[register.pk]),
        reverse("admin:notices_register_history", args=[register.pk]),
        reverse("admin:notices_register_delete", args=[register.pk]),
        reverse("admin:notices_register_publish", args=[register.pk]),
        reverse("admin:notices_register_preview", args=[register.pk, "fi"]),
        reverse("admin:controllers_controller_change", args=[tenant.controller.pk]),
        reverse("admin:controllers_contactperson_add"),
        reverse("admin:notices_processor_change", args=[tenant.processor.pk]),
        reverse("admin:controllers_auditevent_changelist"),
        reverse("admin:notices_noticeversion_changelist"),
        reverse("admin:password_change"),
    ]


def test_admin_pages_send_the_policy_and_have_nothing_it_would_block(
    published: NoticeVersion, paula: User, acme: Tenant
):
    client = login(paula)
    for url in admin_pages(acme, published.register):
        response = client.get(url)
        assert_site_policy(response)
        assert_nothing_blocked(response)


def test_superusers_admin_pages_have_nothing_the_policy_would_block(
    published: NoticeVersion, root: User, acme: Tenant
):
    client = login(root, "fi")
    pages = [
        *admin_pages(acme, published.register),
        reverse("admin:auth_user_changelist"),
        reverse("admin:auth_user_add"),
        reverse("admin:auth_user_change", args=[root.pk]),
        reverse("admin:auth_user_password_change", args=[root.pk]),
        reverse("admin:notices_legalbasis_changelist"),
        reverse("admin:axes_accessattempt_changelist"),
        # A popup (the "+" next to a relation) answers with a script of its own file.
        reverse("admin:controllers_contactperson_add") + "?_to_field=id&_popup=1",
    ]
    for url in pages:
        response = client.get(url)
        assert_site_policy(response)
        assert_nothing_blocked(response)


def test_popup_response_has_no_inline_script(root: User, acme: Tenant):
    client = login(root)
    response = client.post(
        reverse("admin:controllers_contactperson_add") + "?_to_field=id&_popup=1",
        {
            "controller": acme.controller.pk,
            "name_fi": "Popup Person",
            "email": "popup@acme.example",
            "_popup": "1",
            "_to_field": "id",
        },
    )
    assert response.status_code == 200
    assert b"popup_response" in response.content
    assert_nothing_blocked(response)


# --- Sessions and cookies ------------------------------------------------------------------


def test_login_cookies_are_secure_httponly_and_lax(alice: User):
    client = Client()
    page = client.get(reverse("admin:login"))
    csrf = page.cookies["csrftoken"]
    assert csrf["httponly"] and csrf["secure"]
    assert csrf["samesite"] == "Lax"
    response = client.post(
        reverse("admin:login"), {"username": "alice", "password": PASSWORD, "next": "/admin/"}
    )
    assert response.status_code == 302
    session = response.cookies["sessionid"]
    assert session["httponly"] and session["secure"]
    assert session["samesite"] == "Lax"
    assert int(session["max-age"]) == 8 * 60 * 60
    language = client.post(reverse("set_language"), {"language": "en", "next": "/admin/"})
    cookie = language.cookies["django_language"]
    assert cookie["httponly"] and cookie["secure"]
    assert cookie["samesite"] == "Lax"


def test_https_is_enforced_behind_the_proxy_header(settings, published: NoticeVersion):
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_HSTS_SECONDS = 31536000
    settings.SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    settings.SECURE_HSTS_PRELOAD = True
    client = Client()
    plain = client.get(ACME.format(lang="fi"))
    assert plain.status_code == 301
    assert plain["Location"].startswith("https://")
    proxied = client.get(ACME.format(lang="fi"), HTTP_X_FORWARDED_PROTO="https")
    assert proxied.status_code == 200
    assert proxied["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"
    assert_site_policy(proxied)


def test_production_settings_pass_the_deploy_check(monkeypatch, tmp_path):
    """What CI checks, with the defaults of a production start (DEBUG and every knob unset).

    Like CI, with a signing key of its own: without one the check warns (notices.W001).
    """
    # Set by the live-server browser tests in this process; never in a deployment.
    monkeypatch.delenv("DJANGO_ALLOW_ASYNC_UNSAFE", raising=False)
    code = (
        "import sys, django; django.setup();"
        "from django.core.management import call_command;"
        "call_command('check', deploy=True, fail_level='WARNING');"
        "from django.conf import settings as s;"
        "assert s.SECURE_SSL_REDIRECT and s.SECURE_HSTS_SECONDS >= 31536000;"
        "assert s.SECURE_PROXY_SSL_HEADER == ('HTTP_X_FORWARDED_PROTO', 'https');"
        "assert s.SESSION_COOKIE_SECURE and s.CSRF_COOKIE_SECURE and s.LANGUAGE_COOKIE_SECURE;"
        "assert s.SESSION_COOKIE_HTTPONLY and s.CSRF_COOKIE_HTTPONLY;"
        "print('deploy-ok')"
    )
    key = tmp_path / "notice-signing-key.pem"
    generate_key_file(key)
    result = run_python(
        code,
        SECRET_KEY=secrets.token_urlsafe(64),
        ALLOWED_HOSTS="notices.example.com",
        CSRF_TRUSTED_ORIGINS="https://notices.example.com",
        NOTICE_SIGNING_KEY_FILE=str(key),
    )
    assert result.returncode == 0, result.stderr
    assert "deploy-ok" in result.stdout


# --- The client address for login throttling ------------------------------------------------


def test_client_address_ignores_forwarded_for_unless_proxies_are_trusted(settings, rf):
    request = rf.get("/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.9")
    settings.TRUSTED_PROXY_COUNT = 0
    assert client_ip(request) == "10.0.0.1"

    settings.TRUSTED_PROXY_COUNT = 1
    assert client_ip(request) == "203.0.113.9"
    # A client's own X-Forwarded-For is left of what the proxy appended.
    spoofed = rf.get("/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="1.2.3.4, 203.0.113.9")
    assert client_ip(spoofed) == "203.0.113.9"
    settings.TRUSTED_PROXY_COUNT = 2
    assert client_ip(spoofed) == "1.2.3.4"
    # Fewer addresses than proxies, or garbage: the connecting address.
    settings.TRUSTED_PROXY_COUNT = 3
    assert client_ip(spoofed) == "10.0.0.1"
    settings.TRUSTED_PROXY_COUNT = 1
    garbage = rf.get("/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="not-an-address")
    assert client_ip(garbage) == "10.0.0.1"


# --- Error responses (issue 12, finding 6) ---------------------------------------------


@pytest.mark.parametrize("debug", [False, True], ids=["debug-off", "debug-on"])
def test_every_error_response_carries_the_policy(
    published: NoticeVersion, paula: User, settings, monkeypatch, debug: bool
):
    from django.db import OperationalError

    from notices import views

    settings.DEBUG = debug
    client = Client(raise_request_exception=False)
    for address in (
        "/fi/acme/no-such-register/",
        "/fi/nobody/",
        "/en/acme/customers/versions/9/",
        "/fi/acme/customers/versions/9/pdf/",
        "/static/staticfiles.json",
        "/nowhere/",
    ):
        response = client.get(address)
        assert response.status_code == 404, address
        assert policy(response)["script-src"] == ["'self'"], address
    for method in ("POST", "OPTIONS", "TRACE"):
        response = client.generic(method, ACME.format(lang="fi"))
        assert response.status_code == 405
        assert policy(response)["default-src"] == ["'self'"]

    def broken(*args, **kwargs):
        raise RuntimeError("a bug")

    monkeypatch.setattr(views, "_find", broken)
    response = client.get(ACME.format(lang="fi"))
    assert response.status_code == 500
    assert policy(response)["script-src"] == ["'self'"]

    def database_away(*args, **kwargs):
        raise OperationalError("database is locked")

    monkeypatch.setattr(views, "_find", database_away)
    response = client.get(ACME.format(lang="fi"))
    assert response.status_code == 503
    assert policy(response)["script-src"] == ["'self'"]

    monkeypatch.undo()
    services.register_set_online(register=published.register, user=paula, online=False)
    response = client.get(ACME.format(lang="fi"))
    assert response.status_code == 410
    assert policy(response)["default-src"] == ["'self'"]
