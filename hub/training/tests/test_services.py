import datetime

import pytest
from django.core import mail
from django.utils import timezone

from hub.audit.models import AuditEvent
from hub.core.errors import ApplicationError
from hub.training import services
from hub.training.models import Booking, Session
from hub.training.tests.factories import BookingFactory, SessionFactory, booking_data, in_days

pytestmark = pytest.mark.django_db


_capture = None


@pytest.fixture
def send_emails(django_capture_on_commit_callbacks):
    """Each service call's after-commit work (the outbox sending its email) runs
    as the call returns, as it would when a request's transaction commits."""
    global _capture
    _capture = django_capture_on_commit_callbacks
    yield
    _capture = None


def committed(function, **kwargs):
    if _capture is None:
        return function(**kwargs)
    with _capture(execute=True):
        return function(**kwargs)


def book(session, **overrides) -> Booking:
    return committed(services.booking_create, session_id=session.pk, data=booking_data(**overrides))


def cancel(booking, **kwargs) -> Booking:
    return committed(services.booking_cancel, token=booking.token, **kwargs)


def accept(booking, **kwargs) -> Booking:
    return committed(services.offer_accept, token=booking.token, **kwargs)


def test_booking_with_places_left_is_confirmed_with_a_calendar_invitation(send_emails):
    session = SessionFactory(capacity=2)
    booking = book(session)
    assert booking.status == Booking.Status.CONFIRMED
    assert booking.email == "sam.taylor@example.org"
    assert AuditEvent.objects.get(action="training.booking_created").detail == {
        "session": session.pk,
        "status": "confirmed",
    }


def test_confirmation_email_has_the_ics_and_a_cancel_link(send_emails):
    session = SessionFactory()
    booking = book(session, name="Sam O'Brien")
    [email] = mail.outbox
    assert email.to == ["sam.taylor@example.org"]
    assert email.subject.startswith("Your place is booked: ")
    assert "Dear Sam O'Brien," in email.body  # plain text, not HTML-escaped
    assert f"http://testserver/training/bookings/{booking.token}/cancel/" in email.body
    [(filename, content, mimetype)] = email.attachments
    assert filename == "training-session.ics"
    assert mimetype.startswith("text/calendar")
    assert "BEGIN:VTIMEZONE" in content and "TZID:Europe/London" in content
    local_start = timezone.localtime(session.starts_at).strftime("%Y%m%dT%H%M%S")
    assert f"DTSTART;TZID=Europe/London:{local_start}" in content


def test_full_session_puts_people_on_the_waiting_list(send_emails):
    session = SessionFactory(capacity=1)
    assert book(session, email="first@example.org").status == Booking.Status.CONFIRMED
    second = book(session, email="second@example.org")
    assert second.status == Booking.Status.WAITLISTED
    assert mail.outbox[-1].subject.startswith("You are on the waiting list")
    assert mail.outbox[-1].attachments == []


def test_same_email_cannot_book_twice_ignoring_case():
    session = SessionFactory()
    book(session, email="sam@example.org")
    with pytest.raises(ApplicationError) as refused:
        book(session, email="SAM@example.org")
    assert refused.value.field == "email"
    assert "already booked" in refused.value.message
    assert session.bookings.count() == 1


def test_after_cancelling_the_same_email_can_book_again():
    session = SessionFactory()
    first = book(session, email="sam@example.org")
    services.booking_cancel(token=first.token)
    assert book(session, email="sam@example.org").status == Booking.Status.CONFIRMED


@pytest.mark.parametrize(
    ("session_fields", "message"),
    [
        ({"status": Session.Status.CANCELLED}, "This session has been cancelled"),
        (
            {"starts_at": in_days(-1), "ends_at": in_days(-1) + datetime.timedelta(hours=2)},
            "This session has already taken place",
        ),
        ({"booking_deadline": in_days(-1)}, "Booking for this session closed at"),
    ],
)
def test_closed_sessions_refuse_bookings_with_the_reason(session_fields, message):
    session = SessionFactory(**session_fields)
    with pytest.raises(ApplicationError, match=message):
        book(session)
    assert not session.bookings.exists()


def test_cancelling_a_place_offers_it_to_the_first_person_waiting(send_emails):
    session = SessionFactory(capacity=1)
    confirmed = book(session, email="a@example.org")
    first_waiting = book(session, email="b@example.org")
    second_waiting = book(session, email="c@example.org")
    cancel(confirmed)
    first_waiting.refresh_from_db()
    second_waiting.refresh_from_db()
    assert first_waiting.status == Booking.Status.OFFERED
    expected_expiry = timezone.now() + datetime.timedelta(hours=24)
    assert abs((first_waiting.offer_expires_at - expected_expiry).total_seconds()) < 60
    assert second_waiting.status == Booking.Status.WAITLISTED
    offer_email = mail.outbox[-1]
    assert offer_email.to == ["b@example.org"]
    assert f"/training/bookings/{first_waiting.token}/accept/" in offer_email.body


def test_an_offer_holds_the_place_against_new_bookings():
    session = SessionFactory(capacity=1)
    confirmed = book(session, email="a@example.org")
    book(session, email="b@example.org")
    cancel(confirmed)
    assert book(session, email="late@example.org").status == Booking.Status.WAITLISTED


def test_accepting_an_offer_confirms_and_a_second_click_changes_nothing(send_emails):
    session = SessionFactory(capacity=1)
    confirmed = book(session, email="a@example.org")
    waiting = book(session, email="b@example.org")
    cancel(confirmed)
    accept(waiting)
    accept(waiting)
    waiting.refresh_from_db()
    assert waiting.status == Booking.Status.CONFIRMED
    assert [e.subject.split(":")[0] for e in mail.outbox if e.to == ["b@example.org"]] == [
        "You are on the waiting list",
        "A place is free for you",
        "Your place is booked",
    ]


def test_an_expired_offer_passes_to_the_next_person(send_emails):
    session = SessionFactory(capacity=1)
    confirmed = book(session, email="a@example.org")
    first = book(session, email="b@example.org")
    second = book(session, email="c@example.org")
    cancel(confirmed)
    later = timezone.now() + datetime.timedelta(hours=25)
    with pytest.raises(ApplicationError, match="expired"):
        services.offer_accept(token=first.token, now=later)
    assert services.offers_expire(now=later) == 1
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.status == Booking.Status.OFFER_EXPIRED
    assert second.status == Booking.Status.OFFERED
    assert services.offers_expire(now=later) == 0  # nothing more is due


def test_offer_never_outlasts_the_session_start():
    session = SessionFactory(capacity=1, starts_at=timezone.now() + datetime.timedelta(hours=3))
    session.ends_at = session.starts_at + datetime.timedelta(hours=2)
    session.booking_deadline = session.starts_at
    session.save()
    confirmed = book(session, email="a@example.org")
    waiting = book(session, email="b@example.org")
    cancel(confirmed)
    waiting.refresh_from_db()
    assert waiting.offer_expires_at == session.starts_at


def test_links_only_work_with_the_real_token():
    booking = BookingFactory()
    for token in ("", "x" * 65, booking.token[:-1], booking.token + "a"):
        with pytest.raises(ApplicationError, match="not valid"):
            services.booking_cancel(token=token)
    booking.refresh_from_db()
    assert booking.status == Booking.Status.CONFIRMED


def test_tokens_are_long_random_and_distinct():
    tokens = {BookingFactory().token for _ in range(20)}
    assert len(tokens) == 20
    assert all(len(token) >= 43 for token in tokens)


def test_cancelled_booking_cannot_be_cancelled_again():
    session = SessionFactory()
    booking = book(session)
    services.booking_cancel(token=booking.token)
    with pytest.raises(ApplicationError, match="already been cancelled"):
        services.booking_cancel(token=booking.token)


def test_expiry_command_passes_places_on(send_emails):
    from io import StringIO

    from django.core.management import call_command

    session = SessionFactory(capacity=1)
    confirmed = book(session, email="a@example.org")
    first = book(session, email="b@example.org")
    second = book(session, email="c@example.org")
    cancel(confirmed)
    Booking.objects.filter(pk=first.pk).update(offer_expires_at=timezone.now() - datetime.timedelta(minutes=1))
    out = StringIO()
    committed(call_command, command_name="training_tasks", stdout=out)
    assert out.getvalue().strip() == "1 offer(s) expired, 0 reminder(s) sent, 0 feedback request(s) sent."
    second.refresh_from_db()
    assert second.status == Booking.Status.OFFERED
    assert mail.outbox[-1].to == ["c@example.org"]
