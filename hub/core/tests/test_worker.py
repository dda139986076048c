"""The real task path: the outbox enqueues onto the database backend, and the
`db_worker` command (what `make run` and production start) delivers."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.test import override_settings

from hub.core.models import OutboxMessage
from hub.core.outbox import email_enqueue

pytestmark = pytest.mark.django_db(transaction=True)

DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


@pytest.fixture
def database_tasks():
    # django_tasks resets its backends when TASKS changes (setting_changed).
    with override_settings(TASKS=DATABASE_TASKS):
        yield


def test_db_worker_delivers_each_email_once(smtp_server, database_tasks):
    from django_tasks_db.models import DBTaskResult

    message = email_enqueue(to=["schools@partner.example.org"], subject="Bulletin", body="Today: training")
    assert DBTaskResult.objects.count() == 1  # queued in the database after commit
    assert smtp_server.messages == []

    call_command("db_worker", "--batch", "--no-startup-delay", stdout=StringIO(), stderr=StringIO())
    call_command("db_worker", "--batch", "--no-startup-delay", stdout=StringIO(), stderr=StringIO())

    message.refresh_from_db()
    assert message.state == OutboxMessage.State.SENT
    assert [m["Subject"] for m in smtp_server.messages] == ["Bulletin"]
