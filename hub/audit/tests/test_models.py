"""AuditEvent is append-only through the ORM: every way Django offers to change
or remove rows is refused, and the row in the database stays as it was."""

import pytest
from django.db import IntegrityError, transaction
from django.db.models import ProtectedError

from hub.accounts.tests.factories import UserFactory
from hub.audit.models import AppendOnlyError, AuditEvent
from hub.audit.services import audit_record, audit_verify_chain

pytestmark = pytest.mark.django_db


@pytest.fixture
def event() -> AuditEvent:
    audit_record(action="test.first")
    return audit_record(action="test.original", detail={"n": 1})


def stored(event: AuditEvent) -> tuple:
    return AuditEvent.objects.filter(pk=event.pk).values_list("action", "detail", "hash").get()


def test_saving_a_changed_event_is_refused(event):
    before = stored(event)
    event.action = "test.changed"
    with pytest.raises(AppendOnlyError):
        event.save()
    with pytest.raises(AppendOnlyError):
        event.save(update_fields=["action"])
    assert stored(event) == before


def test_saving_a_reloaded_event_is_refused(event):
    reloaded = AuditEvent.objects.get(pk=event.pk)
    reloaded.detail = {"n": 2}
    with pytest.raises(AppendOnlyError):
        reloaded.save()
    assert stored(event)[1] == {"n": 1}


def test_queryset_update_is_refused(event):
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.filter(pk=event.pk).update(action="test.changed")
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.all().update(detail={})
    assert stored(event)[0] == "test.original"


def test_bulk_update_is_refused(event):
    event.action = "test.changed"
    # bulk_update joins the surrounding transaction, so give it one of its own.
    with pytest.raises(AppendOnlyError), transaction.atomic():
        AuditEvent.objects.bulk_update([event], ["action"])
    assert stored(event)[0] == "test.original"


def test_update_or_create_cannot_change_an_event(event):
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.update_or_create(pk=event.pk, defaults={"action": "test.changed"})
    assert stored(event)[0] == "test.original"


def test_deleting_is_refused_for_one_event_and_for_a_queryset(event):
    with pytest.raises(AppendOnlyError):
        event.delete()
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.filter(pk=event.pk).delete()
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.all().delete()
    assert AuditEvent.objects.count() == 2
    assert audit_verify_chain() is None


def test_a_person_with_audit_events_cannot_be_deleted():
    user = UserFactory()
    audit_record(action="test.by_user", actor=user)
    with pytest.raises(ProtectedError), transaction.atomic():
        user.delete()
    assert AuditEvent.objects.get().actor_id == user.pk


def test_two_events_cannot_share_a_sequence_number(event):
    duplicate = AuditEvent(
        sequence=event.sequence,
        created_at=event.created_at,
        action="test.duplicate",
        previous_hash=event.previous_hash,
        hash="e" * 64,
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        duplicate.save(force_insert=True)
    assert AuditEvent.objects.count() == 2


def test_events_come_back_in_chain_order_and_read_plainly():
    for n in range(3):
        audit_record(action=f"test.order_{n}", outcome=AuditEvent.Outcome.FAILURE if n == 1 else "success")
    assert [str(event) for event in AuditEvent.objects.all()] == [
        "#1 test.order_0 success",
        "#2 test.order_1 failure",
        "#3 test.order_2 success",
    ]
