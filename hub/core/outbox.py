"""The outbox: how every capability causes an effect on the outside world.

A service calls `outbox_enqueue` inside its transaction. After commit a task
delivers the message through the handler registered for its kind, and records
the outcome on the row. A crash before commit leaves no row and no effect; a
crash after commit leaves a pending row that `outbox_sweep` picks up again.
"""

import logging
import smtplib
from collections.abc import Callable
from datetime import datetime, timedelta

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import DatabaseError, IntegrityError, transaction
from django.utils import timezone

from hub.core.models import OutboxMessage
from hub.core.site import site_host

logger = logging.getLogger(__name__)

Handler = Callable[[OutboxMessage], None]
_HANDLERS: dict[str, Handler] = {}


class TemporaryDeliveryError(Exception):
    """The far side said 'try later': the message is retried with backoff."""


class PermanentDeliveryError(Exception):
    """The far side refused for good: the message is marked failed at once."""


def outbox_handler(kind: str) -> Callable[[Handler], Handler]:
    """Register the function that performs messages of one kind."""

    def register(function: Handler) -> Handler:
        _HANDLERS[kind] = function
        return function

    return register


def outbox_enqueue(
    *, kind: str, payload: dict, dedupe_key: str | None = None, available_at: datetime | None = None
) -> OutboxMessage:
    """Write a message to perform once the current transaction commits."""
    if kind not in _HANDLERS:
        raise ValueError(f"No outbox handler for {kind!r}.")
    with transaction.atomic():
        if dedupe_key is not None:
            existing = OutboxMessage.objects.filter(dedupe_key=dedupe_key).first()
            if existing is not None:
                return existing
        try:
            with transaction.atomic():
                message = OutboxMessage.objects.create(
                    kind=kind,
                    payload=payload,
                    dedupe_key=dedupe_key,
                    available_at=available_at or timezone.now(),
                )
        except IntegrityError:
            # Another transaction used the key between our check and insert.
            return OutboxMessage.objects.get(dedupe_key=dedupe_key)
        transaction.on_commit(lambda: _schedule(message))
    return message


def _schedule(message: OutboxMessage) -> None:
    from hub.core.tasks import outbox_deliver

    task = outbox_deliver
    if message.available_at > timezone.now():
        if not task.get_backend().supports_defer:
            return  # a backend that cannot wait leaves it to outbox_sweep, once due
        task = task.using(run_after=message.available_at)
    try:
        with transaction.atomic():
            task.enqueue(message.pk)
    except DatabaseError:
        # Runs after the change has committed: failing here (e.g. SQLite busy under a
        # burst) must not turn the person's success into an error page. The outbox row
        # is saved, so outbox_sweep delivers it.
        logger.warning("Outbox message %s not handed to the worker; outbox_sweep will send it.", message.pk)


def retry_delay(attempts: int) -> timedelta:
    """Exponential backoff: 30 s, 1 min, 2 min, ... capped at one hour."""
    return timedelta(seconds=min(30 * 2 ** max(attempts - 1, 0), 3600))


def outbox_deliver_message(*, message_id: int) -> OutboxMessage | None:
    """Perform one message if it is due and nobody else is performing it."""
    with transaction.atomic():
        message = (
            OutboxMessage.objects.select_for_update()
            .filter(pk=message_id, state=OutboxMessage.State.PENDING, available_at__lte=timezone.now())
            .first()
        )
        if message is None:
            return None
        message.state = OutboxMessage.State.SENDING
        message.attempts += 1
        message.save(update_fields=["state", "attempts", "updated_at"])

    try:
        _HANDLERS[message.kind](message)
    except TemporaryDeliveryError as error:
        return _record_failure(message, str(error), temporary=True)
    except PermanentDeliveryError as error:
        return _record_failure(message, str(error), temporary=False)
    except Exception as error:  # an unexpected fault is retried, then gives up
        logger.exception("Outbox message %s (%s) failed", message.pk, message.kind)
        return _record_failure(message, f"{type(error).__name__}: {error}", temporary=True)

    message.state = OutboxMessage.State.SENT
    message.completed_at = timezone.now()
    message.last_error = ""
    message.save(update_fields=["state", "completed_at", "last_error", "updated_at"])
    return message


def _record_failure(message: OutboxMessage, error: str, *, temporary: bool) -> OutboxMessage:
    message.last_error = error[:2000]
    if temporary and message.attempts < settings.OUTBOX_MAX_ATTEMPTS:
        message.state = OutboxMessage.State.PENDING
        message.available_at = timezone.now() + retry_delay(message.attempts)
        message.save(update_fields=["state", "available_at", "last_error", "updated_at"])
        _schedule(message)
    else:
        message.state = OutboxMessage.State.FAILED
        message.completed_at = timezone.now()
        message.save(update_fields=["state", "completed_at", "last_error", "updated_at"])
    return message


def outbox_sweep(*, stale_after: timedelta = timedelta(minutes=15)) -> int:
    """Re-schedule due pending messages, and messages left 'sending' by a
    worker that died. Run periodically (the worker's timer, or cron)."""
    now = timezone.now()
    with transaction.atomic():
        stale = OutboxMessage.objects.filter(state=OutboxMessage.State.SENDING, updated_at__lt=now - stale_after)
        stale.update(state=OutboxMessage.State.PENDING, available_at=now)
    due = list(
        OutboxMessage.objects.filter(state=OutboxMessage.State.PENDING, available_at__lte=now).values_list(
            "pk", flat=True
        )
    )
    from hub.core.tasks import outbox_deliver

    for message_id in due:
        outbox_deliver.enqueue(message_id)
    return len(due)


# --- Email ------------------------------------------------------------------


def email_enqueue(
    *,
    to: list[str],
    subject: str,
    body: str,
    html_body: str | None = None,
    attachments: list[dict] | None = None,
    dedupe_key: str | None = None,
) -> OutboxMessage:
    """Queue an email; it leaves only after the current transaction commits.
    Attachments are text: {"filename": ..., "content": str, "mimetype": ...}."""
    return outbox_enqueue(
        kind="email",
        payload={"to": to, "subject": subject, "body": body, "html_body": html_body, "attachments": attachments or []},
        dedupe_key=dedupe_key,
    )


@outbox_handler("email")
def _send_email(message: OutboxMessage) -> None:
    payload = message.payload
    email_send(
        message,
        to=payload["to"],
        subject=payload["subject"],
        body=payload["body"],
        html_body=payload.get("html_body"),
        attachments=payload.get("attachments", []),
    )


def email_send(
    message: OutboxMessage,
    *,
    to: list[str],
    subject: str,
    body: str,
    html_body: str | None = None,
    attachments: list[dict] | None = None,
) -> None:
    """Send one outbox message's email over SMTP, turning SMTP answers into
    temporary (retry) or permanent failures. For handlers that render their email."""
    email = EmailMultiAlternatives(
        subject=subject,
        body=body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=to,
        # A stable Message-ID lets a receiver drop a copy re-sent after a crash.
        headers={"Message-ID": f"<outbox-{message.pk}@{site_host()}>"},
    )
    if html_body:
        email.attach_alternative(html_body, "text/html")
    for attachment in attachments or []:
        email.attach(attachment["filename"], attachment["content"], attachment["mimetype"])
    try:
        email.send()
    except smtplib.SMTPResponseException as error:
        if 400 <= error.smtp_code < 500:
            raise TemporaryDeliveryError(f"SMTP {error.smtp_code}") from error
        raise PermanentDeliveryError(f"SMTP {error.smtp_code}") from error
    except smtplib.SMTPRecipientsRefused as error:
        codes = [code for code, _ in error.recipients.values()]
        if all(400 <= code < 500 for code in codes):
            raise TemporaryDeliveryError(f"SMTP recipients refused {codes}") from error
        raise PermanentDeliveryError(f"SMTP recipients refused {codes}") from error
    except (smtplib.SMTPException, OSError) as error:
        raise TemporaryDeliveryError(f"{type(error).__name__}: {error}") from error
