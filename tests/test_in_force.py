"""`at/<YYYY-MM-DD>/`: the version in force on a day, at each boundary of the rule.

A version is in force from the moment it is published until the next one is, and
a day counts as the site's time zone (Helsinki) sees it: the version in force on
day D is the latest published by the end of D there.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime

import pytest
from django.test import Client
from django.utils import timezone
from pypdf import PdfReader

from notices.in_force import end_of_day, version_in_force
from notices.models import NoticeRendering, NoticeVersion
from tests.history_factory import FIRST, SECOND, publish_two

pytestmark = pytest.mark.usefixtures("blank_pdfs")


@pytest.fixture
def two_versions(acme, register, paula):
    return publish_two(acme, register, paula)


def at(day: str, lang: str = "en", rest: str = "") -> str:
    return f"/{lang}/acme/customers/at/{day}/{rest}"


def test_end_of_day_is_midnight_in_the_sites_time_zone():
    # Helsinki is UTC+3 in summer (EEST): the day ends at 21:00 UTC.
    assert end_of_day(date(2026, 9, 15)) == datetime(2026, 9, 15, 21, 0, tzinfo=UTC)
    assert end_of_day(date(2025, 3, 3)) == datetime(2025, 3, 3, 22, 0, tzinfo=UTC)


def test_before_the_first_version_is_a_translated_404(two_versions):
    response = Client().get(at("2025-03-02"))
    assert response.status_code == 404
    page = response.content.decode()
    assert (
        "No version of this privacy notice had been published by the end of 2 March 2025." in page
    )
    finnish = Client().get(at("2025-03-02", "fi")).content.decode()
    assert "2.3.2025" in finnish and "Tästä tietosuojaselosteesta ei ollut" in finnish


@pytest.mark.parametrize(
    ("day", "number"),
    [
        ("2025-03-03", 1),  # the first version's day
        ("2026-09-14", 1),  # the day before the second
        ("2026-09-15", 2),  # the second's day
    ],
)
def test_redirects_to_the_version_in_force(two_versions, day, number):
    response = Client().get(at(day))
    assert response.status_code == 302
    assert response["Location"] == f"/en/acme/customers/versions/{number}/"
    assert response["Cache-Control"] == "public, max-age=60"


def test_today_is_the_latest_version(two_versions):
    today = timezone.localdate().isoformat()
    assert Client().get(at(today))["Location"] == "/en/acme/customers/versions/2/"


def test_a_publish_late_in_the_day_counts_for_that_day_in_helsinki(two_versions):
    # 23:30 in Helsinki on 1 October 2026 is 20:30 UTC the same day.
    late = NoticeVersion.objects.get(number=2)
    late.published_at = datetime(2026, 10, 1, 20, 30, tzinfo=UTC)
    late.save()
    assert Client().get(at("2026-10-01"))["Location"].endswith("/versions/2/")
    assert Client().get(at("2026-09-30"))["Location"].endswith("/versions/1/")
    # 00:30 the next day in Helsinki is still 1 October in UTC: not in force on the 1st.
    late.published_at = datetime(2026, 10, 1, 21, 30, tzinfo=UTC)
    late.save()
    assert Client().get(at("2026-10-01"))["Location"].endswith("/versions/1/")


@pytest.mark.parametrize("day", ["2026-02-30", "2026-13-01", "2026-1-01", "20260101", "today"])
def test_invalid_dates_are_404(two_versions, day):
    assert Client().get(at(day)).status_code == 404


def test_json_answers_with_the_version_and_its_permanent_addresses(two_versions):
    response = Client().get(at("2026-09-14", rest="notice.json"))
    assert response.status_code == 200
    assert json.loads(response.content) == {
        "date": "2026-09-14",
        "language": "en",
        "version": 1,
        "published_at": FIRST.isoformat(),
        "url": "http://testserver/en/acme/customers/versions/1/",
        "pdf_url": "http://testserver/en/acme/customers/versions/1/pdf/",
    }
    before = Client().get(at("2025-01-01", "fi", rest="notice.json"))
    assert before.status_code == 404
    assert json.loads(before.content)["error"] == "Mikään versio ei ollut voimassa tänä päivänä."


def test_a_language_the_version_in_force_does_not_publish_is_404(two_versions):
    assert Client().get(at("2026-09-15", "sv")).status_code == 404


def test_another_company_or_offline_register(register, two_versions):
    assert Client().get("/en/borealis/customers/at/2026-09-15/").status_code == 404
    register.is_online = False
    register.save()
    assert Client().get(at("2026-09-15")).status_code == 410


def test_one_query(two_versions, django_assert_num_queries):
    with django_assert_num_queries(1):
        Client().get(at("2026-09-15"))


def test_the_rule_breaks_ties_by_the_higher_number(register, two_versions):
    NoticeVersion.objects.filter(number=2).update(published_at=SECOND)
    NoticeVersion.objects.filter(number=1).update(published_at=SECOND)
    found = version_in_force(NoticeVersion.objects.filter(register=register), date(2026, 9, 15))
    assert found.number == 2


def test_the_fixture_stores_the_blank_stand_in_not_a_rendered_pdf(two_versions):
    # blank_pdfs must reach the renderer publishing uses: a rendered notice has text.
    for rendering in NoticeRendering.objects.filter(version__in=two_versions):
        with rendering.pdf.open("rb") as stored:
            reader = PdfReader(stored)
            assert len(reader.pages) == 1
            assert reader.pages[0].extract_text() == ""
