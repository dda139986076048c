"""The production layout in deploy/: cheap invariants, checked without starting the stack.

`make prod-local` starts the real thing (scripts/prod-local.sh); these tests keep its
files honest: nginx accepts the configuration, the env file template names every
setting production refuses to start without, the systemd units run commands that
exist, and the headers nginx adds agree with the app's.
"""

import ast
import datetime
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import get_commands

from hub.core.management.commands.minute_tasks import MINUTE_TASKS
from hub.core.tests.test_settings import PRODUCTION_ENV, run_manage

BASE = Path(settings.BASE_DIR)
DEPLOY = BASE / "deploy"
SYSTEMD = DEPLOY / "systemd"
NGINX = DEPLOY / "nginx"
PROD_LOCAL = BASE / "scripts" / "prod-local.sh"
MANAGE_COMMAND = re.compile(r"manage\.py[\"']?\s+([a-z_]+)")


def env_calls(path: Path) -> list[ast.Call]:
    tree = ast.parse(path.read_text())
    return [
        node
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id.startswith("env_")
        and node.args
        and isinstance(node.args[0], ast.Constant)  # env_str("NAME", ...), not config/env.py's own helpers
    ]


def required_production_variables() -> set[str]:
    """Names production.py reads with env_str and no default: it refuses to start without them."""
    return {
        call.args[0].value
        for call in env_calls(BASE / "config" / "settings" / "production.py")
        if call.func.id == "env_str" and len(call.args) == 1 and not call.keywords
    }


def env_example() -> dict[str, str]:
    values = {}
    for line in (DEPLOY / "hub.env.example").read_text().splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            name, separator, value = line.partition("=")
            assert separator and re.fullmatch(r"[A-Z][A-Z0-9_]*", name), f"not NAME=value: {line!r}"
            values[name] = value
    return values


def test_env_example_lists_every_variable_production_requires():
    required = required_production_variables()
    assert {"SECRET_KEY", "AUDIT_HMAC_KEY", "FIELD_ENCRYPTION_KEYS", "SCREENING_BLIND_INDEX_KEY"} <= required
    missing = required - env_example().keys()
    assert not missing, f"deploy/hub.env.example lacks {sorted(missing)}"


def test_env_example_holds_no_secrets():
    for name, value in env_example().items():
        if re.search(r"(KEY|KEYS|PASSWORD|SECRET)$", name):
            assert value == "", f"{name} must be empty in the template, not {value!r}"
    assert "CHANGE-ME" in env_example()["DATABASE_URL"]


def test_env_example_names_only_variables_something_reads():
    """A misspelt name would be silently ignored: each must be read by the settings or the deploy scripts."""
    read = {call.args[0].value for path in (BASE / "config").rglob("*.py") for call in env_calls(path)}
    read |= set(re.findall(r"os\.environ\.get\(\"([A-Z_]+)\"", (BASE / "config" / "wsgi.py").read_text()))
    read |= set(re.findall(r"\$\{([A-Z_]+)", (DEPLOY / "hub-web.sh").read_text()))
    read.add("DJANGO_SETTINGS_MODULE")
    unknown = env_example().keys() - read
    assert not unknown, f"deploy/hub.env.example names variables nothing reads: {sorted(unknown)}"


def manage_commands(path: Path) -> list[str]:
    return MANAGE_COMMAND.findall(path.read_text())


def test_systemd_units_and_scripts_run_manage_py_commands_that_exist():
    known = get_commands()
    files = [*SYSTEMD.glob("*.service"), DEPLOY / "hub-tasks.sh"]
    seen = set()
    for path in files:
        for command in manage_commands(path):
            assert command in known, f"{path.relative_to(BASE)} runs manage.py {command}, which does not exist"
            seen.add(command)
    assert {"db_worker", "backup", "verify_audit", "minute_tasks"} <= seen
    for command in MINUTE_TASKS:
        assert command in known, f"minute_tasks runs manage.py {command}, which does not exist"


def test_timed_work_is_the_same_in_the_unit_the_script_and_make_run():
    # All three run the one command that holds the list, so they cannot drift apart.
    for path in (SYSTEMD / "hub-tasks.service", DEPLOY / "hub-tasks.sh", BASE / "scripts" / "run-local.sh"):
        timed = set(manage_commands(path)) - {"db_worker", "demo_logins", "runserver"}
        assert timed == {"minute_tasks"}, f"{path.relative_to(BASE)} runs {sorted(timed)} as its timed work"
    expected = {"outbox_sweep", "broadcasts_tasks", "social_tasks", "training_tasks", "screening_tasks"}
    assert expected <= set(MINUTE_TASKS)
    assert MINUTE_TASKS[-1] == "prerender_refresh"  # after the others: the pages show what they changed


def unit_settings(path: Path) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for line in path.read_text().splitlines():
        if "=" in line and not line.startswith(("#", ";", "[")):
            key, _, value = line.partition("=")
            found.setdefault(key.strip(), []).append(value.strip())
    return found


def test_systemd_units_fit_together():
    for timer in SYSTEMD.glob("*.timer"):
        (unit,) = unit_settings(timer)["Unit"]
        assert (SYSTEMD / unit).exists(), f"{timer.name} starts {unit}, which is not in deploy/systemd"
        assert unit_settings(timer)["OnCalendar"]
    assert unit_settings(SYSTEMD / "hub-tasks.timer")["OnCalendar"] == ["*-*-* *:*:00"]  # every minute
    for service in SYSTEMD.glob("*.service"):
        found = unit_settings(service)
        assert found["EnvironmentFile"] == ["/etc/hub/hub.env"]
        assert found["WorkingDirectory"] == ["/srv/hub"]
        assert found["User"] == ["hub"], f"{service.name} must not run as root"
        for command in found["ExecStart"]:
            program = command.lstrip("-").split()[0]
            assert program.startswith("/srv/hub/")
            assert (BASE / program.removeprefix("/srv/hub/")).exists() or program.startswith("/srv/hub/.venv/")
    web = unit_settings(SYSTEMD / "hub-web.service")
    assert web["ExecStart"] == ["/srv/hub/deploy/hub-web.sh"]
    assert os.access(DEPLOY / "hub-web.sh", os.X_OK) and os.access(DEPLOY / "hub-tasks.sh", os.X_OK)
    # The socket directory the nginx upstream names.
    assert web["RuntimeDirectory"] == ["hub"]
    assert "server unix:/run/hub/web.sock" in (NGINX / "snippets" / "hub-http.conf").read_text()


def test_systemd_accepts_the_units(tmp_path):
    analyze = shutil.which("systemd-analyze")
    if not analyze:
        pytest.skip("systemd-analyze is not installed")
    # This machine's paths for the programs (verify wants them to exist) and a user it has.
    for unit in [*SYSTEMD.glob("*.service"), *SYSTEMD.glob("*.timer")]:
        text = unit.read_text().replace("/srv/hub/.venv/bin/python", sys.executable)
        text = text.replace("/srv/hub/deploy/", f"{DEPLOY}/")
        text = re.sub(r"^(User|Group)=hub$", r"\1=root", text, flags=re.M)
        (tmp_path / unit.name).write_text(text)
    units = sorted(str(path) for path in tmp_path.iterdir())
    result = subprocess.run([analyze, "verify", "--man=no", *units], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "hub-" not in result.stderr, result.stderr


def nginx_header(name: str, path: Path = NGINX / "snippets" / "hub-headers.conf") -> str:
    match = re.search(rf'add_header {re.escape(name)} "([^"]+)" always;', path.read_text())
    assert match, f"{path.name} does not add {name}"
    return match.group(1)


def directives(policy: str) -> set[str]:
    return {" ".join(part.split()) for part in policy.split(";") if part.strip()}


def test_headers_nginx_adds_agree_with_the_app():
    assert nginx_header("X-Frame-Options") == settings.X_FRAME_OPTIONS
    assert nginx_header("Referrer-Policy") == settings.SECURE_REFERRER_POLICY
    assert nginx_header("Cross-Origin-Opener-Policy") == settings.SECURE_CROSS_ORIGIN_OPENER_POLICY
    assert nginx_header("X-Content-Type-Options") == "nosniff"
    assert nginx_header("Strict-Transport-Security").startswith("max-age=31536000; includeSubDomains")
    assert "camera=()" in nginx_header("Permissions-Policy")
    # Pre-rendered pages never pass through the app: nginx sends the app's own policy with them.
    from csp.utils import build_policy

    site = NGINX / "snippets" / "hub-site.conf"
    assert directives(nginx_header("Content-Security-Policy", site)) == directives(build_policy())
    # Proxied answers carry the app's policy; nginx adds none there, so there are never two.
    for snippet in ("hub-proxy.conf", "hub-headers.conf"):
        assert "add_header Content-Security-Policy" not in (NGINX / "snippets" / snippet).read_text()


def test_nginx_serves_pre_rendered_pages_where_the_app_writes_them():
    site = (NGINX / "snippets" / "hub-site.conf").read_text()
    assert "root /srv/hub/var/prerendered;" in site
    assert "try_files ${uri}index.html @app;" in site
    assert "alias /srv/hub/var/static/;" in site
    assert "client_max_body_size 11m;" in site
    assert settings.RESOURCE_UPLOAD_MAX_BYTES < 11 * 1024 * 1024


def self_signed_certificate(directory: Path) -> tuple[Path, Path]:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "hub.partnership.example.org")])
    now = datetime.datetime.now(datetime.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now)
        .not_valid_after(now + datetime.timedelta(days=1))
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = directory / "fullchain.pem", directory / "privkey.pem"
    cert_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    return cert_path, key_path


def nginx_binary() -> str:
    found = shutil.which("nginx") or ("/usr/sbin/nginx" if os.access("/usr/sbin/nginx", os.X_OK) else None)
    if not found:
        pytest.skip("nginx is not installed (make prod-local installs it)")
    return found


@pytest.mark.parametrize("mode", ["local", "tls"])
def test_nginx_accepts_the_configuration(tmp_path, mode):
    nginx = nginx_binary()
    out = tmp_path / "nginx"
    env = {
        **os.environ,
        "HUB_VAR_DIR": str(tmp_path / "var"),
        "WEB_SOCKET": str(tmp_path / "web.sock"),
        "NGINX_LISTEN": "127.0.0.1:18081",
    }
    if mode == "tls":
        cert, key = self_signed_certificate(tmp_path)
        env.update(TLS_CERT=str(cert), TLS_KEY=str(key))
    subprocess.run([str(PROD_LOCAL), "render-nginx", str(out), mode], env=env, check=True, timeout=30)
    rendered = (out / "snippets" / "hub-site.conf").read_text()
    assert f"root {tmp_path / 'var' / 'prerendered'};" in rendered  # the pre-rendered pages: empty, not there
    result = subprocess.run(
        [nginx, "-t", "-p", str(out), "-c", str(out / "nginx.conf")], capture_output=True, text=True, timeout=30
    )
    assert result.returncode == 0, result.stderr
    assert "test is successful" in result.stderr


def production_settings(**env: str) -> subprocess.CompletedProcess:
    code = (
        "import json; from django.conf import settings as s; print(json.dumps({"
        "'engine': s.DATABASES['default']['ENGINE'], 'options': s.DATABASES['default'].get('OPTIONS', {}),"
        "'conn_max_age': s.DATABASES['default']['CONN_MAX_AGE'], 'session_cookie': s.SESSION_COOKIE_NAME,"
        "'secure': s.SESSION_COOKIE_SECURE, 'redirect': s.SECURE_SSL_REDIRECT,"
        "'demo': getattr(s, 'HUB_ALLOW_DEMO', False)}, default=str))"
    )
    return run_manage("shell", "--no-imports", "-c", code, env={**PRODUCTION_ENV, **env})


def test_production_pools_postgresql_connections(tmp_path):
    result = production_settings(
        HUB_VAR_DIR=str(tmp_path),
        DATABASE_URL="postgres://hub:secret@db.internal:5432/hub",
        DB_POOL_MIN="2",
        DB_POOL_MAX="6",
    )
    assert result.returncode == 0, result.stderr
    found = json.loads(result.stdout.strip().splitlines()[-1])
    assert found["engine"] == "django.db.backends.postgresql"
    assert found["options"]["pool"] == {"min_size": 2, "max_size": 6, "timeout": 10}
    assert found["conn_max_age"] == 0  # Django refuses persistent connections with a pool
    # The HTTPS defaults are untouched.
    assert found["session_cookie"] == "__Host-sessionid" and found["secure"] and found["redirect"]
    assert not found["demo"]
    import psycopg_pool  # noqa: F401 (the pool needs it installed: psycopg[pool] in pyproject.toml)


def test_local_plain_http_is_for_the_loopback_only(tmp_path):
    local = production_settings(
        HUB_VAR_DIR=str(tmp_path), LOCAL_PLAIN_HTTP="true", HUB_ALLOW_DEMO="true", ALLOWED_HOSTS="127.0.0.1,localhost"
    )
    assert local.returncode == 0, local.stderr
    found = json.loads(local.stdout.strip().splitlines()[-1])
    assert found["session_cookie"] == "sessionid" and not found["secure"] and not found["redirect"]
    assert found["demo"]
    assert "pool" not in found["options"]  # SQLite here: no pool

    public = production_settings(HUB_VAR_DIR=str(tmp_path), LOCAL_PLAIN_HTTP="true")
    assert public.returncode != 0
    assert "LOCAL_PLAIN_HTTP is for this machine only" in public.stderr

    demo = production_settings(HUB_VAR_DIR=str(tmp_path), HUB_ALLOW_DEMO="true")
    assert demo.returncode != 0
    assert "HUB_ALLOW_DEMO is refused in production" in demo.stderr
