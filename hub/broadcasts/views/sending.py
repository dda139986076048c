"""Sending a bulletin from the staff pages: confirm and start, live progress
(JSON for the progress bar; the page reads correctly without JavaScript),
pause and resume."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from hub.accounts.decorators import staff_required
from hub.broadcasts import sending
from hub.broadcasts.contacts import recipients_for
from hub.broadcasts.models import Bulletin
from hub.core.errors import ApplicationError


def _bulletin(pk: int) -> Bulletin:
    return get_object_or_404(Bulletin.objects.select_related("series"), pk=pk)


@staff_required("broadcasts.view_bulletin", "broadcasts.send_bulletin")
def send_confirm(request: HttpRequest, pk: int) -> HttpResponse:
    bulletin = _bulletin(pk)
    problems = sending.bulletin_send_problems(bulletin)
    if request.method == "POST" and not problems:
        try:
            count = sending.bulletin_send_start(bulletin=bulletin, actor=request.user, request=request)
        except ApplicationError as error:
            problems = [error.message]
        else:
            messages.success(request, f"Sending to {count} people.")
            return redirect("broadcasts:send_progress", pk=pk)
    return render(
        request,
        "broadcasts/staff/send_confirm.html",
        {
            "bulletin": bulletin,
            "problems": problems,
            "recipients": recipients_for(bulletin).count() if not problems else 0,
        },
    )


@never_cache
@staff_required("broadcasts.view_bulletin")
def send_progress(request: HttpRequest, pk: int) -> HttpResponse:
    bulletin = _bulletin(pk)
    progress = sending.send_progress(bulletin)
    return render(request, "broadcasts/staff/send_progress.html", {"bulletin": bulletin, "progress": progress})


@never_cache
@staff_required("broadcasts.view_bulletin")
def send_progress_json(request: HttpRequest, pk: int) -> JsonResponse:
    progress = sending.send_progress(_bulletin(pk))
    return JsonResponse(
        {**vars(progress), "percent": progress.percent, "status_label": Bulletin.Status(progress.status).label}
    )


@require_POST
@staff_required("broadcasts.send_bulletin")
def send_pause(request: HttpRequest, pk: int) -> HttpResponse:
    return _pause_or_resume(
        request, pk, sending.bulletin_pause, "Sending paused. Nobody else is sent it until you resume."
    )


@require_POST
@staff_required("broadcasts.send_bulletin")
def send_resume(request: HttpRequest, pk: int) -> HttpResponse:
    return _pause_or_resume(request, pk, sending.bulletin_resume, "Sending resumed.")


def _pause_or_resume(request: HttpRequest, pk: int, action, success: str) -> HttpResponse:
    bulletin = _bulletin(pk)
    try:
        action(bulletin=bulletin, actor=request.user, request=request)
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, success)
    return redirect("broadcasts:send_progress", pk=pk)
