"""Taking a notice offline and back: a confirmation page of its own, publishers only."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

from notices.models import Register
from tests.conftest import login
from tests.notices_factory import publish

pytestmark = pytest.mark.usefixtures("blank_pdfs")  # no PDF is read here (tests/conftest.py)

PUBLIC = "/fi/acme/customers/"


def online_url(register: Register) -> str:
    return reverse("admin:notices_register_online", args=[register.pk])


def change_url(register: Register) -> str:
    return reverse("admin:notices_register_change", args=[register.pk])


def csrf_client(user) -> Client:  # type: ignore[no-untyped-def]
    """A logged-in client that checks CSRF tokens, as a browser's requests are checked."""
    client = Client(enforce_csrf_checks=True, HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


def confirm(client: Client, register: Register) -> str:
    """Open the confirmation page and answer yes with its own form; the page's text."""
    page = client.get(online_url(register))
    assert page.status_code == 200
    html = page.content.decode()
    forms = re.findall(r"<form\b[^>]*>.*?</form>", html, re.DOTALL)
    form = next(f for f in forms if f'action="{online_url(register)}"' in f)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form).group(1)
    online = re.search(r'name="online" value="([01])"', form).group(1)
    response = client.post(online_url(register), {"csrfmiddlewaretoken": token, "online": online})
    assert response.status_code == 302
    assert response["Location"] == change_url(register)
    return html


def test_register_page_links_to_the_confirmation_instead_of_a_nested_form(register, paula, media):
    publish(register, paula)
    html = login(paula).get(change_url(register)).content.decode()
    assert f'href="{online_url(register)}"' in html
    # No form posts to the offline address from inside the change form any more.
    assert f'action="{online_url(register)}"' not in html
    assert 'form="online-form"' not in html


def test_publisher_confirms_taking_offline_and_bringing_back(register, paula, media):
    publish(register, paula)
    visitor = Client()
    assert visitor.get(PUBLIC).status_code == 200
    client = csrf_client(paula)

    asked = confirm(client, register)
    assert "Take the notice offline?" in asked
    assert visitor.get(PUBLIC).status_code == 410
    assert visitor.get(PUBLIC + "pdf/").status_code == 410
    register.refresh_from_db()
    assert not register.is_online
    assert "The notice is offline: its public addresses answer 410 Gone." in (
        client.get(change_url(register)).content.decode()
    )

    asked = confirm(client, register)
    assert "Bring the notice back online?" in asked
    assert visitor.get(PUBLIC).status_code == 200


def test_asking_changes_nothing_and_a_post_needs_the_csrf_token(register, paula, media):
    publish(register, paula)
    client = csrf_client(paula)
    client.get(online_url(register))
    assert client.post(online_url(register), {"online": "0"}).status_code == 403
    register.refresh_from_db()
    assert register.is_online
    assert Client().get(PUBLIC).status_code == 200


def test_editor_cannot_take_offline(register, paula, alice, media):
    publish(register, paula)
    client = login(alice)
    assert client.get(online_url(register)).status_code == 403
    assert client.post(online_url(register), {"online": "0"}).status_code == 403
    assert f'href="{online_url(register)}"' not in client.get(change_url(register)).content.decode()
    assert Client().get(PUBLIC).status_code == 200


def test_other_companies_cannot_see_the_confirmation(register, paula, bob, charlie, media):
    publish(register, paula)
    client = login(bob)
    assert client.get(online_url(register)).status_code == 404
    assert client.post(online_url(register), {"online": "0"}).status_code == 404
    # A user of no company has no admin at all (membership grants access).
    client = login(charlie)
    assert client.get(online_url(register)).status_code == 302
    assert client.post(online_url(register), {"online": "0"}).status_code == 302
    register.refresh_from_db()
    assert register.is_online
