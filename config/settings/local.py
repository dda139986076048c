"""Local development and the demo started by `make run`: embedded SQLite, no other server."""

from .base import *  # noqa: F403
from .base import AUDIT_HMAC_KEY, SECRET_KEY, VAR_DIR

# Local-only defaults so a newcomer needs no configuration; production refuses these.
SECRET_KEY = SECRET_KEY or "local-development-only-not-secret-0123456789abcdefghijklmnop"
AUDIT_HMAC_KEY = AUDIT_HMAC_KEY or "local-development-only-audit-key"
VAR_DIR.mkdir(parents=True, exist_ok=True)
HUB_ALLOW_DEMO = True
