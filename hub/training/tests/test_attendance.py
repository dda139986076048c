"""After the session: the register, certificates and their public check, and feedback."""

import datetime

import pytest
from django.core import mail
from django.utils import timezone

from hub.accounts.roles import Role
from hub.accounts.tests.factories import UserFactory
from hub.core.errors import ApplicationError
from hub.training import attendance
from hub.training.models import Booking, Certificate, Feedback, certificate_code
from hub.training.tests.factories import BookingFactory, SessionFactory, in_days, started_session

pytestmark = pytest.mark.django_db


@pytest.fixture
def trainer():
    return UserFactory(roles=[Role.TRAINER])


def test_register_marks_issue_and_withdraw_certificates(trainer):
    session = started_session()
    came, absent = BookingFactory(session=session, name="Alex Came"), BookingFactory(session=session)
    changed = attendance.attendance_mark(
        session=session, marks={came.pk: "attended", absent.pk: "no_show"}, actor=trainer
    )
    assert changed == 2
    came.refresh_from_db()
    assert came.attendance == "attended" and came.attendance_marked_at is not None
    certificate = Certificate.objects.get()
    assert certificate.booking == came and certificate.name == "Alex Came"
    assert certificate.course_title == session.course.title
    assert certificate.session_date == timezone.localtime(session.starts_at).date()
    # Marked again the same way: nothing changes, no second certificate.
    assert attendance.attendance_mark(session=session, marks={came.pk: "attended"}, actor=trainer) == 0
    # Corrected to did-not-attend: the certificate is withdrawn, then reinstated.
    attendance.attendance_mark(session=session, marks={came.pk: "no_show"}, actor=trainer)
    certificate.refresh_from_db()
    assert certificate.withdrawn_at is not None
    attendance.attendance_mark(session=session, marks={came.pk: "attended"}, actor=trainer)
    certificate.refresh_from_db()
    assert certificate.withdrawn_at is None
    assert Certificate.objects.count() == 1


def test_register_ignores_bookings_without_a_confirmed_place(trainer):
    session = started_session()
    waiting = BookingFactory(session=session, status=Booking.Status.WAITLISTED)
    other = BookingFactory(session=started_session())
    assert (
        attendance.attendance_mark(session=session, marks={waiting.pk: "attended", other.pk: "attended"}, actor=trainer)
        == 0
    )
    assert not Certificate.objects.exists()


def test_register_opens_an_hour_before_the_start(trainer):
    session = SessionFactory(starts_at=in_days(1))
    booking = BookingFactory(session=session)
    with pytest.raises(ApplicationError, match="The register opens at"):
        attendance.attendance_mark(session=session, marks={booking.pk: "attended"}, actor=trainer)
    soon = session.starts_at - datetime.timedelta(minutes=50)
    assert attendance.attendance_mark(session=session, marks={booking.pk: "attended"}, actor=trainer, now=soon) == 1


def test_register_refuses_unknown_marks(trainer):
    session = started_session()
    booking = BookingFactory(session=session)
    with pytest.raises(ApplicationError):
        attendance.attendance_mark(session=session, marks={booking.pk: "maybe"}, actor=trainer)


def test_certificate_codes_are_random_readable_and_checkable():
    codes = {certificate_code() for _ in range(200)}
    assert len(codes) == 200
    for code in codes:
        assert len(code) == 14 and code[4] == code[9] == "-"
        assert not set(code.replace("-", "")) & set("01OIL")


@pytest.mark.parametrize("typed", ["{code}", "{lower}", " {spaced} ", "{bare}"])
def test_certificate_check_accepts_the_code_however_typed(trainer, typed):
    session = started_session()
    booking = BookingFactory(session=session)
    attendance.attendance_mark(session=session, marks={booking.pk: "attended"}, actor=trainer)
    code = Certificate.objects.get().code
    text = typed.format(code=code, lower=code.lower(), spaced=code.replace("-", " "), bare=code.replace("-", ""))
    assert attendance.certificate_verify(text).code == code


@pytest.mark.parametrize("typed", ["", "ABCD", "ABCD-EFGH-JKMN", "x" * 200, "'; DROP TABLE x;--"])
def test_certificate_check_finds_nothing_for_other_codes(typed):
    assert attendance.certificate_verify(typed) is None


def test_certificate_pdf_is_a_pdf(trainer):
    session = started_session()
    booking = BookingFactory(session=session, name="Alex Came")
    attendance.attendance_mark(session=session, marks={booking.pk: "attended"}, actor=trainer)
    pdf = attendance.certificate_pdf(Certificate.objects.get())
    assert pdf.startswith(b"%PDF-") and pdf.rstrip().endswith(b"%%EOF")
    assert len(pdf) > 2000


def test_feedback_requests_go_after_the_session_to_attendees_once(trainer, django_capture_on_commit_callbacks):
    session = started_session()
    came = BookingFactory(session=session, email="came@example.org")
    absent = BookingFactory(session=session, email="absent@example.org")
    attendance.attendance_mark(session=session, marks={came.pk: "attended", absent.pk: "no_show"}, actor=trainer)
    with django_capture_on_commit_callbacks(execute=True):
        assert attendance.feedback_requests_send() == 0  # the session has not ended
        after = session.ends_at + datetime.timedelta(minutes=5)
        assert attendance.feedback_requests_send(now=after) == 1
        assert attendance.feedback_requests_send(now=after) == 0
    assert [message.to for message in mail.outbox] == [["came@example.org"]]
    body = mail.outbox[0].body
    code = Certificate.objects.get().code
    assert f"/training/bookings/{came.token}/feedback/" in body
    assert f"/training/bookings/{came.token}/certificate.pdf" in body
    assert code in body and "/training/certificates/verify/" in body


def test_feedback_only_from_attendees_and_once(trainer):
    session = started_session()
    came, absent = BookingFactory(session=session), BookingFactory(session=session)
    attendance.attendance_mark(session=session, marks={came.pk: "attended", absent.pk: "no_show"}, actor=trainer)
    data = {"confidence_before": 2, "confidence_after": 4, "most_useful": "Warning signs", "improve": ""}
    with pytest.raises(ApplicationError, match="people who attended"):
        attendance.feedback_submit(token=absent.token, data=data)
    with pytest.raises(ApplicationError, match="not valid"):
        attendance.feedback_submit(token="nope", data=data)
    feedback = attendance.feedback_submit(token=came.token, data=data)
    assert (feedback.confidence_before, feedback.confidence_after) == (2, 4)
    with pytest.raises(ApplicationError, match="already given feedback"):
        attendance.feedback_submit(token=came.token, data=data)
    assert Feedback.objects.count() == 1
