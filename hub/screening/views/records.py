"""Records management pages of the hub: subject access (everything held about
one child, as JSON or PDF). Retention runs as a task (hub/screening/retention.py).

Each export is audited against the child, never cached, and downloaded under a
name with the child's id and the date only: never the child's name."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from hub.accounts.decorators import staff_required
from hub.screening import subject_access
from hub.screening.models import Child

PERM_SUBJECT_ACCESS = "screening.export_subject_access"


def _export(request: HttpRequest, child_id: int, *, extension: str) -> HttpResponse:
    child = get_object_or_404(Child, pk=child_id)
    now = timezone.now()
    data = subject_access.subject_access_data(child, user=request.user, now=now)
    if extension == "pdf":
        response = HttpResponse(subject_access.subject_access_pdf(data), content_type="application/pdf")
    else:
        response = HttpResponse(subject_access.subject_access_json(data), content_type="application/json")
    subject_access.subject_access_exported(child, request=request, export_format=extension)
    filename = subject_access.subject_access_filename(child, now=now, extension=extension)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@never_cache
@staff_required(PERM_SUBJECT_ACCESS)
@require_GET
def subject_access_json(request: HttpRequest, child_id: int) -> HttpResponse:
    return _export(request, child_id, extension="json")


@never_cache
@staff_required(PERM_SUBJECT_ACCESS)
@require_GET
def subject_access_pdf(request: HttpRequest, child_id: int) -> HttpResponse:
    return _export(request, child_id, extension="pdf")
