"""`manage.py verify_audit` against a chain changed behind the application's
back, with raw SQL as someone with database access would: it must fail and
name the first broken event."""

import hashlib
import re
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from hub.accounts.tests.factories import UserFactory
from hub.audit.models import AuditEvent
from hub.audit.services import audit_record

pytestmark = pytest.mark.django_db


def record_events(count: int) -> list[AuditEvent]:
    user = UserFactory()
    return [
        audit_record(action=f"test.event_{n}", actor=user, object_type="test.thing", object_id=n, detail={"n": n})
        for n in range(1, count + 1)
    ]


def raw(sql: str, params: list | None = None) -> int:
    """Run SQL with {table} standing for the audit table, quoted for this database."""
    table = connection.ops.quote_name(AuditEvent._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(sql.replace("{table}", table), params or [])
        return cursor.rowcount


def verify() -> str:
    out = StringIO()
    call_command("verify_audit", stdout=out)
    return out.getvalue()


def broken_at(sequence: int, reason: str = "") -> pytest.RaisesExc:
    return pytest.raises(CommandError, match=rf"^Audit chain broken at event {sequence}: {re.escape(reason)}")


# --- Intact ---------------------------------------------------------------------------


def test_an_intact_chain_passes_with_a_success_message():
    record_events(5)
    assert verify() == "Audit chain intact: 5 event(s) verified.\n"


def test_an_empty_chain_passes():
    assert verify() == "Audit chain intact: 0 event(s) verified.\n"


def test_a_broken_chain_makes_the_command_exit_non_zero():
    record_events(2)
    raw("UPDATE {table} SET action = %s WHERE sequence = %s", ["test.other", 1])
    with pytest.raises(CommandError) as failure:
        verify()
    assert failure.value.returncode == 1


# --- Changed ------------------------------------------------------------------------------


def test_changed_detail_is_named():
    record_events(5)
    assert raw("UPDATE {table} SET detail = %s WHERE sequence = %s", ['{"n": 99}', 3]) == 1
    with broken_at(3, "content does not match its hash (event changed)"):
        verify()


def test_changed_action_is_named():
    record_events(5)
    raw("UPDATE {table} SET action = %s WHERE sequence = %s", ["test.nothing_to_see", 4])
    with broken_at(4, "content does not match its hash"):
        verify()


@pytest.mark.parametrize(
    ("column", "value"),
    [
        ("action", "test.forged"),
        ("object_type", "test.other_thing"),
        ("object_id", "999"),
        ("outcome", "failure"),
        ("detail", '{"n": 2, "extra": true}'),
        ("ip_address", "203.0.113.9"),
        ("actor_id", None),
        ("created_at", "2001-01-01 00:00:00+00:00"),
    ],
)
def test_a_change_to_any_recorded_column_is_found(column, value):
    record_events(3)
    sql = "UPDATE {table} SET " + connection.ops.quote_name(column) + " = %s WHERE sequence = %s"  # noqa: S608
    assert raw(sql, [value, 2]) == 1
    with broken_at(2, "content does not match its hash"):
        verify()


def test_a_change_with_a_hash_recomputed_without_the_key_is_found():
    record_events(4)
    # Someone without the HMAC key can at best guess: a plain SHA-256 is not it.
    forged = hashlib.sha256(b"test.forged").hexdigest()
    raw("UPDATE {table} SET action = %s, hash = %s WHERE sequence = %s", ["test.forged", forged, 2])
    with broken_at(2, "content does not match its hash"):
        verify()


def test_the_first_of_several_broken_events_is_named():
    record_events(6)
    raw("UPDATE {table} SET detail = %s WHERE sequence = %s", ['{"n": 0}', 5])
    raw("UPDATE {table} SET detail = %s WHERE sequence = %s", ['{"n": 0}', 2])
    with broken_at(2):
        verify()


def test_a_changed_previous_hash_on_the_first_event_is_found():
    record_events(2)
    raw("UPDATE {table} SET previous_hash = %s WHERE sequence = %s", ["1" * 64, 1])
    with broken_at(1, "does not follow the event before it"):
        verify()


# --- Removed ----------------------------------------------------------------------------------


def test_a_removed_middle_event_is_named():
    record_events(5)
    assert raw("DELETE FROM {table} WHERE sequence = %s", [3]) == 1
    with broken_at(3, "event 3 is missing"):
        verify()


def test_a_removed_first_event_is_named():
    record_events(3)
    raw("DELETE FROM {table} WHERE sequence = %s", [1])
    with broken_at(1, "event 1 is missing"):
        verify()


def test_a_removed_event_with_the_later_ones_renumbered_is_found():
    record_events(5)
    raw("DELETE FROM {table} WHERE sequence = %s", [2])
    # Renumber 3..5 to 2..4 in two steps, so no unique check sees a clash mid-update.
    raw("UPDATE {table} SET sequence = sequence + 1000 WHERE sequence > %s", [2])
    raw("UPDATE {table} SET sequence = sequence - 1001 WHERE sequence > %s", [1000])
    with broken_at(2, "does not follow the event before it"):
        verify()


# --- Inserted ------------------------------------------------------------------------------


def insert_forged(sequence: int, previous_hash: str, created_at) -> None:
    raw(
        "INSERT INTO {table} (sequence, created_at, action, object_type, object_id, outcome, detail,"
        " previous_hash, hash) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s)",
        [sequence, created_at, "test.forged", "", "", "success", "{}", previous_hash, "f" * 64],
    )


def test_a_forged_event_appended_at_the_end_is_named():
    recorded = record_events(3)
    insert_forged(4, recorded[-1].hash, recorded[-1].created_at)
    with broken_at(4, "content does not match its hash"):
        verify()


def test_a_forged_event_slipped_into_the_middle_is_named():
    recorded = record_events(4)
    # Make room after event 2, then insert a forged event 3 that claims to follow it.
    raw("UPDATE {table} SET sequence = sequence + 1000 WHERE sequence > %s", [2])
    raw("UPDATE {table} SET sequence = sequence - 999 WHERE sequence > %s", [1000])
    insert_forged(3, recorded[1].hash, recorded[1].created_at)
    assert list(AuditEvent.objects.values_list("sequence", flat=True)) == [1, 2, 3, 4, 5]
    with broken_at(3, "content does not match its hash"):
        verify()


def test_a_copied_event_inserted_under_a_new_number_is_found():
    recorded = record_events(3)
    original = recorded[1]
    # A replay: event 2's content and hash copied in as event 4 (hash made unique).
    raw(
        "INSERT INTO {table} (sequence, created_at, action, object_type, object_id, outcome, detail,"
        " previous_hash, hash) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s)",
        [
            4,
            original.created_at,
            original.action,
            original.object_type,
            original.object_id,
            original.outcome,
            '{"n": 2}',
            original.previous_hash,
            original.hash[:-1] + ("0" if original.hash[-1] != "0" else "1"),
        ],
    )
    with broken_at(4, "does not follow the event before it"):
        verify()


# --- The key --------------------------------------------------------------------------------


def test_the_command_fails_under_a_different_key(settings):
    record_events(3)
    assert "3 event(s) verified" in verify()
    settings.AUDIT_HMAC_KEY = "a-different-key"
    with broken_at(1, "content does not match its hash"):
        verify()
