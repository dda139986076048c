"""Benchmark: N people press "Book" on one training session at the same moment.

Not a test: it measures. It builds a fresh throwaway database (an SQLite file
under var/, or a database called hub_bench on the PostgreSQL server given),
creates one session, serves the site from a threaded WSGI server (a thread and
a database connection per request, as in hub/training/tests/test_booking_race.py)
and fires the requests: each client first GETs the session page for its CSRF
cookie and token, then all POST together behind a barrier.

    DJANGO_SETTINGS_MODULE=config.settings.test .venv/bin/python bench/training_booking_race.py
    DJANGO_SETTINGS_MODULE=config.settings.test .venv/bin/python bench/training_booking_race.py \\
        --requests 200 --capacity 30 --database-url postgres://postgres@127.0.0.1:55441/

With --url it races against a server that is already running instead (the production
layout of `make prod-local`: nginx, granian, PostgreSQL), on that server's own database:
the settings come from the environment or --env-file (DATABASE_URL, DJANGO_SETTINGS_MODULE).
It creates its course and session there and, once the worker has sent the bookings'
emails, deletes them again (unless --keep):

    .venv/bin/python bench/training_booking_race.py --url http://127.0.0.1:8080/ --env-file var/prod-local/env

It prints counts, wall time, throughput and POST latency percentiles, and exits
1 unless exactly `capacity` places were confirmed and no request failed.
"""

import argparse
import http.cookiejar
import re
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.throwaway_db import (  # noqa: E402 (after the path is set)
    database_arguments,
    django_setup,
    django_teardown,
    percentile,
)

BENCH_DB_NAME = "hub_bench"


@dataclass
class Outcome:
    status: int = 0
    location: str = ""
    latency_ms: float = 0.0
    finished_at: float = 0.0
    error: str = ""

    @property
    def ok(self) -> bool:
        return not self.error and self.status == 302 and "/training/bookings/" in self.location


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=200, help="simultaneous bookings (default 200)")
    parser.add_argument("--capacity", type=int, default=30, help="places on the session (default 30)")
    database_arguments(parser, name=BENCH_DB_NAME, sqlite_default=ROOT / "var" / "bench-training-booking.sqlite3")
    parser.add_argument(
        "--url",
        default="",
        help="race against this running server (e.g. http://127.0.0.1:8080/ of make prod-local) and its own "
        "database, from the environment or --env-file, instead of a throwaway database and server",
    )
    parser.add_argument("--env-file", default="", help="KEY=VALUE settings to load first (e.g. var/prod-local/env)")
    parser.add_argument("--keep", action="store_true", help="keep the bench database (or, with --url, data) afterwards")
    args = parser.parse_args(argv)
    if args.requests < 1 or args.capacity < 1:
        parser.error("--requests and --capacity must be at least 1")
    return args


# --- The race --------------------------------------------------------------------


def start_server(backlog: int):
    from django.core.servers.basehttp import get_internal_wsgi_application

    # The race test's server: threaded, quiet, with a listen backlog like a front server's.
    from hub.training.tests.test_booking_race import _QuietHandler, _WideServer

    class Server(_WideServer):
        request_queue_size = max(_WideServer.request_queue_size, backlog)

    server = Server(("127.0.0.1", 0), _QuietHandler, allow_reuse_address=False)
    server.set_app(get_internal_wsgi_application())
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}"


def race(url: str, people: int) -> tuple[list[Outcome], float]:
    """Every person loads the page, waits for the others, then books. Returns the
    outcomes and the moment the barrier released them."""
    from hub.training.tests.test_booking_race import _NoRedirect

    released: list[float] = []
    ready = threading.Barrier(people, action=lambda: released.append(time.perf_counter()), timeout=300)

    def one_person(n: int) -> Outcome:
        outcome = Outcome()
        jar = http.cookiejar.CookieJar()
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar), _NoRedirect)
        request = None
        try:
            page = opener.open(url, timeout=120).read().decode()
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
        except Exception as error:  # counted; the barrier must still be reached
            outcome.error = f"GET: {type(error).__name__}: {error}"
        ready.wait()  # everyone submits at once
        if request is None:
            return outcome
        started = time.perf_counter()
        try:
            response = opener.open(request, timeout=300)
            outcome.status = response.status
            response.read()
        except urllib.error.HTTPError as answer:  # a 302 arrives here with redirects turned off
            outcome.status, outcome.location = answer.code, answer.headers.get("Location", "")
        except Exception as error:  # a refused or dropped connection, counted
            outcome.error = f"POST: {type(error).__name__}: {error}"
        outcome.finished_at = time.perf_counter()
        outcome.latency_ms = (outcome.finished_at - started) * 1000
        return outcome

    with ThreadPoolExecutor(max_workers=people) as pool:
        outcomes = list(pool.map(one_person, range(people)))
    return outcomes, released[0]


def remote_cleanup(session, timeout: float = 180) -> str:
    """With --url: once the server has finished with the bench's session (no booking added
    for 5 s: a request a client gave up on may still be running there) and the worker has
    sent the bookings' emails, delete its bookings, session and course from the server's
    database."""
    from django.db import DatabaseError, transaction
    from django.db.models import Count

    from hub.core.models import OutboxMessage

    deadline = time.monotonic() + timeout
    last, quiet_since = -1, time.monotonic()
    while time.monotonic() < deadline:
        booking_ids = list(session.bookings.values_list("pk", flat=True))
        if len(booking_ids) != last:
            last, quiet_since = len(booking_ids), time.monotonic()
        queued = OutboxMessage.objects.filter(
            kind="training_email", payload__booking__in=booking_ids, state__in=["pending", "sending"]
        ).exists()
        if not queued and time.monotonic() - quiet_since >= 5:
            break
        time.sleep(1)
    else:
        return f"kept session {session.pk}: still busy after {timeout:.0f} s"
    course = session.course
    by_status = session.bookings.values("status").order_by("status").annotate(n=Count("id"))
    final = ", ".join(f"{row['status']} {row['n']}" for row in by_status)
    try:
        with transaction.atomic():
            session.bookings.all().delete()
            session.delete()
            course.delete()
    except DatabaseError as error:
        return f"kept session {session.pk} ({type(error).__name__}: {error})"
    return f"once the server was done: {final or 'no bookings'}; removed them, the session and course {course.slug!r}"


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    described = django_setup(args)
    from django.db import connections

    from hub.training.models import Booking
    from hub.training.tests.factories import SessionFactory

    session = None
    try:
        if args.url:
            stamp = time.strftime("%Y%m%d%H%M%S")
            session = SessionFactory(
                capacity=args.capacity,
                course__slug=f"bench-race-{stamp}",
                course__title=f"Booking race bench {stamp}",
            )
            connections.close_all()
            outcomes, released = race(f"{args.url.rstrip('/')}/training/sessions/{session.pk}/", args.requests)
        else:
            session = SessionFactory(capacity=args.capacity)
            connections.close_all()  # the server's threads open their own
            server, base = start_server(args.requests)
            try:
                outcomes, released = race(f"{base}/training/sessions/{session.pk}/", args.requests)
            finally:
                server.shutdown()
                server.server_close()

        counts = {status: session.bookings.filter(status=status).count() for status in Booking.Status.values}
        confirmed, waitlisted = counts[Booking.Status.CONFIRMED], counts[Booking.Status.WAITLISTED]
        failed = [outcome for outcome in outcomes if not outcome.ok]
        posted = [outcome for outcome in outcomes if outcome.finished_at]
        latencies = sorted(outcome.latency_ms for outcome in posted)
        wall = max((outcome.finished_at for outcome in posted), default=released) - released

        print(f"Training booking race on {described}")
        print(f"  requests    {args.requests}")
        print(f"  capacity    {args.capacity}")
        print(f"  confirmed   {confirmed}")
        print(f"  waitlisted  {waitlisted}")
        print(f"  errors      {len(failed)}")
        print(f"  wall time   {wall:.3f} s")
        print(f"  requests/s  {args.requests / wall:.1f}" if wall > 0 else "  requests/s  n/a")
        print(
            "  POST latency ms: "
            + "  ".join(f"p{p} {percentile(latencies, p):.0f}" for p in (50, 95, 99))
            + f"  max {latencies[-1] if latencies else float('nan'):.0f}"
        )
        for outcome in failed[:5]:
            print(f"  error: {outcome.error or f'HTTP {outcome.status} {outcome.location}'}", file=sys.stderr)

        expected = min(args.capacity, args.requests)
        if confirmed != expected or failed:
            print(f"FAIL: expected {expected} confirmed and no errors", file=sys.stderr)
            return 1
        print("OK: no overbooking, no errors")
        return 0
    finally:
        if args.url and session is not None and session.pk and not args.keep:
            print(f"  cleanup     {remote_cleanup(session)}")
        django_teardown(args)


if __name__ == "__main__":
    sys.exit(main())
