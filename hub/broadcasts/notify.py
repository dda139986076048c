"""Sending bulletins through GOV.UK Notify (settings.BROADCAST_BACKEND = "notify").

Settings: NOTIFY_API_KEY (the whole key Notify shows once, "{key name}-{service id}-{secret}"),
NOTIFY_TEMPLATE_ID (the template's ID, from "Copy template ID to clipboard") and
NOTIFY_BASE_URL (https://api.notifications.service.gov.uk unless Notify says otherwise).

The template a council creates in Notify
-----------------------------------------
Notify sends only from templates kept in Notify, so the hub renders each bulletin itself
(hub.broadcasts.rendering.bulletin_render, personalised for the recipient, with their
unsubscribe links) and hands Notify the subject and the plain-text body as two placeholders.
Create one email template with exactly this content:

    Subject:  ((subject))
    Message:  ((body))

Nothing else: no greeting and no footer, since the rendered body already has them (the
unsubscribe link at the bottom included). Notify lays the text out in its own email design
with the service's branding; the HTML version of the bulletin is not used with Notify.

Unsubscribing: each message is sent with one_click_unsubscribe_url (send_email_notification
in notifications-python-client 13.0.0 takes it and passes it to the API), and Notify adds the
List-Unsubscribe and List-Unsubscribe-Post headers itself (RFC 8058). Notify accepts only an
https URL there, so SITE_URL must start with https:// in production.

What a failed request means
---------------------------
Notify's advice is to act on the status code and error type, not on the wording of the message
(which changes), so:

* no answer (connection refused, timeout, DNS) and 5xx: TemporarySendError, tried again later;
* 429 (RateLimitError, TooManyRequestsError for the daily limit): TemporarySendError, and the
  rest of this batch is not sent (it would only be refused too);
* 400 ValidationError about the email_address field: PermanentSendError, so the address is
  marked bounced and suppressed, as a hard bounce is with SMTP;
* every other 4xx (403 bad or revoked API key, clock skew, 400 template not found, missing
  personalisation, team-only key or trial mode, a http one-click URL): NotifyConfigurationError,
  a TemporarySendError. A mistake in the hub's or Notify's configuration must never suppress
  the recipients as if their addresses had bounced: their rows go back in the queue with the
  error in last_error for staff to see, and the rest of the batch is not sent. After
  MAX_ATTEMPTS tries (about an hour) a row is marked failed, never bounced.

The API key and the personalisation (the message, with the recipient's unsubscribe token)
are never logged or put in an error message.
"""

import logging
import uuid

from django.conf import settings
from notifications_python_client.errors import APIError, HTTPError, InvalidResponse
from notifications_python_client.notifications import NotificationsAPIClient

from hub.broadcasts.models import Bulletin, Delivery
from hub.broadcasts.sending import PermanentSendError, TemporarySendError, unsubscribe_urls

logger = logging.getLogger(__name__)

# Seconds to wait for Notify before trying the recipient again later.
REQUEST_TIMEOUT = 30


class NotifyConfigurationError(TemporarySendError):
    """Notify refused the request for a reason that is not the recipient's address (API key,
    template, service settings): nobody in the batch can be sent to until staff fix it."""


def _configuration_problem() -> str | None:
    key = settings.NOTIFY_API_KEY or ""
    if not key:
        return "NOTIFY_API_KEY is not set"
    # The client takes the last 73 characters as "{service id}-{secret}", both UUIDs, after
    # "{key name}-". The message never repeats the key.
    try:
        uuid.UUID(key[-73:-37])
        uuid.UUID(key[-36:])
        well_formed = len(key) >= 75 and key[-37] == "-" and key[-74] == "-"
    except ValueError:
        well_formed = False
    if not well_formed:
        return "NOTIFY_API_KEY is not a GOV.UK Notify API key (expected key name, service ID and secret)"
    try:
        uuid.UUID(settings.NOTIFY_TEMPLATE_ID or "")
    except ValueError:
        return "NOTIFY_TEMPLATE_ID is not set to a template ID"
    if not settings.NOTIFY_BASE_URL:
        return "NOTIFY_BASE_URL is not set"
    return None


def _errors(error: APIError) -> list[dict]:
    """The [{"error": type, "message": text}] list of Notify's error body, or []."""
    try:
        body = error.response.json()
    except (AttributeError, TypeError, ValueError):
        return []
    errors = body.get("errors") if isinstance(body, dict) else None
    return [item for item in errors if isinstance(item, dict)] if isinstance(errors, list) else []


def _describe(status: int, errors: list[dict]) -> str:
    if not errors:
        return f"Notify {status}"
    details = "; ".join(f"{item.get('error', 'Error')}: {item.get('message', '')}" for item in errors)
    return f"Notify {status} {details}"[:500]


def _is_address_error(errors: list[dict]) -> bool:
    """A schema error on the recipient field, e.g. "email_address Not a valid email address"."""
    return bool(errors) and all(
        item.get("error") == "ValidationError" and str(item.get("message", "")).startswith("email_address")
        for item in errors
    )


class NotifyRateLimited(TemporarySendError):
    """429: Notify's per-minute or daily limit was reached; the rest of the batch waits."""


def classify(error: HTTPError) -> TemporarySendError | PermanentSendError:
    """The send error for a failed Notify request (see the module docstring)."""
    if error.response is None:
        # Connection refused, timeout, DNS: the client reports these as 503 with no response.
        cause = error.__cause__
        return TemporarySendError(f"Notify unreachable: {type(cause).__name__ if cause else 'no response'}")
    status = error.status_code
    errors = _errors(error)
    message = _describe(status, errors)
    if status == 429:
        return NotifyRateLimited(message)
    if status >= 500:
        return TemporarySendError(message)
    if status == 400 and _is_address_error(errors):
        return PermanentSendError(message)
    return NotifyConfigurationError(message)


class NotifySession:
    """One Notify client (one HTTP connection pool) for a batch of deliveries."""

    def __init__(self) -> None:
        self.client: NotificationsAPIClient | None = None
        # Set after an error that would repeat for every recipient: the rest of the batch
        # goes back in the queue with it, without asking Notify again.
        self.halted: TemporarySendError | None = None
        self.parts: dict[int, object] = {}  # per bulletin: what every copy shares

    def __enter__(self) -> "NotifySession":
        problem = _configuration_problem()
        if problem:
            self.halted = NotifyConfigurationError(problem)
        else:
            self.client = NotificationsAPIClient(
                settings.NOTIFY_API_KEY, base_url=settings.NOTIFY_BASE_URL, timeout=REQUEST_TIMEOUT
            )
        return self

    def __exit__(self, *exc_info) -> None:
        if self.client is not None:
            self.client.request_session.close()

    def send(self, bulletin: Bulletin, delivery: Delivery) -> None:
        from hub.broadcasts.rendering import bulletin_parts, bulletin_render

        if self.halted is not None:
            raise type(self.halted)(str(self.halted))
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
        try:
            self.client.send_email_notification(
                email_address=delivery.email,
                template_id=settings.NOTIFY_TEMPLATE_ID,
                personalisation={"subject": rendered.subject, "body": rendered.text},
                reference=f"delivery-{delivery.pk}",
                one_click_unsubscribe_url=urls["one_click"],
            )
        except InvalidResponse:
            # A 2xx whose body was not JSON: Notify accepted the message. Sending it again
            # could deliver it twice, so it counts as sent.
            logger.warning("Notify accepted delivery %s with an unreadable answer", delivery.pk)
            return
        except HTTPError as error:
            outcome = classify(error)
            logger.warning("Notify refused delivery %s: %s", delivery.pk, outcome)
            if isinstance(outcome, NotifyConfigurationError | NotifyRateLimited):
                self.halted = outcome
            raise outcome from None


class NotifyBackend:
    def session(self) -> NotifySession:
        return NotifySession()
