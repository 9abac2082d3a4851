"""The admin speaks the browser's language, Finnish or English, and can be switched."""

from __future__ import annotations

from django.test import Client

from tests.conftest import login


def test_admin_follows_browser_language(alice):
    finnish = login(alice, "fi").get("/admin/")
    english = login(alice, "en").get("/admin/")
    assert '<html lang="fi"' in finnish.content.decode()
    assert '<html lang="en"' in english.content.decode()


def test_language_switch_sets_language_for_next_pages(alice):
    client = login(alice, "en")
    page = client.get("/admin/notices/register/")
    assert 'name="language" value="fi"' in page.content.decode()
    response = client.post("/i18n/setlang/", {"language": "fi", "next": "/admin/notices/register/"})
    assert response.status_code == 302
    assert response["Location"] == "/admin/notices/register/"
    assert '<html lang="fi"' in client.get("/admin/notices/register/").content.decode()


def test_login_page_offers_language_switch(db):
    page = Client(HTTP_ACCEPT_LANGUAGE="en").get("/admin/login/")
    assert page.status_code == 200
    assert 'name="language" value="fi"' in page.content.decode()
