"""守望's one settings module: every knob comes from the environment.

Nothing else in the code base reads os.environ; see docs/deployment.md for the list.
"""

import os
import secrets
import threading
from datetime import timedelta
from pathlib import Path

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("SHOUWANG_VAR_DIR", BASE_DIR / "var"))
# The user guide the app shows at /guide/ (kept in the repository, in Chinese).
USER_GUIDE_PATH = BASE_DIR / "docs" / "user-guide.md"
# var/ holds the SQLite database, uploads and the secret key: readable by the owner only.
VAR_DIR.mkdir(mode=0o700, parents=True, exist_ok=True)
VAR_DIR.chmod(0o700)


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item]


def secret_key_in(var_dir: Path) -> str:
    """The key generated once into var/ (SECRET_KEY from the environment goes first)."""
    path = var_dir / "secret_key"
    if not path.exists():
        # Written whole under another name, then linked into place: two processes
        # starting together (the test runs on both databases) never read a half-written
        # file, and the first one's key is the one both keep.
        draft = var_dir / f"secret_key.{os.getpid()}.{threading.get_ident()}"
        fd = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as out:
            out.write(secrets.token_urlsafe(50))
        try:
            os.link(draft, path)
        except FileExistsError:
            pass
        finally:
            draft.unlink()
    return path.read_text().strip()


SECRET_KEY = os.environ.get("SECRET_KEY") or secret_key_in(VAR_DIR)
DEBUG = env_bool("DEBUG")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "shouwang.web.vendor_apps.AxesConfig",  # django-axes, named in Chinese
    "csp",
    "django_tasks",
    "shouwang.web.vendor_apps.TasksDatabaseConfig",  # django-tasks-db, likewise
    "shouwang.core",
    "shouwang.areas",
    "shouwang.accounts",
    "shouwang.audit",
    "shouwang.registry",
    "shouwang.roster",
    "shouwang.visits",
    "shouwang.reports",
    "shouwang.protection",
    "shouwang.schooling",
    "shouwang.assistance",
    "shouwang.exchange",
    "shouwang.jointwork",
    "shouwang.backup",
    "shouwang.web",
    "shouwang.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    "shouwang.core.headers.NoStoreMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "shouwang.core.request_edge.NulRefusalMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "shouwang.accounts.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "shouwang.accounts.middleware.SessionLifetimeMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "shouwang.audit.middleware.AuditContextMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "shouwang.urls"
WSGI_APPLICATION = "shouwang.wsgi.application"

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
                "shouwang.web.context_processors.navigation",
            ],
        },
    },
]

# Database: SQLite under var/ by default, PostgreSQL (psycopg 3) via DATABASE_URL.
DATABASE_URL = (
    os.environ.get("DATABASE_URL") or f"sqlite:///{VAR_DIR / 'shouwang.sqlite3'}"
)
DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60)}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Created private before SQLite opens it; its -wal and -shm files take its mode.
    _sqlite_file = Path(DATABASES["default"]["NAME"])
    if DATABASES["default"]["NAME"] != ":memory:" and _sqlite_file.parent.is_dir():
        _sqlite_file.touch(mode=0o600, exist_ok=True)
        _sqlite_file.chmod(0o600)
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        # Django turns foreign keys on for every SQLite connection; WAL lets readers
        # work while an import writes, IMMEDIATE avoids "database is locked" upgrades.
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
else:
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Accounts and login security.
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"
    },
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 8},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "web:home"
LOGOUT_REDIRECT_URL = "accounts:login"

# Sessions end after SESSION_IDLE_MINUTES without a request, and with the browser.
SESSION_COOKIE_AGE = int(os.environ.get("SESSION_IDLE_MINUTES", "120")) * 60
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES")
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SESSION_COOKIE_HTTPONLY = True
# However active, a session ends SESSION_MAX_HOURS after its login (absolute lifetime).
SESSION_MAX_AGE = timedelta(hours=float(os.environ.get("SESSION_MAX_HOURS", "12")))

# HTTPS: a redirect from http:// and HSTS, both off until the site is served over TLS.
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT")
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "0"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS")
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# Content-Security-Policy (django-csp): scripts and style sheets only from this site,
# no inline script, no eval. Style attributes are allowed (style-src-attr): ECharts
# draws its SVG charts with them; an attribute cannot run script or select elements.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "style-src-attr": ["'unsafe-inline'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

# django-axes: lock a user name *from one address* after repeated failed logins, so a
# stranger who knows the name cannot lock its owner out from everywhere else.
AXES_FAILURE_LIMIT = int(os.environ.get("LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = timedelta(
    minutes=int(os.environ.get("LOGIN_LOCKOUT_MINUTES", "15"))
)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
# Every address: after LOGIN_ADDRESS_DELAY_AFTER failures within the window, each next
# attempt waits 1, 2, 4 … (at most LOGIN_ADDRESS_MAX_DELAY_SECONDS) seconds; after
# LOGIN_ADDRESS_FAILURE_LIMIT failures the address is refused until the window slides.
# High enough for a township office behind one NAT address.
LOGIN_ADDRESS_FAILURE_LIMIT = int(os.environ.get("LOGIN_ADDRESS_FAILURE_LIMIT", "30"))
LOGIN_ADDRESS_WINDOW = timedelta(
    minutes=int(os.environ.get("LOGIN_ADDRESS_WINDOW_MINUTES", "15"))
)
LOGIN_ADDRESS_DELAY_AFTER = int(os.environ.get("LOGIN_ADDRESS_DELAY_AFTER", "10"))
LOGIN_ADDRESS_MAX_DELAY_SECONDS = int(
    os.environ.get("LOGIN_ADDRESS_MAX_DELAY_SECONDS", "60")
)
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_VERBOSE = False
AXES_CLIENT_IP_CALLABLE = "shouwang.audit.middleware.request_ip"
# Behind nginx (or another reverse proxy you control), take the client's address from
# the last X-Forwarded-For entry that proxy appends; never set this without a proxy.
BEHIND_PROXY = env_bool("BEHIND_PROXY")
if BEHIND_PROXY:
    # That proxy terminates TLS and says so; SECURE_SSL_REDIRECT relies on it.
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# Background work (django-tasks): the database backend, run by `manage.py db_worker` on
# any number of machines sharing the database; tests run the same tasks inline.
TASKS = {
    "default": {
        "BACKEND": os.environ.get("TASKS_BACKEND", "django_tasks_db.DatabaseBackend"),
        "QUEUES": ["default"],
    }
}
# A job's worker refreshes its heartbeat this often; a job whose worker is known dead
# (a process of the same machine), or whose heartbeat is older than the stale limit,
# is marked failed when someone looks at it and by the sweep run every few minutes.
JOB_HEARTBEAT_SECONDS = float(os.environ.get("JOB_HEARTBEAT_SECONDS", "10"))
JOB_HEARTBEAT_STALE_SECONDS = int(os.environ.get("JOB_HEARTBEAT_STALE_SECONDS", "120"))
JOB_SWEEP_MINUTES = int(os.environ.get("JOB_SWEEP_MINUTES", "5"))

# Roster imports (花名册导入): uploaded files and error reports live here, outside the
# web root, and are served only through access-checked views. Web servers and every
# db_worker must see the same directory (a shared mount when they run on several hosts).
ROSTER_UPLOAD_DIR = Path(os.environ.get("ROSTER_UPLOAD_DIR", VAR_DIR / "uploads"))
ROSTER_MAX_UPLOAD_MB = int(os.environ.get("ROSTER_MAX_UPLOAD_MB", "50"))
ROSTER_MAX_ROWS = int(os.environ.get("ROSTER_MAX_ROWS", "300000"))
# A county's school registration list (学籍名单) may list more pupils than its ledger.
ENROLMENT_MAX_ROWS = int(os.environ.get("ENROLMENT_MAX_ROWS", "400000"))
# Department lists (部门数据共享): a province's 低保 list may hold half a million rows.
# The files are kept, like the rosters, outside the web root.
EXCHANGE_MAX_ROWS = int(os.environ.get("EXCHANGE_MAX_ROWS", "600000"))
EXCHANGE_UPLOAD_DIR = Path(os.environ.get("EXCHANGE_UPLOAD_DIR", VAR_DIR / "exchange"))
# Days a director has to verify an alert before it goes to the supervisor (a county
# may set its own), and the API requests one token may make per minute.
EXCHANGE_ALERT_DAYS = int(os.environ.get("EXCHANGE_ALERT_DAYS", "15"))
EXCHANGE_API_RATE_PER_MINUTE = int(os.environ.get("EXCHANGE_API_RATE_PER_MINUTE", "60"))
# The address space of the child process that parses a workbook (roster.readproc): a
# 200,000-row roster needs about 700 MB there; a file needing more than this ends
# that process, and its import with a message, never the worker. 0: no cap.
ROSTER_READ_MEMORY_MB = int(os.environ.get("ROSTER_READ_MEMORY_MB", "2048"))

# Visit photos and scanned guardianship confirmations: outside the web root like the
# rosters, served only through access-checked views; each file at most this size.
VISIT_UPLOAD_DIR = Path(os.environ.get("VISIT_UPLOAD_DIR", VAR_DIR / "attachments"))
VISIT_MAX_ATTACHMENT_MB = int(os.environ.get("VISIT_MAX_ATTACHMENT_MB", "10"))

# Generated bulletins and uploaded bulletin templates, outside the web root.
REPORTS_DIR = Path(os.environ.get("REPORTS_DIR", VAR_DIR / "reports"))
# Today's figures on the statistics pages are counted at most this often (a city's
# count reads every child row); the page says when they were counted.
STATS_TODAY_MAX_MINUTES = int(os.environ.get("STATS_TODAY_MAX_MINUTES", "5"))

# The audit page lists the users refused this many times or more in a day (records
# outside their jurisdiction asked for by address).
AUDIT_REFUSAL_ALERT_THRESHOLD = int(
    os.environ.get("AUDIT_REFUSAL_ALERT_THRESHOLD", "20")
)

# Classification: 民发〔2024〕17号 lets a county count urban-hukou children as left-behind.
LEFT_BEHIND_REQUIRE_RURAL_HUKOU = env_bool("LEFT_BEHIND_REQUIRE_RURAL_HUKOU", True)

# Internationalisation: the product speaks Chinese and lives in China's time zone.
LANGUAGE_CODE = "zh-hans"
# Django's own messages re-worded to address the user as “您” (see
# scripts/build_formal_address_catalog.py); above every app's catalog.
LOCALE_PATHS = [BASE_DIR / "shouwang" / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

# Static files: front-end packages come from npm (make assets) and are served by
# WhiteNoise; production runs collectstatic and sets STATIC_MANIFEST=1.
STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if env_bool("STATIC_MANIFEST")
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = not env_bool("STATIC_MANIFEST")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {"axes": {"level": "WARNING"}},
}

# SQLite ignores the INCLUDE columns of the covering indexes that PostgreSQL uses.
SILENCED_SYSTEM_CHECKS = ["models.W040"]
