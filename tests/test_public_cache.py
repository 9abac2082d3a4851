"""Public responses kept by the process until what makes them current changes (issue 13).

``notices.public_cache``: an unconditional GET of a public address is answered
from the response the process kept for it, without a query, while the stamp file
is the one it was made under, no version announced ahead is due, and it is at
most ``PUBLIC_CACHE_SECONDS`` old. Freshness after a publish, an offline switch
and a version coming into force is also held by ``tests/test_read_path.py`` and
``tests/test_announced_ahead.py``, which request every address twice.
"""

from __future__ import annotations

import os
import time
from datetime import UTC, datetime, timedelta

import pytest
from django.contrib.auth.models import User
from django.db import connection, transaction
from django.http import HttpResponse
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from controllers.models import Controller
from notices import public_cache, services
from notices.models import NoticeVersion, Register
from tests.conftest import Tenant
from tests.notices_factory import complete_notice, publish
from tests.test_public_pages import body

pytestmark = pytest.mark.usefixtures("blank_pdfs")  # no PDF is read here (tests/conftest.py)

FIRST = datetime(2025, 1, 15, 9, 0, tzinfo=UTC)
SECOND = datetime(2025, 6, 1, 9, 0, tzinfo=UTC)
ADDRESSES = {
    "page": "/fi/acme/customers/",
    "pdf": "/fi/acme/customers/pdf/",
    "json": "/fi/acme/customers/notice.json",
    "embed": "/fi/acme/customers/embed/",
    "changelog": "/fi/acme/customers/versions/",
    "version": "/fi/acme/customers/versions/1/",
    "version pdf": "/fi/acme/customers/versions/1/pdf/",
    "index": "/fi/acme/",
    "feed": "/fi/acme/customers/feed.atom",
    "company feed": "/fi/acme/feed.atom",
    "comparison": "/fi/acme/customers/compare/1...2/",
}


@pytest.fixture
def two_versions(register: Register, paula: User) -> NoticeVersion:
    publish(register, paula, published_at=FIRST)
    return publish(register, paula, summary={"fi": "Uusi.", "en": "New."}, published_at=SECOND)


def answer(client: Client, address: str, **extra) -> tuple[int, dict[str, str], bytes]:
    response = client.get(address, **extra)
    return response.status_code, dict(response.headers), body(response)


def test_a_second_request_is_the_same_response_without_a_query(
    two_versions: NoticeVersion, django_assert_num_queries
):
    client = Client()
    for kind, address in ADDRESSES.items():
        made = answer(client, address)
        assert made[0] == 200, kind
        with django_assert_num_queries(0):
            again = answer(client, address)
        assert again == made, kind


def test_a_saved_company_or_register_is_asked_again(
    two_versions: NoticeVersion, django_assert_num_queries
):
    """The admin saves rows (signals): the embed's allowed origins, the register's name."""
    client = Client()
    embed = client.get(ADDRESSES["embed"])
    assert "https://new.acme.example" not in embed["Content-Security-Policy"]
    company = two_versions.register.controller
    company.embed_origins = "https://new.acme.example"
    company.save()
    with django_assert_num_queries(1):
        embed = client.get(ADDRESSES["embed"])
    assert "https://new.acme.example" in embed["Content-Security-Policy"]

    assert "Acme asiakasrekisteri" in client.get(ADDRESSES["index"]).content.decode()
    register = Register.objects.get(pk=two_versions.register_id)
    register.name_fi = "Uusi nimi"
    register.save()
    assert "Uusi nimi" in client.get(ADDRESSES["index"]).content.decode()


def test_what_is_never_kept_runs_its_view_every_time(
    two_versions: NoticeVersion, paula: User, django_assert_num_queries
):
    client = Client()
    etag = client.get(ADDRESSES["page"])["ETag"]
    for extra in (
        {"HTTP_IF_NONE_MATCH": etag},
        {"HTTP_IF_MODIFIED_SINCE": "Wed, 01 Jan 2020 00:00:00 GMT"},
        {"HTTP_RANGE": "bytes=0-99"},
        {"QUERY_STRING": "utm_source=x"},
    ):
        for _round in range(2):
            with django_assert_num_queries(1):
                client.get(ADDRESSES["page"], **extra)
    for _round in range(2):
        with django_assert_num_queries(1):
            assert client.head(ADDRESSES["page"]).status_code == 200
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/fi/acme/customers/versions/9/").status_code == 404
        assert queries.captured_queries
    services.register_set_online(register=two_versions.register, user=paula, online=False)
    for _round in range(2):
        with CaptureQueriesContext(connection) as queries:
            assert client.get(ADDRESSES["page"]).status_code == 410
        assert queries.captured_queries
    # Another spelling of the address is redirected to the one address, every time.
    for _round in range(2):
        assert client.get("/fi/acme/customers/versions/01/").status_code == 301


def test_the_stamp_changes_at_once_and_again_when_the_transaction_commits(
    db, media, django_capture_on_commit_callbacks
):
    before = public_cache.current_stamp()
    with django_capture_on_commit_callbacks(execute=True) as callbacks, transaction.atomic():
        public_cache.changed()
        inside = public_cache.current_stamp()
        assert inside != before
    assert len(callbacks) == 1
    assert public_cache.current_stamp() not in (before, inside)


def test_a_stamp_replaced_by_another_process_is_seen(
    two_versions: NoticeVersion, django_assert_num_queries
):
    client = Client()
    client.get(ADDRESSES["page"])
    child = os.fork()
    if child == 0:  # another server process publishing
        try:
            public_cache._replace_stamp()
        finally:
            os._exit(0)
    os.waitpid(child, 0)
    with django_assert_num_queries(1):
        client.get(ADDRESSES["page"])


def test_a_change_made_outside_the_application_shows_within_the_seconds_set(
    two_versions: NoticeVersion, settings
):
    """An operator's SQL replaces no stamp: the net, ``PUBLIC_CACHE_SECONDS``, catches it."""
    settings.PUBLIC_CACHE_SECONDS = 0.5
    client = Client()
    assert client.get(ADDRESSES["page"]).status_code == 200
    Register.objects.filter(pk=two_versions.register_id).update(is_online=False)
    started = time.monotonic()
    while client.get(ADDRESSES["page"]).status_code == 200:
        assert time.monotonic() - started < 0.5 + 0.5, "kept past PUBLIC_CACHE_SECONDS"
        time.sleep(0.05)
    assert client.get(ADDRESSES["page"]).status_code == 410


def test_nothing_is_kept_with_no_seconds(
    two_versions: NoticeVersion, settings, django_assert_num_queries
):
    settings.PUBLIC_CACHE_SECONDS = 0
    client = Client()
    for _round in range(2):
        with django_assert_num_queries(1):
            client.get(ADDRESSES["page"])


def test_a_response_over_its_share_of_the_budget_is_not_kept(
    two_versions: NoticeVersion, settings, django_assert_num_queries
):
    client = Client()
    page_size = len(client.get(ADDRESSES["page"]).content)
    settings.PUBLIC_CACHE_BYTES = page_size * public_cache.LARGEST_SHARE - 1
    client.get(ADDRESSES["page"])
    with django_assert_num_queries(1):
        client.get(ADDRESSES["page"])
    settings.PUBLIC_CACHE_BYTES = page_size * public_cache.LARGEST_SHARE
    client.get(ADDRESSES["page"])
    with django_assert_num_queries(0):
        client.get(ADDRESSES["page"])


def test_the_least_recently_used_goes_first_within_the_budget(settings, rf):
    settings.PUBLIC_CACHE_BYTES = 800  # responses of 100 bytes: eight fit
    memo = public_cache.ResponseMemo()
    stamp = public_cache.current_stamp("company")

    def request(number: int):  # type: ignore[no-untyped-def]
        return rf.get(f"/fi/company-{number}/")

    for number in range(8):
        made = public_cache.keep(HttpResponse(b"x" * 100))
        memo.keep(request(number), "testserver", made, stamp)
    assert memo.answer(request(0), "testserver", "company")[0] is not None  # the most recent
    memo.keep(request(8), "testserver", public_cache.keep(HttpResponse(b"y" * 100)), stamp)
    assert memo.size == 800
    assert memo.answer(request(1), "testserver", "company")[0] is None  # least recently used
    for number in (0, *range(2, 9)):
        assert memo.answer(request(number), "testserver", "company")[0] is not None, number


def _announce(register: Register, paula: User, moment: datetime) -> NoticeVersion:
    publish(register, paula, published_at=FIRST)
    return services.notice_publish(
        register=register,
        user=paula,
        summary={"fi": "Uusi.", "en": "New."},
        effective_at=moment,
    )


def test_a_version_announced_ahead_ends_the_keeping_before_its_moment(
    register: Register, paula: User, monkeypatch, settings, django_assert_num_queries
):
    """Until the current pages' Cache-Control starts counting the seconds left; the
    company index until the moment itself."""
    settings.PUBLIC_CACHE_SECONDS = 86400  # the net out of the way: the moment decides
    moment = timezone.now() + timedelta(hours=2)
    _announce(register, paula, moment)
    client = Client()
    for address in (ADDRESSES["page"], ADDRESSES["json"], ADDRESSES["index"]):
        client.get(address)
        with django_assert_num_queries(0):
            client.get(address)

    seconds_before = moment - timedelta(seconds=360)
    monkeypatch.setattr(public_cache, "_now", lambda: seconds_before.timestamp())
    for address in (ADDRESSES["page"], ADDRESSES["json"]):
        with django_assert_num_queries(1):
            client.get(address)
        with django_assert_num_queries(1):  # and not kept again: its max-age counts down
            client.get(address)
    with django_assert_num_queries(0):
        client.get(ADDRESSES["index"])
    monkeypatch.setattr(public_cache, "_now", lambda: moment.timestamp())
    with django_assert_num_queries(1):
        client.get(ADDRESSES["index"])


def test_the_company_index_query_finds_the_next_moment(register: Register, paula: User):
    from notices import public

    moment = timezone.now() + timedelta(days=3)
    _announce(register, paula, moment)
    index, next_in_force = public.company_index("acme")
    assert next_in_force == moment
    assert [slug for slug, _names, _language in index.rows] == ["customers", "customers"]


@pytest.fixture
def borealis_published(beta: Tenant, media, two_versions: NoticeVersion) -> NoticeVersion:
    """Another company's notice, published beside Acme's two versions."""
    from tests.notices_factory import make_publisher

    return publish(complete_notice(beta), make_publisher(beta.controller, "bea"))


BOREALIS = ("/fi/borealis/customers/", "/fi/borealis/")


def test_one_company_publishing_leaves_the_others_kept_answers_in_use(
    borealis_published: NoticeVersion, paula: User, django_assert_num_queries
):
    """Each company has a stamp of its own: Acme's publish, online switch and
    register edits are asked again at Acme's addresses only."""
    client = Client()
    for address in (*ADDRESSES.values(), *BOREALIS):
        assert client.get(address).status_code == 200, address

    def edits():  # type: ignore[no-untyped-def]
        register = Register.objects.get(controller__slug="acme")
        yield publish(register, paula, summary={"fi": "Kolmas.", "en": "Third."})
        services.register_set_online(register=register, user=paula, online=False)
        yield
        services.register_set_online(register=register, user=paula, online=True)
        yield
        register.name_fi = "Uusi nimi"
        register.save()
        yield

    for _edit in edits():
        for address in BOREALIS:
            with django_assert_num_queries(0):
                assert client.get(address).status_code == 200
        for address in (ADDRESSES["page"], ADDRESSES["index"]):
            with CaptureQueriesContext(connection) as queries:
                client.get(address)
            assert queries.captured_queries, address  # asked again (410: the whole chain)
    assert "Uusi nimi" in client.get(ADDRESSES["index"]).content.decode()
    assert client.get(ADDRESSES["version"].replace("/1/", "/3/")).status_code == 200


def test_a_saved_company_row_asks_every_company_again(
    borealis_published: NoticeVersion, django_assert_num_queries
):
    """The company row holds its slug, name and embedding origins: rare to change, and
    its old slug's kept answers must go too, so it replaces the global stamp."""
    client = Client()
    for address in (ADDRESSES["page"], *BOREALIS):
        client.get(address)
    company = Controller.objects.get(slug="acme")
    company.slug = "acme-oy"
    company.save()
    assert client.get(ADDRESSES["page"]).status_code == 404
    assert client.get("/fi/acme-oy/customers/").status_code == 200
    for address in BOREALIS:
        with django_assert_num_queries(1):
            client.get(address)


def test_a_company_stamp_changes_at_once_and_again_at_commit(
    db, media, django_capture_on_commit_callbacks
):
    before, other = public_cache.current_stamp("acme"), public_cache.current_stamp("borealis")
    with django_capture_on_commit_callbacks(execute=True) as callbacks, transaction.atomic():
        public_cache.changed("acme")
        inside = public_cache.current_stamp("acme")
        assert inside != before
    assert len(callbacks) == 1
    assert public_cache.current_stamp("acme") not in (before, inside)
    assert public_cache.current_stamp("borealis") == other
    assert public_cache.current_stamp() == before[:2]  # the global stamp is untouched
    assert (media / ".public-changed.d" / "acme").is_file()


def test_a_scope_that_is_not_a_plain_slug_changes_every_company(db, media):
    """No file outside the stamps' folder is ever written, whatever the name."""
    for name in ("../x", ".hidden", "a/b", ""):
        before = public_cache.current_stamp()
        public_cache.changed(name)
        assert public_cache.current_stamp() != before, name
    assert sorted(p.name for p in media.iterdir()) == [".public-changed"]


def test_an_address_that_names_no_company_is_never_kept(rf):
    memo = public_cache.ResponseMemo()
    request = rf.get("/fi/somewhere/")
    kept, stamp = memo.answer(request, "testserver", None)
    assert kept is None and stamp is None
    memo.keep(request, "testserver", public_cache.keep(HttpResponse(b"x")), stamp)
    assert memo.entries == {}


def test_a_batch_says_each_companys_change_once_at_its_end(
    db, media, django_capture_on_commit_callbacks
):
    """A bulk write (a restore) replaces each stamp once, not once per row it saves."""
    names = ("acme", "borealis")
    before = {name: public_cache.current_stamp(name) for name in names}
    with django_capture_on_commit_callbacks(execute=True) as callbacks, transaction.atomic():
        with public_cache.changes_batched():
            for _ in range(50):
                public_cache.changed("acme")
            with public_cache.changes_batched():  # an inner batch: the outer one says it
                public_cache.changed("borealis")
            assert {name: public_cache.current_stamp(name) for name in names} == before
        inside = {name: public_cache.current_stamp(name) for name in names}
        assert all(inside[name] != before[name] for name in names)
    assert len(callbacks) == 2
    for name in names:
        assert public_cache.current_stamp(name) not in (before[name], inside[name])
