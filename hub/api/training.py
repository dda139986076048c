"""Upcoming training sessions with places left, for partners' own sites.
Reads through hub.training.selectors, like the public listing; joining links
and bookings are never part of it."""

from typing import Literal

from django.http import Http404, HttpRequest, HttpResponse
from ninja import Router
from ninja.pagination import paginate

from hub.api.pagination import HubLimitOffsetPagination
from hub.api.schemas import MessageOut, SessionOut, ValidationErrorOut
from hub.training.selectors import sessions_upcoming

router = Router(tags=["training"])

MAX_PAGE_SIZE = 100


@router.get(
    "/sessions",
    response={200: list[SessionOut], 400: ValidationErrorOut},
    summary="Upcoming training sessions",
)
@paginate(HubLimitOffsetPagination, max_limit=MAX_PAGE_SIZE)
def session_list(
    request: HttpRequest,
    response: HttpResponse,
    audience: str = "",
    mode: Literal["in_person", "online"] | None = None,
):
    """Sessions not yet started and not cancelled, soonest first, with the places left.
    `audience` matches one of a course's audiences exactly (as listed in `audiences`).
    An iCalendar feed of the same sessions is at /training/sessions.ics."""
    response["Cache-Control"] = "public, max-age=60"
    return sessions_upcoming(audience=audience[:200], mode=mode or "")


@router.get(
    "/sessions/{session_id}",
    response={200: SessionOut, 400: ValidationErrorOut, 404: MessageOut},
    summary="One upcoming session",
)
def session_detail(request: HttpRequest, response: HttpResponse, session_id: int):
    response["Cache-Control"] = "public, max-age=60"
    session = sessions_upcoming().filter(pk=session_id).first()
    if session is None:
        raise Http404
    return session
