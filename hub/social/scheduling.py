"""Posts scheduled on the organisation's own accounts. The ScheduledPost row is
the state: the worker claims it (scheduled -> publishing) before every attempt,
so a post is never published twice, and records the outcome on it."""

import csv
import datetime
import io

from django.db import transaction
from django.utils import timezone
from icalendar import Event

from hub.audit.services import audit_record
from hub.campaigns.models import Campaign
from hub.core.errors import ApplicationError
from hub.core.ics import ics_calendar, local
from hub.core.site import site_host
from hub.social.adapters import PermanentPublishError, TemporaryPublishError, publish
from hub.social.handles import handle_normalise
from hub.social.lengths import post_length_problems
from hub.social.models import Network, ScheduledPost, SocialAccount

MAX_ATTEMPTS = 8
# Mastodon remembers an Idempotency-Key for one hour. After an attempt whose outcome
# is unknown (a timeout), a retry later than that could post twice, so retries stop
# short of it and the post is marked failed for a person to check the account.
RETRY_WINDOW = datetime.timedelta(minutes=55)
# A claim older than this was left by a worker that died mid-attempt; trying again is
# safe because both networks recognise a repeat (Idempotency-Key, derived record key).
STALE_CLAIM = datetime.timedelta(minutes=10)


def retry_delay(attempts: int) -> datetime.timedelta:
    """1, 2, 4, 8, then 15 minutes."""
    return datetime.timedelta(minutes=min(15, 2 ** max(attempts - 1, 0)))


# --- Accounts -------------------------------------------------------------------------------


def account_save(*, account: SocialAccount | None, data: dict, actor, request=None) -> SocialAccount:
    """Create or change an account. An empty secret on a change keeps the stored one."""
    network = data["network"] if account is None else account.network
    secret = data.get("secret", "")
    if account is None and not secret:
        field = "Enter the access token" if network == Network.MASTODON else "Enter the app password"
        raise ApplicationError(field, field="secret")
    instance_url = (data.get("instance_url") or "").rstrip("/")
    if network == Network.MASTODON:
        if not instance_url.startswith("https://"):
            raise ApplicationError(
                "Enter the Mastodon server's address, starting https://, like https://mastodon.social",
                field="instance_url",
            )
        handle = handle_normalise(Network.MASTODON, data["handle"])
    else:
        if instance_url and not instance_url.startswith("https://"):
            raise ApplicationError("The server's address must start with https://", field="instance_url")
        try:
            handle = handle_normalise(Network.BLUESKY, data["handle"])
        except ApplicationError as error:
            raise ApplicationError(error.message, field="handle") from error
    with transaction.atomic():
        account = account or SocialAccount(network=network, created_by=actor)
        account.name = data["name"]
        account.instance_url = instance_url
        account.handle = handle
        account.max_characters = data.get("max_characters") or 500
        if secret:
            account.secret = secret
        created = account.pk is None
        account.save()
        audit_record(
            action="social.account_created" if created else "social.account_updated",
            actor=actor,
            request=request,
            obj=account,
            detail={"network": network, "secret_changed": bool(secret)},  # never the secret itself
        )
    return account


# --- Scheduling -----------------------------------------------------------------------------


def scheduled_post_create(
    *,
    campaign: Campaign,
    account: SocialAccount,
    text: str,
    scheduled_at: datetime.datetime,
    actor,
    request=None,
    now: datetime.datetime | None = None,
) -> ScheduledPost:
    now = now or timezone.now()
    if not account.is_active:
        raise ApplicationError("This account is switched off", field="account")
    if scheduled_at <= now:
        raise ApplicationError("The time must be in the future", field="date")
    problems = post_length_problems(text, [account.network], mastodon_limit=account.max_characters)
    if problems:
        raise ApplicationError(problems[0], field="text")
    with transaction.atomic():
        post = ScheduledPost.objects.create(
            campaign=campaign, account=account, text=text, scheduled_at=scheduled_at, created_by=actor
        )
        audit_record(
            action="social.post_scheduled",
            actor=actor,
            request=request,
            obj=post,
            detail={"account": account.pk, "at": scheduled_at.isoformat()},
        )
        transaction.on_commit(lambda: _enqueue_publish(post.pk, scheduled_at))
    return post


def _enqueue_publish(post_id: int, when: datetime.datetime) -> None:
    from hub.social.tasks import scheduled_post_publish

    backend = scheduled_post_publish.get_backend()
    if backend.supports_defer:
        scheduled_post_publish.using(run_after=when).enqueue(post_id)
    elif when <= timezone.now():
        scheduled_post_publish.enqueue(post_id)
    # otherwise social_tasks publishes it when due


def scheduled_post_cancel(*, post: ScheduledPost, actor, request=None) -> ScheduledPost:
    with transaction.atomic():
        claimed = ScheduledPost.objects.filter(pk=post.pk, status=ScheduledPost.Status.SCHEDULED).update(
            status=ScheduledPost.Status.CANCELLED, updated_at=timezone.now()
        )
        if not claimed:
            raise ApplicationError("Only a post that is still waiting can be cancelled", code="not_scheduled")
        audit_record(action="social.post_cancelled", actor=actor, request=request, obj=post)
    post.refresh_from_db()
    return post


# --- Publishing (the worker) ----------------------------------------------------------------


def _claim(post_id: int, now: datetime.datetime) -> bool:
    """The check before every attempt: only one worker moves a due post to publishing."""
    due = ScheduledPost.objects.filter(pk=post_id, status=ScheduledPost.Status.SCHEDULED, scheduled_at__lte=now)
    due = due.filter(next_attempt_at__isnull=True) | due.filter(next_attempt_at__lte=now)
    return bool(due.update(status=ScheduledPost.Status.PUBLISHING, updated_at=now))


def scheduled_post_publish_now(*, post_id: int, now: datetime.datetime | None = None) -> str:
    """Publish one due post. Returns its status afterwards."""
    now = now or timezone.now()
    if not _claim(post_id, now):
        return ScheduledPost.objects.filter(pk=post_id).values_list("status", flat=True).first() or "missing"
    post = ScheduledPost.objects.select_related("account").get(pk=post_id)
    post.attempts += 1
    post.first_attempt_at = post.first_attempt_at or now
    try:
        # Outside any transaction: the network call must not hold a database lock.
        result = publish(post.account, text=post.text, idempotency_key=str(post.idempotency_key))
    except TemporaryPublishError as error:
        if post.attempts >= MAX_ATTEMPTS:
            return _finish(
                post, ScheduledPost.Status.FAILED, error=f"Gave up after {post.attempts} tries: {error.message}"
            )
        wait = retry_delay(post.attempts)
        if error.retry_after:
            wait = max(wait, datetime.timedelta(seconds=error.retry_after))
        if now + wait > post.first_attempt_at + RETRY_WINDOW:
            return _finish(
                post,
                ScheduledPost.Status.FAILED,
                error=f"Not published after {post.attempts} tries in an hour: {error.message}. Check the account "
                "before scheduling it again, in case an attempt went through.",
            )
        post.next_attempt_at = now + wait
        return _finish(post, ScheduledPost.Status.SCHEDULED, error=error.message)
    except PermanentPublishError as error:
        return _finish(post, ScheduledPost.Status.FAILED, error=error.message)
    post.remote_id, post.remote_url, post.published_at = result.remote_id, result.url, timezone.now()
    return _finish(post, ScheduledPost.Status.PUBLISHED, error="")


def _finish(post: ScheduledPost, status: str, *, error: str) -> str:
    with transaction.atomic():
        post.status = status
        post.last_error = error
        post.save()
        audit_record(
            action=f"social.post_{status}",
            obj=post,
            detail={"attempts": post.attempts, "remote_id": post.remote_id}
            if status == "published"
            else {"attempts": post.attempts},
        )
    if status == ScheduledPost.Status.SCHEDULED and post.next_attempt_at:
        transaction.on_commit(lambda: _enqueue_publish(post.pk, post.next_attempt_at))
    return status


def scheduled_posts_due(*, now: datetime.datetime | None = None) -> int:
    """The periodic safety net: publish what is due (the task normally already has),
    and release claims left by a worker that died mid-attempt."""
    now = now or timezone.now()
    ScheduledPost.objects.filter(status=ScheduledPost.Status.PUBLISHING, updated_at__lt=now - STALE_CLAIM).update(
        status=ScheduledPost.Status.SCHEDULED, updated_at=now
    )
    due = ScheduledPost.objects.filter(status=ScheduledPost.Status.SCHEDULED, scheduled_at__lte=now)
    due = due.filter(next_attempt_at__isnull=True) | due.filter(next_attempt_at__lte=now)
    return sum(
        1
        for post_id in list(due.values_list("pk", flat=True))
        if scheduled_post_publish_now(post_id=post_id, now=now) == ScheduledPost.Status.PUBLISHED
    )


# --- The campaign's schedule: calendar and exports ------------------------------------------


def schedule_by_day(campaign: Campaign) -> list[tuple[datetime.date, list[ScheduledPost]]]:
    days: dict[datetime.date, list[ScheduledPost]] = {}
    for post in campaign.scheduled_posts.select_related("account").exclude(status=ScheduledPost.Status.CANCELLED):
        days.setdefault(timezone.localtime(post.scheduled_at).date(), []).append(post)
    return sorted(days.items())


# The exports are for import into scheduling tools, not spreadsheets: texts are
# written exactly (a formula guard would publish a stray apostrophe), and they are
# staff-written, not typed by the public.
def _exportable(campaign: Campaign):
    return campaign.scheduled_posts.filter(status=ScheduledPost.Status.SCHEDULED).select_related("account")


def schedule_hootsuite_csv(campaign: Campaign) -> str:
    """Hootsuite's bulk composer: no header; date and time (day/month/year 24h), message, optional link."""
    out = io.StringIO()
    writer = csv.writer(out)
    for post in _exportable(campaign):
        local = timezone.localtime(post.scheduled_at)
        writer.writerow([f"{local:%d/%m/%Y %H:%M}", post.text, ""])
    return out.getvalue()


def schedule_buffer_csv(campaign: Campaign) -> str:
    """Buffer-style bulk upload: a header, then text, image, tags and posting time."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["Text", "Image URL", "Tags", "Posting Time"])
    for post in _exportable(campaign):
        local = timezone.localtime(post.scheduled_at)
        writer.writerow([post.text, "", post.account.name, f"{local:%Y-%m-%d %H:%M}"])
    return out.getvalue()


def schedule_ics(campaign: Campaign) -> str:
    events = [
        Event.new(
            uid=f"scheduled-post-{post.pk}@{site_host()}",
            summary=f"Post on {post.account.name}",
            start=local(post.scheduled_at),
            end=local(post.scheduled_at + datetime.timedelta(minutes=5)),
            stamp=timezone.now(),
            description=post.text,
        )
        for post in _exportable(campaign)
    ]
    return ics_calendar(product="Social", name=f"{campaign.name}: posts", events=events)
