import datetime

import pytest
from django.core import mail
from django.urls import reverse

from hub.training.models import Booking, Session
from hub.training.tests.factories import BookingFactory, CourseFactory, SessionFactory, booking_data, in_days

pytestmark = pytest.mark.django_db


def session_url(session) -> str:
    return reverse("training:session_detail", kwargs={"pk": session.pk})


def test_listing_shows_upcoming_sessions_with_places_left(client):
    session = SessionFactory(capacity=3)
    BookingFactory(session=session)
    SessionFactory(status=Session.Status.CANCELLED, course=CourseFactory(title="Cancelled course"))
    SessionFactory(
        starts_at=in_days(-3), ends_at=in_days(-3) + datetime.timedelta(hours=2), course=CourseFactory(title="Past")
    )
    body = client.get(reverse("training:session_list")).content.decode()
    assert session.course.title in body
    assert "Places left: 2 of 3" in body
    assert "Cancelled course" not in body and ">Past<" not in body


def test_listing_filters_by_mode_audience_and_date(client):
    online = SessionFactory(mode=Session.Mode.ONLINE, course=CourseFactory(title="Online course"))
    SessionFactory(course=CourseFactory(title="Hotel course", target_audiences=["Hoteliers"]))
    later = SessionFactory(
        starts_at=in_days(40), ends_at=in_days(40) + datetime.timedelta(hours=2), course=CourseFactory(title="Later")
    )
    url = reverse("training:session_list")
    body = client.get(url, {"mode": "online"}).content.decode()
    assert "Online course" in body and "Hotel course" not in body
    body = client.get(url, {"audience": "Hoteliers"}).content.decode()
    assert "Hotel course" in body and "Online course" not in body
    day = later.starts_at.date()
    body = client.get(url, {"from_date_day": day.day, "from_date_month": day.month, "from_date_year": day.year})
    assert "Later" in body.content.decode() and "Online course" not in body.content.decode()
    assert online.pk  # the online session exists but is before the date


def test_impossible_filter_date_is_an_error_not_a_failure(client):
    response = client.get(
        reverse("training:session_list"), {"from_date_day": "31", "from_date_month": "2", "from_date_year": "2027"}
    )
    assert response.status_code == 200
    assert "From must be a real date" in response.content.decode()


def test_session_page_hides_the_joining_link(client):
    session = SessionFactory(mode=Session.Mode.ONLINE, joining_link="https://meet.example.org/secret-room")
    body = client.get(session_url(session)).content.decode()
    assert "secret-room" not in body
    assert "The joining link is sent to people with a place." in body


def test_booking_form_errors_are_specific(client):
    session = SessionFactory()
    response = client.post(session_url(session), {})
    body = response.content.decode()
    for message in (
        "Enter your full name",
        "Enter your email address",
        "Select the sector you work in",
        "Enter your job role",
    ):
        assert message in body
    assert not Booking.objects.exists()


def test_booking_goes_to_the_status_page_and_emails_the_booker(client, django_capture_on_commit_callbacks):
    session = SessionFactory(mode=Session.Mode.ONLINE, joining_link="https://meet.example.org/room")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(session_url(session), booking_data())
    booking = Booking.objects.get()
    assert response["Location"] == reverse("training:booking_status", kwargs={"token": booking.token})
    assert "Your place is booked" in client.get(response["Location"]).content.decode()
    assert "https://meet.example.org/room" in mail.outbox[0].body


def test_duplicate_booking_is_refused_on_the_form(client):
    session = SessionFactory()
    client.post(session_url(session), booking_data())
    response = client.post(session_url(session), booking_data(email="SAM.TAYLOR@example.org"))
    assert response.status_code == 200
    assert "You have already booked this session with this email address" in response.content.decode()
    assert Booking.objects.count() == 1


def test_closed_session_shows_why_and_no_form(client):
    session = SessionFactory(booking_deadline=in_days(-1))
    body = client.get(session_url(session)).content.decode()
    assert "Booking for this session closed at" in body
    assert 'name="email"' not in body
    client.post(session_url(session), booking_data())
    assert not Booking.objects.exists()


def test_full_session_offers_the_waiting_list(client):
    session = SessionFactory(capacity=1)
    BookingFactory(session=session)
    body = client.get(session_url(session)).content.decode()
    assert "This session is full" in body
    assert "Join the waiting list" in body


def test_cancel_link_asks_first_then_cancels(client):
    booking = BookingFactory()
    url = reverse("training:booking_cancel", kwargs={"token": booking.token})
    assert "Cancel booking" in client.get(url).content.decode()
    booking.refresh_from_db()
    assert booking.status == Booking.Status.CONFIRMED
    client.post(url)
    booking.refresh_from_db()
    assert booking.status == Booking.Status.CANCELLED


def test_a_guessed_token_is_404(client):
    BookingFactory()
    for name in ("booking_status", "booking_cancel", "offer_accept"):
        assert client.get(reverse(f"training:{name}", kwargs={"token": "guessed-token"})).status_code == 404


def test_unknown_session_is_404(client):
    assert client.get(reverse("training:session_detail", kwargs={"pk": 999999})).status_code == 404
