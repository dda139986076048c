"""Configuration: production is safe by `check --deploy`, and refuses to start without its secrets."""

import os
import subprocess
import sys

import pytest
from django.conf import settings
from django.db import connection

PRODUCTION_ENV = {
    "DJANGO_SETTINGS_MODULE": "config.settings.production",
    "SECRET_KEY": "k" * 10 + "production-like-secret-with-enough-variety-0123456789-ABCDEFGHIJ",
    "AUDIT_HMAC_KEY": "production-like-audit-key",
    "FIELD_ENCRYPTION_KEYS": "b2xkLWtleS1mb3ItdGVzdHMtMDEyMzQ1Njc4OWFiY2Q=",
    "SCREENING_ENCRYPTION_KEYS": "prod1:m8lQ0l3a1bq0qk9f3Kc2Qz3Jt6q5v6tY0cM4Yw1x2sE=",
    "SCREENING_BLIND_INDEX_KEY": "production-like-blind-index-key",
    "ALLOWED_HOSTS": "hub.partnership.example.org",
    "DATABASE_URL": "",
}


def run_manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    # Not the test process's own switches (the browser tests set DJANGO_ALLOW_ASYNC_UNSAFE).
    inherited = {key: value for key, value in os.environ.items() if key != "DJANGO_ALLOW_ASYNC_UNSAFE"}
    full_env = {key: value for key, value in inherited.items() if key not in PRODUCTION_ENV}
    full_env.update(env)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=settings.BASE_DIR,
        env=full_env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_settings_pass_check_deploy_with_no_warnings(tmp_path):
    result = run_manage(
        "check", "--deploy", "--fail-level", "WARNING", env={**PRODUCTION_ENV, "HUB_VAR_DIR": str(tmp_path)}
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


@pytest.mark.parametrize(
    "missing",
    ["SECRET_KEY", "AUDIT_HMAC_KEY", "FIELD_ENCRYPTION_KEYS", "SCREENING_ENCRYPTION_KEYS", "SCREENING_BLIND_INDEX_KEY"],
)
def test_production_refuses_to_start_without_its_secrets(tmp_path, missing):
    env = {**PRODUCTION_ENV, "HUB_VAR_DIR": str(tmp_path)}
    env[missing] = ""
    result = run_manage("check", env=env)
    assert result.returncode != 0
    assert f"Set the {missing} environment variable." in result.stderr


@pytest.mark.django_db
def test_sqlite_runs_in_wal_mode_with_immediate_transactions():
    if connection.vendor != "sqlite":
        pytest.skip("SQLite only: this run uses PostgreSQL")
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA journal_mode")
        assert cursor.fetchone()[0] == "wal"
        cursor.execute("PRAGMA busy_timeout")
        assert cursor.fetchone()[0] >= 5000
    assert settings.DATABASES["default"]["OPTIONS"]["transaction_mode"] == "IMMEDIATE"


@pytest.mark.django_db
def test_every_page_sends_security_headers(client):
    response = client.get("/")
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy
    assert "'unsafe-inline'" not in policy
    assert "frame-ancestors 'none'" in policy
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
