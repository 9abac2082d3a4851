"""Email subscriptions to a notice's changes, end to end (subscriptions/).

Sign-up stores nothing until the link is confirmed; publishing queues a message per
subscriber that ``send_notice_mail`` sends outside the request with RFC 8058's
one-click unsubscribe; unsubscribing deletes the address. Mail goes through
Django's locmem backend (the test settings' outbox).
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.contrib.auth.models import User
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from notices.models import NoticeVersion, Register
from subscriptions import queue, tokens
from subscriptions.models import Delivery, Subscription, Throttle
from tests.notices_factory import publish

pytestmark = pytest.mark.usefixtures("blank_pdfs")  # no PDF is read here (tests/conftest.py)

SUBSCRIBE = "/en/acme/customers/subscribe/"
ADDRESS = "reader@example.org"


@pytest.fixture(autouse=True)
def _mail(settings) -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.PUBLIC_BASE_URL = "https://notices.example"
    settings.OPERATOR_NOTICE_URL = "https://operator.example/privacy/"


@pytest.fixture
def published(register: Register, paula: User) -> NoticeVersion:
    return publish(register, paula)


def link(message: mail.EmailMessage, kind: str) -> str:
    found = re.search(
        rf"https://notices\.example(/subscriptions/\w+/{kind}/[^/\s]+/)", message.body
    )
    assert found, message.body
    return found.group(1)


def subscribe(client: Client, address: str = ADDRESS, path: str = SUBSCRIBE) -> str:
    """Sign up and confirm ``address``; the confirmation link's path."""
    response = client.post(path, {"email": address})
    assert response.status_code == 200, response.content
    confirm = link(mail.outbox[-1], "confirm")
    assert client.post(confirm).status_code == 200
    return confirm


def test_subscribe_confirm_receive_and_unsubscribe_with_one_click(
    published: NoticeVersion, register: Register, paula: User
) -> None:
    client = Client(enforce_csrf_checks=False)
    form = client.get(SUBSCRIBE)
    assert form.status_code == 200
    assert "no-store" in form["Cache-Control"]
    assert b"not stored" in form.content
    assert b'href="https://operator.example/privacy/"' in form.content

    answer = client.post(SUBSCRIBE, {"email": ADDRESS})
    assert b"Check your inbox" in answer.content
    assert not Subscription.objects.exists()  # nothing stored before confirmation
    assert not Throttle.objects.filter(key__contains=ADDRESS).exists()
    confirmation = mail.outbox[0]
    assert confirmation.to == [ADDRESS]
    confirm = link(confirmation, "confirm")

    assert b"<form" in client.get(confirm).content  # a link follower confirms nothing
    assert not Subscription.objects.exists()
    assert client.post(confirm).status_code == 200
    subscription = Subscription.objects.get()
    assert (subscription.email, subscription.language, subscription.notified_number) == (
        ADDRESS,
        "en",
        1,
    )

    second = publish(register, paula, summary={"fi": "Uusi käsittelijä.", "en": "A new processor."})
    call_command("send_notice_mail", stdout=open("/dev/null", "w"))  # noqa: SIM115
    news = mail.outbox[-1]
    assert news.to == [ADDRESS]
    assert "version 2" in news.subject
    assert "A new processor." in news.body
    assert f"/en/acme/customers/versions/{second.number}/" in news.body
    assert news.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    unsubscribe = re.fullmatch(
        r"<https://notices\.example(/.+)>", news.extra_headers["List-Unsubscribe"]
    )
    assert unsubscribe
    delivery = Delivery.objects.get()
    assert (delivery.status, delivery.attempts, delivery.version_id) == ("sent", 1, second.pk)

    call_command("send_notice_mail", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert len(mail.outbox) == 2  # never twice

    # RFC 8058: the mail provider POSTs the body below, with no cookie and no CSRF token.
    strict = Client(enforce_csrf_checks=True)
    response = strict.post(
        unsubscribe.group(1),
        "List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 200
    assert not Subscription.objects.exists()
    kept = Delivery.objects.get()
    assert kept.subscription is None and kept.status == "sent"  # the record, not the address

    publish(register, paula, summary={"fi": "Taas.", "en": "Again."})
    call_command("send_notice_mail", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert len(mail.outbox) == 2


def test_message_is_in_the_subscribers_language(
    published: NoticeVersion, register: Register, paula: User
) -> None:
    subscribe(Client(), path="/fi/acme/customers/subscribe/")
    publish(register, paula, summary={"fi": "Uusi käsittelijä.", "en": "A new processor."})

    queue.enqueue()
    assert queue.send_due().sent == 1

    body = mail.outbox[-1].body
    assert "Uusi käsittelijä." in body and "A new processor." not in body
    assert "/fi/acme/customers/versions/2/" in body
    assert "Peruuta tilaus" in body


def test_invalid_address_is_refused_and_nothing_is_sent(published: NoticeVersion) -> None:
    response = Client().post(SUBSCRIBE, {"email": "not an address"})

    assert response.status_code == 200
    assert b"Enter a valid email address." in response.content
    assert b'aria-invalid="true"' in response.content
    assert mail.outbox == []


def test_sign_ups_are_rate_limited_per_address(published: NoticeVersion) -> None:
    client = Client()
    statuses = [client.post(SUBSCRIBE, {"email": ADDRESS}).status_code for _ in range(4)]

    assert statuses == [200, 200, 200, 429]
    assert len(mail.outbox) == 3
    assert b"Too many sign-ups" in client.post(SUBSCRIBE, {"email": ADDRESS}).content


def test_sign_ups_are_rate_limited_per_client(published: NoticeVersion) -> None:
    client = Client()
    statuses = [
        client.post(SUBSCRIBE, {"email": f"reader{n}@example.org"}).status_code for n in range(11)
    ]

    assert statuses == [200] * 10 + [429]


def test_forged_and_expired_links_are_refused(published: NoticeVersion, monkeypatch) -> None:
    client = Client()
    client.post(SUBSCRIBE, {"email": ADDRESS})
    confirm = link(mail.outbox[0], "confirm")

    assert client.post(confirm[:-3] + "xx/").status_code == 400
    monkeypatch.setattr(tokens, "CONFIRM_MAX_AGE", -1)
    expired = client.post(confirm)
    assert expired.status_code == 400
    assert b"expired" in expired.content
    assert not Subscription.objects.exists()
    assert client.post("/subscriptions/en/unsubscribe/abc/").status_code == 400


def test_no_sign_up_for_an_offline_or_unpublished_notice(
    published: NoticeVersion, register: Register
) -> None:
    assert Client().get("/en/acme/nothing-here/subscribe/").status_code == 404
    Register.objects.filter(pk=register.pk).update(is_online=False)
    assert Client().get(SUBSCRIBE).status_code == 404


class FailingBackend(BaseEmailBackend):
    """An SMTP server that is down."""

    def send_messages(self, email_messages):  # type: ignore[no-untyped-def]
        raise ConnectionRefusedError("the mail server is down")


def test_failed_messages_are_retried_later_and_then_sent(
    published: NoticeVersion, register: Register, paula: User, settings
) -> None:
    subscribe(Client())
    publish(register, paula, summary={"fi": "Muutos.", "en": "A change."})
    settings.EMAIL_BACKEND = f"{__name__}.FailingBackend"

    queue.enqueue()
    first = queue.send_due()
    delivery = Delivery.objects.get()
    assert (first.failed, delivery.status, delivery.attempts) == (1, "failed", 1)
    assert "mail server is down" in delivery.last_error
    assert queue.send_due().failed == 0  # not due yet

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    later = timezone.now() + timedelta(hours=1)
    assert queue.send_due(now=later).sent == 1
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.last_error) == ("sent", 2, "")


def test_delivery_is_given_up_after_the_last_attempt(
    published: NoticeVersion, register: Register, paula: User, settings
) -> None:
    subscribe(Client())
    publish(register, paula, summary={"fi": "Muutos.", "en": "A change."})
    settings.EMAIL_BACKEND = f"{__name__}.FailingBackend"
    queue.enqueue()

    for _ in range(queue.MAX_ATTEMPTS):
        queue.send_due(now=timezone.now() + timedelta(days=7))

    delivery = Delivery.objects.get()
    assert (delivery.status, delivery.attempts) == ("gave_up", queue.MAX_ATTEMPTS)
    assert queue.send_due(now=timezone.now() + timedelta(days=30)).failed == 0


def test_the_notice_page_links_to_the_sign_up_in_its_language(published: NoticeVersion) -> None:
    for lang in published.snapshot["languages"]:
        page = Client().get(f"/{lang}/acme/customers/").content.decode()
        assert f'href="/{lang}/acme/customers/subscribe/"' in page


def test_message_says_what_a_substantive_change_changed(
    published: NoticeVersion, register: Register, paula: User, acme
) -> None:
    subscribe(Client(), path="/fi/acme/customers/subscribe/")
    acme.retention.period = 12  # longer: a substantive change
    acme.retention.save()
    publish(register, paula, summary={"fi": "Pidempi säilytys.", "en": "Kept longer."})

    queue.enqueue()
    assert queue.send_due().sent == 1

    body = mail.outbox[-1].body
    assert "pidempi säilytysaika" in body
    assert "Pituus: 10 vuotta → 12 vuotta" in body
