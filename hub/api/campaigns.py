"""Published campaigns and their resources, read-only and public."""

import datetime
from typing import Literal

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import reverse
from ninja import Field, Router, Schema
from ninja.pagination import LimitOffsetPagination, paginate

from hub.campaigns.models import Audience, Campaign, Resource
from hub.campaigns.selectors import campaign_public_get, campaigns_current, campaigns_past, campaigns_published

router = Router(tags=["campaigns"])


def _absolute(path: str) -> str:
    return settings.SITE_URL + path


class CampaignSummaryOut(Schema):
    slug: str
    name: str
    summary: str
    awareness_day: datetime.date | None
    starts_on: datetime.date
    ends_on: datetime.date
    hashtags: list[str]
    page_url: str

    @staticmethod
    def resolve_page_url(campaign: Campaign) -> str:
        return _absolute(reverse("campaigns:public_detail", kwargs={"slug": campaign.slug}))


class ContactOut(Schema):
    name: str
    email: str


class ChannelOut(Schema):
    label: str
    when_to_use: str
    phone: str
    text_number: str
    email: str
    url: str
    is_emergency: bool


class ResourceOut(Schema):
    id: int
    title: str
    summary: str
    kind: Literal["link", "file"]
    url: str
    file_type: str | None = None
    file_size: int | None = None
    audiences: list[str]
    audience_labels: list[str]

    @staticmethod
    def resolve_kind(resource: Resource) -> str:
        return "file" if resource.file else "link"

    @staticmethod
    def resolve_url(resource: Resource) -> str:
        if not resource.file:
            return resource.url
        path = reverse("campaigns:resource_download", kwargs={"slug": resource.campaign.slug, "pk": resource.pk})
        return _absolute(path)

    @staticmethod
    def resolve_file_type(resource: Resource) -> str | None:
        return resource.file_type or None


class CampaignOut(CampaignSummaryOut):
    theme: str
    local_commitment: str
    about_cse: str
    warning_signs: list[str] = Field(..., alias="warning_sign_list")
    contact: ContactOut
    reporting_channels: list[ChannelOut]
    resources: list[ResourceOut]

    @staticmethod
    def resolve_contact(campaign: Campaign) -> dict:
        return {"name": campaign.contact_name, "email": campaign.contact_email}

    @staticmethod
    def resolve_reporting_channels(campaign: Campaign) -> list:
        return list(campaign.reporting_channels.all())

    @staticmethod
    def resolve_resources(campaign: Campaign) -> list:
        return list(campaign.resources.all())


def _cacheable(response: HttpResponse) -> None:
    response["Cache-Control"] = "public, max-age=60"


@router.get("", response=list[CampaignSummaryOut], summary="Published campaigns")
@paginate(LimitOffsetPagination, max_limit=100)
def campaign_list(request: HttpRequest, response: HttpResponse, when: Literal["current", "past", "all"] = "all"):
    """Published campaigns: `current` (not yet ended, soonest first), `past` (most recent first) or `all`."""
    _cacheable(response)
    if when == "current":
        return campaigns_current()
    if when == "past":
        return campaigns_past()
    return campaigns_published().order_by("-starts_on", "name")


def _published_or_404(slug: str) -> Campaign:
    campaign = campaign_public_get(slug=slug)
    if campaign is None:
        raise Http404
    return campaign


@router.get("/{slug}", response=CampaignOut, summary="One published campaign")
def campaign_detail(request: HttpRequest, response: HttpResponse, slug: str):
    """Everything the public campaign page shows. Drafts answer 404, like unknown campaigns."""
    _cacheable(response)
    return _published_or_404(slug)


@router.get("/{slug}/resources", response=list[ResourceOut], summary="A published campaign's resources")
def campaign_resources(request: HttpRequest, response: HttpResponse, slug: str, audience: Audience | None = None):
    """Guides and toolkits, optionally only those for one audience."""
    _cacheable(response)
    campaign = _published_or_404(slug)
    resources = list(campaign.resources.all())
    if audience is not None:
        resources = [resource for resource in resources if audience.value in resource.audiences]
    return resources
