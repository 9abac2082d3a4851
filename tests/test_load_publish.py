"""``make load``'s publish in the middle of the load (issue 14, point 6).

The load test publishes through the admin's publish form as a publisher would
(``load.publish.AdminPublisher``, logged in by ``bench_publisher``) and compares
readers' throughput while it runs with the rest of the window
(``load.publish.throughput``). Both are checked here against the real thing: a
live server, the publish form, a PDF rendered per language.
"""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.core.management import call_command

from load.publish import AdminPublisher, Publish, throughput
from notices.models import NoticeVersion, Register
from tests.notices_factory import make_publisher, publish


def test_throughput_compares_readers_during_the_publishes_with_the_rest_of_the_window():
    # 30 s at 200 req/s, but 100 req/s during the 5 s of the publish (10 s to 15 s).
    timeline = {"started": 1000.0, "bin_s": 0.1, "counts": [20] * 100 + [10] * 50 + [20] * 150}
    found = throughput(timeline, [Publish(form_at=1009.5, started=1010.0, ended=1015.0)])
    assert found["during_rps"] == pytest.approx(100, rel=0.02)
    assert found["during_s"] == pytest.approx(5)
    assert found["baseline_rps"] == pytest.approx(200)
    # Left out of the baseline: a second before the form was fetched, a second after.
    assert found["baseline_s"] == pytest.approx(30 - 7.5, abs=0.11)
    assert found["ratio"] == pytest.approx(0.5, rel=0.02)
    assert found["target"] == 0.9 and not found["ok"]


def test_a_publish_that_costs_readers_nothing_meets_the_target_and_time_outside_is_not_counted():
    timeline = {"started": 1000.0, "bin_s": 0.1, "counts": [20] * 300}
    publishes = [
        Publish(form_at=1004.5, started=1005.0, ended=1007.0),
        Publish(form_at=1027.5, started=1028.0, ended=1033.0),  # ends 3 s after the window
    ]
    found = throughput(timeline, publishes)
    assert found["ratio"] == pytest.approx(1.0, rel=0.02) and found["ok"]
    assert found["during_s"] == pytest.approx(4)
    assert found["outside_window"] == pytest.approx(3)
    assert [p["measured_s"] for p in found["publishes"]] == pytest.approx([2, 2])


# The live server needs a transactional test; serialized_rollback, as every transactional test
# here: the flush after the others leaves no content types (their ids are cached in every
# worker), and this one's must not let post_migrate recreate them with new ids.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_load_tests_publisher_publishes_the_largest_notice_through_the_admin(
    live_server, register: Register, settings, tmp_path: Path
):
    settings.ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
    publish(register, make_publisher(register.controller))
    result = tmp_path / "publisher.json"
    call_command("bench_publisher", "--force", "--own-languages", "--json", str(result))
    publisher = json.loads(result.read_text())
    assert (publisher["register_pk"], publisher["languages"]) == (register.pk, ["fi", "en"])

    client = AdminPublisher(urlsplit(live_server.url).port, publisher)
    assert client.live_version() == 1
    done = client.publish("Load test: a publish while visitors read.")
    assert done.form_at < done.started < done.ended
    assert client.live_version() == 2  # served from the next request on
    version = NoticeVersion.objects.get(register=register, number=2)
    assert version.published_by.username == publisher["publisher"]
    assert version.summary == dict.fromkeys(
        ["fi", "en"], "Load test: a publish while visitors read."
    )
    assert sorted(r.language for r in version.renderings.all()) == ["en", "fi"]
