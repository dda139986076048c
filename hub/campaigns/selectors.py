"""Reads of campaigns, shared by pages, the API and later capabilities."""

import datetime

from django.db.models import Prefetch, QuerySet
from django.utils import timezone

from hub.campaigns.models import Audience, Campaign, ReportingChannel, Resource


def campaigns_published() -> QuerySet[Campaign]:
    return Campaign.objects.filter(status=Campaign.Status.PUBLISHED)


def campaigns_current(*, today: datetime.date | None = None) -> QuerySet[Campaign]:
    """Published campaigns that have not ended, soonest first."""
    today = today or timezone.localdate()
    return campaigns_published().filter(ends_on__gte=today).order_by("starts_on", "name")


def campaign_public_get(*, slug: str) -> Campaign | None:
    """A published campaign with what its public page shows; None for drafts."""
    return (
        campaigns_published()
        .prefetch_related(
            Prefetch("reporting_channels", queryset=ReportingChannel.objects.all()),
            Prefetch("resources", queryset=Resource.objects.all()),
        )
        .filter(slug=slug)
        .first()
    )


def resources_by_audience(campaign: Campaign) -> list[tuple[str, list[Resource]]]:
    """Resources grouped under each audience they are for, in the audience order;
    a resource for several audiences appears under each, untagged ones under 'Everyone'."""
    resources = list(campaign.resources.all())
    groups: list[tuple[str, list[Resource]]] = []
    for value, label in Audience.choices:
        members = [resource for resource in resources if value in resource.audiences]
        if members:
            groups.append((label, members))
    untagged = [resource for resource in resources if not resource.audiences]
    if untagged:
        groups.append(("Everyone", untagged))
    return groups


def campaigns_past(*, today: datetime.date | None = None) -> QuerySet[Campaign]:
    """Published campaigns that have ended, most recent first."""
    today = today or timezone.localdate()
    return campaigns_published().filter(ends_on__lt=today).order_by("-ends_on", "name")


def resource_download_get(*, slug: str, pk: int, include_drafts: bool = False) -> Resource | None:
    """An uploaded (not linked) resource of a campaign; drafts' files only when asked."""
    resources = Resource.objects.select_related("campaign").exclude(file="")
    if not include_drafts:
        resources = resources.filter(campaign__status=Campaign.Status.PUBLISHED)
    return resources.filter(campaign__slug=slug, pk=pk).first()
