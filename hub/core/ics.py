"""iCalendar (RFC 5545) files in Europe/London, with the VTIMEZONE they need."""

import datetime

from django.utils import timezone
from icalendar import Calendar, Event


def local(moment: datetime.datetime) -> datetime.datetime:
    """A time in the site's zone (Europe/London), as calendar events carry it."""
    return moment.astimezone(timezone.get_default_timezone())


def ics_calendar(*, product: str, name: str, events: list[Event], method: str = "PUBLISH") -> str:
    """A calendar of `events`, with the time zone rules for only the years they span,
    so the file stays small."""
    calendar = Calendar.new(prodid=f"-//Safeguarding Partnership Hub//{product}//EN", name=name)
    calendar.add("method", method)
    for event in events:
        calendar.add_component(event)
    if events:
        calendar.add_missing_timezones(
            first_date=min(event.start for event in events).date() - datetime.timedelta(days=366),
            last_date=max(event.end for event in events).date() + datetime.timedelta(days=366),
        )
    return calendar.to_ical().decode()
