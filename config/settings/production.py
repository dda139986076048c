"""Production: every secret from the environment, HTTPS only, PostgreSQL expected."""

from django.core.exceptions import ImproperlyConfigured

from config.env import env_bool, env_int, env_keys, env_list, env_str

from .base import *  # noqa: F403
from .base import ALLOWED_HOSTS, DATABASES

SECRET_KEY = env_str("SECRET_KEY")
AUDIT_HMAC_KEY = env_str("AUDIT_HMAC_KEY")
# Required: env_str raises when it is unset (env_list would quietly give an empty list).
FIELD_ENCRYPTION_KEYS = env_list("FIELD_ENCRYPTION_KEYS", env_str("FIELD_ENCRYPTION_KEYS"))
# Required: without them no screening can be stored or linked.
SCREENING_ENCRYPTION_KEYS = env_keys("SCREENING_ENCRYPTION_KEYS", env_str("SCREENING_ENCRYPTION_KEYS"))
SCREENING_BLIND_INDEX_KEY = env_str("SCREENING_BLIND_INDEX_KEY")
DEBUG = False

# --- Database: Django's own PostgreSQL connection pool (psycopg_pool) -----------
# Each web or worker process keeps DB_POOL_MIN..DB_POOL_MAX connections open and
# lends one to each request, instead of a new PostgreSQL backend per request.
# The server's max_connections must cover (web processes + workers + timers) x DB_POOL_MAX.
# DB_POOL=false goes back to a connection per request (for PgBouncer in transaction mode).
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql" and env_bool("DB_POOL", True):
    DATABASES["default"]["CONN_MAX_AGE"] = 0  # Django refuses persistent connections with a pool
    DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {
        "min_size": env_int("DB_POOL_MIN", 2),
        "max_size": env_int("DB_POOL_MAX", 4),
        # Seconds a request waits for a free connection before failing.
        "timeout": env_int("DB_POOL_TIMEOUT", 10),
    }

# --- HTTPS --------------------------------------------------------------------
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SESSION_COOKIE_NAME = "__Host-sessionid"
CSRF_COOKIE_NAME = "__Host-csrftoken"
HUB_ALLOW_DEMO = False

# LOCAL_PLAIN_HTTP=true is for `make prod-local` only: the production layout on
# http://127.0.0.1, where browsers would drop Secure and __Host- cookies. It is
# refused unless every allowed host is this machine's loopback, and it is the only
# way demo data (HUB_ALLOW_DEMO=true) can be loaded with these settings.
LOOPBACK_HOSTS = {"127.0.0.1", "localhost", "[::1]", "::1"}
if env_bool("LOCAL_PLAIN_HTTP", False):
    if not ALLOWED_HOSTS or not set(ALLOWED_HOSTS) <= LOOPBACK_HOSTS:
        raise ImproperlyConfigured(
            "LOCAL_PLAIN_HTTP is for this machine only: ALLOWED_HOSTS may name only 127.0.0.1, localhost or [::1]."
        )
    SECURE_SSL_REDIRECT = False
    SECURE_HSTS_SECONDS = 0
    SECURE_HSTS_PRELOAD = False
    SESSION_COOKIE_SECURE = False
    CSRF_COOKIE_SECURE = False
    SESSION_COOKIE_NAME = "sessionid"
    CSRF_COOKIE_NAME = "csrftoken"
    HUB_ALLOW_DEMO = env_bool("HUB_ALLOW_DEMO", False)
elif env_bool("HUB_ALLOW_DEMO", False):
    raise ImproperlyConfigured("HUB_ALLOW_DEMO is refused in production (only with LOCAL_PLAIN_HTTP on 127.0.0.1).")
