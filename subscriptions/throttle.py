"""A small, database-backed rate limit for sign-ups, shared by every server process."""

from __future__ import annotations

from datetime import timedelta

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.crypto import salted_hmac

from .models import Throttle

# (limit, window): sign-ups from one client address, and confirmation mails to one address.
PER_CLIENT = (10, timedelta(hours=1))
PER_ADDRESS = (3, timedelta(days=1))


def _key(kind: str, value: str) -> str:
    return salted_hmac(f"subscriptions.throttle.{kind}", value, algorithm="sha256").hexdigest()


def allow(kind: str, value: str, limit: tuple[int, timedelta]) -> bool:
    """Count one attempt for ``value``; False once ``limit`` attempts fell in the window."""
    most, window = limit
    now = timezone.now()
    key = _key(kind, value)
    with transaction.atomic():
        row, created = Throttle.objects.select_for_update().get_or_create(
            key=key, defaults={"window_start": now, "count": 1}
        )
        if created:
            return True
        if row.window_start <= now - window:
            Throttle.objects.filter(pk=row.pk).update(window_start=now, count=1)
            return True
        if row.count >= most:
            return False
        Throttle.objects.filter(pk=row.pk).update(count=F("count") + 1)
        return True


def forget_old(now=None) -> int:  # type: ignore[no-untyped-def]
    """Delete the counters whose longest window has passed; how many."""
    oldest = (now or timezone.now()) - max(PER_CLIENT[1], PER_ADDRESS[1])
    deleted, _ = Throttle.objects.filter(window_start__lte=oldest).delete()
    return deleted
