"""The throwaway database the benchmarks run on, shared by them: an SQLite file under
var/, or a database of the bench's own name on the PostgreSQL server given with
--database-url, created before and dropped after (unless --keep).

    parser = argparse.ArgumentParser()
    throwaway_db.database_arguments(parser, name="hub_bench_x", sqlite_default=ROOT / "var" / "bench-x.sqlite3")
    args = parser.parse_args()
    described = throwaway_db.django_setup(args)      # migrated, Django set up
    ...
    throwaway_db.django_teardown(args)
"""

import argparse
import math
import os
import sys
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def database_arguments(parser: argparse.ArgumentParser, *, name: str, sqlite_default: Path) -> None:
    """--database-url and --sqlite-path; the PostgreSQL database is called `name`."""
    parser.add_argument(
        "--database-url",
        default="",
        help="a PostgreSQL server, e.g. postgres://postgres@127.0.0.1:5432/ ; the bench creates and drops "
        f"its own database {name!r} there (the URL's database name is not used). Default: SQLite.",
    )
    parser.add_argument(
        "--sqlite-path",
        default=str(sqlite_default),
        help=f"the throwaway SQLite file (default {Path(sqlite_default).relative_to(ROOT)})",
    )
    parser.set_defaults(bench_db_name=name)


def _maintenance_conninfo(url: str) -> str:
    """The same server, but its "postgres" database, for CREATE and DROP DATABASE."""
    parts = urllib.parse.urlsplit(url)
    return urllib.parse.urlunsplit(("postgresql", parts.netloc, "/postgres", parts.query, ""))


def _postgres_recreate(url: str, name: str, *, drop_only: bool = False) -> None:
    import psycopg
    from psycopg import sql

    with psycopg.connect(_maintenance_conninfo(url), autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
        if not drop_only:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def _sqlite_remove(path: Path) -> None:
    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


def env_file_load(path: str) -> None:
    """KEY=VALUE lines (comments and blank lines skipped) into the environment."""
    for line in Path(path).read_text().splitlines():
        if line.strip() and not line.lstrip().startswith("#") and "=" in line:
            key, _, value = line.partition("=")
            os.environ[key.strip()] = value


def django_setup(args: argparse.Namespace, *, fresh: bool = True) -> str:
    """Point Django at the throwaway database, set it up, migrate. Returns a description.
    `fresh=False` keeps what an earlier run left there (--keep), migrating it only.
    With --url (training_booking_race.py): the running server's own database and
    settings, as they are."""
    sys.path.insert(0, str(ROOT))
    if getattr(args, "env_file", ""):
        env_file_load(args.env_file)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
    import dj_database_url
    import django
    from django.conf import settings
    from django.core.management import call_command

    if getattr(args, "url", ""):
        django.setup()
        from django.db import connection

        name = settings.DATABASES["default"]["NAME"]
        return f"the server at {args.url} ({connection.vendor}, database {name}, {settings.SETTINGS_MODULE})"

    database = dict(settings.DATABASES["default"])
    if args.database_url:
        if fresh:
            _postgres_recreate(args.database_url, args.bench_db_name)
        parts = urllib.parse.urlsplit(args.database_url)
        url = urllib.parse.urlunsplit((parts.scheme, parts.netloc, f"/{args.bench_db_name}", parts.query, ""))
        database = dj_database_url.parse(url, conn_max_age=0)
        described = f"PostgreSQL ({parts.hostname}:{parts.port or 5432}/{args.bench_db_name})"
    else:
        path = Path(args.sqlite_path)
        path.parent.mkdir(parents=True, exist_ok=True)
        if fresh:
            _sqlite_remove(path)
        if database.get("ENGINE") != "django.db.backends.sqlite3":
            raise SystemExit("DATABASE_URL is set: pass --database-url to bench PostgreSQL, or unset it for SQLite.")
        database["NAME"] = path
        database.pop("TEST", None)
        described = f"SQLite ({path})"
    settings.DATABASES["default"] = database
    # What a request does in production: queue its email as a task row. The test
    # settings' immediate backend would also deliver it inside the request, which
    # is not what is being measured.
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    django.setup()
    call_command("migrate", interactive=False, verbosity=0)
    return described


def django_teardown(args: argparse.Namespace) -> None:
    from django.db import connections

    connections.close_all()
    if args.keep or getattr(args, "url", ""):
        return
    if args.database_url:
        _postgres_recreate(args.database_url, args.bench_db_name, drop_only=True)
    else:
        _sqlite_remove(Path(args.sqlite_path))


def percentile(sorted_values: list[float], p: float) -> float:
    """Nearest-rank percentile of an already sorted list (NaN for none)."""
    if not sorted_values:
        return float("nan")
    return sorted_values[max(math.ceil(p / 100 * len(sorted_values)) - 1, 0)]
