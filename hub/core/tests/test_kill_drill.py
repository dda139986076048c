"""kill -9 drill of the web server (issue 8, part 4a), on SQLite and PostgreSQL.

The production web server (deploy/hub-web.sh: granian, here with 2 worker
processes on a free loopback port) serves the test database. Many clients at
once fill in the public forms as people do, getting the page (CSRF cookie and
token) then posting it: supporter sign-ups for a campaign's moment, bookings on
a training session, and pledges with a photo. Meanwhile worker processes are
killed with SIGKILL at random moments (granian starts new ones), and once the
whole server is killed and started again. A client whose connection breaks
counts a failure and carries on.

Afterwards every submission that got a success answer (the redirect to its
confirmation page) is in the database, exactly once, and the confirmation link
it was given leads to it. What happened to a submission whose answer was lost is
not known to its sender, so it may or may not be there (never twice)."""

import contextlib
import io
import os
import random
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import requests
from django.conf import settings
from django.db import connection
from django.db.models import Count
from django.urls import reverse
from PIL import Image

from hub.accounts.models import Sector
from hub.campaigns.tests.factories import CampaignFactory
from hub.social.models import Pledge, Supporter
from hub.social.tests.factories import MomentFactory
from hub.training.models import Booking
from hub.training.tests.factories import SessionFactory

CLIENTS = 16
WORKERS = 2
DRILL_SECONDS = 20
# granian exits instead of starting a worker again when it dies within 5.5 s of its
# last start (a crash loop; hub-web.service then restarts the server). The drill kills
# a worker once it has run this long, so granian's own respawn is what gets drilled,
# after a random pause; and once, half way through, the whole server.
WORKER_MIN_AGE = 6.0
KILL_EVERY = (0.3, 1.5)
WHOLE_SERVER_KILL_AT = 0.5  # of DRILL_SECONDS
TIMEOUT = (5, 30)  # connect, read (seconds)
CSRF_TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
KINDS = ("supporter", "booking", "pledge")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (120, 90), (200, 150, 120)).save(buffer, format="PNG")
    return buffer.getvalue()


def _children(pid: int) -> dict[int, float]:
    """Live child processes of pid (granian's workers), from /proc: {pid: seconds since it started}."""
    uptime = float(Path("/proc/uptime").read_text().split()[0])
    ticks = os.sysconf("SC_CLK_TCK")
    found = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        fields = stat.rsplit(")", 1)[1].split()  # from the third field, the state, on
        if int(fields[1]) == pid and fields[0] not in ("Z", "X"):
            found[int(entry)] = uptime - int(fields[19]) / ticks
    return found


# --- The server -------------------------------------------------------------------------------


def _server_env(port: int, tmp_path: Path) -> dict:
    database = connection.settings_dict
    env = {key: value for key, value in os.environ.items() if key not in ("DATABASE_URL", "DJANGO_SETTINGS_MODULE")}
    env.update(
        DJANGO_SETTINGS_MODULE="hub.core.tests.drill_settings",
        WEB_BIND=f"127.0.0.1:{port}",
        WEB_WORKERS=str(WORKERS),
        HUB_VENV=sys.prefix,
        DRILL_MEDIA_ROOT=str(tmp_path / "media"),
        PRERENDER_ROOT=str(tmp_path / "prerendered"),
        LOG_LEVEL="WARNING",
    )
    if connection.vendor == "sqlite":
        env["DRILL_SQLITE_PATH"] = str(database["NAME"])
    else:
        credentials = f"{database['USER']}:{database['PASSWORD'] or ''}"
        env["DATABASE_URL"] = f"postgres://{credentials}@{database['HOST']}:{database['PORT']}/{database['NAME']}"
    return env


class Server:
    """deploy/hub-web.sh in its own process group, so all of it can be killed at once."""

    def __init__(self, env: dict, log_path: Path) -> None:
        self.env = env
        self.log = log_path.open("ab")
        self.process: subprocess.Popen | None = None
        self.starts = 0

    def start(self) -> None:
        self.process = subprocess.Popen(
            ["sh", str(settings.BASE_DIR / "deploy" / "hub-web.sh")],
            cwd=settings.BASE_DIR,
            env=self.env,
            stdout=self.log,
            stderr=self.log,
            start_new_session=True,
        )
        self.starts += 1

    def workers(self) -> dict[int, float]:
        return _children(self.process.pid) if self.process else {}

    def kill_all(self) -> None:
        """SIGKILL to granian's main process and every worker."""
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=30)

    def stop(self) -> None:
        if self.process is None:
            return
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.process.wait(timeout=10)
        self.kill_all()  # anything left of the group, even after a clean exit
        self.log.close()


def _wait_until_serving(server: Server, url: str, log_path: Path) -> None:
    deadline = time.monotonic() + 60
    while True:
        assert server.process.poll() is None, f"the server exited:\n{log_path.read_text()[-3000:]}"
        try:
            if requests.get(url, timeout=TIMEOUT).status_code == 200:
                return
        except requests.RequestException:
            pass
        assert time.monotonic() < deadline, f"the server did not start:\n{log_path.read_text()[-3000:]}"
        time.sleep(0.2)


# --- The clients ------------------------------------------------------------------------------


@dataclass
class Tally:
    lock: threading.Lock = field(default_factory=threading.Lock)
    # kind -> [(key, confirmation token or "")], for answers that said it was done
    successes: dict[str, list[tuple[str, str]]] = field(default_factory=lambda: {kind: [] for kind in KINDS})
    # kind -> keys posted whose answer never came (outcome unknown to the sender)
    lost_answers: dict[str, list[str]] = field(default_factory=lambda: {kind: [] for kind in KINDS})
    page_failures: int = 0
    unexpected: list[str] = field(default_factory=list)

    def count(self, what: dict) -> int:
        return sum(len(items) for items in what.values())


@dataclass(frozen=True)
class Targets:
    base: str
    moment_url: str
    session_url: str
    pledge_url: str
    pledge_sent_url: str
    png: bytes


def _submission(kind: str, client: int, number: int, targets: Targets) -> tuple[str, str, dict, dict | None]:
    """(key, form URL, form data, files) of one person's submission; the key is unique to it."""
    if kind == "supporter":
        email = f"drill-supporter-{client}-{number}@example.org"
        data = {"first_name": f"Sup{client}", "email": email, "x_handle": f"@kd{client}_{number}", "x_followers": "50"}
        return email, targets.moment_url, data, None
    if kind == "booking":
        email = f"drill-booking-{client}-{number}@example.org"
        data = {
            "name": f"Delegate {client} {number}",
            "email": email,
            "organisation_name": "Seaside Taxis",
            "sector": Sector.BUSINESS,
            "job_role": "Taxi driver",
            "business_type": "",
            "access_needs": "",
        }
        return email, targets.session_url, data, None
    message = f"Drill pledge {client}-{number}"
    data = {
        "first_name": f"Pledger{client}",
        "message": message,
        "consent_to_publish": "on",
        "confirmed_no_child": "on",
    }
    return message, targets.pledge_url, data, {"photo": ("pledge.png", targets.png, "image/png")}


def _confirmation_token(kind: str, location: str, targets: Targets) -> str | None:
    """The token in a success redirect, "" for pledges (no token), None if it is not a success."""
    path = location.removeprefix(targets.base)
    if kind == "pledge":
        return "" if path == targets.pledge_sent_url else None
    prefix = "/moment/supporters/" if kind == "supporter" else "/training/bookings/"
    match = re.fullmatch(re.escape(prefix) + r"([\w-]+)/", path)
    return match[1] if match else None


def _client(client: int, targets: Targets, tally: Tally, stop: threading.Event) -> None:
    number = 0
    http = requests.Session()
    try:
        while not stop.is_set():
            number += 1
            if not _submit(client, number, http, targets, tally):
                # The connection broke: a new one, after a moment (the server may be starting again).
                http.close()
                http = requests.Session()
                time.sleep(0.1)
    finally:
        http.close()  # no idle keep-alive connection holds up the server's graceful stop


def _submit(client: int, number: int, http: requests.Session, targets: Targets, tally: Tally) -> bool:
    """One person's visit: the form page, then the submission. False if the connection broke."""
    kind = KINDS[(client + number) % len(KINDS)]
    key, url, data, files = _submission(kind, client, number, targets)
    try:
        page = http.get(targets.base + url, timeout=TIMEOUT)
    except requests.RequestException:
        with tally.lock:
            tally.page_failures += 1
        return False
    token = CSRF_TOKEN.search(page.text)
    if page.status_code != 200 or token is None:
        with tally.lock:
            tally.unexpected.append(f"GET {url}: {page.status_code}")
        return True
    try:
        answer = http.post(
            targets.base + url,
            data={**data, "csrfmiddlewaretoken": token[1]},
            files=files,
            allow_redirects=False,
            timeout=TIMEOUT,
        )
    except requests.RequestException:
        with tally.lock:
            tally.lost_answers[kind].append(key)
        return False
    confirmation = None
    if answer.status_code == 302:
        confirmation = _confirmation_token(kind, answer.headers.get("Location", ""), targets)
    with tally.lock:
        if confirmation is None:
            tally.unexpected.append(f"POST {url}: {answer.status_code} {answer.headers.get('Location', '')}")
        else:
            tally.successes[kind].append((key, confirmation))
    return True


# --- The killer -------------------------------------------------------------------------------


@dataclass
class Kills:
    workers: int = 0
    whole_server: int = 0
    gave_up: int = 0  # granian's main process exited (its crash loop guard); started again, as systemd does


def _killer(server: Server, kills: Kills, stop: threading.Event, started: float) -> None:
    rng = random.Random()
    next_kill = time.monotonic() + rng.uniform(*KILL_EVERY)
    whole_server_done = False
    while not stop.wait(0.1):
        if server.process.poll() is not None:
            # granian gives up when a worker dies again within seconds of being started
            # (hub-web.service then restarts it): start the whole server again.
            server.start()
            kills.gave_up += 1
            continue
        if time.monotonic() < next_kill:
            continue
        next_kill = time.monotonic() + rng.uniform(*KILL_EVERY)
        if not whole_server_done and time.monotonic() - started > DRILL_SECONDS * WHOLE_SERVER_KILL_AT:
            whole_server_done = True
            server.kill_all()
            kills.whole_server += 1
            server.start()
            continue
        ready = [worker for worker, age in server.workers().items() if age > WORKER_MIN_AGE]
        if ready:
            try:
                os.kill(rng.choice(ready), signal.SIGKILL)
            except ProcessLookupError:
                continue
            kills.workers += 1


# --- The drill --------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_web_server_killed_with_sigkill_loses_no_answered_submission(tmp_path):
    moment = MomentFactory(goal=100_000)
    pledge_campaign = CampaignFactory(published=True)
    session = SessionFactory(capacity=150)  # some bookings confirmed, the rest on the waiting list

    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    targets = Targets(
        base=base,
        moment_url=reverse("social:moment", kwargs={"slug": moment.campaign.slug}),
        session_url=reverse("training:session_detail", kwargs={"pk": session.pk}),
        pledge_url=reverse("social:pledge_create", kwargs={"slug": pledge_campaign.slug}),
        pledge_sent_url=reverse("social:pledge_sent", kwargs={"slug": pledge_campaign.slug}),
        png=_png(),
    )
    log_path = tmp_path / "server.log"
    server = Server(_server_env(port, tmp_path), log_path)
    tally, kills = Tally(), Kills()
    stop_clients, stop_killer = threading.Event(), threading.Event()
    clients: list[threading.Thread] = []
    killer = None
    began = time.monotonic()
    try:
        server.start()
        _wait_until_serving(server, base + targets.session_url, log_path)
        clients = [
            threading.Thread(target=_client, args=(number, targets, tally, stop_clients), daemon=True)
            for number in range(CLIENTS)
        ]
        for thread in clients:
            thread.start()
        started = time.monotonic()
        killer = threading.Thread(target=_killer, args=(server, kills, stop_killer, started), daemon=True)
        killer.start()
        time.sleep(DRILL_SECONDS)
        stop_killer.set()
        killer.join(timeout=60)
        # The last few seconds without kills: the clients see the server working again.
        time.sleep(2)
        stop_clients.set()
        for thread in clients:
            thread.join(timeout=60)
        assert not any(thread.is_alive() for thread in clients), "a client did not finish"
    finally:
        stop_killer.set()
        stop_clients.set()
        if killer is not None:
            killer.join(timeout=60)
        server.stop()
    elapsed = time.monotonic() - began

    successes, lost = tally.count(tally.successes), tally.count(tally.lost_answers)
    lost_stored = (
        Supporter.objects.filter(email__in=tally.lost_answers["supporter"]).count()
        + Booking.objects.filter(email__in=tally.lost_answers["booking"]).count()
        + Pledge.objects.filter(message__in=tally.lost_answers["pledge"]).count()
    )
    summary = (
        f"{connection.vendor}: {successes} answered submissions "
        f"({', '.join(f'{len(v)} {k}' for k, v in tally.successes.items())}), "
        f"{kills.workers} workers and {kills.whole_server} whole server killed, "
        f"granian gave up {kills.gave_up} times, {lost} posts whose answer was lost "
        f"({lost_stored} of them stored), "
        f"{tally.page_failures} form pages not loaded, {elapsed:.1f} s"
    )
    print(summary)
    server_log = log_path.read_text(errors="replace")[-4000:]

    # Every answered submission is there, once, and its confirmation link leads to it.
    answered_supporters = dict(tally.successes["supporter"])
    stored_supporters = dict(Supporter.objects.filter(email__in=answered_supporters).values_list("email", "token"))
    missing = {email for email, token in answered_supporters.items() if stored_supporters.get(email) != token}
    assert not missing, f"answered sign-ups not stored: {sorted(missing)[:10]}\n{summary}\n{server_log}"
    answered_bookings = dict(tally.successes["booking"])
    stored_bookings = dict(Booking.objects.filter(email__in=answered_bookings).values_list("email", "token"))
    missing = {email for email, token in answered_bookings.items() if stored_bookings.get(email) != token}
    assert not missing, f"answered bookings not stored: {sorted(missing)[:10]}\n{summary}\n{server_log}"
    answered_pledges = {message for message, _ in tally.successes["pledge"]}
    stored_pledges = set(Pledge.objects.filter(message__in=answered_pledges).values_list("message", flat=True))
    assert answered_pledges <= stored_pledges, (
        f"answered pledges not stored: {sorted(answered_pledges - stored_pledges)[:10]}\n{summary}\n{server_log}"
    )

    # Nothing twice, answered or not.
    for model, key in ((Supporter, "email"), (Booking, "email"), (Pledge, "message")):
        repeated = model.objects.values(key).annotate(rows=Count("pk")).filter(rows__gt=1)
        assert not repeated.exists(), f"{model.__name__} stored twice: {list(repeated[:5])}"
    # The only rows are those sent (answered, or whose answer was lost).
    sent = {kind: {key for key, _ in tally.successes[kind]} | set(tally.lost_answers[kind]) for kind in KINDS}
    assert set(Supporter.objects.values_list("email", flat=True)) <= sent["supporter"]
    assert set(Booking.objects.values_list("email", flat=True)) <= sent["booking"]
    assert set(Pledge.objects.values_list("message", flat=True)) <= sent["pledge"]

    # The drill drilled: granian started killed workers again, the whole server was killed and
    # started again, submissions were cut off in flight, and the service carried on.
    assert not tally.unexpected, f"answers other than success: {Counter(tally.unexpected).most_common(5)}\n{summary}"
    assert kills.workers >= 2 and kills.whole_server == 1, summary
    assert lost >= 1, f"no submission was cut off by a kill: {summary}"
    assert successes >= 50 and all(tally.successes[kind] for kind in KINDS), summary
