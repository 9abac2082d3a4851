"""Settings for the privacy-notice service.

Every deployment knob is an environment variable with a safe default for a
local run. With DEBUG off (the default) the service refuses to start without
SECRET_KEY.
"""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent


def envbool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def envint(name: str, default: int) -> int:
    value = os.environ.get(name, "")
    return int(value) if value.strip() else default


def envlist(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = envbool("DEBUG", False)

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY must be set when DEBUG is off. "
            "Set DEBUG=1 for a local run or provide SECRET_KEY."
        )
    SECRET_KEY = "django-insecure-local-development-only"  # noqa: S105 (DEBUG only)

ALLOWED_HOSTS = envlist("ALLOWED_HOSTS", "127.0.0.1,localhost" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = envlist("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    # modeltranslation must come before django.contrib.admin.
    "modeltranslation",
    "config.apps.TenantAdminConfig",  # django.contrib.admin, with the tenant site
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_countries",
    "csp",
    "axes",
    "controllers",
    "notices",
    "subscriptions",
    "bench",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # WhiteNoise without the static files manifest (config/middleware.py).
    "config.middleware.StaticFilesMiddleware",
    # A public notice's 200 or 304 answered here, with the policy and the headers of
    # the middleware below that change it, without the rest (config/middleware.py).
    "config.middleware.PublicFastPath",
    # After WhiteNoise: static files need no policy. See config/security.py.
    "config.security.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "config.middleware.PublicPagesDoNotVaryByLanguage",
    "django.middleware.locale.LocaleMiddleware",
    # 400 for NUL characters in the address, 503 when the database is away.
    "notices.middleware.DatabaseGuardMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes requires: turns a locked-out login into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# Django's widget templates through Jinja2 and a field's label in Python (a long
# form draws hundreds), every other form template as before (config/renderers.py).
FORM_RENDERER = "config.renderers.FormRenderer"

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{BASE_DIR / 'var' / 'db.sqlite3'}",
        conn_max_age=envint("DB_CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # SQLite as an embedded database that several workers write to at once: the
    # write-ahead log lets readers and a writer work side by side; a writer waits
    # up to SQLITE_BUSY_TIMEOUT seconds for another instead of failing at once with
    # "database is locked" (answered 503); and a transaction takes the write lock
    # when it begins (IMMEDIATE), because a transaction that read first and then
    # wants to write cannot wait for a concurrent writer and fails whatever the
    # timeout (django-axes counts a failed login in such a transaction).
    DATABASES["default"]["OPTIONS"] = {
        **DATABASES["default"].get("OPTIONS", {}),
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL",
        "transaction_mode": "IMMEDIATE",
        "timeout": envint("SQLITE_BUSY_TIMEOUT", 20),
    }
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql" and envbool(
    "DB_PREPARED_STATEMENTS", True
):
    # The public read path's one query per request (notices/public.py) is bound on
    # the server and prepared after this many executions on a connection, so
    # PostgreSQL does not plan it again for every visitor. The ORM's cursors bind
    # on the client and never prepare. Set DB_PREPARED_STATEMENTS=0 behind a
    # connection pooler that cannot keep prepared statements (PgBouncer in
    # transaction mode before 1.21).
    DATABASES["default"]["OPTIONS"] = {
        **DATABASES["default"].get("OPTIONS", {}),
        "prepare_threshold": envint("DB_PREPARE_THRESHOLD", 5),
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# django-axes first: it refuses a locked-out username from this address before
# the password is even checked.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# The languages notices and the admin are offered in, and the only place that
# names them (notices/languages.py reads them from here). The first is the
# default: the language of the admin and of a new register's notice. Adding one
# takes an entry here, its locale/<code>/ catalogue, its catalogue texts (legal
# bases, rights, authorities) and a migration for its translated columns.
LANGUAGE_CODE = "fi"
LANGUAGES = [("fi", _("Finnish")), ("sv", _("Swedish")), ("en", _("English"))]
MODELTRANSLATION_DEFAULT_LANGUAGE = LANGUAGE_CODE
MODELTRANSLATION_LANGUAGES = tuple(code for code, _name in LANGUAGES)
MODELTRANSLATION_FALLBACK_LANGUAGES = {"default": ()}
# Dates as each language writes them in a notice: 15.9.2026 in Finnish and Swedish,
# 15 September 2026 in English.
FORMAT_MODULE_PATH = ["config.formats"]
# Tabs in the admin use a jQuery UI copy served from our own static files.
# modeltranslation reads this setting without a MODELTRANSLATION_ prefix; left
# unset, it loads jQuery UI from a CDN.
JQUERY_UI_URL = "vendor/jquery-ui/jquery-ui.min.js"
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Helsinki"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT") or BASE_DIR / "staticfiles")
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT") or BASE_DIR / "var" / "media")
# Public responses each process keeps until a write replaces their stamp files (by
# default MEDIA_ROOT/.public-changed and, for each company, .public-changed.d/<slug>,
# which every server of a deployment shares with the stored PDFs), a version comes
# into force, or PUBLIC_CACHE_SECONDS pass (a net
# for changes made outside the application; 0 keeps nothing). notices/public_cache.py.
PUBLIC_CACHE_SECONDS = float(os.environ.get("PUBLIC_CACHE_SECONDS", "2"))
PUBLIC_CACHE_BYTES = int(os.environ.get("PUBLIC_CACHE_BYTES", str(32 * 1024 * 1024)))
PUBLIC_CACHE_STAMP = os.environ.get("PUBLIC_CACHE_STAMP", "")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

# Uploaded logos: at most this many bytes and pixels a side.
LOGO_MAX_BYTES = envint("LOGO_MAX_BYTES", 512 * 1024)
LOGO_MAX_DIMENSION = envint("LOGO_MAX_DIMENSION", 2000)
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
# The register's one-page editor submits every row of every part in every language
# (the demo registers 550-770 fields; about ten rows of each part pass Django's 1,000,
# which refused the whole save). Parsing 10,000 fields takes milliseconds.
DATA_UPLOAD_MAX_NUMBER_FIELDS = envint("DATA_UPLOAD_MAX_NUMBER_FIELDS", 10_000)

# The Ed25519 key that signs each published version's record (notices/chain.py,
# docs/verifying-notices.md): a PEM file (PKCS#8) readable by the service only.
# Without one, publishing is refused when DEBUG is off (`check --deploy` warns);
# a local run (DEBUG) makes a throw-away key under var/ the first time it needs one.
# Retired keys' public halves (PEM blocks, one after another) stay published at
# /.well-known/notice-signing-keys.json so records signed with them stay verifiable.
NOTICE_SIGNING_KEY_FILE = os.environ.get("NOTICE_SIGNING_KEY_FILE") or (
    str(BASE_DIR / "var" / "notice-signing-key-dev.pem") if DEBUG else ""
)
NOTICE_SIGNING_KEY_GENERATE = DEBUG
NOTICE_SIGNING_RETIRED_KEYS_FILE = os.environ.get("NOTICE_SIGNING_RETIRED_KEYS_FILE", "")

# Production hardening; `manage.py check --deploy` must pass with DEBUG off.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = envbool("SECURE_SSL_REDIRECT", not DEBUG)
SECURE_HSTS_SECONDS = envint("SECURE_HSTS_SECONDS", 0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = envbool("SECURE_HSTS_INCLUDE_SUBDOMAINS", not DEBUG)
SECURE_HSTS_PRELOAD = envbool("SECURE_HSTS_PRELOAD", not DEBUG)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SESSION_COOKIE_SECURE = not DEBUG
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = envint("SESSION_COOKIE_AGE", 8 * 60 * 60)
CSRF_COOKIE_SECURE = not DEBUG
# No script of ours reads the CSRF cookie: forms carry the token.
CSRF_COOKIE_HTTPONLY = True
CSRF_COOKIE_SAMESITE = "Lax"
LANGUAGE_COOKIE_SECURE = not DEBUG
LANGUAGE_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"

# Content-Security-Policy (django-csp 4) on every page, the admin included. No
# inline script anywhere. The only inline styles are the brand-colour variables in
# the head of a notice page (stored HTML, so no per-request nonce): the middleware
# allows exactly those by their hash. The embed view replaces frame-ancestors
# with its controller's own origins.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}

# Admin login throttling (django-axes): after LOGIN_FAILURE_LIMIT wrong passwords
# for one username from one address, that pair is locked out for
# LOGIN_COOLOFF_MINUTES; a successful login clears the count.
AXES_FAILURE_LIMIT = envint("LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=envint("LOGIN_COOLOFF_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "config.security.lockout_response"
AXES_CLIENT_IP_CALLABLE = "config.security.client_ip"
# Failed attempts only: no log of every successful login (user agents, addresses).
AXES_DISABLE_ACCESS_LOG = True
# No start-up banner; lockouts are still logged, username and address masked.
AXES_VERBOSE = False
# Reverse proxies in front of the service that append the client's address to
# X-Forwarded-For (0: the connecting address is the client's).
TRUSTED_PROXY_COUNT = envint("TRUSTED_PROXY_COUNT", 0)
SILENCED_SYSTEM_CHECKS = envlist("SILENCED_SYSTEM_CHECKS")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    # The stylesheet's browser-only properties, which WeasyPrint would warn about in
    # every PDF (notices/pdf.py).
    "filters": {"browser_only_css": {"()": "notices.pdf.BrowserOnlyProperties"}},
    # WeasyPrint's font subsetting logs every table it touches.
    "loggers": {
        "fontTools": {"level": "WARNING"},
        "weasyprint": {"level": "WARNING", "filters": ["browser_only_css"]},
        "weasyprint.progress": {"level": "WARNING"},
        # django-axes logs every login at INFO; lockouts are WARNING.
        "axes": {"level": "WARNING"},
    },
}

# --- Email (subscriptions/: change emails to visitors who asked for them) ---------------
# SMTP in production, configured by the environment; a local run prints mail to the
# console. EMAIL_BACKEND may name any Django backend (tests use locmem).
EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND") or (
    "django.core.mail.backends.console.EmailBackend"
    if DEBUG
    else "django.core.mail.backends.smtp.EmailBackend"
)
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = envint("EMAIL_PORT", 25)
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = envbool("EMAIL_USE_TLS")
EMAIL_USE_SSL = envbool("EMAIL_USE_SSL")
EMAIL_TIMEOUT = envint("EMAIL_TIMEOUT", 10)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "notices@localhost")
# The service's public address for links in emails sent outside a request
# (manage.py send_notice_mail), e.g. https://notices.example.com.
PUBLIC_BASE_URL = os.environ.get("PUBLIC_BASE_URL", "http://127.0.0.1:8000" if DEBUG else "")
# The operator's own privacy notice: the service is the controller of subscribers'
# addresses, and the sign-up page links here.
OPERATOR_NOTICE_URL = os.environ.get("OPERATOR_NOTICE_URL", "")
