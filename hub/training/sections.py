"""The "Free training" section of a campaign's public page."""

from hub.campaigns.models import Campaign
from hub.campaigns.sections import PageSection
from hub.training.selectors import sessions_upcoming

SESSIONS_SHOWN = 5


def campaign_training_section(campaign: Campaign) -> PageSection | None:
    """Upcoming sessions of the courses linked to the campaign; nothing when it has none."""
    course_ids = list(campaign.courses.values_list("pk", flat=True))
    if not course_ids:
        return None
    sessions = list(sessions_upcoming().filter(course_id__in=course_ids)[:SESSIONS_SHOWN])
    return PageSection(
        heading="Free training",
        template_name="training/public/campaign_section.html",
        context={"sessions": sessions},
        anchor="training",
    )
