"""Settings for the bounce suppression console, driven by environment variables.

``KWIGA_ENV`` picks the profile: ``development`` (the default: DEBUG on, SQLite, a throwaway secret)
or ``production`` (DEBUG off, the secret and the allowed hosts required from the environment, secure
cookies and HTTPS). ``DATABASE_URL`` switches the database (PostgreSQL in production and CI).
"""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path
from typing import Any

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from suppression.deadlines import postgres_options

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


KWIGA_ENV = os.environ.get("KWIGA_ENV", "development").strip().lower()
if KWIGA_ENV not in {"development", "production"}:
    raise ImproperlyConfigured("KWIGA_ENV must be 'development' or 'production'.")
PRODUCTION = KWIGA_ENV == "production"

DEBUG = env_bool("DJANGO_DEBUG", default=not PRODUCTION)

SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
if not SECRET_KEY:
    if PRODUCTION:
        raise ImproperlyConfigured("DJANGO_SECRET_KEY must be set when KWIGA_ENV=production.")
    SECRET_KEY = "development-only-insecure-key-do-not-use-in-production"

ALLOWED_HOSTS = env_list(
    "DJANGO_ALLOWED_HOSTS", "" if PRODUCTION else "127.0.0.1,localhost,testserver"
)
if PRODUCTION and not ALLOWED_HOSTS:
    raise ImproperlyConfigured("DJANGO_ALLOWED_HOSTS must be set when KWIGA_ENV=production.")
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "simple_history",
    "django_filters",
    "anymail",
    # Ninja renders its API docs from its bundled static files (not a CDN) when it is an app.
    "ninja",
    "csp",
    # Before suppression: the roles sync after migrate needs axes' permissions to exist.
    "axes",
    "suppression",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "suppression.portal.middleware.PortalLocaleMiddleware",
    # Last, as django-axes asks: it turns a lockout seen during sign-in into the lockout page.
    "axes.middleware.AxesMiddleware",
]

# django-axes refuses sign-in for a locked username or client address before any other backend
# checks the password; it watches every django.contrib.auth.authenticate(request, ...) call, so
# the admin login and any LoginView get the same throttling.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

ROOT_URLCONF = "kwiga_mail.urls"

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
            ],
        },
    },
]

WSGI_APPLICATION = "kwiga_mail.wsgi.application"
ASGI_APPLICATION = "kwiga_mail.asgi.application"

SQLITE_PATH = BASE_DIR / "var" / "db.sqlite3"
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{SQLITE_PATH}",
        conn_max_age=int(os.environ.get("DATABASE_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # IMMEDIATE transactions take the write lock up front, so that two writers queue instead of
    # failing with "database is locked" halfway through; WAL lets readers run beside the writer.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    # The event list's covering indexes carry extra columns (INCLUDE) on PostgreSQL only; SQLite
    # builds them on their keys, which is all it needs at its size (Django's hint: silence it).
    SILENCED_SYSTEM_CHECKS = ["models.W040"]

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en"
# The owner portal speaks English and Ukrainian (suppression/locale); the console stays English.
LANGUAGES = [("en", "English"), ("uk", "Українська")]
LOCALE_PATHS = [BASE_DIR / "suppression" / "locale"]
LOGIN_URL = "portal:login"
DEFAULT_FROM_EMAIL = os.environ.get("DJANGO_DEFAULT_FROM_EMAIL", "Kwiga <no-reply@kwiga.example>")
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "var" / "static"

EMAIL_BACKEND = os.environ.get(
    "DJANGO_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend"
)

# Sign-in throttling (django-axes, state in the database). AXES_FAILURE_LIMIT failed sign-ins
# within the cool-off period lock the username (from any address) and, separately, the client
# address (for any username); each failure while locked restarts the cool-off. Leads unlock in
# the admin (Sign-in attempts), or `manage.py axes_reset_username NAME` / `axes_reset_ip IP`.
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = timedelta(minutes=int(os.environ.get("AXES_COOLOFF_MINUTES", "15")))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_LOCKOUT_CALLABLE = "suppression.signin.lockout.lockout_response"
AXES_HTTP_RESPONSE_CODE = 429
AXES_ENABLE_ACCESS_FAILURE_LOG = True
AXES_VERBOSE = False  # our own log lines (suppression.signin) name the username and address
# The client address is REMOTE_ADDR unless told otherwise (django-ipware). Behind one reverse
# proxy every request comes from the proxy, so one guesser would lock the address of everybody:
# set AXES_IPWARE_META_PRECEDENCE_ORDER=HTTP_X_FORWARDED_FOR,REMOTE_ADDR and have the proxy
# append the peer address to X-Forwarded-For (nginx: $proxy_add_x_forwarded_for). The right-most
# entry is then the address the proxy saw; entries a client sends itself are ignored.
AXES_IPWARE_META_PRECEDENCE_ORDER = tuple(
    env_list("AXES_IPWARE_META_PRECEDENCE_ORDER", "REMOTE_ADDR")
)
AXES_IPWARE_PROXY_ORDER = os.environ.get("AXES_IPWARE_PROXY_ORDER", "right-most")
AXES_IPWARE_PROXY_COUNT = (
    int(os.environ["AXES_IPWARE_PROXY_COUNT"])
    if os.environ.get("AXES_IPWARE_PROXY_COUNT")
    else None
)

# Content-Security-Policy (django-csp) on every response: scripts, styles, fonts and fetches only
# from this origin, no inline script or style, no plugins, no framing. Pages of ours keep it by
# having no inline script; data to a script goes in <script type="application/json">.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    },
}

SIMPLE_HISTORY_REVERT_DISABLED = True
SIMPLE_HISTORY_HISTORY_CHANGE_REASON_USE_TEXT_FIELD = True

if PRODUCTION:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = int(os.environ.get("DJANGO_HSTS_SECONDS", "31536000"))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SECURE_CONTENT_TYPE_NOSNIFF = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("DJANGO_LOG_LEVEL", "INFO")},
}

# The app's own settings: one namespaced dict, read through suppression.conf.setting() and
# validated by the system checks in suppression/checks.py. Defaults are docs/design.md's policy.
SUPPRESSION: dict[str, Any] = {
    "SOFT_BOUNCE_THRESHOLD": int(os.environ.get("SUPPRESSION_SOFT_BOUNCE_THRESHOLD", "3")),
    "SOFT_BOUNCE_WINDOW_DAYS": int(os.environ.get("SUPPRESSION_SOFT_BOUNCE_WINDOW_DAYS", "14")),
    "PROBATION_DAYS": 30,
    "REPEAT_REINSTATEMENT_COUNT": 3,
    "REPEAT_REINSTATEMENT_WINDOW_DAYS": 180,
    "HARD_BOUNCE_AFTER_REINSTATEMENT_DAYS": 30,
    "DNS_NAMESERVERS": env_list("SUPPRESSION_DNS_NAMESERVERS"),
    "DNS_PORT": int(os.environ.get("SUPPRESSION_DNS_PORT", "53")),
    "DNS_TIMEOUT_SECONDS": float(os.environ.get("SUPPRESSION_DNS_TIMEOUT", "3")),
    "MAX_MESSAGE_BYTES": int(
        os.environ.get("SUPPRESSION_MAX_MESSAGE_BYTES", str(10 * 1024 * 1024))
    ),
    # Client-side deadlines on the database (seconds; see docs/database.md): a server that
    # accepts and never answers must not hang a worker or the MTA pipe.
    "DB_CONNECT_TIMEOUT_SECONDS": int(os.environ.get("SUPPRESSION_DB_CONNECT_TIMEOUT", "10")),
    "DB_KEEPALIVE_IDLE_SECONDS": int(os.environ.get("SUPPRESSION_DB_KEEPALIVE_IDLE", "30")),
    "DB_TCP_USER_TIMEOUT_SECONDS": int(os.environ.get("SUPPRESSION_DB_TCP_USER_TIMEOUT", "30")),
    # The ingest path's statements prepared on the server; 0 behind PgBouncer < 1.21 in
    # transaction mode (services/fastsql.py).
    "DB_PREPARED_STATEMENTS": env_bool("SUPPRESSION_DB_PREPARED_STATEMENTS", True),
    # A persistent connection that finished a request without error this recently is not pinged
    # (CONN_HEALTH_CHECKS' SELECT 1) before the next one: suppression/dbhealth.py. 0: always.
    # The bulk check says where its time went in a Server-Timing header (bench/api_bench.py).
    "API_SERVER_TIMING": env_bool("SUPPRESSION_API_SERVER_TIMING", False),
    "DB_HEALTH_CHECK_IDLE_SECONDS": float(
        os.environ.get("SUPPRESSION_DB_HEALTH_CHECK_IDLE_SECONDS", "1")
    ),
    "PIPE_DEADLINE_SECONDS": int(os.environ.get("SUPPRESSION_PIPE_DEADLINE", "60")),
    "WEB_STATEMENT_TIMEOUT_SECONDS": int(os.environ.get("SUPPRESSION_WEB_STATEMENT_TIMEOUT", "30")),
    # A login that may act as both database roles (tests, CI) switches each new connection to
    # this one, the application role; in production the application logs in as it instead.
    "DB_APP_ROLE": os.environ.get("DATABASE_APP_ROLE", "").strip(),
    # The owner portal: requests an owner may file a day, where new requests are announced, the
    # address links in mails start with, and how long an invitation's set-password link lasts.
    "REQUEST_RESPONSE_TARGET_HOURS": int(os.environ.get("SUPPRESSION_REQUEST_TARGET_HOURS", "24")),
    "OWNER_DAILY_REQUEST_LIMIT": int(os.environ.get("SUPPRESSION_OWNER_DAILY_REQUEST_LIMIT", "30")),
    "SUPPORT_EMAIL": os.environ.get("SUPPRESSION_SUPPORT_EMAIL", "support@kwiga.example"),
    "SITE_URL": os.environ.get("KWIGA_SITE_URL", "http://127.0.0.1:8000").rstrip("/"),
    "INVITATION_DAYS": int(os.environ.get("SUPPRESSION_INVITATION_DAYS", "7")),
    # serve_lmtp answers 451 (the MTA retries) when a message is not stored within this time.
    "LMTP_DEADLINE_SECONDS": int(os.environ.get("SUPPRESSION_LMTP_DEADLINE", "30")),
    # Liveness: each way in writes its last delivery at most this often; support is mailed
    # (check_liveness) when one that delivered before has been silent this long.
    "LIVENESS_WRITE_SECONDS": int(os.environ.get("SUPPRESSION_LIVENESS_WRITE_SECONDS", "60")),
    "LIVENESS_SILENCE_MINUTES": int(os.environ.get("SUPPRESSION_LIVENESS_SILENCE_MINUTES", "360")),
    # Checking a contact list before import: the largest upload, how long uploads and reports
    # are kept, and the list check's own DNS timeout (a timeout is "could not check").
    "LIST_CHECK_MAX_UPLOAD_BYTES": int(
        os.environ.get("SUPPRESSION_LIST_CHECK_MAX_UPLOAD_BYTES", str(20 * 1024 * 1024))
    ),
    "LIST_CHECK_RETENTION_DAYS": int(os.environ.get("SUPPRESSION_LIST_CHECK_RETENTION_DAYS", "7")),
    "LIST_CHECK_DNS_TIMEOUT_SECONDS": float(
        os.environ.get("SUPPRESSION_LIST_CHECK_DNS_TIMEOUT", "3")
    ),
    "LIST_CHECK_DNS_WORKERS": 32,
    "LIST_CHECK_DIR": os.environ.get(
        "SUPPRESSION_LIST_CHECK_DIR", str(BASE_DIR / "var" / "listchecks")
    ),
    "JOBS_MODE": os.environ.get("SUPPRESSION_JOBS_MODE", ""),
    "JOB_LEASE_SECONDS": int(os.environ.get("SUPPRESSION_JOB_LEASE_SECONDS", "60")),
    # The support console: how long raw bounce messages are kept, and the domain guard as the
    # case page draws it (a short timeout so the page stays fast, answers cached per domain).
    "RAW_MESSAGE_RETENTION_DAYS": int(
        os.environ.get("SUPPRESSION_RAW_MESSAGE_RETENTION_DAYS", "90")
    ),
    "CONSOLE_DNS_TIMEOUT_SECONDS": float(os.environ.get("SUPPRESSION_CONSOLE_DNS_TIMEOUT", "1.5")),
    "CONSOLE_DNS_CACHE_SECONDS": int(os.environ.get("SUPPRESSION_CONSOLE_DNS_CACHE", "300")),
    # Incidents: refusals of the platform from one receiving organisation within a window pause
    # it; the pause lifts by itself after a back-off that doubles on repeats, up to a maximum.
    "INCIDENT_THRESHOLD": int(os.environ.get("SUPPRESSION_INCIDENT_THRESHOLD", "20")),
    "INCIDENT_WINDOW_MINUTES": int(os.environ.get("SUPPRESSION_INCIDENT_WINDOW_MINUTES", "10")),
    "INCIDENT_PAUSE_MINUTES": int(os.environ.get("SUPPRESSION_INCIDENT_PAUSE_MINUTES", "60")),
    "INCIDENT_PAUSE_MAX_MINUTES": int(
        os.environ.get("SUPPRESSION_INCIDENT_PAUSE_MAX_MINUTES", "1440")
    ),
    "INCIDENT_REPEAT_DAYS": int(os.environ.get("SUPPRESSION_INCIDENT_REPEAT_DAYS", "7")),
    "INCIDENT_STREAMS": env_list("SUPPRESSION_INCIDENT_STREAMS") or ["campaign", "automation"],
    "RESUME_BATCH_UNDO_DAYS": int(os.environ.get("SUPPRESSION_RESUME_BATCH_UNDO_DAYS", "7")),
    "RESUME_BATCH_CHUNK": 2500,
}
# Background jobs (suppression/jobs.py) go to Celery through this broker when it is set (e.g.
# redis://127.0.0.1:6379/0); without one they run on a thread of the web process.
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", "").strip()
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    DATABASES["default"]["OPTIONS"] = {
        **postgres_options(
            connect_timeout=SUPPRESSION["DB_CONNECT_TIMEOUT_SECONDS"],
            keepalive_idle=SUPPRESSION["DB_KEEPALIVE_IDLE_SECONDS"],
            tcp_user_timeout=SUPPRESSION["DB_TCP_USER_TIMEOUT_SECONDS"],
        ),
        # Parameters given in DATABASE_URL's query string win.
        **DATABASES["default"].get("OPTIONS", {}),
    }

# ESP tracking webhooks (django-anymail) at /webhooks/<esp>/tracking/. They refuse every post
# until ANYMAIL_WEBHOOK_SECRET ("user:password", comma-separated to rotate) is set and given to
# the provider as HTTP basic auth; Mailgun posts are also checked against its signing key.
ANYMAIL = {
    "WEBHOOK_SECRET": env_list("ANYMAIL_WEBHOOK_SECRET"),
    # Anymail confirms an SNS subscription only when the request carried the secret above.
    "AMAZON_SES_AUTO_CONFIRM_SNS_SUBSCRIPTIONS": env_bool(
        "ANYMAIL_AMAZON_SES_AUTO_CONFIRM_SNS_SUBSCRIPTIONS", True
    ),
}
for _name in ("MAILGUN_WEBHOOK_SIGNING_KEY", "SENDGRID_TRACKING_WEBHOOK_VERIFICATION_KEY"):
    if os.environ.get(f"ANYMAIL_{_name}"):
        ANYMAIL[_name] = os.environ[f"ANYMAIL_{_name}"]
