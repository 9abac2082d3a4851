"""A change announced ahead (issue 11, item 4): a version that comes into force later.

The publisher picks the day on the publish page; the version is published at once
(its own addresses, the feed, subscribers) but the previous version stays current
until the start of that day in the site's time zone (notices.in_force).
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta

import pytest
from django.contrib.auth.models import User
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from notices import in_force, public_cache, services
from notices.models import NoticeRendering, NoticeVersion, Register
from subscriptions import queue
from subscriptions.models import Subscription
from tests.conftest import login
from tests.notices_factory import publish

pytestmark = pytest.mark.usefixtures("blank_pdfs")  # no PDF is read here (tests/conftest.py)

FIRST = datetime(2026, 1, 15, 9, 0, tzinfo=UTC)
SECOND = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
NEW_YEAR = in_force.start_of_day(date(2027, 1, 1))  # 31.12.2026 22:00 UTC in Helsinki


def _announce(register: Register, paula: User) -> NoticeVersion:
    publish(register, paula, published_at=FIRST)
    return publish_ahead(register, paula)


def publish_ahead(register: Register, paula: User) -> NoticeVersion:
    return services.notice_publish(
        register=register,
        user=paula,
        summary={"fi": "Uusi käsittelijä.", "en": "A new processor."},
        published_at=SECOND,
        effective_at=NEW_YEAR,
    )


def test_the_version_in_force_changes_at_the_start_of_the_day(register, paula) -> None:
    announced = _announce(register, paula)
    versions = register.versions.all()

    assert datetime(2026, 12, 31, 22, 0, tzinfo=UTC) == NEW_YEAR
    assert in_force.current(versions, at=SECOND).number == 1
    assert in_force.current(versions, at=NEW_YEAR - timedelta(microseconds=1)).number == 1
    assert in_force.current(versions, at=NEW_YEAR).number == announced.number == 2
    assert in_force.upcoming(versions, after=1, at=SECOND) == announced
    assert in_force.upcoming(versions, after=2, at=SECOND) is None
    assert in_force.current(versions, at=FIRST - timedelta(seconds=1)) is None


def test_a_later_version_published_at_once_supersedes_an_announced_one(register, paula) -> None:
    _announce(register, paula)
    third = publish(register, paula, summary={"fi": "Korjaus.", "en": "A fix."})
    versions = register.versions.all()

    assert in_force.current(versions).number == third.number == 3
    assert in_force.current(versions, at=NEW_YEAR + timedelta(days=1)).number == 3


def test_the_announced_version_states_when_it_comes_into_force(register, paula) -> None:
    announced = _announce(register, paula)
    rendering = NoticeRendering.objects.get(version=announced, language="fi")

    assert 'Voimassa alkaen <time datetime="2027-01-01">1.1.2027</time>' in rendering.html
    assert json.loads(rendering.json)["in_force_from"] == NEW_YEAR.isoformat()
    english = NoticeRendering.objects.get(version=announced, language="en")
    assert "In force from" in english.html and "1 January 2027" in english.html
    first = NoticeRendering.objects.get(version__number=1, language="en")
    assert "In force from" not in first.html
    assert json.loads(first.json)["in_force_from"] == FIRST.isoformat()


def test_publish_page_takes_a_day_and_refuses_today(register, paula) -> None:
    publish(register, paula, published_at=FIRST)
    client: Client = login(paula)
    url = reverse("admin:notices_register_publish", args=[register.pk])
    summaries = {"summary_fi": "Muutos.", "summary_en": "A change."}

    today = client.post(url, {**summaries, "effective_date": timezone.localdate().isoformat()})
    assert today.status_code == 200
    assert "Choose a day after today" in today.content.decode()
    assert register.versions.count() == 1

    day = timezone.localdate() + timedelta(days=10)
    answer = client.post(url, {**summaries, "effective_date": day.isoformat()})
    assert answer.status_code == 302
    version = register.versions.get(number=2)
    assert version.effective_at == in_force.start_of_day(day)
    assert timezone.localtime(version.effective_at).hour == 0


def test_the_service_refuses_a_moment_in_the_past(register, paula) -> None:
    publish(register, paula, published_at=FIRST)
    try:
        # In English whichever language an earlier test left active (the site's is Finnish).
        with translation.override("en"):
            services.notice_publish(
                register=register,
                user=paula,
                summary={"fi": "x", "en": "x"},
                effective_at=timezone.now() - timedelta(hours=1),
            )
    except services.PublishRefused as refused:
        assert "later than today" in str(refused)
    else:
        raise AssertionError("a moment in the past was accepted")
    assert register.versions.count() == 1


def test_subscribers_are_told_at_publishing_with_the_day(register, paula, settings) -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.PUBLIC_BASE_URL = "https://notices.example"
    publish(register, paula, published_at=FIRST)
    Subscription.objects.create(
        register=register,
        email="reader@example.org",
        language="en",
        confirmed_at=FIRST,
        notified_number=1,
    )
    publish_ahead(register, paula)

    queue.enqueue()
    assert queue.send_due().sent == 1
    assert "It comes into force on 1 January 2027" in mail.outbox[0].body


# --- The public addresses: the version in force, chosen at request time -------------------


def _announced_tomorrow(register: Register, paula: User) -> NoticeVersion:
    publish(register, paula, published_at=FIRST)
    return services.notice_publish(
        register=register,
        user=paula,
        summary={"fi": "Uusi käsittelijä.", "en": "A new processor."},
        effective_at=timezone.now() + timedelta(days=1),
    )


def _max_age(response) -> int:  # type: ignore[no-untyped-def]
    directives = dict(
        (part.strip().split("=") + [""])[:2] for part in response["Cache-Control"].split(",")
    )
    return int(directives["max-age"]) + int(directives.get("stale-while-revalidate") or 0)


def test_until_its_day_the_current_addresses_serve_the_version_in_force(register, paula) -> None:
    announced = _announced_tomorrow(register, paula)
    client = Client()

    page = client.get("/en/acme/customers/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "Version 1" in html
    assert "This notice changes on" in html
    assert f'href="/en/acme/customers/versions/{announced.number}/"' in html
    assert 'href="/en/acme/customers/compare/1...2/"' in html
    assert json.loads(client.get("/en/acme/customers/notice.json").content)["version"] == 1
    assert Client().get("/fi/acme/customers/").content.decode().count("Tämä seloste muuttuu") == 1

    coming = client.get("/en/acme/customers/versions/2/").content.decode()
    assert "This version comes into force on" in coming
    assert "This is an earlier version" not in coming


def _time_passes(monkeypatch, announced: NoticeVersion, moved_to: datetime) -> None:  # type: ignore[no-untyped-def]
    """Time passes until ``announced``'s moment is ``moved_to`` away, as the tests see it.

    The database's clock decides which version is in force, so the tests move the
    version's moment instead of the clock (an update no stamp records). The clock
    of the responses the process keeps (``notices.public_cache``) is moved to the
    same distance from the moment as it stood.
    """
    left = moved_to - timezone.now()
    monkeypatch.setattr(public_cache, "_now", lambda: (announced.effective_at - left).timestamp())
    NoticeVersion.objects.filter(pk=announced.pk).update(effective_at=moved_to)


def test_no_cache_may_keep_the_old_version_past_the_moment(register, paula, monkeypatch) -> None:
    announced = _announced_tomorrow(register, paula)
    client = Client()
    assert _max_age(client.get("/en/acme/customers/")) == 360  # a day ahead: as usual

    soon = timezone.now() + timedelta(seconds=120)
    _time_passes(monkeypatch, announced, soon)
    for address in ("", "notice.json", "pdf/", "embed/"):
        response = client.get(f"/en/acme/customers/{address}")
        assert response.status_code == 200, address
        assert "stale-while-revalidate" not in response["Cache-Control"], address
        assert 0 < _max_age(response) <= 120, address


def test_at_its_moment_the_new_version_is_current_with_nothing_run(
    register, paula, monkeypatch
) -> None:
    announced = _announced_tomorrow(register, paula)
    client = Client()
    before = client.get("/en/acme/customers/")
    assert "Version 1" in before.content.decode()
    for address in (
        "/en/acme/",
        "/en/acme/customers/notice.json",
        "/en/acme/customers/versions/1/",
    ):
        assert client.get(address).status_code == 200, address  # kept by the process

    # The moment passes (the database's clock decides, so the day is moved instead).
    _time_passes(monkeypatch, announced, timezone.now() - timedelta(seconds=1))

    after = client.get("/en/acme/customers/")
    assert "Version 2" in after.content.decode()
    assert "This notice changes" not in after.content.decode()
    assert after["ETag"] != before["ETag"]
    assert client.get("/en/acme/customers/", HTTP_IF_NONE_MATCH=before["ETag"]).status_code == 200
    assert json.loads(client.get("/en/acme/customers/notice.json").content)["version"] == 2
    first = client.get("/en/acme/customers/versions/1/").content.decode()
    assert "This is an earlier version" in first
