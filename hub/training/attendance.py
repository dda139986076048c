"""After the session: the register, certificates anyone can verify, and feedback."""

import datetime
import re

from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import timezone

from hub.audit.services import audit_record
from hub.core.errors import ApplicationError
from hub.training.emails import booking_email
from hub.training.models import Booking, Certificate, Feedback, Session
from hub.training.services import booking_by_token

# Trainers mark people in as they arrive, so the register opens a little before the start.
REGISTER_OPENS_BEFORE = datetime.timedelta(hours=1)
MARKS = {"", Booking.Attendance.ATTENDED, Booking.Attendance.NO_SHOW}


def register_closed_reason(session: Session, *, now: datetime.datetime | None = None) -> str | None:
    now = now or timezone.now()
    if session.is_cancelled:
        return "This session was cancelled, so there is no register"
    if now < session.starts_at - REGISTER_OPENS_BEFORE:
        opens = timezone.localtime(session.starts_at - REGISTER_OPENS_BEFORE)
        return f"The register opens at {opens:%H:%M} on {opens:%-d %B %Y}, an hour before the session starts"
    return None


def attendance_mark(
    *, session: Session, marks: dict[int, str], actor, request=None, now: datetime.datetime | None = None
) -> int:
    """Record attended / did not attend for confirmed bookings; issue or withdraw
    certificates to match. Returns how many marks changed."""
    now = now or timezone.now()
    reason = register_closed_reason(session, now=now)
    if reason:
        raise ApplicationError(reason, code="closed")
    unknown = [value for value in marks.values() if value not in MARKS]
    if unknown:
        raise ApplicationError("Select attended or did not attend", code="invalid")
    changed = 0
    with transaction.atomic():
        bookings = session.bookings.select_for_update().filter(status=Booking.Status.CONFIRMED, pk__in=list(marks))
        for booking in bookings:
            mark = marks[booking.pk]
            if booking.attendance == mark:
                continue
            booking.attendance = mark
            booking.attendance_marked_at = now if mark else None
            booking.save(update_fields=["attendance", "attendance_marked_at", "updated_at"])
            if mark == Booking.Attendance.ATTENDED:
                certificate_issue(booking)
            else:
                certificate_withdraw(booking, now=now)
            changed += 1
        audit_record(
            action="training.register_marked",
            actor=actor,
            request=request,
            obj=session,
            detail={"changed": changed},
        )
    return changed


# --- Certificates ------------------------------------------------------------------


def certificate_issue(booking: Booking) -> Certificate:
    session = booking.session
    certificate = Certificate.objects.filter(booking=booking).first()
    if certificate is None:
        certificate = Certificate.objects.create(
            booking=booking,
            name=booking.name,
            course_title=session.course.title,
            session_date=timezone.localtime(session.starts_at).date(),
        )
        audit_record(action="training.certificate_issued", obj=certificate, detail={"booking": booking.pk})
    elif certificate.withdrawn_at is not None:
        certificate.withdrawn_at = None
        certificate.save(update_fields=["withdrawn_at"])
        audit_record(action="training.certificate_reinstated", obj=certificate, detail={"booking": booking.pk})
    return certificate


def certificate_withdraw(booking: Booking, *, now: datetime.datetime) -> None:
    updated = Certificate.objects.filter(booking=booking, withdrawn_at__isnull=True).update(withdrawn_at=now)
    if updated:
        audit_record(
            action="training.certificate_withdrawn",
            object_type="training.certificate",
            object_id=booking.certificate.pk,
            detail={"booking": booking.pk},
        )


def certificate_code_normalise(text: str) -> str:
    """Accept a code however it was typed: any case, spaces or dashes anywhere."""
    raw = re.sub(r"[\s\-]", "", text or "").upper()
    return f"{raw[:4]}-{raw[4:8]}-{raw[8:]}" if len(raw) == 12 else raw


def certificate_verify(code: str) -> Certificate | None:
    normalised = certificate_code_normalise(code)
    if len(normalised) != 14:
        return None
    return Certificate.objects.filter(code=normalised).first()


def certificate_pdf(certificate: Certificate) -> bytes:
    """The certificate of attendance as PDF. WeasyPrint is imported here so the
    service runs (without certificates) on a machine that lacks Pango."""
    from django.conf import settings
    from PIL import ImageFile
    from weasyprint import HTML

    # Importing WeasyPrint turns on Pillow's "load truncated images" for the whole
    # process; certificates have no images, and pledge photos must not be padded.
    ImageFile.LOAD_TRUNCATED_IMAGES = False

    html = render_to_string(
        "training/certificate.html",
        {"certificate": certificate, "verify_url": settings.SITE_URL + "/training/certificates/verify/"},
    )
    return HTML(string=html).write_pdf()


# --- Feedback ------------------------------------------------------------------


def feedback_requests_send(*, now: datetime.datetime | None = None) -> int:
    """After a session ends, send each attendee the feedback form and their certificate. Once each."""
    now = now or timezone.now()
    due = Booking.objects.filter(
        status=Booking.Status.CONFIRMED,
        attendance=Booking.Attendance.ATTENDED,
        feedback_requested_at__isnull=True,
        session__ends_at__lte=now,
    ).select_related("session__course", "certificate")
    sent = 0
    for booking in due:
        with transaction.atomic():
            claimed = Booking.objects.filter(pk=booking.pk, feedback_requested_at__isnull=True).update(
                feedback_requested_at=now
            )
            if claimed:
                booking_email(
                    booking,
                    "after_session",
                    dedupe=f"training-booking-{booking.pk}-after-session",
                )
                sent += 1
    return sent


def feedback_booking(token: str) -> Booking:
    """The booking whose feedback a link is for, or why it cannot take feedback."""
    booking = booking_by_token(token)
    if booking is None:
        raise ApplicationError("This link is not valid", code="not_found")
    if booking.attendance != Booking.Attendance.ATTENDED:
        raise ApplicationError("Feedback is for people who attended the session", code="not_attended")
    return booking


def feedback_submit(*, token: str, data: dict) -> Feedback:
    booking = feedback_booking(token)
    try:
        with transaction.atomic():
            feedback = Feedback.objects.create(
                booking=booking,
                confidence_before=data["confidence_before"],
                confidence_after=data["confidence_after"],
                most_useful=data.get("most_useful", ""),
                improve=data.get("improve", ""),
            )
            audit_record(action="training.feedback_given", obj=feedback, detail={"session": booking.session_id})
    except IntegrityError as error:
        raise ApplicationError(
            "You have already given feedback on this session. Thank you.", code="duplicate"
        ) from error
    return feedback
