"""`manage.py backup` and `manage.py restore`: a backup brings back every row of every
model as it was, encrypted values still decrypting; damaged files are refused.

Transactional tests: a restore replaces the whole test database, which Django's
per-test transaction could not roll back. Each test ends with the usual flush, so
later tests find the empty, migrated database they expect."""

import datetime
import re
import secrets
import shutil
import sqlite3
import stat
import subprocess
import tarfile
import uuid
from io import StringIO
from pathlib import Path

import pytest
from django.apps import apps
from django.core.management import CommandError, call_command
from django.db import connection, connections, models
from django.utils import timezone

from hub.accounts.tests.factories import TOTPDeviceFactory, UserFactory
from hub.audit.services import audit_record
from hub.broadcasts.tests.factories import ContactFactory
from hub.campaigns.models import Campaign
from hub.campaigns.tests.factories import ChannelFactory, FileResourceFactory
from hub.core.backups import BackupError, human_size, pg_conninfo, pg_environment, pg_tool, pg_tool_major
from hub.core.encryption import EncryptedTextField
from hub.social.models import SocialAccount
from hub.training.models import Booking
from hub.training.tests.factories import BookingFactory

pytestmark = pytest.mark.django_db(transaction=True)

UNICODE_SECRET = "token-ø-ß-中文-🙂-"


# --- What the database holds -------------------------------------------------------------


def stored_models() -> list[type[models.Model]]:
    """Every model with a table of its own, many-to-many tables included."""
    return [
        model for model in apps.get_models(include_auto_created=True) if model._meta.managed and not model._meta.proxy
    ]


def is_encrypted(field: models.Field) -> bool:
    return isinstance(field, EncryptedTextField) or any(
        cls.__name__.startswith(("Encrypted", "AesGcm")) for cls in type(field).__mro__
    )


def encrypted_fields() -> list[tuple[type[models.Model], models.Field]]:
    return [(model, field) for model in stored_models() for field in model._meta.concrete_fields if is_encrypted(field)]


def snapshot() -> dict[str, list[tuple]]:
    """Every row of every model through the ORM (encrypted fields decrypted), ordered by pk."""
    return {
        model._meta.label: list(
            model._base_manager.order_by("pk").values_list(*(field.attname for field in model._meta.concrete_fields))
        )
        for model in stored_models()
    }


def stored_snapshot() -> dict[str, list[tuple]]:
    """Every row of every table as stored (ciphertext for encrypted fields), ordered by pk."""
    quote = connection.ops.quote_name
    state = {}
    with connection.cursor() as cursor:
        for model in stored_models():
            columns = ", ".join(quote(field.column) for field in model._meta.concrete_fields)
            table, pk = quote(model._meta.db_table), quote(model._meta.pk.column)
            cursor.execute(f"SELECT {columns} FROM {table} ORDER BY {pk}")  # noqa: S608 (names from the models)
            state[model._meta.label] = cursor.fetchall()
    return state


def encrypted_values() -> dict[tuple[str, str, object], tuple[str, str]]:
    """(model, field, pk) -> (as stored, as read) for every non-empty encrypted value."""
    quote = connection.ops.quote_name
    values = {}
    for model, field in encrypted_fields():
        plain = dict(model._base_manager.exclude(**{f"{field.name}__isnull": True}).values_list("pk", field.attname))
        with connection.cursor() as cursor:
            table, pk = quote(model._meta.db_table), quote(model._meta.pk.column)
            cursor.execute(f"SELECT {pk}, {quote(field.column)} FROM {table}")  # noqa: S608 (names from the models)
            for key, stored in cursor.fetchall():
                if stored:
                    values[(model._meta.label, field.name, key)] = (stored, plain[key])
    return values


# --- Data to back up ------------------------------------------------------------------------


def make_row(model: type[models.Model]) -> models.Model:
    """A row of any model, with made-up values for the fields it requires (the first
    existing row, or a new one, for each required relation)."""
    values = {}
    for field in model._meta.concrete_fields:
        if isinstance(field, models.AutoField) or field.null or field.has_default():
            continue
        if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
            continue
        if field.is_relation:
            related = field.related_model
            values[field.name] = related._base_manager.order_by("pk").first() or make_row(related)
        elif field.choices:
            values[field.name] = field.choices[0][0]
        elif isinstance(field, models.DateTimeField):
            values[field.name] = timezone.now()
        elif isinstance(field, models.DateField):
            values[field.name] = timezone.localdate()
        elif isinstance(field, models.BooleanField):
            values[field.name] = False
        elif isinstance(field, models.UUIDField):
            values[field.name] = uuid.uuid4()
        elif isinstance(field, models.JSONField):
            values[field.name] = {}
        elif isinstance(field, models.IntegerField | models.FloatField | models.DecimalField):
            values[field.name] = 1
        elif isinstance(field, models.CharField | models.TextField):
            values[field.name] = secrets.token_hex(min(field.max_length or 16, 16) // 2)
        else:
            raise AssertionError(f"make_row cannot fill {model._meta.label}.{field.name} ({type(field).__name__})")
    return model._base_manager.create(**values)


def give_every_model_a_row() -> None:
    for model in stored_models():
        if not model._base_manager.exists():
            try:
                make_row(model)
            except Exception as error:
                raise AssertionError(
                    f"make_row could not make a {model._meta.label} row ({error!r}): make one in generated_records()"
                ) from error


def give_every_encrypted_field_a_value() -> None:
    """A non-empty value in every encrypted field of the first rows (non-ASCII included), whatever models exist."""
    for model, field in encrypted_fields():
        for pk in model._base_manager.order_by("pk").values_list("pk", flat=True)[:3]:
            value = f"{UNICODE_SECRET}{model._meta.label}.{field.name}.{pk}"
            model._base_manager.filter(pk=pk).update(**{field.name: value})


def generated_records() -> None:
    """Records beside the demo data: users with second factors, campaigns with uploads,
    bookings, contacts, audit events, the organisation's social accounts; then a
    made-up row in every table still empty, and a value in every encrypted field."""
    for n in range(3):
        TOTPDeviceFactory(user=UserFactory())
        ChannelFactory(campaign=FileResourceFactory().campaign)
        BookingFactory()
        ContactFactory()
        audit_record(action=f"test.backup_{n}")
    SocialAccount.objects.create(network="mastodon", name="Ours", handle="@ours", secret=UNICODE_SECRET + "mastodon")
    SocialAccount.objects.create(network="bluesky", name="Ours", handle="ours.example", secret="app-password-1234")
    give_every_model_a_row()
    give_every_encrypted_field_a_value()


def run(*args, **options) -> str:
    out = StringIO()
    call_command(*args, stdout=out, stderr=StringIO(), **options)
    return out.getvalue()


def take_backup(path: Path) -> Path:
    printed = run("backup", output=str(path))
    assert str(path) in printed
    return path


# --- Backup, change, restore ----------------------------------------------------------


def test_restore_brings_back_every_row_of_every_model_and_encrypted_values(tmp_path):
    run("load_demo")
    generated_records()
    before, stored_before, secrets_before = snapshot(), stored_snapshot(), encrypted_values()
    assert [label for label, rows in before.items() if not rows] == [], "every table has rows to compare"
    assert sum(len(rows) for rows in before.values()) > 200
    assert {(label, name) for label, name, _ in secrets_before} == {
        (model._meta.label, field.name) for model, field in encrypted_fields()
    }, "every encrypted field holds a value to check"

    path = tmp_path / "hub-backup"
    printed = run("backup", output=str(path))
    assert re.search(r"Size: [\d.]+ (bytes|KB|MB)", printed)
    assert list(tmp_path.iterdir()) == [path], "nothing half-written left beside it"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600

    # Change, delete and add rows after the backup.
    Campaign.objects.update(name="Changed after the backup")
    account = SocialAccount.objects.order_by("pk").first()
    account.secret = "a new token, after the backup"
    account.save()
    Booking.objects.order_by("-pk").first().delete()  # a generated one: no certificate protects it
    UserFactory().delete()
    FileResourceFactory()
    audit_record(action="test.after_backup")
    assert snapshot() != before

    printed = run("restore", str(path), yes=True)
    assert "Restored" in printed
    assert "migrate" not in printed  # same code: nothing to migrate

    after = snapshot()
    assert after.keys() == before.keys()
    for label in before:
        assert after[label] == before[label], f"{label} differs after the restore"
    assert stored_snapshot() == stored_before  # byte for byte, ciphertext included
    secrets_after = encrypted_values()
    assert secrets_after == secrets_before
    for stored, plain in secrets_after.values():
        assert stored != plain and plain not in stored  # still ciphertext in the database
    assert SocialAccount.objects.order_by("pk").first().secret.startswith(UNICODE_SECRET)

    # The restored database carries on: still in WAL mode on SQLite, the audit chain
    # verifies, and new rows get new keys.
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA journal_mode")
            assert cursor.fetchone() == ("wal",)
    assert "intact" in run("verify_audit")
    campaign_pks = {row[0] for row in before[Campaign._meta.label]}
    assert FileResourceFactory().campaign.pk not in campaign_pks


def test_a_backup_holds_only_what_was_committed_while_another_connection_writes(tmp_path):
    campaign = ChannelFactory().campaign
    writer = connections.create_connection("default")
    try:
        writer.set_autocommit(False)
        with writer.cursor() as cursor:
            cursor.execute(
                f"UPDATE {connection.ops.quote_name(Campaign._meta.db_table)} SET name = %s WHERE id = %s",  # noqa: S608
                ["Not yet committed", campaign.pk],
            )
        path = take_backup(tmp_path / "during-write")  # does not wait for the writer
        writer.commit()
    finally:
        writer.close()
    assert Campaign.objects.get(pk=campaign.pk).name == "Not yet committed"
    run("restore", str(path), yes=True)
    assert Campaign.objects.get(pk=campaign.pk).name == campaign.name


# --- Refusals ------------------------------------------------------------------------------


def test_restore_without_yes_explains_and_changes_nothing(tmp_path):
    campaign = ChannelFactory().campaign
    path = take_backup(tmp_path / "backup")
    Campaign.objects.filter(pk=campaign.pk).update(name="After the backup")
    with pytest.raises(CommandError, match="overwrite every table of the .* database") as error:
        run("restore", str(path))
    assert "--yes" in str(error.value) and str(path) in str(error.value)
    assert Campaign.objects.get(pk=campaign.pk).name == "After the backup"


def damaged(kind: str, good: Path, folder: Path) -> Path:
    path = folder / f"{kind}.bak"
    data = good.read_bytes()
    quarter = len(data) // 4
    if kind == "missing":
        return path
    path.write_bytes(
        {
            "empty": b"",
            "garbage": secrets.token_bytes(64 * 1024),
            "truncated": data[: len(data) // 2],
            "other_engine": (b"PGDMP" if connection.vendor == "sqlite" else b"SQLite format 3\x00") + data[16:],
            "corrupted": data[:quarter] + secrets.token_bytes(len(data) - 2 * quarter) + data[-quarter:],
        }[kind]
    )
    return path


@pytest.mark.parametrize("kind", ["missing", "empty", "garbage", "truncated", "other_engine", "corrupted"])
def test_a_damaged_backup_is_a_command_error_and_changes_nothing(tmp_path, kind):
    ChannelFactory()
    good = take_backup(tmp_path / "good")
    ChannelFactory()
    before = snapshot()
    path = damaged(kind, good, tmp_path)
    with pytest.raises(CommandError, match=r"Not restored: .+") as error:
        run("restore", str(path), yes=True)
    assert "Traceback" not in str(error.value)
    if kind == "missing":
        assert "There is no file" in str(error.value)
    assert snapshot() == before


def test_a_database_that_is_not_a_backup_of_this_service_is_refused(tmp_path):
    path = tmp_path / "other"
    if connection.vendor == "sqlite":
        other = sqlite3.connect(path)
        other.execute("CREATE TABLE notes (id INTEGER PRIMARY KEY, text TEXT)")
        other.close()
    else:  # a real archive of another database: the server's empty maintenance database
        pg_dump = pg_tool("pg_dump", connection.pg_version // 10000)
        env = {**pg_environment(connection.settings_dict), "PGDATABASE": "postgres"}
        subprocess.run([pg_dump, "--format=custom", f"--file={path}"], env=env, check=True)
    with pytest.raises(CommandError, match="not a backup of this service"):
        run("restore", str(path), yes=True)


@pytest.mark.skipif(not shutil.which("pg_dump"), reason="PostgreSQL client tools not installed")
def test_pg_tools_match_the_server_version_or_are_newer():
    installed = pg_tool_major(shutil.which("pg_dump"))
    assert pg_tool_major(pg_tool("pg_dump", installed)) == installed
    assert pg_tool_major(pg_tool("pg_restore", installed - 1)) >= installed - 1
    with pytest.raises(BackupError, match=f"install Debian's postgresql-client-{installed + 50}"):
        pg_tool("pg_dump", installed + 50)


def test_backup_never_overwrites_a_file(tmp_path):
    path = tmp_path / "exists"
    path.write_bytes(b"an earlier backup")
    with pytest.raises(CommandError, match="already exists"):
        run("backup", output=str(path))
    assert path.read_bytes() == b"an earlier backup"


# --- Default name and uploaded files --------------------------------------------------------


def test_default_name_is_a_utc_timestamp_under_var_and_media_goes_beside_it(tmp_path, settings):
    settings.VAR_DIR = tmp_path
    resource = FileResourceFactory()
    started = datetime.datetime.now(tz=datetime.UTC).replace(microsecond=0)
    printed = run("backup", media=True)

    suffix = ".sqlite3" if connection.vendor == "sqlite" else ".dump"
    (backup,) = (tmp_path / "backups").glob(f"hub-*{suffix}")
    stamp = re.fullmatch(rf"hub-(\d{{8}}T\d{{6}}Z){re.escape(suffix)}", backup.name).group(1)
    taken = datetime.datetime.strptime(stamp, "%Y%m%dT%H%M%SZ").replace(tzinfo=datetime.UTC)
    assert started <= taken <= datetime.datetime.now(tz=datetime.UTC)
    assert str(backup) in printed

    media = backup.with_name(f"hub-{stamp}-media.tar.gz")
    assert str(media) in printed
    assert stat.S_IMODE(media.stat().st_mode) == 0o600
    with tarfile.open(media) as tar:
        assert f"media/{resource.file.name}" in tar.getnames()
    assert sorted(path.name for path in (tmp_path / "backups").iterdir()) == sorted([backup.name, media.name])


def test_without_media_the_output_says_to_back_up_uploads(tmp_path):
    assert "MEDIA_ROOT" in run("backup", output=str(tmp_path / "db"))


def test_the_password_goes_to_the_tools_in_the_environment_never_in_their_arguments():
    settings_dict = {
        "NAME": "hub's db",
        "USER": "hub",
        "PASSWORD": "s3cret pass",
        "HOST": "db.internal",
        "PORT": "5433",
        "OPTIONS": {"sslmode": "verify-full"},
    }
    env = pg_environment(settings_dict)
    assert (env["PGPASSWORD"], env["PGUSER"], env["PGHOST"], env["PGPORT"]) == (
        "s3cret pass",
        "hub",
        "db.internal",
        "5433",
    )
    assert env["PGSSLMODE"] == "verify-full"
    conninfo = pg_conninfo(settings_dict)
    assert conninfo == "dbname='hub\\'s db'" and "s3cret" not in conninfo


def test_sizes_read_as_people_say_them():
    assert [human_size(n) for n in (12, 2048, 5 * 1024**2 + 1)] == ["12 bytes", "2.0 KB", "5.0 MB"]
