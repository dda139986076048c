"""The audit chain: appends link up, and any change, removal or insertion made
behind the application's back (raw SQL, as an attacker with database access
would) is found by `verify_audit`, which names the first broken event."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection, transaction

from hub.accounts.tests.factories import UserFactory
from hub.audit.models import AppendOnlyError, AuditEvent
from hub.audit.services import GENESIS_HASH, audit_record, audit_verify_chain

pytestmark = pytest.mark.django_db
TABLE = AuditEvent._meta.db_table


def record_events(count: int = 5) -> list[AuditEvent]:
    user = UserFactory()
    return [audit_record(action=f"test.event_{n}", actor=user, detail={"n": n}) for n in range(count)]


def raw(sql: str, params: list) -> None:
    with connection.cursor() as cursor:
        cursor.execute(sql.replace("{table}", connection.ops.quote_name(TABLE)), params)


def verify() -> str:
    out = StringIO()
    call_command("verify_audit", stdout=out)
    return out.getvalue()


def test_events_link_to_the_one_before():
    events = record_events(4)
    assert [event.sequence for event in events] == [1, 2, 3, 4]
    assert events[0].previous_hash == GENESIS_HASH
    for before, after in zip(events, events[1:], strict=False):
        assert after.previous_hash == before.hash
    assert len({event.hash for event in events}) == 4


def test_intact_chain_verifies():
    record_events(5)
    assert "Audit chain intact: 5 event(s) verified." in verify()


def test_empty_chain_verifies():
    assert "0 event(s)" in verify()


def test_changed_detail_is_found():
    record_events(5)
    raw("UPDATE {table} SET detail = %s WHERE sequence = %s", ['{"n": 99}', 3])
    with pytest.raises(CommandError, match=r"event 3: content does not match its hash"):
        verify()


def test_changed_action_is_found_even_with_the_hash_recomputed_without_the_key():
    import hashlib

    record_events(5)
    # An attacker without the HMAC key can only guess: a plain SHA-256 is not it.
    forged = hashlib.sha256(b"test.nothing_happened").hexdigest()
    raw("UPDATE {table} SET action = %s, hash = %s WHERE sequence = %s", ["test.nothing_happened", forged, 2])
    with pytest.raises(CommandError, match=r"event 2"):
        verify()


def test_removed_event_is_found():
    record_events(5)
    raw("DELETE FROM {table} WHERE sequence = %s", [3])
    with pytest.raises(CommandError, match=r"event 3: event 3 is missing"):
        verify()


def test_removed_last_events_and_renumbered_middle_are_found():
    record_events(5)
    raw("DELETE FROM {table} WHERE sequence = %s", [2])
    raw("UPDATE {table} SET sequence = sequence - 1 WHERE sequence > %s", [2])
    with pytest.raises(CommandError, match=r"event 2"):
        verify()


def test_inserted_event_is_found():
    events = record_events(3)
    # A forged event claiming to follow event 3, with a made-up hash.
    raw(
        "INSERT INTO {table} (sequence, created_at, action, object_type, object_id, outcome, detail,"
        " previous_hash, hash) VALUES (%s, %s, %s, '', '', 'success', %s, %s, %s)",
        [4, events[-1].created_at, "test.forged", "{}", events[-1].hash, "f" * 64],
    )
    with pytest.raises(CommandError, match=r"event 4: content does not match its hash"):
        verify()


def test_a_different_key_fails_verification(settings):
    record_events(2)
    settings.AUDIT_HMAC_KEY = "some-other-key"
    problem = audit_verify_chain()
    assert problem is not None and problem.sequence == 1


def test_events_cannot_be_changed_or_deleted_through_the_application():
    event = record_events(1)[0]
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.filter(pk=event.pk).update(action="changed")
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.filter(pk=event.pk).delete()
    event.action = "changed"
    with pytest.raises(AppendOnlyError):
        event.save()
    with pytest.raises(AppendOnlyError):
        event.delete()
    event.refresh_from_db()
    assert event.action == "test.event_0"


def test_event_rolls_back_with_the_change_it_records():
    with pytest.raises(RuntimeError), transaction.atomic():
        audit_record(action="test.will_roll_back")
        raise RuntimeError("the change failed")
    assert not AuditEvent.objects.exists()
    # The next event still starts the chain cleanly.
    assert audit_record(action="test.after").sequence == 1
    assert "1 event(s)" in verify()
