"""Training beyond its own pages: the campaign page section, the iCalendar feed
and the API of upcoming sessions."""

import datetime

import pytest
from django.core import mail
from django.urls import reverse
from icalendar import Calendar

from hub.accounts.roles import Role
from hub.accounts.tests.factories import UserFactory
from hub.campaigns.tests.factories import CampaignFactory
from hub.training import services
from hub.training.models import Booking, Session
from hub.training.tests.factories import BookingFactory, CourseFactory, SessionFactory, in_days

pytestmark = pytest.mark.django_db


def test_campaign_page_lists_upcoming_sessions_of_its_courses(client):
    campaign = CampaignFactory(published=True)
    course = CourseFactory(campaign=campaign, title="Linked course")
    full = SessionFactory(course=course, capacity=1, starts_at=in_days(3))
    BookingFactory(session=full)
    SessionFactory(course=course, capacity=10, starts_at=in_days(5))
    SessionFactory(course=CourseFactory(title="Unlinked course"))
    body = client.get(reverse("campaigns:public_detail", kwargs={"slug": campaign.slug})).content.decode()
    assert 'id="training"' in body and "Free training" in body
    assert "Linked course" in body and "Unlinked course" not in body
    assert "Full: join the waiting list" in body and "10 places left" in body


def test_campaign_without_courses_has_no_training_section(client):
    campaign = CampaignFactory(published=True)
    body = client.get(reverse("campaigns:public_detail", kwargs={"slug": campaign.slug})).content.decode()
    assert 'id="training"' not in body


def test_feed_has_upcoming_sessions_in_london_time_and_no_joining_links(client):
    online = SessionFactory(mode=Session.Mode.ONLINE, joining_link="https://meet.example.org/secret", capacity=5)
    SessionFactory(status=Session.Status.CANCELLED)
    response = client.get(reverse("training:sessions_feed"))
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    text = response.content.decode()
    assert "secret" not in text
    calendar = Calendar.from_ical(text)
    events = calendar.walk("VEVENT")
    assert len(events) == 1
    assert str(events[0]["UID"]).startswith(f"training-session-{online.pk}@")
    assert events[0].decoded("DTSTART").tzinfo.key == "Europe/London"
    assert calendar.walk("VTIMEZONE")[0]["TZID"] == "Europe/London"


def test_changed_session_raises_the_calendar_sequence(django_capture_on_commit_callbacks):
    session = SessionFactory(capacity=1)
    BookingFactory(session=session)
    data = {name: getattr(session, name) for name in services.SESSION_FIELDS}
    later = session.starts_at + datetime.timedelta(days=1)
    with django_capture_on_commit_callbacks(execute=True):
        services.session_update(
            session=session,
            data={**data, "starts_at": later, "ends_at": later + datetime.timedelta(hours=1)},
            actor=UserFactory(roles=[Role.TRAINER]),
        )
    with django_capture_on_commit_callbacks(execute=True):
        services.session_cancel(session=session, reason="Ill", actor=None)
    changed, cancelled = (Calendar.from_ical(message.attachments[0][1]) for message in mail.outbox)
    assert changed.walk("VEVENT")[0]["SEQUENCE"] == 1
    assert cancelled["METHOD"] == "CANCEL"
    assert cancelled.walk("VEVENT")[0]["SEQUENCE"] == 2 and cancelled.walk("VEVENT")[0]["STATUS"] == "CANCELLED"


def test_api_lists_upcoming_sessions_with_places_left(client):
    session = SessionFactory(capacity=3, mode=Session.Mode.ONLINE, joining_link="https://meet.example.org/secret")
    BookingFactory(session=session)
    BookingFactory(session=session, status=Booking.Status.CANCELLED)
    SessionFactory(course=CourseFactory(target_audiences=["Hoteliers"]), starts_at=in_days(9))
    SessionFactory(starts_at=in_days(-2), ends_at=in_days(-2) + datetime.timedelta(hours=1))
    response = client.get("/api/v1/training/sessions")
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 2
    first = body["items"][0]
    assert first["id"] == session.pk and first["places_left"] == 2 and first["capacity"] == 3
    assert first["mode"] == "online" and first["venue_name"] == ""
    assert first["page_url"].endswith(f"/training/sessions/{session.pk}/")
    assert "secret" not in response.content.decode()
    hoteliers = client.get("/api/v1/training/sessions", {"audience": "Hoteliers"}).json()
    assert [item["audiences"] for item in hoteliers["items"]] == [["Hoteliers"]]
    assert client.get("/api/v1/training/sessions", {"mode": "online"}).json()["count"] == 1


def test_api_errors_are_json(client):
    bad = client.get("/api/v1/training/sessions", {"mode": "by-pigeon"})
    assert bad.status_code == 400 and "mode" in bad.json()["message"]
    past = SessionFactory(starts_at=in_days(-2), ends_at=in_days(-2) + datetime.timedelta(hours=1))
    for session_id in (past.pk, 999999):
        missing = client.get(f"/api/v1/training/sessions/{session_id}")
        assert missing.status_code == 404 and missing.json() == {"message": "Not found."}
    upcoming = SessionFactory()
    assert client.get(f"/api/v1/training/sessions/{upcoming.pk}").json()["id"] == upcoming.pk
