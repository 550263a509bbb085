"""NeedleChart settings: one file, driven by environment variables.

Every variable read here is listed in `.env.example`; `tests/unit/test_env_example.py`
greps this file for `env_*(` calls and fails if the two drift apart.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

import dj_database_url
import django
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = BASE_DIR / "var"

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def _raw(name: str) -> str | None:
    """Value of NAME, or the contents of the file named by NAME_FILE (for secrets)."""
    value = os.environ.get(name)
    if value is not None:
        return value
    file_path = os.environ.get(f"{name}_FILE")
    if file_path:
        try:
            return Path(file_path).read_text(encoding="utf-8").strip()
        except OSError as exc:
            raise ImproperlyConfigured(f"{name}_FILE={file_path!r} cannot be read: {exc}") from exc
    return None


def env_str(name: str, default: str = "") -> str:
    value = _raw(name)
    return default if value is None else value


def env_bool(name: str, default: bool = False) -> bool:
    value = _raw(name)
    if value is None:
        return default
    lowered = value.strip().lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    # Strict on purpose: "ture" silently meaning False has bitten many deployments.
    raise ImproperlyConfigured(f"{name} must be a boolean (1/0, true/false), got {value!r}")


def env_int(name: str, default: int) -> int:
    value = _raw(name)
    if value is None or value.strip() == "":
        return default
    try:
        return int(value)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be an integer, got {value!r}") from exc


def env_list(name: str, default: list[str] | None = None) -> list[str]:
    value = _raw(name)
    if value is None:
        return list(default or [])
    return [item.strip() for item in value.split(",") if item.strip()]


# True under pytest and for `manage.py test`: a dev secret key is acceptable there.
TESTING = "pytest" in sys.modules or (len(sys.argv) > 1 and sys.argv[1] == "test")

DEBUG = env_bool("NEEDLECHART_DEBUG", False)

SECRET_KEY = env_str("NEEDLECHART_SECRET_KEY")
if not SECRET_KEY:
    if DEBUG or TESTING:
        SECRET_KEY = "django-insecure-needlechart-dev-only-key-never-use-in-production"
    else:
        raise ImproperlyConfigured(
            "NEEDLECHART_SECRET_KEY (or NEEDLECHART_SECRET_KEY_FILE) must be set when "
            "NEEDLECHART_DEBUG is off. See .env.example."
        )

ALLOWED_HOSTS = env_list(
    "NEEDLECHART_ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"] if DEBUG or TESTING else []
)
CSRF_TRUSTED_ORIGINS = env_list("NEEDLECHART_CSRF_TRUSTED_ORIGINS")

CLINIC_NAME = env_str("NEEDLECHART_CLINIC_NAME", "NeedleChart Demo Clinic")
# Printed on calendar invitations, aftercare sheets and consent documents.
CLINIC_ADDRESS = env_str("NEEDLECHART_CLINIC_ADDRESS", "1 Example Street, London")
CLINIC_PHONE = env_str("NEEDLECHART_CLINIC_PHONE", "020 7946 0000")
# When on, an aesthetician's signed session record also needs a clinician's countersignature.
REQUIRE_COUNTERSIGN = env_bool("NEEDLECHART_REQUIRE_COUNTERSIGN", False)

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "ninja",  # serves the API docs' Swagger UI from the installed package, not a CDN
    "needlechart.core",
    "needlechart.accounts",
    "needlechart.audit",
    "needlechart.patients",
    "needlechart.consultations",
    "needlechart.screenings",
    "needlechart.assessments",
    "needlechart.plans",
    "needlechart.consents",
    "needlechart.scheduling",
    "needlechart.treatments",
    "needlechart.outcomes",
    "needlechart.imaging",
    "needlechart.documents",
    "needlechart.prescreen",
    "needlechart.portal",
    "needlechart.notifications",
    "django_tasks_db",
    "needlechart.api",
    "needlechart.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "needlechart.audit.middleware.AuditContextMiddleware",
]

ROOT_URLCONF = "needlechart.config.urls"
WSGI_APPLICATION = "needlechart.config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "needlechart.core.context_processors.clinic",
            ],
        },
    }
]

# ---------------------------------------------------------------- database
# SQLite by default (embedded first); DATABASE_URL switches to PostgreSQL.
DATABASE_URL = env_str("DATABASE_URL")
if DATABASE_URL:
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60)}
else:
    VAR_DIR.mkdir(exist_ok=True)
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(VAR_DIR / "needlechart.sqlite3"),
            "OPTIONS": {
                # IMMEDIATE takes the write lock at BEGIN so two writers queue on
                # busy_timeout instead of failing with "database is locked" mid-transaction.
                "transaction_mode": "IMMEDIATE",
                "timeout": 5,
                "init_command": (
                    "PRAGMA journal_mode=WAL;"
                    "PRAGMA busy_timeout=5000;"
                    "PRAGMA synchronous=NORMAL;"
                    "PRAGMA foreign_keys=ON;"
                ),
            },
        }
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# ---------------------------------------------------------------- auth
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "dashboard"
LOGOUT_REDIRECT_URL = "accounts:login"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
if TESTING:
    # Hashing dominates test time; the strength of the hash is not what tests check.
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

SESSION_COOKIE_AGE = env_int("NEEDLECHART_SESSION_AGE_SECONDS", 60 * 60 * 8)  # one clinic day

# ---------------------------------------------------------------- i18n / time
LANGUAGE_CODE = "en-gb"
TIME_ZONE = env_str("NEEDLECHART_TIME_ZONE", "Europe/London")
USE_I18N = True
USE_TZ = True

# ---------------------------------------------------------------- static files
# Served by Django itself when DEBUG is on (runserver). In production put a web server
# or CDN in front of STATIC_ROOT after `manage.py collectstatic`; WhiteNoise is not used.
STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(env_str("NEEDLECHART_STATIC_ROOT", str(VAR_DIR / "static")))
MEDIA_ROOT = Path(env_str("NEEDLECHART_MEDIA_ROOT", str(VAR_DIR / "media")))

# ---------------------------------------------------------------- clinical photos
# Photos go through the "photos" storage under random names and are only ever served by a
# permission-checking view (never from MEDIA_URL). Local folder by default; any Django
# storage backend (e.g. "storages.backends.s3.S3Storage" with django-storages installed and
# its AWS_* settings) by NEEDLECHART_PHOTO_STORAGE.
PHOTO_STORAGE_BACKEND = env_str(
    "NEEDLECHART_PHOTO_STORAGE", "django.core.files.storage.FileSystemStorage"
)
PHOTO_MAX_BYTES = env_int("NEEDLECHART_PHOTO_MAX_MB", 25) * 1024 * 1024
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    "photos": {
        "BACKEND": PHOTO_STORAGE_BACKEND,
        "OPTIONS": (
            {"location": str(MEDIA_ROOT / "photos")}
            if PHOTO_STORAGE_BACKEND.endswith("FileSystemStorage")
            else {}
        ),
    },
}

# ---------------------------------------------------------------- e-mail
# Console by default (development), a folder of .eml files with EMAIL_FILE_PATH, SMTP with
# EMAIL_HOST. Django 6.1 replaced the EMAIL_* settings by MAILERS; 6.0 only knows EMAIL_*.
# The console and file backends are ours: they keep long lines (sign-in links) unfolded.
DEFAULT_FROM_EMAIL = env_str("NEEDLECHART_DEFAULT_FROM_EMAIL", "NeedleChart <noreply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
_email_host = env_str("EMAIL_HOST")
_email_file_path = env_str("EMAIL_FILE_PATH")
_mailer: dict[str, Any]
if _email_host:
    _mailer = {
        "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "OPTIONS": {
            "host": _email_host,
            "port": env_int("EMAIL_PORT", 587),
            "username": env_str("EMAIL_HOST_USER"),
            "password": env_str("EMAIL_HOST_PASSWORD"),
            "use_tls": env_bool("EMAIL_USE_TLS", True),
        },
    }
elif _email_file_path:
    _mailer = {
        "BACKEND": "needlechart.core.mail.FileEmailBackend",
        "OPTIONS": {"file_path": _email_file_path},
    }
else:
    _mailer = {"BACKEND": "needlechart.core.mail.ConsoleEmailBackend"}

if django.VERSION >= (6, 1):
    MAILERS = {"default": _mailer}
else:  # pragma: no cover - Django 6.0
    EMAIL_BACKEND = _mailer["BACKEND"]
    _legacy_names = {
        "host": "EMAIL_HOST",
        "port": "EMAIL_PORT",
        "username": "EMAIL_HOST_USER",
        "password": "EMAIL_HOST_PASSWORD",
        "use_tls": "EMAIL_USE_TLS",
        "file_path": "EMAIL_FILE_PATH",
    }
    for _option, _value in _mailer.get("OPTIONS", {}).items():
        globals()[_legacy_names[_option]] = _value

# ---------------------------------------------------------------- security
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SESSION_COOKIE_HTTPONLY = True
# Behind TLS (production) cookies must never travel in clear text.
SECURE_COOKIES = env_bool("NEEDLECHART_SECURE_COOKIES", not DEBUG and not TESTING)
SESSION_COOKIE_SECURE = SECURE_COOKIES
CSRF_COOKIE_SECURE = SECURE_COOKIES
if env_bool("NEEDLECHART_BEHIND_TLS_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        # A 403 or 400 is logged as one warning line, without the exception's traceback.
        "client_errors_without_traceback": {
            "()": "needlechart.core.log.ClientErrorsWithoutTraceback"
        },
    },
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "loggers": {
        # Django's default config gives "django" its own console handler in debug, and the
        # records also reach the root's: every line was printed twice. Root prints them.
        "django": {"handlers": [], "propagate": True},
        "django.request": {"filters": ["client_errors_without_traceback"]},
    },
    "root": {"handlers": ["console"], "level": env_str("NEEDLECHART_LOG_LEVEL", "INFO")},
}


# ---------------------------------------------------------------- background tasks
# Django's tasks framework with a database-backed queue (django-tasks-db): no extra server.
# Start a worker with `make worker` (`manage.py db_worker`); `make run` starts one beside the
# web server. NEEDLECHART_TASKS_IMMEDIATE=1 runs tasks in the request instead (tests, demos).
TASKS = {
    "default": {
        "BACKEND": (
            "django.tasks.backends.immediate.ImmediateBackend"
            if env_bool("NEEDLECHART_TASKS_IMMEDIATE", False)
            else "django_tasks_db.DatabaseBackend"
        )
    }
}
# Public address of this site, for links in e-mails (portal sign-in links).
SITE_URL = env_str("NEEDLECHART_SITE_URL", "http://127.0.0.1:8000").rstrip("/")
# How many hours before an appointment its reminder is sent (messaging policy, not clinical).
REMINDER_HOURS_BEFORE = env_int("NEEDLECHART_REMINDER_HOURS_BEFORE", 24)

# ---------------------------------------------------------------- public pre-screen
# Abuse protection of the public page: consultation requests per IP address and window, the
# least time a person takes to fill the form in (faster is a bot), and how long the signed
# form stays valid.
PRESCREEN_RATE_LIMIT = env_int("NEEDLECHART_PRESCREEN_RATE_LIMIT", 5)
PRESCREEN_RATE_WINDOW_SECONDS = env_int("NEEDLECHART_PRESCREEN_RATE_WINDOW_SECONDS", 60 * 60)
PRESCREEN_MIN_FILL_SECONDS = env_int("NEEDLECHART_PRESCREEN_MIN_FILL_SECONDS", 3)
PRESCREEN_TOKEN_MAX_AGE_SECONDS = env_int(
    "NEEDLECHART_PRESCREEN_TOKEN_MAX_AGE_SECONDS", 4 * 60 * 60
)
