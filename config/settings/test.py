"""Settings for the test suite (pytest). The database is SQLite unless DATABASE_URL is set."""

import os
import tempfile

from .base import *  # noqa: F403
from .base import BASE_DIR, CACHES, DATABASES, TEMPLATES, VAR_DIR

SECRET_KEY = "test-only-secret-key-0123456789abcdefghijklmnopqrstuvwxyz"
AUDIT_HMAC_KEY = "test-only-audit-key"
FIELD_ENCRYPTION_KEYS = ["qGxzJc5AzPC7ybbT7aS3CgZXvUV_CGPGRFZNeorl2aI="]
SCREENING_ENCRYPTION_KEYS = {"test1": "m8lQ0l3a1bq0qk9f3Kc2Qz3Jt6q5v6tY0cM4Yw1x2sE="}
SCREENING_ENCRYPTION_KEY_ID = "test1"
SCREENING_BLIND_INDEX_KEY = "test-only-blind-index-key"
DEBUG = False
ALLOWED_HOSTS = ["testserver", "127.0.0.1", "localhost"]
SITE_URL = "http://testserver"
# A fresh clone has no var/ folder; the test databases and media live there.
VAR_DIR.mkdir(parents=True, exist_ok=True)

if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # A file, not memory, so the live server and browser tests share it.
    DATABASES["default"]["NAME"] = BASE_DIR / "var" / "test.sqlite3"
    # HUB_TEST_DB lets two test runs on one machine keep separate databases.
    DATABASES["default"]["TEST"] = {"NAME": os.environ.get("HUB_TEST_DB", str(BASE_DIR / "var" / "test-db.sqlite3"))}


class _MissingTemplateVariable(str):
    """Missing template variables fail loudly in tests instead of rendering blank."""

    def __mod__(self, name: object) -> str:
        raise AssertionError(f"Template variable missing: {name}")


TEMPLATES[0]["OPTIONS"]["string_if_invalid"] = _MissingTemplateVariable("%s")

STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
MEDIA_ROOT = BASE_DIR / "var" / "test-media"
# Each test process its own copies of campaign pages (emptied before each test, hub/conftest.py).
CACHES["campaign_pages"]["LOCATION"] = tempfile.mkdtemp(prefix="hub-test-campaign-pages-")

# Tasks run in-process so a test sees the effect of what it triggers; the
# database backend and its worker have tests of their own.
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}

EMAIL_HOST = "127.0.0.1"
EMAIL_PORT = 0  # Tests that send mail start a real SMTP server and set the port.
# Serve static files from the app folders without collectstatic.
WHITENOISE_AUTOREFRESH = True
WHITENOISE_USE_FINDERS = True
HUB_ALLOW_DEMO = True
