"""The outbox: messages leave only after their transaction commits, through a
real SMTP server (aiosmtpd); failures are retried with backoff or given up,
never lost; `outbox_sweep` picks up what a stopped worker left."""

import datetime
import socket
import threading
from collections.abc import Iterator
from io import StringIO

import pytest
from aiosmtpd.controller import Controller
from django.core.management import call_command
from django.db import connection, transaction
from django.utils import timezone

from hub.core.models import OutboxMessage
from hub.core.outbox import (
    PermanentDeliveryError,
    TemporaryDeliveryError,
    email_enqueue,
    outbox_deliver_message,
    outbox_enqueue,
    outbox_handler,
    retry_delay,
)

pytestmark = pytest.mark.django_db

# --- A test-only handler, scripted by each test ---------------------------------------------

SCRIPTED = "test_outbox.scripted"
# Each delivery takes the next outcome: an exception to raise, or None to succeed.
script: list[Exception | None] = []
performed: list[int] = []


@outbox_handler(SCRIPTED)
def _scripted(message: OutboxMessage) -> None:
    outcome = script.pop(0) if script else None
    if outcome is not None:
        raise outcome
    performed.append(message.pk)


@pytest.fixture(autouse=True)
def _reset_script() -> Iterator[None]:
    script.clear()
    performed.clear()
    yield
    script.clear()
    performed.clear()


def reload(message: OutboxMessage) -> OutboxMessage:
    return OutboxMessage.objects.get(pk=message.pk)


def make_due(message: OutboxMessage) -> None:
    OutboxMessage.objects.filter(pk=message.pk).update(available_at=timezone.now())


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]  # nothing listens here once the socket closes


def text_part(message, content_type: str = "text/plain") -> str:
    """A part's text, with SMTP's CRLF line ends and final line break taken off."""
    for part in message.walk():
        if part.get_content_type() == content_type and not part.get_filename():
            return part.get_payload(decode=True).decode().replace("\r\n", "\n").rstrip("\n")
    raise AssertionError(f"no {content_type} part")


# --- Email through a real SMTP server ----------------------------------------------------------


def test_email_reaches_the_smtp_server_only_after_commit(smtp_server, django_capture_on_commit_callbacks, settings):
    with django_capture_on_commit_callbacks(execute=True):
        message = email_enqueue(
            to=["team@partner.example.org", "lead@school.example.org"],
            subject="Training dates for spring",
            body="Sessions run on Tuesdays.\nBook through the hub.",
        )
        assert smtp_server.messages == []  # nothing leaves before commit
        assert reload(message).state == OutboxMessage.State.PENDING
    assert smtp_server.envelopes_to == [["team@partner.example.org", "lead@school.example.org"]]
    [sent] = smtp_server.messages
    assert sent["Subject"] == "Training dates for spring"
    assert sent["To"] == "team@partner.example.org, lead@school.example.org"
    assert sent["From"] == settings.DEFAULT_FROM_EMAIL
    assert sent["Message-ID"] == f"<outbox-{message.pk}@testserver>"
    assert text_part(sent) == "Sessions run on Tuesdays.\nBook through the hub."
    message = reload(message)
    assert message.state == OutboxMessage.State.SENT
    assert message.attempts == 1
    assert message.completed_at is not None
    assert message.last_error == ""


def test_email_with_html_and_an_attachment(smtp_server, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        email_enqueue(
            to=["team@partner.example.org"],
            subject="Invitation",
            body="Plain text",
            html_body="<p>HTML</p>",
            attachments=[
                {
                    "filename": "session.ics",
                    "content": "BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n",
                    "mimetype": "text/calendar",
                }
            ],
        )
    [sent] = smtp_server.messages
    assert text_part(sent) == "Plain text"
    assert text_part(sent, "text/html") == "<p>HTML</p>"
    [calendar] = [part for part in sent.walk() if part.get_filename() == "session.ics"]
    assert calendar.get_content_type() == "text/calendar"
    assert "BEGIN:VCALENDAR" in calendar.get_payload(decode=True).decode()


def test_a_rolled_back_transaction_sends_nothing_and_keeps_no_row(smtp_server, django_capture_on_commit_callbacks):
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        email_enqueue(to=["a@example.org"], subject="Never", body="x")
        raise RuntimeError("the change failed")
    assert callbacks == []
    assert not OutboxMessage.objects.exists()
    assert smtp_server.messages == []


def test_a_rolled_back_savepoint_drops_only_its_own_email(smtp_server, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        email_enqueue(to=["kept@example.org"], subject="Kept", body="x")
        with pytest.raises(RuntimeError), transaction.atomic():
            email_enqueue(to=["dropped@example.org"], subject="Dropped", body="x")
            raise RuntimeError("the inner change failed")
    assert [m["Subject"] for m in smtp_server.messages] == ["Kept"]
    assert list(OutboxMessage.objects.values_list("payload__subject", flat=True)) == ["Kept"]


# --- Dedupe ---------------------------------------------------------------------------------------


def test_the_same_dedupe_key_makes_one_row_and_one_email(smtp_server, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        first = email_enqueue(to=["a@example.org"], subject="Once", body="x", dedupe_key="reminder-7")
        second = email_enqueue(to=["a@example.org"], subject="Once", body="x", dedupe_key="reminder-7")
    # And again later, after the first was sent.
    with django_capture_on_commit_callbacks(execute=True):
        third = email_enqueue(to=["a@example.org"], subject="Once again?", body="x", dedupe_key="reminder-7")
    assert first.pk == second.pk == third.pk
    assert OutboxMessage.objects.count() == 1
    assert [m["Subject"] for m in smtp_server.messages] == ["Once"]


def test_different_dedupe_keys_each_send(smtp_server, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        email_enqueue(to=["a@example.org"], subject="First", body="x", dedupe_key="k-1")
        email_enqueue(to=["a@example.org"], subject="Second", body="x", dedupe_key="k-2")
        email_enqueue(to=["a@example.org"], subject="No key", body="x")
        email_enqueue(to=["a@example.org"], subject="No key", body="x")
    assert OutboxMessage.objects.count() == 4
    assert sorted(m["Subject"] for m in smtp_server.messages) == ["First", "No key", "No key", "Second"]


@pytest.mark.django_db(transaction=True)
def test_two_transactions_racing_on_one_dedupe_key_send_once(smtp_server):
    """One transaction has inserted the key but not committed when a second
    enqueues the same key: the second gets the first's row, and one email leaves."""
    inserted = threading.Event()
    results: dict[str, int] = {}
    errors: list[BaseException] = []

    def first() -> None:
        try:
            with transaction.atomic():
                results["first"] = email_enqueue(to=["a@example.org"], subject="Raced", body="x", dedupe_key="race").pk
                inserted.set()
                threading.Event().wait(0.5)  # the second is now waiting on this transaction
        except BaseException as error:
            errors.append(error)
            inserted.set()
        finally:
            connection.close()

    def second() -> None:
        try:
            inserted.wait(10)
            results["second"] = email_enqueue(to=["a@example.org"], subject="Raced", body="x", dedupe_key="race").pk
        except BaseException as error:
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    assert results["first"] == results["second"]
    assert OutboxMessage.objects.count() == 1
    assert [m["Subject"] for m in smtp_server.messages] == ["Raced"]


def test_a_kind_without_a_handler_is_refused():
    with pytest.raises(ValueError, match="No outbox handler"):
        outbox_enqueue(kind="test_outbox.nobody_handles_this", payload={})
    assert not OutboxMessage.objects.exists()


# --- Failures: retried with backoff, or given up --------------------------------------------------


def deliver_and_time(message: OutboxMessage) -> tuple[OutboxMessage, datetime.datetime, datetime.datetime]:
    before = timezone.now()
    outbox_deliver_message(message_id=message.pk)
    after = timezone.now()
    return reload(message), before, after


def test_a_temporary_failure_is_retried_later_with_growing_backoff(settings):
    settings.OUTBOX_MAX_ATTEMPTS = 5
    script.extend([TemporaryDeliveryError("421 busy"), TemporaryDeliveryError("421 still busy"), None])
    message = outbox_enqueue(kind=SCRIPTED, payload={"n": 1})

    for attempt, error in ((1, "421 busy"), (2, "421 still busy")):
        message, before, after = deliver_and_time(message)
        assert message.state == OutboxMessage.State.PENDING
        assert message.attempts == attempt
        assert message.last_error == error
        assert message.completed_at is None
        # Next attempt at now + retry_delay(attempts): 30 s, then 60 s.
        assert before + retry_delay(attempt) <= message.available_at <= after + retry_delay(attempt)
        # Not due yet: a worker that picks it up now does nothing.
        assert outbox_deliver_message(message_id=message.pk) is None
        assert reload(message).attempts == attempt
        make_due(message)

    message, _, _ = deliver_and_time(message)
    assert (message.state, message.attempts, message.last_error) == (OutboxMessage.State.SENT, 3, "")
    assert performed == [message.pk]


def test_temporary_failures_give_up_after_the_maximum_attempts(settings):
    settings.OUTBOX_MAX_ATTEMPTS = 3
    script.extend([TemporaryDeliveryError("429 try later")] * 3)
    message = outbox_enqueue(kind=SCRIPTED, payload={})
    for _ in range(3):
        make_due(message)
        message, _, _ = deliver_and_time(message)
    assert (message.state, message.attempts, message.last_error) == (OutboxMessage.State.FAILED, 3, "429 try later")
    assert message.completed_at is not None
    make_due(message)
    assert outbox_deliver_message(message_id=message.pk) is None  # failed stays failed
    assert performed == []


def test_a_permanent_failure_is_marked_failed_at_once_with_its_message():
    script.append(PermanentDeliveryError("550 no such mailbox"))
    message = outbox_enqueue(kind=SCRIPTED, payload={})
    message, _, _ = deliver_and_time(message)
    assert (message.state, message.attempts, message.last_error) == (
        OutboxMessage.State.FAILED,
        1,
        "550 no such mailbox",
    )
    assert message.completed_at is not None
    assert call_command_output("outbox_sweep") == "Scheduled 0 outbox message(s).\n"
    assert reload(message).attempts == 1
    assert performed == []


def test_an_unexpected_error_is_retried_and_named(settings):
    script.append(KeyError("payload field"))
    message = outbox_enqueue(kind=SCRIPTED, payload={})
    message, before, after = deliver_and_time(message)
    assert message.state == OutboxMessage.State.PENDING
    assert message.last_error == "KeyError: 'payload field'"
    assert before + retry_delay(1) <= message.available_at <= after + retry_delay(1)


def test_backoff_doubles_from_thirty_seconds_and_stops_at_an_hour():
    assert [retry_delay(n).total_seconds() for n in (1, 2, 3, 4, 5)] == [30, 60, 120, 240, 480]
    assert retry_delay(8).total_seconds() == 3600
    assert retry_delay(50).total_seconds() == 3600


def test_a_sent_message_is_never_performed_again():
    message = outbox_enqueue(kind=SCRIPTED, payload={})
    outbox_deliver_message(message_id=message.pk)
    assert outbox_deliver_message(message_id=message.pk) is None
    assert performed == [message.pk]


# --- SMTP failures, classified from what a real server says ----------------------------------------


class RefusingSmtp:
    """An SMTP server that answers RCPT or DATA with a set reply."""

    def __init__(self) -> None:
        self.rcpt_reply = "250 OK"
        self.data_reply = "250 Message accepted"
        self.received = 0

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802 (aiosmtpd hook)
        if self.rcpt_reply.startswith("250"):
            envelope.rcpt_tos.append(address)
        return self.rcpt_reply

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd hook)
        if self.data_reply.startswith("250"):
            self.received += 1
        return self.data_reply


@pytest.fixture
def refusing_smtp(settings) -> Iterator[RefusingSmtp]:
    handler = RefusingSmtp()
    port = closed_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = port
    settings.EMAIL_USE_TLS = False
    try:
        yield handler
    finally:
        controller.stop()


@pytest.mark.parametrize(
    ("stage", "reply", "state", "error"),
    [
        ("rcpt", "550 5.1.1 No such mailbox", OutboxMessage.State.FAILED, "SMTP recipients refused [550]"),
        ("rcpt", "450 4.2.1 Mailbox busy", OutboxMessage.State.PENDING, "SMTP recipients refused [450]"),
        ("data", "554 5.7.1 Message rejected", OutboxMessage.State.FAILED, "SMTP 554"),
        ("data", "451 4.3.0 Try again later", OutboxMessage.State.PENDING, "SMTP 451"),
    ],
)
def test_smtp_refusals_are_permanent_or_temporary_by_code(refusing_smtp, stage, reply, state, error):
    setattr(refusing_smtp, f"{stage}_reply", reply)
    message = email_enqueue(to=["someone@school.example.org"], subject="Hello", body="x")
    message, _, _ = deliver_and_time(message)
    assert (message.state, message.attempts, message.last_error) == (state, 1, error)
    assert refusing_smtp.received == 0


def test_smtp_server_down_is_a_temporary_failure_and_the_email_is_not_lost(smtp_server, settings):
    working_port = settings.EMAIL_PORT
    settings.EMAIL_PORT = closed_port()
    message = email_enqueue(to=["a@example.org"], subject="Later", body="Still wanted")

    message, before, after = deliver_and_time(message)
    assert message.state == OutboxMessage.State.PENDING
    assert message.attempts == 1
    assert "ConnectionRefusedError" in message.last_error
    assert before + retry_delay(1) <= message.available_at <= after + retry_delay(1)
    assert smtp_server.messages == []

    # The server is back and the retry is due: the sweep sends it, once.
    settings.EMAIL_PORT = working_port
    make_due(message)
    assert call_command_output("outbox_sweep") == "Scheduled 1 outbox message(s).\n"
    message = reload(message)
    assert (message.state, message.attempts, message.last_error) == (OutboxMessage.State.SENT, 2, "")
    assert [text_part(m) for m in smtp_server.messages] == ["Still wanted"]


# --- The sweep ---------------------------------------------------------------------------------


def call_command_output(name: str) -> str:
    out = StringIO()
    call_command(name, stdout=out)
    return out.getvalue()


def test_sweep_requeues_messages_a_stopped_worker_left_mid_send():
    # Each enqueued outside a commit, so only the sweep (or nothing) performs them.
    stale = outbox_enqueue(kind=SCRIPTED, payload={"which": "stale"})
    fresh = outbox_enqueue(kind=SCRIPTED, payload={"which": "fresh"})
    OutboxMessage.objects.filter(pk=stale.pk).update(
        state=OutboxMessage.State.SENDING, attempts=1, updated_at=timezone.now() - datetime.timedelta(minutes=16)
    )
    OutboxMessage.objects.filter(pk=fresh.pk).update(
        state=OutboxMessage.State.SENDING, attempts=1, updated_at=timezone.now() - datetime.timedelta(minutes=5)
    )

    assert call_command_output("outbox_sweep") == "Scheduled 1 outbox message(s).\n"

    stale, fresh = reload(stale), reload(fresh)
    assert (stale.state, stale.attempts) == (OutboxMessage.State.SENT, 2)  # the immediate test backend ran it
    assert fresh.state == OutboxMessage.State.SENDING  # a worker may still be on it: left alone
    assert performed == [stale.pk]


def test_sweep_sends_due_pending_messages_and_leaves_the_rest():
    due = outbox_enqueue(kind=SCRIPTED, payload={"which": "due"})
    later = outbox_enqueue(
        kind=SCRIPTED, payload={"which": "later"}, available_at=timezone.now() + datetime.timedelta(hours=1)
    )
    sent = outbox_enqueue(kind=SCRIPTED, payload={"which": "sent"})
    failed = outbox_enqueue(kind=SCRIPTED, payload={"which": "failed"})
    OutboxMessage.objects.filter(pk=sent.pk).update(state=OutboxMessage.State.SENT)
    OutboxMessage.objects.filter(pk=failed.pk).update(state=OutboxMessage.State.FAILED)

    assert call_command_output("outbox_sweep") == "Scheduled 1 outbox message(s).\n"
    assert performed == [due.pk]
    assert reload(later).state == OutboxMessage.State.PENDING
    assert reload(failed).state == OutboxMessage.State.FAILED


def test_a_message_for_later_is_not_sent_on_commit_but_by_the_sweep_once_due(django_capture_on_commit_callbacks):
    # The immediate backend cannot wait, so the commit sends nothing early.
    with django_capture_on_commit_callbacks(execute=True):
        message = outbox_enqueue(
            kind=SCRIPTED, payload={}, available_at=timezone.now() + datetime.timedelta(minutes=10)
        )
    assert performed == []
    assert reload(message).state == OutboxMessage.State.PENDING
    make_due(message)
    assert call_command_output("outbox_sweep") == "Scheduled 1 outbox message(s).\n"
    assert performed == [message.pk]


def test_a_failure_to_wake_the_worker_after_commit_loses_nothing_and_raises_nothing(
    settings, django_capture_on_commit_callbacks
):
    """The task row is written after the change commits; if that write fails (SQLite
    busy in a burst), the person still sees success and outbox_sweep sends the email."""
    from django.core import mail
    from django_tasks_db.models import DBTaskResult

    from hub.core.outbox import outbox_sweep

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    table = DBTaskResult._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(f"ALTER TABLE {connection.ops.quote_name(table)} RENAME TO hub_tasks_away")  # noqa: S608
    try:
        with django_capture_on_commit_callbacks(execute=True):
            message = email_enqueue(to=["someone@example.org"], subject="Hello", body="Body")
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"ALTER TABLE hub_tasks_away RENAME TO {connection.ops.quote_name(table)}")  # noqa: S608
    message.refresh_from_db()
    assert message.state == OutboxMessage.State.PENDING
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    assert outbox_sweep() == 1
    assert mail.outbox[-1].subject == "Hello"
