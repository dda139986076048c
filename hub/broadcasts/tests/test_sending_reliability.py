"""A bulletin to thousands through a real SMTP server (aiosmtpd on loopback):
the sending worker, a separate process, is killed with SIGKILL in the middle
and started again; every recipient ends with exactly one message.

"Exactly one" is as a mail system sees it: every message carries a Message-ID
fixed per delivery. At most the one message in flight when the process died
can be transmitted twice, with the same Message-ID, which receiving systems use
to drop the repeat; no recipient is missed. The test checks both: one distinct
Message-ID per recipient, and raw transmissions at most recipients + kills."""

import os
import signal
import subprocess
import sys
import time

import pytest
from django.conf import settings
from django.db import connection
from django.utils import timezone

from hub.broadcasts import sending
from hub.broadcasts.models import Bulletin, Contact, Delivery, Series
from hub.broadcasts.tests.factories import AudienceFactory

RECIPIENTS = 2000


def worker(env: dict) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "manage.py", "broadcasts_tasks", "--release-after", "0"],
        cwd=settings.BASE_DIR,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def worker_env(smtp_port: int) -> dict:
    database = connection.settings_dict
    env = {key: value for key, value in os.environ.items() if key not in ("DJANGO_SETTINGS_MODULE", "DATABASE_URL")}
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings.local",
        EMAIL_HOST="127.0.0.1",
        EMAIL_PORT=str(smtp_port),
        SITE_URL="http://testserver",
        AUDIT_HMAC_KEY=settings.AUDIT_HMAC_KEY,
        # The configured rate limit, so the send lasts a few seconds and the kill lands in it.
        BROADCAST_MAX_PER_SECOND="400",
    )
    if connection.vendor == "sqlite":
        env["SQLITE_PATH"] = str(database["NAME"])
    else:
        credentials = f"{database['USER']}:{database['PASSWORD'] or ''}"
        env["DATABASE_URL"] = f"postgres://{credentials}@{database['HOST']}:{database['PORT']}/{database['NAME']}"
    return env


@pytest.mark.django_db(transaction=True)
def test_worker_killed_mid_send_then_restarted_sends_each_recipient_one_message(smtp_server, settings):
    # Queue the task row as production does (the test settings would run it here and now).
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    audience = AudienceFactory(name="Frontline staff")
    Contact.objects.bulk_create(
        Contact(name=f"Person {n}", email=f"person{n}@frontline.example.org", lawful_basis="public_task")
        for n in range(RECIPIENTS)
    )
    Contact.audiences.through.objects.bulk_create(
        Contact.audiences.through(contact_id=pk, audience_id=audience.pk)
        for pk in Contact.objects.values_list("pk", flat=True)
    )
    series = Series.objects.create(name="CSE Awareness Week", slug="cse-week")
    bulletin = Bulletin.objects.create(
        series=series, day=timezone.localdate(), topic="Training", subject="Training today", body_markdown="Hello"
    )
    bulletin.audiences.set([audience])
    assert sending.bulletin_send_start(bulletin=bulletin) == RECIPIENTS

    env = worker_env(settings.EMAIL_PORT)
    first = worker(env)
    deadline = time.monotonic() + 120
    # Watch the SMTP server, not the database: kill once a third have arrived.
    while len(smtp_server.messages) < RECIPIENTS // 3:
        assert first.poll() is None, first.stderr.read()
        assert time.monotonic() < deadline, "the worker did not get going"
        time.sleep(0.01)
    first.send_signal(signal.SIGKILL)
    first.wait(timeout=30)
    received_before_restart = len(smtp_server.messages)
    assert received_before_restart < RECIPIENTS, "killed too late to prove anything"

    second = worker(env)
    out, err = second.communicate(timeout=300)
    assert second.returncode == 0, err

    assert set(Delivery.objects.values_list("status", flat=True)) == {"sent"}
    bulletin.refresh_from_db()
    assert bulletin.status == Bulletin.Status.SENT
    ids_by_recipient: dict[str, set[str]] = {}
    for message, envelope_to in zip(smtp_server.messages, smtp_server.envelopes_to, strict=True):
        ids_by_recipient.setdefault(envelope_to[0], set()).add(message["Message-ID"])
    assert len(ids_by_recipient) == RECIPIENTS
    assert all(len(ids) == 1 for ids in ids_by_recipient.values())
    assert len(smtp_server.messages) <= RECIPIENTS + 1  # one kill: at most the message in flight, repeated
