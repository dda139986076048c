"""Series and bulletins: writing them, and a test send to the author.

Each service is one transaction and records an audit event without personal data.
A bulletin is locked once sending has started (Bulletin.LOCKED): the lock is
checked on the row taken FOR UPDATE, so an edit cannot race a send that starts.
"""

import datetime
from collections.abc import Iterable

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.text import slugify

from hub.audit.services import audit_record
from hub.broadcasts.models import Audience, Bulletin, Series
from hub.broadcasts.rendering import SAMPLE, bulletin_render
from hub.campaigns.models import Resource
from hub.core.errors import ApplicationError
from hub.core.models import OutboxMessage
from hub.core.outbox import email_enqueue

LOCKED_MESSAGE = "This bulletin is being sent or has been sent, so it can no longer be changed"
BULLETIN_FIELDS = ("day", "topic", "subject", "body_markdown", "send_at")


def series_save(*, series: Series | None, data: dict, actor, request=None) -> Series:
    """Create or change a series. `data`: name, slug (made from the name if empty),
    campaign (a Campaign or None) and description."""
    name = (data.get("name") or "").strip()
    if not name:
        raise ApplicationError("Enter the name of the series", field="name")
    slug = (data.get("slug") or "").strip() or slugify(name)[:100]
    if not slug:
        raise ApplicationError("Short name must only include letters a to z, numbers and hyphens", field="slug")
    campaign = data.get("campaign")
    try:
        with transaction.atomic():
            if series is not None:
                series = Series.objects.select_for_update().get(pk=series.pk)
            if Series.objects.filter(slug=slug).exclude(pk=getattr(series, "pk", None)).exists():
                raise ApplicationError("Another series already uses this short name", field="slug")
            if series is not None and series.campaign_id != getattr(campaign, "pk", None):
                linked = Bulletin.resources.through.objects.filter(bulletin__series=series)
                if campaign is not None:
                    linked = linked.exclude(resource__campaign=campaign)
                if linked.exists():
                    raise ApplicationError(
                        "Bulletins in this series link to resources of its campaign. "
                        "Remove those links before changing the campaign",
                        field="campaign",
                    )
            created = series is None
            series = series or Series()
            series.name = name
            series.slug = slug
            series.campaign = campaign
            series.description = (data.get("description") or "").strip()
            series.save()
            audit_record(
                action="broadcasts.series_created" if created else "broadcasts.series_updated",
                actor=actor,
                request=request,
                obj=series,
                detail={"campaign": series.campaign_id},
            )
    except IntegrityError as error:
        raise ApplicationError("Another series already uses this short name", field="slug") from error
    return series


def bulletin_save(
    *,
    bulletin: Bulletin | None,
    series: Series,
    data: dict,
    audience_ids: Iterable[int] = (),
    resource_ids: Iterable[int] = (),
    actor,
    request=None,
    now: datetime.datetime | None = None,
) -> Bulletin:
    """Create or change a bulletin of `series`. `data`: day, topic, subject,
    body_markdown and send_at (an aware datetime or None for no send time yet).
    Refused once sending has started, for a send time not in the future, for
    audiences that do not exist and resources not of the series' campaign."""
    now = now or timezone.now()
    send_at = data.get("send_at")
    if send_at is not None and send_at <= now:
        raise ApplicationError("The send time must be in the future", field="send_at")
    for name, message in (
        ("day", "Enter the day of the series"),
        ("topic", "Enter the topic"),
        ("subject", "Enter the subject line"),
        ("body_markdown", "Enter the bulletin text"),
    ):
        if not data.get(name):
            raise ApplicationError(message, field=name)
    audience_ids = sorted({int(pk) for pk in audience_ids})
    resource_ids = sorted({int(pk) for pk in resource_ids})
    with transaction.atomic():
        # Saves in one series take turns, so two bulletins cannot claim the same day.
        series = Series.objects.select_for_update().get(pk=series.pk)
        if bulletin is not None:
            bulletin = Bulletin.objects.select_for_update().get(pk=bulletin.pk)
            if bulletin.status in Bulletin.LOCKED:
                raise ApplicationError(LOCKED_MESSAGE, code="locked")
            if bulletin.series_id != series.pk:
                raise ApplicationError("This bulletin belongs to another series")
        audiences = list(Audience.objects.filter(pk__in=audience_ids))
        if len(audiences) != len(audience_ids):
            raise ApplicationError("Select audiences from the list", field="audiences")
        resources = list(Resource.objects.filter(pk__in=resource_ids, campaign_id=series.campaign_id))
        if len(resources) != len(resource_ids):  # unknown, or of another campaign
            raise ApplicationError("Select resources of this series' campaign", field="resources")
        same_day = Bulletin.objects.filter(series=series, day=data["day"]).exclude(pk=getattr(bulletin, "pk", None))
        if same_day.exists():
            raise ApplicationError("This series already has a bulletin on that day", field="day")

        created = bulletin is None
        if created:
            bulletin = Bulletin(series=series, created_by=actor)
            changed = list(BULLETIN_FIELDS)
        else:
            changed = [name for name in BULLETIN_FIELDS if getattr(bulletin, name) != data.get(name)]
        for name in BULLETIN_FIELDS:
            setattr(bulletin, name, data.get(name))
        if bulletin.status == Bulletin.Status.SCHEDULED and send_at is None:
            # Scheduled with no time would never be sent: it goes back to being a draft.
            bulletin.status = Bulletin.Status.DRAFT
            changed.append("status")
        elif bulletin.status == Bulletin.Status.DRAFT and send_at is not None:
            # A send time schedules it: broadcasts_tasks (every minute) starts it when due.
            bulletin.status = Bulletin.Status.SCHEDULED
            changed.append("status")
        bulletin.save()
        bulletin.audiences.set(audiences)
        bulletin.resources.set(resources)
        audit_record(
            action="broadcasts.bulletin_created" if created else "broadcasts.bulletin_updated",
            actor=actor,
            request=request,
            obj=bulletin,
            detail={
                "series": series.pk,
                "changed": changed,
                "audiences": audience_ids,
                "resources": resource_ids,
                "send_at": send_at.isoformat() if send_at else None,
            },
        )
    return bulletin


def bulletin_test_send(bulletin: Bulletin, *, user, request=None) -> OutboxMessage:
    """Email the bulletin, as rendered for a recipient, to the signed-in author only.
    Its links are the clearly-marked preview placeholders, not anyone's unsubscribe links."""
    if not getattr(user, "email", ""):
        raise ApplicationError("Your account has no email address to send a test to")
    rendered = bulletin_render(bulletin, **{**SAMPLE, "name": getattr(user, "full_name", "") or SAMPLE["name"]})
    with transaction.atomic():
        message = email_enqueue(
            to=[user.email],
            subject=f"[Test] {rendered.subject}",
            body=rendered.text,
            html_body=rendered.html,
        )
        audit_record(
            action="broadcasts.bulletin_test_sent",
            actor=user,
            request=request,
            obj=bulletin,
            detail={"to": "author", "status": bulletin.status},
        )
    return message
