"""Local development and the demo started by `make run`: embedded SQLite, no other server."""

from .base import *  # noqa: F403
from .base import (
    AUDIT_HMAC_KEY,
    FIELD_ENCRYPTION_KEYS,
    SCREENING_BLIND_INDEX_KEY,
    SCREENING_ENCRYPTION_KEYS,
    SECRET_KEY,
    VAR_DIR,
)

# Local-only defaults so a newcomer needs no configuration; production refuses these.
SECRET_KEY = SECRET_KEY or "local-development-only-not-secret-0123456789abcdefghijklmnop"
AUDIT_HMAC_KEY = AUDIT_HMAC_KEY or "local-development-only-audit-key"
FIELD_ENCRYPTION_KEYS = FIELD_ENCRYPTION_KEYS or ["jdgvIqxOUmnXBj3WXJH0pPm3MF6uC3kxgImdlay6o9g="]  # local only
SCREENING_ENCRYPTION_KEYS = SCREENING_ENCRYPTION_KEYS or {
    "local1": "yR3Jx1c0m2Qv7w9yQm1cT0aGQ2hQy8cY6WkFvX1m3sA="
}  # local only
SCREENING_BLIND_INDEX_KEY = SCREENING_BLIND_INDEX_KEY or "local-development-only-blind-index-key"
VAR_DIR.mkdir(parents=True, exist_ok=True)
HUB_ALLOW_DEMO = True
