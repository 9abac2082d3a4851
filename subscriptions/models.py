"""Who asked to hear of a notice's changes, and what was sent to them.

The service itself is the controller of these addresses, not the companies whose
notices are followed: no company admin sees them. An address is stored only once
its owner confirmed it (the confirmation link carries it, signed, until then) and
is deleted on unsubscribe. Deliveries keep what was sent, without the address
once the subscription is gone.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from notices.models import NoticeVersion, Register


class Subscription(models.Model):
    """A confirmed address following one register's notice, in one language."""

    register = models.ForeignKey(
        Register,
        on_delete=models.CASCADE,
        related_name="subscriptions",
        verbose_name=_("register"),
    )
    email = models.EmailField(_("email address"))
    language = models.CharField(_("language"), max_length=12)
    confirmed_at = models.DateTimeField(_("confirmed"))
    # The newest version this address has been told of, or that was current when it
    # subscribed: later versions are queued for it.
    notified_number = models.PositiveIntegerField(_("told of version"), default=0)

    class Meta:
        verbose_name = _("subscription")
        verbose_name_plural = _("subscriptions")
        constraints = [
            models.UniqueConstraint(
                fields=["register", "email"], name="subscription_unique_address"
            )
        ]

    def __str__(self) -> str:
        return f"{self.register_id}: {self.email}"


class Delivery(models.Model):
    """One message telling one subscription of one version: queued, sent or failed."""

    class Status(models.TextChoices):
        PENDING = "pending", _("waiting")
        SENT = "sent", _("sent")
        FAILED = "failed", _("failed, will be retried")
        GAVE_UP = "gave_up", _("failed, given up")

    subscription = models.ForeignKey(
        Subscription,
        on_delete=models.SET_NULL,
        null=True,
        related_name="deliveries",
        verbose_name=_("subscription"),
    )
    version = models.ForeignKey(
        NoticeVersion,
        on_delete=models.CASCADE,
        related_name="deliveries",
        verbose_name=_("version"),
    )
    language = models.CharField(_("language"), max_length=12)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    created_at = models.DateTimeField(_("queued"), auto_now_add=True)
    next_attempt_at = models.DateTimeField(_("next attempt"))
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    last_error = models.CharField(_("last error"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        constraints = [
            models.UniqueConstraint(
                fields=["subscription", "version"], name="delivery_once_per_version"
            )
        ]
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="delivery_due")]

    def __str__(self) -> str:
        return f"{self.version_id}/{self.subscription_id}: {self.status}"


class Throttle(models.Model):
    """Sign-ups counted per client address and per email address, both as keyed hashes.

    Neither address is stored: the key is an HMAC with the service's secret key, and
    a row is reused or deleted once its window has passed.
    """

    key = models.CharField(max_length=64, unique=True)
    window_start = models.DateTimeField()
    count = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.key[:12]}: {self.count}"
