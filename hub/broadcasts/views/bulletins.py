"""Staff pages for series and bulletins: lists, forms, previews and a test send.
Thin views over hub.broadcasts.bulletins; the forms live here as only these pages use them.

Previews: the email's HTML is served at its own address with a policy of its own
(no scripts, no forms, no network but inline styles, CSP sandbox, framed only by
this site) and shown in an <iframe sandbox>. The staff page keeps its strict CSP,
and staff see the whole message as recipients will, <style> block and footer included.
"""

from csp.decorators import csp
from django.contrib import messages
from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.http import require_POST

from hub.accounts.decorators import staff_required
from hub.broadcasts import bulletins as services
from hub.broadcasts.contacts import recipients_for
from hub.broadcasts.forms import BulletinForm, SeriesForm
from hub.broadcasts.models import Bulletin, Series
from hub.broadcasts.rendering import SAMPLE, bulletin_render
from hub.core.errors import ApplicationError
from hub.core.forms import (
    form_add_application_error,
    form_data,
)

# The framed email: inline <style> only; nothing fetched, run or submitted.
EMAIL_PREVIEW_CSP = {
    "default-src": ["'none'"],
    "style-src": ["'unsafe-inline'"],
    "img-src": ["'self'", "data:"],
    "base-uri": ["'none'"],
    "form-action": ["'none'"],
    "frame-ancestors": ["'self'"],
    "sandbox": True,
}


# --- Forms -------------------------------------------------------------------------------


# --- Series ------------------------------------------------------------------------------


@staff_required("broadcasts.view_series")
def series_list(request: HttpRequest) -> HttpResponse:
    series = Series.objects.select_related("campaign").prefetch_related(
        Prefetch("bulletins", queryset=Bulletin.objects.order_by("day", "pk"))
    )
    return render(request, "broadcasts/staff/series_list.html", {"series_list": series})


@staff_required("broadcasts.add_series")
def series_create(request: HttpRequest) -> HttpResponse:
    return _series_form(request, series=None)


@staff_required("broadcasts.change_series")
def series_edit(request: HttpRequest, pk: int) -> HttpResponse:
    return _series_form(request, series=get_object_or_404(Series, pk=pk))


def _series_form(request: HttpRequest, *, series: Series | None) -> HttpResponse:
    form = SeriesForm(*form_data(request), series=series)
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.series_save(series=series, data=form.cleaned_data, actor=request.user, request=request)
        except ApplicationError as error:
            form_add_application_error(form, error)
        else:
            messages.success(request, "Series saved.")
            return redirect("broadcasts:series_detail", pk=saved.pk)
    return render(request, "broadcasts/staff/series_form.html", {"form": form, "series": series})


@staff_required("broadcasts.view_series", "broadcasts.view_bulletin")
def series_detail(request: HttpRequest, pk: int) -> HttpResponse:
    series = get_object_or_404(Series.objects.select_related("campaign"), pk=pk)
    bulletins = series.bulletins.order_by("day", "pk").prefetch_related("audiences")
    return render(request, "broadcasts/staff/series_detail.html", {"series": series, "bulletins": bulletins})


# --- Bulletins ---------------------------------------------------------------------------


def _bulletin(pk: int) -> Bulletin:
    return get_object_or_404(Bulletin.objects.select_related("series", "series__campaign"), pk=pk)


@staff_required("broadcasts.add_bulletin")
def bulletin_create(request: HttpRequest, pk: int) -> HttpResponse:
    series = get_object_or_404(Series.objects.select_related("campaign"), pk=pk)
    return _bulletin_form(request, series=series, bulletin=None)


@staff_required("broadcasts.change_bulletin")
def bulletin_edit(request: HttpRequest, pk: int) -> HttpResponse:
    bulletin = _bulletin(pk)
    if bulletin.status in Bulletin.LOCKED:
        messages.error(request, f"{services.LOCKED_MESSAGE}.")
        return redirect("broadcasts:bulletin_detail", pk=pk)
    return _bulletin_form(request, series=bulletin.series, bulletin=bulletin)


def _bulletin_form(request: HttpRequest, *, series: Series, bulletin: Bulletin | None) -> HttpResponse:
    form = BulletinForm(*form_data(request), series=series, bulletin=bulletin)
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.bulletin_save(
                bulletin=bulletin,
                series=series,
                data=form.bulletin_data(),
                audience_ids=[audience.pk for audience in form.cleaned_data["audiences"]],
                resource_ids=[resource.pk for resource in form.cleaned_data.get("resources", [])],
                actor=request.user,
                request=request,
            )
        except ApplicationError as error:
            form_add_application_error(form, error)
        else:
            messages.success(request, "Bulletin saved.")
            return redirect("broadcasts:bulletin_detail", pk=saved.pk)
    return render(
        request,
        "broadcasts/staff/bulletin_form.html",
        {"form": form, "series": series, "bulletin": bulletin, "show_resources": "resources" in form.fields},
    )


@never_cache
@staff_required("broadcasts.view_bulletin")
def bulletin_detail(request: HttpRequest, pk: int) -> HttpResponse:
    bulletin = _bulletin(pk)
    return render(
        request,
        "broadcasts/staff/bulletin_detail.html",
        {
            "bulletin": bulletin,
            "series": bulletin.series,
            "audiences": bulletin.audiences.all(),
            "resources": bulletin.resources.order_by("position", "pk"),
            "recipient_count": recipients_for(bulletin).count(),
            "locked": bulletin.status in Bulletin.LOCKED,
        },
    )


@never_cache
@staff_required("broadcasts.view_bulletin")
def bulletin_preview(request: HttpRequest, pk: int) -> HttpResponse:
    """The staff page around the framed email."""
    bulletin = _bulletin(pk)
    return render(
        request,
        "broadcasts/staff/bulletin_preview.html",
        {"bulletin": bulletin, "series": bulletin.series, "subject": bulletin.subject},
    )


@never_cache
@xframe_options_sameorigin
@csp(EMAIL_PREVIEW_CSP)
@staff_required("broadcasts.view_bulletin")
def bulletin_preview_email(request: HttpRequest, pk: int) -> HttpResponse:
    """The email's HTML exactly as sent (with the preview placeholders), for the iframe."""
    rendered = bulletin_render(_bulletin(pk), **SAMPLE)
    return HttpResponse(rendered.html, content_type="text/html; charset=utf-8")


@never_cache
@staff_required("broadcasts.view_bulletin")
def bulletin_preview_text(request: HttpRequest, pk: int) -> HttpResponse:
    bulletin = _bulletin(pk)
    rendered = bulletin_render(bulletin, **SAMPLE)
    return render(
        request,
        "broadcasts/staff/bulletin_preview_text.html",
        {"bulletin": bulletin, "series": bulletin.series, "rendered": rendered},
    )


@require_POST
@staff_required("broadcasts.view_bulletin", "broadcasts.change_bulletin")
def bulletin_test_send(request: HttpRequest, pk: int) -> HttpResponse:
    bulletin = _bulletin(pk)
    try:
        services.bulletin_test_send(bulletin, user=request.user, request=request)
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, f"A test email has been sent to {request.user.email}.")
    return redirect("broadcasts:bulletin_detail", pk=pk)
