"""``/`` is the service's landing page; the admin's "View site" leads a member to their notices."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

from notices import services
from tests.conftest import login
from tests.notices_factory import publish
from tests.test_security_headers import assert_site_policy

pytestmark = pytest.mark.usefixtures("blank_pdfs")  # no PDF is read here (tests/conftest.py)


def view_site_link(client: Client) -> str:
    html = client.get(reverse("admin:index")).content.decode()
    # The first link of the user tools is "View site" (Django's admin/base.html).
    tools = html[html.index('<div id="user-tools">') :]
    return re.search(r'<a href="([^"]*)"', tools).group(1)


def test_landing_page_says_what_the_service_is_and_leads_to_the_admin(acme, beta):
    response = Client(HTTP_ACCEPT_LANGUAGE="en").get("/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "<h1>Privacy notices for companies</h1>" in html
    assert f'href="{reverse("admin:index")}"' in html
    assert '<html lang="en">' in html
    # Which companies use the service is theirs to tell.
    for company in (acme, beta):
        assert company.controller.name not in html
        assert f"/{company.controller.slug}/" not in html
    assert_site_policy(response)


def test_landing_page_speaks_the_visitors_language(db):
    html = Client(HTTP_ACCEPT_LANGUAGE="fi").get("/").content.decode()
    assert "<h1>Tietosuojaselosteet yrityksille</h1>" in html
    assert '<html lang="fi">' in html
    # The other languages are offered by a plain form, no script needed.
    assert 'name="language" value="sv"' in html
    assert 'name="language" value="fi"' not in html


def test_landing_page_only_answers_reads(db):
    assert Client().post("/").status_code == 405
    assert Client().head("/").status_code == 200


def test_view_site_leads_a_member_to_the_company_index_in_the_admins_language(
    register, paula, media
):
    publish(register, paula)
    assert view_site_link(login(paula, "en")) == "/en/acme/"
    assert view_site_link(login(paula, "fi")) == "/fi/acme/"
    assert Client().get("/fi/acme/").status_code == 200
    # Not published in Swedish: the index would be a 404, so "View site" is the landing page.
    assert view_site_link(login(paula, "sv")) == "/"


def test_view_site_is_the_landing_page_without_published_notices(register, paula, media):
    assert view_site_link(login(paula, "fi")) == "/"
    publish(register, paula)
    services.register_set_online(register=register, user=paula, online=False)
    assert view_site_link(login(paula, "fi")) == "/"


def test_view_site_never_leads_to_another_company(register, paula, bob, charlie, root, media):
    publish(register, paula)
    for user in (bob, root):
        assert view_site_link(login(user, "fi")) == "/"
    # A user of no company has no admin at all (membership grants access).
    assert login(charlie, "fi").get(reverse("admin:index")).status_code == 302
