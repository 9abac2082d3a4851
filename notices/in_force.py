"""Which published version of a notice was in force on a given day: the rule, once.

A version is in force on day D when it is the latest version published on or
before the end of D in the site's time zone (``settings.TIME_ZONE``): a version
published at 23:59 Helsinki time is in force that Helsinki day, one published
at 00:00 the next day is not. Everything that asks "which version applied on
D" (the ``at/<date>/`` addresses, and later versions announced to come into
force on a future date) asks ``version_in_force``, so the rule cannot drift.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import QuerySet

from .models import NoticeVersion


def end_of_day(day: date) -> datetime:
    """The first instant after ``day`` in the site's time zone (aware)."""
    return datetime.combine(day + timedelta(days=1), time.min, tzinfo=ZoneInfo(settings.TIME_ZONE))


def version_in_force(versions: QuerySet[NoticeVersion], day: date) -> NoticeVersion | None:
    """The version of ``versions`` (one register's) in force on ``day``, or None before the first.

    One query. Ties on the publishing instant go to the higher version number.
    """
    return (
        versions.filter(published_at__lt=end_of_day(day))
        .order_by("-published_at", "-number")
        .first()
    )
