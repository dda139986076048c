"""The "Free training" section of a campaign's public page, and its live numbers."""

from hub.campaigns.models import Campaign
from hub.campaigns.sections import LiveNumbers, PageSection
from hub.training.models import Session
from hub.training.selectors import sessions_upcoming

SESSIONS_SHOWN = 5


def places_left_text(places_left: int) -> str:
    """How the page words a session's places; live.json gives the same words."""
    if not places_left:
        return "Full: join the waiting list"
    return f"{places_left} place{'' if places_left == 1 else 's'} left"


def _campaign_sessions(campaign: Campaign) -> list[Session] | None:
    """The upcoming sessions the page lists, each with `places_text`; None when no course is linked."""
    course_ids = list(campaign.courses.values_list("pk", flat=True))
    if not course_ids:
        return None
    sessions = list(sessions_upcoming().filter(course_id__in=course_ids)[:SESSIONS_SHOWN])
    for session in sessions:
        session.places_text = places_left_text(session.places_left)
    return sessions


def campaign_training_section(campaign: Campaign) -> PageSection | None:
    """Upcoming sessions of the courses linked to the campaign; nothing when it has none."""
    sessions = _campaign_sessions(campaign)
    if sessions is None:
        return None
    return PageSection(
        heading="Free training",
        template_name="training/public/campaign_section.html",
        context={"sessions": sessions},
        anchor="training",
    )


def campaign_training_live(campaign: Campaign) -> LiveNumbers | None:
    """Places left in each session the page lists (data-live="places-<session id>")."""
    sessions = _campaign_sessions(campaign)
    if sessions is None:
        return None
    return LiveNumbers(
        data={"sessions": [{"id": session.pk, "places_left": session.places_left} for session in sessions]},
        text={f"places-{session.pk}": session.places_text for session in sessions},
    )
