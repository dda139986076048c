"""Settings shared by every environment. Environment-specific modules import this."""

from datetime import timedelta
from pathlib import Path

import dj_database_url

from config.env import env_bool, env_int, env_keys, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = Path(env_str("HUB_VAR_DIR", str(BASE_DIR / "var")))

SECRET_KEY = env_str("SECRET_KEY", "")
DEBUG = env_bool("DEBUG", False)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "")
# Public address used in emails (password reset links, later bulletins).
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000").rstrip("/")
SITE_NAME = env_str("SITE_NAME", "Safeguarding Partnership Hub")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "axes",
    "csp",
    "django_tasks",
    "django_tasks_db",
    "hub.core",
    "hub.accounts",
    "hub.audit",
    "hub.campaigns",
    "hub.training",
    "hub.social",
    "hub.broadcasts",
    "hub.screening",
    "hub.api",
    "hub.reports",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    # Before the session is read (a cookie) and any view runs (the path and query); after CSP,
    # so its error pages get their nonce and header.
    "hub.core.middleware.NulCharacterMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Axes last, as its documentation asks: it turns lockouts into a response.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

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
                "hub.core.context_processors.site",
            ],
        },
    },
]

# --- Database -----------------------------------------------------------------
# SQLite in WAL mode is the embedded default; PostgreSQL through DATABASE_URL.
DATABASE_URL = env_str("DATABASE_URL", "")
if DATABASE_URL:
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=0)}
else:
    SQLITE_PATH = Path(env_str("SQLITE_PATH", str(VAR_DIR / "hub.sqlite3")))
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": SQLITE_PATH,
            "OPTIONS": {
                # IMMEDIATE takes the write lock at BEGIN, so concurrent writers
                # queue on the busy timeout instead of failing mid-transaction.
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
                "init_command": (
                    "PRAGMA journal_mode=WAL;"
                    "PRAGMA synchronous=NORMAL;"
                    "PRAGMA foreign_keys=ON;"
                    "PRAGMA busy_timeout=20000;"
                ),
            },
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Accounts and authentication -------------------------------------------
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
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:sign_in"
LOGIN_REDIRECT_URL = "core:staff_home"
LOGOUT_REDIRECT_URL = "core:home"
PASSWORD_RESET_TIMEOUT = 60 * 60  # one hour

# Idle sessions end after 30 minutes: each request pushes the expiry forward.
SESSION_COOKIE_AGE = 30 * 60
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True

# Lockout after repeated failed sign-ins (django-axes).
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("AXES_COOLOFF_MINUTES", 15))
# Lock the account, not the address: many staff of one council share an IP
# behind its network, and rotating cookies or user agents cannot reset this.
AXES_LOCKOUT_PARAMETERS = ["username"]
SILENCED_SYSTEM_CHECKS = ["axes.W006"]
AXES_USERNAME_CALLABLE = "hub.accounts.services.axes_username"
AXES_LOCKOUT_CALLABLE = "hub.accounts.views.locked_out"
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False
# Axes must not write email addresses into the log.
AXES_SENSITIVE_PARAMETERS = ["password", "email", "username"]

OTP_TOTP_ISSUER = SITE_NAME
OTP_TOTP_THROTTLE_FACTOR = 1

# --- Internationalisation ----------------------------------------------------
LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True
DATE_FORMAT = "j F Y"

# --- Static and uploaded files ----------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(VAR_DIR / "static")))
STATICFILES_DIRS = [
    ("govuk", BASE_DIR / "node_modules/govuk-frontend/dist/govuk"),
]
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(VAR_DIR / "media")))
# Public pages rendered to static HTML for the front web server (hub/campaigns/prerender.py):
# the page at /campaigns/<slug>/ is PRERENDER_ROOT/campaigns/<slug>/index.html.
PRERENDER_ROOT = Path(env_str("PRERENDER_ROOT", str(VAR_DIR / "prerendered")))
# Visitors who still reach Django for a public campaign page (a shared link with
# ?utm_source= or ?fbclid=, no nginx in front, the moment before the file is written)
# get each web process's copy of the anonymous page, at most this many seconds old;
# 0 renders every request (hub/campaigns/page_cache.py).
CAMPAIGN_PAGE_CACHE_SECONDS = env_int("CAMPAIGN_PAGE_CACHE_SECONDS", 10)
CACHES = {
    # Per process: live.json's numbers, for a few seconds.
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    # The campaign pages' copies, in files every web process on the machine shares, so
    # the change that drops a copy drops it for all of them.
    "campaign_pages": {
        "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
        "LOCATION": env_str("CAMPAIGN_PAGE_CACHE_DIR", str(VAR_DIR / "cache" / "campaign-pages")),
        "TIMEOUT": CAMPAIGN_PAGE_CACHE_SECONDS,
    },
}
# Uploaded files are never served from MEDIA_URL: a view checks who may see them.
MEDIA_URL = "/media-not-served/"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
RESOURCE_UPLOAD_MAX_BYTES = 10 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024

# --- Email ------------------------------------------------------------------
EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend")
EMAIL_HOST = env_str("EMAIL_HOST", "127.0.0.1")
EMAIL_PORT = env_int("EMAIL_PORT", 1025)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 20)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Safeguarding Partnership Hub <no-reply@hub.example.org>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Broadcasts --------------------------------------------------------------
# "smtp" (the EMAIL_* relay) or "notify" (GOV.UK Notify, with NOTIFY_API_KEY and NOTIFY_TEMPLATE_ID).
BROADCAST_BACKEND = env_str("BROADCAST_BACKEND", "smtp")
# Messages per second a send may reach (0: as fast as the relay takes them).
BROADCAST_MAX_PER_SECOND = env_int("BROADCAST_MAX_PER_SECOND", 0)
# The mailbox of the mailto: List-Unsubscribe link.
BROADCAST_UNSUBSCRIBE_MAILBOX = env_str("BROADCAST_UNSUBSCRIBE_MAILBOX", "unsubscribe@partnership.example.org")
NOTIFY_API_KEY = env_str("NOTIFY_API_KEY", "")
NOTIFY_TEMPLATE_ID = env_str("NOTIFY_TEMPLATE_ID", "")
NOTIFY_BASE_URL = env_str("NOTIFY_BASE_URL", "https://api.notifications.service.gov.uk")

# --- Training ---------------------------------------------------------------
# How long a freed place is held for the next person on the waiting list.
TRAINING_OFFER_HOURS = env_int("TRAINING_OFFER_HOURS", 24)
# The training team's shared mailbox: told of new community training requests.
TRAINING_TEAM_EMAIL = env_str("TRAINING_TEAM_EMAIL", "training-team@partnership.example.org")

# --- Background work --------------------------------------------------------
TASKS = {
    "default": {
        "BACKEND": env_str("TASKS_BACKEND", "django_tasks_db.DatabaseBackend"),
    }
}
OUTBOX_MAX_ATTEMPTS = env_int("OUTBOX_MAX_ATTEMPTS", 8)

# --- Audit ------------------------------------------------------------------
# Key for the HMAC that chains audit events; keep it apart from SECRET_KEY so
# rotating one does not break the other.
AUDIT_HMAC_KEY = env_str("AUDIT_HMAC_KEY", "")

# --- Encryption of sensitive fields at rest ------------------------------------
# Fernet keys (32 url-safe base64 bytes each), comma-separated: the first
# encrypts, all decrypt, so a key can be rotated in without losing old values.
# Make one with: python -c "from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())"
FIELD_ENCRYPTION_KEYS = env_list("FIELD_ENCRYPTION_KEYS", "")

# --- Screening ------------------------------------------------------------------
# The UK nation whose bank holidays are not working days in screening deadlines:
# ENG (England), WLS (Wales), SCT (Scotland) or NIR (Northern Ireland).
BANK_HOLIDAYS_REGION = env_str("BANK_HOLIDAYS_REGION", "ENG")
# Identifying details of children: AES-256-GCM keys as "id:key,id:key" (each key
# 32 bytes in url-safe base64); the key named by SCREENING_ENCRYPTION_KEY_ID (or
# else the first) encrypts, all decrypt. After adding a key and making it current,
# run `manage.py screening_reencrypt`, then the old key can be removed.
# Make a key with: python -c "import base64,os; print(base64.urlsafe_b64encode(os.urandom(32)).decode())"
SCREENING_ENCRYPTION_KEYS = env_keys("SCREENING_ENCRYPTION_KEYS", "")
SCREENING_ENCRYPTION_KEY_ID = env_str("SCREENING_ENCRYPTION_KEY_ID", "")
# HMAC key of the blind index that links repeat screenings of one child. Changing
# it unlinks every child: it is not rotated like the encryption keys.
SCREENING_BLIND_INDEX_KEY = env_str("SCREENING_BLIND_INDEX_KEY", "")
# The CSE hub's mailbox: told of each submitted screening (link and category only).
SCREENING_HUB_EMAIL = env_str("SCREENING_HUB_EMAIL", "cse-hub@partnership.example.org")
# Retention (hub/screening/retention.py): when a child's closed screenings are
# anonymised. "age" (the default): once every screening of the child is closed and
# the child is SCREENING_RETENTION_AGE or older (default 25: "until the child's 25th
# birthday"). "years_after_closure": once every screening of the child is closed and
# the last was closed SCREENING_RETENTION_YEARS ago or more.
SCREENING_RETENTION_RULE = env_str("SCREENING_RETENTION_RULE", "age")
SCREENING_RETENTION_AGE = env_int("SCREENING_RETENTION_AGE", 25)
SCREENING_RETENTION_YEARS = env_int("SCREENING_RETENTION_YEARS", 7)

# --- Disclosure control ---------------------------------------------------------
# Counts from 1 to DISCLOSURE_THRESHOLD - 1 are hidden ("<5") in every table an
# analyst sees or downloads, with enough others hidden ("[c]") that none can be
# worked out from the totals (hub/reports/disclosure.py). Hub officers see exact counts.
DISCLOSURE_THRESHOLD = env_int("DISCLOSURE_THRESHOLD", 5)

# --- Security headers -------------------------------------------------------
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
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
    }
}

# --- Logging: never log personal data; request bodies are not logged. -----
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {
        "axes": {"level": "WARNING"},
        "django_tasks": {"level": "WARNING"},
    },
}
CSRF_FAILURE_VIEW = "hub.core.views.csrf_failure"
