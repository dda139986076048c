"""The public archive of sent bulletins: what partners were sent, not who."""

from django.http import HttpRequest, HttpResponse
from ninja import Router
from ninja.pagination import paginate

from hub.api.pagination import HubLimitOffsetPagination
from hub.api.schemas import BulletinOut, ValidationErrorOut
from hub.broadcasts.models import Bulletin

router = Router(tags=["bulletins"])


@router.get("", response={200: list[BulletinOut], 400: ValidationErrorOut}, summary="Sent bulletins")
@paginate(HubLimitOffsetPagination, max_limit=100)
def bulletin_list(request: HttpRequest, response: HttpResponse, series: str = ""):
    """Bulletins that have been sent, newest first; `series` narrows to one series (its slug)."""
    response["Cache-Control"] = "public, max-age=300"
    bulletins = Bulletin.objects.filter(status=Bulletin.Status.SENT).select_related("series").order_by("-day", "-pk")
    if series:
        bulletins = bulletins.filter(series__slug=series[:100])
    return bulletins
