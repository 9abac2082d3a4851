"""System checks of the notices app (``manage.py check --deploy``)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Error, Tags, register
from django.core.checks import Warning as CheckWarning
from django.core.exceptions import ImproperlyConfigured

from . import signing_keys


@register(Tags.security, deploy=True)
def signing_key_check(app_configs: Any, **kwargs: Any) -> list[CheckMessage]:
    """A deployment without a signing key cannot publish: warn before the first attempt.

    A warning, not an error: a server that only serves what was published
    works without the key. A key file that is configured but unreadable is an error.
    """
    if not settings.NOTICE_SIGNING_KEY_FILE:
        return [
            CheckWarning(
                "NOTICE_SIGNING_KEY_FILE is not set: publishing is refused until it is.",
                hint="Create one with `manage.py generate_signing_key FILE` "
                "(docs/verifying-notices.md).",
                id="notices.W001",
            )
        ]
    try:
        signing_keys.signing_key()
        signing_keys.retired_keys()
    except ImproperlyConfigured as error:
        return [Error(str(error), id="notices.E001")]
    return []
