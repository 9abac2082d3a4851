"""Which version of a notice is in force at a moment or on a day: the one rule, used everywhere.

A version is in force from its ``effective_at`` (a change announced ahead) or,
without one, from its publication. At any moment the register's current version
is the highest-numbered version in force; a version announced ahead becomes
current at its moment with nothing running, because every request asks again.
A later version supersedes an earlier one even if it comes into force first.

Days are the site's time zone's (``settings.TIME_ZONE``): a version published at
23:59 Helsinki time is in force that Helsinki day, one published at 00:00 the next
day is not, and a version announced for a day comes into force at its midnight.
Everything that asks "which version applies" (the current addresses, the
``at/<date>/`` addresses, the banners of a coming change) asks here.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django.db.models import Q, QuerySet
from django.utils import timezone

from .models import NoticeVersion


def in_force_q(at: datetime, prefix: str = "") -> Q:
    """Versions in force at ``at`` (``prefix`` reaches the version from another model)."""
    return Q(**{f"{prefix}effective_at__isnull": True, f"{prefix}published_at__lte": at}) | Q(
        **{f"{prefix}effective_at__lte": at}
    )


def current(versions: QuerySet[NoticeVersion], at: datetime | None = None) -> NoticeVersion | None:
    """The version of ``versions`` (one register's) in force at ``at`` (default now)."""
    return versions.filter(in_force_q(at or timezone.now())).order_by("-number").first()


def upcoming(
    versions: QuerySet[NoticeVersion], after: int, at: datetime | None = None
) -> NoticeVersion | None:
    """The next version announced to come into force after ``at``, numbered above ``after``."""
    return (
        versions.filter(number__gt=after, effective_at__gt=at or timezone.now())
        .order_by("effective_at", "number")
        .first()
    )


def start_of_day(day: date) -> datetime:
    """Midnight at the start of ``day`` in the site's time zone: when a dated version begins."""
    return timezone.make_aware(datetime.combine(day, time.min))


def end_of_day(day: date) -> datetime:
    """The first instant after ``day`` in the site's time zone (aware)."""
    return start_of_day(day + timedelta(days=1))


def version_in_force(versions: QuerySet[NoticeVersion], day: date) -> NoticeVersion | None:
    """The version of ``versions`` (one register's) in force at the end of ``day``.

    None before the first version. One query.
    """
    return current(versions, at=end_of_day(day) - timedelta(microseconds=1))
