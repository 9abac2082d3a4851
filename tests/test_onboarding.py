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


# --- A publisher changes a member's role and removes a member -------------------------


def member_url(name: str, membership: Membership) -> str:
    return reverse(
        f"admin:controllers_controller_member_{name}",
        args=[membership.controller_id, membership.pk],
    )


def test_publisher_changes_a_members_role_audited(register, alice):
    paula = make_publisher(register.controller)
    client = login(paula)
    people = reverse("admin:controllers_controller_members", args=[register.controller.pk])
    membership = Membership.objects.get(user=alice)
    html = client.get(people).content.decode()
    assert f'action="{member_url("role", membership)}"' in html
    response = client.post(member_url("role", membership), {"role": "publisher"}, follow=True)
    assert response.redirect_chain == [(people, 302)]
    assert "The role of alice is now: publisher (also publish)." in response.content.decode()
    membership.refresh_from_db()
    assert membership.role == "publisher"
    event = AuditEvent.objects.filter(action=AuditEvent.Action.CHANGE).latest("pk")
    assert (event.username, event.controller_id, event.object_id) == (
        "paula",
        register.controller_id,
        str(membership.pk),
    )
    assert event.summary() == "Changed Role."
    # Back to editor; an unknown role changes nothing.
    client.post(member_url("role", membership), {"role": "editor"})
    client.post(member_url("role", membership), {"role": "owner"})
    membership.refresh_from_db()
    assert membership.role == "editor"


def test_publisher_removes_a_member_after_confirming_audited(register, alice):
    paula = make_publisher(register.controller)
    client = login(paula)
    membership = Membership.objects.get(user=alice)
    confirm = client.get(member_url("remove", membership))
    assert confirm.status_code == 200
    assert "alice will no longer be able to open, edit or publish" in confirm.content.decode()
    assert Membership.objects.filter(pk=membership.pk).exists()
    response = client.post(member_url("remove", membership), follow=True)
    assert (
        "Access removed: alice can no longer open the notices of Acme." in response.content.decode()
    )
    assert not Membership.objects.filter(pk=membership.pk).exists()
    assert User.objects.filter(username="alice").exists()
    event = AuditEvent.objects.filter(action=AuditEvent.Action.DELETE).latest("pk")
    assert (event.username, event.controller_id, event.object_id) == (
        "paula",
        register.controller_id,
        str(membership.pk),
    )
    assert "alice" in event.object_repr
    # alice is out.
    assert login(alice).get(reverse("admin:index")).status_code == 302


def test_the_last_publisher_cannot_step_down_or_leave(register, alice):
    paula = make_publisher(register.controller)
    mine = Membership.objects.get(user=paula)
    client = login(paula, "fi")
    refused = "Yrityksellä on oltava julkaisija: paula on yrityksen Acme ainoa julkaisija."
    response = client.post(member_url("role", mine), {"role": "editor"}, follow=True)
    assert refused in response.content.decode()
    response = client.post(member_url("remove", mine), follow=True)
    assert refused in response.content.decode()
    # Nor through the form that adds people, naming herself as an editor.
    people = reverse("admin:controllers_controller_members", args=[register.controller.pk])
    response = client.post(
        people, {"member-username": "paula", "member-role": "editor", "member-email": ""}
    )
    assert refused in response.content.decode()
    mine.refresh_from_db()
    assert mine.role == "publisher"
    assert not AuditEvent.objects.filter(object_id=str(mine.pk)).exists()
    # With another publisher, she may step down, and then leave.
    Membership.objects.filter(user=alice).update(role="publisher")
    client.post(member_url("role", mine), {"role": "editor"})
    mine.refresh_from_db()
    assert mine.role == "editor"
    Membership.objects.filter(pk=mine.pk).update(role="publisher")
    response = client.post(member_url("remove", mine))
    assert response["Location"] == reverse("admin:index")
    assert not Membership.objects.filter(pk=mine.pk).exists()


def test_another_companys_membership_is_a_404_and_an_editor_changes_nothing(
    register, alice, bob, beta
):
    paula = make_publisher(register.controller)
    bobs = Membership.objects.get(user=bob)
    alices = Membership.objects.get(user=alice)
    client = login(paula)
    # Borealis's membership, through Borealis or through Acme's address.
    through_acme = reverse(
        "admin:controllers_controller_member_role", args=[register.controller_id, bobs.pk]
    )
    for url in (member_url("role", bobs), through_acme):
        assert client.post(url, {"role": "editor"}).status_code == 404
    assert client.get(member_url("remove", bobs)).status_code == 404
    assert client.post(member_url("remove", bobs)).status_code == 404
    # An editor of Acme sees the people, not the buttons, and cannot post.
    editor = login(alice)
    people = reverse("admin:controllers_controller_members", args=[register.controller.pk])
    assert member_url("role", alices) not in editor.get(people).content.decode()
    assert editor.post(member_url("role", alices), {"role": "publisher"}).status_code == 403
    assert editor.post(member_url("remove", alices)).status_code == 403
    assert editor.get(member_url("remove", alices)).status_code == 403
    bobs.refresh_from_db()
    alices.refresh_from_db()
    assert (bobs.role, alices.role) == ("publisher", "editor")
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.DELETE).exists()
