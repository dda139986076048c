"""Public pages after the session (feedback, certificate, its check) and the
"Who else should be trained?" form."""

import datetime

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from hub.accounts.roles import Role
from hub.accounts.tests.factories import UserFactory
from hub.training import attendance
from hub.training.models import Certificate, Feedback, TrainingRequest
from hub.training.tests.factories import BookingFactory, SessionFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def attended():
    starts = timezone.now() - datetime.timedelta(hours=3)
    session = SessionFactory(starts_at=starts, ends_at=starts + datetime.timedelta(hours=2), booking_deadline=starts)
    booking = BookingFactory(session=session, name="Alex Came", email="alex@example.org", job_role="Hotelier")
    absent = BookingFactory(session=session)
    attendance.attendance_mark(
        session=session,
        marks={booking.pk: "attended", absent.pk: "no_show"},
        actor=UserFactory(roles=[Role.TRAINER]),
    )
    booking.absent = absent
    return booking


def test_feedback_form_errors_then_thanks(client, attended):
    url = reverse("training:feedback", kwargs={"token": attended.token})
    body = client.post(url, {}).content.decode()
    assert "Select how confident were you about spotting and reporting CSE before the session?" in body
    assert "Select how confident are you now?" in body
    assert client.post(url, {"confidence_before": "9", "confidence_after": "4"}).status_code == 200
    assert not Feedback.objects.exists()
    response = client.post(url, {"confidence_before": "2", "confidence_after": "5", "most_useful": "The case study"})
    assert response.status_code == 302
    feedback = Feedback.objects.get()
    assert (feedback.confidence_before, feedback.confidence_after, feedback.most_useful) == (2, 5, "The case study")
    assert "Thank you for your feedback" in client.get(url).content.decode()
    assert (
        "Thank you for your feedback"
        in client.post(url, {"confidence_before": "1", "confidence_after": "1"}).content.decode()
    )
    assert Feedback.objects.count() == 1


def test_feedback_refused_to_people_who_did_not_attend(client, attended):
    response = client.get(reverse("training:feedback", kwargs={"token": attended.absent.token}))
    assert response.status_code == 403
    assert "Feedback is for people who attended the session" in response.content.decode()
    assert client.get(reverse("training:feedback", kwargs={"token": "not-a-token"})).status_code == 404


def test_certificate_download_by_the_attendee_only(client, attended):
    response = client.get(reverse("training:certificate_pdf", kwargs={"token": attended.token}))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    code = Certificate.objects.get().code
    assert response["Content-Disposition"] == f'attachment; filename="certificate-{code}.pdf"'
    assert response.content.startswith(b"%PDF-")
    assert client.get(reverse("training:certificate_pdf", kwargs={"token": attended.absent.token})).status_code == 404
    status = client.get(reverse("training:booking_status", kwargs={"token": attended.token})).content.decode()
    assert "Download your certificate of attendance" in status and "Tell us how the session went" in status


def test_certificate_check_shows_name_course_and_date_only(client, attended):
    certificate = Certificate.objects.get()
    url = reverse("training:certificate_verify")
    assert "Enter the code printed" in client.get(url).content.decode()
    body = client.get(url, {"code": certificate.code.lower().replace("-", " ")}).content.decode()
    assert "This certificate is genuine" in body
    assert "Alex Came" in body and certificate.course_title in body
    assert certificate.session_date.strftime("%-d %B %Y") in body
    for private in ("alex@example.org", "Hotelier", attended.token):
        assert private not in body


def test_certificate_check_not_found_and_withdrawn(client, attended):
    url = reverse("training:certificate_verify")
    assert "We could not find this certificate" in client.get(url, {"code": "2222-3333-4444"}).content.decode()
    assert "Enter the certificate code" in client.get(url, {"code": ""}).content.decode()
    certificate = Certificate.objects.get()
    Certificate.objects.filter(pk=certificate.pk).update(withdrawn_at=timezone.now())
    body = client.get(url, {"code": certificate.code}).content.decode()
    assert "This certificate has been withdrawn" in body and "Alex Came" not in body


def test_suggest_who_else_should_be_trained(client, django_capture_on_commit_callbacks, settings):
    url = reverse("training:training_request")
    body = client.get(url).content.decode()
    assert "Taxi or private hire firm" in body and "Hotel, B&amp;B or guest house" in body
    body = client.post(url, {}).content.decode()
    for message in (
        "Select the kind of business",
        "Enter the name of the business",
        "Enter the town or area",
        "Enter why they should be trained",
        "Enter your name",
        "Enter your email address",
    ):
        assert message in body
    form = {
        "business_type": "arcade",
        "business_name": "Pier Amusements",
        "area": "Bognor Regis",
        "reason": "Young people spend evenings there.",
        "contact_name": "Sam Taylor",
        "contact_email": "Sam@Example.org",
    }
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, form)
    assert response.status_code == 302 and response["Location"] == reverse("training:training_request_done")
    saved = TrainingRequest.objects.get()
    assert (saved.business_type, saved.status, saved.contact_email) == ("arcade", "new", "sam@example.org")
    recipients = sorted(message.to[0] for message in mail.outbox)
    assert recipients == sorted([settings.TRAINING_TEAM_EMAIL, "sam@example.org"])
    team = next(message for message in mail.outbox if message.to == [settings.TRAINING_TEAM_EMAIL])
    assert "Pier Amusements" in team.body and "sam@example.org" not in team.body  # contact details stay in the hub
