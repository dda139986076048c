"""The real task path: the outbox enqueues onto the django_tasks_db database
backend, and the `db_worker` command (what `make run` and production start)
delivers through a real SMTP server."""

import datetime
import socket
from io import StringIO

import pytest
from django.core.management import call_command
from django.test import override_settings
from django.utils import timezone

from hub.core.models import OutboxMessage
from hub.core.outbox import email_enqueue, retry_delay
from hub.core.tasks import outbox_sweep_task

pytestmark = pytest.mark.django_db(transaction=True)

DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


@pytest.fixture
def database_tasks():
    # django_tasks resets its backends when TASKS changes (setting_changed).
    with override_settings(TASKS=DATABASE_TASKS):
        yield


def run_worker() -> None:
    """Run every task that is due, then stop (as a worker's one pass)."""
    call_command("db_worker", "--batch", "--no-startup-delay", "--interval", "0", stdout=StringIO(), stderr=StringIO())


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_db_worker_delivers_an_email_exactly_once(smtp_server, database_tasks):
    from django_tasks_db.models import DBTaskResult

    message = email_enqueue(to=["schools@partner.example.org"], subject="Bulletin", body="Today: training")
    # Queued in the database on commit (autocommit here), not performed yet.
    [queued] = DBTaskResult.objects.all()
    assert queued.task_path == "hub.core.tasks.outbox_deliver"
    assert queued.args_kwargs == {"args": [message.pk], "kwargs": {}}
    assert smtp_server.messages == []
    assert OutboxMessage.objects.get(pk=message.pk).state == OutboxMessage.State.PENDING

    run_worker()
    run_worker()  # a second pass finds nothing more to do

    message.refresh_from_db()
    assert (message.state, message.attempts) == (OutboxMessage.State.SENT, 1)
    assert [m["Subject"] for m in smtp_server.messages] == ["Bulletin"]
    assert smtp_server.envelopes_to == [["schools@partner.example.org"]]
    assert DBTaskResult.objects.get().status == "SUCCESSFUL"


def test_the_same_task_queued_twice_still_sends_once(smtp_server, database_tasks):
    from hub.core.tasks import outbox_deliver

    message = email_enqueue(to=["a@example.org"], subject="Only once", body="x")
    outbox_deliver.enqueue(message.pk)  # e.g. the sweep queued it again meanwhile
    run_worker()
    assert [m["Subject"] for m in smtp_server.messages] == ["Only once"]
    message.refresh_from_db()
    assert message.attempts == 1


def test_a_retry_waits_in_the_queue_until_due_then_sends(smtp_server, database_tasks, settings):
    from django_tasks_db.models import DBTaskResult

    working_port = settings.EMAIL_PORT
    settings.EMAIL_PORT = closed_port()  # the mail server is down
    message = email_enqueue(to=["a@example.org"], subject="Retried", body="x")
    before = timezone.now()
    run_worker()
    message.refresh_from_db()
    assert (message.state, message.attempts) == (OutboxMessage.State.PENDING, 1)
    assert "ConnectionRefusedError" in message.last_error
    assert message.available_at >= before + retry_delay(1)

    # The retry is a deferred task, due when the message is.
    [retry] = DBTaskResult.objects.filter(status="READY")
    assert retry.run_after == message.available_at
    assert retry.args_kwargs == {"args": [message.pk], "kwargs": {}}
    run_worker()  # not due yet: nothing happens
    message.refresh_from_db()
    assert message.attempts == 1

    settings.EMAIL_PORT = working_port  # the server is back, and the retry falls due
    now = timezone.now()
    OutboxMessage.objects.filter(pk=message.pk).update(available_at=now)
    DBTaskResult.objects.filter(pk=retry.pk).update(run_after=now)
    run_worker()
    message.refresh_from_db()
    assert (message.state, message.attempts, message.last_error) == (OutboxMessage.State.SENT, 2, "")
    assert [m["Subject"] for m in smtp_server.messages] == ["Retried"]


def test_the_sweep_task_run_by_the_worker_recovers_a_lost_send(smtp_server, database_tasks):
    from django_tasks_db.models import DBTaskResult

    message = email_enqueue(to=["a@example.org"], subject="Recovered", body="x")
    # A worker claimed it and died mid-send, and its task is gone.
    DBTaskResult.objects.all().delete()
    OutboxMessage.objects.filter(pk=message.pk).update(
        state=OutboxMessage.State.SENDING, attempts=1, updated_at=timezone.now() - datetime.timedelta(hours=1)
    )

    outbox_sweep_task.enqueue()
    run_worker()  # runs the sweep, then the delivery it queued

    message.refresh_from_db()
    assert (message.state, message.attempts) == (OutboxMessage.State.SENT, 2)
    assert [m["Subject"] for m in smtp_server.messages] == ["Recovered"]
