"""The "Share the message" section of a campaign's public page, and its live numbers."""

from hub.campaigns.models import Campaign
from hub.campaigns.sections import LiveNumbers, PageSection
from hub.social.models import Moment
from hub.social.moments import moment_progress, signup_closed_reason
from hub.social.pledges import pledge_wall
from hub.social.posts import share_links


def campaign_social_section(campaign: Campaign) -> PageSection:
    """Suggested posts with share links, and the #HelpingHands pledges."""
    posts = list(campaign.suggested_posts.all())
    return PageSection(
        heading="Share the message",
        template_name="social/public/campaign_section.html",
        context={"posts": [(post, share_links(post, campaign)) for post in posts]},
        anchor="share",
    )


def campaign_moment_section(campaign: Campaign) -> PageSection | None:
    moment = Moment.objects.filter(campaign=campaign).first()
    if moment is None:
        return None
    return PageSection(
        heading="Join the moment",
        template_name="social/public/moment_section.html",
        context={"moment": moment, "progress": moment_progress(moment), "closed": signup_closed_reason(moment)},
        anchor="moment",
    )


def campaign_social_live(campaign: Campaign) -> LiveNumbers:
    """Supporters and estimated reach of the moment (the words of social/public/_progress.html),
    and how many pledges are on the wall."""
    data: dict = {"pledges": pledge_wall(campaign).count()}
    text: dict[str, str] = {}
    moment = Moment.objects.filter(campaign=campaign).first()
    if moment is not None:
        progress = moment_progress(moment)
        data["moment"] = {
            "supporters": progress.supporters,
            "goal": progress.goal,
            "percent": progress.percent,
            "estimated_reach": progress.estimated_reach,
        }
        text = {
            "moment-progress": progress.label,
            "moment-progress-bar": str(progress.bar_value),
            "moment-reach": progress.reach_text,
        }
    return LiveNumbers(data=data, text=text)
