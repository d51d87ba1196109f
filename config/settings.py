"""Kindred settings: one module, driven by the environment.

With nothing set, Kindred runs on SQLite in the project folder with Celery tasks
executed in-process and email printed to the console. `DATABASE_URL` and
`REDIS_URL` switch on PostgreSQL and Redis. `DJANGO_ENV=production` turns on the
hardening and refuses to start without a secret key and allowed hosts.
Every variable is listed, with a comment, in `.env.example`.
"""

from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from config.env import (
    env_bool,
    env_choice,
    env_float,
    env_int,
    env_list,
    env_str,
    env_url,
)

BASE_DIR = Path(__file__).resolve().parent.parent

DJANGO_ENV = env_choice("DJANGO_ENV", ("development", "production"), "development")
PRODUCTION = DJANGO_ENV == "production"

DEBUG = env_bool("DJANGO_DEBUG", False)
if PRODUCTION and DEBUG:
    raise ImproperlyConfigured("DJANGO_DEBUG must not be true when DJANGO_ENV=production.")

_DEV_SECRET_KEY = "kindred-development-only-key-never-use-in-production"  # noqa: S105
SECRET_KEY = env_str("DJANGO_SECRET_KEY", "" if PRODUCTION else _DEV_SECRET_KEY)
if PRODUCTION and (len(SECRET_KEY) < 50 or SECRET_KEY == _DEV_SECRET_KEY):
    raise ImproperlyConfigured(
        "DJANGO_SECRET_KEY must be set to a random value of at least 50 characters "
        "when DJANGO_ENV=production."
    )

ALLOWED_HOSTS = env_list(
    "DJANGO_ALLOWED_HOSTS", [] if PRODUCTION else ["127.0.0.1", "localhost", "[::1]", "testserver"]
)
if PRODUCTION and not ALLOWED_HOSTS:
    raise ImproperlyConfigured(
        "DJANGO_ALLOWED_HOSTS must list the site's host names in production."
    )

CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS")

# The address people see in emails and links sent outside the site.
SITE_URL = env_url("KINDRED_SITE_URL", schemes=("http", "https"), default="http://127.0.0.1:8000")
SITE_NAME = env_str("KINDRED_SITE_NAME", "Kindred")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_filters",
    "accounts",
    "groups",
    "referrals",
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
                "config.context_processors.kindred",
                "config.map_context.map_settings",
            ],
        },
    },
    # Plain-text email bodies and subjects: the same templates, without HTML escaping
    # ("Friends & Family" must not arrive as "Friends &amp; Family").
    {
        "NAME": "text",
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {"autoescape": False},
    },
]

# --- Database -------------------------------------------------------------------

DATABASE_URL = env_url("DATABASE_URL", schemes=("postgres", "postgresql", "sqlite"))
# PostgreSQL: the search's own statements are prepared once per connection (planning
# them cost as much as running them). Set false behind a pooler in transaction mode.
KINDRED_PREPARED_SEARCH = env_bool("KINDRED_PREPARED_SEARCH", True)
if DATABASE_URL:
    _db = dj_database_url.parse(DATABASE_URL, conn_max_age=600, conn_health_checks=True)
    if _db["ENGINE"] == "django.db.backends.postgresql":
        # Measured on 2 cores: parallel plans and JIT made search p95 several times worse.
        # plan_cache_mode stays "auto": forcing generic plans on the search's prepared
        # statements sent the online groups' statement through the wrong index at
        # 100,000 groups (p95 17 ms instead of 3), as a generic plan cannot see which
        # format is rare; auto keeps custom plans where they matter.
        _db.setdefault("OPTIONS", {})["options"] = "-c jit=off -c max_parallel_workers_per_gather=0"
        _db["OPTIONS"]["connect_timeout"] = env_int("DATABASE_CONNECT_TIMEOUT", 5, minimum=1)
        if KINDRED_PREPARED_SEARCH:
            # Lets psycopg prepare statements at all. Django's own cursors bind on the
            # client and never prepare; only the search's statements, run through a
            # server-binding cursor with prepare=True (groups/search/statements.py), are.
            _db["OPTIONS"]["prepare_threshold"] = 5
else:
    _db = {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": BASE_DIR / env_str("SQLITE_FILE", "db.sqlite3"),
    }
if _db["ENGINE"] == "django.db.backends.sqlite3":
    # Persistent connections, as on PostgreSQL: opening the file, its pragmas and a
    # fresh page cache and memory map on every request halved the search page's rate
    # under gunicorn (1,000,000 groups, 2 workers, wrk: 110-120 -> 170-180 requests/s).
    _db["CONN_MAX_AGE"] = 600
    _db["CONN_HEALTH_CHECKS"] = True
    _db["OPTIONS"] = {
        # WAL lets the web process read while a worker writes; IMMEDIATE avoids
        # "database is locked" on lock upgrades; mmap and cache sped search by a third.
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=5000; "
            "PRAGMA mmap_size=268435456; PRAGMA cache_size=-65536;"
        ),
        "transaction_mode": "IMMEDIATE",
    }
DATABASES = {"default": _db}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache and Celery -----------------------------------------------------------------

REDIS_URL = env_url("REDIS_URL", schemes=("redis", "rediss"))
# Socket timeouts keep the web tier from ever hanging on a stopped Redis.
REDIS_SOCKET_TIMEOUT = env_float("REDIS_SOCKET_TIMEOUT", 1.0)

if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "kindred",
            "OPTIONS": {
                "socket_connect_timeout": REDIS_SOCKET_TIMEOUT,
                "socket_timeout": REDIS_SOCKET_TIMEOUT,
            },
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# The page frame's fixed parts (crisis line, header, footer) per language, in each
# process's own memory: no person's data, and reading them from Redis would cost more
# than drawing them. Emptied when a setting changes (groups.apps).
CACHES["frame"] = {
    "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
    "LOCATION": "kindred-frame",
    "TIMEOUT": None,
}

CELERY_BROKER_URL = REDIS_URL or "memory://"
# Without a broker, tasks run in-process so a fresh checkout needs nothing else.
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", not REDIS_URL)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = env_int("CELERY_TASK_TIME_LIMIT", 15 * 60, minimum=1)
CELERY_TASK_SOFT_TIME_LIMIT = CELERY_TASK_TIME_LIMIT - 30 if CELERY_TASK_TIME_LIMIT > 60 else None
CELERY_BROKER_CONNECTION_TIMEOUT = REDIS_SOCKET_TIMEOUT * 2
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "socket_timeout": 5,
    "socket_connect_timeout": REDIS_SOCKET_TIMEOUT * 2,
    # A task not acknowledged within this time is delivered again (acks_late).
    "visibility_timeout": CELERY_TASK_TIME_LIMIT + 5 * 60,
    "max_retries": 3,
}
CELERY_WORKER_CANCEL_LONG_RUNNING_TASKS_ON_CONNECTION_LOSS = True
CELERY_TIMEZONE = "UTC"

# --- Auth ---------------------------------------------------------------------------------

AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "accounts:home"
LOGOUT_REDIRECT_URL = "groups:search"

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "accounts.validators.MaximumLengthValidator"},
]
PASSWORD_RESET_TIMEOUT = 60 * 60  # one hour

SESSION_ENGINE = "django.contrib.sessions.backends.db"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
CSRF_COOKIE_SAMESITE = "Lax"
LANGUAGE_COOKIE_SAMESITE = "Lax"
LANGUAGE_COOKIE_HTTPONLY = True

# --- Email --------------------------------------------------------------------------------

EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 587, minimum=1)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", True)
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 10, minimum=1)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Kindred <no-reply@kindred.invalid>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Language, time, place ------------------------------------------------------------------

LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("es", _("Spanish"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = "UTC"
USE_TZ = True
# The zone a new organization starts with; each group keeps its own IANA zone.
KINDRED_DEFAULT_TIME_ZONE = env_str("KINDRED_DEFAULT_TIME_ZONE", "America/New_York")
KINDRED_DISTANCE_UNIT = env_choice("KINDRED_DISTANCE_UNIT", ("mi", "km"), "mi")
KINDRED_DEFAULT_RADIUS_KM = env_int("KINDRED_DEFAULT_RADIUS_KM", 25, minimum=1)

# The crisis line shown on every page. The defaults are the US 988 Lifeline;
# a deployment elsewhere sets its own words and number.
CRISIS_LINE_TEXT = env_str("KINDRED_CRISIS_LINE_TEXT") or _(
    "In crisis or thinking about suicide? Call or text 988, the Suicide & Crisis Lifeline, "
    "free and open 24 hours."
)
CRISIS_LINE_PHONE = env_str("KINDRED_CRISIS_LINE_PHONE", "988")
CRISIS_LINE_SMS = env_str("KINDRED_CRISIS_LINE_SMS", "988")

# --- Static files ------------------------------------------------------------------------------

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
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
MEDIA_ROOT = BASE_DIR / env_str("KINDRED_MEDIA_DIR", "media")

# --- Security ------------------------------------------------------------------------------------

SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if PRODUCTION:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = env_int("DJANGO_HSTS_SECONDS", 63072000, minimum=0)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    LANGUAGE_COOKIE_SECURE = True
    # __Host- cookies are only sent over HTTPS, to this exact host, for the whole path.
    SESSION_COOKIE_NAME = "__Host-kindred-session"
    CSRF_COOKIE_NAME = "__Host-kindred-csrf"
    # /healthz and /readyz are probed over plain HTTP by load balancers.
    SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]

# --- Logging: no personal data. Request bodies, emails and names are never logged. ---------------

LOG_LEVEL = env_choice("KINDRED_LOG_LEVEL", ("DEBUG", "INFO", "WARNING", "ERROR"), "INFO")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "kindred.security": {"level": "INFO"},
    },
}

# Outside production, WhiteNoise serves straight from the source folders (no collectstatic).
WHITENOISE_USE_FINDERS = not PRODUCTION
WHITENOISE_AUTOREFRESH = DEBUG

# --- Text messages ---------------------------------------------------------------
# Empty: the deployment sends no SMS and forms do not offer it.
SMS_BACKEND = env_str("SMS_BACKEND", "")

# --- Organizers and moderation (groups/organizer/, groups/moderation/) -------------------------
# A listing unconfirmed this many days gets a "still current?" prompt and one reminder email.
KINDRED_VERIFY_REMIND_AFTER_DAYS = env_int("KINDRED_VERIFY_REMIND_AFTER_DAYS", 90, minimum=1)
# Past this many days unconfirmed, the public page says "not recently confirmed".
KINDRED_NOT_RECENTLY_CONFIRMED_AFTER_DAYS = env_int(
    "KINDRED_NOT_RECENTLY_CONFIRMED_AFTER_DAYS", 180, minimum=1
)
# Empty (or 0): unconfirmed listings stay in search. A number: search hides listings
# unconfirmed for longer than that many days (GroupQuerySet.for_public_display()).
KINDRED_HIDE_UNCONFIRMED_AFTER_DAYS = (
    env_int("KINDRED_HIDE_UNCONFIRMED_AFTER_DAYS", 0, minimum=0) or None
)

# --- Map (browser area) -----------------------------------------------------------
# Map tiles come from a server the deployment chooses (its own, or a provider it has
# an agreement with), e.g. "https://tiles.example.org/{z}/{x}/{y}.png". Empty: no map
# is shown anywhere and the list of results works exactly as before. Leaflet itself is
# served from static/vendor/leaflet/, never from a CDN. If a Content-Security-Policy is
# added, its img-src must allow the tile host.
KINDRED_MAP_TILE_URL = env_url("KINDRED_MAP_TILE_URL", schemes=("https", "http"))
# The tile provider's required credit, shown on the map as plain text.
KINDRED_MAP_ATTRIBUTION = env_str("KINDRED_MAP_ATTRIBUTION", "")

# --- Referrals (case worker referrals, consent, audit, retention) -------------------------
# Client fields are encrypted with these Fernet keys: comma-separated, the first encrypts,
# every one decrypts (add a new key first, run `manage.py rotate_referral_keys`, then drop
# the old one). Outside production a fixed key derived from a public string is used: it is
# for development only, and production refuses to start without real keys.
import base64  # noqa: E402 - kept inside this area's block
import hashlib  # noqa: E402

_DEV_FIELD_KEY = base64.urlsafe_b64encode(
    hashlib.sha256(b"kindred-development-only-field-encryption-key").digest()
).decode()
KINDRED_FIELD_ENCRYPTION_KEYS = env_list(
    "KINDRED_FIELD_ENCRYPTION_KEYS", [] if PRODUCTION else [_DEV_FIELD_KEY]
)
if PRODUCTION and (
    not KINDRED_FIELD_ENCRYPTION_KEYS or _DEV_FIELD_KEY in KINDRED_FIELD_ENCRYPTION_KEYS
):
    raise ImproperlyConfigured(
        "KINDRED_FIELD_ENCRYPTION_KEYS must list one or more Fernet keys (comma-separated, "
        'newest first) when DJANGO_ENV=production. Make one with: python -c "from '
        'cryptography.fernet import Fernet; print(Fernet.generate_key().decode())"'
    )
# A case worker hears about a referral that has had no update for this many days.
KINDRED_REFERRAL_FOLLOWUP_DAYS = env_int("KINDRED_REFERRAL_FOLLOWUP_DAYS", 7, minimum=1)
# Personal fields of a referral closed longer than this are erased (outcome and audit stay).
KINDRED_REFERRAL_RETENTION_DAYS = env_int("KINDRED_REFERRAL_RETENTION_DAYS", 365, minimum=1)
# How long the private link sent to a client keeps working.
KINDRED_REFERRAL_LINK_DAYS = env_int("KINDRED_REFERRAL_LINK_DAYS", 30, minimum=1)

# --- Security (issue 8): second factor, throttling, headers, sessions, rate limits -------------
# docs/security.md explains each value. Every middleware below is inserted relative to
# Django's own, so the order reads: headers, CSP, ..., auth, OTP, timeouts, 2FA gate, axes.

INSTALLED_APPS += [
    "django_otp",
    "django_otp.plugins.otp_totp",
    "axes",
    "csp",
]


def _insert_after(anchor: str, *names: str) -> None:
    index = MIDDLEWARE.index(anchor) + 1
    MIDDLEWARE[index:index] = list(names)


_insert_after(
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "accounts.middleware.SecurityHeadersMiddleware",
)
_insert_after(
    "django.contrib.auth.middleware.AuthenticationMiddleware", "django_otp.middleware.OTPMiddleware"
)
_insert_after(
    "django.contrib.messages.middleware.MessageMiddleware",
    "accounts.middleware.StaffSessionTimeoutMiddleware",
    "accounts.middleware.SecondFactorRequiredMiddleware",
)
# Axes goes last: it turns a lockout raised during authentication into its page.
MIDDLEWARE.append("axes.middleware.AxesMiddleware")

TEMPLATES[0]["OPTIONS"]["context_processors"].append("csp.context_processors.nonce")

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

# Sessions: Django's database store, plus the user's id on each row so that deactivating a
# member or changing a password can end that person's other sessions at once.
SESSION_ENGINE = "accounts.sessions"
SESSION_COOKIE_AGE = 60 * 60 * 12
KINDRED_STAFF_IDLE_TIMEOUT_MINUTES = env_int("KINDRED_STAFF_IDLE_TIMEOUT_MINUTES", 30, minimum=1)
KINDRED_STAFF_ABSOLUTE_TIMEOUT_HOURS = env_int(
    "KINDRED_STAFF_ABSOLUTE_TIMEOUT_HOURS", 12, minimum=1
)

# Second factor (TOTP + single-use recovery codes).
OTP_TOTP_ISSUER = SITE_NAME
OTP_TOTP_THROTTLE_FACTOR = 1
KINDRED_RECOVERY_CODE_COUNT = 10
# URL names (fnmatch patterns over "namespace:name") a signed-in person may open before
# passing the second factor. Everything else sends them to enrol or verify first.
KINDRED_SECOND_FACTOR_EXEMPT_URLS = [
    # The public directory: search, group page, its calendar files, the JSON API.
    "groups:search",
    "groups:detail",
    "groups:ics_series",
    "groups:ics_occurrence",
    "groups:api_*",
    "hsds:*",
    # A resident's reminder pages (their link is the key). Not reminders:failed / retry:
    # those are moderators' pages and need the second factor.
    "reminders:signup",
    "reminders:check_email",
    "reminders:confirm",
    "reminders:manage",
    "reminders:unsubscribe",
    # The referred client's private link (no account).
    "referrals:client_link",
    "healthz",
    "readyz",
    "set_language",
    "accounts:login",
    "accounts:logout",
    "accounts:password_reset*",
    "accounts:second_factor_*",
    "accounts:invitation_accept",
]
KINDRED_INVITATION_DAYS = env_int("KINDRED_INVITATION_DAYS", 7, minimum=1)

# Login throttling: the (account, address) pair is locked after N failures for a cool-off.
AXES_FAILURE_LIMIT = env_int("KINDRED_LOGIN_FAILURE_LIMIT", 5, minimum=1)
AXES_COOLOFF_TIME = env_int("KINDRED_LOGIN_LOCKOUT_MINUTES", 15, minimum=1) / 60  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_LOCKOUT_TEMPLATE = "accounts/lockout.html"
AXES_RESET_ON_SUCCESS = True
AXES_DISABLE_ACCESS_LOG = True  # successes go to the kindred.security log, not a table
AXES_USERNAME_CALLABLE = "accounts.security_log.axes_username"
AXES_CLIENT_STR_CALLABLE = "accounts.security_log.axes_client_str"
AXES_CLIENT_IP_CALLABLE = "accounts.client_ip.client_ip"
AXES_SENSITIVE_PARAMETERS = ["username", "ip_address", "password"]
# Security events are logged by accounts.security_log; axes's own start-up banner is noise.
AXES_VERBOSE = False
# How many reverse proxies (load balancer, ...) sit in front of Django and append to
# X-Forwarded-For. 0: the client address is REMOTE_ADDR.
KINDRED_TRUSTED_PROXY_COUNT = env_int("KINDRED_TRUSTED_PROXY_COUNT", 0, minimum=0)

# Content-Security-Policy (django-csp 4): nonce-based; no inline script without the nonce.
from csp.constants import NONCE, NONE, SELF  # noqa: E402


def _origin(url: str) -> str:
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF],
        "img-src": [SELF, "data:"]
        + ([_origin(KINDRED_MAP_TILE_URL)] if KINDRED_MAP_TILE_URL else []),
        "object-src": [NONE],
        "base-uri": [NONE],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
    }
}

# Features no Kindred page uses are switched off for every page and anything it embeds.
KINDRED_PERMISSIONS_POLICY = (
    "accelerometer=(), camera=(), display-capture=(), geolocation=(), gyroscope=(), "
    "magnetometer=(), microphone=(), midi=(), payment=(), usb=()"
)

# Friendly pages for a refused form (CSRF) and for too many requests.
CSRF_FAILURE_VIEW = "config.errors.csrf_failure"

# --- Partner feeds (groups/feeds/) and the HSDS API (groups/hsds/) -----------------
# Only these hosts may be fetched (exact host names, or ".example.org" for a domain and
# its subdomains). Empty: no URL can be fetched; uploaded files and local paths still work.
KINDRED_FEED_ALLOWED_HOSTS = env_list("KINDRED_FEED_ALLOWED_HOSTS")
KINDRED_FEED_MAX_BYTES = env_int("KINDRED_FEED_MAX_BYTES", 512 * 1024 * 1024, minimum=1024)
KINDRED_FEED_TIMEOUT = env_float("KINDRED_FEED_TIMEOUT", 30.0)
KINDRED_FEED_MAX_PAGES = env_int("KINDRED_FEED_MAX_PAGES", 2000, minimum=1)
# A feed is rejected whole when more than this share of its records is invalid...
KINDRED_FEED_MAX_INVALID_SHARE = env_float("KINDRED_FEED_MAX_INVALID_SHARE", 0.20)
# ...or when it has fewer than this share of the records the last good import had.
KINDRED_FEED_MIN_KEPT_SHARE = env_float("KINDRED_FEED_MIN_KEPT_SHARE", 0.50)
# An import that has held the partner's lock this long is presumed dead.
KINDRED_FEED_LOCK_MINUTES = env_int("KINDRED_FEED_LOCK_MINUTES", 60, minimum=1)


def _shared_dir() -> Path:
    configured = env_str("KINDRED_SHARED_DIR")
    if configured:
        return Path(configured)
    beside = BASE_DIR.parent / "shared"
    return beside if beside.is_dir() else Path("/work/shared")


# HSDS 3.0 schemas are read at run time from here (schema/compiled/ for validation,
# openapi.json for the API document); a deployment copies them beside the app.
KINDRED_HSDS_SCHEMA_DIR = Path(
    env_str("KINDRED_HSDS_SCHEMA_DIR") or _shared_dir() / "data" / "hsds-3.0" / "schema"
)

# --- Meeting reminders (groups/reminders/) -------------------------------------------
# Rows are claimed in batches of this size and each batch is one worker task.
REMINDERS_BATCH_SIZE = env_int("REMINDERS_BATCH_SIZE", 100, minimum=1)
# A claimed batch not finished within the lease goes back to the queue (killed worker).
REMINDERS_LEASE_SECONDS = env_int("REMINDERS_LEASE_SECONDS", 600, minimum=5)
# How often beat claims due rows (seconds); tests and benchmarks shorten it.
REMINDERS_DISPATCH_SECONDS = env_float("REMINDERS_DISPATCH_SECONDS", 60.0)
# Failed sends are retried with doubling waits from this base, then marked failed.
REMINDERS_MAX_ATTEMPTS = env_int("REMINDERS_MAX_ATTEMPTS", 5, minimum=1)
REMINDERS_RETRY_SECONDS = env_int("REMINDERS_RETRY_SECONDS", 60, minimum=1)
# PostgreSQL: "sent" marks commit without waiting for the disk flush (see dispatch.py);
# a database-server crash may then resend a second's worth of reminders, never lose one.
REMINDERS_ASYNC_COMMIT = env_bool("REMINDERS_ASYNC_COMMIT", True)
# Reminder rows are created this far ahead of each meeting.
REMINDERS_HORIZON_HOURS = env_int("REMINDERS_HORIZON_HOURS", 48, minimum=26)
# Unconfirmed requests are deleted after this many hours.
REMINDERS_CONFIRM_HOURS = env_int("REMINDERS_CONFIRM_HOURS", 48, minimum=1)
# Sign-up limits, so the form cannot flood someone's inbox.
REMINDERS_SIGNUPS_PER_ADDRESS_PER_HOUR = env_int(
    "REMINDERS_SIGNUPS_PER_ADDRESS_PER_HOUR", 3, minimum=1
)
REMINDERS_SIGNUPS_PER_IP_PER_HOUR = env_int("REMINDERS_SIGNUPS_PER_IP_PER_HOUR", 20, minimum=1)
REMINDERS_PENDING_PER_ADDRESS = env_int("REMINDERS_PENDING_PER_ADDRESS", 3, minimum=1)
# Sent, skipped and failed rows (no personal data) are kept this long, then deleted.
REMINDERS_KEEP_DAYS = env_int("REMINDERS_KEEP_DAYS", 30, minimum=1)

# The Twilio-compatible SMS adapter (SMS_BACKEND=groups.sms.twilio.TwilioBackend).
SMS_TWILIO_API_URL = env_url(
    "SMS_TWILIO_API_URL", schemes=("https", "http"), default="https://api.twilio.com"
)
SMS_TWILIO_ACCOUNT_SID = env_str("SMS_TWILIO_ACCOUNT_SID")
SMS_TWILIO_AUTH_TOKEN = env_str("SMS_TWILIO_AUTH_TOKEN")
SMS_TWILIO_FROM = env_str("SMS_TWILIO_FROM")
SMS_TIMEOUT = env_float("SMS_TIMEOUT", 10.0)

# --- Directory search and geocoding (issue 3) -------------------------------------------
# Empty: only the offline gazetteer is used and no address leaves the server.
# A geopy service name (e.g. "nominatim") adds an online geocoder after it.
KINDRED_GEOCODER = env_str("KINDRED_GEOCODER", "")
KINDRED_GEOCODER_USER_AGENT = env_str("KINDRED_GEOCODER_USER_AGENT", "kindred-directory")
KINDRED_GEOCODER_TIMEOUT = env_float("KINDRED_GEOCODER_TIMEOUT", 3.0)
# Seconds between two calls to the online service (Nominatim's policy: at most 1 per second).
KINDRED_GEOCODER_MIN_DELAY = env_float("KINDRED_GEOCODER_MIN_DELAY", 1.0)
KINDRED_GEOCODER_CACHE_SECONDS = env_int("KINDRED_GEOCODER_CACHE_SECONDS", 30 * 24 * 3600)
KINDRED_GEOCODER_COUNTRY = env_str("KINDRED_GEOCODER_COUNTRY", "US")
KINDRED_MAX_RADIUS_KM = env_int("KINDRED_MAX_RADIUS_KM", 200, minimum=1)

# --- Rate limits on public endpoints (security, issue 8) ----------------------------------------
# The rates live next to each view (`@rate_limit(scope=..., rate=...)`): the search JSON API
# and the HSDS API 120/min per address each, a referral client link 30/min per address.
# Scope → rate here overrides one without a code change (tests use it for small rates).
KINDRED_RATE_LIMITS: dict[str, str] = {}
