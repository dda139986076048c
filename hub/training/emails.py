"""Emails to people who booked. A service queues one in its transaction as a
small outbox row (which booking, which email); the worker renders and sends it
after commit. Rendering (templates, the .ics) stays out of the booking
transaction, which holds the session's lock, and out of the booker's request."""

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse

from hub.core.models import OutboxMessage
from hub.core.outbox import email_send, outbox_enqueue, outbox_handler
from hub.training.calendar import sessions_ics
from hub.training.models import Booking, Certificate, SessionMessage

# News that no longer concerns someone whose booking ended before it was sent.
ONLY_WHILE_ACTIVE = {"changed", "reminder", "message"}
# Kinds that carry a calendar file, and the iTIP method it uses.
CALENDAR_METHODS = {"confirmed": "PUBLISH", "changed": "PUBLISH", "session_cancelled": "CANCEL"}


def booking_links(booking: Booking) -> dict[str, str]:
    site = settings.SITE_URL
    return {
        "site_url": site,
        "session_url": site + reverse("training:session_detail", kwargs={"pk": booking.session_id}),
        "cancel_url": site + reverse("training:booking_cancel", kwargs={"token": booking.token}),
        "accept_url": site + reverse("training:offer_accept", kwargs={"token": booking.token}),
        "feedback_url": site + reverse("training:feedback", kwargs={"token": booking.token}),
        "certificate_url": site + reverse("training:certificate_pdf", kwargs={"token": booking.token}),
        "verify_url": site + reverse("training:certificate_verify"),
    }


def booking_email(booking: Booking, kind: str, *, extra: dict | None = None, dedupe: str = "") -> OutboxMessage:
    """Queue the email for a booking's new state. `extra` holds JSON values the
    email needs beyond the booking: a cancellation `reason`, a `message` id."""
    return outbox_enqueue(
        kind="training_email",
        payload={"booking": booking.pk, "kind": kind, **(extra or {})},
        # One email per booking per state: a retried transaction cannot send it twice.
        dedupe_key=dedupe or f"training-booking-{booking.pk}-{kind}-{booking.updated_at.timestamp()}",
    )


def booking_email_render(booking: Booking, kind: str, payload: dict) -> dict:
    """Subject, body and attachments of one email, from the booking as it is now."""
    from hub.training.services import offer_hours

    session = booking.session
    context = {
        "booking": booking,
        "session": session,
        "course": session.course,
        "offer_hours": offer_hours(),
        "reason": payload.get("reason", ""),
        "message": SessionMessage.objects.filter(pk=payload.get("message")).first(),
        "certificate": Certificate.objects.filter(booking=booking, withdrawn_at__isnull=True).first(),
        **booking_links(booking),
    }
    attachments = []
    method = CALENDAR_METHODS.get(kind)
    if method:
        attachments.append(
            {
                "filename": "training-session.ics",
                "content": sessions_ics([session], include_joining_link=method == "PUBLISH", method=method),
                "mimetype": f"text/calendar; charset=utf-8; method={method}",
            }
        )
    return {
        "to": [booking.email],
        "subject": render_to_string(f"training/email/{kind}_subject.txt", context).strip(),
        "body": render_to_string(f"training/email/{kind}.txt", context),
        "attachments": attachments,
    }


@outbox_handler("training_email")
def _send_training_email(message: OutboxMessage) -> None:
    booking = Booking.objects.select_related("session__course").get(pk=message.payload["booking"])
    if message.payload["kind"] in ONLY_WHILE_ACTIVE and booking.status not in Booking.ACTIVE:
        return  # e.g. a reminder queued just before the person cancelled
    email_send(message, **booking_email_render(booking, message.payload["kind"], message.payload))
