"""The mail queue: versions subscribers have not been told of, sent outside any request.

``enqueue`` turns each version newer than what a subscription was last told of into
a pending Delivery (one per subscription and version, never twice); ``send_due``
sends the deliveries that are due, one transaction each, so a crash loses at most
the message being sent and two workers never send the same one (rows are claimed
with ``SELECT ... FOR UPDATE SKIP LOCKED`` where the database has it). A failed
message is retried with growing pauses, then given up; each attempt is recorded.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta

from django.db import connection, transaction
from django.db.models import F, Q
from django.utils import timezone

from notices.models import NoticeVersion

from .mail import delivery_message
from .models import Delivery, Subscription

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 5
FIRST_RETRY = timedelta(minutes=5)  # doubled after each failure: 5, 10, 20, 40 minutes


@dataclass
class Report:
    queued: int = 0
    sent: int = 0
    failed: int = 0
    gave_up: int = 0


def enqueue(now=None) -> int:  # type: ignore[no-untyped-def]
    """Queue a delivery for every version a subscription has not been told of; how many."""
    now = now or timezone.now()
    new = (
        NoticeVersion.objects.filter(
            register__subscriptions__isnull=False,
            number__gt=F("register__subscriptions__notified_number"),
        )
        .values_list("pk", "number", "snapshot__languages", "register__subscriptions__pk")
        .order_by("number")
    )
    queued = 0
    with transaction.atomic():
        subscriptions = Subscription.objects.select_for_update().in_bulk({row[3] for row in new})
        rows = []
        for version_id, number, published, subscription_id in new:
            subscription = subscriptions.get(subscription_id)
            if subscription is None or number <= subscription.notified_number:
                continue
            language = subscription.language if subscription.language in published else published[0]
            rows.append(
                Delivery(
                    subscription=subscription,
                    version_id=version_id,
                    language=language,
                    next_attempt_at=now,
                )
            )
            subscription.notified_number = max(subscription.notified_number, number)
        queued = len(Delivery.objects.bulk_create(rows, ignore_conflicts=True))
        Subscription.objects.bulk_update(subscriptions.values(), ["notified_number"])
    return queued


def _claim(now) -> Delivery | None:  # type: ignore[no-untyped-def]
    due = Delivery.objects.filter(
        Q(status=Delivery.Status.PENDING) | Q(status=Delivery.Status.FAILED),
        next_attempt_at__lte=now,
        subscription__isnull=False,
    ).order_by("next_attempt_at", "pk")
    skip_locked = connection.features.has_select_for_update_skip_locked
    return (
        due.select_for_update(skip_locked=skip_locked, of=("self",))
        .select_related("subscription", "version")
        .first()
    )


def send_due(limit: int = 500, now=None) -> Report:  # type: ignore[no-untyped-def]
    """Send up to ``limit`` due deliveries; what happened."""
    report = Report()
    for _ in range(limit):
        with transaction.atomic():
            delivery = _claim(now or timezone.now())
            if delivery is None:
                break
            _attempt(delivery, report)
    return report


def _attempt(delivery: Delivery, report: Report) -> None:
    delivery.attempts += 1
    try:
        delivery_message(delivery).send()
    except Exception as exc:  # any failure of the mail backend is retried later
        logger.warning("subscriptions: delivery %s failed: %s", delivery.pk, exc)
        delivery.last_error = str(exc)[:500]
        if delivery.attempts >= MAX_ATTEMPTS:
            delivery.status = Delivery.Status.GAVE_UP
            report.gave_up += 1
        else:
            delivery.status = Delivery.Status.FAILED
            delivery.next_attempt_at = timezone.now() + FIRST_RETRY * 2 ** (delivery.attempts - 1)
            report.failed += 1
    else:
        delivery.status = Delivery.Status.SENT
        delivery.sent_at = timezone.now()
        delivery.last_error = ""
        report.sent += 1
    delivery.save(update_fields=["attempts", "status", "sent_at", "next_attempt_at", "last_error"])
