"""Sending a bulletin: one Delivery row per recipient is written before any
message leaves; workers claim rows in small batches, send each through the
configured backend and record the outcome, so a send can be paused, resumed or
interrupted at any point and nobody is sent the same bulletin twice."""

import contextlib
import datetime
import functools
import logging
import smtplib
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.core.mail.message import sanitize_address
from django.db import transaction
from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from hub.audit.services import audit_record
from hub.broadcasts.contacts import recipients_for, still_reachable, suppress
from hub.broadcasts.models import Bulletin, Contact, Delivery, Suppression
from hub.core.errors import ApplicationError
from hub.core.site import site_host

logger = logging.getLogger(__name__)

BATCH_SIZE = 50
MAX_ATTEMPTS = 6
# A claim older than this belongs to a worker that stopped; its rows go back in the queue.
STALE_CLAIM = datetime.timedelta(minutes=10)


class TemporarySendError(Exception):
    """Try this recipient again later (4xx SMTP answer, connection trouble)."""


class PermanentSendError(Exception):
    """This address cannot receive mail (5xx SMTP answer): it is suppressed."""


# --- Starting, pausing, resuming ------------------------------------------------------------


def bulletin_send_problems(bulletin: Bulletin) -> list[str]:
    problems = []
    if bulletin.status not in (Bulletin.Status.DRAFT, Bulletin.Status.SCHEDULED):
        problems.append("This bulletin is already being sent or has been sent")
    if not bulletin.audiences.exists():
        problems.append("Choose at least one audience to send it to")
    elif not recipients_for(bulletin).exists():
        problems.append("Nobody would receive it: its audiences have no contacts, or every contact has unsubscribed")
    return problems


def bulletin_send_start(*, bulletin: Bulletin, actor=None, request=None, now: datetime.datetime | None = None) -> int:
    """Write a queued delivery for every recipient, mark the bulletin sending, and ask
    the worker to start. Returns the number of deliveries."""
    now = now or timezone.now()
    with transaction.atomic():
        bulletin = Bulletin.objects.select_for_update().get(pk=bulletin.pk)
        problems = bulletin_send_problems(bulletin)
        if problems:
            raise ApplicationError(problems[0], code="cannot_send")
        deliveries = [
            Delivery(bulletin=bulletin, contact=contact, email=contact.email, name=contact.name)
            for contact in recipients_for(bulletin)
        ]
        Delivery.objects.bulk_create(deliveries, batch_size=500, ignore_conflicts=True)
        bulletin.status = Bulletin.Status.SENDING
        bulletin.sending_started_at = now
        bulletin.save(update_fields=["status", "sending_started_at", "updated_at"])
        audit_record(
            action="broadcasts.bulletin_send_started",
            actor=actor,
            request=request,
            obj=bulletin,
            detail={"recipients": len(deliveries)},
        )
        transaction.on_commit(lambda: _enqueue(bulletin.pk))
    return len(deliveries)


def _enqueue(bulletin_id: int) -> None:
    from hub.broadcasts.tasks import bulletin_deliver

    bulletin_deliver.enqueue(bulletin_id)


def bulletin_pause(*, bulletin: Bulletin, actor, request=None) -> Bulletin:
    with transaction.atomic():
        changed = Bulletin.objects.filter(pk=bulletin.pk, status=Bulletin.Status.SENDING).update(
            status=Bulletin.Status.PAUSED, updated_at=timezone.now()
        )
        if not changed:
            raise ApplicationError("Only a bulletin that is being sent can be paused", code="not_sending")
        audit_record(action="broadcasts.bulletin_paused", actor=actor, request=request, obj=bulletin)
    bulletin.refresh_from_db()
    return bulletin


def bulletin_resume(*, bulletin: Bulletin, actor, request=None) -> Bulletin:
    with transaction.atomic():
        changed = Bulletin.objects.filter(pk=bulletin.pk, status=Bulletin.Status.PAUSED).update(
            status=Bulletin.Status.SENDING, updated_at=timezone.now()
        )
        if not changed:
            raise ApplicationError("Only a paused bulletin can be resumed", code="not_paused")
        audit_record(action="broadcasts.bulletin_resumed", actor=actor, request=request, obj=bulletin)
        transaction.on_commit(lambda: _enqueue(bulletin.pk))
    bulletin.refresh_from_db()
    return bulletin


# --- Progress --------------------------------------------------------------------------------


@dataclass(frozen=True)
class SendProgress:
    total: int
    sent: int
    failed: int
    remaining: int
    status: str

    @property
    def percent(self) -> int:
        return round(100 * (self.sent + self.failed) / self.total) if self.total else 0


def send_progress(bulletin: Bulletin) -> SendProgress:
    counts = bulletin.deliveries.aggregate(
        total=Count("pk"),
        sent=Count("pk", filter=Q(status=Delivery.Status.SENT)),
        failed=Count("pk", filter=Q(status__in=[Delivery.Status.FAILED, Delivery.Status.BOUNCED])),
    )
    bulletin.refresh_from_db(fields=["status"])
    return SendProgress(
        total=counts["total"],
        sent=counts["sent"],
        failed=counts["failed"],
        remaining=counts["total"] - counts["sent"] - counts["failed"],
        status=bulletin.status,
    )


# --- The worker ------------------------------------------------------------------------------


def _claim(bulletin_id: int, now: datetime.datetime, limit: int) -> list[Delivery]:
    """Reserve up to `limit` due queued deliveries for this worker (claimed_at). Each is
    marked sent as soon as its message is accepted, so after a crash at most the one in
    flight is in doubt."""
    with transaction.atomic():
        due = (
            Delivery.objects.filter(bulletin_id=bulletin_id, status=Delivery.Status.QUEUED, claimed_at__isnull=True)
            .filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))
            .order_by("pk")
        )
        # PostgreSQL: other workers skip rows this one holds. SQLite: the IMMEDIATE
        # transaction already gives one writer at a time.
        ids = list(due.select_for_update(skip_locked=True).values_list("pk", flat=True)[:limit])
        Delivery.objects.filter(pk__in=ids, claimed_at__isnull=True).update(claimed_at=now)
    return list(Delivery.objects.filter(pk__in=ids, status=Delivery.Status.QUEUED, claimed_at=now).order_by("pk"))


def release_stale_claims(*, now: datetime.datetime | None = None, stale_after: datetime.timedelta = STALE_CLAIM) -> int:
    """Put back in the queue what a stopped worker had reserved. Rows it had not
    started are safe to send. The one it was sending when it stopped is in doubt:
    it is sent again with the same Message-ID, which receiving systems use to drop
    a repeat (at least once, never silently lost)."""
    now = now or timezone.now()
    stale = Delivery.objects.filter(claimed_at__lt=now - stale_after)
    return stale.filter(status__in=[Delivery.Status.QUEUED, Delivery.Status.SENDING]).update(
        status=Delivery.Status.QUEUED, claimed_at=None
    )


def bulletin_deliver_run(*, bulletin_id: int, batch_size: int = BATCH_SIZE, max_batches: int | None = None) -> int:
    """Send queued deliveries until none is due, the bulletin is paused, or max_batches.
    Returns how many were sent."""
    sent = 0
    batches = 0
    rate = getattr(settings, "BROADCAST_MAX_PER_SECOND", 0) or 0
    backend = delivery_backend()
    while max_batches is None or batches < max_batches:
        bulletin = Bulletin.objects.select_related("series").get(pk=bulletin_id)
        if bulletin.status != Bulletin.Status.SENDING:
            break
        batch = _claim(bulletin_id, timezone.now(), batch_size)
        if not batch:
            _finish_if_done(bulletin)
            break
        batches += 1
        blocked = _suppressions_for(bulletin, batch)
        try:
            with backend.session() as session:
                for number, delivery in enumerate(batch):
                    if number and number % PAUSE_CHECK_EVERY == 0 and _paused(bulletin_id):
                        break
                    started = time.monotonic()
                    if _deliver_one(bulletin, delivery, session, blocked=delivery.pk in blocked):
                        sent += 1
                    if rate:
                        time.sleep(max(0.0, 1.0 / rate - (time.monotonic() - started)))
        except TemporarySendError as error:
            # The relay could not be reached at all: the batch waits and is tried again.
            logger.warning("Bulletin %s: could not open a sending session (%s)", bulletin_id, error)
            _release(batch)
            break
        _release(batch)  # rows of the batch not started (a pause) go back in the queue
    return sent


PAUSE_CHECK_EVERY = 10


def _paused(bulletin_id: int) -> bool:
    return not Bulletin.objects.filter(pk=bulletin_id, status=Bulletin.Status.SENDING).exists()


def _release(batch: list[Delivery]) -> None:
    Delivery.objects.filter(pk__in=[delivery.pk for delivery in batch], status=Delivery.Status.QUEUED).update(
        claimed_at=None
    )


def _suppressions_for(bulletin: Bulletin, batch: list[Delivery]) -> set[int]:
    """The check before sending, for a whole batch in three queries: deliveries whose
    address was suppressed after the send began (from everything, or from every one of
    the bulletin's audiences the contact is in), or whose contact left those audiences."""
    audience_ids = set(bulletin.audiences.values_list("pk", flat=True))
    emails = [delivery.email for delivery in batch]
    suppressed: dict[str, set] = {}
    for email, audience_id in Suppression.objects.filter(email__in=emails).values_list("email", "audience_id"):
        suppressed.setdefault(email, set()).add(audience_id)
    memberships: dict[int, set[int]] = {}
    contact_ids = [delivery.contact_id for delivery in batch if delivery.contact_id]
    for contact_id, audience_id in Contact.audiences.through.objects.filter(
        contact_id__in=contact_ids, audience_id__in=audience_ids
    ).values_list("contact_id", "audience_id"):
        memberships.setdefault(contact_id, set()).add(audience_id)
    blocked = set()
    for delivery in batch:
        mine = memberships.get(delivery.contact_id, set()) if delivery.contact_id else audience_ids
        if not still_reachable(mine, suppressed.get(delivery.email, set())):
            blocked.add(delivery.pk)
    return blocked


def _deliver_one(bulletin: Bulletin, delivery: Delivery, session, *, blocked: bool = False) -> bool:
    if blocked:
        Delivery.objects.filter(pk=delivery.pk).update(status=Delivery.Status.FAILED, last_error="Unsubscribed")
        return False
    # No write before the message goes: the reservation (claimed_at) already makes the
    # row this worker's, and after a crash every reserved row that is not marked sent is
    # sent again - including the one in flight, with the same Message-ID.
    try:
        session.send(bulletin, delivery)
    except TemporarySendError as error:
        attempts = delivery.attempts + 1
        if attempts >= MAX_ATTEMPTS:
            Delivery.objects.filter(pk=delivery.pk).update(
                status=Delivery.Status.FAILED, attempts=attempts, last_error=str(error)[:500]
            )
        else:
            Delivery.objects.filter(pk=delivery.pk).update(
                status=Delivery.Status.QUEUED,
                attempts=attempts,
                claimed_at=None,
                next_attempt_at=timezone.now() + datetime.timedelta(minutes=2**attempts),
                last_error=str(error)[:500],
            )
        return False
    except PermanentSendError as error:
        with transaction.atomic():
            Delivery.objects.filter(pk=delivery.pk).update(
                status=Delivery.Status.BOUNCED, attempts=delivery.attempts + 1, last_error=str(error)[:500]
            )
            suppress(email=delivery.email, reason=Suppression.Reason.HARD_BOUNCE)
        return False
    Delivery.objects.filter(pk=delivery.pk).update(
        status=Delivery.Status.SENT, attempts=delivery.attempts + 1, sent_at=timezone.now(), last_error=""
    )
    return True


def _finish_if_done(bulletin: Bulletin) -> None:
    open_rows = bulletin.deliveries.filter(status__in=[Delivery.Status.QUEUED, Delivery.Status.SENDING]).exists()
    if open_rows:
        # Retries wait for their time; the sweep comes back for them.
        return
    with transaction.atomic():
        if Bulletin.objects.filter(pk=bulletin.pk, status=Bulletin.Status.SENDING).update(
            status=Bulletin.Status.SENT, sent_at=timezone.now()
        ):
            audit_record(
                action="broadcasts.bulletin_sent", obj=bulletin, detail={"progress": vars(send_progress(bulletin))}
            )


def bulletins_due(*, now: datetime.datetime | None = None, stale_after: datetime.timedelta = STALE_CLAIM) -> int:
    """The periodic safety net: start scheduled bulletins whose time has come, release
    stale claims, and keep sending bulletins that still have deliveries due."""
    now = now or timezone.now()
    release_stale_claims(now=now, stale_after=stale_after)
    started = 0
    for bulletin in Bulletin.objects.filter(status=Bulletin.Status.SCHEDULED, send_at__lte=now):
        try:
            bulletin_send_start(bulletin=bulletin, now=now)
            started += 1
        except ApplicationError as error:
            audit_record(
                action="broadcasts.bulletin_send_refused",
                obj=bulletin,
                outcome="failure",
                detail={"reason": error.message},
            )
    for bulletin_id in Bulletin.objects.filter(status=Bulletin.Status.SENDING).values_list("pk", flat=True):
        bulletin_deliver_run(bulletin_id=bulletin_id)
    return started


# --- Backends ----------------------------------------------------------------------------------


@functools.lru_cache(maxsize=64)
def _url_pattern(name: str, site: str) -> str:
    # Reversed once with a placeholder; each message fills in its own token.
    return site + reverse(name, kwargs={"token": "TOKEN"})


@functools.lru_cache(maxsize=64)
def _browser_url(site: str, series: str, pk: int) -> str:
    return site + reverse("broadcasts:archive_bulletin", kwargs={"series": series, "pk": pk})


def unsubscribe_urls(delivery: Delivery, bulletin: Bulletin | None = None) -> dict[str, str]:
    bulletin = bulletin or delivery.bulletin
    return {
        "page": _url_pattern("broadcasts:unsubscribe", settings.SITE_URL).replace("TOKEN", delivery.token),
        "one_click": _url_pattern("broadcasts:unsubscribe_one_click", settings.SITE_URL).replace(
            "TOKEN", delivery.token
        ),
        "browser": _browser_url(settings.SITE_URL, bulletin.series.slug, bulletin.pk),
    }


class SmtpSession:
    """One SMTP connection for a batch; each message personalised, with RFC 8058 headers."""

    def __init__(self) -> None:
        self.connection = get_connection()
        self.parts: dict[int, object] = {}  # per bulletin: what every copy shares
        self.skeletons: dict[int, MessageSkeleton | None] = {}  # per bulletin: its message, with stand-ins

    def __enter__(self) -> "SmtpSession":
        try:
            self.connection.open()
        except (smtplib.SMTPException, OSError) as error:
            raise TemporarySendError(f"{type(error).__name__}: {error}") from error
        return self

    def __exit__(self, *exc_info) -> None:
        with contextlib.suppress(smtplib.SMTPException, OSError):
            self.connection.close()

    def send(self, bulletin: Bulletin, delivery: Delivery) -> None:
        smtp = getattr(self.connection, "connection", None)  # None with a non-SMTP email backend
        skeleton = self._skeleton(bulletin) if smtp is not None and delivery.email.isascii() else None
        try:
            if skeleton is not None:
                smtp.sendmail(self.envelope_from, [delivery.email], skeleton.fill(delivery))
            else:
                self._message(bulletin, delivery).send()
        except smtplib.SMTPRecipientsRefused as error:
            codes = [code for code, _ in error.recipients.values()]
            if all(500 <= code < 600 for code in codes):
                raise PermanentSendError(f"SMTP {codes}") from error
            raise TemporarySendError(f"SMTP {codes}") from error
        except smtplib.SMTPResponseException as error:
            if 500 <= error.smtp_code < 600:
                raise PermanentSendError(f"SMTP {error.smtp_code}") from error
            raise TemporarySendError(f"SMTP {error.smtp_code}") from error
        except (smtplib.SMTPException, OSError) as error:
            raise TemporarySendError(f"{type(error).__name__}: {error}") from error

    @property
    def envelope_from(self) -> str:
        return sanitize_address(settings.DEFAULT_FROM_EMAIL, "utf-8")

    def _message(self, bulletin: Bulletin, delivery: Delivery) -> EmailMultiAlternatives:
        """One recipient's message, built in full."""
        from hub.broadcasts.rendering import bulletin_parts, bulletin_render

        if bulletin.pk not in self.parts:
            self.parts[bulletin.pk] = bulletin_parts(bulletin)
        urls = unsubscribe_urls(delivery, bulletin)
        rendered = bulletin_render(
            bulletin,
            name=delivery.name,
            unsubscribe_url=urls["page"],
            unsubscribe_all_url=urls["page"] + "?from=everything",
            browser_url=urls["browser"],
            parts=self.parts[bulletin.pk],
        )
        host = site_host()
        mailto = f"mailto:{settings.BROADCAST_UNSUBSCRIBE_MAILBOX}?subject=unsubscribe-{delivery.token}"
        message = EmailMultiAlternatives(
            subject=rendered.subject,
            body=rendered.text,
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=[delivery.email],
            connection=self.connection,
            headers={
                "Message-ID": f"<delivery-{delivery.pk}@{host}>",
                "List-Unsubscribe": f"<{urls['one_click']}>, <{mailto}>",
                "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            },
        )
        message.attach_alternative(rendered.html, "text/html")
        return message

    def _skeleton(self, bulletin: Bulletin) -> "MessageSkeleton | None":
        if bulletin.pk not in self.skeletons:
            stand_in = Delivery(pk=0, bulletin=bulletin, email=SLOT_TO, name=SLOT_NAME, token=SLOT_TOKEN)
            data = self._message(bulletin, stand_in).message().as_bytes(linesep="\r\n")
            self.skeletons[bulletin.pk] = MessageSkeleton.from_bytes(data)
        return self.skeletons[bulletin.pk]


# Stand-ins in a batch's one fully built message, replaced per recipient. Plain ASCII
# without spaces, so header folding and 8bit bodies leave them whole; the token
# stand-in has a real token's length, so headers fold where they would anyway.
SLOT_TO = "hub-slot-recipient@slot.invalid"
SLOT_NAME = "HubSlotRecipientName"
SLOT_TOKEN = "HubSlotToken" + "x" * 31
SLOT_MESSAGE_ID = b"<delivery-0@"


@dataclass(frozen=True)
class MessageSkeleton:
    """A batch's message as bytes, with the text and HTML parts kept apart because
    the name goes into each differently (as typed / HTML-escaped)."""

    head_and_text: bytes
    html_and_rest: bytes

    @classmethod
    def from_bytes(cls, data: bytes) -> "MessageSkeleton | None":
        """None (build each message in full) unless every stand-in survived intact:
        a body with very long lines is quoted-printable, which could split them."""
        split = data.find(b"Content-Type: text/html")
        if split < 0 or b"quoted-printable" in data or b"base64" in data:
            return None
        head, html = data[:split], data[split:]
        name = SLOT_NAME.encode()
        if (
            head.count(SLOT_TO.encode()) != 1
            or head.count(SLOT_MESSAGE_ID) != 1
            or name not in head
            or name not in html
            or SLOT_TOKEN.encode() not in html
            or head.count(SLOT_TOKEN.encode()) < 3  # both List-Unsubscribe links and the text's link
        ):
            return None
        return cls(head, html)

    def fill(self, delivery: Delivery) -> bytes:
        from hub.broadcasts.rendering import greeting_name

        name = greeting_name(delivery.name)
        token, message_id = delivery.token.encode(), f"<delivery-{delivery.pk}@".encode()
        head = (
            self.head_and_text.replace(SLOT_TO.encode(), delivery.email.encode())
            .replace(SLOT_MESSAGE_ID, message_id)
            .replace(SLOT_TOKEN.encode(), token)
            .replace(SLOT_NAME.encode(), name.encode())
        )
        html = self.html_and_rest.replace(SLOT_TOKEN.encode(), token).replace(SLOT_NAME.encode(), escape(name).encode())
        return head + html


class SmtpBackend:
    def session(self) -> SmtpSession:
        return SmtpSession()


def delivery_backend():
    """The backend named by settings.BROADCAST_BACKEND ("smtp" by default; "notify" for GOV.UK Notify)."""
    name = getattr(settings, "BROADCAST_BACKEND", "smtp")
    if name == "notify":
        from hub.broadcasts.notify import NotifyBackend

        return NotifyBackend()
    return SmtpBackend()
