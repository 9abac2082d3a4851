"""Onboarding: a company and its first publisher in one form; publishers add people.

Membership grants admin access: nobody ticks "staff status".
"""

from __future__ import annotations

import re

from django.contrib.auth.models import User
from django.core import mail
from django.test import Client
from django.urls import reverse

from controllers.models import AuditEvent, Controller, Membership
from tests.conftest import PASSWORD, login
from tests.notices_factory import make_publisher

ONBOARD = "admin:controllers_controller_onboard"
NEW_PASSWORD = "a-long-new-pass-phrase-7"  # noqa: S105 (a test's)

COMPANY = {
    "company-name": "Uusi Oy",
    "company-business_id": "1572860-0",
    "company-slug": "uusi",
    "company-street_address": "Katu 2",
    "company-postal_code": "00100",
    "company-city": "Helsinki",
    "company-email": "info@uusi.example",
}


def invitation_link(html: str) -> str:
    return re.search(r'id="invitation-link"[^>]*value="([^"]+)"', html).group(1)


def set_password_with(link: str, password: str = NEW_PASSWORD) -> Client:
    client = Client()
    form = client.get(link, follow=True)
    assert form.status_code == 200
    response = client.post(
        form.redirect_chain[-1][0],
        {"new_password1": password, "new_password2": password},
        follow=True,
    )
    assert response.status_code == 200
    return client


def test_superuser_creates_a_company_and_invites_a_new_publisher_in_one_form(root, db):
    client = login(root)
    assert client.get(reverse(ONBOARD)).status_code == 200
    response = client.post(
        reverse(ONBOARD),
        {**COMPANY, "person-username": "uusi-paula", "person-email": "paula@uusi.example"},
    )
    assert response.status_code == 200
    controller = Controller.objects.get(slug="uusi")
    user = User.objects.get(username="uusi-paula")
    assert not user.is_staff
    assert not user.has_usable_password()
    assert Membership.objects.get(user=user, controller=controller).role == "publisher"
    assert AuditEvent.objects.filter(controller=controller, action="add").count() == 2
    link = invitation_link(response.content.decode())
    assert mail.outbox == []

    set_password_with(link)
    # The link worked once.
    again = Client().get(link, follow=True)
    assert again.context["validlink"] is False
    # The new publisher logs in to the admin without staff status and sees the company home.
    client = Client()
    page = client.post(
        reverse("admin:login"),
        {"username": "uusi-paula", "password": NEW_PASSWORD, "next": "/admin/"},
        follow=True,
    )
    assert page.status_code == 200
    assert "Uusi Oy" in client.get(reverse("admin:index")).content.decode()


def test_onboarding_attaches_an_existing_user_and_can_email_the_link(root, alice, acme):
    client = login(root)
    response = client.post(
        reverse(ONBOARD), {**COMPANY, "person-username": "alice", "person-send_email": "on"}
    )
    assert response.status_code == 200
    controller = Controller.objects.get(slug="uusi")
    assert Membership.objects.get(user=alice, controller=controller).role == "publisher"
    # Alice already has a password: no link to send.
    assert "already have a password" in response.content.decode()
    assert mail.outbox == []


def test_onboarding_emails_a_new_users_link_when_asked(root, db):
    login(root).post(
        reverse(ONBOARD),
        {
            **COMPANY,
            "person-username": "uusi-paula",
            "person-email": "paula@uusi.example",
            "person-send_email": "on",
        },
    )
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["paula@uusi.example"]
    assert "/admin/password/" in mail.outbox[0].body


def test_bad_onboarding_saves_nothing_and_says_why(root, acme):
    response = login(root).post(
        reverse(ONBOARD),
        {**COMPANY, "company-business_id": acme.controller.business_id, "person-username": "x"},
    )
    html = response.content.decode()
    assert "errorlist" in html
    assert not Controller.objects.filter(slug="uusi").exists()
    assert not User.objects.filter(username="x").exists()


def test_only_superusers_onboard(alice, acme):
    assert login(alice).get(reverse(ONBOARD)).status_code == 403


def test_publisher_adds_an_editor_from_the_companys_page(register, beta):
    paula = make_publisher(register.controller)
    url = reverse("admin:controllers_controller_members", args=[register.controller.pk])
    client = login(paula)
    assert "paula" in client.get(url).content.decode()
    response = client.post(
        url,
        {"member-username": "erkki", "member-email": "erkki@acme.example", "member-role": "editor"},
    )
    assert response.status_code == 200
    erkki = User.objects.get(username="erkki")
    assert Membership.objects.get(user=erkki).role == "editor"
    set_password_with(invitation_link(response.content.decode()))
    erkki_client = Client(HTTP_ACCEPT_LANGUAGE="en")
    erkki_client.post(reverse("admin:login"), {"username": "erkki", "password": NEW_PASSWORD})
    html = erkki_client.get(reverse("admin:index")).content.decode()
    assert "Acme customer register" in html
    assert "Borealis" not in html


def test_editor_sees_the_people_but_cannot_add(register, alice):
    url = reverse("admin:controllers_controller_members", args=[register.controller.pk])
    client = login(alice)
    html = client.get(url).content.decode()
    assert "alice" in html
    assert 'name="member-username"' not in html
    response = client.post(url, {"member-username": "x", "member-email": "x@x.example"})
    assert response.status_code == 403
    assert not User.objects.filter(username="x").exists()


def test_another_companys_people_are_a_404(register, bob, charlie):
    url = reverse("admin:controllers_controller_members", args=[register.controller.pk])
    assert login(bob).get(url).status_code == 404
    assert login(bob).post(url, {"member-username": "x"}).status_code == 404
    assert login(charlie).get(url).status_code == 302


def test_a_member_without_staff_status_logs_in_and_a_non_member_does_not(acme, db):
    member = User.objects.create_user("mia", "mia@acme.example", PASSWORD)
    Membership.objects.create(user=member, controller=acme.controller, role="editor")
    client = Client()
    response = client.post(
        reverse("admin:login"), {"username": "mia", "password": PASSWORD, "next": "/admin/"}
    )
    assert response.status_code == 302
    assert client.get(reverse("admin:index")).status_code == 200
    User.objects.create_user("nobody", "n@example.com", PASSWORD, is_staff=False)
    refused = Client().post(reverse("admin:login"), {"username": "nobody", "password": PASSWORD})
    assert refused.status_code == 200
    assert "errornote" in refused.content.decode()
