"""Trainers' pages: courses, sessions, bookings, the register, messages,
cancelling, and community training requests. Thin views over the services."""

import csv

from django.contrib import messages
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache

from hub.accounts.decorators import staff_required
from hub.audit.services import audit_record
from hub.core.errors import ApplicationError
from hub.core.exports import csv_cell
from hub.core.forms import form_add_application_error, form_data
from hub.training import attendance, community, services
from hub.training.forms import (
    CourseForm,
    RegisterForm,
    SessionCancelForm,
    SessionForm,
    SessionMessageForm,
    TriageForm,
)
from hub.training.models import Booking, Certificate, Course, Session, TrainingRequest
from hub.training.views.public import certificate_response


def _with_counts(sessions):
    return sessions.select_related("course", "trainer").annotate(
        confirmed=Count("bookings", filter=Q(bookings__status=Booking.Status.CONFIRMED)),
        offered=Count("bookings", filter=Q(bookings__status=Booking.Status.OFFERED)),
        waiting=Count("bookings", filter=Q(bookings__status=Booking.Status.WAITLISTED)),
        attended=Count("bookings", filter=Q(bookings__attendance=Booking.Attendance.ATTENDED)),
    )


@staff_required("training.view_session")
def overview(request: HttpRequest) -> HttpResponse:
    now = timezone.now()
    return render(
        request,
        "training/staff/overview.html",
        {
            "upcoming": _with_counts(Session.objects.filter(ends_at__gte=now)).order_by("starts_at"),
            "past": _with_counts(Session.objects.filter(ends_at__lt=now)).order_by("-starts_at")[:50],
            "new_requests": TrainingRequest.objects.filter(status=TrainingRequest.Status.NEW).count(),
        },
    )


# --- Courses -----------------------------------------------------------------------


@staff_required("training.view_course")
def course_list(request: HttpRequest) -> HttpResponse:
    courses = Course.objects.annotate(session_count=Count("sessions")).select_related("provider")
    return render(request, "training/staff/course_list.html", {"courses": courses})


@staff_required("training.add_course")
def course_create(request: HttpRequest) -> HttpResponse:
    return _course_form(request, course=None)


@staff_required("training.change_course")
def course_edit(request: HttpRequest, pk: int) -> HttpResponse:
    return _course_form(request, course=get_object_or_404(Course, pk=pk))


def _course_form(request: HttpRequest, *, course: Course | None) -> HttpResponse:
    form = CourseForm(*form_data(request), course=course)
    if request.method == "POST" and form.is_valid():
        services.course_save(course=course, data=form.cleaned_data, actor=request.user, request=request)
        messages.success(request, "Course saved.")
        return redirect("training:course_list")
    return render(request, "training/staff/course_form.html", {"form": form, "course": course})


# --- Sessions ----------------------------------------------------------------------


def _session(pk: int) -> Session:
    return get_object_or_404(Session.objects.select_related("course", "trainer"), pk=pk)


@staff_required("training.add_session")
def session_create(request: HttpRequest) -> HttpResponse:
    form = SessionForm(*form_data(request))
    if request.method == "POST" and form.is_valid():
        try:
            session = services.session_create(data=form.cleaned_data, actor=request.user, request=request)
        except ApplicationError as error:
            form_add_application_error(form, error)
        else:
            messages.success(request, "Session added. It is open for booking on the public training page.")
            return redirect("training:staff_session", pk=session.pk)
    return render(request, "training/staff/session_form.html", {"form": form, "session": None})


@staff_required("training.change_session")
def session_edit(request: HttpRequest, pk: int) -> HttpResponse:
    session = _session(pk)
    if session.is_cancelled:
        messages.error(request, "This session has been cancelled and cannot be changed.")
        return redirect("training:staff_session", pk=pk)
    form = SessionForm(*form_data(request), session=session)
    if request.method == "POST" and form.is_valid():
        try:
            services.session_update(session=session, data=form.cleaned_data, actor=request.user, request=request)
        except ApplicationError as error:
            form_add_application_error(form, error)
        else:
            messages.success(request, "Session saved. Anyone with a place has been told of a new time or place.")
            return redirect("training:staff_session", pk=pk)
    return render(request, "training/staff/session_form.html", {"form": form, "session": session})


@never_cache
@staff_required("training.view_session", "training.view_booking")
def session_detail(request: HttpRequest, pk: int) -> HttpResponse:
    session = _session(pk)
    bookings = session.bookings.select_related("certificate").order_by("created_at", "pk")
    groups = [
        (label, [booking for booking in bookings if booking.status in statuses])
        for label, statuses in (
            ("Confirmed", [Booking.Status.CONFIRMED]),
            ("Offered a place", [Booking.Status.OFFERED]),
            ("Waiting list", [Booking.Status.WAITLISTED]),
            ("Cancelled or expired", [Booking.Status.CANCELLED, Booking.Status.OFFER_EXPIRED]),
        )
    ]
    return render(
        request,
        "training/staff/session_detail.html",
        {
            "session": session,
            "groups": groups,
            "places_taken": services.places_taken(session),
            "session_messages": session.messages.select_related("sent_by"),
            "register_closed": attendance.register_closed_reason(session),
        },
    )


@never_cache
@staff_required("training.view_booking", "training.change_booking")
def session_register(request: HttpRequest, pk: int) -> HttpResponse:
    """The register, made for a tablet at the door: one big choice per person."""
    session = _session(pk)
    bookings = session.bookings.filter(status=Booking.Status.CONFIRMED).order_by("name", "pk")
    form = RegisterForm(*form_data(request), bookings=bookings)
    closed = attendance.register_closed_reason(session)
    if request.method == "POST" and not closed and form.is_valid():
        try:
            changed = attendance.attendance_mark(
                session=session, marks=form.marks(), actor=request.user, request=request
            )
        except ApplicationError as error:
            form_add_application_error(form, error)
        else:
            messages.success(request, f"Register saved: {changed} {'change' if changed == 1 else 'changes'}.")
            return redirect("training:staff_register", pk=pk)
    counts = {
        "attended": sum(1 for booking in form.bookings if booking.attendance == Booking.Attendance.ATTENDED),
        "no_show": sum(1 for booking in form.bookings if booking.attendance == Booking.Attendance.NO_SHOW),
        "unmarked": sum(1 for booking in form.bookings if not booking.attendance),
    }
    return render(
        request,
        "training/staff/register.html",
        {"session": session, "form": form, "closed": closed, "counts": counts},
    )


@staff_required("training.view_booking")
def session_bookings_csv(request: HttpRequest, pk: int) -> HttpResponse:
    session = _session(pk)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="session-{session.pk}-bookings.csv"'
    response.write("\ufeff")  # so Excel reads UTF-8 names correctly
    writer = csv.writer(response)
    writer.writerow(
        [
            "Name",
            "Email",
            "Organisation",
            "Sector",
            "Job role",
            "Business type",
            "Access needs",
            "Status",
            "Attendance",
            "Booked at",
        ]
    )
    bookings = session.bookings.order_by("created_at", "pk")
    for booking in bookings:
        writer.writerow(
            [
                csv_cell(value)
                for value in (
                    booking.name,
                    booking.email,
                    booking.organisation_name,
                    booking.get_sector_display(),
                    booking.job_role,
                    booking.get_business_type_display(),
                    booking.access_needs,
                    booking.get_status_display(),
                    booking.get_attendance_display(),
                    timezone.localtime(booking.created_at).strftime("%Y-%m-%d %H:%M"),
                )
            ]
        )
    audit_record(
        action="training.bookings_exported",
        actor=request.user,
        request=request,
        obj=session,
        detail={"rows": len(bookings)},
    )
    return response


@staff_required("training.view_booking", "training.change_session")
def session_message(request: HttpRequest, pk: int) -> HttpResponse:
    session = _session(pk)
    form = SessionMessageForm(*form_data(request))
    if request.method == "POST" and form.is_valid():
        try:
            message = services.session_message(
                session=session,
                subject=form.cleaned_data["subject"],
                body=form.cleaned_data["body"],
                include_waitlist=form.cleaned_data["include_waitlist"],
                actor=request.user,
                request=request,
            )
        except ApplicationError as error:
            form_add_application_error(form, error)
        else:
            messages.success(request, f"Message sent to {message.recipient_count} people.")
            return redirect("training:staff_session", pk=pk)
    return render(request, "training/staff/session_message.html", {"session": session, "form": form})


@staff_required("training.change_session")
def session_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    session = _session(pk)
    form = SessionCancelForm(*form_data(request))
    if request.method == "POST" and form.is_valid():
        try:
            told = services.session_cancel(
                session=session, reason=form.cleaned_data["reason"], actor=request.user, request=request
            )
        except ApplicationError as error:
            form_add_application_error(form, error)
        else:
            messages.success(request, f"Session cancelled. {told} people have been told and their places released.")
            return redirect("training:staff_session", pk=pk)
    held = session.bookings.filter(status__in=Booking.ACTIVE).count()
    return render(request, "training/staff/session_cancel.html", {"session": session, "form": form, "held": held})


@staff_required("training.view_booking")
def booking_certificate(request: HttpRequest, pk: int, booking_pk: int) -> HttpResponse:
    certificate = get_object_or_404(
        Certificate, booking__pk=booking_pk, booking__session__pk=pk, withdrawn_at__isnull=True
    )
    return certificate_response(certificate)


# --- Community training requests -----------------------------------------------------


@staff_required("training.view_trainingrequest")
def request_list(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status", "")
    requests = TrainingRequest.objects.all()
    if status in TrainingRequest.Status.values:
        requests = requests.filter(status=status)
    else:
        status = ""
    counts = dict(TrainingRequest.objects.values_list("status").annotate(n=Count("pk")))
    tabs = [("", "All", sum(counts.values()))] + [
        (value, label, counts.get(value, 0)) for value, label in TrainingRequest.Status.choices
    ]
    return render(
        request,
        "training/staff/request_list.html",
        {"requests": requests, "status": status, "tabs": tabs},
    )


@never_cache
@staff_required("training.view_trainingrequest", "training.change_trainingrequest")
def request_detail(request: HttpRequest, pk: int) -> HttpResponse:
    training_request = get_object_or_404(TrainingRequest, pk=pk)
    initial = {"status": training_request.status, "triage_note": training_request.triage_note}
    form = TriageForm(*form_data(request), initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            community.training_request_triage(
                training_request=training_request,
                status=form.cleaned_data["status"],
                note=form.cleaned_data["triage_note"],
                actor=request.user,
                request=request,
            )
        except ApplicationError as error:
            form_add_application_error(form, error)
        else:
            messages.success(request, "Request updated.")
            return redirect("training:request_list")
    return render(request, "training/staff/request_detail.html", {"training_request": training_request, "form": form})
