"""Settings of the web server that the kill -9 drill (test_kill_drill.py) starts as
a subprocess: the test settings, on the test database of the pytest run that
started it, with background work queued in the database as in production (so a
request never talks to a mail server).

config.settings.test always names var/test.sqlite3, so the drill passes the
SQLite test database in DRILL_SQLITE_PATH; PostgreSQL comes in DATABASE_URL."""

import os
from pathlib import Path

from config.settings.test import *  # noqa: F403
from config.settings.test import DATABASES, MEDIA_ROOT

if os.environ.get("DRILL_SQLITE_PATH"):
    DATABASES["default"]["NAME"] = Path(os.environ["DRILL_SQLITE_PATH"])
MEDIA_ROOT = Path(os.environ.get("DRILL_MEDIA_ROOT") or MEDIA_ROOT)
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
