"""Booking rules: capacity, the waiting list and offers of freed places.

Every change happens in one transaction that first locks the session row
(PostgreSQL: SELECT ... FOR UPDATE; SQLite: the IMMEDIATE transaction already
holds the database's write lock), so two people can never take the last place.
"""

import datetime

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from hub.audit.services import audit_record
from hub.campaigns.prerender import campaign_prerender_schedule
from hub.core.errors import ApplicationError
from hub.training.emails import booking_email
from hub.training.models import Booking, Course, Session, SessionMessage

BOOKING_FIELDS = ("name", "email", "organisation_name", "sector", "job_role", "business_type", "access_needs")


def _prerender_campaign_of(course: Course | None) -> None:
    """A campaign's public page lists its courses' sessions: re-render it after a change.
    (Bookings only move the places left: live.json and the minute refresh show those.)"""
    if course is not None and course.campaign_id:
        campaign_prerender_schedule(course.campaign)


def offer_hours() -> int:
    return settings.TRAINING_OFFER_HOURS


def _locked_session(session_id: int) -> Session:
    return Session.objects.select_for_update().select_related("course").get(pk=session_id)


def places_taken(session: Session) -> int:
    return session.bookings.filter(status__in=Booking.HOLDS_PLACE).count()


def places_left(session: Session) -> int:
    return max(session.capacity - places_taken(session), 0)


def booking_closed_reason(session: Session, *, now: datetime.datetime | None = None) -> str | None:
    """Why nobody can book this session now, in words for the booker; None if open."""
    now = now or timezone.now()
    if session.is_cancelled:
        return "This session has been cancelled"
    if session.starts_at <= now:
        return "This session has already taken place"
    if session.booking_deadline < now:
        local = timezone.localtime(session.booking_deadline)
        return f"Booking for this session closed at {local:%-I:%M%p on %-d %B %Y}".replace("AM", "am").replace(
            "PM", "pm"
        )
    return None


def booking_create(*, session_id: int, data: dict, now: datetime.datetime | None = None) -> Booking:
    """Book a place, or a place on the waiting list when the session is full."""
    now = now or timezone.now()
    email = data["email"].strip().lower()
    with transaction.atomic():
        session = _locked_session(session_id)
        reason = booking_closed_reason(session, now=now)
        if reason:
            raise ApplicationError(reason, code="closed")
        if session.bookings.filter(email=email, status__in=Booking.ACTIVE).exists():
            raise ApplicationError(
                "You have already booked this session with this email address. Check your email for the "
                "confirmation, which has a link to cancel.",
                field="email",
                code="duplicate",
            )
        waiting = session.bookings.filter(status=Booking.Status.WAITLISTED).exists()
        status = (
            Booking.Status.CONFIRMED
            if places_taken(session) < session.capacity and not waiting
            else Booking.Status.WAITLISTED
        )
        booking = Booking(session=session, status=status, **{name: data.get(name, "") for name in BOOKING_FIELDS})
        booking.email = email
        try:
            with transaction.atomic():
                booking.save()
        except IntegrityError as error:
            # The same person double-clicking: the constraint caught the second.
            raise ApplicationError(
                "You have already booked this session with this email address.", field="email", code="duplicate"
            ) from error
        audit_record(action="training.booking_created", obj=booking, detail={"session": session.pk, "status": status})
        booking_email(booking, "confirmed" if status == Booking.Status.CONFIRMED else "waitlisted")
    return booking


def booking_by_token(token: str) -> Booking | None:
    if not token or len(token) > 64:
        return None
    return Booking.objects.select_related("session__course").filter(token=token).first()


def booking_cancel(*, token: str, now: datetime.datetime | None = None) -> Booking:
    """The booker cancels through their link; a freed place is offered to the next person."""
    now = now or timezone.now()
    with transaction.atomic():
        booking = booking_by_token(token)
        if booking is None:
            raise ApplicationError("This link is not valid", code="not_found")
        session = _locked_session(booking.session_id)
        booking.refresh_from_db()
        if booking.status not in Booking.ACTIVE:
            raise ApplicationError("This booking has already been cancelled", code="not_active")
        if session.starts_at <= now:
            raise ApplicationError("This session has already taken place", code="closed")
        held_place = booking.status in Booking.HOLDS_PLACE
        booking.status = Booking.Status.CANCELLED
        booking.offer_expires_at = None
        booking.save(update_fields=["status", "offer_expires_at", "updated_at"])
        audit_record(action="training.booking_cancelled", obj=booking, detail={"session": session.pk})
        booking_email(booking, "cancelled")
        if held_place:
            waitlist_offer_places(session=session, now=now)
    return booking


def waitlist_offer_places(*, session: Session, now: datetime.datetime | None = None) -> list[Booking]:
    """Offer each free place to the next person waiting, for a limited time.
    Call inside a transaction that holds the session's lock."""
    now = now or timezone.now()
    if session.is_cancelled or session.starts_at <= now:
        return []
    offered = []
    free = session.capacity - places_taken(session)
    if free <= 0:
        return []
    expires = min(now + datetime.timedelta(hours=offer_hours()), session.starts_at)
    for booking in session.bookings.filter(status=Booking.Status.WAITLISTED).order_by("created_at", "pk")[:free]:
        booking.status = Booking.Status.OFFERED
        booking.offer_expires_at = expires
        booking.save(update_fields=["status", "offer_expires_at", "updated_at"])
        audit_record(action="training.place_offered", obj=booking, detail={"session": session.pk})
        booking_email(booking, "offered")
        offered.append(booking)
    return offered


def offer_accept(*, token: str, now: datetime.datetime | None = None) -> Booking:
    now = now or timezone.now()
    with transaction.atomic():
        booking = booking_by_token(token)
        if booking is None:
            raise ApplicationError("This link is not valid", code="not_found")
        _locked_session(booking.session_id)
        booking.refresh_from_db()
        if booking.status == Booking.Status.CONFIRMED:
            return booking  # a second click on the same link changes nothing
        if booking.status != Booking.Status.OFFERED:
            raise ApplicationError("There is no place on offer for this booking", code="not_offered")
        if booking.offer_expires_at is not None and booking.offer_expires_at <= now:
            raise ApplicationError(
                "This offer has expired and the place has been offered to someone else", code="expired"
            )
        booking.status = Booking.Status.CONFIRMED
        booking.offer_expires_at = None
        booking.save(update_fields=["status", "offer_expires_at", "updated_at"])
        audit_record(action="training.offer_accepted", obj=booking, detail={"session": booking.session_id})
        booking_email(booking, "confirmed")
    return booking


def offers_expire(*, now: datetime.datetime | None = None) -> int:
    """Expire unanswered offers and pass each place on. Run every few minutes."""
    now = now or timezone.now()
    expired = 0
    session_ids = set(
        Booking.objects.filter(status=Booking.Status.OFFERED, offer_expires_at__lte=now).values_list(
            "session_id", flat=True
        )
    )
    for session_id in session_ids:
        with transaction.atomic():
            session = _locked_session(session_id)
            for booking in session.bookings.filter(status=Booking.Status.OFFERED, offer_expires_at__lte=now):
                booking.status = Booking.Status.OFFER_EXPIRED
                booking.save(update_fields=["status", "updated_at"])
                audit_record(action="training.offer_expired", obj=booking, detail={"session": session.pk})
                booking_email(booking, "offer_expired")
                expired += 1
            waitlist_offer_places(session=session, now=now)
    return expired


# --- Trainers: courses, sessions, messages, reminders ------------------------------

COURSE_FIELDS = ("title", "slug", "summary", "topics", "duration_minutes", "target_audiences", "provider")


def course_save(*, course: Course | None, data: dict, actor, request=None) -> Course:
    with transaction.atomic():
        course = course or Course()
        for name in COURSE_FIELDS:
            setattr(course, name, data[name])
        created = course.pk is None
        course.save()
        audit_record(
            action="training.course_created" if created else "training.course_updated",
            actor=actor,
            request=request,
            obj=course,
        )
        _prerender_campaign_of(course)
    return course


SESSION_FIELDS = (
    "course",
    "starts_at",
    "ends_at",
    "mode",
    "venue_name",
    "venue_address",
    "accessibility_info",
    "joining_link",
    "capacity",
    "booking_deadline",
    "trainer",
)
# A change to any of these is news to everyone holding a place.
_NEWS_FIELDS = ("starts_at", "ends_at", "mode", "venue_name", "venue_address", "joining_link")


def _session_problems(data: dict) -> None:
    if data["ends_at"] <= data["starts_at"]:
        raise ApplicationError("End time must be after the start time", field="end_time")
    if data["booking_deadline"] > data["starts_at"]:
        raise ApplicationError("Booking must close before the session starts", field="booking_deadline_date")
    if data["mode"] == Session.Mode.ONLINE and not data.get("joining_link"):
        raise ApplicationError("Enter the joining link for an online session", field="joining_link")
    if data["mode"] == Session.Mode.IN_PERSON and not data.get("venue_name"):
        raise ApplicationError("Enter the venue of an in-person session", field="venue_name")


def session_create(*, data: dict, actor, request=None) -> Session:
    _session_problems(data)
    with transaction.atomic():
        session = Session.objects.create(**{name: data.get(name) or _blank(name) for name in SESSION_FIELDS})
        audit_record(action="training.session_created", actor=actor, request=request, obj=session)
        _prerender_campaign_of(session.course)
    return session


def _blank(name: str):
    return None if name == "trainer" else ""


def session_update(
    *, session: Session, data: dict, actor, request=None, now: datetime.datetime | None = None
) -> Session:
    """Change a session. Capacity may not fall below the places already held; a
    larger capacity is offered to the waiting list; holders hear of a new time or place."""
    now = now or timezone.now()
    _session_problems(data)
    with transaction.atomic():
        locked = _locked_session(session.pk)
        if locked.is_cancelled:
            raise ApplicationError("This session has been cancelled and cannot be changed", code="cancelled")
        held = places_taken(locked)
        if data["capacity"] < held:
            raise ApplicationError(
                f"Capacity must be at least {held}: that many places are already confirmed or offered. "
                "Cancel bookings first if the room is smaller.",
                field="capacity",
            )
        changed = [name for name in SESSION_FIELDS if getattr(locked, name) != (data.get(name) or _blank(name))]
        previous_course = locked.course
        for name in SESSION_FIELDS:
            setattr(locked, name, data.get(name) or _blank(name))
        news = any(name in _NEWS_FIELDS for name in changed)
        if news:
            locked.ics_sequence += 1
        locked.save()
        audit_record(
            action="training.session_updated", actor=actor, request=request, obj=locked, detail={"changed": changed}
        )
        _prerender_campaign_of(locked.course)
        if previous_course.campaign_id != locked.course.campaign_id:
            _prerender_campaign_of(previous_course)
        if news:
            stamp = int(now.timestamp())
            for booking in locked.bookings.filter(status__in=Booking.HOLDS_PLACE).select_related("session__course"):
                booking_email(booking, "changed", dedupe=f"training-booking-{booking.pk}-changed-{stamp}")
        waitlist_offer_places(session=locked, now=now)
    return locked


def session_cancel(*, session: Session, reason: str, actor, request=None) -> int:
    """Cancel a session: every active booking is cancelled and told why. Returns how many were told."""
    with transaction.atomic():
        locked = _locked_session(session.pk)
        if locked.is_cancelled:
            raise ApplicationError("This session has already been cancelled", code="cancelled")
        locked.status = Session.Status.CANCELLED
        locked.cancelled_reason = reason
        locked.ics_sequence += 1
        locked.save(update_fields=["status", "cancelled_reason", "ics_sequence"])
        told = 0
        for booking in locked.bookings.filter(status__in=Booking.ACTIVE).select_related("session__course"):
            booking.status = Booking.Status.CANCELLED
            booking.offer_expires_at = None
            booking.save(update_fields=["status", "offer_expires_at", "updated_at"])
            booking_email(booking, "session_cancelled", extra={"reason": reason})
            told += 1
        audit_record(
            action="training.session_cancelled", actor=actor, request=request, obj=locked, detail={"told": told}
        )
        _prerender_campaign_of(locked.course)
    return told


def session_message(*, session: Session, subject: str, body: str, include_waitlist: bool, actor, request=None):
    """Email everyone booked (and, if asked, everyone waiting); the message is kept."""
    statuses = Booking.ACTIVE if include_waitlist else Booking.HOLDS_PLACE
    with transaction.atomic():
        bookings = list(session.bookings.filter(status__in=statuses).select_related("session__course"))
        if not bookings:
            raise ApplicationError("Nobody is booked on this session, so there is nobody to message", code="empty")
        message = SessionMessage.objects.create(
            session=session, subject=subject, body=body, recipient_count=len(bookings), sent_by=actor
        )
        for booking in bookings:
            booking_email(
                booking,
                "message",
                extra={"message": message.pk},
                dedupe=f"training-message-{message.pk}-{booking.pk}",
            )
        audit_record(
            action="training.session_messaged",
            actor=actor,
            request=request,
            obj=message,
            detail={"session": session.pk, "recipients": len(bookings)},
        )
    return message


def reminders_send(*, now: datetime.datetime | None = None) -> int:
    """Remind everyone with a confirmed place the day before their session. Run often; each person once."""
    now = now or timezone.now()
    tomorrow = timezone.localdate(now) + datetime.timedelta(days=1)
    start = timezone.make_aware(datetime.datetime.combine(tomorrow, datetime.time.min))
    end = start + datetime.timedelta(days=1)
    due = Booking.objects.filter(
        status=Booking.Status.CONFIRMED,
        reminded_at__isnull=True,
        session__status=Session.Status.SCHEDULED,
        session__starts_at__gte=start,
        session__starts_at__lt=end,
    ).select_related("session__course")
    sent = 0
    for booking in due:
        with transaction.atomic():
            # Claim the row first: a second runner finds nothing to claim.
            claimed = Booking.objects.filter(pk=booking.pk, reminded_at__isnull=True).update(reminded_at=now)
            if claimed:
                booking_email(booking, "reminder", dedupe=f"training-booking-{booking.pk}-reminder")
                sent += 1
    return sent
