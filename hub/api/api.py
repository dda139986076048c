"""The versioned JSON API at /api/v1/. Endpoints call the same selectors and
services as the pages; errors are always JSON with a message."""

import logging

from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import HttpError, ValidationError

from hub.api.campaigns import router as campaigns_router
from hub.core.errors import ApplicationError

logger = logging.getLogger(__name__)

api = NinjaAPI(
    title="Safeguarding Partnership Hub API",
    version="1.0.0",
    description="Published campaigns of the safeguarding children partnership, for partners' own sites.",
    urls_namespace="api-1.0.0",
)
api.add_router("/campaigns", campaigns_router)


def _field_name(location: list) -> str:
    # ("query", "limit") -> "limit"; a body field keeps its path ("body", "data", "name") -> "data.name".
    parts = [str(part) for part in location[1:]] or [str(part) for part in location]
    return ".".join(parts)


@api.exception_handler(ValidationError)
def validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    errors = [
        {"field": _field_name(list(error.get("loc", []))), "message": error.get("msg", "")} for error in exc.errors
    ]
    first = errors[0] if errors else {"field": "", "message": "Invalid request"}
    return api.create_response(
        request, {"message": f"{first['field']}: {first['message']}", "errors": errors}, status=400
    )


@api.exception_handler(ApplicationError)
def application_error(request: HttpRequest, exc: ApplicationError) -> HttpResponse:
    body = {"message": exc.message}
    if exc.field:
        body["field"] = exc.field
    return api.create_response(request, body, status=409 if exc.code == "conflict" else 400)


@api.exception_handler(Http404)
def not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return api.create_response(request, {"message": "Not found."}, status=404)


@api.exception_handler(HttpError)
def http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    return api.create_response(request, {"message": exc.message}, status=exc.status_code)


@api.exception_handler(Exception)
def unexpected_error(request: HttpRequest, exc: Exception) -> HttpResponse:
    # Logged with the path only: query strings and bodies may hold personal data.
    logger.exception("API error on %s", request.path)
    return api.create_response(request, {"message": "Sorry, there is a problem with the service."}, status=500)
