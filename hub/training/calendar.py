"""iCalendar (RFC 5545) files for sessions, in Europe/London with its VTIMEZONE."""

from collections.abc import Iterable

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from icalendar import Event

from hub.core.ics import ics_calendar, local
from hub.core.site import site_host
from hub.training.models import Session


def session_event(session: Session, *, include_joining_link: bool = False) -> Event:
    page = settings.SITE_URL + reverse("training:session_detail", kwargs={"pk": session.pk})
    description = [session.course.summary, "", f"Details: {page}"]
    if include_joining_link and session.joining_link:
        description += ["", f"Join online: {session.joining_link}"]
    if session.accessibility_info:
        description += ["", f"Accessibility: {session.accessibility_info}"]
    location = (
        "Online"
        if session.mode == Session.Mode.ONLINE
        else ", ".join(part for part in [session.venue_name, *session.venue_address.splitlines()] if part.strip())
    )
    return Event.new(
        uid=f"training-session-{session.pk}@{site_host()}",
        summary=session.course.title,
        start=local(session.starts_at),
        end=local(session.ends_at),
        stamp=timezone.now(),
        location=location,
        description="\n".join(description),
        url=page,
        sequence=session.ics_sequence,
        status="CANCELLED" if session.is_cancelled else "CONFIRMED",
    )


def sessions_ics(sessions: Iterable[Session], *, include_joining_link: bool = False, method: str = "PUBLISH") -> str:
    events = [session_event(session, include_joining_link=include_joining_link) for session in sessions]
    return ics_calendar(product="Training", name="Partnership training", events=events, method=method)
