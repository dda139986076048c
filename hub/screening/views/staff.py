"""Staff pages of screening. So far: the tool itself, read-only, so practitioners
and the hub can see exactly what is asked, how it is scored and what to do next."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from hub.accounts.decorators import staff_required
from hub.screening.models import ToolVersion
from hub.screening.selectors import tool_definition


@staff_required("screening.view_toolversion")
def tool_detail(request: HttpRequest, version: str = "") -> HttpResponse:
    if version:
        tool_version = get_object_or_404(ToolVersion, version=version)
    else:
        tool_version = ToolVersion.objects.filter(is_current=True).first()
        if tool_version is None:
            return render(request, "screening/staff/tool_missing.html", status=404)
    return render(
        request,
        "screening/staff/tool_detail.html",
        {
            "tool_version": tool_version,
            "definition": tool_definition(tool_version),
            "versions": ToolVersion.objects.order_by("-loaded_at"),
        },
    )
