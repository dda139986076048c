"""Trainers' session rules: create, edit (capacity never below places held),
cancel, message, and the day-before reminder."""

import datetime
import zoneinfo

import pytest
from django.core import mail
from django.utils import timezone

from hub.accounts.roles import Role
from hub.accounts.tests.factories import UserFactory
from hub.core.errors import ApplicationError
from hub.core.models import OutboxMessage
from hub.core.outbox import outbox_deliver_message
from hub.training import services
from hub.training.models import Booking, Session, SessionMessage
from hub.training.tests.factories import BookingFactory, CourseFactory, SessionFactory, in_days

pytestmark = pytest.mark.django_db
LONDON = zoneinfo.ZoneInfo("Europe/London")


def session_data(**overrides) -> dict:
    starts = in_days(14)
    data = {
        "course": CourseFactory(),
        "starts_at": starts,
        "ends_at": starts + datetime.timedelta(hours=2),
        "mode": Session.Mode.IN_PERSON,
        "venue_name": "Seaside Library",
        "venue_address": "2 Example Street",
        "accessibility_info": "Step-free access",
        "joining_link": "",
        "capacity": 20,
        "booking_deadline": starts - datetime.timedelta(days=1),
        "trainer": None,
    }
    data.update(overrides)
    return data


def data_of(session: Session, **overrides) -> dict:
    data = {name: getattr(session, name) for name in services.SESSION_FIELDS}
    data.update(overrides)
    return data


@pytest.fixture
def trainer():
    return UserFactory(roles=[Role.TRAINER])


def test_create_session(trainer):
    session = services.session_create(data=session_data(trainer=trainer), actor=trainer)
    assert session.capacity == 20 and session.trainer == trainer and session.status == Session.Status.SCHEDULED


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"ends_at": in_days(14)}, "end_time", "End time must be after the start time"),
        ({"booking_deadline": in_days(15)}, "booking_deadline_date", "Booking must close before the session starts"),
        ({"mode": Session.Mode.ONLINE}, "joining_link", "Enter the joining link for an online session"),
        ({"venue_name": ""}, "venue_name", "Enter the venue of an in-person session"),
    ],
)
def test_create_refuses_impossible_sessions(trainer, overrides, field, message):
    with pytest.raises(ApplicationError) as refused:
        services.session_create(data=session_data(**overrides), actor=trainer)
    assert (refused.value.field, refused.value.message) == (field, message)
    assert not Session.objects.exists()


def test_capacity_cannot_fall_below_places_held(trainer):
    session = SessionFactory(capacity=5)
    BookingFactory.create_batch(3, session=session)
    BookingFactory(session=session, status=Booking.Status.OFFERED, offer_expires_at=in_days(1))
    BookingFactory(session=session, status=Booking.Status.CANCELLED)
    with pytest.raises(ApplicationError) as refused:
        services.session_update(session=session, data=data_of(session, capacity=3), actor=trainer)
    assert refused.value.field == "capacity"
    assert "at least 4" in refused.value.message
    session.refresh_from_db()
    assert session.capacity == 5
    services.session_update(session=session, data=data_of(session, capacity=4), actor=trainer)
    session.refresh_from_db()
    assert session.capacity == 4


def test_more_capacity_is_offered_to_the_waiting_list(trainer, django_capture_on_commit_callbacks):
    session = SessionFactory(capacity=1)
    BookingFactory(session=session)
    waiting = BookingFactory(session=session, status=Booking.Status.WAITLISTED, email="wait@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        services.session_update(session=session, data=data_of(session, capacity=2), actor=trainer)
    waiting.refresh_from_db()
    assert waiting.status == Booking.Status.OFFERED
    assert [message.to for message in mail.outbox] == [["wait@example.org"]]


def test_new_time_is_sent_to_everyone_with_a_place_with_a_new_calendar_file(
    trainer, django_capture_on_commit_callbacks
):
    session = SessionFactory(capacity=1)
    holder = BookingFactory(session=session, email="holder@example.org")
    BookingFactory(session=session, status=Booking.Status.WAITLISTED, email="waiting@example.org")
    BookingFactory(session=session, status=Booking.Status.CANCELLED, email="gone@example.org")
    later = session.starts_at + datetime.timedelta(hours=3)
    with django_capture_on_commit_callbacks(execute=True):
        services.session_update(
            session=session,
            data=data_of(session, starts_at=later, ends_at=later + datetime.timedelta(hours=2)),
            actor=trainer,
        )
    assert [message.to for message in mail.outbox] == [[holder.email]]
    message = mail.outbox[0]
    assert message.subject.startswith("Change to your training session")
    assert message.attachments[0][0] == "training-session.ics"
    local = timezone.localtime(later)
    assert f"{local:%Y%m%dT%H%M%S}" in message.attachments[0][1]


def test_a_change_of_trainer_alone_emails_nobody(trainer, django_capture_on_commit_callbacks):
    session = SessionFactory()
    BookingFactory(session=session)
    with django_capture_on_commit_callbacks(execute=True):
        services.session_update(session=session, data=data_of(session, trainer=trainer), actor=trainer)
    assert mail.outbox == []


def test_cancelling_tells_everyone_and_releases_every_place(trainer, django_capture_on_commit_callbacks):
    session = SessionFactory(capacity=2)
    confirmed = BookingFactory(session=session)
    offered = BookingFactory(session=session, status=Booking.Status.OFFERED, offer_expires_at=in_days(1))
    waiting = BookingFactory(session=session, status=Booking.Status.WAITLISTED)
    BookingFactory(session=session, status=Booking.Status.CANCELLED, email="already@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        told = services.session_cancel(session=session, reason="The trainer is ill.", actor=trainer)
    assert told == 3
    session.refresh_from_db()
    assert session.is_cancelled and session.cancelled_reason == "The trainer is ill."
    for booking in (confirmed, offered, waiting):
        booking.refresh_from_db()
        assert booking.status == Booking.Status.CANCELLED
    assert sorted(message.to[0] for message in mail.outbox) == sorted([confirmed.email, offered.email, waiting.email])
    assert all("The trainer is ill." in message.body for message in mail.outbox)
    assert services.places_taken(session) == 0
    with pytest.raises(ApplicationError):
        services.session_cancel(session=session, reason="again", actor=trainer)
    with pytest.raises(ApplicationError):
        services.session_update(session=session, data=data_of(session), actor=trainer)


def test_message_goes_to_people_with_places_and_optionally_the_waiting_list(
    trainer, django_capture_on_commit_callbacks
):
    session = SessionFactory()
    confirmed = BookingFactory(session=session, email="placed@example.org")
    BookingFactory(session=session, status=Booking.Status.WAITLISTED, email="waiting@example.org")
    BookingFactory(session=session, status=Booking.Status.CANCELLED, email="gone@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        message = services.session_message(
            session=session, subject="Parking", body="Use the rear car park.", include_waitlist=False, actor=trainer
        )
    assert message.recipient_count == 1
    assert [(m.to, m.subject) for m in mail.outbox] == [([confirmed.email], "Parking")]
    assert "Use the rear car park." in mail.outbox[0].body
    assert confirmed.token in mail.outbox[0].body  # their own cancel link
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.session_message(session=session, subject="Room", body="Room 2.", include_waitlist=True, actor=trainer)
    assert sorted(m.to[0] for m in mail.outbox) == ["placed@example.org", "waiting@example.org"]
    assert SessionMessage.objects.filter(session=session).count() == 2


def test_message_to_an_empty_session_is_refused(trainer):
    with pytest.raises(ApplicationError, match="Nobody is booked"):
        services.session_message(
            session=SessionFactory(), subject="Hello", body="Hi", include_waitlist=True, actor=trainer
        )
    assert not SessionMessage.objects.exists()


def test_reminders_go_the_day_before_once(django_capture_on_commit_callbacks):
    now = datetime.datetime(2027, 3, 14, 9, 0, tzinfo=LONDON)
    tomorrow = datetime.datetime(2027, 3, 15, 10, 0, tzinfo=LONDON)
    session = SessionFactory(starts_at=tomorrow, ends_at=tomorrow + datetime.timedelta(hours=2))
    confirmed = BookingFactory(session=session, email="coming@example.org")
    BookingFactory(session=session, status=Booking.Status.WAITLISTED)
    day_after = tomorrow + datetime.timedelta(days=1)
    BookingFactory(session=SessionFactory(starts_at=day_after, ends_at=day_after + datetime.timedelta(hours=1)))
    with django_capture_on_commit_callbacks(execute=True):
        assert services.reminders_send(now=now) == 1
        assert services.reminders_send(now=now + datetime.timedelta(hours=3)) == 0
    assert [message.to for message in mail.outbox] == [[confirmed.email]]
    assert mail.outbox[0].subject == f"Reminder: {session.course.title} tomorrow, 10:00 a.m."
    confirmed.refresh_from_db()
    assert confirmed.reminded_at == now


def test_reminder_day_is_the_local_day(django_capture_on_commit_callbacks):
    # 23:30 on 30 March 2027 in London is 22:30 UTC; a session at 00:30 BST on
    # 1 April starts "tomorrow" in London although it is still 31 March in UTC.
    now = datetime.datetime(2027, 3, 31, 23, 30, tzinfo=LONDON)
    starts = datetime.datetime(2027, 4, 1, 0, 30, tzinfo=LONDON)
    BookingFactory(session=SessionFactory(starts_at=starts, ends_at=starts + datetime.timedelta(hours=1)))
    with django_capture_on_commit_callbacks(execute=True):
        assert services.reminders_send(now=now) == 1


def test_news_queued_before_a_cancellation_is_not_sent_after_it(django_capture_on_commit_callbacks):
    now = datetime.datetime(2027, 3, 14, 9, 0, tzinfo=LONDON)
    tomorrow = datetime.datetime(2027, 3, 15, 10, 0, tzinfo=LONDON)
    booking = BookingFactory(session=SessionFactory(starts_at=tomorrow, ends_at=tomorrow + datetime.timedelta(hours=1)))
    assert services.reminders_send(now=now) == 1  # queued; the worker has not sent it yet
    with django_capture_on_commit_callbacks(execute=True):
        services.booking_cancel(token=booking.token, now=now)
    reminder = OutboxMessage.objects.get(dedupe_key=f"training-booking-{booking.pk}-reminder")
    outbox_deliver_message(message_id=reminder.pk)
    assert [message.subject.split(":")[0] for message in mail.outbox] == ["Booking cancelled"]
