"""The messages: a confirmation link, and a version's news for a subscriber.

Both are plain text in the reader's language. Every change message carries the
one-click unsubscribe headers of RFC 8058 (``List-Unsubscribe`` with an https
address and ``List-Unsubscribe-Post``), as large mailbox providers require.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from notices.changes import describe
from notices.rendering import public_urls, version_urls

from . import tokens
from .models import Delivery


def absolute(path: str, base: str = "") -> str:
    """``path`` on the service's public address (``PUBLIC_BASE_URL``, else ``base``)."""
    root = (settings.PUBLIC_BASE_URL or base).rstrip("/")
    if not root:
        raise ImproperlyConfigured(
            "PUBLIC_BASE_URL must be set for email links, e.g. https://notices.example.com"
        )
    return root + path


def _subject(text: str) -> str:
    # A register's name is the company's text: no line break may reach a header.
    return " ".join(text.split())


def confirmation_message(
    pending: tokens.Pending, names: dict[str, str], base: str = ""
) -> EmailMessage:
    """The double opt-in message: the link that confirms ``pending``."""
    path = reverse(
        "subscriptions:confirm",
        kwargs={"lang": pending.language, "token": tokens.confirm_token(pending)},
    )
    with translation.override(pending.language):
        context = {**names, "confirm_url": absolute(path, base), "days": 3}
        subject = _("Confirm: changes to the privacy notice %(notice)s") % {
            "notice": names["notice"]
        }
        body = render_to_string("subscriptions/email/confirm.txt", context)
    return EmailMessage(_subject(subject), body, to=[pending.email])


def delivery_message(delivery: Delivery) -> EmailMessage:
    """The news of ``delivery.version`` for its subscriber, in the subscriber's language."""
    version, subscription = delivery.version, delivery.subscription
    assert subscription is not None  # noqa: S101 (callers send only to existing subscriptions)
    snapshot, lang = version.snapshot, delivery.language
    controller, register = snapshot["controller"]["slug"], snapshot["register"]["slug"]
    unsubscribe = absolute(
        reverse(
            "subscriptions:unsubscribe",
            kwargs={
                "lang": lang,
                "token": tokens.unsubscribe_token(subscription.pk, subscription.email),
            },
        )
    )
    with translation.override(lang):
        context = _version_context(version, snapshot, lang) | {
            "version_url": absolute(
                version_urls(controller, register, lang, version.number)["page"]
            ),
            "changelog_url": absolute(public_urls(controller, register, lang)["versions"]),
            "unsubscribe_url": unsubscribe,
        }
        subject = _("%(notice)s: the privacy notice has changed (version %(number)s)") % {
            "notice": context["notice"],
            "number": version.number,
        }
        body = render_to_string("subscriptions/email/change.txt", context)
    return EmailMessage(
        _subject(subject),
        body,
        to=[subscription.email],
        headers={
            "List-Unsubscribe": f"<{unsubscribe}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        },
    )


def _version_context(version: Any, snapshot: dict[str, Any], lang: str) -> dict[str, Any]:
    described = [describe(change, lang) for change in version.changes]
    return {
        "notice": snapshot["register"]["name"].get(lang, ""),
        "controller": snapshot["controller"]["name"],
        "number": version.number,
        "published_at": version.published_at,
        "effective_at": version.effective_at,
        "summary": version.summary.get(lang, ""),
        "substantive": [change for change in described if change["substantive"]],
        "other_count": sum(1 for change in described if not change["substantive"]),
    }
