"""Which version of a notice is in force at a moment: the one rule, used everywhere.

A version is in force from its ``effective_at`` (a change announced ahead) or,
without one, from its publication. At any moment the register's current version
is the highest-numbered version in force; a version announced ahead becomes
current at its moment with nothing running, because every request asks again.
A later version supersedes an earlier one even if it comes into force first.
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
    """The next version announced to come into force later than ``at``, numbered above ``after``."""
    return (
        versions.filter(number__gt=after, effective_at__gt=at or timezone.now())
        .order_by("effective_at", "number")
        .first()
    )


def end_of_day(day: date) -> datetime:
    """The last moment of ``day`` in the site's time zone."""
    start = datetime.combine(day + timedelta(days=1), time.min)
    return timezone.make_aware(start) - timedelta(microseconds=1)


def start_of_day(day: date) -> datetime:
    """Midnight at the start of ``day`` in the site's time zone: when a dated version begins."""
    return timezone.make_aware(datetime.combine(day, time.min))
