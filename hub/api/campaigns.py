"""Published campaigns and their resources, read-only and public. Every
endpoint reads through hub.campaigns.selectors, so drafts are never seen:
a draft's slug answers 404 exactly like an unknown one."""

from typing import Literal

from django.http import Http404, HttpRequest, HttpResponse
from ninja import Router
from ninja.pagination import paginate

from hub.api.pagination import HubLimitOffsetPagination
from hub.api.schemas import CampaignOut, CampaignSummaryOut, MessageOut, ResourceOut, ValidationErrorOut
from hub.campaigns.models import Audience, Campaign
from hub.campaigns.selectors import campaign_public_get, campaigns_current, campaigns_past, campaigns_published

router = Router(tags=["campaigns"])

MAX_PAGE_SIZE = 100
CACHE_CONTROL = "public, max-age=60"


def _cacheable(response: HttpResponse) -> None:
    response["Cache-Control"] = CACHE_CONTROL


def _published_or_404(slug: str) -> Campaign:
    campaign = campaign_public_get(slug=slug)
    if campaign is None:
        raise Http404
    return campaign


@router.get(
    "",
    response={200: list[CampaignSummaryOut], 400: ValidationErrorOut},
    summary="Published campaigns",
)
@paginate(HubLimitOffsetPagination, max_limit=MAX_PAGE_SIZE)
def campaign_list(request: HttpRequest, response: HttpResponse, when: Literal["current", "past", "all"] = "all"):
    """Published campaigns: `current` (not yet ended, soonest first), `past` (most recent first)
    or `all` (newest first)."""
    _cacheable(response)
    if when == "current":
        return campaigns_current()
    if when == "past":
        return campaigns_past()
    return campaigns_published().order_by("-starts_on", "name", "pk")


@router.get("/{slug}", response={200: CampaignOut, 404: MessageOut}, summary="One published campaign")
def campaign_detail(request: HttpRequest, response: HttpResponse, slug: str):
    """Everything the public campaign page shows. Drafts answer 404, like unknown campaigns."""
    _cacheable(response)
    return _published_or_404(slug)


@router.get(
    "/{slug}/resources",
    response={200: list[ResourceOut], 400: ValidationErrorOut, 404: MessageOut},
    summary="A published campaign's resources",
)
def campaign_resources(request: HttpRequest, response: HttpResponse, slug: str, audience: Audience | None = None):
    """Guides, toolkits and downloads, optionally only those for one audience."""
    _cacheable(response)
    campaign = _published_or_404(slug)
    resources = list(campaign.resources.all())
    if audience is not None:
        resources = [resource for resource in resources if audience.value in resource.audiences]
    return resources
