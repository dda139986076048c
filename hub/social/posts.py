"""Suggested posts: what the partnership invites people to share, checked
against each network's length rules, with ready-made share links."""

from urllib.parse import urlencode

from django.conf import settings
from django.db import transaction
from django.db.models import Max
from django.urls import reverse

from hub.audit.services import audit_record
from hub.campaigns.models import Campaign
from hub.campaigns.prerender import campaign_prerender_schedule
from hub.core.errors import ApplicationError
from hub.social.lengths import post_length_problems
from hub.social.models import Network, SuggestedPost


def suggested_post_problems(text: str, networks: list[str]) -> list[str]:
    """Why the text cannot be suggested for these networks; empty when it can."""
    return post_length_problems(text, networks)


def suggested_post_save(
    *, campaign: Campaign, post: SuggestedPost | None, text: str, networks: list[str], actor, request=None
) -> SuggestedPost:
    problems = suggested_post_problems(text, networks)
    if problems:
        raise ApplicationError(". ".join(problems), field="text", code="too_long")
    with transaction.atomic():
        if post is None:
            last = campaign.suggested_posts.aggregate(last=Max("order"))["last"]
            post = SuggestedPost(campaign=campaign, order=(last or 0) + 1)
        post.text = text
        post.networks = [network for network in Network.values if network in networks]
        created = post.pk is None
        post.save()
        audit_record(
            action="social.suggested_post_created" if created else "social.suggested_post_updated",
            actor=actor,
            request=request,
            obj=post,
            detail={"campaign": campaign.pk},
        )
        campaign_prerender_schedule(campaign)
    return post


def suggested_post_delete(*, post: SuggestedPost, actor, request=None) -> None:
    with transaction.atomic():
        audit_record(
            action="social.suggested_post_deleted",
            actor=actor,
            request=request,
            obj=post,
            detail={"campaign": post.campaign_id},
        )
        post.delete()
        campaign_prerender_schedule(post.campaign)


def suggested_post_move(*, post: SuggestedPost, direction: int, actor, request=None) -> None:
    """Swap a post with its neighbour above (-1) or below (+1)."""
    with transaction.atomic():
        posts = list(post.campaign.suggested_posts.select_for_update().order_by("order", "pk"))
        index = next(i for i, item in enumerate(posts) if item.pk == post.pk)
        other = index + direction
        if not 0 <= other < len(posts):
            return
        posts[index], posts[other] = posts[other], posts[index]
        for order, item in enumerate(posts, start=1):
            if item.order != order:
                item.order = order
                item.save(update_fields=["order", "updated_at"])
        audit_record(action="social.suggested_posts_reordered", actor=actor, request=request, obj=post.campaign)
        campaign_prerender_schedule(post.campaign)


def campaign_page_url(campaign: Campaign) -> str:
    return settings.SITE_URL + reverse("campaigns:public_detail", kwargs={"slug": campaign.slug})


def share_links(post: SuggestedPost, campaign: Campaign) -> list[tuple[str, str]]:
    """(network name, address) of each network's own share page, pre-filled."""
    page = campaign_page_url(campaign)
    text = post.text
    lowered = text.lower()
    # X adds `hashtags` to the text itself: only those the post does not already carry.
    extra_tags = [tag for tag in campaign.hashtags if f"#{tag.lower()}" not in lowered]
    x_params = {"text": text, "url": page}
    if extra_tags:
        x_params["hashtags"] = ",".join(extra_tags)
    with_link = f"{text} {page}"
    return [
        ("X", "https://twitter.com/intent/tweet?" + urlencode(x_params)),
        ("Facebook", "https://www.facebook.com/sharer/sharer.php?" + urlencode({"u": page})),
        ("LinkedIn", "https://www.linkedin.com/sharing/share-offsite/?" + urlencode({"url": page})),
        ("WhatsApp", "https://wa.me/?" + urlencode({"text": with_link})),
        ("Bluesky", "https://bsky.app/intent/compose?" + urlencode({"text": with_link})),
    ]
