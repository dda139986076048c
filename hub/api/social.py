"""A published campaign's suggested posts (with share links) and its supporter
moment's public progress. Drafts answer 404 like unknown campaigns."""

from django.http import Http404, HttpRequest, HttpResponse
from django.urls import reverse
from ninja import Router

from hub.api.schemas import MessageOut, MomentProgressOut, SuggestedPostOut, absolute_url
from hub.campaigns.selectors import campaign_public_get
from hub.social.models import Moment
from hub.social.moments import moment_progress
from hub.social.posts import share_links

router = Router(tags=["social"])


def _published(slug: str):
    campaign = campaign_public_get(slug=slug)
    if campaign is None:
        raise Http404
    return campaign


@router.get(
    "/{slug}/suggested-posts",
    response={200: list[SuggestedPostOut], 404: MessageOut},
    summary="A published campaign's suggested posts",
)
def suggested_posts(request: HttpRequest, response: HttpResponse, slug: str):
    response["Cache-Control"] = "public, max-age=60"
    campaign = _published(slug)
    return [
        {
            "id": post.pk,
            "text": post.text,
            "networks": post.networks,
            "share_links": [{"network": network, "url": url} for network, url in share_links(post, campaign)],
        }
        for post in campaign.suggested_posts.all()
    ]


@router.get(
    "/{slug}/moment",
    response={200: MomentProgressOut, 404: MessageOut},
    summary="The supporter moment's public progress",
)
def moment(request: HttpRequest, response: HttpResponse, slug: str):
    """Goal, supporters so far and estimated reach. 404 when the campaign has no moment."""
    response["Cache-Control"] = "public, max-age=30"
    campaign = _published(slug)
    found = Moment.objects.filter(campaign=campaign).first()
    if found is None:
        raise Http404
    progress = moment_progress(found)
    return {
        "moment_at": found.moment_at,
        "signup_deadline": found.signup_deadline,
        "status": found.status,
        "goal": found.goal,
        "supporters": progress.supporters,
        "estimated_reach": progress.estimated_reach,
        "signup_url": absolute_url(reverse("social:moment", kwargs={"slug": campaign.slug})),
    }
