"""Reads of training sessions for pages and the API."""

import datetime

from django.db.models import Count, F, Q, QuerySet, Value
from django.db.models.functions import Greatest
from django.utils import timezone

from hub.training.models import Booking, Course, Session


def sessions_upcoming(
    *,
    audience: str = "",
    mode: str = "",
    from_date: datetime.date | None = None,
    now: datetime.datetime | None = None,
) -> QuerySet[Session]:
    """Scheduled sessions that have not started, soonest first, with `places_taken`."""
    now = now or timezone.now()
    sessions = (
        Session.objects.filter(status=Session.Status.SCHEDULED, starts_at__gt=now)
        .select_related("course")
        .annotate(places_taken=Count("bookings", filter=Q(bookings__status__in=Booking.HOLDS_PLACE)))
        .annotate(places_left=Greatest(F("capacity") - F("places_taken"), Value(0)))
        .order_by("starts_at", "pk")
    )
    if mode:
        sessions = sessions.filter(mode=mode)
    if from_date:
        start = timezone.make_aware(datetime.datetime.combine(from_date, datetime.time.min))
        sessions = sessions.filter(starts_at__gte=start)
    if audience:
        # Target audiences are a short JSON list per course: filter in Python
        # on the few courses rather than rely on JSON containment (not on SQLite).
        course_ids = [
            course.pk for course in Course.objects.only("pk", "target_audiences") if audience in course.target_audiences
        ]
        sessions = sessions.filter(course_id__in=course_ids)
    return sessions


def audiences_offered() -> list[str]:
    """Every target audience of a course with an upcoming session, in first-seen order."""
    seen: dict[str, None] = {}
    for course in Course.objects.filter(
        sessions__status=Session.Status.SCHEDULED, sessions__starts_at__gt=timezone.now()
    ).distinct():
        for audience in course.target_audiences:
            seen.setdefault(audience, None)
    return list(seen)


def session_public_get(*, pk: int) -> Session | None:
    return (
        Session.objects.select_related("course", "course__provider")
        .annotate(places_taken=Count("bookings", filter=Q(bookings__status__in=Booking.HOLDS_PLACE)))
        .filter(pk=pk)
        .first()
    )
