"""Settings come from the environment; without a secret key and DEBUG off they refuse to load.

Each test loads the settings in a fresh interpreter, because they are read once per process.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent

# Every variable config/settings.py reads: the tests start from none of them set.
SETTINGS_VARIABLES = {
    "DEBUG",
    "SECRET_KEY",
    "ALLOWED_HOSTS",
    "CSRF_TRUSTED_ORIGINS",
    "DATABASE_URL",
    "DB_CONN_MAX_AGE",
    "STATIC_ROOT",
    "MEDIA_ROOT",
    "LOGO_MAX_BYTES",
    "LOGO_MAX_DIMENSION",
    "SECURE_SSL_REDIRECT",
    "SECURE_HSTS_SECONDS",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS",
    "SECURE_HSTS_PRELOAD",
    "SILENCED_SYSTEM_CHECKS",
    "LOG_LEVEL",
    "SESSION_COOKIE_AGE",
    "LOGIN_FAILURE_LIMIT",
    "LOGIN_COOLOFF_MINUTES",
    "TRUSTED_PROXY_COUNT",
    "NOTICE_SIGNING_KEY_FILE",
    "NOTICE_SIGNING_RETIRED_KEYS_FILE",
}

SETUP = "import django; django.setup()"
PRINT_SETTINGS = """
import json
import django
from django.conf import settings

django.setup()
db = settings.DATABASES["default"]
print(json.dumps({
    "DEBUG": settings.DEBUG,
    "ENGINE": db["ENGINE"],
    "NAME": str(db["NAME"]),
    "HOST": db["HOST"],
    "USER": db["USER"],
    "ALLOWED_HOSTS": settings.ALLOWED_HOSTS,
    "CSRF_TRUSTED_ORIGINS": settings.CSRF_TRUSTED_ORIGINS,
}))
"""


def run_python(code: str, **env: str) -> subprocess.CompletedProcess[str]:
    """Run code in a new interpreter with only the given settings variables set."""
    clean = {key: value for key, value in os.environ.items() if key not in SETTINGS_VARIABLES}
    clean["DJANGO_SETTINGS_MODULE"] = "config.settings"
    clean.update(env)
    return subprocess.run(  # noqa: S603 (our own interpreter and code)
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=clean,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def loaded_settings(**env: str) -> dict[str, Any]:
    result = run_python(PRINT_SETTINGS, **env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


@pytest.mark.parametrize("env", [{}, {"SECRET_KEY": "", "DEBUG": "0"}], ids=["unset", "empty"])
def test_refuses_to_start_without_secret_key_when_debug_is_off(env):
    result = run_python(SETUP, **env)

    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "SECRET_KEY must be set when DEBUG is off" in result.stderr


def test_starts_without_secret_key_when_debug_is_on():
    result = run_python(SETUP, DEBUG="1")

    assert result.returncode == 0, result.stderr


def test_starts_with_secret_key_and_debug_off():
    settings = loaded_settings(SECRET_KEY="x" * 50)

    assert settings["DEBUG"] is False


def test_default_database_is_sqlite_file_in_the_project():
    settings = loaded_settings(DEBUG="1")

    assert settings["ENGINE"] == "django.db.backends.sqlite3"
    assert settings["NAME"] == str(ROOT / "var" / "db.sqlite3")


def test_database_url_selects_postgresql():
    settings = loaded_settings(SECRET_KEY="x" * 50, DATABASE_URL="postgres://u@h/db")

    assert settings["ENGINE"] == "django.db.backends.postgresql"
    assert (settings["USER"], settings["HOST"], settings["NAME"]) == ("u", "h", "db")


def test_allowed_hosts_and_csrf_origins_are_comma_separated_lists():
    settings = loaded_settings(
        SECRET_KEY="x" * 50,
        ALLOWED_HOSTS="notices.example.com, www.example.com,",
        CSRF_TRUSTED_ORIGINS="https://notices.example.com,https://www.example.com",
    )

    assert settings["ALLOWED_HOSTS"] == ["notices.example.com", "www.example.com"]
    assert settings["CSRF_TRUSTED_ORIGINS"] == [
        "https://notices.example.com",
        "https://www.example.com",
    ]


def test_no_host_is_allowed_by_default_in_production():
    assert loaded_settings(SECRET_KEY="x" * 50)["ALLOWED_HOSTS"] == []


def test_local_hosts_are_allowed_by_default_with_debug_on():
    assert loaded_settings(DEBUG="1")["ALLOWED_HOSTS"] == ["127.0.0.1", "localhost"]
