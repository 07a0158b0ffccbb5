"""Gentle's one settings module. Every value comes from the environment through gentle.lib.env.

Each variable is documented in docs/configuration.md; keep the two in step.
"""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

from django.http.request import split_domain_port as _split_domain_port
from django.http.request import validate_host as _validate_host
from django.utils.translation import gettext_lazy as _

from gentle.audit.chain import AuditKeyError, new_audit_key
from gentle.audit.chain import AuditKeys as _AuditKeys
from gentle.lib.clientip import parse_networks as _parse_networks
from gentle.lib.crypto import KeyRing as _KeyRing
from gentle.lib.crypto import KeyRingError, new_key
from gentle.lib.datadir import (
    demo_file_secret,
    demo_secret_key,
    ensure_writable_dir,
    make_sqlite_files_private,
)
from gentle.lib.env import (
    ConfigError,
    env_bool,
    env_choice,
    env_delay,
    env_int,
    env_list,
    env_str,
    parse_database_url,
)
from gentle.lib.outbound import normalise_base_url as _normalise_base_url
from gentle.lib.siteurl import parse_base_url as _parse_base_url

BASE_DIR = Path(__file__).resolve().parent

GENTLE_ENV = env_choice("GENTLE_ENV", ("demo", "production"), "demo")
DEMO = GENTLE_ENV == "demo"
PRODUCTION = not DEMO

DATA_DIR = Path(
    env_str("GENTLE_DATA_DIR")
    or os.path.join(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local/share", "gentle")
).expanduser()

DEBUG = env_bool("GENTLE_DEBUG", False)
if DEBUG and PRODUCTION:
    raise ConfigError("GENTLE_DEBUG must not be true when GENTLE_ENV=production")

_secret = env_str("SECRET_KEY")
if _secret is None:
    if PRODUCTION:
        raise ConfigError("SECRET_KEY is required when GENTLE_ENV=production")
    _secret = demo_secret_key(ensure_writable_dir(DATA_DIR))
elif PRODUCTION and (len(_secret) < 50 or len(set(_secret)) < 5):
    raise ConfigError("SECRET_KEY is too short: use at least 50 random characters")
SECRET_KEY = _secret

# Process notes are encrypted with these keys (newest first); see `gentle rotate-keys`.
GENTLE_PROCESS_NOTE_KEYS = env_list("GENTLE_PROCESS_NOTE_KEYS", [])
if not GENTLE_PROCESS_NOTE_KEYS:
    if PRODUCTION:
        raise ConfigError("GENTLE_PROCESS_NOTE_KEYS is required when GENTLE_ENV=production")
    GENTLE_PROCESS_NOTE_KEYS = [
        demo_file_secret(ensure_writable_dir(DATA_DIR), "demo-process-note-key", new_key)
    ]
try:
    _KeyRing(GENTLE_PROCESS_NOTE_KEYS)
except KeyRingError as exc:
    raise ConfigError(f"GENTLE_PROCESS_NOTE_KEYS is malformed: {exc}") from None

# The audit chain is keyed (HMAC) with these keys, newest first: the first hashes new rows, all
# verify; anchors of the chain's end go to GENTLE_AUDIT_ANCHOR_FILE (docs/adr/0006-audit-log.md).
GENTLE_AUDIT_KEYS = env_list("GENTLE_AUDIT_KEYS", [])
if not GENTLE_AUDIT_KEYS:
    if PRODUCTION:
        raise ConfigError("GENTLE_AUDIT_KEYS is required when GENTLE_ENV=production")
    GENTLE_AUDIT_KEYS = [
        demo_file_secret(ensure_writable_dir(DATA_DIR), "demo-audit-key", new_audit_key)
    ]
try:
    _AuditKeys(GENTLE_AUDIT_KEYS)
except AuditKeyError as exc:
    raise ConfigError(f"GENTLE_AUDIT_KEYS is malformed: {exc}") from None
GENTLE_AUDIT_ANCHOR_FILE = Path(
    env_str("GENTLE_AUDIT_ANCHOR_FILE") or DATA_DIR / "audit-anchors.jsonl"
).expanduser()

ALLOWED_HOSTS = env_list(
    "GENTLE_ALLOWED_HOSTS", [] if PRODUCTION else ["127.0.0.1", "localhost", "[::1]"]
)
if PRODUCTION and not ALLOWED_HOSTS:
    raise ConfigError("GENTLE_ALLOWED_HOSTS is required when GENTLE_ENV=production")
CSRF_TRUSTED_ORIGINS = env_list("GENTLE_CSRF_TRUSTED_ORIGINS", [])

# Where people reach Gentle: every link in mail (password resets, invitations) is built from
# it, never from a request's Host header.
_base_url = env_str("GENTLE_BASE_URL", None if PRODUCTION else "http://127.0.0.1:8000")
if _base_url is None:
    raise ConfigError("GENTLE_BASE_URL is required when GENTLE_ENV=production")
try:
    GENTLE_BASE_URL = _parse_base_url(_base_url)
except ValueError as exc:
    raise ConfigError(f"GENTLE_BASE_URL is malformed: {exc}") from None
if PRODUCTION:
    if not GENTLE_BASE_URL.startswith("https://"):
        raise ConfigError("GENTLE_BASE_URL must start with https:// when GENTLE_ENV=production")
    if not _validate_host(_split_domain_port(GENTLE_BASE_URL[8:])[0], ALLOWED_HOSTS):
        raise ConfigError("GENTLE_BASE_URL's host is not one of GENTLE_ALLOWED_HOSTS")

_database_url = env_str("DATABASE_URL")
if _database_url is None:
    _database = {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": str(ensure_writable_dir(DATA_DIR) / "gentle.sqlite3"),
    }
else:
    _database = parse_database_url(_database_url)
if _database["ENGINE"].endswith("sqlite3"):
    ensure_writable_dir(
        Path(_database["NAME"]).parent, variable="DATABASE_URL's directory", private=False
    )
    # 0600, also for files an older version left readable; new ones get it from the umask.
    make_sqlite_files_private(Path(_database["NAME"]))
    # WAL lets the web server and the worker read while the other writes; IMMEDIATE
    # transactions and a busy timeout turn lock contention into a short wait, not an error.
    # Reads through memory-mapped I/O share the operating system's page cache instead of a
    # read call per page: a caseload page of a large clinic read its courses' answers 40 %
    # faster (issue 20). Writes still go through SQLite's own calls.
    _mmap = env_int("GENTLE_SQLITE_MMAP_MB", 1024, minimum=0) * 1024 * 1024
    _database["OPTIONS"] = {
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; "
            f"PRAGMA busy_timeout=20000; PRAGMA foreign_keys=ON; PRAGMA mmap_size={_mmap};"
        ),
    }
elif env_bool("GENTLE_PG_PREPARED_STATEMENTS", False):
    # Server-side parameters and prepared statements: psycopg prepares a query the fifth time a
    # connection runs it, and PostgreSQL then plans it once instead of at every request. On
    # the demo the clinician's home went from 17.5 to 10.1 ms. At a programme's size about half
    # the pages are faster with it and half up to 9 % slower (a generic plan is sometimes a
    # little worse), so it is off by default (ADR 0066, amended twice).
    _database["OPTIONS"] = {
        "server_side_binding": True,
        "prepare_threshold": 5,
        **_database.get("OPTIONS", {}),
    }
# Keep connections open between requests (SQLite's PRAGMAs and PostgreSQL's handshake are
# paid once per thread, not per request).
_database["CONN_MAX_AGE"] = env_int("GENTLE_DB_CONN_MAX_AGE", 60, minimum=0)
_database["CONN_HEALTH_CHECKS"] = True
DATABASES = {"default": _database}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    # Gentle's apps come before allauth so that our templates override allauth's.
    "gentle",
    "gentle.audit",
    "gentle.notify",
    "gentle.accounts",
    "gentle.clients",
    "gentle.safety",
    "gentle.courses",
    "gentle.fidelity",
    "gentle.measures",
    "gentle.inventory",
    "gentle.timeline",
    "gentle.formulation",
    "gentle.grief",
    "gentle.communication",
    "gentle.roleplay",
    "gentle.groups",
    "gentle.intake",
    "gentle.interop",
    "gentle.staff",
    "gentle.reports",
    "gentle.portal",
    "django_tasks",
    "django_tasks_db",
    "allauth",
    "allauth.account",
    "allauth.mfa",
]

MIDDLEWARE = [
    "gentle.middleware.TrustedProxyMiddleware",
    "gentle.middleware.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "gentle.middleware.SecurityHeadersMiddleware",
    "gentle.middleware.ApiErrorsMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "gentle.accounts.middleware.AuditContextMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "gentle.accounts.middleware.SessionPolicyMiddleware",
    "gentle.accounts.middleware.MfaRequiredMiddleware",
    "gentle.accounts.middleware.NoStoreMiddleware",
    "gentle.middleware.AccessLogMiddleware",
]

ROOT_URLCONF = "gentle.urls"
WSGI_APPLICATION = "gentle.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "OPTIONS": {
            # Django's cached loader over the apps' templates, keeping what each template's
            # fixed tags write once per language (gentle/lib/templates.py).
            "loaders": [
                (
                    "gentle.lib.templates.Loader",
                    [
                        "django.template.loaders.filesystem.Loader",
                        "django.template.loaders.app_directories.Loader",
                    ],
                )
            ],
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "gentle.context_processors.gentle",
            ],
            "libraries": {
                "gentle_forms": "gentle.lib.form_tags",
                "gentle_icons": "gentle.lib.icon_tags",
            },
            # Django's ``date`` filter, keeping what it writes for a date shown again
            # (gentle/lib/date_filter.py).
            "builtins": ["gentle.lib.date_filter"],
        },
    }
]
# Django's form renderer, with lists of choices written out in Python (gentle/lib/forms.py).
FORM_RENDERER = "gentle.lib.forms.FormRenderer"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = ["gentle.accounts.backends.AuthenticationBackend"]
PASSWORD_HASHERS = [
    "gentle.accounts.hashers.Argon2idPasswordHasher",  # OWASP's Argon2id parameters (ADR 0025)
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# django-allauth: email is the login; accounts are created by invitation, never by sign-up.
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_EMAIL_VERIFICATION = "none"
ACCOUNT_ADAPTER = "gentle.accounts.adapter.AccountAdapter"
ACCOUNT_FORMS = {"reset_password": "gentle.accounts.forms.PasswordResetForm"}
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = True
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_SESSION_REMEMBER = False
ACCOUNT_PASSWORD_INPUT_RENDER_VALUE = False
# Throttling, per account ("key") and per visitor's address ("ip", see GENTLE_TRUSTED_PROXIES).
# login_failed: wrong passwords per account (the normalised address, gentle.accounts.adapter)
# and wrong MFA codes per person are two budgets of 5 in any 15 minutes; together they share
# 10 a minute per address.
# Sign-ins per minute from one address: a clinic whose staff all come through one office
# address may raise it (docs/drills.md, "Fifty people at once").
GENTLE_SIGN_INS_PER_ADDRESS = env_int("GENTLE_SIGN_INS_PER_ADDRESS", 30, minimum=5)
ACCOUNT_RATE_LIMITS = {
    "login": f"{GENTLE_SIGN_INS_PER_ADDRESS}/m/ip",
    "login_failed": "10/m/ip,5/15m/key",
    "reset_password": "5/m/ip,3/h/key",
    "reset_password_from_key": "10/m/ip",
    "change_password": "5/m/user",
    "reauthenticate": "5/m/user",
}
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "Gentle"
MFA_RECOVERY_CODE_COUNT = 10
MFA_PASSKEY_LOGIN_ENABLED = False

# Rate limits live in the cache; the database cache is shared by every web process.
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": "gentle_cache",
        # Sign-in budgets and used form stamps live here: Django's default of 300 entries would
        # let a burst of other keys cull them (a fresh budget, a stamp that works again).
        "OPTIONS": {"MAX_ENTRIES": env_int("GENTLE_CACHE_MAX_ENTRIES", 200_000, minimum=10_000)},
    }
}

# The API (ADR 0062): the largest request body it reads (larger ones are answered 413 before
# anything reads them), requests per minute for each personal access token (counted in the
# token's row, so every server process shares the count), and the longest life of a token.
GENTLE_API_MAX_BODY = env_int("GENTLE_API_MAX_BODY", 1_048_576, minimum=1024)
GENTLE_API_RATE_PER_MINUTE = env_int("GENTLE_API_RATE_PER_MINUTE", 120, minimum=1)
GENTLE_API_TOKEN_MAX_DAYS = env_int("GENTLE_API_TOKEN_MAX_DAYS", 365, minimum=1)

# Sessions: idle timeouts (staff, clients), absolute lifetime, MFA for staff.
GENTLE_IDLE_MINUTES_STAFF = env_int("GENTLE_IDLE_MINUTES_STAFF", 15, minimum=1)
GENTLE_IDLE_MINUTES_CLIENT = env_int("GENTLE_IDLE_MINUTES_CLIENT", 30, minimum=1)
GENTLE_SESSION_MAX_HOURS = env_int("GENTLE_SESSION_MAX_HOURS", 12, minimum=1)
GENTLE_DEMO_MFA_OPTIONAL = env_bool("GENTLE_DEMO_MFA_OPTIONAL", DEMO)
if GENTLE_DEMO_MFA_OPTIONAL and PRODUCTION:
    raise ConfigError("GENTLE_DEMO_MFA_OPTIONAL may only be true when GENTLE_ENV=demo")
GENTLE_BREAK_GLASS_MINUTES = env_int("GENTLE_BREAK_GLASS_MINUTES", 60, minimum=5)
GENTLE_INVITATION_DAYS = env_int("GENTLE_INVITATION_DAYS", 7, minimum=1)
# How many hours before a session the client's reminder is queued (clients who agreed to
# reminders; the worker looks every 15 minutes).
GENTLE_REMINDER_HOURS = env_int("GENTLE_REMINDER_HOURS", 24, minimum=1)
# How long an alert may stay unacknowledged before it is escalated, per severity
# (gentle.lib.delays; the worker checks every 5 minutes, so less is not kept).
if env_str("GENTLE_ALERT_ESCALATE_HOURS") is not None:
    raise ConfigError(
        "GENTLE_ALERT_ESCALATE_HOURS was replaced by GENTLE_ALERT_ESCALATE_HIGH, "
        "GENTLE_ALERT_ESCALATE_MODERATE and GENTLE_ALERT_ESCALATE_LOW (e.g. '1 hour', "
        "'1 working day', '3 days'); remove it"
    )
_escalate_limits = {"minimum": timedelta(minutes=5), "maximum": timedelta(days=14)}
GENTLE_ALERT_ESCALATE_HIGH = env_delay("GENTLE_ALERT_ESCALATE_HIGH", "1 hour", **_escalate_limits)
GENTLE_ALERT_ESCALATE_MODERATE = env_delay(
    "GENTLE_ALERT_ESCALATE_MODERATE", "1 working day", **_escalate_limits
)
GENTLE_ALERT_ESCALATE_LOW = env_delay("GENTLE_ALERT_ESCALATE_LOW", "3 days", **_escalate_limits)
GENTLE_CIRCLE_RINGS = env_int("GENTLE_CIRCLE_RINGS", 3, minimum=2)
if GENTLE_CIRCLE_RINGS > 5:
    raise ConfigError("GENTLE_CIRCLE_RINGS must be between 2 and 5")
GENTLE_ONSET_WINDOW_MONTHS = env_int("GENTLE_ONSET_WINDOW_MONTHS", 6, minimum=1)
GENTLE_PERINATAL_ONSET_WINDOW_MONTHS = env_int(
    "GENTLE_PERINATAL_ONSET_WINDOW_MONTHS", 12, minimum=1
)
GENTLE_INTAKE_RETENTION_DAYS = env_int("GENTLE_INTAKE_RETENTION_DAYS", 90, minimum=1)
# A clinic-wide FHIR export (its files are in the database) is deleted this long after it ends.
GENTLE_FHIR_EXPORT_DAYS = env_int("GENTLE_FHIR_EXPORT_DAYS", 7, minimum=1)
GENTLE_INTAKE_PER_HOUR = env_int("GENTLE_INTAKE_PER_HOUR", 3, minimum=1)
GENTLE_INTAKE_MIN_SECONDS = env_int("GENTLE_INTAKE_MIN_SECONDS", 4, minimum=0)
GENTLE_PROBLEM_AREAS = env_choice("GENTLE_PROBLEM_AREAS", ("ipt", "who", "stuart"), "ipt")
GENTLE_INSTRUMENTS_DIR = Path(env_str("GENTLE_INSTRUMENTS_DIR") or DATA_DIR / "instruments")
# The only base URLs the role-play model partner may call; administrators choose among them.
try:
    GENTLE_ROLEPLAY_ENDPOINTS = list(
        dict.fromkeys(_normalise_base_url(u) for u in env_list("GENTLE_ROLEPLAY_ENDPOINTS", []))
    )
except ValueError as exc:  # the message never repeats the URL: it may hold a secret
    raise ConfigError(f"GENTLE_ROLEPLAY_ENDPOINTS is malformed: {exc}") from None
GENTLE_ROLEPLAY_ALLOW_PRIVATE = env_bool("GENTLE_ROLEPLAY_ALLOW_PRIVATE", False)
LOGIN_URL = "account_login"
LOGIN_URL_PATH = "/accounts/login/"
LOGIN_REDIRECT_URL = "home"
ACCOUNT_LOGOUT_REDIRECT_URL = "home"

LANGUAGE_CODE = env_choice("GENTLE_LANGUAGE", ("en", "es"), "en")
LANGUAGES = [("en", _("English")), ("es", _("Spanish"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
# One long and one short date and one time of day per language (gentle/formats/).
FORMAT_MODULE_PATH = "gentle.formats"
USE_I18N = True
TIME_ZONE = env_str("GENTLE_TIME_ZONE", "UTC")
try:
    import zoneinfo

    zoneinfo.ZoneInfo(TIME_ZONE)
except (zoneinfo.ZoneInfoNotFoundError, ValueError):
    raise ConfigError(f"GENTLE_TIME_ZONE {TIME_ZONE!r} is not a known time zone") from None
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(env_str("GENTLE_STATIC_ROOT") or DATA_DIR / "static")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if env_bool("GENTLE_MANIFEST_STATIC", True)
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
# Static files are served from the app folders when collectstatic has not been run (tests,
# development); `gentle demo` and `gentle serve` collect them first.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

GENTLE_CLINIC_NAME = env_str("GENTLE_CLINIC_NAME", "Gentle")

# Django's database sessions, the read of each request written once (gentle/accounts/sessions.py).
SESSION_ENGINE = "gentle.accounts.sessions"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = 12 * 60 * 60  # the absolute lifetime is enforced server-side too
# Messages can name people ("Rosa is now on ring 1."): keep them server-side in the session,
# never in a cookie (signed, not encrypted).
MESSAGE_STORAGE = "django.contrib.messages.storage.session.SessionStorage"
CSRF_COOKIE_HTTPONLY = True
# Django's own failure page has inline styles the CSP refuses; ours is plain (JSON for the API).
CSRF_FAILURE_VIEW = "gentle.views.csrf_failure"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"

if PRODUCTION:
    SECURE_SSL_REDIRECT = env_bool("GENTLE_SSL_REDIRECT", True)
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
    SECURE_HSTS_SECONDS = env_int("GENTLE_HSTS_SECONDS", 63072000, minimum=0)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env_bool("GENTLE_HSTS_PRELOAD", True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True

# The reverse proxies in front of Gentle (addresses or networks). Only requests from them may
# say, in X-Forwarded-For and X-Forwarded-Proto, who the visitor is and that they used HTTPS
# (gentle.lib.clientip; gentle.middleware.TrustedProxyMiddleware drops those headers from
# anyone else). Empty: no proxy, the socket's peer is the visitor.
if env_str("GENTLE_BEHIND_PROXY") is not None:
    raise ConfigError(
        "GENTLE_BEHIND_PROXY was replaced by GENTLE_TRUSTED_PROXIES: "
        "list the reverse proxy's addresses there (e.g. 127.0.0.1) and remove GENTLE_BEHIND_PROXY"
    )
GENTLE_TRUSTED_PROXIES = env_list("GENTLE_TRUSTED_PROXIES", [])
try:
    _parse_networks(GENTLE_TRUSTED_PROXIES)
except ValueError as exc:
    raise ConfigError(f"GENTLE_TRUSTED_PROXIES is malformed: {exc}") from None
if GENTLE_TRUSTED_PROXIES:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

EMAIL_BACKEND = (
    "django.core.mail.backends.console.EmailBackend"
    if DEMO
    else "django.core.mail.backends.smtp.EmailBackend"
)
EMAIL_HOST = env_str("GENTLE_EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("GENTLE_EMAIL_PORT", 25, minimum=1)
EMAIL_HOST_USER = env_str("GENTLE_EMAIL_USER", "")
EMAIL_HOST_PASSWORD = env_str("GENTLE_EMAIL_PASSWORD", "")
EMAIL_USE_TLS = env_bool("GENTLE_EMAIL_TLS", False)
DEFAULT_FROM_EMAIL = env_str("GENTLE_EMAIL_FROM", "gentle@localhost")
# Mail is sent by `gentle worker` (gentle.notify), which must not hang on a silent server.
EMAIL_TIMEOUT = env_int("GENTLE_EMAIL_TIMEOUT", 30, minimum=1)
# A task still running this long after it started lost its worker (kill -9, a lost host) and is
# run again (gentle.tasks.resume_stalled_tasks; docs/drills.md).
GENTLE_TASK_STALLED_MINUTES = env_int("GENTLE_TASK_STALLED_MINUTES", 15, minimum=1)

LOG_LEVEL = env_choice("GENTLE_LOG_LEVEL", ("DEBUG", "INFO", "WARNING", "ERROR"), "INFO")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "gentle.lib.logjson.RequestIdFilter"}},
    "formatters": {"json": {"()": "gentle.lib.logjson.JsonFormatter"}},
    "handlers": {
        "stderr": {
            "class": "logging.StreamHandler",
            "formatter": "json",
            "filters": ["request_id"],
        }
    },
    "root": {"handlers": ["stderr"], "level": LOG_LEVEL},
    "loggers": {
        # 404s and 403s are in the access log already; errors keep their traceback, which the
        # JSON formatter reduces to frames without exception text (it may quote clinical data).
        "django.request": {"level": "ERROR"},
        "django.server": {"handlers": [], "propagate": False},
        "gunicorn.access": {"handlers": [], "propagate": False},
        # WeasyPrint (ADR 0054) tells each rendering step at INFO: only its warnings are news.
        "weasyprint": {"level": "WARNING"},
    },
}
