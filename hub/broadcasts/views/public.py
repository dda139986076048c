"""Public broadcast pages: unsubscribe (a page, and RFC 8058 one-click POST) and
the archive of sent bulletins ("view in your browser")."""

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from hub.broadcasts.models import Bulletin, Series
from hub.broadcasts.unsubscribe import delivery_by_token, unsubscribe


def _invalid_link(request: HttpRequest) -> HttpResponse:
    return render(request, "broadcasts/public/unsubscribe_invalid.html", status=404)


@never_cache
def unsubscribe_page(request: HttpRequest, token: str) -> HttpResponse:
    delivery = delivery_by_token(token)
    if delivery is None:
        return _invalid_link(request)
    everything = request.POST.get("from", request.GET.get("from", "")) == "everything"
    if request.method == "POST":
        names = unsubscribe(delivery=delivery, everything=everything, request=request)
        return render(
            request,
            "broadcasts/public/unsubscribed.html",
            {"names": names, "everything": not names, "email": delivery.email},
        )
    audiences = delivery.bulletin.audiences.all()
    if delivery.contact is not None:
        audiences = audiences.filter(contacts=delivery.contact)
    return render(
        request,
        "broadcasts/public/unsubscribe.html",
        {"delivery": delivery, "audiences": audiences, "everything": everything},
    )


@csrf_exempt  # RFC 8058: mail providers POST "List-Unsubscribe=One-Click" with no cookie or token
@require_POST
def unsubscribe_one_click(request: HttpRequest, token: str) -> HttpResponse:
    delivery = delivery_by_token(token)
    if delivery is None:
        return HttpResponse("This unsubscribe link is not valid.", status=404, content_type="text/plain")
    unsubscribe(delivery=delivery, everything=False, request=request)
    return HttpResponse("Unsubscribed.", content_type="text/plain")


def archive_series(request: HttpRequest, series: str) -> HttpResponse:
    found = get_object_or_404(Series, slug=series)
    bulletins = found.bulletins.filter(status=Bulletin.Status.SENT).order_by("day", "pk")
    return render(request, "broadcasts/public/archive_series.html", {"series": found, "bulletins": bulletins})


def archive_bulletin(request: HttpRequest, series: str, pk: int) -> HttpResponse:
    """A sent bulletin as the public may read it: not personalised, without anyone's links."""
    bulletin = Bulletin.objects.select_related("series").filter(series__slug=series, pk=pk).first()
    if bulletin is None or bulletin.status not in (Bulletin.Status.SENT, Bulletin.Status.SENDING):
        raise Http404
    from hub.broadcasts.rendering import markdown_to_html

    return render(
        request,
        "broadcasts/public/archive_bulletin.html",
        {"bulletin": bulletin, "series": bulletin.series, "body_html": markdown_to_html(bulletin.body_markdown)},
    )
