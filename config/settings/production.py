"""Production: every secret from the environment, HTTPS only, PostgreSQL expected."""

from config.env import env_bool, env_int, env_keys, env_list, env_str

from .base import *  # noqa: F403

SECRET_KEY = env_str("SECRET_KEY")
AUDIT_HMAC_KEY = env_str("AUDIT_HMAC_KEY")
# Required: env_str raises when it is unset (env_list would quietly give an empty list).
FIELD_ENCRYPTION_KEYS = env_list("FIELD_ENCRYPTION_KEYS", env_str("FIELD_ENCRYPTION_KEYS"))
# Required: without them no screening can be stored or linked.
SCREENING_ENCRYPTION_KEYS = env_keys("SCREENING_ENCRYPTION_KEYS", env_str("SCREENING_ENCRYPTION_KEYS"))
SCREENING_BLIND_INDEX_KEY = env_str("SCREENING_BLIND_INDEX_KEY")
DEBUG = False

SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SESSION_COOKIE_NAME = "__Host-sessionid"
CSRF_COOKIE_NAME = "__Host-csrftoken"
