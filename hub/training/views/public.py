"""Public training pages: listing, session, booking, and the booker's own links."""

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache

from hub.core.errors import ApplicationError
from hub.core.forms import form_add_application_error, form_data
from hub.training import services
from hub.training.forms import BookingForm, SessionFilterForm
from hub.training.models import Booking
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
    return render(request, "training/public/booking_status.html", {"booking": booking, "session": booking.session})


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
