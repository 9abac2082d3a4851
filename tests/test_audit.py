"""The audit log: every admin addition, change and deletion and every publish, offline
and online is recorded with who, when and what, and shown only to the controller's
own users.
"""

from __future__ import annotations

import html
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.text import capfirst
from django.utils.translation import gettext

from controllers.audit import audit_record
from controllers.models import AuditEvent
from notices import services
from notices.models import LegalBasis, NoticeVersion, Processor, Register, Source
from tests.conftest import Tenant, login
from tests.notices_factory import complete_notice, make_publisher, publish
from tests.test_isolation import form_data

pytestmark = pytest.mark.usefixtures("blank_pdfs")  # no PDF is read here (tests/conftest.py)

Action = AuditEvent.Action
CHANGELIST = reverse("admin:controllers_auditevent_changelist")


@pytest.fixture(autouse=True)
def _no_fixture_events(acme: Tenant, beta: Tenant) -> None:
    """conftest records one event per tenant; each test starts from an empty log."""
    AuditEvent.objects.all().delete()


@pytest.fixture
def media(settings, tmp_path) -> Path:
    root = tmp_path / "media"
    root.mkdir()
    settings.MEDIA_ROOT = root
    return root


def only_event(**lookup: Any) -> AuditEvent:
    events = list(AuditEvent.objects.filter(**lookup))
    assert len(events) == 1, [(e.action, e.object_repr, e.details) for e in events]
    return events[0]


def register_page(client: Client, register: Register) -> tuple[str, dict[str, Any]]:
    url = reverse("admin:notices_register_change", args=[register.pk])
    return url, form_data(client.get(url))


def assert_recent(event: AuditEvent) -> None:
    assert abs((timezone.now() - event.created_at).total_seconds()) < 60


# --- Register parts through the register's page (inlines) --------------------------------


def test_adding_a_register_part_is_recorded(alice: User, alice_client: Client, acme: Tenant):
    url, data = register_page(alice_client, acme.register)
    row = int(data["sources-TOTAL_FORMS"])
    data["sources-TOTAL_FORMS"] = str(row + 1)
    data.update({f"sources-{row}-order": "5", f"sources-{row}-name_fi": "Väestötietojärjestelmä"})
    response = alice_client.post(url, data)
    assert response.status_code == 302

    event = only_event()
    assert event.action == Action.CHANGE
    assert (event.user, event.username, event.controller) == (alice, "alice", acme.controller)
    assert event.object_repr == str(acme.register)
    assert event.object_id == str(acme.register.pk)
    assert event.content_type.model_class() is Register
    assert "Added source “Väestötietojärjestelmä”." in event.summary()
    assert_recent(event)


def test_changing_a_register_part_is_recorded_with_the_changed_fields(
    alice: User, alice_client: Client, acme: Tenant
):
    url, data = register_page(alice_client, acme.register)
    data["sources-0-name_fi"] = "Uusi lähde"
    data["introduction_fi"] = "Uusi johdanto."
    assert alice_client.post(url, data).status_code == 302

    summary = only_event(action=Action.CHANGE, user=alice).summary()
    # Field labels are the fields' own, with the language named: never "Introduction [fi]".
    introduction = Register._meta.get_field("introduction").verbose_name
    name = Source._meta.get_field("name").verbose_name
    assert f"Changed {capfirst(introduction)} (Finnish)" in summary
    assert f"Changed {capfirst(name)} (Finnish) for source “Uusi lähde”." in summary
    assert "[fi]" not in summary
    with translation.override("fi"):
        finnish = only_event(action=Action.CHANGE, user=alice).summary()
        assert f"{capfirst(gettext(str(introduction)))} (suomi)" in finnish
        assert "[fi]" not in finnish
        assert "Introduction" not in finnish
    with translation.override("sv"):
        swedish = only_event(action=Action.CHANGE, user=alice).summary()
        assert f"{capfirst(gettext(str(introduction)))} (finska)" in swedish


def test_deleting_a_register_part_is_recorded(alice: User, alice_client: Client, acme: Tenant):
    url, data = register_page(alice_client, acme.register)
    data["sources-0-DELETE"] = "on"
    assert alice_client.post(url, data).status_code == 302
    assert not Source.objects.filter(pk=acme.source.pk).exists()

    event = only_event(action=Action.CHANGE)
    assert event.controller == acme.controller
    assert "Deleted source “Acme lähde”." in event.summary()


def test_summary_is_shown_in_the_readers_language(alice: User, alice_client: Client, acme):
    url, data = register_page(alice_client, acme.register)
    data["sources-0-DELETE"] = "on"
    alice_client.post(url, data)
    finnish = html.unescape(login(alice, "fi").get(CHANGELIST).content.decode())
    assert 'Poistettu tietolähde "Acme lähde".' in finnish
    assert "Tapahtumaloki" in finnish
    english = login(alice, "en").get(CHANGELIST).content.decode()
    assert "Deleted source “Acme lähde”." in english


# --- Objects with their own admin page ------------------------------------------------------


def test_admin_add_change_and_delete_are_recorded(alice: User, alice_client: Client, acme):
    add = reverse("admin:notices_processor_add")
    response = alice_client.post(
        add, {"name_fi": "Postipalvelu Oy", "service_fi": "Postitus", "country": "FI"}
    )
    assert response.status_code == 302
    processor = Processor.objects.get(name_fi="Postipalvelu Oy")
    added = only_event(action=Action.ADD)
    assert (added.user, added.controller, added.object_repr) == (
        alice,
        acme.controller,
        "Postipalvelu Oy",
    )
    assert added.object_id == str(processor.pk)
    assert added.summary() == "Added."

    change = reverse("admin:notices_processor_change", args=[processor.pk])
    data = form_data(alice_client.get(change))
    data["service_fi"] = "Kirjepostitus"
    assert alice_client.post(change, data).status_code == 302
    changed = only_event(action=Action.CHANGE)
    service = Processor._meta.get_field("service").verbose_name
    assert changed.summary() == f"Changed {capfirst(service)} (Finnish)."

    delete = reverse("admin:notices_processor_delete", args=[processor.pk])
    assert alice_client.post(delete, {"post": "yes"}).status_code == 302
    deleted = only_event(action=Action.DELETE)
    assert (deleted.user, deleted.controller) == (alice, acme.controller)
    assert deleted.object_repr == "Postipalvelu Oy"
    assert deleted.object_id == str(processor.pk)
    # The log outlives the object.
    assert not Processor.objects.filter(pk=processor.pk).exists()
    assert AuditEvent.objects.count() == 3


def test_bulk_delete_action_records_every_object(alice: User, alice_client: Client, acme):
    extra = [
        Processor.objects.create(controller=acme.controller, name=f"Bulk {i}", country="FI")
        for i in range(3)
    ]
    response = alice_client.post(
        reverse("admin:notices_processor_changelist"),
        {
            "action": "delete_selected",
            "_selected_action": [str(p.pk) for p in extra],
            "post": "yes",
        },
    )
    assert response.status_code == 302
    events = AuditEvent.objects.filter(action=Action.DELETE)
    assert sorted(e.object_repr for e in events) == ["Bulk 0", "Bulk 1", "Bulk 2"]
    assert {(e.user, e.controller) for e in events} == {(alice, acme.controller)}


def test_superusers_catalogue_change_is_recorded_without_a_controller(
    root: User, alice: User, acme
):
    basis = LegalBasis.objects.get(code="6-1-b")
    client = login(root)
    change = reverse("admin:notices_legalbasis_change", args=[basis.pk])
    data = form_data(client.get(change))
    data["description_en"] = "Updated wording."
    assert client.post(change, data).status_code == 302
    event = only_event(action=Action.CHANGE)
    assert event.controller is None
    assert event.user == root
    assert "borealis" not in login(alice).get(CHANGELIST).content.decode().lower()
    assert list(login(alice).get(CHANGELIST).context["cl"].result_list) == []
    assert list(client.get(CHANGELIST).context["cl"].result_list) == [event]


# --- Publishing ---------------------------------------------------------------------------------


def test_publish_offline_and_online_are_recorded(acme: Tenant, media):
    register = complete_notice(acme)
    paula = make_publisher(acme.controller)
    version = publish(register, paula)

    published = only_event(action=Action.PUBLISH)
    assert (published.user, published.controller) == (paula, acme.controller)
    assert published.content_type.model_class() is NoticeVersion
    assert published.object_id == str(version.pk)
    assert published.object_repr == f"{register} v1"
    assert_recent(published)

    services.register_set_online(register=register, user=paula, online=False)
    services.register_set_online(register=register, user=paula, online=True)
    assert [e.action for e in AuditEvent.objects.order_by("pk")] == [
        Action.PUBLISH,
        Action.OFFLINE,
        Action.ONLINE,
    ]
    assert {e.object_repr for e in AuditEvent.objects.exclude(action=Action.PUBLISH)} == {
        str(register)
    }


def test_publishing_through_the_admin_is_recorded(acme: Tenant, media):
    register = complete_notice(acme)
    paula = make_publisher(acme.controller)
    client = login(paula)
    response = client.post(
        reverse("admin:notices_register_publish", args=[register.pk]),
        {"summary_fi": "Ensimmäinen.", "summary_en": "First."},
    )
    assert response.status_code == 302
    event = only_event(action=Action.PUBLISH)
    assert event.user == paula
    assert event.controller == acme.controller


def test_refused_publish_records_nothing(acme: Tenant, alice: User, media):
    paula = make_publisher(acme.controller)
    with pytest.raises(services.PublishRefused):
        publish(acme.register, paula, summary={"fi": "", "en": ""})
    assert not AuditEvent.objects.exists()


# --- Who sees the log ---------------------------------------------------------------------------


@pytest.fixture
def both_logged(alice: User, bob: User, acme: Tenant, beta: Tenant) -> None:
    audit_record(user=alice, controller=acme.controller, action=Action.CHANGE, obj=acme.register)
    audit_record(user=bob, controller=beta.controller, action=Action.CHANGE, obj=beta.register)


def test_members_see_only_their_own_controllers_events(
    both_logged, alice: User, acme: Tenant, beta: Tenant
):
    response = login(alice).get(CHANGELIST)
    assert response.status_code == 200
    shown = list(response.context["cl"].result_list)
    assert [e.controller for e in shown] == [acme.controller]
    assert "borealis" not in response.content.decode().lower()
    theirs = AuditEvent.objects.get(controller=beta.controller)
    change = reverse("admin:controllers_auditevent_change", args=[theirs.pk])
    assert login(alice).get(change).status_code == 404


def test_user_of_no_company_sees_no_events(both_logged, charlie: User):
    # Membership grants admin access: a user of no company is sent to the login page.
    assert login(charlie).get(CHANGELIST).status_code == 302


def test_superuser_sees_every_controllers_events(both_logged, root: User):
    shown = login(root).get(CHANGELIST).context["cl"].result_list
    assert len(shown) == 2


def test_the_log_cannot_be_edited_or_deleted_by_anyone(both_logged, alice: User, root: User):
    own = AuditEvent.objects.get(user=alice)
    for client in (login(alice), login(root)):
        page = client.get(reverse("admin:controllers_auditevent_change", args=[own.pk]))
        assert page.status_code == 200
        assert b'name="_save"' not in page.content
        delete = reverse("admin:controllers_auditevent_delete", args=[own.pk])
        assert client.post(delete, {"post": "yes"}).status_code == 403
        assert client.get(reverse("admin:controllers_auditevent_add")).status_code == 403
        bulk = client.post(
            CHANGELIST,
            {"action": "delete_selected", "_selected_action": [str(own.pk)], "post": "yes"},
        )
        assert bulk.status_code in {200, 302}
    assert AuditEvent.objects.filter(pk=own.pk).exists()


def test_audit_changelist_queries_do_not_grow_with_rows(alice: User, acme: Tenant):
    client = login(alice)

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(CHANGELIST).status_code == 200
        return len(queries)

    audit_record(user=alice, controller=acme.controller, action=Action.ADD, obj=acme.register)
    few = count()
    for part in (acme.source, acme.recipient, acme.purpose, acme.category, acme.processor):
        for action in (Action.ADD, Action.CHANGE):
            audit_record(user=alice, controller=acme.controller, action=action, obj=part)
    assert count() == few
