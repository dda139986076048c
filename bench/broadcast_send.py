"""Benchmark: send one personalised bulletin to N contacts through a local SMTP server.

Not a test: it measures. It builds a fresh throwaway database (an SQLite file under
var/, or a database called hub_bench_broadcast on the PostgreSQL server given) with
the training bench's helpers, creates one audience of --messages contacts, a series
and a bulletin whose body is the demo's "Training & Guidance" bulletin (the seed
daily broadcast as Markdown: paragraphs, headings, a numbered list, links), and
starts an aiosmtpd server on 127.0.0.1 that only counts what it is given (messages,
recipients, distinct recipients, bytes) and answers 250 at once.

    DJANGO_SETTINGS_MODULE=config.settings.test .venv/bin/python bench/broadcast_send.py
    DJANGO_SETTINGS_MODULE=config.settings.test .venv/bin/python bench/broadcast_send.py \\
        --database-url postgres://postgres@127.0.0.1:55441/

Then it times, in this order and in the same run:

1. The app: bulletin_send_start (one delivery row per contact, in one transaction;
   the worker's task is queued with django_tasks_db.DatabaseBackend, not run inline)
   and bulletin_deliver_run(bulletin_id=...) in this process, with
   BROADCAST_MAX_PER_SECOND=0 and Django's SMTP backend pointed at the sink. That
   includes, per message, the suppression checks and the delivery's status
   updates (database reads and writes), bulletin_render (templates; the Markdown
   is rendered once and cached), building the multipart message with its
   List-Unsubscribe headers, and the SMTP transfer, one connection per batch.
2. Untimed, then timed separately: the same N messages built by the app's own
   SmtpSession.send with a backend that keeps the bytes instead of sending them
   (render and build only: no database writes, no SMTP). Reported as "render".
3. The bare loop: those bytes sent with smtplib.SMTP.sendmail over one connection
   (connect, EHLO and QUIT included). The SMTP transfer only.

The sink runs in its own process by default (a relay is another machine; here it
takes the second core), or as a thread of this process with --sink thread, as the
test suite's smtp_server fixture does. It prints the figures and the ratio of the
app's rate to the bare loop's, and exits 1 unless the sink received exactly N
messages for N distinct recipients from the app (and N from the bare loop).
--profile FILE runs the app side under cProfile, writes the stats there and prints
the top functions.
"""

import argparse
import cProfile
import multiprocessing
import pstats
import smtplib
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench import throwaway_db  # noqa: E402 (after the path is set)

BENCH_DB_NAME = "hub_bench_broadcast"
SINK_HOST = "127.0.0.1"


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--messages", type=int, default=10_000, help="contacts, so messages (default 10000)")
    parser.add_argument(
        "--batch-size", type=int, default=0, help="deliveries per worker batch (default: sending.BATCH_SIZE)"
    )
    throwaway_db.database_arguments(
        parser, name=BENCH_DB_NAME, sqlite_default=ROOT / "var" / "bench-broadcast-send.sqlite3"
    )
    parser.add_argument(
        "--sink",
        choices=("process", "thread"),
        default="process",
        help="run the SMTP sink in its own process (default) or as a thread of this one",
    )
    parser.add_argument("--profile", default="", help="profile the app side with cProfile, stats to this file")
    parser.add_argument("--keep", action="store_true", help="keep the bench database afterwards")
    args = parser.parse_args(argv)
    if args.messages < 1 or args.batch_size < 0:
        parser.error("--messages must be at least 1 and --batch-size not negative")
    return args


# --- The SMTP sink ----------------------------------------------------------------------


class CountingHandler:
    """aiosmtpd handler: counts, keeps nothing but the addresses, answers 250 at once."""

    def __init__(self) -> None:
        self.reset()

    def reset(self) -> None:
        self.messages = 0
        self.recipients = 0
        self.distinct: set[str] = set()
        self.bytes = 0

    def stats(self) -> dict:
        return {
            "messages": self.messages,
            "recipients": self.recipients,
            "distinct": len(self.distinct),
            "bytes": self.bytes,
        }

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd hook name)
        self.messages += 1
        self.recipients += len(envelope.rcpt_tos)
        self.distinct.update(envelope.rcpt_tos)
        self.bytes += len(envelope.original_content or envelope.content)
        return "250 OK"


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind((SINK_HOST, 0))
        return sock.getsockname()[1]


def _sink_process_main(conn) -> None:
    """The sink's own process: serve, and answer "stats", "reset" and "stop" on the pipe."""
    from aiosmtpd.controller import Controller

    handler = CountingHandler()
    controller = Controller(handler, hostname=SINK_HOST, port=_free_port())
    controller.start()
    conn.send(controller.port)
    try:
        while True:
            command = conn.recv()
            if command == "stats":
                conn.send(handler.stats())
            elif command == "reset":
                handler.reset()
                conn.send(True)
            else:
                break
    finally:
        controller.stop()
        conn.send(True)


class Sink:
    """The counting SMTP server, in a child process or a thread of this one."""

    def __init__(self, mode: str) -> None:
        self.mode = mode
        if mode == "process":
            context = multiprocessing.get_context("spawn")  # not fork: no inherited database connections
            self.conn, child = context.Pipe()
            self.process = context.Process(target=_sink_process_main, args=(child,), daemon=True)
            self.process.start()
            self.port = self.conn.recv()
        else:
            import logging

            from aiosmtpd.controller import Controller

            # aiosmtpd logs every SMTP command at INFO; Django's logging config would print them all.
            logging.getLogger("mail.log").setLevel(logging.WARNING)
            self.handler = CountingHandler()
            self.controller = Controller(self.handler, hostname=SINK_HOST, port=_free_port())
            self.controller.start()
            self.port = self.controller.port

    def _ask(self, command: str):
        self.conn.send(command)
        return self.conn.recv()

    def stats(self) -> dict:
        return self._ask("stats") if self.mode == "process" else self.handler.stats()

    def reset(self) -> None:
        if self.mode == "process":
            self._ask("reset")
        else:
            self.handler.reset()

    def stop(self) -> None:
        if self.mode == "process":
            self._ask("stop")
            self.process.join(timeout=10)
        else:
            self.controller.stop()


# --- The data ---------------------------------------------------------------------------


def bench_data_create(messages: int):
    """One audience of `messages` contacts, a series and a draft bulletin to that audience."""
    import datetime

    from django.db import transaction

    from hub.broadcasts.demo import TRAINING_AND_GUIDANCE
    from hub.broadcasts.models import Audience, Bulletin, Contact, LawfulBasis, Series

    with transaction.atomic():
        audience = Audience.objects.create(name="Frontline staff", slug="frontline-staff")
        Contact.objects.bulk_create(
            [
                Contact(
                    name=f"Safeguarding Lead {n}",
                    email=f"contact{n:06d}@partner.example.org",
                    organisation=f"Partner Organisation {n % 400}",
                    role="Designated safeguarding lead",
                    lawful_basis=LawfulBasis.PUBLIC_TASK,
                )
                for n in range(messages)
            ],
            batch_size=1000,
        )
        through = Contact.audiences.through
        through.objects.bulk_create(
            [through(contact_id=pk, audience_id=audience.pk) for pk in Contact.objects.values_list("pk", flat=True)],
            batch_size=1000,
        )
        series = Series.objects.create(name="CSE Awareness Week", slug="cse-awareness-week")
        bulletin = Bulletin.objects.create(
            series=series,
            day=datetime.date(2018, 3, 13),
            topic="Training & Guidance",
            subject="CSE Awareness Week: training and guidance",
            body_markdown=TRAINING_AND_GUIDANCE,
        )
        bulletin.audiences.set([audience])
    return bulletin


# --- The two sides ----------------------------------------------------------------------


def app_send(bulletin, batch_size: int, profile_path: str) -> tuple[float, float, int]:
    """bulletin_send_start + bulletin_deliver_run. Returns (wall s, CPU s of this process, sent)."""
    from hub.broadcasts.sending import bulletin_deliver_run, bulletin_send_start

    profiler = cProfile.Profile() if profile_path else None
    cpu = time.process_time()
    started = time.perf_counter()
    if profiler:
        profiler.enable()
    bulletin_send_start(bulletin=bulletin)
    sent = bulletin_deliver_run(bulletin_id=bulletin.pk, batch_size=batch_size)
    if profiler:
        profiler.disable()
    wall = time.perf_counter() - started
    cpu = time.process_time() - cpu
    if profiler:
        profiler.dump_stats(profile_path)
        stats = pstats.Stats(profile_path)
        stats.sort_stats("cumulative").print_stats(40)
        stats.sort_stats("tottime").print_stats(25)
    return wall, cpu, sent


def messages_build(bulletin) -> tuple[list[tuple[str, list[str], bytes]], float]:
    """The N messages the app sent, built again by SmtpSession.send itself, with a
    backend that keeps (from, recipients, bytes) as Django's SMTP backend would pass
    them to sendmail. Returns them and the seconds the building took."""
    from django.core.mail.backends.base import BaseEmailBackend
    from django.core.mail.message import sanitize_address

    from hub.broadcasts.models import Bulletin, Delivery
    from hub.broadcasts.sending import SmtpSession

    built: list[tuple[str, list[str], bytes]] = []

    class Keep(BaseEmailBackend):
        def send_messages(self, email_messages):
            for message in email_messages:
                encoding = message.encoding or "utf-8"
                built.append(
                    (
                        sanitize_address(message.from_email, encoding),
                        [sanitize_address(address, encoding) for address in message.recipients()],
                        message.message().as_bytes(linesep="\r\n"),
                    )
                )
            return len(email_messages)

    bulletin = Bulletin.objects.select_related("series").get(pk=bulletin.pk)
    deliveries = list(Delivery.objects.filter(bulletin=bulletin).order_by("pk"))
    session = SmtpSession()
    session.connection = Keep()
    started = time.perf_counter()
    for delivery in deliveries:
        delivery.bulletin = bulletin
        session.send(bulletin, delivery)
    return built, time.perf_counter() - started


def bare_send(port: int, messages: list[tuple[str, list[str], bytes]]) -> tuple[float, float]:
    """The prepared bytes over one smtplib connection. Returns (wall s, CPU s of this process)."""
    from django.core.mail.utils import DNS_NAME

    local_hostname = DNS_NAME.get_fqdn()  # as Django's backend does; resolved before timing
    cpu = time.process_time()
    started = time.perf_counter()
    smtp = smtplib.SMTP(SINK_HOST, port, local_hostname=local_hostname, timeout=60)
    for from_address, recipients, data in messages:
        smtp.sendmail(from_address, recipients, data)
    smtp.quit()
    return time.perf_counter() - started, time.process_time() - cpu


# --- Main -------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    sink = Sink(args.sink)  # before Django: a spawned child inherits nothing of it anyway
    try:
        described = throwaway_db.django_setup(args)
        from django.conf import settings

        from hub.broadcasts.models import Bulletin, Delivery
        from hub.broadcasts.sending import BATCH_SIZE

        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST = SINK_HOST
        settings.EMAIL_PORT = sink.port
        settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
        settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
        settings.BROADCAST_BACKEND = "smtp"
        settings.BROADCAST_MAX_PER_SECOND = 0
        batch_size = args.batch_size or BATCH_SIZE

        try:
            bulletin = bench_data_create(args.messages)
            app_wall, app_cpu, sent = app_send(bulletin, batch_size, args.profile)
            app_stats = sink.stats()
            status = Bulletin.objects.get(pk=bulletin.pk).status
            sent_rows = Delivery.objects.filter(bulletin=bulletin, status=Delivery.Status.SENT).count()

            built, build_seconds = messages_build(bulletin)
            sink.reset()
            bare_wall, bare_cpu = bare_send(sink.port, built)
            bare_stats = sink.stats()
        finally:
            throwaway_db.django_teardown(args)
    finally:
        sink.stop()

    n = args.messages
    app_rate, bare_rate = n / app_wall, n / bare_wall
    mean_kb = bare_stats["bytes"] / max(bare_stats["messages"], 1) / 1024
    print(f"Bulletin send on {described}, sink in a {args.sink}, batches of {batch_size}")
    print(f"  messages           {n}  (mean {mean_kb:.1f} KiB as received)")
    print(f"  app seconds        {app_wall:.2f}  (CPU of this process {app_cpu:.2f})")
    print(f"  app msg/s          {app_rate:.1f}")
    print(f"  render msg/s       {n / build_seconds:.1f}  (render + build only, {build_seconds:.2f} s, untimed above)")
    print(f"  bare seconds       {bare_wall:.2f}  (CPU of this process {bare_cpu:.2f})")
    print(f"  bare msg/s         {bare_rate:.1f}")
    print(f"  ratio app/bare     {app_rate / bare_rate:.3f}  (target at least 0.5)")
    print(
        "  app side: send start (delivery rows) + per message suppression checks, status updates, "
        "bulletin_render, MIME building with List-Unsubscribe headers, SMTP (one connection per batch)"
    )
    print("  bare side: sendmail of the same messages' bytes, already built, over one connection")
    print(
        f"  sink, app run:  {app_stats['messages']} messages, {app_stats['recipients']} recipients, "
        f"{app_stats['distinct']} distinct; worker sent {sent}, {sent_rows} rows sent, bulletin {status}"
    )
    print(f"  sink, bare run: {bare_stats['messages']} messages, {bare_stats['distinct']} distinct recipients")

    problems = []
    if not (app_stats["messages"] == app_stats["recipients"] == app_stats["distinct"] == n):
        problems.append(f"the sink got {app_stats} from the app, expected {n} messages to {n} distinct recipients")
    if sent != n or sent_rows != n or status != Bulletin.Status.SENT:
        problems.append(f"the worker sent {sent} ({sent_rows} rows) and left the bulletin {status}")
    if not (bare_stats["messages"] == bare_stats["distinct"] == n):
        problems.append(f"the sink got {bare_stats} from the bare loop, expected {n}")
    for problem in problems:
        print(f"FAIL: {problem}", file=sys.stderr)
    if problems:
        return 1
    print(
        f"OK: {n} messages to {n} distinct recipients; "
        + ("target met" if app_rate >= 0.5 * bare_rate else "target NOT met")
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
