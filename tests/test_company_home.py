"""The company home: a member's front page in the admin, with each register's state."""

from __future__ import annotations

import time

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from notices import services
from tests.conftest import login
from tests.notices_factory import make_publisher, publish

pytestmark = pytest.mark.usefixtures("blank_pdfs")  # no PDF is read here (tests/conftest.py)


def home(client, language: str = "en") -> str:  # type: ignore[no-untyped-def]
    response = client.get(reverse("admin:index"))
    assert response.status_code == 200
    return response.content.decode()


def test_member_front_page_lists_registers_with_their_state_and_buttons(register, beta, media):
    paula = make_publisher(register.controller)
    html = home(login(paula))
    assert "Acme customer register" in html
    assert "Not published yet." in html
    # Another company's registers are not there.
    assert "Borealis" not in html
    for name in ("change", "preview", "publish", "duplicate"):
        assert name in html
    assert reverse("admin:notices_register_steps", args=[register.pk]) in html
    assert reverse("admin:notices_register_publish", args=[register.pk]) in html
    assert reverse("admin:notices_register_preview", args=[register.pk, "en"]) in html
    # Nothing published: no public page, no "view site" for the company.
    assert 'href="/en/acme/"' not in html

    publish(register, paula)
    html = home(login(paula))
    assert "Version 1 published" in html
    assert 'href="/en/acme/customers/"' in html
    assert 'href="/en/acme/"' in html
    assert "edited since version 1" not in html

    register.refresh_from_db()
    register.save()
    html = home(login(paula))
    assert "The draft has been edited since version 1." in html

    services.register_set_online(register=register, user=paula, online=False)
    html = home(login(paula))
    assert "Offline" in html
    assert 'href="/en/acme/customers/"' not in html


def test_editor_sees_no_publish_button(register, alice):
    html = home(login(alice))
    assert "Acme customer register" in html
    assert reverse("admin:notices_register_publish", args=[register.pk]) not in html


def test_home_in_finnish_dates_the_version_the_finnish_way(register, media):
    paula = make_publisher(register.controller)
    publish(register, paula)
    html = home(login(paula, "fi"))
    assert "Muokkaa" in html
    assert "/fi/acme/customers/" in html


def test_superuser_keeps_django_index_and_reaches_any_company_home(acme, beta, root):
    client = login(root)
    html = home(client)
    assert reverse("admin:controllers_controller_onboard") in html
    page = client.get(reverse("admin:controllers_controller_home", args=[beta.controller.pk]))
    assert page.status_code == 200
    assert "Borealis customer register" in page.content.decode()


def test_charlie_and_others_company_home_is_a_404(acme, beta, alice, charlie):
    url = reverse("admin:controllers_controller_home", args=[beta.controller.pk])
    assert login(alice).get(url).status_code == 404
    # Charlie belongs to no company: no admin at all.
    assert login(charlie).get(reverse("admin:index")).status_code == 302


def test_home_reads_a_fixed_number_of_rows_whatever_the_number_of_registers(register, media):
    paula = make_publisher(register.controller)
    publish(register, paula)
    client = login(paula)
    home(client)
    with CaptureQueriesContext(connection) as few:
        home(client)
    for number in range(6):
        copy = services.register_duplicate(register=register, user=paula)
        if number % 2:
            publish(copy, paula)
    with CaptureQueriesContext(connection) as many:
        started = time.perf_counter()
        html = home(client)
        elapsed = time.perf_counter() - started
    assert html.count('class="register-card"') == 7
    assert len(many.captured_queries) == len(few.captured_queries), [
        q["sql"] for q in many.captured_queries
    ]
    assert elapsed < 0.3


def test_the_home_edits_and_adds_registers_step_by_step(register, beta, media):
    paula = make_publisher(register.controller)
    html = home(login(paula))
    assert reverse("admin:notices_register_steps", args=[register.pk]) in html
    new = reverse("admin:notices_register_new") + f"?controller={register.controller.pk}"
    assert f'href="{new}"' in html


def test_a_publisher_takes_a_published_notice_offline_from_the_home(register, beta, media):
    paula = make_publisher(register.controller)
    online = reverse("admin:notices_register_online", args=[register.pk])
    assert online not in home(login(paula))  # nothing published: nothing to take offline
    publish(register, paula)
    html = home(login(paula))
    assert f'href="{online}">Take offline' in html
    services.register_set_online(register=register, user=paula, online=False)
    assert f'href="{online}">Bring back online' in home(login(paula))
