"""Django settings for OneTeam.

Everything a deployment changes comes from the environment:

- ``DATABASE_URL``: any URL dj-database-url understands; default is a SQLite
  file in ``ONETEAM_DATA_DIR`` (default ``./var``).
- ``SECRET_KEY``, ``ALLOWED_HOSTS`` (comma separated), ``DEBUG`` (``1``/``0``).
- ``ONETEAM_DATA_DIR``: database, uploaded files, ledger keys.
- ``ONETEAM_TILE_URL``: a Leaflet tile URL template; empty means no base map.

The defaults are safe for the demo on a laptop. ``SECRET_KEY`` is generated once
and kept in the data directory, so sessions survive restarts without a secret
in the repository.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent
REPO_DIR = BASE_DIR.parent


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


DATA_DIR = Path(os.environ.get("ONETEAM_DATA_DIR", REPO_DIR / "var")).resolve()
DATA_DIR.mkdir(parents=True, exist_ok=True)


def _secret_key() -> str:
    if key := os.environ.get("SECRET_KEY"):
        return key
    path = DATA_DIR / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


SECRET_KEY = _secret_key()
DEBUG = env_bool("DEBUG", False)
ALLOWED_HOSTS = [h.strip() for h in os.environ.get("ALLOWED_HOSTS", "127.0.0.1,localhost,[::1]").split(",") if h]
CSRF_TRUSTED_ORIGINS = [
    o.strip() for o in os.environ.get("CSRF_TRUSTED_ORIGINS", "").split(",") if o.strip()
]

# Production hardening, switched on by ONETEAM_SECURE=1 behind TLS.
SECURE = env_bool("ONETEAM_SECURE", False)
SESSION_COOKIE_SECURE = SECURE
CSRF_COOKIE_SECURE = SECURE
SECURE_SSL_REDIRECT = SECURE
SECURE_HSTS_SECONDS = 31536000 if SECURE else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE
SECURE_HSTS_PRELOAD = SECURE
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if SECURE else None
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_htmx",
    "axes",
    # Bounded contexts; dependencies point down this list.
    "oneteam.core",
    "oneteam.ledger",
    "oneteam.org",
    "oneteam.worktime",
    "oneteam.workflow",
    "oneteam.catalog",
    "oneteam.command",
    "oneteam.cooperation",
    "oneteam.linkage",
    "oneteam.oversight",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Must be last: it reads the outcome of authentication.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "oneteam.urls"
WSGI_APPLICATION = "oneteam.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "oneteam.core.context_processors.oneteam",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{DATA_DIR / 'oneteam.sqlite3'}",
        # Persistent connections on both backends. On SQLite a new connection
        # reads the whole schema before its first statement: at 10^6 leads,
        # one per request held Open311 intake to 170-295 leads/s against 345-378
        # kept open (benchmarks/README.md, 2026-12-03). CONN_MAX_AGE=0: one per request.
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Django's backend plus the server's writers' queue (oneteam.core.sqlite).
    DATABASES["default"]["ENGINE"] = "oneteam.core.backends.sqlite3"
    DATABASES["default"]["OPTIONS"] = {
        # WAL with NORMAL sync: durable across application crashes, fast appends.
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=10000;",
        "transaction_mode": "IMMEDIATE",
    }
    # Tests run in memory, as on Django's own SQLite backend. Said outright
    # because pytest-django recognises SQLite by the engine's name: for this
    # one it would give each xdist worker a file "test_<path>_gw0" in a
    # directory that does not exist ("unable to open database file").
    DATABASES["default"].setdefault("TEST", {}).setdefault("NAME", ":memory:")
elif DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Server-side binding lets psycopg prepare a statement after its fifth run
    # on a connection: the hot paths (intake, the ledger, the room list) then
    # skip PostgreSQL's planning. ONETEAM_PG_SERVER_BINDING=0 turns it off
    # (e.g. behind a transaction-mode PgBouncer without prepared statements).
    DATABASES["default"].setdefault("OPTIONS", {})["server_side_binding"] = env_bool(
        "ONETEAM_PG_SERVER_BINDING", True)
    # PostgreSQL compiles a query with LLVM once its estimated cost passes
    # jit_above_cost: ~115 ms spent on the wall's 30-day aggregate at 10^6
    # leads, which then runs in ~370 ms. Pages gain nothing from it; only
    # year-long scans of raw rows do. Off unless ONETEAM_PG_JIT=1 (docs/index.md).
    if not env_bool("ONETEAM_PG_JIT", False):
        options = DATABASES["default"]["OPTIONS"]
        options["options"] = f"{options.get('options', '')} -c jit=off".strip()

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "org.User"

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Lock an account (username + IP) for a while after repeated failures.
AXES_FAILURE_LIMIT = int(os.environ.get("ONETEAM_LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = float(os.environ.get("ONETEAM_LOGIN_COOLOFF_HOURS", "0.25"))
# Lock by account: users behind one office NAT share an IP, so an IP lock would
# lock a whole township out; rotating IPs or agents does not bypass a username lock.
AXES_LOCKOUT_PARAMETERS = ["username"]
SILENCED_SYSTEM_CHECKS = ["axes.W006"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_VERBOSE = False

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("简体中文")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)  # WhiteNoise expects it even before collectstatic
# Front-end libraries come from npm (package.json); we serve their dist folders.
NODE_MODULES = REPO_DIR / "node_modules"
STATICFILES_DIRS = [
    (f"vendor/{name}", NODE_MODULES / path)
    for name, path in {
        "htmx": "htmx.org/dist",
        "leaflet": "leaflet/dist",
        "echarts": "echarts/dist",
    }.items()
    if (NODE_MODULES / path).is_dir()
]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG
MEDIA_ROOT = DATA_DIR / "media"
MEDIA_URL = "/media/"

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "rest_framework.authentication.TokenAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "oneteam.core.api.pagination.Pagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "oneteam.core.api.handlers.exception_handler",
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "OneTeam API",
    "DESCRIPTION": _("一支队伍管执法 协同指挥与执法监督平台 API"),
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # Several models have a field called "kind" with different choices: name each set.
    "ENUM_NAME_OVERRIDES": {
        "TownshipKindEnum": "oneteam.org.choices.TownshipKind",
        "VillageKindEnum": "oneteam.org.choices.VillageKind",
        "BodyKindEnum": "oneteam.org.choices.BodyKind",
        "LegalQualificationKindEnum": "oneteam.org.choices.LegalQualificationKind",
        "MatterKindEnum": "oneteam.catalog.choices.MatterKind",
        "DecisionKindEnum": "oneteam.catalog.choices.DecisionKind",
        "TargetKindEnum": "oneteam.linkage.choices.TargetKind",
        "MaterialKindEnum": "oneteam.linkage.choices.MaterialKind",
        "PeriodKindEnum": ["working_days", "calendar_days", "working_hours", "natural_hours"],
    },
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
    "loggers": {"oneteam": {"level": os.environ.get("ONETEAM_LOG_LEVEL", "INFO")}},
}

# OneTeam's own settings.
ONETEAM = {
    "TILE_URL": os.environ.get("ONETEAM_TILE_URL", ""),
    "TILE_ATTRIBUTION": os.environ.get("ONETEAM_TILE_ATTRIBUTION", ""),
    "CERTIFICATE_WARNING_DAYS": int(os.environ.get("ONETEAM_CERTIFICATE_WARNING_DAYS", "60")),
    # Tolerance in square degrees for overlaps between grids on import (~100 m² at 28°N).
    "GRID_OVERLAP_TOLERANCE": float(os.environ.get("ONETEAM_GRID_OVERLAP_TOLERANCE", "1e-8")),
    "UPLOAD_MAX_BYTES": int(os.environ.get("ONETEAM_UPLOAD_MAX_BYTES", str(50 * 1024 * 1024))),
    # Office hours for working-hour deadlines (docs/worktime.md).
    "WORKTIME_OFFICE_HOURS": os.environ.get("ONETEAM_OFFICE_HOURS", "08:30-12:00,14:00-17:30"),
    # How often a process checks for a newly loaded holiday notice.
    "WORKTIME_CHECK_SECONDS": int(os.environ.get("ONETEAM_WORKTIME_CHECK_SECONDS", "5")),
    # Names this installation inside signed ledger checkpoints (docs/ledger.md);
    # the signing key is ONETEAM_LEDGER_KEY or DATA_DIR/keys/.
    "LEDGER_ORIGIN": os.environ.get("ONETEAM_LEDGER_ORIGIN", "oneteam"),
    # Base URL used in links sent to outbound channels (webhooks).
    "PUBLIC_BASE_URL": os.environ.get("ONETEAM_PUBLIC_BASE_URL", ""),
    # SQLite under `oneteam serve`: writers queue on an flock beside the
    # database (oneteam.core.sqlite). Off for a database on a network
    # filesystem, where flock may not lock across machines.
    "SQLITE_WRITE_QUEUE": env_bool("ONETEAM_SQLITE_WRITE_QUEUE", True),
}
