"""Keep the NUL character (U+0000) out of the database, for every page and the API.

PostgreSQL text cannot hold NUL, and psycopg refuses any query parameter that contains
one, so a NUL that reaches a lookup is a 500 error. Forms already refuse it in what is
typed (Django's CharField). This covers the rest of a request, before any view runs:

- in the address, e.g. a booking's token in /training/bookings/<token>/: nothing can be
  found at such an address, so it is a 404, the answer an unknown token gets;
- in the query string: a 400;
- in a cookie (a quoted cookie value "\\000" is unquoted to a NUL, e.g. a session id that
  would be looked up): ignored, as though it had not been sent.

The 404 and 400 are the site's own error pages, or JSON under /api/ (hub.core.views).
"""

from collections.abc import Callable

from django.core.exceptions import BadRequest
from django.http import Http404, HttpRequest, HttpResponse

NUL = "\x00"


class NulCharacterMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if any(NUL in name or NUL in value for name, value in request.COOKIES.items()):
            request.COOKIES = {
                name: value for name, value in request.COOKIES.items() if NUL not in name and NUL not in value
            }
        if NUL in request.path:
            raise Http404("NUL character in the path")
        if any(NUL in key or any(NUL in value for value in values) for key, values in request.GET.lists()):
            raise BadRequest("NUL character in the query string")
        return self.get_response(request)
