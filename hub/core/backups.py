"""Backups of the database, and restoring one: the logic behind `manage.py backup` and `manage.py restore`.

SQLite is copied with SQLite's online backup API, a consistent snapshot taken while
the service keeps running (WAL lets writers carry on). PostgreSQL is dumped with
`pg_dump -Fc` and restored with `pg_restore` in one transaction. Connection
settings reach the PostgreSQL tools through the environment (PGPASSWORD and
friends), never on the command line where `ps` would show them.

A backup is written under a temporary name, checked (SQLite: PRAGMA
integrity_check; PostgreSQL: pg_restore reads the whole archive), and only then
renamed to its final name, so a file with a final name is always a complete,
checked backup. Backups hold personal data: files are readable by their owner only.

Uploaded files (MEDIA_ROOT) are not in the database: back them up alongside
(`backup_media`, or `manage.py backup --media`).
"""

from __future__ import annotations

import datetime
import glob
import os
import re
import shutil
import sqlite3
import subprocess
import tarfile
from contextlib import closing, suppress
from functools import lru_cache
from pathlib import Path

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.backends.base.base import BaseDatabaseWrapper

SQLITE_MAGIC = b"SQLite format 3\x00"
PG_DUMP_MAGIC = b"PGDMP"
# Debian and Ubuntu install each PostgreSQL major version's client tools here.
PG_BIN_GLOB = "/usr/lib/postgresql/*/bin"
# libpq connection options Django passes through OPTIONS, and the variables the tools read them from.
LIBPQ_OPTION_VARIABLES = {
    "sslmode": "PGSSLMODE",
    "sslrootcert": "PGSSLROOTCERT",
    "sslcert": "PGSSLCERT",
    "sslkey": "PGSSLKEY",
    "sslcrl": "PGSSLCRL",
    "passfile": "PGPASSFILE",
    "service": "PGSERVICE",
    "connect_timeout": "PGCONNECT_TIMEOUT",
    "options": "PGOPTIONS",
    "target_session_attrs": "PGTARGETSESSIONATTRS",
    "application_name": "PGAPPNAME",
}


class BackupError(Exception):
    """A backup or restore that cannot go ahead; the message says why, for a person to read."""


# --- Shared --------------------------------------------------------------------------------


def _connection(using: str) -> BaseDatabaseWrapper:
    conn = connections[using]
    if conn.vendor not in ("sqlite", "postgresql"):
        raise BackupError(f"Backups support SQLite and PostgreSQL, not {conn.vendor}.")
    return conn


def backup_suffix(using: str = DEFAULT_DB_ALIAS) -> str:
    return ".sqlite3" if _connection(using).vendor == "sqlite" else ".dump"


def default_backup_path(using: str = DEFAULT_DB_ALIAS, now: datetime.datetime | None = None) -> Path:
    """VAR_DIR/backups/hub-YYYYmmddTHHMMSSZ.sqlite3 (or .dump on PostgreSQL), in UTC."""
    now = now or datetime.datetime.now(tz=datetime.UTC)
    stamp = now.astimezone(datetime.UTC).strftime("%Y%m%dT%H%M%SZ")
    return Path(settings.VAR_DIR) / "backups" / f"hub-{stamp}{backup_suffix(using)}"


def describe_database(using: str = DEFAULT_DB_ALIAS) -> str:
    """The configured database, in words, for messages (never the password)."""
    conn = _connection(using)
    if conn.vendor == "sqlite":
        return f"the SQLite database {conn.settings_dict['NAME']}"
    where = conn.settings_dict.get("HOST") or "the local socket"
    port = conn.settings_dict.get("PORT")
    if port:
        where = f"{where}:{port}"
    return f"the PostgreSQL database {conn.settings_dict.get('NAME')!r} on {where}"


def human_size(size: int) -> str:
    if size < 1024:
        return f"{size} bytes"
    value = size / 1024
    for unit in ("KB", "MB", "GB"):
        if value < 1024:
            return f"{value:.1f} {unit}"
        value /= 1024
    return f"{value:.1f} TB"


def _partial_path(path: Path) -> Path:
    """Where a file is written before it is complete and checked: hidden, beside its final name."""
    return path.with_name(f".{path.name}.partial-{os.getpid()}")


def _create_private(path: Path) -> None:
    """An empty file only its owner may read: backups hold personal data."""
    os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))


def _finish(partial: Path, path: Path) -> None:
    """Flush the checked file to disk and give it its final name in one step."""
    with partial.open("rb") as file:
        os.fsync(file.fileno())
    os.replace(partial, path)
    directory = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(directory)
    finally:
        os.close(directory)


def _prepare_output(path: Path) -> None:
    if path.exists():
        raise BackupError(f"{path} already exists; choose another name (a backup is never overwritten).")
    if path.parent.exists() and not path.parent.is_dir():
        raise BackupError(f"{path.parent} is not a folder.")
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)


def _read_magic(path: Path) -> bytes:
    if not path.exists():
        raise BackupError(f"There is no file at {path}.")
    if not path.is_file():
        raise BackupError(f"{path} is not a file.")
    try:
        with path.open("rb") as file:
            return file.read(len(SQLITE_MAGIC))
    except OSError as error:
        raise BackupError(f"{path} cannot be read: {error.strerror}.") from error


# --- Entry points ----------------------------------------------------------------------------


def backup_database(path: str | os.PathLike | None = None, *, using: str = DEFAULT_DB_ALIAS) -> Path:
    """Write a checked backup of the database to `path` (default: `default_backup_path()`) and return it."""
    conn = _connection(using)
    if conn.in_atomic_block:
        raise BackupError("Take a backup outside a transaction: it must hold only committed data.")
    path = Path(path) if path is not None else default_backup_path(using)
    path = path.expanduser().absolute()
    if conn.vendor == "sqlite" and not conn.is_in_memory_db():
        live = Path(str(conn.settings_dict["NAME"])).absolute()
        if path in (live, live.with_name(live.name + "-wal"), live.with_name(live.name + "-shm")):
            raise BackupError("The backup cannot be written over the database it copies.")
    try:
        _prepare_output(path)
        partial = _partial_path(path)
        _create_private(partial)
    except OSError as error:
        raise BackupError(f"{path} cannot be written: {error.strerror}.") from error
    try:
        if conn.vendor == "sqlite":
            _sqlite_backup(conn, partial)
        else:
            _pg_backup(conn, partial)
        check_backup(partial, using=using)
        _finish(partial, path)
    except OSError as error:
        raise BackupError(f"{path} could not be written: {error.strerror}.") from error
    finally:
        with suppress(FileNotFoundError):
            partial.unlink()
    return path


def check_backup(path: str | os.PathLike, *, using: str = DEFAULT_DB_ALIAS) -> None:
    """Raise BackupError unless `path` is a complete, readable backup of a Django database
    that the configured database engine can restore."""
    conn = _connection(using)
    path = Path(path)
    magic = _read_magic(path)
    if conn.vendor == "sqlite":
        if magic.startswith(PG_DUMP_MAGIC):
            raise BackupError(f"{path} is a PostgreSQL backup, but the configured database is SQLite.")
        if magic != SQLITE_MAGIC:
            raise BackupError(f"{path} is not a SQLite database (empty, damaged or another kind of file).")
        _sqlite_check(path)
    else:
        if magic == SQLITE_MAGIC:
            raise BackupError(f"{path} is a SQLite backup, but the configured database is PostgreSQL.")
        if not magic.startswith(PG_DUMP_MAGIC):
            raise BackupError(f"{path} is not a pg_dump archive (empty, damaged or another kind of file).")
        _pg_check(conn, path)


def restore_database(path: str | os.PathLike, *, using: str = DEFAULT_DB_ALIAS) -> None:
    """Replace the contents of the configured database with the backup at `path`.

    Everything written since that backup is lost. The backup is checked first; a
    backup that fails part-way leaves the database as it was (one transaction)."""
    conn = _connection(using)
    if conn.in_atomic_block:
        raise BackupError("A restore cannot run inside a transaction.")
    path = Path(path).expanduser().absolute()
    check_backup(path, using=using)
    if conn.vendor == "sqlite":
        _sqlite_restore(conn, path)
    else:
        _pg_restore(conn, path)


def backup_media(database_backup: str | os.PathLike) -> Path:
    """A gzipped tar of MEDIA_ROOT (as `media/`) beside a database backup: hub-...Z-media.tar.gz."""
    database_backup = Path(database_backup)
    path = database_backup.with_name(f"{database_backup.name.split('.')[0]}-media.tar.gz")
    if path.exists():
        raise BackupError(f"{path} already exists; choose another name (a backup is never overwritten).")
    media_root = Path(settings.MEDIA_ROOT)
    partial = _partial_path(path)
    _create_private(partial)
    try:
        with tarfile.open(partial, "w:gz") as tar:
            if media_root.is_dir():
                tar.add(media_root, arcname="media")
        with tarfile.open(partial, "r:gz") as tar:
            tar.getmembers()  # reads the whole archive: a damaged one raises here
        _finish(partial, path)
    except (OSError, tarfile.TarError) as error:
        raise BackupError(f"The uploaded files could not be archived: {error}.") from error
    finally:
        with suppress(FileNotFoundError):
            partial.unlink()
    return path


# --- SQLite ----------------------------------------------------------------------------------


def _sqlite_backup(conn: BaseDatabaseWrapper, partial: Path) -> None:
    conn.ensure_connection()
    try:
        with closing(sqlite3.connect(partial)) as target:
            # All pages in one step: a consistent snapshot of committed data, readers and writers carry on (WAL).
            conn.connection.backup(target)
            # A standalone file (no -wal or -shm beside it), without the free pages of deleted rows.
            target.execute("PRAGMA journal_mode=DELETE")
            target.execute("VACUUM")
    except sqlite3.Error as error:
        raise BackupError(f"SQLite could not copy the database: {error}.") from error


def _sqlite_check(path: Path) -> None:
    try:
        with closing(sqlite3.connect(f"{path.absolute().as_uri()}?mode=ro", uri=True)) as db:
            result = [row[0] for row in db.execute("PRAGMA integrity_check").fetchall()]
            is_django = db.execute(
                "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'django_migrations'"
            ).fetchone()
    except sqlite3.Error as error:
        raise BackupError(f"{path} is not a readable SQLite database: {error}.") from error
    if result != ["ok"]:
        raise BackupError(f"{path} is damaged (SQLite integrity check: {'; '.join(result[:3])}).")
    if not is_django:
        raise BackupError(f"{path} is a SQLite database, but not a backup of this service (no django_migrations).")


def _sqlite_restore(conn: BaseDatabaseWrapper, path: Path) -> None:
    in_memory = conn.is_in_memory_db()
    if not in_memory:
        if path == Path(str(conn.settings_dict["NAME"])).absolute():
            raise BackupError("That is the database itself, not a backup of it.")
        conn.close()  # nothing of ours half-way through; a fresh connection writes the copy
    conn.ensure_connection()
    try:
        with closing(sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True)) as source:
            # The backup API in reverse: one write transaction on the live file, so it is all or nothing.
            source.backup(conn.connection)
    except sqlite3.Error as error:
        raise BackupError(f"SQLite could not restore {path}: {error}. The database is unchanged.") from error
    finally:
        if not in_memory:
            conn.close()  # the next query sees the restored database through a new connection


# --- PostgreSQL ------------------------------------------------------------------------------


def pg_environment(settings_dict: dict) -> dict[str, str]:
    env = dict(os.environ)
    for key, variable in (("HOST", "PGHOST"), ("PORT", "PGPORT"), ("USER", "PGUSER"), ("PASSWORD", "PGPASSWORD")):
        if settings_dict.get(key):
            env[variable] = str(settings_dict[key])
    options = settings_dict.get("OPTIONS") or {}
    for option, variable in LIBPQ_OPTION_VARIABLES.items():
        if options.get(option):
            env[variable] = str(options[option])
    return env


def pg_conninfo(settings_dict: dict) -> str:
    """The database to connect to, as a libpq connection string (host, user and password come from the environment)."""

    def quoted(value: str) -> str:
        return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"

    if settings_dict.get("NAME"):
        return f"dbname={quoted(str(settings_dict['NAME']))}"
    service = (settings_dict.get("OPTIONS") or {}).get("service")
    if service:
        return f"service={quoted(str(service))}"
    raise BackupError("DATABASES has no NAME (or OPTIONS service) for PostgreSQL.")


@lru_cache(maxsize=16)
def pg_tool_major(executable: str) -> int | None:
    try:
        result = subprocess.run(  # noqa: S603 (a fixed executable found below, no shell)
            [executable, "--version"], capture_output=True, text=True, check=False, timeout=30
        )
    except (OSError, subprocess.SubprocessError):
        return None
    match = re.search(r"\(PostgreSQL\)\s+(\d+)", result.stdout)
    return int(match.group(1)) if match else None


def pg_tool(name: str, server_major: int) -> str:
    """The pg_dump or pg_restore to use with a server of `server_major`: the same major
    version if installed (on PATH or under /usr/lib/postgresql/*/bin), else the oldest
    newer one. An older one refuses newer servers and archives, so it is never chosen."""
    candidates = [found] if (found := shutil.which(name)) else []
    candidates += [str(Path(folder) / name) for folder in sorted(glob.glob(PG_BIN_GLOB))]
    versions = [(major, path) for path in candidates if os.access(path, os.X_OK) and (major := pg_tool_major(path))]
    for major, path in versions:
        if major == server_major:
            return path
    newer = sorted((major, path) for major, path in versions if major > server_major)
    if newer:
        return newer[0][1]
    found_versions = ", ".join(sorted({str(major) for major, _ in versions}))
    what = f"only version {found_versions} was found" if versions else "it was not found on PATH or in " + PG_BIN_GLOB
    raise BackupError(
        f"{name} for PostgreSQL {server_major} or later is needed, but {what}: "
        f"install Debian's postgresql-client-{server_major}."
    )


def _pg_server_major(conn: BaseDatabaseWrapper) -> int:
    conn.ensure_connection()
    return conn.pg_version // 10000


def _run(args: list[str], env: dict[str, str], what: str) -> subprocess.CompletedProcess:
    try:
        result = subprocess.run(args, env=env, capture_output=True, text=True, check=False)  # noqa: S603 (no shell)
    except OSError as error:
        raise BackupError(f"{what}: {Path(args[0]).name} could not be started ({error.strerror}).") from error
    if result.returncode != 0:
        detail = " ".join(result.stderr.strip().splitlines()[-3:]) or f"exit status {result.returncode}"
        raise BackupError(f"{what}: {detail}")
    return result


def _pg_backup(conn: BaseDatabaseWrapper, partial: Path) -> None:
    pg_dump = pg_tool("pg_dump", _pg_server_major(conn))
    _run(
        [
            pg_dump,
            "--format=custom",
            "--no-password",
            f"--file={partial}",
            f"--dbname={pg_conninfo(conn.settings_dict)}",
        ],
        pg_environment(conn.settings_dict),
        "pg_dump failed",
    )


def _pg_check(conn: BaseDatabaseWrapper, path: Path) -> None:
    pg_restore = pg_tool("pg_restore", _pg_server_major(conn))
    env = pg_environment(conn.settings_dict)
    listing = _run([pg_restore, "--list", str(path)], env, f"{path} is not a readable pg_dump archive").stdout
    if not re.search(r"\bTABLE\b.*\bdjango_migrations\b", listing):
        raise BackupError(f"{path} is a pg_dump archive, but not a backup of this service (no django_migrations).")
    # --list reads only the table of contents; turning the whole archive into SQL reads every row.
    _run([pg_restore, f"--file={os.devnull}", str(path)], env, f"{path} is damaged")


def _pg_restore(conn: BaseDatabaseWrapper, path: Path) -> None:
    pg_restore = pg_tool("pg_restore", _pg_server_major(conn))
    conn.close()  # our own session would otherwise hold locks the restore waits for
    _run(
        [
            pg_restore,
            "--clean",
            "--if-exists",
            "--no-owner",
            "--single-transaction",
            "--exit-on-error",
            "--no-password",
            f"--dbname={pg_conninfo(conn.settings_dict)}",
            str(path),
        ],
        pg_environment(conn.settings_dict),
        "pg_restore failed and the database is unchanged",
    )
