"""The versioned JSON API at /api/v1/. Endpoints call the same selectors and
services as the pages; errors are always JSON with a "message" key, never HTML."""

import functools
import json
import logging
from collections.abc import Callable

from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed, JsonResponse
from django.urls import URLPattern, re_path
from django.views.decorators.csrf import csrf_exempt
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError

from hub.api.accounts import router as me_router
from hub.api.broadcasts import router as bulletins_router
from hub.api.campaigns import router as campaigns_router
from hub.api.screening import screenings_router
from hub.api.screening import tool_router as screening_tool_router
from hub.api.screening_profile import router as screening_profile_router
from hub.api.social import router as social_router
from hub.api.training import router as training_router
from hub.core.errors import ApplicationError

logger = logging.getLogger(__name__)

SERVICE_PROBLEM = "Sorry, there is a problem with the service."
NOT_AUTHENTICATED = (
    "Send a valid personal API token in the Authorization header, as 'Authorization: Bearer sph_...'. "
    "Tokens expire and can be revoked; staff make them at /account/api-tokens/."
)


def _json_method_not_allowed(view: Callable) -> Callable:
    """Ninja answers a wrong method with a bare text/html 405; make it JSON like every other error."""

    @functools.wraps(view)  # Keeps csrf_exempt and the other attributes Ninja sets on its views.
    def wrapped(request: HttpRequest, *args, **kwargs):
        response = view(request, *args, **kwargs)
        if isinstance(response, HttpResponseNotAllowed):
            allowed = response["Allow"]
            response = HttpResponse(
                json.dumps({"message": f"Method not allowed. Use {allowed}."}),
                status=405,
                content_type="application/json",
            )
            response["Allow"] = allowed
        return response

    return wrapped


@csrf_exempt  # Any method on an unknown path is a 404, never a CSRF page.
def unknown_path(request: HttpRequest, rest: str = "") -> HttpResponse:
    return JsonResponse({"message": "Not found."}, status=404)


class HubNinjaAPI(NinjaAPI):
    """NinjaAPI whose URLs answer JSON for a wrong method (405) and for any unknown path under the API (404),
    whatever DEBUG and the site's own error handlers do."""

    def _get_urls(self):
        patterns = super()._get_urls()
        for pattern in patterns:
            if isinstance(pattern, URLPattern):
                pattern.callback = _json_method_not_allowed(pattern.callback)
        patterns.append(re_path(r"^(?P<rest>.*)$", unknown_path, name="unknown-path"))
        return patterns


api = HubNinjaAPI(
    title="Safeguarding Partnership Hub API",
    version="1.0.0",
    description="Published campaigns, upcoming training sessions and sent bulletins of the safeguarding children "
    "partnership, "
    "for partners' own sites. "
    "Public endpoints need no sign-in; staff endpoints need a personal API token "
    "(`Authorization: Bearer sph_...`). Every error is JSON with a `message`. "
    "Text may not contain the NUL character (U+0000): a request with one is refused "
    "(404 in the path, 400 in the query or the body).",
    urls_namespace="api-1.0.0",
)
api.add_router("/campaigns", campaigns_router)
api.add_router("/campaigns", social_router)
api.add_router("/training", training_router)
api.add_router("/bulletins", bulletins_router)
api.add_router("/me", me_router)
api.add_router("/screening/tool", screening_tool_router)
api.add_router("/screening/profile", screening_profile_router)
api.add_router("/screenings", screenings_router)


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
    message = f"{first['field']}: {first['message']}" if first["field"] else first["message"]
    return api.create_response(request, {"message": message, "errors": errors}, status=400)


@api.exception_handler(ApplicationError)
def application_error(request: HttpRequest, exc: ApplicationError) -> HttpResponse:
    body = {"message": exc.message}
    if exc.field:
        body["field"] = exc.field
    return api.create_response(request, body, status=409 if exc.code == "conflict" else 400)


@api.exception_handler(Http404)
def not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    # The same answer for a draft and an unknown slug: nothing to tell them apart.
    return api.create_response(request, {"message": "Not found."}, status=404)


@api.exception_handler(AuthenticationError)
def authentication_error(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    # One answer whatever was wrong (missing, unknown, expired, revoked): nothing to probe.
    response = api.create_response(request, {"message": NOT_AUTHENTICATED}, status=401)
    response["WWW-Authenticate"] = 'Bearer realm="api"'
    return response


@api.exception_handler(HttpError)
def http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    body = {"message": exc.message}
    if exc.status_code == 400:
        # Every 400 has the documented shape (ValidationErrorOut), e.g. Ninja's "Cannot parse
        # request body" for a body that is not JSON: no field is at fault, so no field errors.
        body["errors"] = []
    return api.create_response(request, body, status=exc.status_code)


@api.exception_handler(Exception)
def unexpected_error(request: HttpRequest, exc: Exception) -> HttpResponse:
    # Logged with the method and path only: query strings and bodies may hold personal data.
    logger.exception("API error on %s %s", request.method, request.path)
    return api.create_response(request, {"message": SERVICE_PROBLEM}, status=500)
