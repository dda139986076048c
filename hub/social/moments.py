"""The supporter moment (what Thunderclap did): supporters sign up before a
deadline; at the moment each is emailed their own share links. Reach is the sum
of self-reported follower counts over distinct (network, handle) pairs."""

import datetime
from dataclasses import dataclass
from urllib.parse import urlencode

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Max, Sum
from django.template.defaultfilters import floatformat
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from icalendar import Event

from hub.audit.services import audit_record
from hub.campaigns.models import Campaign
from hub.campaigns.prerender import campaign_prerender_schedule
from hub.core.errors import ApplicationError
from hub.core.ics import ics_calendar, local
from hub.core.models import OutboxMessage
from hub.core.outbox import email_send, outbox_enqueue, outbox_handler
from hub.core.site import site_host
from hub.social.handles import MOMENT_NETWORKS, handle_normalise
from hub.social.models import Moment, Network, SuggestedPost, Supporter, SupporterHandle
from hub.social.posts import campaign_page_url

MAX_FOLLOWERS = 500_000_000


# --- Coordinators -----------------------------------------------------------------------


def moment_save(*, campaign: Campaign, data: dict, actor, request=None, now: datetime.datetime | None = None) -> Moment:
    now = now or timezone.now()
    moment = Moment.objects.filter(campaign=campaign).first()
    if moment is not None and moment.status != Moment.Status.OPEN:
        raise ApplicationError("The moment has already happened and can no longer be changed", code="closed")
    if data["moment_at"] <= now:
        raise ApplicationError("The moment must be in the future", field="moment_date")
    if data["signup_deadline"] > data["moment_at"]:
        raise ApplicationError("Sign-ups must close before the moment", field="deadline_date")
    with transaction.atomic():
        moment = moment or Moment(campaign=campaign)
        for name in ("moment_at", "signup_deadline", "goal", "all_or_nothing"):
            setattr(moment, name, data[name])
        created = moment.pk is None
        moment.save()
        audit_record(
            action="social.moment_created" if created else "social.moment_updated",
            actor=actor,
            request=request,
            obj=moment,
            detail={"goal": moment.goal, "all_or_nothing": moment.all_or_nothing},
        )
        transaction.on_commit(lambda: _schedule_moment(moment))
        campaign_prerender_schedule(campaign)
    return moment


def _schedule_moment(moment: Moment) -> None:
    """Ask the worker to act at the deadline and at the moment; social_tasks is the safety net."""
    from hub.social.tasks import moment_due

    backend = moment_due.get_backend()
    for when in (moment.signup_deadline, moment.moment_at):
        task = moment_due.using(run_after=when) if backend.supports_defer else moment_due
        if backend.supports_defer or when <= timezone.now():
            task.enqueue(moment.pk)


# --- Supporters ---------------------------------------------------------------------------


def signup_closed_reason(moment: Moment, *, now: datetime.datetime | None = None) -> str | None:
    now = now or timezone.now()
    if moment.status == Moment.Status.CALLED_OFF:
        return "The moment was called off because it did not reach its goal"
    if moment.status == Moment.Status.SENT or moment.moment_at <= now:
        return "The moment has happened. Thank you to everyone who took part"
    if moment.signup_deadline < now:
        local = timezone.localtime(moment.signup_deadline)
        return f"Sign-ups closed at {local:%H:%M} on {local:%-d %B %Y}"
    return None


def handles_clean(entries: dict[str, dict]) -> dict[str, dict]:
    """{network: {"handle": text, "followers": int|None}} as typed -> normalised;
    networks left empty are dropped. Raises for the first bad entry."""
    cleaned = {}
    for network in MOMENT_NETWORKS:
        entry = entries.get(network) or {}
        text = (entry.get("handle") or "").strip()
        followers = entry.get("followers")
        if not text:
            if followers not in (None, ""):
                raise ApplicationError(
                    f"Enter your {Network(network).label} handle, or leave its followers empty",
                    field=f"{network}_handle",
                )
            continue
        if followers is not None and not 0 <= followers <= MAX_FOLLOWERS:
            raise ApplicationError(
                f"{Network(network).label} followers must be a number from 0 to {MAX_FOLLOWERS:,}",
                field=f"{network}_followers",
            )
        cleaned[network] = {"handle": handle_normalise(network, text), "followers": followers}
    if not cleaned:
        raise ApplicationError("Enter at least one account you will post from", field=f"{MOMENT_NETWORKS[0]}_handle")
    return cleaned


@dataclass(frozen=True)
class SignupResult:
    supporter: Supporter
    created: bool


def supporter_signup(
    *, moment: Moment, first_name: str, email: str, handles: dict[str, dict], now: datetime.datetime | None = None
) -> SignupResult:
    """Sign up, or update an earlier sign-up with the same email (never a duplicate)."""
    now = now or timezone.now()
    email = email.strip().lower()
    cleaned = handles_clean(handles)
    for attempt in range(2):
        try:
            with transaction.atomic():
                # No lock on the moment: sign-ups do not compete for places, and the
                # unique (moment, email) constraint settles two sign-ups of one person.
                locked = Moment.objects.get(pk=moment.pk)
                reason = signup_closed_reason(locked, now=now)
                if reason:
                    raise ApplicationError(reason, code="closed")
                supporter = Supporter.objects.filter(moment=locked, email=email).first()
                created = supporter is None
                if created:
                    supporter = Supporter.objects.create(moment=locked, email=email, first_name=first_name)
                else:
                    supporter.first_name = first_name
                    supporter.withdrawn_at = None
                    supporter.save(update_fields=["first_name", "withdrawn_at", "updated_at"])
                    supporter.handles.all().delete()
                SupporterHandle.objects.bulk_create(
                    SupporterHandle(supporter=supporter, network=network, **entry) for network, entry in cleaned.items()
                )
                audit_record(
                    action="social.supporter_signed_up" if created else "social.supporter_updated",
                    obj=supporter,
                    detail={"moment": locked.pk, "networks": sorted(cleaned)},
                )
                _email_supporter(supporter, "confirmed")
                return SignupResult(supporter=supporter, created=created)
        except IntegrityError:
            # The same email signed up in a parallel request: the second pass updates it.
            if attempt:
                raise
    raise AssertionError("unreachable")


def supporter_withdraw(*, token: str, now: datetime.datetime | None = None) -> Supporter:
    now = now or timezone.now()
    with transaction.atomic():
        supporter = Supporter.objects.select_for_update().filter(token=token).first() if token else None
        if supporter is None:
            raise ApplicationError("This link is not valid", code="not_found")
        if supporter.withdrawn_at is None:
            supporter.withdrawn_at = now
            supporter.save(update_fields=["withdrawn_at", "updated_at"])
            audit_record(action="social.supporter_withdrew", obj=supporter, detail={"moment": supporter.moment_id})
    return supporter


# --- Progress ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class MomentProgress:
    supporters: int
    goal: int
    estimated_reach: int

    @property
    def percent(self) -> int:
        return min(100, round(100 * self.supporters / self.goal)) if self.goal else 0

    @property
    def goal_met(self) -> bool:
        return self.supporters >= self.goal

    # The words the progress shows, shared by the page and its live numbers (live.json).
    @property
    def label(self) -> str:
        return f"{self.supporters} of {self.goal} supporters ({self.percent}%)"

    @property
    def bar_value(self) -> int:
        return min(self.supporters, self.goal)

    @property
    def reach_text(self) -> str:
        return floatformat(self.estimated_reach, "0g")


def moment_progress(moment: Moment, *, at: datetime.datetime | None = None) -> MomentProgress:
    """Supporters and estimated reach, now or as they stood at a past time. Reach counts
    each (network, handle) once, at the largest follower count anyone gave for it."""
    supporters = moment.supporters.all()
    if at is not None:
        supporters = supporters.filter(created_at__lte=at).exclude(withdrawn_at__lte=at)
        active = supporters
    else:
        active = supporters.filter(withdrawn_at__isnull=True)
    # Summed by the database (SUM over the grouped subquery): one number comes back, not a
    # row per handle, which on awareness day is tens of thousands of rows per page drawn.
    reach = (
        SupporterHandle.objects.filter(supporter__in=active, followers__isnull=False)
        .values("network", "handle")
        .annotate(most=Max("followers"))
        .aggregate(total=Sum("most"))["total"]
    )
    return MomentProgress(supporters=active.count(), goal=moment.goal, estimated_reach=reach or 0)


# --- At the deadline and at the moment ------------------------------------------------------


def moment_due_run(*, moment_id: int, now: datetime.datetime | None = None) -> str:
    """Call the moment off (all-or-nothing, goal not met by the deadline) or, once it
    is time, email every supporter. Safe to run any number of times."""
    now = now or timezone.now()
    with transaction.atomic():
        moment = Moment.objects.select_for_update().select_related("campaign").get(pk=moment_id)
        if moment.status != Moment.Status.OPEN:
            return moment.status
        progress = moment_progress(moment)
        if moment.all_or_nothing and moment.signup_deadline <= now and not progress.goal_met:
            moment.status = Moment.Status.CALLED_OFF
            moment.save(update_fields=["status"])
            for supporter in moment.supporters.filter(withdrawn_at__isnull=True):
                _email_supporter(supporter, "called_off")
            audit_record(action="social.moment_called_off", obj=moment, detail={"supporters": progress.supporters})
            campaign_prerender_schedule(moment.campaign)
            return moment.status
        if moment.moment_at > now:
            return moment.status
        supporters = list(moment.supporters.filter(withdrawn_at__isnull=True, moment_emailed_at__isnull=True))
        for index, supporter in enumerate(supporters):
            supporter.moment_emailed_at = now
            supporter.save(update_fields=["moment_emailed_at", "updated_at"])
            _email_supporter(supporter, "moment", index=index)
        moment.status = Moment.Status.SENT
        moment.sent_at = now
        moment.save(update_fields=["status", "sent_at"])
        audit_record(action="social.moment_sent", obj=moment, detail={"supporters": len(supporters)})
        campaign_prerender_schedule(moment.campaign)
        return moment.status


def moments_due(*, now: datetime.datetime | None = None) -> int:
    """The periodic safety net: run every open moment whose deadline or moment has passed."""
    now = now or timezone.now()
    due = Moment.objects.filter(status=Moment.Status.OPEN, signup_deadline__lte=now).values_list("pk", flat=True)
    return sum(1 for pk in list(due) if moment_due_run(moment_id=pk, now=now) != Moment.Status.OPEN)


def _post_for(network: str, posts: list[SuggestedPost], index: int) -> SuggestedPost | None:
    """Spread supporters over the suggested posts so they do not all post the same words."""
    suited = [post for post in posts if network in post.networks] or posts
    return suited[index % len(suited)] if suited else None


def supporter_share_links(supporter: Supporter, posts: list[SuggestedPost], index: int) -> list[dict]:
    page = campaign_page_url(supporter.moment.campaign)
    links = []
    for handle in supporter.handles.all():
        post = _post_for(handle.network, posts, index)
        text = post.text if post else supporter.moment.campaign.hashtag_text
        with_link = f"{text} {page}"
        url = {
            Network.X: "https://twitter.com/intent/tweet?" + urlencode({"text": text, "url": page}),
            Network.FACEBOOK: "https://www.facebook.com/sharer/sharer.php?" + urlencode({"u": page}),
            Network.LINKEDIN: "https://www.linkedin.com/sharing/share-offsite/?" + urlencode({"url": page}),
            Network.BLUESKY: "https://bsky.app/intent/compose?" + urlencode({"text": with_link}),
            Network.MASTODON: f"https://{handle.handle.rsplit('@', 1)[-1]}/share?" + urlencode({"text": with_link}),
        }.get(handle.network)
        if url:
            links.append({"network": Network(handle.network).label, "handle": handle.handle, "text": text, "url": url})
    return links


# --- Emails ---------------------------------------------------------------------------------


def moment_ics(moment: Moment) -> str:
    event = Event.new(
        uid=f"moment-{moment.pk}@{site_host()}",
        summary=f"Share the message: {moment.campaign.name}",
        start=local(moment.moment_at),
        end=local(moment.moment_at + datetime.timedelta(minutes=15)),
        stamp=timezone.now(),
        description=f"At this time we will email you a message to share. {campaign_page_url(moment.campaign)}",
        url=campaign_page_url(moment.campaign),
    )
    return ics_calendar(product="Moment", name=str(moment.campaign), events=[event])


def _email_supporter(supporter: Supporter, kind: str, *, index: int = 0) -> None:
    """Queue an email to a supporter; the worker renders it after commit (outside
    the sign-up transaction) from the state at sending time."""
    outbox_enqueue(
        kind="social_supporter_email",
        payload={"supporter": supporter.pk, "kind": kind, "index": index},
        dedupe_key=f"social-supporter-{supporter.pk}-{kind}-{supporter.updated_at.timestamp()}",
    )


def supporter_email_render(supporter: Supporter, kind: str, *, index: int = 0) -> dict:
    moment = supporter.moment
    context = {
        "supporter": supporter,
        "moment": moment,
        "campaign": moment.campaign,
        "page_url": campaign_page_url(moment.campaign),
        "withdraw_url": settings.SITE_URL + reverse("social:supporter_withdraw", kwargs={"token": supporter.token}),
        "progress": moment_progress(moment) if kind == "called_off" else None,
        "links": supporter_share_links(supporter, list(moment.campaign.suggested_posts.all()), index)
        if kind == "moment"
        else [],
    }
    attachments = []
    if kind == "confirmed":
        attachments.append(
            {"filename": "moment.ics", "content": moment_ics(moment), "mimetype": "text/calendar; charset=utf-8"}
        )
    return {
        "to": [supporter.email],
        "subject": render_to_string(f"social/email/{kind}_subject.txt", context).strip(),
        "body": render_to_string(f"social/email/{kind}.txt", context),
        "attachments": attachments,
    }


@outbox_handler("social_supporter_email")
def _send_supporter_email(message: OutboxMessage) -> None:
    payload = message.payload
    supporter = Supporter.objects.select_related("moment__campaign").get(pk=payload["supporter"])
    if payload["kind"] == "moment" and supporter.withdrawn_at is not None:
        return  # withdrew between the moment and the worker's turn
    email_send(message, **supporter_email_render(supporter, payload["kind"], index=payload.get("index", 0)))
