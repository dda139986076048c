"""AES-GCM fields, the blind index and re-encryption under a new key."""

import base64
import os
from io import StringIO
from pathlib import Path

import pytest
from django.core.exceptions import FieldError, ImproperlyConfigured
from django.core.management import call_command
from django.db import connection
from django.test import override_settings

from hub.accounts.roles import Role
from hub.accounts.tests.factories import UserFactory
from hub.audit.models import AuditEvent
from hub.screening.crypto import DecryptionError, blind_index, decrypt, encrypt, key_ids_in_use, normalise_name
from hub.screening.models import CategoryChange, Screening
from hub.screening.services import category_raise
from hub.screening.tests.factories import draft_make, submitted_make

TEST_KEY = "m8lQ0l3a1bq0qk9f3Kc2Qz3Jt6q5v6tY0cM4Yw1x2sE="
NEW_KEY = base64.urlsafe_b64encode(os.urandom(32)).decode()


def raw_values(model, pk: int, *columns: str) -> tuple:
    table = model._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {', '.join(columns)} FROM {table} WHERE id = %s", [pk])  # noqa: S608 (test)
        return cursor.fetchone()


def test_values_carry_their_key_id_and_a_fresh_nonce():
    first, second = encrypt("Jamie", context="a.b"), encrypt("Jamie", context="a.b")
    assert first.startswith("test1$") and first != second
    assert decrypt(first, context="a.b") == "Jamie"


def test_a_value_moved_to_another_field_or_changed_does_not_decrypt():
    value = encrypt("2012-01-31", context="screening.screening.date_of_birth")
    with pytest.raises(DecryptionError):
        decrypt(value, context="screening.screening.child_name")
    key_id, body = value.split("$")
    tampered = body[:-3] + ("A" if body[-3] != "A" else "B") + body[-2:]
    with pytest.raises(DecryptionError):
        decrypt(f"{key_id}${tampered}", context="screening.screening.date_of_birth")
    with pytest.raises(DecryptionError, match="No screening key with id 'gone'"):
        decrypt(f"gone${body}", context="screening.screening.date_of_birth")


@pytest.mark.django_db
def test_encrypted_fields_cannot_be_searched():
    with pytest.raises(FieldError):
        list(Screening.objects.filter(child_name="Jamie"))
    with pytest.raises(FieldError):
        list(Screening.objects.filter(child_name__icontains="Jamie"))


def test_name_normalisation_and_blind_index_key():
    assert normalise_name("  Siân  O’Neil-Smith ") == normalise_name("SIAN ONeil smith") == "sian oneil smith"
    import datetime

    born = datetime.date(2012, 3, 4)
    index = blind_index(name="Sian Smith", date_of_birth=born)
    assert index == blind_index(name="sian  smith", date_of_birth=born)
    assert index != blind_index(name="Sian Smith", date_of_birth=born.replace(day=5))
    with override_settings(SCREENING_BLIND_INDEX_KEY="another-key"):
        assert blind_index(name="Sian Smith", date_of_birth=born) != index
    with override_settings(SCREENING_BLIND_INDEX_KEY=""), pytest.raises(ImproperlyConfigured):
        blind_index(name="Sian Smith", date_of_birth=born)


@pytest.mark.django_db
def test_reencrypt_moves_every_value_to_the_new_key_and_the_old_key_can_go():
    practitioner = UserFactory(roles=[Role.PRACTITIONER])
    screening = submitted_make(practitioner, child_name="Robin Rotate")
    category_raise(screening=screening, actor=practitioner, category=2, rationale="Seen at the hotel on Friday.")
    draft = draft_make(practitioner, child_name="Drew Draft", setting_name="")
    assert set(key_ids_in_use()) == {"test1"}

    rotated = {"test1": TEST_KEY, "test2": NEW_KEY}
    with override_settings(SCREENING_ENCRYPTION_KEYS=rotated, SCREENING_ENCRYPTION_KEY_ID="test2"):
        out = StringIO()
        call_command("screening_reencrypt", stdout=out)
        assert "screening.Screening: 2 row(s) re-encrypted" in out.getvalue()
        assert "screening.CategoryChange: 1 row(s) re-encrypted" in out.getvalue()
        assert "Nothing is left under other keys." in out.getvalue()
        again = StringIO()
        call_command("screening_reencrypt", stdout=again)
        assert "Re-encrypted 0 row(s)" in again.getvalue()
        name, born, setting = raw_values(Screening, screening.pk, "child_name", "date_of_birth", "setting_name")
        assert name.startswith("test2$") and born.startswith("test2$") and setting.startswith("test2$")
        assert raw_values(Screening, draft.pk, "setting_name") == ("",)

    with override_settings(SCREENING_ENCRYPTION_KEYS={"test2": NEW_KEY}, SCREENING_ENCRYPTION_KEY_ID="test2"):
        again = Screening.objects.get(pk=screening.pk)
        assert again.child_name == "Robin Rotate" and again.setting_name == "Seaside Academy"
        assert again.date_of_birth_value == screening.date_of_birth_value
        assert CategoryChange.objects.get(kind="raised").rationale == "Seen at the hotel on Friday."
    assert AuditEvent.objects.filter(action="screening.reencrypted").count() == 2


@pytest.mark.django_db(transaction=True)
def test_identifying_fields_are_unreadable_in_the_database_file():
    if connection.vendor != "sqlite":
        pytest.skip("Reads the SQLite file itself; on PostgreSQL the column test in test_services covers it.")
    practitioner = UserFactory(roles=[Role.PRACTITIONER])
    submitted_make(practitioner, child_name="Zebedee Quillfeather", setting_name="Marshwood Grammar")
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    path = Path(connection.settings_dict["NAME"])
    data = path.read_bytes() + (Path(f"{path}-wal").read_bytes() if Path(f"{path}-wal").exists() else b"")
    assert b"Zebedee" not in data and b"Quillfeather" not in data and b"Marshwood" not in data
    # The plain descriptive fields are there, so the search itself works.
    assert b"BN11" in data
