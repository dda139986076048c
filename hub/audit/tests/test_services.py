"""audit_record and audit_verify_chain: what an appended event holds, how it
links to the one before, and when it is (not) kept. Sign-in signals last."""

import threading

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import connection, transaction
from django.test import RequestFactory

from hub.accounts.tests.conftest import events, submit_password
from hub.accounts.tests.conftest import sign_in as sign_in_both_steps
from hub.accounts.tests.factories import OrganisationFactory, TOTPDeviceFactory, UserFactory
from hub.audit.models import AuditEvent
from hub.audit.services import GENESIS_HASH, ChainProblem, audit_record, audit_verify_chain, compute_hash

pytestmark = pytest.mark.django_db


def request_from(address: str, user=None):
    request = RequestFactory().post("/somewhere/", REMOTE_ADDR=address)
    request.user = user or AnonymousUser()
    return request


# --- The chain ------------------------------------------------------------------


def test_events_are_numbered_from_one_and_each_links_to_the_one_before():
    recorded = [audit_record(action=f"test.step_{n}", detail={"n": n}) for n in range(6)]
    stored = list(AuditEvent.objects.order_by("sequence"))
    assert [event.sequence for event in stored] == [1, 2, 3, 4, 5, 6]
    assert [event.pk for event in stored] == [event.pk for event in recorded]
    assert stored[0].previous_hash == GENESIS_HASH
    for before, after in zip(stored, stored[1:], strict=False):
        assert after.previous_hash == before.hash
    assert len({event.hash for event in stored}) == 6


def test_stored_hash_is_the_keyed_hash_of_the_stored_content():
    user = UserFactory()
    audit_record(action="test.stored", actor=user, request=request_from("192.0.2.7"), detail={"fields": ["name"]})
    stored = AuditEvent.objects.get()
    assert len(stored.hash) == 64
    assert stored.hash == compute_hash(stored)
    assert audit_verify_chain() is None


def test_an_event_records_the_object_actor_address_and_outcome():
    organisation = OrganisationFactory()
    user = UserFactory()
    event = audit_record(
        action="accounts.organisation.update",
        request=request_from("192.0.2.10", user=user),
        obj=organisation,
        outcome=AuditEvent.Outcome.DENIED,
        detail={"fields": ["sector"]},
    )
    stored = AuditEvent.objects.get(pk=event.pk)
    assert stored.actor == user  # taken from the signed-in request
    assert stored.ip_address == "192.0.2.10"
    assert (stored.object_type, stored.object_id) == ("accounts.organisation", str(organisation.pk))
    assert stored.outcome == "denied"
    assert stored.detail == {"fields": ["sector"]}


def test_explicit_actor_and_object_fields_win_over_the_request_and_object():
    organisation = OrganisationFactory()
    signed_in, named = UserFactory(), UserFactory()
    event = audit_record(
        action="test.explicit",
        actor=named,
        request=request_from("192.0.2.11", user=signed_in),
        obj=organisation,
        object_type="custom.kind",
        object_id=42,
    )
    assert event.actor == named
    assert (event.object_type, event.object_id) == ("custom.kind", "42")


def test_an_anonymous_request_records_the_address_but_no_actor():
    event = audit_record(action="test.anonymous", request=request_from("198.51.100.4"))
    stored = AuditEvent.objects.get(pk=event.pk)
    assert stored.actor is None
    assert stored.ip_address == "198.51.100.4"
    assert (stored.object_type, stored.object_id, stored.detail) == ("", "", {})


@pytest.mark.parametrize(
    ("remote_addr", "stored_as"),
    [
        ("2001:DB8::1", "2001:db8::1"),
        ("2001:0db8:0000:0000:0000:0000:0000:0001", "2001:db8::1"),
        ("::ffff:c000:0201", "::ffff:192.0.2.1"),
    ],
)
def test_an_ipv6_address_in_a_non_canonical_spelling_still_verifies(remote_addr, stored_as):
    # The column stores the canonical spelling; the hash must be over that, or a
    # true event would later look changed.
    audit_record(action="test.ipv6", request=request_from(remote_addr))
    assert AuditEvent.objects.get().ip_address == stored_as
    assert audit_verify_chain() is None


# --- Kept only with the change it records ------------------------------------------


def test_an_event_in_a_transaction_that_rolls_back_is_not_kept():
    audit_record(action="test.before")
    with pytest.raises(RuntimeError), transaction.atomic():
        audit_record(action="test.rolled_back_1")
        audit_record(action="test.rolled_back_2")
        raise RuntimeError("the change failed")
    assert list(AuditEvent.objects.values_list("action", flat=True)) == ["test.before"]
    # The chain carries on from the last kept event, with no gap.
    after = audit_record(action="test.after")
    assert after.sequence == 2
    assert after.previous_hash == AuditEvent.objects.get(sequence=1).hash
    assert audit_verify_chain() is None


def test_an_event_in_a_rolled_back_savepoint_goes_while_the_outer_change_stays():
    with transaction.atomic():
        audit_record(action="test.outer")
        with pytest.raises(RuntimeError), transaction.atomic():
            audit_record(action="test.inner")
            raise RuntimeError("the inner change failed")
        audit_record(action="test.outer_again")
    assert list(AuditEvent.objects.values_list("action", "sequence")) == [("test.outer", 1), ("test.outer_again", 2)]
    assert audit_verify_chain() is None


# --- The key ---------------------------------------------------------------------


def test_verification_with_a_different_key_fails_at_the_first_event(settings):
    for n in range(3):
        audit_record(action=f"test.keyed_{n}")
    settings.AUDIT_HMAC_KEY = "not-the-key-the-events-were-written-with"
    assert audit_verify_chain() == ChainProblem(1, "content does not match its hash (event changed)")
    settings.AUDIT_HMAC_KEY = "test-only-audit-key"
    assert audit_verify_chain() is None


def test_the_hash_depends_on_the_key(settings):
    event = audit_record(action="test.key")
    with_test_key = compute_hash(event)
    settings.AUDIT_HMAC_KEY = "another-key"
    assert compute_hash(event) != with_test_key
    assert with_test_key == event.hash


def test_verification_walks_past_batch_boundaries():
    for n in range(7):
        audit_record(action=f"test.batched_{n}")
    assert audit_verify_chain(batch_size=2) is None
    table = connection.ops.quote_name(AuditEvent._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {table} SET outcome = %s WHERE sequence = %s", ["failure", 6])  # noqa: S608
    assert audit_verify_chain(batch_size=2) == ChainProblem(6, "content does not match its hash (event changed)")


# --- Writers at the same time ----------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_concurrent_writers_never_share_a_predecessor():
    """Several threads (each its own database connection) append at once: the
    chain still has one event per number and verifies."""
    writers, per_writer = 4, 8
    errors: list[BaseException] = []
    start = threading.Barrier(writers)

    def write(writer: int) -> None:
        try:
            start.wait()
            for n in range(per_writer):
                audit_record(action=f"test.writer_{writer}_{n}")
        except BaseException as error:  # reported below, in the test's thread
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=write, args=(writer,)) for writer in range(writers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    total = writers * per_writer
    assert list(AuditEvent.objects.values_list("sequence", flat=True)) == list(range(1, total + 1))
    assert audit_verify_chain() is None


# --- Sign-in signals --------------------------------------------------------------------


def test_a_completed_sign_in_records_who_and_from_where(client):
    user = UserFactory()
    device = TOTPDeviceFactory(user=user)
    response = sign_in_both_steps(client, user, device)
    assert response.status_code == 302
    [event] = events("auth.sign_in")
    assert event.actor == user
    assert (event.object_type, event.object_id) == ("accounts.user", str(user.pk))
    assert event.outcome == AuditEvent.Outcome.SUCCESS
    assert event.ip_address == "127.0.0.1"
    assert audit_verify_chain() is None


def test_a_wrong_password_records_a_failure_against_the_account(client):
    user = UserFactory(email="jordan.lee@partner.example.org")
    response = submit_password(client, "Jordan.Lee@Partner.example.org", password="not-the-password")
    assert response.status_code == 200
    [event] = events("auth.sign_in_failed")
    assert event.actor == user  # the typed address, normalised, finds the account
    assert (event.object_type, event.object_id) == ("accounts.user", str(user.pk))
    assert event.outcome == AuditEvent.Outcome.FAILURE
    assert event.detail == {"reason": "wrong password"}
    assert not events("auth.sign_in")


def test_an_unknown_address_records_a_failure_without_the_typed_text(client):
    submit_password(client, "nobody.here@elsewhere.example", password="guess")
    [event] = events("auth.sign_in_failed")
    assert event.actor is None
    assert (event.object_type, event.object_id) == ("", "")
    assert event.outcome == AuditEvent.Outcome.FAILURE
    assert event.detail == {"reason": "unknown account"}
    stored_text = " ".join(
        str(value) for value in AuditEvent.objects.filter(pk=event.pk).values().get().values()
    ).lower()
    assert "nobody" not in stored_text
    assert "elsewhere" not in stored_text
    assert "guess" not in stored_text


def test_repeated_failures_record_a_lockout(client, settings):
    user = UserFactory()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        submit_password(client, user.email, password="wrong-again")
    [locked] = events("auth.locked_out")
    assert locked.actor == user
    assert locked.outcome == AuditEvent.Outcome.DENIED
    assert len(events("auth.sign_in_failed")) == settings.AXES_FAILURE_LIMIT
    assert audit_verify_chain() is None
