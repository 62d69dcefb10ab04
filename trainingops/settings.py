"""TrainingOps settings.

Every value that differs between a laptop and production comes from the environment
(django-environ). The defaults give the embedded mode used by ``make run``: SQLite and a
filesystem Celery broker under ``var/``, no Redis needed. Every variable is listed in README.md.
"""

import base64
import hashlib
from datetime import timedelta
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(environ.Env().str("VAR_DIR", default=str(BASE_DIR / "var")))

env = environ.Env()

DEBUG = env.bool("DEBUG", default=False)

SECRET_KEY = env.str("SECRET_KEY", default="")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("Set SECRET_KEY (or DEBUG=true for local development).")
    SECRET_KEY = "insecure-development-key-only-used-when-DEBUG-is-true"  # noqa: S105

# The Ed25519 key that signs personal check-in codes (sessions/checkin_codes.py): base64 of the raw
# 32-byte seed. Like SECRET_KEY, required in production; in development a key is derived from
# SECRET_KEY so that nothing needs setting locally (and codes stay valid across restarts).
CHECKIN_SIGNING_KEY = env.str("CHECKIN_SIGNING_KEY", default="")
if not CHECKIN_SIGNING_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("Set CHECKIN_SIGNING_KEY (or DEBUG=true for local development).")
    CHECKIN_SIGNING_KEY = base64.b64encode(hashlib.sha256(f"checkin:{SECRET_KEY}".encode()).digest()).decode()

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
# Absolute base for links in emails, calendar files and certificates.
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    # Before the admin: it registers the translated session fields (sessions/translation.py).
    "modeltranslation",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    # Third party
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "rest_framework",
    "knox",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_celery_beat",
    "django_countries",
    "simple_history",
    # Ours
    "accounts",
    "agencies",
    "sessions.apps.TrainingConfig",
    "messaging",
    "demo",
    "reports",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "trainingops.middleware.RejectNulCharactersMiddleware",
    "trainingops.middleware.AtomicApiWritesMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "accounts.middleware.ClearSiteDataOnLogoutMiddleware",
    "accounts.middleware.StaffMFARequiredMiddleware",
    "accounts.middleware.OfficerLanguageMiddleware",
    "accounts.middleware.PrivacyConsentMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "trainingops.actors.ActorMiddleware",
]

ROOT_URLCONF = "trainingops.urls"
WSGI_APPLICATION = "trainingops.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.template.context_processors.tz",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "accounts.context_processors.portal",
            ],
        },
    },
]

# Database: SQLite under var/ by default, DATABASE_URL for PostgreSQL.
VAR_DIR.mkdir(parents=True, exist_ok=True)
DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'db.sqlite3'}")}
# Reconnecting per request made a list view 7x slower on our machines: keep connections.
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DB_CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql" and env.bool(
    "DB_PREPARED_STATEMENTS", default=True
):
    # Parameters sent apart from the SQL, and a statement run five times on a connection is kept
    # parsed and planned by PostgreSQL (psycopg's prepared statements, which Django turns off unless
    # asked): the API's session list spent more on planning than on running. Off behind a pooler in
    # transaction mode (PgBouncer without max_prepared_statements), which cannot keep them.
    DATABASES["default"].setdefault("OPTIONS", {}).update({"server_side_binding": True, "prepare_threshold": 5})
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Web, worker and beat share the file: wait for locks and take the write lock up front.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"timeout": 20, "transaction_mode": "IMMEDIATE", "init_command": "PRAGMA journal_mode=WAL;"}
    )
    # The report's covering indexes (Index(include=...)) are a PostgreSQL optimisation; SQLite builds
    # them as plain indexes on the key columns, which is all the development database needs. Without
    # this, every `make run` / `make migrate` on a fresh checkout printed models.W040 twice.
    SILENCED_SYSTEM_CHECKS = ["models.W040"]

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]

# Internationalisation: portal and every email in English, Spanish and French.
LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("es", _("Spanish")), ("fr", _("French"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
# A session's title and description are stored in each portal language (django-modeltranslation,
# sessions/translation.py); English is required, an empty translation falls back (see there).
MODELTRANSLATION_DEFAULT_LANGUAGE = "en"
MODELTRANSLATION_LANGUAGES = ("en", "es", "fr")
MODELTRANSLATION_FALLBACK_LANGUAGES = ("en",)


def _language_verbose_name(verbose_name, language):
    """ "title (Spanish)" rather than the library's "title [es]" in the back office."""
    return format_lazy("{} ({})", verbose_name, dict(LANGUAGES)[language])


MODELTRANSLATION_BUILD_LOCALIZED_VERBOSE_NAME = _language_verbose_name
TIME_ZONE = env.str("TIME_ZONE", default="UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

# Redis is optional: the broker and the cache fall back to files under var/.
REDIS_URL = env.str("REDIS_URL", default="")
# Redis is an accelerator, never a dependency of a request: every connection to it gives up after
# this many seconds (connect, and each reply), the cache then answers from the process's memory
# and the outbox leaves emails to its sweep (trainingops/cache.py, trainingops/redis_outage.py).
REDIS_TIMEOUT = env.float("REDIS_TIMEOUT", default=0.3)
REDIS_CACHE = {
    "BACKEND": "trainingops.cache.RedisWithMemoryFallbackCache",
    "OPTIONS": {"SOCKET_CONNECT_TIMEOUT": REDIS_TIMEOUT, "SOCKET_TIMEOUT": REDIS_TIMEOUT},
}
if REDIS_URL:
    CACHES = {"default": {**REDIS_CACHE, "LOCATION": REDIS_URL}}
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(VAR_DIR / "cache"),
        }
    }

# Email, in django-environ's URL form: smtp://user:pass@host:port, consolemail://, filemail:///path
# `summarymail://` prints a short summary of each email (recipient, subject, links): `make run`'s default.
environ.Env.EMAIL_SCHEMES["summarymail"] = "messaging.backends.SummaryConsoleEmailBackend"
_email_config = env.email_url("EMAIL_URL", default="consolemail://")
if _email_config.get("EMAIL_FILE_PATH", "/")[:1] != "/":
    # django-environ drops the leading slash of filemail:///var/mail; the URL means the absolute path.
    _email_config["EMAIL_FILE_PATH"] = "/" + _email_config["EMAIL_FILE_PATH"]
vars().update(_email_config)
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=20)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="TrainingOps <training@trainingops.example>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# Where officers write with questions about their account or their personal data (sign-up, the
# email-verification pages, the privacy notice).
SUPPORT_EMAIL = env.str("SUPPORT_EMAIL", default="support@trainingops.example")

# Celery: configured from these CELERY_* settings (namespace "CELERY").
CELERY_BROKER_DIR = VAR_DIR / "celery"
REDIS_BROKER_TRANSPORT_OPTIONS = {
    "socket_connect_timeout": REDIS_TIMEOUT,
    # Bounds a publish to a frozen server; the worker reads only what its event loop saw arrive.
    "socket_timeout": REDIS_TIMEOUT,
    # A publish tries once (the outbox's sweep is the retry); the worker's reconnecting is separate.
    "max_retries": 0,
    "visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT", default=3600),
}
if REDIS_URL:
    CELERY_BROKER_URL = REDIS_URL
    CELERY_BROKER_TRANSPORT_OPTIONS = REDIS_BROKER_TRANSPORT_OPTIONS
else:
    for _folder in ("queue", "processed"):
        (CELERY_BROKER_DIR / _folder).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_URL = "filesystem://"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(CELERY_BROKER_DIR / "queue"),
        "data_folder_out": str(CELERY_BROKER_DIR / "queue"),
        "processed_folder": str(CELERY_BROKER_DIR / "processed"),
        "store_processed": False,
        # Exchange bindings (worker control, pidbox); kombu's default is ./control in the cwd.
        "control_folder": str(CELERY_BROKER_DIR / "control"),
    }
CELERY_BROKER_CONNECTION_TIMEOUT = REDIS_TIMEOUT
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# The worker and beat wait for the broker however long it is away (Celery's default gives up and
# exits after 100 attempts, about 50 minutes), and pick up where they were once it is back.
CELERY_BROKER_CONNECTION_MAX_RETRIES = None
# Publishing must fail fast when the broker is down; the pending-message sweep recovers.
CELERY_TASK_PUBLISH_RETRY = False
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=False)
CELERY_TIMEZONE = "UTC"
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
CELERY_BEAT_SCHEDULE = {
    "messaging-requeue-pending": {
        "task": "messaging.tasks.requeue_pending_messages",
        "schedule": timedelta(minutes=2),
    },
    "sessions-resume-invitation-requests": {
        "task": "sessions.tasks.resume_invitation_requests",
        "schedule": timedelta(minutes=2),
    },
    "sessions-send-reminders": {
        "task": "sessions.tasks.send_session_reminders",
        "schedule": timedelta(minutes=5),
    },
    "sessions-send-survey-reminders": {
        "task": "sessions.tasks.send_survey_reminders",
        "schedule": timedelta(minutes=15),
    },
    # The agencies' yearly reconfirmation: notices 30 days ahead, one reminder, withdrawals when overdue.
    "agencies-sweep-reconfirmations": {
        "task": "agencies.tasks.sweep_reconfirmations",
        "schedule": timedelta(days=1),
    },
    # Seats held for invited nominees past the nomination deadline, and agency quotas past their
    # release date, go back to the pool (the waitlist moves up).
    "sessions-release-nomination-seats": {
        "task": "sessions.tasks.release_nomination_seats",
        "schedule": timedelta(minutes=5),
    },
    # Meeting participant reports uploaded for a preview and never confirmed: they name people.
    "sessions-purge-expired-meeting-reports": {
        "task": "sessions.tasks.purge_expired_meeting_reports",
        "schedule": timedelta(hours=1),
    },
    # Recomputes the stored reports that a write around the models (QuerySet.update, raw SQL) or a
    # session's start may have made out of date: with the time a refresh takes, figures are fresh
    # within a minute of any change.
    "reports-refresh-stored": {
        "task": "reports.tasks.refresh_stored_reports",
        "schedule": timedelta(seconds=env.int("REPORT_REFRESH_SECONDS", default=30)),
    },
}

# Outbound messages: how long a message may sit unsent before the sweep re-enqueues it,
# and how often delivery is retried before it is marked failed.
MESSAGING_STALE_AFTER = timedelta(
    seconds=env.int("MESSAGING_STALE_AFTER_SECONDS", default=60 * env.int("MESSAGING_STALE_AFTER_MINUTES", default=5))
)
MESSAGING_MAX_ATTEMPTS = env.int("MESSAGING_MAX_ATTEMPTS", default=5)
MESSAGING_BATCH_SIZE = 100

# Reminders before a session (hours before its start; a session may override them), and the
# delay after which an unanswered follow-up survey gets its one reminder.
REMINDER_OFFSETS_HOURS = env.list("REMINDER_OFFSETS_HOURS", cast=int, default=[168, 24])
SURVEY_REMINDER_DELAY = timedelta(hours=env.int("SURVEY_REMINDER_DELAY_HOURS", default=72))

# Accounts (django-allauth): email login, mandatory verification, rate limits on by default.
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "https" if SITE_URL.startswith("https") else "http"
LOGIN_REDIRECT_URL = "/"
# The portal's sign-up asks for name, agency, job title and language and creates the officer profile.
ACCOUNT_SIGNUP_FORM_CLASS = "accounts.forms.OfficerSignupForm"
ACCOUNT_FORMS = {"login": "accounts.login_form.PrefilledLoginForm"}
ACCOUNT_ADAPTER = "accounts.adapter.AccountAdapter"
# Subjects are written in templates/account/email/ with the product's name (accounts/adapter.py).
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
# Staff must enrol a TOTP authenticator before using the back office when this is on.
STAFF_MFA_REQUIRED = env.bool("STAFF_MFA_REQUIRED", default=not DEBUG)
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "TrainingOps"

REST_FRAMEWORK = {
    "DEFAULT_SCHEMA_CLASS": "trainingops.api.schema.TrainingOpsAutoSchema",
    "EXCEPTION_HANDLER": "trainingops.api.errors.api_exception_handler",
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "trainingops.api.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PARSER_CLASSES": ["trainingops.api.parsers.StrictJSONParser"],
    "DEFAULT_RENDERER_CLASSES": [
        "drf_orjson_renderer.renderers.ORJSONRenderer",
        "rest_framework.renderers.BrowsableAPIRenderer",
    ],
    # "format" is a session filter (virtual, in person, hybrid), not a renderer switch.
    "URL_FORMAT_OVERRIDE": None,
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "rest_framework.filters.OrderingFilter",
    ],
    "DEFAULT_PAGINATION_CLASS": "trainingops.api.pagination.ApiPagination",
    "PAGE_SIZE": 25,
    "DEFAULT_THROTTLE_CLASSES": [
        "trainingops.api.throttling.AnonWindowThrottle",
        "trainingops.api.throttling.UserWindowThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "anon": env.str("API_THROTTLE_ANON", default="60/minute"),
        "user": env.str("API_THROTTLE_USER", default="1200/minute"),
        "login": env.str("API_THROTTLE_LOGIN", default="10/minute"),
    },
}
SPECTACULAR_SETTINGS = {
    "TITLE": "TrainingOps API",
    "DESCRIPTION": "Scheduling, registration and attendance data of the training program.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "ENUM_NAME_OVERRIDES": {
        "SessionStatusEnum": "sessions.models.TrainingSession.Status",
        "RegistrationStatusEnum": "sessions.models.Registration.Status",
        "AttendanceStatusEnum": "sessions.models.Attendance.Status",
        "DayAttendanceStatusEnum": "sessions.models.DayAttendance.Status",
        "PortalLanguageEnum": LANGUAGES,
        "SessionLanguageEnum": "sessions.models.SESSION_LANGUAGES",
    },
}
# Serves bench/'s floor view (GET /bench/floor/sessions) when set; never in production.
BENCH_FLOOR_VIEW = env.bool("BENCH_FLOOR_VIEW", default=False)
# Seconds each web process remembers a token it authenticated (trainingops/api/authentication.py); 0 = off.
API_AUTH_CACHE_SECONDS = env.float("API_AUTH_CACHE_SECONDS", default=1.0)
REST_KNOX = {"TOKEN_TTL": timedelta(days=env.int("API_TOKEN_TTL_DAYS", default=90)), "AUTO_REFRESH": False}

# Security. Production is DEBUG=false behind TLS; each switch can be set explicitly.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=not DEBUG)
CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=not DEBUG)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = not DEBUG
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        # fpdf2 subsets each font of a PDF with fontTools, which logs every step at INFO.
        "fontTools": {"level": "WARNING"},
    },
}
