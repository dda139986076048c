"""Benchmark: supporter sign-up POSTs under sustained load from 64 keep-alive clients.

Not a test: it measures. It builds a fresh throwaway database (an SQLite file under
var/, or a database called hub_bench_social on the PostgreSQL server given), creates
a published campaign with a moment whose sign-up deadline is in the future, serves
the site, and has --clients keep-alive connections (one http.client connection per
client thread, reused for every request) send --requests sign-ups between them as
fast as the server answers. Each connection first GETs the moment page once for its
CSRF cookie and token; all then start together behind a barrier. Every 50th sign-up
repeats an earlier email (the update path), so the moment should end with
requests - requests // 50 supporters.

    DJANGO_SETTINGS_MODULE=config.settings.test .venv/bin/python bench/social_signup_load.py
    DJANGO_SETTINGS_MODULE=config.settings.test .venv/bin/python bench/social_signup_load.py --server gunicorn
    DJANGO_SETTINGS_MODULE=config.settings.test .venv/bin/python bench/social_signup_load.py \\
        --server gunicorn --database-url postgres://postgres@127.0.0.1:55441/

Servers: "threaded" is Django's threaded WSGI server in this process (the server
class of hub/training/tests/test_booking_race.py, a thread per connection);
"gunicorn" runs `gunicorn config.wsgi:application` (gthread workers) as a child
process. gunicorn is not one of the project's dependencies: install it into the
venv to use it. The gunicorn workers read their database and task settings from
this file, which gunicorn loads as its config file (see post_fork below).

It prints throughput, POST latency percentiles, errors and the supporters found in
the database against those expected, and exits 1 unless there were no errors, no
lost sign-ups and no duplicate supporters (2 if gunicorn is asked for but missing).
"""

import argparse
import http.client
import http.cookies
import importlib.util
import itertools
import json
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench import throwaway_db  # noqa: E402 (after the path is set)

BENCH_DB_NAME = "hub_bench_social"
REPEAT_EVERY = 50  # every 50th sign-up reuses an earlier email: the update path
SETTINGS_ENV = "HUB_BENCH_SOCIAL_SETTINGS"  # what the gunicorn workers must override, as JSON
# Nothing at module level may be named like a gunicorn setting (workers, bind, timeout,
# threads, backlog, ...): gunicorn loads this file as its config and would take it.


@dataclass
class ClientResult:
    latencies_ms: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    finished_at: float = 0.0


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=3000, help="sign-up POSTs in total (default 3000)")
    parser.add_argument("--clients", type=int, default=64, help="concurrent keep-alive connections (default 64)")
    parser.add_argument("--server", choices=("threaded", "gunicorn"), default="threaded")
    parser.add_argument(
        "--gunicorn-workers",
        type=int,
        default=2 * (os.cpu_count() or 1) + 1,
        help="gunicorn worker processes (default 2 x cores + 1)",
    )
    parser.add_argument("--gunicorn-threads", type=int, default=4, help="threads per gunicorn worker (default 4)")
    throwaway_db.database_arguments(
        parser, name=BENCH_DB_NAME, sqlite_default=ROOT / "var" / "bench-social-signup.sqlite3"
    )
    parser.add_argument("--keep", action="store_true", help="keep the bench database afterwards")
    args = parser.parse_args(argv)
    if args.requests < 1 or args.clients < 1 or args.gunicorn_workers < 1 or args.gunicorn_threads < 1:
        parser.error("--requests, --clients, --gunicorn-workers and --gunicorn-threads must be at least 1")
    return args


# --- Settings shared with the gunicorn workers --------------------------------------


def bench_settings_apply(overrides: dict) -> None:
    """Point an unconfigured Django at the bench database, queue tasks in it."""
    from django.conf import settings

    settings.DATABASES["default"] = overrides["database"]
    settings.TASKS = overrides["tasks"]
    settings.EMAIL_BACKEND = overrides["email_backend"]


def post_fork(server, worker) -> None:
    """gunicorn hook, run in each worker before it loads config.wsgi: the same
    overrides as this process's (the test settings would otherwise use
    var/test.sqlite3 and run tasks inside the request)."""
    bench_settings_apply(json.loads(os.environ[SETTINGS_ENV]))


def bench_settings_current() -> dict:
    from django.conf import settings

    return {
        "database": settings.DATABASES["default"],
        "tasks": settings.TASKS,
        "email_backend": settings.EMAIL_BACKEND,
    }


# --- Servers --------------------------------------------------------------------------


class GunicornServer:
    def __init__(self, args: argparse.Namespace) -> None:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        self.base = f"http://127.0.0.1:{port}"
        self.log = tempfile.TemporaryFile(mode="w+")  # noqa: SIM115 (closed by stop())
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "config.settings.test",
            SETTINGS_ENV: json.dumps(bench_settings_current(), default=str),
            "DEBUG": "false",
        }
        command = [
            sys.executable,
            "-m",
            "gunicorn",
            "config.wsgi:application",
            "--config",
            str(Path(__file__).resolve()),  # for post_fork
            "--chdir",
            str(ROOT),
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(args.gunicorn_workers),
            "--worker-class",
            "gthread",
            "--threads",
            str(args.gunicorn_threads),
            # Longer than the pause between a client's GET and its first POST; a
            # front server (nginx: 75 s) would hold client connections open too.
            "--keep-alive",
            "75",
            "--graceful-timeout",
            "10",
            "--log-level",
            "warning",
        ]
        self.process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=self.log, stderr=subprocess.STDOUT)
        self.kind = (
            f"gunicorn {_gunicorn_version()}, {args.gunicorn_workers} workers x "
            f"{args.gunicorn_threads} threads (gthread)"
        )

    def wait_ready(self, path: str, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise SystemExit(f"gunicorn exited with {self.process.returncode}:\n{self.log_tail()}")
            try:
                conn = http.client.HTTPConnection(urllib.parse.urlsplit(self.base).netloc, timeout=5)
                conn.request("GET", path)
                status = conn.getresponse().status
                conn.close()
                if status == 200:
                    return
            except OSError:
                pass
            time.sleep(0.2)
        raise SystemExit(f"gunicorn did not answer within {timeout:.0f} s:\n{self.log_tail()}")

    def log_tail(self, lines: int = 30) -> str:
        if self.log.closed:
            return self.last_log
        self.log.seek(0)
        return "".join(self.log.readlines()[-lines:])

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.last_log = self.log_tail()
        self.log.close()


class ThreadedServer:
    def __init__(self, args: argparse.Namespace) -> None:
        from bench.training_booking_race import start_server  # here: gunicorn reads this file as its config

        self.server, self.base = start_server(args.clients)
        self.kind = "Django ThreadedWSGIServer (one process, a thread per connection)"

    def wait_ready(self, path: str) -> None:
        pass

    def log_tail(self) -> str:
        return ""

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def _gunicorn_version() -> str:
    from importlib.metadata import version

    return version("gunicorn")


# --- The load ---------------------------------------------------------------------------


def signup_emails(requests: int) -> list[str]:
    """One email per sign-up; every REPEAT_EVERY-th repeats the one 25 places before."""
    emails: list[str] = []
    for n in range(requests):
        if (n + 1) % REPEAT_EVERY == 0 and n >= 25:
            emails.append(emails[n - 25])
        else:
            emails.append(f"supporter{n}@example.org")
    return emails


def _csrf(conn: http.client.HTTPConnection, path: str) -> tuple[str, str]:
    """GET the moment page: (csrftoken cookie, form token)."""
    conn.request("GET", path)
    response = conn.getresponse()
    page = response.read().decode()
    if response.status != 200:
        raise RuntimeError(f"GET {path}: HTTP {response.status}")
    cookie = http.cookies.SimpleCookie()
    for header in response.headers.get_all("Set-Cookie") or []:
        cookie.load(header)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    return cookie["csrftoken"].value, token


def load(base: str, path: str, emails: list[str], clients: int) -> tuple[list[ClientResult], float]:
    """Each client opens one connection, fetches its CSRF token, waits for the others,
    then posts sign-ups taken from a shared counter until none are left."""
    netloc = urllib.parse.urlsplit(base).netloc
    next_index = itertools.count()
    counter_lock = threading.Lock()
    released: list[float] = []
    ready = threading.Barrier(clients, action=lambda: released.append(time.perf_counter()), timeout=300)
    results = [ClientResult() for _ in range(clients)]

    def client(result: ClientResult) -> None:
        conn = http.client.HTTPConnection(netloc, timeout=120)
        cookie = token = None
        try:
            cookie, token = _csrf(conn, path)
        except Exception as error:  # counted; the barrier must still be reached
            result.errors.append(f"GET: {type(error).__name__}: {error}")
        ready.wait()
        while cookie:
            with counter_lock:
                n = next(next_index)
            if n >= len(emails):
                break
            body = urllib.parse.urlencode(
                {
                    "csrfmiddlewaretoken": token,
                    "first_name": f"Supporter {n}",
                    "email": emails[n],
                    "x_handle": f"@supporter{n}",
                    "x_followers": str(100 + n),
                }
            )
            headers = {
                "Content-Type": "application/x-www-form-urlencoded",
                "Cookie": f"csrftoken={cookie}",
                "Referer": base + path,
            }
            started = time.perf_counter()
            try:
                conn.request("POST", path, body=body, headers=headers)
                response = conn.getresponse()
                response.read()
                if response.status != 302 or "/moment/supporters/" not in response.headers.get("Location", ""):
                    result.errors.append(f"POST {emails[n]}: HTTP {response.status}")
            except Exception as error:  # a refused or dropped connection, counted
                result.errors.append(f"POST {emails[n]}: {type(error).__name__}: {error}")
                conn.close()  # the next request opens a fresh connection
            result.latencies_ms.append((time.perf_counter() - started) * 1000)
        result.finished_at = time.perf_counter()
        conn.close()

    threads = [threading.Thread(target=client, args=(result,)) for result in results]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results, released[0]


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.server == "gunicorn" and importlib.util.find_spec("gunicorn") is None:
        print(
            "gunicorn is not installed (it is not one of the project's dependencies). To measure with it:\n"
            "    .venv/bin/pip install gunicorn==23.0.0",
            file=sys.stderr,
        )
        return 2
    described = throwaway_db.django_setup(args)
    from django.db import connections
    from django.db.models import Count

    from hub.core.models import OutboxMessage
    from hub.social.models import Supporter, SupporterHandle
    from hub.social.tests.factories import MomentFactory

    try:
        moment = MomentFactory(goal=args.requests)
        path = f"/campaigns/{moment.campaign.slug}/moment/"
        connections.close_all()  # the server's threads and processes open their own
        server = GunicornServer(args) if args.server == "gunicorn" else ThreadedServer(args)
        try:
            server.wait_ready(path)
            emails = signup_emails(args.requests)
            results, released = load(server.base, path, emails, args.clients)
        finally:
            server.stop()

        expected = len(set(emails))
        supporters = Supporter.objects.filter(moment=moment)
        found = supporters.count()
        duplicates = supporters.values("email").annotate(rows=Count("id")).filter(rows__gt=1).count()
        handles = SupporterHandle.objects.filter(supporter__moment=moment).count()
        queued = OutboxMessage.objects.filter(kind="social_supporter_email").count()
        lost = expected - found
        errors = [error for result in results for error in result.errors]
        latencies = sorted(ms for result in results for ms in result.latencies_ms)
        wall = max(result.finished_at for result in results) - released
        p = throwaway_db.percentile

        print(f"Supporter sign-up load on {described}")
        print(f"  server      {server.kind}")
        print(f"  clients     {args.clients} keep-alive connections")
        print(f"  requests    {len(latencies)} of {args.requests}")
        print(f"  wall time   {wall:.3f} s")
        print(f"  requests/s  {len(latencies) / wall:.1f}" if wall > 0 else "  requests/s  n/a")
        print(
            "  POST latency ms: "
            + "  ".join(f"p{q} {p(latencies, q):.0f}" for q in (50, 95, 99))
            + f"  max {latencies[-1] if latencies else float('nan'):.0f}"
        )
        print(f"  errors      {len(errors)}")
        print(f"  supporters  {found} in the database, {expected} expected")
        print(f"  lost        {lost}")
        print(f"  duplicates  {duplicates} emails with more than one row")
        print(f"  handles     {handles}; emails queued {queued}")
        for error in errors[:5]:
            print(f"  error: {error}", file=sys.stderr)
        if errors and args.server == "gunicorn":
            print(server.log_tail(), file=sys.stderr)

        if errors or lost or duplicates:
            print("FAIL: expected no errors, no lost sign-ups and no duplicates", file=sys.stderr)
            return 1
        print("OK: no errors, no lost sign-ups, no duplicates")
        return 0
    finally:
        throwaway_db.django_teardown(args)


if __name__ == "__main__":
    sys.exit(main())
