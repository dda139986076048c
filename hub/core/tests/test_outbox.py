"""The outbox, delivering through a real SMTP server (aiosmtpd)."""

import datetime
import socket

import pytest
from django.db import transaction
from django.utils import timezone

from hub.core.models import OutboxMessage
from hub.core.outbox import (
    PermanentDeliveryError,
    TemporaryDeliveryError,
    email_enqueue,
    outbox_deliver_message,
    outbox_enqueue,
    outbox_handler,
    outbox_sweep,
    retry_delay,
)

pytestmark = pytest.mark.django_db

# Test-only handlers: what they do next is set by each test.
behaviour: dict[str, Exception | None] = {"next": None}
performed: list[int] = []


@outbox_handler("test.flaky")
def _flaky(message: OutboxMessage) -> None:
    error = behaviour["next"]
    if error is not None:
        raise error
    performed.append(message.pk)


@pytest.fixture(autouse=True)
def _reset():
    behaviour["next"] = None
    performed.clear()


def test_email_reaches_the_smtp_server_after_commit(smtp_server, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        message = email_enqueue(
            to=["team@partner.example.org"],
            subject="Briefing",
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
        assert smtp_server.messages == []  # nothing leaves before commit
    message.refresh_from_db()
    assert message.state == OutboxMessage.State.SENT
    assert message.attempts == 1
    assert smtp_server.envelopes_to == [["team@partner.example.org"]]
    sent = smtp_server.messages[0]
    assert sent["Subject"] == "Briefing"
    assert sent["Message-ID"] == f"<outbox-{message.pk}@testserver>"
    parts = {part.get_content_type(): part for part in sent.walk()}
    assert parts["text/plain"].get_payload(decode=True).decode() == "Plain text"
    assert parts["text/html"].get_payload(decode=True).decode() == "<p>HTML</p>"
    assert parts["text/calendar"].get_filename() == "session.ics"


def test_rolled_back_transaction_sends_nothing(smtp_server, django_capture_on_commit_callbacks):
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


def test_same_dedupe_key_sends_once(smtp_server, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        first = email_enqueue(to=["a@example.org"], subject="Once", body="x", dedupe_key="k-1")
        second = email_enqueue(to=["a@example.org"], subject="Once", body="x", dedupe_key="k-1")
    assert first.pk == second.pk
    assert OutboxMessage.objects.count() == 1
    assert len(smtp_server.messages) == 1


def test_unknown_kind_is_refused():
    with pytest.raises(ValueError, match="No outbox handler"):
        outbox_enqueue(kind="test.nobody_handles_this", payload={})


def test_smtp_server_down_is_a_temporary_failure_kept_for_retry(settings):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        closed_port = sock.getsockname()[1]
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_PORT = closed_port
    message = email_enqueue(to=["a@example.org"], subject="Later", body="x")
    before = timezone.now()
    outbox_deliver_message(message_id=message.pk)
    message.refresh_from_db()
    assert message.state == OutboxMessage.State.PENDING
    assert message.attempts == 1
    assert "ConnectionRefusedError" in message.last_error
    assert message.available_at >= before + retry_delay(1) - datetime.timedelta(seconds=1)


def test_temporary_failures_back_off_then_give_up(settings):
    settings.OUTBOX_MAX_ATTEMPTS = 3
    behaviour["next"] = TemporaryDeliveryError("429 try later")
    message = outbox_enqueue(kind="test.flaky", payload={})
    for attempt in (1, 2):
        outbox_deliver_message(message_id=message.pk)
        message.refresh_from_db()
        assert (message.state, message.attempts) == (OutboxMessage.State.PENDING, attempt)
        # Not due yet: a second worker picking it up now does nothing.
        assert outbox_deliver_message(message_id=message.pk) is None
        OutboxMessage.objects.filter(pk=message.pk).update(available_at=timezone.now())
    outbox_deliver_message(message_id=message.pk)
    message.refresh_from_db()
    assert (message.state, message.attempts, message.last_error) == (OutboxMessage.State.FAILED, 3, "429 try later")
    assert performed == []


def test_backoff_doubles_and_is_capped():
    assert [retry_delay(n).total_seconds() for n in (1, 2, 3, 4)] == [30, 60, 120, 240]
    assert retry_delay(20).total_seconds() == 3600


def test_permanent_failure_is_not_retried():
    behaviour["next"] = PermanentDeliveryError("550 no such mailbox")
    message = outbox_enqueue(kind="test.flaky", payload={})
    outbox_deliver_message(message_id=message.pk)
    message.refresh_from_db()
    assert (message.state, message.attempts, message.last_error) == (
        OutboxMessage.State.FAILED,
        1,
        "550 no such mailbox",
    )


def test_sent_message_is_never_performed_again():
    message = outbox_enqueue(kind="test.flaky", payload={})
    outbox_deliver_message(message_id=message.pk)
    outbox_deliver_message(message_id=message.pk)
    assert performed == [message.pk]


def test_sweep_picks_up_what_a_dead_worker_left(django_capture_on_commit_callbacks):
    message = outbox_enqueue(kind="test.flaky", payload={})
    # A worker claimed it and died: 'sending' for longer than the stale limit.
    OutboxMessage.objects.filter(pk=message.pk).update(
        state=OutboxMessage.State.SENDING, updated_at=timezone.now() - datetime.timedelta(hours=1)
    )
    fresh = outbox_enqueue(kind="test.flaky", payload={})
    OutboxMessage.objects.filter(pk=fresh.pk).update(state=OutboxMessage.State.SENDING)
    assert outbox_sweep() == 1
    message.refresh_from_db()
    fresh.refresh_from_db()
    assert message.state == OutboxMessage.State.SENT  # the immediate test backend ran it
    assert fresh.state == OutboxMessage.State.SENDING  # still being worked on: left alone
    assert performed == [message.pk]
