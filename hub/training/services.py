"""Booking rules: capacity, the waiting list and offers of freed places.

Every change happens in one transaction that first locks the session row
(PostgreSQL: SELECT ... FOR UPDATE; SQLite: the IMMEDIATE transaction already
holds the database's write lock), so two people can never take the last place.
"""

import datetime

from django.conf import settings
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from hub.audit.services import audit_record
from hub.core.errors import ApplicationError
from hub.core.outbox import email_enqueue
from hub.training.calendar import sessions_ics
from hub.training.models import Booking, Session

BOOKING_FIELDS = ("name", "email", "organisation_name", "sector", "job_role", "access_needs")


def _offer_hours() -> int:
    return getattr(settings, "TRAINING_OFFER_HOURS", 24)


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
        _email_booking(booking, "confirmed" if status == Booking.Status.CONFIRMED else "waitlisted")
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
        _email_booking(booking, "cancelled")
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
    expires = min(now + datetime.timedelta(hours=_offer_hours()), session.starts_at)
    for booking in session.bookings.filter(status=Booking.Status.WAITLISTED).order_by("created_at", "pk")[:free]:
        booking.status = Booking.Status.OFFERED
        booking.offer_expires_at = expires
        booking.save(update_fields=["status", "offer_expires_at", "updated_at"])
        audit_record(action="training.place_offered", obj=booking, detail={"session": session.pk})
        _email_booking(booking, "offered")
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
        _email_booking(booking, "confirmed")
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
                _email_booking(booking, "offer_expired")
                expired += 1
            waitlist_offer_places(session=session, now=now)
    return expired


# --- Emails ----------------------------------------------------------------------


def booking_links(booking: Booking) -> dict[str, str]:
    site = settings.SITE_URL
    return {
        "session_url": site + reverse("training:session_detail", kwargs={"pk": booking.session_id}),
        "cancel_url": site + reverse("training:booking_cancel", kwargs={"token": booking.token}),
        "accept_url": site + reverse("training:offer_accept", kwargs={"token": booking.token}),
    }


def _email_booking(booking: Booking, kind: str) -> None:
    """Queue the email for a booking's new state, with the .ics when a place is confirmed."""
    session = booking.session
    context = {
        "booking": booking,
        "session": session,
        "course": session.course,
        "offer_hours": _offer_hours(),
        **booking_links(booking),
    }
    subject = render_to_string(f"training/email/{kind}_subject.txt", context).strip()
    body = render_to_string(f"training/email/{kind}.txt", context)
    attachments = []
    if kind == "confirmed":
        attachments.append(
            {
                "filename": "training-session.ics",
                "content": sessions_ics([session], include_joining_link=True),
                "mimetype": "text/calendar; charset=utf-8; method=PUBLISH",
            }
        )
    email_enqueue(
        to=[booking.email],
        subject=subject,
        body=body,
        attachments=attachments,
        # One email per booking per state: a retried transaction cannot send it twice.
        dedupe_key=f"training-booking-{booking.pk}-{kind}-{booking.updated_at.timestamp()}",
    )
