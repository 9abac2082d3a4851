"""Admin login throttling (django-axes) and password rules.

Five wrong passwords for one username from one address lock that pair out for 15
minutes with a translated page (429); the right password is refused meanwhile.
Other usernames, and the same username from elsewhere, are not affected. Weak
passwords are refused by Django's validators with translated messages.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tests.conftest import PASSWORD, login

LOGIN = reverse("admin:login")
LIMIT = 5
LOCKED = {
    "fi": "Liian monta epäonnistunutta kirjautumisyritystä",
    "en": "Too many failed login attempts",
}
WAIT = {
    "fi": "kirjautuminen on estetty 15 minuutin ajan",
    "en": "logging in is blocked for 15 minutes",
}
WRONG_PASSWORD = {
    "fi": "Ole hyvä ja syötä henkilökuntatilin käyttäjätunnus ja salasana",
    "en": "Please enter the correct username and password for a staff account",
}


def attempt(client: Client, username: str, password: str, address: str = "192.0.2.10") -> object:
    return client.post(
        LOGIN,
        {"username": username, "password": password, "next": "/admin/"},
        REMOTE_ADDR=address,
    )


def logged_in(client: Client) -> bool:
    return "_auth_user_id" in client.session


def fail(client: Client, username: str, times: int, address: str = "192.0.2.10") -> list:
    return [attempt(client, username, "wrong-password", address) for _ in range(times)]


@pytest.mark.parametrize("language", ["fi", "en"])
def test_fifth_wrong_password_locks_out_with_a_translated_page(alice: User, language: str):
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    responses = fail(client, "alice", LIMIT)
    for response in responses[:-1]:
        assert response.status_code == 200
        assert WRONG_PASSWORD[language] in response.content.decode()
    locked = responses[-1]
    assert locked.status_code == 429
    html = locked.content.decode()
    assert LOCKED[language] in html
    assert WAIT[language] in html
    assert f'lang="{language}"' in html
    other = "en" if language == "fi" else "fi"
    assert LOCKED[other] not in html
    assert locked["Retry-After"] == "900"
    assert locked["Content-Language"] == language


def test_right_password_is_refused_during_the_lockout(alice: User):
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    fail(client, "alice", LIMIT)
    response = attempt(client, "alice", PASSWORD)
    assert response.status_code == 429
    assert LOCKED["en"] in response.content.decode()
    assert not logged_in(client)
    assert client.get("/admin/").status_code == 302


def test_other_username_from_the_same_address_is_not_locked(alice: User, bob: User):
    client = Client()
    fail(client, "alice", LIMIT)
    other = Client()
    response = attempt(other, "bob", PASSWORD)
    assert response.status_code == 302
    assert logged_in(other)


def test_same_username_from_another_address_is_not_locked(alice: User):
    fail(Client(), "alice", LIMIT, address="192.0.2.10")
    client = Client()
    response = attempt(client, "alice", PASSWORD, address="198.51.100.7")
    assert response.status_code == 302
    assert logged_in(client)


def test_guessing_usernames_that_do_not_exist_is_throttled_too(db):
    responses = fail(Client(), "nobody", LIMIT)
    assert responses[-1].status_code == 429


def test_lockout_ends_after_the_cool_off(alice: User):
    client = Client()
    fail(client, "alice", LIMIT)
    assert attempt(client, "alice", PASSWORD).status_code == 429
    AccessAttempt.objects.update(attempt_time=timezone.now() - timedelta(minutes=16))
    response = attempt(client, "alice", PASSWORD)
    assert response.status_code == 302
    assert logged_in(client)


def test_trying_again_during_the_lockout_restarts_the_cool_off(alice: User):
    client = Client()
    fail(client, "alice", LIMIT)
    AccessAttempt.objects.update(attempt_time=timezone.now() - timedelta(minutes=10))
    assert attempt(client, "alice", PASSWORD).status_code == 429
    latest = AccessAttempt.objects.get(username="alice").attempt_time
    assert timezone.now() - latest < timedelta(minutes=1)


def test_a_successful_login_clears_earlier_failures(alice: User):
    fail(Client(), "alice", LIMIT - 1)
    assert attempt(Client(), "alice", PASSWORD).status_code == 302
    responses = fail(Client(), "alice", LIMIT - 1)
    assert all(response.status_code == 200 for response in responses)
    assert attempt(Client(), "alice", PASSWORD).status_code == 302


# --- Passwords ------------------------------------------------------------------------------


def test_admin_refuses_a_weak_password_for_a_new_user_in_finnish(root: User):
    client = login(root, "fi")
    response = client.post(
        reverse("admin:auth_user_add"),
        {
            "username": "newbie",
            "password1": "12345678",
            "password2": "12345678",
            "usable_password": "true",
        },
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "Tämä salasana on liian yleinen." in html
    assert "Tämä salasana on kokonaan numeerinen." in html
    assert not User.objects.filter(username="newbie").exists()


def test_admin_refuses_a_short_password_for_a_new_user_in_english(root: User):
    client = login(root, "en")
    response = client.post(
        reverse("admin:auth_user_add"),
        {"username": "newbie", "password1": "x7#q", "password2": "x7#q", "usable_password": "true"},
    )
    assert response.status_code == 200
    assert "This password is too short." in response.content.decode()
    assert not User.objects.filter(username="newbie").exists()


def test_member_cannot_change_own_password_to_a_weak_one(alice: User):
    client = login(alice, "fi")
    response = client.post(
        reverse("admin:password_change"),
        {"old_password": PASSWORD, "new_password1": "alice123", "new_password2": "alice123"},
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "Salasana on liian lähellä" in html  # too similar to the username
    alice.refresh_from_db()
    assert alice.check_password(PASSWORD)

    strong = "kaunis-kesä-aamu-2026"
    response = client.post(
        reverse("admin:password_change"),
        {"old_password": PASSWORD, "new_password1": strong, "new_password2": strong},
    )
    assert response.status_code == 302
    alice.refresh_from_db()
    assert alice.check_password(strong)
