"""Scheduled posts: published once at their time through the adapters against the
local contract server, temporary failures retried with backoff, permanent ones
recorded with the network's message, never twice; the calendar and exports."""

import csv
import datetime
import io

import pytest
from django.utils import timezone
from icalendar import Calendar

from hub.accounts.roles import Role
from hub.accounts.tests.factories import UserFactory
from hub.audit.models import AuditEvent
from hub.campaigns.tests.factories import CampaignFactory
from hub.core.errors import ApplicationError
from hub.social import adapters, scheduling
from hub.social.models import ScheduledPost, SocialAccount
from hub.social.tests.contract_server import BLUESKY_APP_PASSWORD, MASTODON_TOKEN, ContractServer

pytestmark = pytest.mark.django_db


@pytest.fixture
def server():
    with ContractServer() as running:
        yield running


@pytest.fixture
def coordinator():
    return UserFactory(roles=[Role.CAMPAIGN_COORDINATOR])


def mastodon_account(server, **fields) -> SocialAccount:
    return SocialAccount.objects.create(
        network="mastodon",
        name="Partnership Mastodon",
        instance_url=server.url,
        handle="@partnership@mastodon.example",
        secret=fields.pop("secret", MASTODON_TOKEN),
        **fields,
    )


def bluesky_account(server) -> SocialAccount:
    return SocialAccount.objects.create(
        network="bluesky",
        name="Partnership Bluesky",
        instance_url=server.url,
        handle="partnership.bsky.social",
        secret=BLUESKY_APP_PASSWORD,
    )


def schedule(account, coordinator, *, text="Spot the signs of #CSE today", minutes=30) -> ScheduledPost:
    return scheduling.scheduled_post_create(
        campaign=CampaignFactory(),
        account=account,
        text=text,
        scheduled_at=timezone.now() + datetime.timedelta(minutes=minutes),
        actor=coordinator,
    )


def test_a_post_is_published_at_its_time_and_not_before(server, coordinator):
    post = schedule(mastodon_account(server), coordinator)
    assert scheduling.scheduled_post_publish_now(post_id=post.pk) == "scheduled"  # not yet due
    assert server.mastodon_statuses == []
    assert scheduling.scheduled_post_publish_now(post_id=post.pk, now=post.scheduled_at) == "published"
    post.refresh_from_db()
    (status,) = server.mastodon_statuses
    assert post.remote_id == status["id"] and post.remote_url == status["url"]
    assert post.attempts == 1 and post.published_at is not None
    sent = server.requests_to("/api/v1/statuses")[0]
    assert sent.headers["idempotency-key"] == str(post.idempotency_key)


def test_bluesky_post_records_uri_and_web_address(server, coordinator):
    post = schedule(bluesky_account(server), coordinator)
    assert scheduling.scheduled_post_publish_now(post_id=post.pk, now=post.scheduled_at) == "published"
    post.refresh_from_db()
    assert post.remote_id.startswith("at://") and post.remote_url.startswith("https://bsky.app/profile/")
    assert len(server.bluesky_records) == 1


def test_never_published_twice_even_when_asked_twice(server, coordinator):
    post = schedule(mastodon_account(server), coordinator)
    for _ in range(3):
        scheduling.scheduled_post_publish_now(post_id=post.pk, now=post.scheduled_at)
    assert len(server.mastodon_statuses) == 1
    assert len(server.requests_to("/api/v1/statuses")) == 1  # the check before every attempt stopped the rest


def test_a_worker_that_died_mid_attempt_is_recovered_without_a_second_post(server, coordinator):
    post = schedule(mastodon_account(server), coordinator)
    # The worker claimed the post and the network created it, then the worker died
    # before recording the answer: the row is left "publishing".
    adapters.publish(post.account, text=post.text, idempotency_key=str(post.idempotency_key))
    ScheduledPost.objects.filter(pk=post.pk).update(status="publishing", updated_at=post.scheduled_at)
    assert scheduling.scheduled_posts_due(now=post.scheduled_at + datetime.timedelta(minutes=1)) == 0  # may be alive
    later = post.scheduled_at + scheduling.STALE_CLAIM + datetime.timedelta(minutes=1)
    assert scheduling.scheduled_posts_due(now=later) == 1
    post.refresh_from_db()
    assert post.status == "published"
    assert len(server.mastodon_statuses) == 1  # the Idempotency-Key made the retry return the same status
    assert post.remote_id == server.mastodon_statuses[0]["id"]


def test_temporary_failures_are_retried_with_backoff_and_the_rate_limit_wait(server, coordinator):
    post = schedule(mastodon_account(server), coordinator)
    server.fail_next("mastodon", status=503)
    server.fail_next("mastodon", status=429, reset_in=600)
    now = post.scheduled_at
    assert scheduling.scheduled_post_publish_now(post_id=post.pk, now=now) == "scheduled"
    post.refresh_from_db()
    assert post.next_attempt_at >= now + datetime.timedelta(minutes=1) and post.last_error
    assert scheduling.scheduled_post_publish_now(post_id=post.pk, now=now) == "scheduled"  # not yet time to retry
    now = post.next_attempt_at
    assert scheduling.scheduled_post_publish_now(post_id=post.pk, now=now) == "scheduled"
    post.refresh_from_db()
    assert post.next_attempt_at >= now + datetime.timedelta(seconds=590)  # waits for the rate limit to reset
    assert scheduling.scheduled_post_publish_now(post_id=post.pk, now=post.next_attempt_at) == "published"
    post.refresh_from_db()
    assert post.attempts == 3 and post.last_error == ""
    assert len(server.mastodon_statuses) == 1


def test_permanent_failure_keeps_the_networks_message(server, coordinator):
    account = mastodon_account(server, secret="revoked-token")
    post = schedule(account, coordinator)
    assert scheduling.scheduled_post_publish_now(post_id=post.pk, now=post.scheduled_at) == "failed"
    post.refresh_from_db()
    assert post.last_error == "The access token is invalid"
    assert "revoked-token" not in post.last_error
    assert AuditEvent.objects.filter(action="social.post_failed").exists()


def test_gives_up_after_the_last_attempt(server, coordinator):
    post = schedule(mastodon_account(server), coordinator)
    ScheduledPost.objects.filter(pk=post.pk).update(attempts=scheduling.MAX_ATTEMPTS - 1)
    server.fail_next("mastodon", status=500)
    assert scheduling.scheduled_post_publish_now(post_id=post.pk, now=post.scheduled_at) == "failed"
    post.refresh_from_db()
    assert post.last_error.startswith(f"Gave up after {scheduling.MAX_ATTEMPTS} tries")


def test_scheduling_refuses_the_past_and_over_long_posts(server, coordinator):
    account = mastodon_account(server, max_characters=50)
    with pytest.raises(ApplicationError, match="must be in the future"):
        schedule(account, coordinator, minutes=-1)
    with pytest.raises(ApplicationError, match="Mastodon allows 50 characters"):
        schedule(account, coordinator, text="x" * 51)
    assert not ScheduledPost.objects.exists()


def test_cancelled_post_is_not_published(server, coordinator):
    post = schedule(mastodon_account(server), coordinator)
    scheduling.scheduled_post_cancel(post=post, actor=coordinator)
    assert scheduling.scheduled_post_publish_now(post_id=post.pk, now=post.scheduled_at) == "cancelled"
    assert server.requests == []
    with pytest.raises(ApplicationError):
        scheduling.scheduled_post_cancel(post=post, actor=coordinator)


def test_account_secret_is_required_once_kept_after_and_never_audited(coordinator):
    data = {
        "network": "mastodon",
        "name": "Ours",
        "instance_url": "https://mastodon.example/",
        "handle": "ours@mastodon.example",
        "secret": "s3cret-token",
        "max_characters": 500,
    }
    with pytest.raises(ApplicationError, match="starting https://"):
        scheduling.account_save(
            account=None, data={**data, "instance_url": "http://mastodon.example"}, actor=coordinator
        )
    account = scheduling.account_save(account=None, data=data, actor=coordinator)
    assert (account.instance_url, account.handle) == ("https://mastodon.example", "@ours@mastodon.example")
    scheduling.account_save(account=account, data={**data, "name": "Renamed", "secret": ""}, actor=coordinator)
    assert SocialAccount.objects.get().secret == "s3cret-token"
    for event in AuditEvent.objects.filter(action__startswith="social.account"):
        assert "s3cret" not in str(event.detail)
    with pytest.raises(ApplicationError, match="Bluesky handle"):
        scheduling.account_save(
            account=None, data={**data, "network": "bluesky", "instance_url": "", "handle": "nope"}, actor=coordinator
        )


def test_exports_for_hootsuite_buffer_and_calendars(server, coordinator):
    account = mastodon_account(server)
    campaign = CampaignFactory()
    at = (timezone.now() + datetime.timedelta(days=2)).replace(hour=9, minute=30, second=0, microsecond=0)
    for text in ("First, with a comma", "@partner thanks for your support"):
        scheduling.scheduled_post_create(
            campaign=campaign, account=account, text=text, scheduled_at=at, actor=coordinator
        )
    local = timezone.localtime(at)
    rows = list(csv.reader(io.StringIO(scheduling.schedule_hootsuite_csv(campaign))))
    assert rows == [
        [f"{local:%d/%m/%Y %H:%M}", "First, with a comma", ""],
        [f"{local:%d/%m/%Y %H:%M}", "@partner thanks for your support", ""],  # exactly as written
    ]
    buffer = list(csv.reader(io.StringIO(scheduling.schedule_buffer_csv(campaign))))
    assert buffer[0] == ["Text", "Image URL", "Tags", "Posting Time"]
    assert buffer[1] == ["First, with a comma", "", "Partnership Mastodon", f"{local:%Y-%m-%d %H:%M}"]
    events = Calendar.from_ical(scheduling.schedule_ics(campaign)).walk("VEVENT")
    assert len(events) == 2 and events[0].decoded("DTSTART") == at
    ((day, posts),) = scheduling.schedule_by_day(campaign)
    assert day == local.date() and len(posts) == 2


def test_retries_stop_before_mastodon_forgets_the_idempotency_key(server, coordinator):
    post = schedule(mastodon_account(server), coordinator)
    server.fail_next("mastodon", status=503)
    server.fail_next("mastodon", status=429, reset_in=3600)  # the network asks us to wait an hour
    assert scheduling.scheduled_post_publish_now(post_id=post.pk, now=post.scheduled_at) == "scheduled"
    post.refresh_from_db()
    assert scheduling.scheduled_post_publish_now(post_id=post.pk, now=post.next_attempt_at) == "failed"
    post.refresh_from_db()
    assert post.last_error.startswith("Not published after 2 tries in an hour")
    assert server.mastodon_statuses == []
