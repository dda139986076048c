from django.core.cache import cache
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.cache import patch_cache_control

from hub.campaigns.page_cache import anonymous_page_cache
from hub.campaigns.sections import campaign_live_numbers, campaign_sections
from hub.campaigns.selectors import (
    campaign_public_get,
    campaigns_published,
    resource_download_get,
    resources_by_audience,
)
from hub.campaigns.uploads import CONTENT_TYPES

# live.json: each web process asks the database at most once per LIVE_CACHE_SECONDS per
# campaign; browsers and the front web server may keep an answer for LIVE_MAX_AGE.
LIVE_CACHE_SECONDS = 10
LIVE_MAX_AGE = 15


@anonymous_page_cache
def campaign_detail(request: HttpRequest, slug: str) -> HttpResponse:
    campaign = campaign_public_get(slug=slug)
    if campaign is None:
        raise Http404
    return render(request, "campaigns/public/detail.html", campaign_page_context(campaign, preview=False))


def campaign_live(request: HttpRequest, slug: str) -> JsonResponse:
    """The numbers on the public page that move (supporters, reach, places left), for
    campaigns/live.js on the pre-rendered page. Cached: a spike costs few queries."""
    key = f"campaigns:live:{slug}"
    data = cache.get(key)
    if data is None:
        campaign = campaigns_published().filter(slug=slug).first()
        data = campaign_live_numbers(campaign) if campaign is not None else {}
        cache.set(key, data, LIVE_CACHE_SECONDS)
    response = JsonResponse(data) if data else JsonResponse({"message": "Not found"}, status=404)
    patch_cache_control(response, public=True, max_age=LIVE_MAX_AGE)
    return response


def campaign_page_context(campaign, *, preview: bool) -> dict:
    """What the public page shows; the staff preview renders the same template with it."""
    return {
        "campaign": campaign,
        "resource_groups": resources_by_audience(campaign),
        "sections": campaign_sections(campaign),
        "preview": preview,
    }


def resource_download(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """An uploaded resource. Files of draft campaigns only for staff who can see the draft."""
    can_see_drafts = (
        request.user.is_authenticated
        and request.user.is_verified()
        and request.user.has_perm("campaigns.view_campaign")
    )
    resource = resource_download_get(slug=slug, pk=pk, include_drafts=can_see_drafts)
    if resource is None:
        raise Http404
    response = FileResponse(
        resource.file.open("rb"),
        as_attachment=resource.file_type not in {"pdf", "png", "jpg"},
        filename=resource.file_name,
        content_type=CONTENT_TYPES.get(resource.file_type, "application/octet-stream"),
    )
    # Published files may be cached by browsers; drafts never.
    response["Cache-Control"] = "public, max-age=300" if resource.campaign.is_published else "private, no-store"
    return response
