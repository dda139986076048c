"""iCalendar (RFC 5545) files for sessions, in Europe/London with its VTIMEZONE."""

import datetime
from collections.abc import Iterable
from urllib.parse import urlparse

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar, Event

from hub.training.models import Session

PRODID = "-//Safeguarding Partnership Hub//Training//EN"


def _uid(session: Session) -> str:
    host = urlparse(settings.SITE_URL).hostname or "localhost"
    return f"training-session-{session.pk}@{host}"


def session_event(session: Session, *, include_joining_link: bool = False) -> Event:
    local = timezone.get_default_timezone()
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
        uid=_uid(session),
        summary=session.course.title,
        start=session.starts_at.astimezone(local),
        end=session.ends_at.astimezone(local),
        stamp=timezone.now(),
        location=location,
        description="\n".join(description),
        url=page,
        sequence=session.ics_sequence,
        status="CANCELLED" if session.is_cancelled else "CONFIRMED",
    )


def sessions_ics(sessions: Iterable[Session], *, include_joining_link: bool = False, method: str = "PUBLISH") -> str:
    calendar = Calendar.new(prodid=PRODID, name="Partnership training")
    calendar.add("method", method)
    sessions = list(sessions)
    for session in sessions:
        calendar.add_component(session_event(session, include_joining_link=include_joining_link))
    if sessions:
        # Only the years the sessions span, so the file stays small.
        first = min(session.starts_at for session in sessions).date() - datetime.timedelta(days=366)
        last = max(session.ends_at for session in sessions).date() + datetime.timedelta(days=366)
        calendar.add_missing_timezones(first_date=first, last_date=last)
    return calendar.to_ical().decode()
