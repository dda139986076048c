from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from hub.campaigns.selectors import campaign_public_get, resources_by_audience


def campaign_detail(request: HttpRequest, slug: str) -> HttpResponse:
    campaign = campaign_public_get(slug=slug)
    if campaign is None:
        raise Http404
    return render(
        request,
        "campaigns/public/detail.html",
        {"campaign": campaign, "resource_groups": resources_by_audience(campaign), "preview": False},
    )
