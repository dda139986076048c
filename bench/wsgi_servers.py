"""Which WSGI server for production: gunicorn (sync, gthread) against granian (WSGI), behind nginx.

Runs against the production layout of `make prod-local`: config.settings.production on
its PostgreSQL with Django's connection pool, the demo data, and nginx from Debian with
the configuration of deploy/nginx (rendered by `scripts/prod-local.sh render-nginx`).
For each server configuration it starts the server on a unix socket of its own, an nginx
on 127.0.0.1:8090 proxying to it (its pre-rendered directory empty, so every page is
rendered by Django), warms up, then runs wrk with 64 connections on each URL and prints
requests/s, p50 and p99 (wrk's latency distribution) and errors (non-2xx answers, socket
errors). The servers take turns for several rounds, so that other work on the machine
falls on all of them alike; the table gives the median of the rounds, and last the
fastest configuration: the highest geometric mean over the URLs of the median requests/s.

Needs the database of the stack: run `scripts/prod-local.sh prepare` first (PostgreSQL
and the demo data, no servers; or `make prod-local`, though its own servers and minute
tasks then share the cores). Run as root, on an otherwise quiet machine:

    .venv/bin/python bench/wsgi_servers.py
    .venv/bin/python bench/wsgi_servers.py --duration 30 --only granian-w2-t4 gunicorn-sync-w5
"""

import argparse
import contextlib
import math
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
ROOT = REPO / "var" / "prod-local"
BENCH_DIR = ROOT / "bench-wsgi"
SOCKET = BENCH_DIR / "web.sock"
VENV_BIN = REPO / ".venv" / "bin"
PORT = 8090
URLS = ["/campaigns/cseday18/", "/api/v1/campaigns"]


@dataclass(frozen=True)
class Server:
    name: str
    argv: list[str]
    pool_max: int  # connections each process may hold: one per thread that runs Django
    note: str


def servers() -> list[Server]:
    bind = f"unix:{SOCKET}"
    gunicorn = [str(VENV_BIN / "gunicorn"), "config.wsgi:application", "--bind", bind]
    granian = [str(VENV_BIN / "granian"), "--interface", "wsgi", "config.wsgi:application", "--uds", str(SOCKET)]
    return [
        Server("gunicorn-sync-w3", [*gunicorn, "--workers", "3"], 1, "gunicorn, 3 sync workers"),
        Server("gunicorn-sync-w5", [*gunicorn, "--workers", "5"], 1, "gunicorn, 5 sync workers (2 x cores + 1)"),
        Server(
            "gunicorn-gthread-w3-t4",
            [*gunicorn, "--workers", "3", "--worker-class", "gthread", "--threads", "4"],
            4,
            "gunicorn, 3 gthread workers x 4 threads",
        ),
        Server(
            "granian-w2-t4",
            [*granian, "--workers", "2", "--blocking-threads", "4", "--backpressure", "8"],
            4,
            "granian WSGI, 2 workers x 4 blocking threads",
        ),
        Server(
            "granian-w3-t2",
            [*granian, "--workers", "3", "--blocking-threads", "2", "--backpressure", "4"],
            2,
            "granian WSGI, 3 workers x 2 blocking threads",
        ),
        Server(
            "granian-w5-t1",
            [*granian, "--workers", "5", "--blocking-threads", "1", "--backpressure", "2"],
            1,
            "granian WSGI, 5 workers x 1 blocking thread",
        ),
    ]


def stack_env() -> dict[str, str]:
    env_file = ROOT / "env"
    if not env_file.exists():
        sys.exit("No var/prod-local/env: run `scripts/prod-local.sh prepare` (or make prod-local) first.")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DB_POOL"))}
    for line in env_file.read_text().splitlines():
        if line and not line.startswith("#") and "=" in line:
            key, _, value = line.partition("=")
            env[key] = value
    return env


def database_up(env: dict[str, str]) -> bool:
    check = subprocess.run(
        [str(VENV_BIN / "python"), "-c", "import os, psycopg; psycopg.connect(os.environ['DATABASE_URL']).close()"],
        env=env,
        capture_output=True,
        timeout=30,
    )
    return check.returncode == 0


def start_nginx() -> subprocess.Popen:
    nginx_dir = BENCH_DIR / "nginx"
    empty = BENCH_DIR / "prerendered-empty"
    empty.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        [str(REPO / "scripts" / "prod-local.sh"), "render-nginx", str(nginx_dir), "local"],
        env={
            **os.environ,
            "NGINX_LISTEN": f"127.0.0.1:{PORT}",
            "WEB_SOCKET": str(SOCKET),
            "PRERENDER_DIR": str(empty),
            "NGINX_ACCESS_LOG": "off",
            "PROD_LOCAL_PORT": str(PORT),
        },
        check=True,
    )
    conf = nginx_dir / "nginx.conf"
    subprocess.run(["nginx", "-t", "-q", "-p", str(nginx_dir), "-c", str(conf)], check=True)
    return subprocess.Popen(
        ["nginx", "-p", str(nginx_dir), "-c", str(conf), "-g", "daemon off;"], start_new_session=True
    )


def stop(process: subprocess.Popen, sig: int = signal.SIGTERM) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, sig)
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait()


def wait_ready(url: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310 (our own loopback URL)
                if response.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.3)
    raise RuntimeError(f"{url} did not answer 200 in {seconds:.0f} s")


UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0}


def to_ms(text: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s)", text).groups()
    return float(number) * UNITS[unit]


def wrk(url: str, duration: int, connections: int, threads: int, header: str = "") -> dict[str, float]:
    extra = ["--header", header] if header else []
    output = subprocess.run(
        ["wrk", f"-t{threads}", f"-c{connections}", f"-d{duration}s", "--timeout", "10s", "--latency", *extra, url],
        capture_output=True,
        text=True,
        check=True,
        timeout=duration + 60,
    ).stdout
    result = {
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1)),
        "p50": to_ms(re.search(r"^\s+50%\s+(\S+)", output, re.M).group(1)),
        "p99": to_ms(re.search(r"^\s+99%\s+(\S+)", output, re.M).group(1)),
        "requests": int(re.search(r"(\d+) requests in", output).group(1)),
        "errors": 0,
    }
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    socket_errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output)
    result["errors"] = (int(non_2xx.group(1)) if non_2xx else 0) + (
        sum(int(n) for n in socket_errors.groups()) if socket_errors else 0
    )
    return result


def measure(server: Server, env: dict[str, str], args: argparse.Namespace, into: dict[str, list]) -> None:
    """Start the server, wrk each URL (after a warm-up), stop the server."""
    server_env = {**env, "DB_POOL_MIN": "1", "DB_POOL_MAX": str(server.pool_max)}
    log = (BENCH_DIR / f"{server.name}.log").open("w")
    process = subprocess.Popen(
        server.argv, cwd=REPO, env=server_env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
    )
    try:
        try:
            wait_ready(f"http://127.0.0.1:{PORT}{URLS[0]}")
        except RuntimeError as error:
            print(f"   did not start ({error}); see {log.name}", flush=True)
            return
        for path in URLS:
            url = f"http://127.0.0.1:{PORT}{path}"
            wrk(url, args.warmup, args.connections, args.wrk_threads)
            figures = wrk(url, args.duration, args.connections, args.wrk_threads)
            into[path].append(figures)
            print(
                f"   {path:24} {figures['rps']:8.1f} req/s  p50 {figures['p50']:7.1f} ms  "
                f"p99 {figures['p99']:7.1f} ms  errors {figures['errors']}",
                flush=True,
            )
    finally:
        stop(process)
        log.close()
        SOCKET.unlink(missing_ok=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=int, default=10, help="seconds of wrk per URL (default 10)")
    parser.add_argument("--rounds", type=int, default=3, help="rounds, each server once a round (default 3)")
    parser.add_argument("--warmup", type=int, default=3, help="seconds of wrk before measuring (default 3)")
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--wrk-threads", type=int, default=2)
    parser.add_argument("--only", nargs="*", help="configuration names to run (default: all)")
    args = parser.parse_args()

    for tool in ("nginx", "wrk"):
        if not shutil.which(tool):
            sys.exit(f"{tool} is missing: apt-get install -y {tool} (make prod-local does)")
    env = stack_env()
    if not database_up(env):
        sys.exit("The stack's PostgreSQL does not answer: run `scripts/prod-local.sh prepare` first.")
    chosen = [s for s in servers() if not args.only or s.name in args.only]

    BENCH_DIR.mkdir(parents=True, exist_ok=True)
    SOCKET.unlink(missing_ok=True)
    nginx = start_nginx()
    # results[server][url] = the figures of each round
    results: dict[str, dict[str, list[dict[str, float]]]] = {}
    try:
        for round_number in range(1, args.rounds + 1):
            for server in chosen:
                print(f"== round {round_number}, {server.name}: {server.note}", flush=True)
                measure(server, env, args, results.setdefault(server.name, {path: [] for path in URLS}))
    finally:
        stop(nginx, signal.SIGQUIT)

    print(
        f"\n{args.connections} connections through nginx, {args.duration} s per URL, {os.cpu_count()} cores; "
        f"median of {args.rounds} round(s), the servers taking turns"
    )
    print(f"{'server':24}" + "".join(f" | {path:>36}" for path in URLS))
    print(f"{'':24}" + " | {:>9} {:>8} {:>8} {:>8}".format("req/s", "p50 ms", "p99 ms", "errors") * len(URLS))
    medians = {}
    for name, by_url in results.items():
        if any(not runs for runs in by_url.values()):
            print(f"{name:24} | did not start")
            continue
        medians[name] = {
            path: {key: statistics.median(run[key] for run in runs) for key in ("rps", "p50", "p99")}
            | {"errors": sum(run["errors"] for run in runs)}
            for path, runs in by_url.items()
        }
        cells = "".join(
            f" | {f['rps']:9.1f} {f['p50']:8.1f} {f['p99']:8.1f} {f['errors']:8d}" for f in medians[name].values()
        )
        print(f"{name:24}{cells}")
    if medians:
        best = max(medians, key=lambda name: math.prod(f["rps"] for f in medians[name].values()))
        print(f"\nFastest (geometric mean over the URLs of the median requests/s): {best}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
