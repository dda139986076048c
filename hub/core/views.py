from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.templatetags.static import static

from hub.accounts.decorators import staff_required
from hub.campaigns.selectors import campaigns_current, campaigns_past


def home(request: HttpRequest) -> HttpResponse:
    return render(request, "core/home.html", {"campaigns": campaigns_current(), "past_campaigns": campaigns_past()[:6]})


def accessibility(request: HttpRequest) -> HttpResponse:
    return render(request, "core/accessibility.html")


@staff_required()
def staff_home(request: HttpRequest) -> HttpResponse:
    return render(request, "core/staff_home.html")


def favicon(request: HttpRequest) -> HttpResponse:
    # Looked up per request: the hashed name exists only after collectstatic.
    return redirect(static("govuk/assets/images/favicon.ico"), permanent=True)


def _wants_json(request: HttpRequest) -> bool:
    return request.path.startswith("/api/")


def error_400(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if _wants_json(request):
        # The API's documented 400 shape (ValidationErrorOut): no single field is at fault.
        return JsonResponse(
            {"message": "The request is not valid. Check the address and its query.", "errors": []}, status=400
        )
    return render(request, "core/errors/400.html", status=400)


def error_403(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if _wants_json(request):
        return JsonResponse({"message": "You do not have permission to do this."}, status=403)
    return render(request, "core/errors/403.html", status=403)


def error_404(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if _wants_json(request):
        return JsonResponse({"message": "Not found."}, status=404)
    return render(request, "core/errors/404.html", status=404)


def error_500(request: HttpRequest) -> HttpResponse:
    if _wants_json(request):
        return JsonResponse({"message": "Sorry, there is a problem with the service."}, status=500)
    # No request context: the failure may be in a context processor or the session.
    return render(request, "core/errors/500.html", {"site_name": "Safeguarding Partnership Hub"}, status=500)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    return render(request, "core/errors/csrf.html", status=403)
