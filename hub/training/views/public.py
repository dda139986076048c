"""Public training pages: listing, session, booking, the booker's own links,
feedback, certificates and their check, and community training requests."""

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache

from hub.core.errors import ApplicationError
from hub.core.forms import form_add_application_error, form_data
from hub.training import attendance, community, services
from hub.training.calendar import sessions_ics
from hub.training.forms import (
    BookingForm,
    CertificateCheckForm,
    FeedbackForm,
    SessionFilterForm,
    TrainingRequestForm,
)
from hub.training.models import Booking, Certificate, Feedback
from hub.training.selectors import audiences_offered, session_public_get, sessions_upcoming


def session_list(request: HttpRequest) -> HttpResponse:
    filters = SessionFilterForm(request.GET or None)
    sessions = sessions_upcoming()
    if filters.is_bound and filters.is_valid():
        sessions = sessions_upcoming(
            audience=filters.cleaned_data["audience"],
            mode=filters.cleaned_data["mode"],
            from_date=filters.cleaned_data["from_date"],
        )
    return render(
        request,
        "training/public/session_list.html",
        {"filters": filters, "sessions": sessions, "audiences": audiences_offered()},
    )


def session_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The session page, which is also where the booking form is posted."""
    session = session_public_get(pk=pk)
    if session is None:
        raise Http404
    form = BookingForm(*form_data(request))
    closed_reason = services.booking_closed_reason(session)
    if request.method == "POST" and not closed_reason and form.is_valid():
        try:
            booking = services.booking_create(session_id=session.pk, data=form.cleaned_data)
        except ApplicationError as error:
            form_add_application_error(form, error)
        else:
            return redirect("training:booking_status", token=booking.token)
    return render(
        request,
        "training/public/session_detail.html",
        {
            "session": session,
            "course": session.course,
            "places_left": max(session.capacity - session.places_taken, 0),
            "closed_reason": closed_reason,
            "form": form,
        },
    )


def _booking_or_404(token: str) -> Booking:
    booking = services.booking_by_token(token)
    if booking is None:
        raise Http404
    return booking


@never_cache
def booking_status(request: HttpRequest, token: str) -> HttpResponse:
    booking = _booking_or_404(token)
    return render(
        request,
        "training/public/booking_status.html",
        {
            "booking": booking,
            "session": booking.session,
            "certificate": Certificate.objects.filter(booking=booking, withdrawn_at__isnull=True).first(),
            "feedback_given": Feedback.objects.filter(booking=booking).exists(),
        },
    )


@never_cache
def booking_cancel(request: HttpRequest, token: str) -> HttpResponse:
    booking = _booking_or_404(token)
    error = None
    if request.method == "POST":
        try:
            services.booking_cancel(token=token)
        except ApplicationError as refused:
            error = refused.message
        else:
            return redirect("training:booking_status", token=token)
    return render(
        request,
        "training/public/booking_cancel.html",
        {"booking": booking, "session": booking.session, "error": error},
    )


@never_cache
def offer_accept(request: HttpRequest, token: str) -> HttpResponse:
    booking = _booking_or_404(token)
    error = None
    if request.method == "POST":
        try:
            services.offer_accept(token=token)
        except ApplicationError as refused:
            error = refused.message
        else:
            return redirect("training:booking_status", token=token)
    return render(
        request,
        "training/public/offer_accept.html",
        {"booking": booking, "session": booking.session, "error": error},
    )


# --- After the session -------------------------------------------------------------


@never_cache
def feedback(request: HttpRequest, token: str) -> HttpResponse:
    try:
        booking = attendance.feedback_booking(token)
    except ApplicationError as refused:
        if refused.code == "not_found":
            raise Http404 from refused
        return render(
            request,
            "training/public/message.html",
            {"heading": "You cannot give feedback yet", "body": refused.message},
            status=403,
        )
    if Feedback.objects.filter(booking=booking).exists():
        return render(request, "training/public/feedback_done.html", {"booking": booking})
    form = FeedbackForm(*form_data(request))
    if request.method == "POST" and form.is_valid():
        try:
            attendance.feedback_submit(token=token, data=form.cleaned_data)
        except ApplicationError as error:
            form_add_application_error(form, error)
        else:
            return redirect("training:feedback", token=token)
    return render(
        request, "training/public/feedback.html", {"booking": booking, "session": booking.session, "form": form}
    )


@never_cache
def certificate_pdf(request: HttpRequest, token: str) -> HttpResponse:
    """The attendee's own certificate, through the link in their email."""
    booking = _booking_or_404(token)
    certificate = Certificate.objects.filter(booking=booking, withdrawn_at__isnull=True).first()
    if certificate is None:
        raise Http404
    return certificate_response(certificate)


def certificate_response(certificate: Certificate) -> HttpResponse:
    response = HttpResponse(attendance.certificate_pdf(certificate), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="certificate-{certificate.code}.pdf"'
    return response


def certificate_verify(request: HttpRequest) -> HttpResponse:
    """Anyone checks a certificate by its code: genuine or not, and only name, course and date."""
    form = CertificateCheckForm(request.GET or None)
    certificate = None
    checked = False
    if form.is_bound and form.is_valid():
        checked = True
        certificate = attendance.certificate_verify(form.cleaned_data["code"])
    return render(
        request,
        "training/public/certificate_verify.html",
        {"form": form, "certificate": certificate, "checked": checked},
    )


# --- Community training requests -----------------------------------------------------


def training_request(request: HttpRequest) -> HttpResponse:
    form = TrainingRequestForm(*form_data(request))
    if request.method == "POST" and form.is_valid():
        community.training_request_create(data=form.cleaned_data, request=request)
        return redirect("training:training_request_done")
    return render(request, "training/public/training_request.html", {"form": form})


def training_request_done(request: HttpRequest) -> HttpResponse:
    return render(request, "training/public/training_request_done.html")


def sessions_feed(request: HttpRequest) -> HttpResponse:
    """Every upcoming session as an iCalendar feed people can subscribe to (no joining links)."""
    response = HttpResponse(sessions_ics(sessions_upcoming()), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="training-sessions.ics"'
    response["Cache-Control"] = "public, max-age=300"
    return response
