"""Trainers' pages: who may see them, the forms' errors, the register, CSV, messages, cancelling, triage."""

import csv
import datetime
import io

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from hub.accounts.roles import Role
from hub.audit.models import AuditEvent
from hub.training.models import Booking, Certificate, Course, Session, TrainingRequest
from hub.training.tests.factories import BookingFactory, CourseFactory, SessionFactory, in_days, started_session

pytestmark = pytest.mark.django_db


@pytest.fixture
def trainer_client(make_staff_client):
    client, _ = make_staff_client(Role.TRAINER)
    return client


def staff_urls(session, booking, training_request):
    return [
        reverse("training:staff_overview"),
        reverse("training:course_list"),
        reverse("training:course_create"),
        reverse("training:course_edit", kwargs={"pk": session.course.pk}),
        reverse("training:session_create"),
        reverse("training:staff_session", kwargs={"pk": session.pk}),
        reverse("training:session_edit", kwargs={"pk": session.pk}),
        reverse("training:staff_register", kwargs={"pk": session.pk}),
        reverse("training:session_bookings_csv", kwargs={"pk": session.pk}),
        reverse("training:session_message", kwargs={"pk": session.pk}),
        reverse("training:session_cancel", kwargs={"pk": session.pk}),
        reverse("training:request_list"),
        reverse("training:request_detail", kwargs={"pk": training_request.pk}),
    ]


def a_training_request() -> TrainingRequest:
    return TrainingRequest.objects.create(
        business_type="taxi",
        business_name="Seaside Cabs",
        area="Worthing",
        contact_name="Pat Doe",
        contact_email="pat@example.org",
        reason="Drivers carry young people late at night.",
    )


def test_trainer_pages_are_closed_to_the_public_and_other_roles(client, make_staff_client):
    session = SessionFactory()
    booking = BookingFactory(session=session, name="Private Person")
    urls = staff_urls(session, booking, a_training_request())
    for url in urls:
        response = client.get(url)
        assert response.status_code == 302 and "/account/sign-in/" in response["Location"], url
    coordinator, _ = make_staff_client(Role.CAMPAIGN_COORDINATOR)
    for url in urls:
        assert coordinator.get(url).status_code == 403, url


def test_trainer_sees_every_page(trainer_client):
    session = SessionFactory()
    BookingFactory(session=session, name="Booked Person")
    for url in staff_urls(session, None, a_training_request()):
        assert trainer_client.get(url).status_code == 200, url


def test_session_page_lists_bookings_by_status(trainer_client):
    session = SessionFactory(capacity=1)
    BookingFactory(session=session, name="Confirmed Person", access_needs="Hearing loop")
    BookingFactory(session=session, name="Waiting Person", status=Booking.Status.WAITLISTED)
    body = trainer_client.get(reverse("training:staff_session", kwargs={"pk": session.pk})).content.decode()
    assert "Confirmed (1)" in body and "Waiting list (1)" in body
    assert body.index("Confirmed Person") < body.index("Waiting Person")
    assert "Hearing loop" in body
    assert "1 of 1 taken" in body


def test_add_session_with_errors_then_correctly(trainer_client):
    url = reverse("training:session_create")
    body = trainer_client.post(url, {}).content.decode()
    for message in (
        "Select the course",
        "Enter date",
        "Enter start time",
        "Enter end time",
        "Enter the number of places",
    ):
        assert message in body
    course = CourseFactory()
    day = timezone.localdate() + datetime.timedelta(days=10)
    form = {
        "course": course.pk,
        "date_day": day.day,
        "date_month": day.month,
        "date_year": day.year,
        "start_time": "2pm",
        "end_time": "1:30pm",
        "mode": "in_person",
        "venue_name": "Library",
        "capacity": "25",
    }
    body = trainer_client.post(url, form).content.decode()
    assert "End time must be after the start time" in body
    assert not Session.objects.exists()
    response = trainer_client.post(url, {**form, "end_time": "16:00"})
    session = Session.objects.get()
    assert response.status_code == 302 and response["Location"].endswith(f"/staff/training/sessions/{session.pk}/")
    local = timezone.localtime(session.starts_at)
    assert (local.date(), local.hour, timezone.localtime(session.ends_at).hour) == (day, 14, 16)
    assert session.booking_deadline == session.starts_at  # no deadline given: open until the start


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("25:00", "Start time must be a real time"),
        ("13pm", "Start time must be a real time"),
        ("soon", "must be a time"),
    ],
)
def test_impossible_times_are_explained(trainer_client, typed, message):
    body = trainer_client.post(reverse("training:session_create"), {"start_time": typed}).content.decode()
    assert message in body


def test_edit_refuses_capacity_below_places_held(trainer_client):
    session = SessionFactory(capacity=3)
    BookingFactory.create_batch(2, session=session)
    local = timezone.localtime(session.starts_at)
    form = {
        "course": session.course.pk,
        "date_day": local.day,
        "date_month": local.month,
        "date_year": local.year,
        "start_time": f"{local:%H:%M}",
        "end_time": f"{timezone.localtime(session.ends_at):%H:%M}",
        "mode": "in_person",
        "venue_name": session.venue_name,
        "capacity": "1",
    }
    response = trainer_client.post(reverse("training:session_edit", kwargs={"pk": session.pk}), form)
    assert response.status_code == 200
    assert "Capacity must be at least 2" in response.content.decode()
    session.refresh_from_db()
    assert session.capacity == 3


def test_register_on_a_tablet_marks_attendance(trainer_client):
    session = started_session()
    came, absent = BookingFactory(session=session, name="Alex Came"), BookingFactory(session=session, name="Bo Absent")
    url = reverse("training:staff_register", kwargs={"pk": session.pk})
    body = trainer_client.get(url).content.decode()
    assert "Alex Came" in body and "0 attended, 0 did not attend, 2 not marked yet." in body
    response = trainer_client.post(url, {f"booking_{came.pk}": "attended", f"booking_{absent.pk}": "no_show"})
    assert response.status_code == 302
    came.refresh_from_db()
    absent.refresh_from_db()
    assert (came.attendance, absent.attendance) == ("attended", "no_show")
    assert Certificate.objects.get().booking == came
    body = trainer_client.get(url).content.decode()
    assert "1 attended, 1 did not attend, 0 not marked yet." in body
    certificate = trainer_client.get(
        reverse("training:booking_certificate", kwargs={"pk": session.pk, "booking_pk": came.pk})
    )
    assert certificate["Content-Type"] == "application/pdf"
    assert (
        trainer_client.get(
            reverse("training:booking_certificate", kwargs={"pk": session.pk, "booking_pk": absent.pk})
        ).status_code
        == 404
    )


def test_register_before_the_session_says_when_it_opens(trainer_client):
    session = SessionFactory(starts_at=in_days(3))
    booking = BookingFactory(session=session)
    url = reverse("training:staff_register", kwargs={"pk": session.pk})
    assert "The register opens at" in trainer_client.get(url).content.decode()
    trainer_client.post(url, {f"booking_{booking.pk}": "attended"})
    booking.refresh_from_db()
    assert booking.attendance == ""


def test_bookings_csv_neutralises_formulas_and_is_audited(trainer_client):
    session = SessionFactory()
    BookingFactory(session=session, name='=HYPERLINK("http://evil")', organisation_name="+Cabs", job_role="@role")
    BookingFactory(session=session, name="Zoë Normal", status=Booking.Status.WAITLISTED)
    response = trainer_client.get(reverse("training:session_bookings_csv", kwargs={"pk": session.pk}))
    assert response["Content-Disposition"] == f'attachment; filename="session-{session.pk}-bookings.csv"'
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][:3] == ["Name", "Email", "Organisation"]
    assert rows[1][0] == '\'=HYPERLINK("http://evil")' and rows[1][2] == "'+Cabs" and rows[1][4] == "'@role"
    assert rows[2][0] == "Zoë Normal" and rows[2][7] == "On the waiting list"
    assert AuditEvent.objects.filter(action="training.bookings_exported").count() == 1


def test_message_and_cancel_pages(trainer_client, django_capture_on_commit_callbacks):
    session = SessionFactory()
    booking = BookingFactory(session=session, email="placed@example.org")
    message_url = reverse("training:session_message", kwargs={"pk": session.pk})
    assert "Enter a subject" in trainer_client.post(message_url, {}).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = trainer_client.post(message_url, {"subject": "Parking", "body": "Rear car park."})
    assert response.status_code == 302
    assert [m.to for m in mail.outbox] == [["placed@example.org"]]
    cancel_url = reverse("training:session_cancel", kwargs={"pk": session.pk})
    assert "Enter why the session is cancelled" in trainer_client.post(cancel_url, {}).content.decode()
    session.refresh_from_db()
    assert not session.is_cancelled
    with django_capture_on_commit_callbacks(execute=True):
        trainer_client.post(cancel_url, {"reason": "Venue flooded."})
    session.refresh_from_db()
    booking.refresh_from_db()
    assert session.is_cancelled and booking.status == Booking.Status.CANCELLED
    assert "Venue flooded." in mail.outbox[-1].body
    edit = trainer_client.get(reverse("training:session_edit", kwargs={"pk": session.pk}))
    assert edit.status_code == 302  # a cancelled session cannot be edited


def test_triage_of_community_requests(trainer_client):
    training_request = a_training_request()
    list_url = reverse("training:request_list")
    body = trainer_client.get(list_url).content.decode()
    assert "Seaside Cabs" in body and "New (1)" in body
    url = reverse("training:request_detail", kwargs={"pk": training_request.pk})
    assert "pat@example.org" in trainer_client.get(url).content.decode()
    assert "Select what has happened" in trainer_client.post(url, {"status": "bogus"}).content.decode()
    trainer_client.post(url, {"status": "arranged", "triage_note": "Session on 3 May"})
    training_request.refresh_from_db()
    assert (training_request.status, training_request.triage_note) == ("arranged", "Session on 3 May")
    assert "Seaside Cabs" not in trainer_client.get(list_url, {"status": "new"}).content.decode()
    assert "Seaside Cabs" in trainer_client.get(list_url, {"status": "arranged"}).content.decode()
    event = AuditEvent.objects.get(action="training.request_triaged")
    assert event.detail == {"from": "new", "to": "arranged"}


def test_add_and_edit_a_course(trainer_client):
    url = reverse("training:course_create")
    body = trainer_client.post(url, {}).content.decode()
    assert "Enter title" in body and "Enter the length in minutes" in body
    trainer_client.post(
        url,
        {"title": "Spotting the Signs", "summary": "An hour.", "duration_minutes": "60", "topics": "One\n\nTwo\n"},
    )
    course = Course.objects.get(title="Spotting the Signs")
    assert course.slug == "spotting-the-signs" and course.topics == ["One", "Two"]
    body = trainer_client.post(
        url, {"title": "Other", "slug": "spotting-the-signs", "summary": "x", "duration_minutes": "60"}
    ).content.decode()
    assert "Another course already uses this short name" in body
