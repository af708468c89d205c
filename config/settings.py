"""Doorstep settings: everything comes from the environment (django-environ).

With no environment at all Doorstep runs embedded: SQLite file, Celery tasks in
process, DEBUG on, demo logins. ``DJANGO_ENV=production`` turns every
embedded default into a required variable and refuses to start without it.
"""

from datetime import timedelta
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
DJANGO_ENV = env.str("DJANGO_ENV", default="development")
PRODUCTION = DJANGO_ENV == "production"

REQUIRED_IN_PRODUCTION = (
    "DATABASE_URL",
    "CELERY_BROKER_URL",
    "SECRET_KEY",
    "ALLOWED_HOSTS",
    "RRN_HASH_KEY",
    "CACHE_URL",
)
# An HMAC key shorter than SHA-256's block of entropy makes the stored hashes guessable:
# there are only about 10^11 plausible resident registration numbers to try.
RRN_HASH_KEY_MIN_LENGTH = 32
if PRODUCTION:
    missing = [name for name in REQUIRED_IN_PRODUCTION if not env.str(name, default="")]
    if missing:
        raise ImproperlyConfigured(
            "DJANGO_ENV=production needs these environment variables: "
            + ", ".join(missing)
        )
    if len(env.str("RRN_HASH_KEY")) < RRN_HASH_KEY_MIN_LENGTH:
        raise ImproperlyConfigured(
            f"RRN_HASH_KEY must be at least {RRN_HASH_KEY_MIN_LENGTH} characters in production"
        )

DEBUG = env.bool("DEBUG", default=not PRODUCTION)
# Only the embedded mode has demo passwords; seed_demo refuses them elsewhere.
DEMO_MODE = env.bool("DEMO_MODE", default=not PRODUCTION)
DEMO_PASSWORD = "doorstep-demo"

SECRET_KEY = env.str(
    "SECRET_KEY", default="embedded-only-insecure-key-0c1f7e2b9d5a4e8f8a6b3c2d1e0f9a8b7c6d5e4f"
)
# The keyed hash of resident registration numbers: change it and every stored
# hash stops matching, so it is set once per installation.
RRN_HASH_KEY = env.str("RRN_HASH_KEY", default="embedded-only-rrn-key")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_filters",
    "django_htmx",
    "axes",
    "csp",
    # Field-level history of the records people change (on SQLite and PostgreSQL alike).
    "simple_history",
    "households",
    "referrals",
    "outreach",
    "outreach.dashboards",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "households.middleware.KoreanFirstMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "households.middleware.NoStoreMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "axes.middleware.AxesMiddleware",
    # Who made each change that history records.
    "simple_history.middleware.HistoryRequestMiddleware",
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
                "households.context_processors.doorstep",
                "referrals.context_processors.emergencies",
            ],
        },
    },
]

DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=0)
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The embedded mode runs tasks in the request thread; wait for locks rather than fail.
    DATABASES["default"].setdefault("OPTIONS", {})["timeout"] = 20
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

CACHES = {"default": env.cache("CACHE_URL", default="locmemcache://doorstep")}
if PRODUCTION and any(kind in CACHES["default"]["BACKEND"].lower()
                      for kind in ("locmem", "dummy")):
    # Rate limits and login lockouts live in the cache: one per worker process is no limit.
    raise ImproperlyConfigured(
        "CACHE_URL must be a cache all workers share (redis://…) in production, not "
        + CACHES["default"]["BACKEND"]
    )

# How many reverse proxies of ours stand in front of Doorstep. 0: the client is
# REMOTE_ADDR and X-Forwarded-For is ignored (anyone can send one). N: each of our N
# proxies appends the address it saw, so the Nth entry from the right is the client.
# The access log, the public form's rate limit and login lockouts all use it.
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
AXES_CLIENT_IP_CALLABLE = "households.services.client_ip"
RATELIMIT_IP_META_KEY = "households.services.client_ip"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
     "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
    # Permissions that come with a role (households.permissions.ROLE_PERMISSIONS).
    "households.permissions.RolePermissionBackend",
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# django-axes: five wrong passwords for one account from one address lock it.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=30))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False

# Idle sessions end: the cookie's age is renewed on every request.
SESSION_IDLE_MINUTES = env.int("SESSION_IDLE_MINUTES", default=30)
SESSION_COOKIE_AGE = SESSION_IDLE_MINUTES * 60
SESSION_SAVE_EVERY_REQUEST = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"

LANGUAGE_CODE = "ko"
LANGUAGES = [("ko", _("한국어")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Seoul"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = BASE_DIR / "staticfiles"
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(BASE_DIR / "media")))
MEDIA_URL = "/media/"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "rest_framework.authentication.TokenAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "households.pagination.Pagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "households.schema.DoorstepAutoSchema",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Doorstep API",
    "DESCRIPTION": "복지사각지대 발굴·방문·연계 — households, signals, referrals, visits.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "ENUM_NAME_OVERRIDES": {
        "CaseStageEnum": "outreach.models.Case.Stage",
        "CaseClosureReasonEnum": "outreach.models.Case.ClosureReason",
        "CheckInKindEnum": "outreach.models.CheckIn.Kind",
        "ColumnKindEnum": ["text", "int", "num", "pct", "days", "ratio", "krw"],
        "ServiceLinkStatusEnum": "referrals.models.ServiceLink.Status",
        "ReferralStatusEnum": "referrals.models.Referral.Status",
        "DiscoveryAlertStatusEnum": "outreach.models.DiscoveryAlert.Status",
        "SignalBatchStatusEnum": "outreach.models.SignalBatch.Status",
        "SignalBatchChannelEnum": "outreach.models.SignalBatch.Channel",
        "ReferralChannelEnum": "referrals.models.Referral.Channel",
        "GatekeeperKindEnum": "referrals.models.GatekeeperPlace.Kind",
        "DeclineReasonEnum": "referrals.models.DeclineReason",
    },
}

# Celery: no broker means the embedded mode, where tasks run in process.
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="")
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
if CELERY_TASK_ALWAYS_EAGER:
    # Nothing is ever sent; an in-memory transport keeps kombu from looking for a server.
    CELERY_BROKER_URL = "memory://"
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_RESULT_BACKEND = None
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_DEFAULT_QUEUE = env.str("CELERY_QUEUE", default="doorstep")
# A worker keeps its database connection from task to task; Celery's Django fixup would
# close it before and after each one, and every chunk would start a new PostgreSQL backend
# whose caches are cold (about 8 % of a signal round's database CPU, bench_signals). A
# fresh one every 100 tasks (the fixup counts both ends of a task); one that broke is
# replaced before the next task (config.celery.database_checked).
CELERY_DB_REUSE_MAX = env.int("CELERY_DB_REUSE_MAX", default=100)
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT", 600),
    # How often a worker looks for messages a killed worker never acknowledged.
    "unacked_restore_interval": env.int("CELERY_UNACKED_RESTORE_INTERVAL", 10),
    "unacked_restore_throttle": env.int("CELERY_UNACKED_RESTORE_THROTTLE", 10),
    "unacked_mutex_expire": env.int("CELERY_UNACKED_MUTEX_EXPIRE", 300),
}
# Publishing waits out a Redis restart instead of dropping the follow-up task.
CELERY_TASK_PUBLISH_RETRY_POLICY = {
    "max_retries": 60, "interval_start": 0, "interval_step": 0.5, "interval_max": 2,
}
CELERY_TIMEZONE = TIME_ZONE

EMAIL_BACKEND = env.str(
    "EMAIL_BACKEND",
    default=(
        "django.core.mail.backends.smtp.EmailBackend"
        if PRODUCTION
        else "django.core.mail.backends.console.EmailBackend"
    ),
)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="doorstep@localhost")

# 개인정보의 안전성 확보조치 기준 제8조: access records kept at least two years.
ACCESS_LOG_MIN_RETENTION_DAYS = 730
DEFAULT_EXCEPTION_REPORTER_FILTER = "households.rrn.RRNSafeExceptionReporterFilter"
DEFAULT_EXCEPTION_REPORTER = "households.rrn.RRNSafeExceptionReporter"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"redact_rrn": {"()": "households.rrn.RedactRRNFilter"}},
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "filters": ["redact_rrn"],
            "formatter": "plain",
        },
    },
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        "django": {"handlers": ["console"], "level": "INFO", "propagate": False},
        "celery": {"handlers": ["console"], "level": "INFO", "propagate": False},
    },
}

# django-csp 4: scripts and styles only from our own vendored static files.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
    },
}

X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if PRODUCTION:
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True

# Due dates of first contact (송산3동: emergencies within 3 days).
EMERGENCY_FIRST_CONTACT_DAYS = env.int("EMERGENCY_FIRST_CONTACT_DAYS", default=3)
NORMAL_FIRST_CONTACT_DAYS = env.int("NORMAL_FIRST_CONTACT_DAYS", default=14)
# Once a household is contacted, staff decide on support (link, case or close) within this.
ALERT_DECIDE_DAYS = env.int("ALERT_DECIDE_DAYS", default=14)
SIGNAL_UPLOAD_MAX_BYTES = env.int("SIGNAL_UPLOAD_MAX_BYTES", default=200 * 1024 * 1024)
# Rows per chunk: PostgreSQL stores a chunk set-based (bigger is fewer transactions: a
# 1,000,000-row round on 2 workers took 13.8 s in chunks of 40,000 or 50,000 rows against
# 14.6-15.3 s in chunks of 20,000, for 16 MB more worker memory); SQLite's row-by-row path
# looks rows up with IN lists, kept well under its 32,766 parameters.
SIGNAL_CHUNK_ROWS = env.int("SIGNAL_CHUNK_ROWS", default=(
    5000 if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3" else 40000))
# Limits on an agency file, checked while streaming: what breaks one of them becomes a
# rejected line (or, for the XLSX size, refuses the file) and the rest is imported.
SIGNAL_MAX_LINE_BYTES = env.int("SIGNAL_MAX_LINE_BYTES", default=64 * 1024)
SIGNAL_MAX_CELL_CHARS = env.int("SIGNAL_MAX_CELL_CHARS", default=2000)
SIGNAL_MAX_ROWS = env.int("SIGNAL_MAX_ROWS", default=10_000_000)
SIGNAL_XLSX_MAX_UNZIPPED_BYTES = env.int("SIGNAL_XLSX_MAX_UNZIPPED_BYTES",
                                         default=150 * 1024 * 1024)
SIGNAL_RETRY_DELAY_S = env.float("SIGNAL_RETRY_DELAY_S", default=5.0)
# How often beat looks for chunks whose worker was killed (their claim's task is held by
# no live worker) and queues them again; the broker's visibility timeout stays the net.
SIGNAL_CHUNK_RECOVER_S = env.float("SIGNAL_CHUNK_RECOVER_S", default=15.0)
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # SQLite cannot enforce "nulls not distinct"; PostgreSQL does, and production runs there.
    SILENCED_SYSTEM_CHECKS = ["models.W047"]

# Visits, service links, cases, check-ins.
# "부재" books the next attempt in the office day's other slot (morning / afternoon) on the
# same or next working day, within these hours (Asia/Seoul); after this many failures: 연락 두절.
VISIT_OFFICE_HOURS = env.str("VISIT_OFFICE_HOURS", default="09:00-18:00")
VISIT_MAX_ATTEMPTS = env.int("VISIT_MAX_ATTEMPTS", default=3)
# Visits may be scheduled or recorded at most this many days in the past.
VISIT_PAST_LIMIT_DAYS = env.int("VISIT_PAST_LIMIT_DAYS", default=14)
# Field days propose open alerts whose first contact is due within this many days after.
FIELD_DAY_ALERT_WINDOW_DAYS = env.int("FIELD_DAY_ALERT_WINDOW_DAYS", default=3)
# The installable offline app: signed-in pages register the service worker (/sw.js).
OFFLINE_APP = env.bool("OFFLINE_APP", default=True)
# A provider answers a service link within this many working days or gets a reminder.
SERVICE_LINK_ANSWER_WORKING_DAYS = env.int("SERVICE_LINK_ANSWER_WORKING_DAYS", default=5)
# 통합사례관리: intake to plan within 30 days; the other stages' default lengths in days.
CASE_PLAN_DAYS = env.int("CASE_PLAN_DAYS", default=30)
CASE_STAGE_DAYS = {"intake": 7, "assessment": 14, "plan": 30, "service": 90,
                   "monitoring": 30, "follow_up": 14}
CASE_FOLLOW_UP_MONTHS = env.int("CASE_FOLLOW_UP_MONTHS", default=3)
CHECK_IN_GRACE_DAYS = env.int("CHECK_IN_GRACE_DAYS", default=2)

# Daily jobs (`celery -A config beat`), Asia/Seoul time.
from celery.schedules import crontab  # noqa: E402

CELERY_BEAT_SCHEDULE = {
    # the auditor's month: a reminder when last month's access log is unreviewed
    "access-review-remind": {
        "task": "households.tasks.access_review_remind",
        "schedule": crontab(hour=9, minute=30),
    },
    "service-links-remind-unanswered": {
        "task": "referrals.tasks.service_links_remind_unanswered",
        "schedule": crontab(hour=9, minute=0),
    },
    "case-follow-ups-due": {
        "task": "outreach.tasks.case_follow_ups_due",
        "schedule": crontab(hour=6, minute=30),
    },
    "check-ins-missed": {
        "task": "outreach.tasks.check_ins_missed",
        "schedule": crontab(hour=7, minute=0),
    },
    # dashboard rollups, every dong (writes refresh their dong as they happen)
    "dashboard-rollup-refresh": {
        "task": "outreach.tasks.dashboard_rollup_refresh",
        "schedule": crontab(hour=3, minute=30),
    },
    # the log signal workers read new people's RRN hashes from, kept for a day
    "rrn-hash-log-prune": {
        "task": "households.tasks.rrn_hash_log_prune",
        "schedule": crontab(hour=4, minute=0),
    },
    # signal chunks of a killed worker are queued again (not a daily job: every few seconds)
    "signal-chunks-recover": {
        "task": "outreach.tasks.signal_chunks_recover",
        "schedule": SIGNAL_CHUNK_RECOVER_S,
    },
}
# Referrals (issue 3/5): the public form's per-IP limit (django-ratelimit syntax) and size cap.
PUBLIC_REPORT_RATE = env.str("PUBLIC_REPORT_RATE", default="5/h")
PUBLIC_REPORT_STATUS_RATE = env.str("PUBLIC_REPORT_STATUS_RATE", default="30/h")
PUBLIC_REPORT_MAX_BYTES = env.int("PUBLIC_REPORT_MAX_BYTES", default=16 * 1024)
# The referral's subject_sex uses the same choices as Person.sex: one enum in the schema.
SPECTACULAR_SETTINGS.setdefault("ENUM_NAME_OVERRIDES", {})["SexEnum"] = (
    "households.models.Person.Sex"
)

# Break the glass: how long a reason given for opening a record outside one's own work
# holds for that household in the session.
BREAK_GLASS_MINUTES = env.int("BREAK_GLASS_MINUTES", default=60)

# The auditor's month: a person with this many record views in a month is listed, and
# views outside these hours (local, [start, end)) or at weekends count as after hours.
AUDIT_MANY_VIEWS = env.int("AUDIT_MANY_VIEWS", default=200)
AUDIT_WORKING_HOURS = (env.int("AUDIT_WORK_START_HOUR", default=8),
                       env.int("AUDIT_WORK_END_HOUR", default=19))

# Retention: households with no activity for this many years are listed for the auditor,
# who approves their anonymisation.
RETENTION_YEARS = env.int("RETENTION_YEARS", default=5)

# 걱정되는 점: a referral's categories and a check-in's worry are one choice set.
SPECTACULAR_SETTINGS["ENUM_NAME_OVERRIDES"]["ConcernEnum"] = "referrals.models.Concern"
