"""No overbooking: 200 people press "Book" at the same moment, over HTTP,
against the live server (a thread per request, a database connection each)."""

import http.cookiejar
import re
import threading
import urllib.error
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.core.servers.basehttp import ThreadedWSGIServer, WSGIRequestHandler, get_internal_wsgi_application

from hub.training.models import Booking
from hub.training.tests.factories import SessionFactory

pytestmark = pytest.mark.django_db(transaction=True)

PEOPLE = 200
CAPACITY = 30


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, *args) -> None:
        pass


class _WideServer(ThreadedWSGIServer):
    # Django's server queues 10 connections; a council's front server (nginx)
    # queues hundreds. The race is about the database, not the listen backlog.
    request_queue_size = 512


@pytest.fixture
def wide_server():
    server = _WideServer(("127.0.0.1", 0), _QuietHandler, allow_reuse_address=False)
    server.set_app(get_internal_wsgi_application())
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_two_hundred_simultaneous_bookings_fill_exactly_thirty_places(wide_server):
    session = SessionFactory(capacity=CAPACITY)
    url = f"{wide_server}/training/sessions/{session.pk}/"
    ready = threading.Barrier(PEOPLE, timeout=120)

    def one_person(n: int) -> tuple[int, str]:
        jar = http.cookiejar.CookieJar()
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar), _NoRedirect)
        page = opener.open(url, timeout=60).read().decode()
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
        form = urllib.parse.urlencode(
            {
                "csrfmiddlewaretoken": token,
                "name": f"Person {n}",
                "email": f"person{n}@example.org",
                "sector": "business",
                "job_role": "Taxi driver",
            }
        ).encode()
        request = urllib.request.Request(url, data=form, headers={"Referer": url})  # noqa: S310 (http only)
        ready.wait()  # everyone submits at once
        try:
            response = opener.open(request, timeout=120)
            return response.status, ""
        except urllib.error.HTTPError as answer:  # a 302 arrives here with redirects turned off
            return answer.code, answer.headers.get("Location", "")

    with ThreadPoolExecutor(max_workers=PEOPLE) as pool:
        results = list(pool.map(one_person, range(PEOPLE)))

    statuses = [status for status, _ in results]
    assert statuses == [302] * PEOPLE, f"not every booking was answered with a redirect: {sorted(set(statuses))}"
    assert all("/training/bookings/" in location for _, location in results)
    counts = {status: session.bookings.filter(status=status).count() for status in Booking.Status.values}
    assert counts[Booking.Status.CONFIRMED] == CAPACITY
    assert counts[Booking.Status.WAITLISTED] == PEOPLE - CAPACITY
    assert session.bookings.count() == PEOPLE
