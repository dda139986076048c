"""Campaign-day spike against the production layout of `make prod-local` (issue 8).

Not a test: it measures the running stack (nginx on 127.0.0.1:8080 -> granian on a unix
socket -> PostgreSQL through Django's pool, the worker and the minute tasks beside them).
In one run, with wrk (64 connections, 2 threads, --latency):

  static        nginx serving a plain copy of the pre-rendered page, /bench-static/copy.html
                (a location that only the local configuration of scripts/prod-local.sh has)
  prerendered   the public campaign page /campaigns/<slug>/ as visitors get it: nginx serves
                PRERENDER_ROOT/campaigns/<slug>/index.html through the production location
  django        the same page served by Django: /campaigns/<slug>/?bench=django (a query
                string sends it to the app, see deploy/nginx/snippets/hub-http.conf), as a
                visitor following a shared link with ?utm_source= gets it: from each web
                process's copy of the anonymous page (hub/campaigns/page_cache.py, rendered
                again at most every CAMPAIGN_PAGE_CACHE_SECONDS)
  django-render the same URL with a `messages` cookie, which makes Django render the page for
                every request (as for a visitor with a flash message): the cost of a render
  signup        supporter sign-up POSTs on the campaign's moment, from --clients keep-alive
                connections through nginx (the client of bench/social_signup_load.py: one GET
                each for the CSRF token, then POSTs as fast as they are answered), then the
                rows are counted: every sign-up answered with success must be in the database

It first runs `manage.py prerender --all` with the stack's settings (var/prod-local/env)
and copies the page's file for the static yardstick, checking that nginx serves both
files byte for byte and that the query-string URL really reaches Django. static and
prerendered take turns (--rounds 2: static, prerendered, prerendered, static) so that
other work on a shared machine falls on both alike; the ratio is of their mean
requests/s. For each measurement it prints requests/s, p50/p99, errors, the load average
before and after, how busy the machine's cores were (and how much of that was interrupts,
mostly the loopback network, and work outside the stack), and the CPU each part of the
stack used per request (from /proc: nginx, the web server's processes, PostgreSQL's, the
worker, the minute tasks, and the load generator: wrk or this process's client threads).

    PROD_LOCAL_DETACH=1 make prod-local     # as root; or scripts/prod-local.sh up --detach
    .venv/bin/python bench/spike.py         # --duration 15 --only static prerendered ...
    make prod-local-stop

Targets (issue 8): pre-rendered at least 0.8 of nginx-static with p99 under 20 ms; the
Django-rendered page at least 1,000 requests/s; sign-ups with 0 errors (and none lost).
It exits 1 if a sign-up that was answered with success is missing from the database.
The sign-ups (spike-<run>-<n>@example.org) stay in the stack's database, on the demo
moment, and the worker sends their emails to the stack's local SMTP server.
"""

import argparse
import os
import resource
import shutil
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from bench.wsgi_servers import ROOT, stack_env, wrk  # noqa: E402 (after the path is set)

RUN = ROOT / "run"
PGDATA = ROOT / "pg"
TICK = os.sysconf("SC_CLK_TCK")
MEASURES = ("static", "prerendered", "django", "django-render", "signup")
# A flash-message cookie (any value: an unsigned one is ignored) turns the page cache off.
RENDER_EVERY_TIME = "Cookie: messages=bench"


# --- CPU accounting ---------------------------------------------------------------------


def _stat(pid: int) -> tuple[int, int, int, float] | None:
    """(ppid, pgid, session, CPU seconds of the process and of its reaped children)."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = text[text.rindex(")") + 2 :].split()
    # After the name: state ppid pgrp session ... utime(14) stime(15) cutime(16) cstime(17), 1-based from pid.
    ppid, pgid, sid = int(fields[1]), int(fields[2]), int(fields[3])
    cpu = sum(int(value) for value in fields[11:15]) / TICK
    return ppid, pgid, sid, cpu


def _pid(path: Path) -> int | None:
    try:
        return int(path.read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return None


def cpu_snapshot() -> dict[str, float]:
    """CPU seconds so far of each part of the stack, of the machine (busy), and of this
    process's children (wrk) and itself. A process that exits between two snapshots is
    still counted, in its parent's reaped-children time (bash for the minute tasks, the
    postmaster for PostgreSQL backends, granian's main process for its workers)."""
    sessions = {name: _pid(RUN / f"{name}.pid") for name in ("nginx", "web", "worker", "tasks", "mail")}
    postmaster = _pid(PGDATA / "postmaster.pid")
    by_part = dict.fromkeys([*sessions, "postgres"], 0.0)
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        found = _stat(int(entry))
        if found is None:
            continue
        ppid, pgid, sid, cpu = found
        for name, leader in sessions.items():
            if leader and (sid == leader or pgid == leader):
                by_part[name] += cpu
                break
        else:
            if postmaster and (int(entry) == postmaster or ppid == postmaster):
                by_part["postgres"] += cpu
    with open("/proc/stat") as stat:
        values = [int(v) for v in stat.readline().split()[1:]]
    # user nice system idle iowait irq softirq steal: busy is everything but idle and iowait;
    # interrupts (mostly the loopback network's softirq) are not charged to any process.
    by_part["machine"] = (sum(values[:8]) - values[3] - values[4]) / TICK
    by_part["interrupts"] = (values[5] + values[6]) / TICK
    children, me = resource.getrusage(resource.RUSAGE_CHILDREN), resource.getrusage(resource.RUSAGE_SELF)
    by_part["load generator"] = children.ru_utime + children.ru_stime + me.ru_utime + me.ru_stime
    by_part["wall"] = time.monotonic()
    return by_part


@dataclass
class Window:
    """What happened on the machine while one measurement ran."""

    before: dict[str, float]
    load_before: tuple[float, float, float]
    after: dict[str, float] = field(default_factory=dict)
    load_after: tuple[float, float, float] = (0.0, 0.0, 0.0)

    @classmethod
    def open(cls) -> "Window":
        return cls(before=cpu_snapshot(), load_before=os.getloadavg())

    def close(self) -> "Window":
        self.after, self.load_after = cpu_snapshot(), os.getloadavg()
        return self

    def used(self, part: str) -> float:
        return self.after[part] - self.before[part]

    def report(self, requests: int) -> str:
        wall = self.used("wall")
        parts = ["nginx", "web", "postgres", "worker", "tasks", "load generator"]
        ours = sum(self.used(part) for part in [*parts, "mail", "interrupts"])
        other = max(self.used("machine") - ours, 0.0)
        per_request = "  ".join(
            f"{part} {1000 * self.used(part) / requests:.3f}" for part in parts if self.used(part) > 0.005
        )
        cores = os.cpu_count() or 1
        return (
            f"    load average {self.load_before[0]:.2f} -> {self.load_after[0]:.2f} (1 min); cores busy "
            f"{100 * self.used('machine') / (wall * cores):.0f}% of {cores} over {wall:.1f} s, of which "
            f"interrupts {100 * self.used('interrupts') / (wall * cores):.0f}%, "
            f"other work on the machine {100 * other / (wall * cores):.0f}%\n"
            f"    CPU ms per request: {per_request or 'n/a'}"
        )


# --- Checks --------------------------------------------------------------------------------


def fetch(url: str, header: str = "") -> tuple[int, dict[str, str], bytes]:
    """GET `url`, with one extra "Name: value" header if given."""
    name, _, value = header.partition(":")
    request = urllib.request.Request(url, headers={name.strip(): value.strip()} if header else {})  # noqa: S310 (our own loopback URL)
    try:
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 (our own loopback URL)
            return response.status, {k.lower(): v for k, v in response.headers.items()}, response.read()
    except urllib.error.HTTPError as error:
        return error.code, {k.lower(): v for k, v in error.headers.items()}, error.read()


def prepare_pages(base: str, slug: str, env: dict[str, str], skip_prerender: bool) -> None:
    """Pre-render (manage.py prerender --all), copy the page for the static yardstick, and
    check that nginx serves both files byte for byte."""
    if not skip_prerender:
        done = subprocess.run(
            [str(REPO / ".venv" / "bin" / "python"), "manage.py", "prerender", "--all"],
            cwd=REPO,
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
        )
        if done.returncode:
            sys.exit(f"manage.py prerender --all failed:\n{done.stdout}{done.stderr}")
        print("manage.py prerender --all: " + "; ".join(done.stdout.split("\n")).strip("; "))
    page = Path(env["PRERENDER_ROOT"]) / "campaigns" / slug / "index.html"
    if not page.exists():
        sys.exit(f"{page} does not exist: is the campaign {slug!r} published?")
    copy_dir = Path(env["HUB_VAR_DIR"]) / "bench-static"
    copy_dir.mkdir(parents=True, exist_ok=True)
    copy = copy_dir / "copy.html"
    shutil.copyfile(page, copy)
    copy.chmod(0o644)
    content = copy.read_bytes()

    status, headers, body = fetch(f"{base}/bench-static/copy.html")
    if status != 200 or body != content:
        sys.exit(
            f"GET /bench-static/copy.html answered {status}, not the copy: restart the stack "
            "(make prod-local) so that nginx has the bench's location of scripts/prod-local.sh"
        )
    status, headers, body = fetch(f"{base}/campaigns/{slug}/")
    if status != 200 or "etag" not in headers or "vary" in headers or body != content:
        sys.exit(f"GET /campaigns/{slug}/ did not come from the pre-rendered file (HTTP {status}, {headers})")
    print(f"pre-rendered page and its copy: {len(content)} bytes each, served by nginx")


def check_django(url: str, header: str = "") -> None:
    """The query string must send the page to Django (no ETag: not a file nginx served)."""
    status, headers, body = fetch(url, header)
    if status != 200 or "etag" in headers or b"<html" not in body:
        sys.exit(f"GET {url} did not reach Django (HTTP {status}, {headers})")
    print(f"Django's page{' (' + header + ')' if header else ''}: {len(body)} bytes")


# --- wrk -------------------------------------------------------------------------------------


def run_wrk(name: str, url: str, args: argparse.Namespace, header: str = "") -> dict[str, float]:
    if args.warmup:
        wrk(url, args.warmup, args.connections, args.wrk_threads, header)
    window = Window.open()
    figures = wrk(url, args.duration, args.connections, args.wrk_threads, header)
    window.close()
    print(
        f"  {name:12} {figures['rps']:9.1f} req/s  p50 {figures['p50']:8.2f} ms  p99 {figures['p99']:8.2f} ms  "
        f"errors {figures['errors']}  ({figures['requests']} requests in {args.duration} s)",
        flush=True,
    )
    print(window.report(figures["requests"]), flush=True)
    figures["load"] = window.load_before[0]
    return figures


# --- Sign-ups --------------------------------------------------------------------------------


def run_signups(base: str, slug: str, env: dict[str, str], args: argparse.Namespace) -> dict[str, float]:
    """Sign-ups through nginx from keep-alive clients; then every success is looked up."""
    os.environ.update(env)
    import django

    django.setup()
    from django.db import connection

    from bench import social_signup_load as signup_bench
    from bench.throwaway_db import percentile
    from hub.core.models import OutboxMessage
    from hub.social.models import Moment, Supporter
    from hub.social.moments import signup_closed_reason

    moment = Moment.objects.filter(campaign__slug=slug).first()
    if moment is None:
        sys.exit(f"The campaign {slug!r} has no supporter moment")
    closed = signup_closed_reason(moment)
    if closed:
        sys.exit(f"Sign-ups to the moment of {slug!r} are closed: {closed}")
    run_id = uuid.uuid4().hex[:8]
    prefix = f"spike-{run_id}-"
    emails = [email.replace("supporter", prefix, 1) for email in signup_bench.signup_emails(args.posts)]
    before = Supporter.objects.filter(moment=moment).count()
    connection.close()

    path = f"/campaigns/{slug}/moment/"
    window = Window.open()
    results, released = signup_bench.load(base, path, emails, args.clients)
    window.close()

    errors = [error for result in results for error in result.errors]
    failed = {error.split(" ", 2)[1].rstrip(":") for error in errors if error.startswith("POST ")}
    posted = emails[: sum(len(result.latencies_ms) for result in results)]
    succeeded = set(posted) - failed
    rows = set(Supporter.objects.filter(moment=moment, email__startswith=prefix).values_list("email", flat=True))
    missing = succeeded - rows
    after = Supporter.objects.filter(moment=moment).count()
    pending = OutboxMessage.objects.filter(state__in=["pending", "sending"]).count()
    latencies = sorted(ms for result in results for ms in result.latencies_ms)
    wall = max(result.finished_at for result in results) - released
    print(
        f"  {'signup':12} {len(latencies) / wall:9.1f} req/s  p50 {percentile(latencies, 50):8.2f} ms  "
        f"p99 {percentile(latencies, 99):8.2f} ms  errors {len(errors)}  "
        f"({len(latencies)} POSTs in {wall:.1f} s, {args.clients} clients, {connection.vendor})"
    )
    print(window.report(max(len(latencies), 1)))
    print(
        f"    supporters: {len(succeeded)} distinct emails answered with success, {len(rows)} of them in the "
        f"database, missing {len(missing)}; the moment went from {before} to {after} supporters; "
        f"{pending} emails still queued for the worker"
    )
    kinds: dict[str, int] = {}
    for error in errors:  # "POST email: HTTP 504", "POST email: BrokenPipeError: ...", "GET: RuntimeError: ..."
        method, _, rest = error.partition(" " if error.startswith("POST ") else ": ")
        detail = rest.split(": ", 1)[1] if method == "POST" else rest
        what = f"HTTP {detail.rsplit('HTTP ', 1)[1]}" if "HTTP " in detail else detail.split(":")[0]
        kind = f"{method} {what}"
        kinds[kind] = kinds.get(kind, 0) + 1
    slow = sum(ms > 5000 for ms in latencies)
    print(
        f"    errors by kind: {', '.join(f'{n} {kind}' for kind, n in sorted(kinds.items())) or 'none'}; "
        f"POSTs answered after more than 5 s: {slow}"
    )
    return {
        "rps": len(latencies) / wall,
        "p50": percentile(latencies, 50),
        "p99": percentile(latencies, 99),
        "errors": len(errors),
        "missing": len(missing),
        "load": window.load_before[0],
    }


# --- Main -------------------------------------------------------------------------------------


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--base-url", default="", help="the stack's nginx (default http://127.0.0.1:PROD_LOCAL_PORT)")
    parser.add_argument("--slug", default="cseday18", help="the campaign (default cseday18)")
    parser.add_argument("--duration", type=int, default=15, help="seconds of wrk per measurement (default 15)")
    parser.add_argument("--warmup", type=int, default=2, help="seconds of wrk before each (default 2)")
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--wrk-threads", type=int, default=2)
    parser.add_argument("--posts", type=int, default=2000, help="sign-up POSTs in all (default 2000)")
    parser.add_argument("--clients", type=int, default=64, help="sign-up clients (default 64)")
    parser.add_argument("--rounds", type=int, default=2, help="turns of static and pre-rendered each (default 2)")
    parser.add_argument("--only", nargs="*", choices=MEASURES, help=f"measurements to run (default all: {MEASURES})")
    parser.add_argument("--skip-prerender", action="store_true", help="use the pre-rendered file as it is")
    args = parser.parse_args()
    chosen = args.only or list(MEASURES)

    if not shutil.which("wrk"):
        sys.exit("wrk is missing: apt-get install -y wrk (make prod-local does)")
    env = stack_env()
    base = (args.base_url or f"http://127.0.0.1:{os.environ.get('PROD_LOCAL_PORT', '8080')}").rstrip("/")
    try:
        fetch(f"{base}/")
    except OSError as error:
        sys.exit(f"Nothing answers at {base} ({error}): start the stack first (make prod-local)")

    print(
        f"Campaign-day spike on {base} ({os.cpu_count()} cores), {time.strftime('%Y-%m-%d %H:%M:%S %Z')}, "
        f"load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}"
    )
    if {"static", "prerendered"} & set(chosen):
        prepare_pages(base, args.slug, env, args.skip_prerender)
    print(f"wrk: {args.connections} connections, {args.wrk_threads} threads, {args.duration} s after {args.warmup} s")
    results: dict[str, dict[str, float]] = {}
    urls = {
        "static": f"{base}/bench-static/copy.html",
        "prerendered": f"{base}/campaigns/{args.slug}/",
        "django": f"{base}/campaigns/{args.slug}/?bench=django",
        "django-render": f"{base}/campaigns/{args.slug}/?bench=django",
    }
    headers = {"django-render": RENDER_EVERY_TIME}
    for name in ("django", "django-render"):
        if name in chosen:
            check_django(urls[name], headers.get(name, ""))
    # nginx-static and the pre-rendered page take turns, in the order A B B A ..., so that other
    # work on the machine, which comes and goes, falls on both alike.
    pair = [name for name in ("static", "prerendered") if name in chosen]
    turns: dict[str, list[dict[str, float]]] = {name: [] for name in pair}
    for round_number in range(args.rounds):
        for name in pair if round_number % 2 == 0 else pair[::-1]:
            turns[name].append(run_wrk(f"{name} #{round_number + 1}", urls[name], args))
    for name, runs in turns.items():
        results[name] = {
            "rps": sum(run["rps"] for run in runs) / len(runs),
            "p50": max(run["p50"] for run in runs),
            "p99": max(run["p99"] for run in runs),
        }
    for name in chosen:
        if name == "signup":
            results[name] = run_signups(base, args.slug, env, args)
        elif name in ("django", "django-render"):
            results[name] = run_wrk(name, urls[name], args, headers.get(name, ""))

    print("\nAgainst the targets of issue 8:")
    if "static" in results and "prerendered" in results:
        ratio = results["prerendered"]["rps"] / results["static"]["rps"]
        p99 = results["prerendered"]["p99"]
        print(
            f"  pre-rendered / nginx-static = {results['prerendered']['rps']:.0f} / {results['static']['rps']:.0f} "
            f"(mean req/s of the turns) = {ratio:.3f} (target >= 0.8: {'met' if ratio >= 0.8 else 'NOT met'}); "
            f"pre-rendered p99 {p99:.2f} ms, the worst turn (target < 20 ms: {'met' if p99 < 20 else 'NOT met'})"
        )
    if "django" in results:
        rps, p99 = results["django"]["rps"], results["django"]["p99"]
        print(
            f"  page served by Django (its page cache) {rps:.1f} req/s, p99 {p99:.2f} ms "
            f"(target >= 1000 req/s: {'met' if rps >= 1000 else 'NOT met'})"
        )
    if "django-render" in results:
        print(f"  page rendered by Django for every request {results['django-render']['rps']:.1f} req/s (no target)")
    if "signup" in results:
        signup = results["signup"]
        print(
            f"  sign-ups {signup['rps']:.1f} req/s, p99 {signup['p99']:.0f} ms, errors {signup['errors']} "
            f"(target 0: {'met' if not signup['errors'] else 'NOT met'}), missing from the database {signup['missing']}"
        )
        if signup["missing"]:
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
