"""Signed tokens: the confirmation link carries the address until it is confirmed.

No row exists for an address nobody confirmed: the link holds the register, the
address and the language, signed with the service's secret key and valid for
``CONFIRM_MAX_AGE``. The unsubscribe link names a subscription and its address,
so it stays valid as long as that subscription exists and for nothing else.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core import signing

CONFIRM_SALT = "subscriptions.confirm"
UNSUBSCRIBE_SALT = "subscriptions.unsubscribe"
CONFIRM_MAX_AGE = 3 * 24 * 3600  # seconds


@dataclass(frozen=True)
class Pending:
    """A sign-up waiting for its owner's confirmation."""

    register_id: int
    email: str
    language: str


def confirm_token(pending: Pending) -> str:
    payload = {"r": pending.register_id, "e": pending.email, "l": pending.language}
    return signing.dumps(payload, salt=CONFIRM_SALT, compress=True)


def read_confirm_token(token: str) -> Pending | None:
    """The sign-up a confirmation token carries; None if forged, broken or expired."""
    try:
        payload = signing.loads(token, salt=CONFIRM_SALT, max_age=CONFIRM_MAX_AGE)
        return Pending(int(payload["r"]), str(payload["e"]), str(payload["l"]))
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        return None


def unsubscribe_token(subscription_id: int, email: str) -> str:
    return signing.dumps({"s": subscription_id, "e": email}, salt=UNSUBSCRIBE_SALT)


def read_unsubscribe_token(token: str) -> tuple[int, str] | None:
    """The subscription id and address of an unsubscribe token; None if forged or broken."""
    try:
        payload = signing.loads(token, salt=UNSUBSCRIBE_SALT)
        return int(payload["s"]), str(payload["e"])
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        return None
