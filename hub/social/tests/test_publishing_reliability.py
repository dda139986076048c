"""Scheduled posts published by the task worker (`manage.py db_worker`, a separate
process, as hub-worker.service runs it) to a Mastodon contract server: the worker
is killed with SIGKILL in the middle, at the worst moment (the network has made
a post and the worker has not recorded the answer), and started again; every
post ends published, none twice.

The post in flight when the worker died is left claimed ("publishing"); the
periodic `social_tasks` (hub-tasks.timer) takes such a claim back once it is
STALE_CLAIM old and tries again with the same Idempotency-Key, which the network
answers with the status it already made. The test makes that claim old rather
than waiting ten minutes."""

import datetime
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.db import connection
from django.db.models import F
from django.utils import timezone

from hub.accounts.roles import Role
from hub.accounts.tests.factories import UserFactory
from hub.campaigns.tests.factories import CampaignFactory
from hub.social import scheduling
from hub.social.models import ScheduledPost, SocialAccount
from hub.social.tests.contract_server import MASTODON_TOKEN, ContractServer

POSTS = 30
KILLED_AT = 10  # the worker dies waiting for the answer to this post, which the network has made
STATUSES = "/api/v1/statuses"


def process_env() -> dict:
    """The test settings, on this test's database (as the kill -9 drill of the web server)."""
    database = connection.settings_dict
    env = {key: value for key, value in os.environ.items() if key not in ("DATABASE_URL", "DJANGO_SETTINGS_MODULE")}
    env["DJANGO_SETTINGS_MODULE"] = "hub.core.tests.drill_settings"
    if connection.vendor == "sqlite":
        env["DRILL_SQLITE_PATH"] = str(database["NAME"])
    else:
        credentials = f"{database['USER']}:{database['PASSWORD'] or ''}"
        env["DATABASE_URL"] = f"postgres://{credentials}@{database['HOST']}:{database['PORT']}/{database['NAME']}"
    return env


def manage(*arguments: str, env: dict, log: Path) -> subprocess.Popen:
    with log.open("ab") as output:
        return subprocess.Popen(
            [sys.executable, "manage.py", *arguments],
            cwd=django_settings.BASE_DIR,
            env=env,
            stdout=output,
            stderr=output,
        )


@pytest.mark.django_db(transaction=True)
def test_worker_killed_mid_publication_then_restarted_publishes_each_post_once(settings, tmp_path):
    # Queue the tasks as production does (the test settings would run them here and now).
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    log = tmp_path / "worker.log"
    with ContractServer() as server:
        account = SocialAccount.objects.create(
            network="mastodon",
            name="Partnership Mastodon",
            instance_url=server.url,
            handle="@partnership@mastodon.example",
            secret=MASTODON_TOKEN,
        )
        campaign, coordinator = CampaignFactory(), UserFactory(roles=[Role.CAMPAIGN_COORDINATOR])
        due = timezone.now() + datetime.timedelta(seconds=2)
        posts = [
            scheduling.scheduled_post_create(
                campaign=campaign,
                account=account,
                text=f"Post {n}: spot the signs #CSE",
                scheduled_at=due,
                actor=coordinator,
            )
            for n in range(POSTS)
        ]
        # Answers come at once, except the one to post KILLED_AT, which the network makes
        # and then holds back (the worker waits for it, up to its 20 s timeout).
        for _ in range(KILLED_AT - 1):
            server.fail_next("mastodon", delay=0.01, endpoint=STATUSES)
        server.fail_next("mastodon", delay=15, endpoint=STATUSES)

        env = process_env()
        worker = manage("db_worker", "--no-reload", "--no-startup-delay", "--interval", "0.2", env=env, log=log)
        try:
            deadline = time.monotonic() + 120
            while len(server.mastodon_statuses) < KILLED_AT:
                assert worker.poll() is None, log.read_text()
                assert time.monotonic() < deadline, f"the worker did not get going\n{log.read_text()}"
                time.sleep(0.01)
            time.sleep(0.2)  # well inside the held answer
            worker.send_signal(signal.SIGKILL)
            worker.wait(timeout=30)
        finally:
            if worker.poll() is None:
                worker.kill()
                worker.wait(timeout=30)
        assert len(server.mastodon_statuses) == KILLED_AT
        in_flight = ScheduledPost.objects.get(status=ScheduledPost.Status.PUBLISHING)
        made_before_the_kill = server.mastodon_statuses[-1]
        assert made_before_the_kill["content"] == f"<p>{in_flight.text}</p>"

        # Started again: the worker publishes the rest and leaves the claimed post alone.
        restarted = manage("db_worker", "--batch", "--no-startup-delay", "--interval", "0", env=env, log=log)
        assert restarted.wait(timeout=180) == 0, log.read_text()
        assert ScheduledPost.objects.filter(status=ScheduledPost.Status.PUBLISHED).count() == POSTS - 1
        # Ten minutes later, social_tasks takes the claim back and tries again.
        ScheduledPost.objects.filter(pk=in_flight.pk).update(
            updated_at=F("updated_at") - scheduling.STALE_CLAIM - datetime.timedelta(minutes=1)
        )
        timer = manage("social_tasks", env=env, log=log)
        assert timer.wait(timeout=120) == 0, log.read_text()

        statuses = server.mastodon_statuses
        requests = server.requests_to(STATUSES)
    stored = ScheduledPost.objects.filter(pk__in=[post.pk for post in posts])
    assert set(stored.values_list("status", flat=True)) == {ScheduledPost.Status.PUBLISHED}
    # Each post made once on the network, and recorded with the status that was made.
    assert len(statuses) == POSTS
    assert sorted(stored.values_list("remote_id", flat=True)) == sorted(status["id"] for status in statuses)
    in_flight.refresh_from_db()
    assert in_flight.remote_id == made_before_the_kill["id"]
    # One request repeated (the one in flight, with its Idempotency-Key); nothing else.
    assert len(requests) == POSTS + 1
    keys = [request.headers["idempotency-key"] for request in requests]
    assert len(set(keys)) == POSTS and keys.count(str(in_flight.idempotency_key)) == 2
