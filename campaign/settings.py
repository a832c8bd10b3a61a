"""Settings for 百日攻坚, read from the environment (django-environ).

With no variables set the site runs embedded: SQLite, Celery jobs executed
in-process, console email. ``DATABASE_URL`` and ``REDIS_URL`` switch to
PostgreSQL and a real broker. ``DJANGO_ENV=production`` turns on the
deployment hardening and refuses to start without ``SECRET_KEY`` and
``ALLOWED_HOSTS``: a production site must never run on a default secret.
"""

import hashlib
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import environ
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
# A local .env is convenient for development; production gets real variables.
if (BASE_DIR / ".env").exists():
    environ.Env.read_env(BASE_DIR / ".env")

DJANGO_ENV = env.str("DJANGO_ENV", default="development")
PRODUCTION = DJANGO_ENV == "production"

if PRODUCTION:
    # REDIS_URL too: the broker, and the cache every web process shares, so that a change flushed by one
    # process is flushed for all (campaign/core/cache.py); a per-process cache would keep serving old data.
    missing = [name for name in ("SECRET_KEY", "ALLOWED_HOSTS", "REDIS_URL") if not env.str(name, default="")]
    if missing:
        raise ImproperlyConfigured(
            "Production settings need these environment variables: " + ", ".join(missing)
        )
    SECRET_KEY = env.str("SECRET_KEY")
    DEBUG = False
    ALLOWED_HOSTS = env.list("ALLOWED_HOSTS")
else:
    # Development-only key: anything signed with it is worthless elsewhere.
    SECRET_KEY = env.str("SECRET_KEY", default="dev-insecure-bairi-gongjian-not-for-production")
    DEBUG = env.bool("DEBUG", default=True)
    ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]", "testserver"])

CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "campaign.apps.AdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.forms",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "accounts",
    "campaign",
    "tasks",
    "inspections",
    "reports",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Outside the session middleware, so a database outage met anywhere inside answers 503.
    "campaign.core.middleware.DatabaseUnavailableMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "campaign.core.middleware.SecurityHeadersMiddleware",
]

if PRODUCTION:
    # gunicorn serves the collected static files itself; no separate web server needed.
    MIDDLEWARE.insert(1, "whitenoise.middleware.WhiteNoiseMiddleware")

ROOT_URLCONF = "campaign.urls"
# Widget templates may be overridden in templates/django/forms/ (the select renders its options inline).
FORM_RENDERER = "django.forms.renderers.TemplatesSetting"
WSGI_APPLICATION = "campaign.wsgi.application"

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
                "campaign.core.context_processors.site",
                "campaign.core.context_processors.navigation",
            ],
        },
    },
]

# --- Data -----------------------------------------------------------------
DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=0)
# A restarted PostgreSQL must not leave the web process with dead connections.
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
# Pages run short queries, and PostgreSQL's parallel workers take longer to start than such a query runs;
# under load they also take the cores the requests need. The web process asks for none (campaign/wsgi.py
# sets this); the jobs, whose bulletin figures read the whole campaign, keep the server's own setting.
PG_PARALLEL_WORKERS = env.int("PG_PARALLEL_WORKERS", default=None)
if PG_PARALLEL_WORKERS is not None and DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = (
        f"-c max_parallel_workers_per_gather={PG_PARALLEL_WORKERS}")
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Several requests and the in-process jobs share one file: wait, don't fail.
    DATABASES["default"].setdefault("OPTIONS", {})["timeout"] = 20

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"
# Django's ModelBackend, loading the user's unit with the user (one query per request less).
AUTHENTICATION_BACKENDS = ["accounts.backends.ModelBackendWithUnit"]

# --- Auth -----------------------------------------------------------------
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Sign-in lockout (accounts/lockout.py): failures per username and address within the window.
SIGNIN_MAX_FAILURES = env.int("SIGNIN_MAX_FAILURES", default=5)
SIGNIN_LOCKOUT_MINUTES = env.int("SIGNIN_LOCKOUT_MINUTES", default=15)
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "dashboard"
LOGOUT_REDIRECT_URL = "login"

# --- Language and time ----------------------------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("Simplified Chinese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "campaign" / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

# --- Static and uploaded files --------------------------------------------
STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = env.path("STATIC_ROOT", default=BASE_DIR / "staticfiles")
MEDIA_ROOT = env.path("MEDIA_ROOT", default=BASE_DIR / "media")
# Evidence and photos are private: they are served by views that check access,
# never from a public media URL, so MEDIA_URL points nowhere useful on purpose.
MEDIA_URL = "/media-not-served/"
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
if env.str("S3_BUCKET", default=""):
    # S3-compatible storage by setting (needs django-storages installed).
    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": env.str("S3_BUCKET"),
            "endpoint_url": env.str("S3_ENDPOINT_URL", default=None),
            "querystring_auth": True,
        },
    }
UPLOAD_MAX_BYTES = env.int("UPLOAD_MAX_BYTES", default=10 * 1024 * 1024)
# Largest picture we decode, in pixels: beyond this it is a decompression bomb.
UPLOAD_MAX_PIXELS = env.int("UPLOAD_MAX_PIXELS", default=40_000_000)
DATA_UPLOAD_MAX_MEMORY_SIZE = UPLOAD_MAX_BYTES + 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024

# --- Celery ---------------------------------------------------------------
REDIS_URL = env.str("REDIS_URL", default="")
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = REDIS_URL or None
# Embedded default: with no broker every job runs in-process, at once.
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=not REDIS_URL)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# A job whose worker died unacknowledged is handed out again after this many seconds (Redis transport).
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT", default=3600)}
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]

# --- Cache ----------------------------------------------------------------
# Only reference data and frozen documents are cached (campaign/core/cache.py), never a page. The cache
# lives in its own Redis database, never the broker's, so clearing it cannot lose a queued job: CACHE_URL,
# or by default the broker's server with the next database number.
CACHE_URL = env.str("CACHE_URL", default="")
if REDIS_URL and not CACHE_URL:
    _broker = urlsplit(REDIS_URL)
    _db = int((_broker.path or "/0").strip("/") or 0)
    CACHE_URL = urlunsplit(_broker._replace(path=f"/{_db + 1 if _db < 15 else _db - 1}"))
if CACHE_URL and CACHE_URL == REDIS_URL:
    raise ImproperlyConfigured("CACHE_URL must name another Redis database than the broker's REDIS_URL.")


def _release() -> str:
    """A name for this release of the code: its own (RELEASE), or a digest of the sources, so a deployment
    never reads objects pickled by a release whose models were different, nor a bulletin's document drawn
    by older templates, styles or translations."""
    digest = hashlib.sha1(usedforsecurity=False)
    sources = [path for app in ("accounts", "campaign", "tasks", "inspections", "reports")
               for path in (BASE_DIR / app).glob("**/*.py")]
    sources += [*(BASE_DIR / "templates").glob("**/*.html"), *(BASE_DIR / "static" / "css").glob("*.css"),
                *(BASE_DIR / "campaign" / "locale").glob("*/LC_MESSAGES/*.mo")]
    for path in sorted(sources):
        digest.update(path.read_bytes())
    return digest.hexdigest()[:10]


CACHES = {"default": {
    "BACKEND": ("django.core.cache.backends.redis.RedisCache" if CACHE_URL
                else "django.core.cache.backends.locmem.LocMemCache"),
    "LOCATION": CACHE_URL,
    "KEY_PREFIX": env.str("RELEASE", default="") or _release(),
}}

# --- Email ----------------------------------------------------------------
EMAIL_BACKEND = env.str("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
if env.str("EMAIL_URL", default=""):
    vars().update(env.email_url("EMAIL_URL"))
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="bairi@localhost")
# Links in emails and exports point here.
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")

# --- Channels: group robots, SMS, email (campaign/core/channels, reports.services.deliveries) -------------
# The robots' addresses are settings so that tests and an intranet relay can stand in for the real ones.
WECOM_WEBHOOK_URL = env.str("WECOM_WEBHOOK_URL", default="https://qyapi.weixin.qq.com/cgi-bin/webhook/send")
DINGTALK_WEBHOOK_URL = env.str("DINGTALK_WEBHOOK_URL", default="https://oapi.dingtalk.com/robot/send")
# Seconds before a gateway that does not answer counts as down: a delivery is retried, never waited on.
CHANNEL_HTTP_TIMEOUT = env.float("CHANNEL_HTTP_TIMEOUT", default=5.0)
# Both robots refuse more than 20 messages a minute (钉钉 then blocks the robot for 10 minutes).
ROBOT_MESSAGES_PER_WINDOW = env.int("ROBOT_MESSAGES_PER_WINDOW", default=20)
ROBOT_WINDOW_SECONDS = env.int("ROBOT_WINDOW_SECONDS", default=60)
# Tries per delivery, the first wait between them (doubling each time) and the longest wait.
CHANNEL_MAX_ATTEMPTS = env.int("CHANNEL_MAX_ATTEMPTS", default=6)
CHANNEL_RETRY_SECONDS = env.int("CHANNEL_RETRY_SECONDS", default=60)
CHANNEL_RETRY_MAX_SECONDS = env.int("CHANNEL_RETRY_MAX_SECONDS", default=1800)
# The SMS gateway: a class path. The console backend (the default) only logs each message.
SMS_BACKEND = env.str("SMS_BACKEND", default="campaign.core.channels.sms.ConsoleSMSBackend")
SMS_HTTP_URL = env.str("SMS_HTTP_URL", default="")
SMS_HTTP_TOKEN = env.str("SMS_HTTP_TOKEN", default="")
SMS_SIGN_NAME = env.str("SMS_SIGN_NAME", default="百日攻坚")

# --- API ------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "rest_framework.authentication.TokenAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "campaign.core.api.exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "百日攻坚 API",
    "DESCRIPTION": "Responsibility lists, three-tier inspection and bulletins for a civilized-city campaign.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # Several models have a "status"; name each choice set after its model.
    "ENUM_NAME_OVERRIDES": {
        "TaskStatusEnum": "tasks.models.Task.Status",
        "FindingStatusEnum": "inspections.models.Finding.Status",
        "InspectionStatusEnum": "inspections.models.Inspection.Status",
        "MeetingStatusEnum": "reports.models.Meeting.Status",
        "MeetingPackStatusEnum": "reports.models.MeetingPack.Status",
    },
}

# --- Security -------------------------------------------------------------
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = 60 * 60 * 24 * 14
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if PRODUCTION:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=60 * 60 * 24 * 365)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        "django.db.backends": {"level": "INFO"},
        # WeasyPrint narrates every rendering step at INFO; only its warnings matter.
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
    },
}
