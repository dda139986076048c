"""Channel adapters: publish one post on one of the organisation's own accounts.

`publish()` makes the HTTP calls and nothing else: the worker task owns the
state row, the retries and the "never twice" check. It answers with a
`PublishResult` or raises one of two errors:

- `TemporaryPublishError`: try again later (429, 5xx, timeouts, dropped
  connections); `retry_after` carries the network's own wait when it gave one.
- `PermanentPublishError`: trying again will not help (bad token, text too
  long, ...); `message` is the network's own message, for staff to read.

Both calls are safe to repeat for the same post:

- Mastodon keeps an `Idempotency-Key` for an hour and answers a repeat with
  the status it already created.
  https://docs.joinmastodon.org/methods/statuses/#create
- Bluesky has no such header, so the record key (rkey) is derived from the
  post's idempotency key and the adapter looks the record up before creating
  it; see `bluesky_publish()`.

Secrets (the Mastodon token, the Bluesky app password and session token) and
the post text are never logged and never put in an error message.
"""

from __future__ import annotations

import ipaddress
import json
import logging
import re
import time
import unicodedata
import urllib.error
import urllib.parse
import urllib.request
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from http.client import HTTPException
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from hub.social.models import SocialAccount

logger = logging.getLogger(__name__)

TIMEOUT_SECONDS = 20.0
USER_AGENT = "SafeguardingPartnershipHub/0.1 (scheduled posts)"
BLUESKY_DEFAULT_PDS = "https://bsky.social"
BLUESKY_LANGS = ["en-GB"]
MASTODON_LANGUAGE = "en"  # Mastodon takes ISO 639 codes without a region.
MAX_RESPONSE_BYTES = 1_000_000

# Statuses worth trying again: request timeout, conflict (a write in flight),
# too early, rate limited, and every server error.
TEMPORARY_STATUSES = frozenset({408, 409, 425, 429})


@dataclass(frozen=True)
class PublishResult:
    remote_id: str
    url: str


class PublishError(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class TemporaryPublishError(PublishError):
    """The post may go out if tried again later."""

    def __init__(self, message: str, *, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class PermanentPublishError(PublishError):
    """The network refused the post; `message` is its own explanation."""


def publish(
    account: SocialAccount, *, text: str, idempotency_key: str, timeout: float = TIMEOUT_SECONDS
) -> PublishResult:
    """Publish `text` on `account`. Repeating the call with the same
    `idempotency_key` does not publish twice."""
    if account.network == "mastodon":
        return mastodon_publish(account, text=text, idempotency_key=idempotency_key, timeout=timeout)
    if account.network == "bluesky":
        return bluesky_publish(account, text=text, idempotency_key=idempotency_key, timeout=timeout)
    raise PermanentPublishError(f"Publishing to {account.network!r} is not supported.")


# --- Mastodon -----------------------------------------------------------------


def mastodon_publish(
    account: SocialAccount, *, text: str, idempotency_key: str, timeout: float = TIMEOUT_SECONDS
) -> PublishResult:
    """POST /api/v1/statuses (https://docs.joinmastodon.org/methods/statuses/#create)."""
    base = _base_url(account.instance_url, default=None)
    secrets = [account.secret]
    response = _request(
        "POST",
        f"{base}/api/v1/statuses",
        body={"status": text, "visibility": "public", "language": MASTODON_LANGUAGE},
        headers={"Authorization": f"Bearer {account.secret}", "Idempotency-Key": str(idempotency_key)},
        timeout=timeout,
        secrets=secrets,
    )
    if response.status != 200:
        raise _mastodon_error(response, secrets)
    status_id = response.json.get("id")
    if not status_id:
        raise TemporaryPublishError("Mastodon answered without a status id.")
    url = response.json.get("url") or response.json.get("uri") or ""
    logger.info("Published Mastodon status %s", status_id)
    return PublishResult(remote_id=str(status_id), url=str(url))


def _mastodon_error(response: _Response, secrets: list[str]) -> PublishError:
    # Mastodon's errors are {"error": "...", "error_description"?: "..."};
    # 5xx answers from a proxy may be HTML.
    message = _redact(str(response.json.get("error") or f"HTTP {response.status} from Mastodon"), secrets)
    if _is_temporary(response.status):
        retry_after = _retry_after_header(response.headers)
        if retry_after is None and _rate_limited(response, "X-RateLimit-Remaining"):
            retry_after = _iso_reset(_header(response.headers, "X-RateLimit-Reset"))
        return TemporaryPublishError(message, retry_after=retry_after)
    return PermanentPublishError(message)


# --- Bluesky ------------------------------------------------------------------

POST_COLLECTION = "app.bsky.feed.post"
TID_ALPHABET = "234567abcdefghijklmnopqrstuvwxyz"


def bluesky_publish(
    account: SocialAccount, *, text: str, idempotency_key: str, timeout: float = TIMEOUT_SECONDS
) -> PublishResult:
    """createSession, then createRecord with a record key derived from the
    idempotency key.

    Why a derived rkey and a look-up before the write: createRecord has no
    idempotency header, and a PDS answers a create on an rkey that already
    exists with 500 {"error": "InternalServerError"} today
    (bluesky-social/atproto#3718, bluesky-social/indigo#873; an explicit XRPC
    error is proposed in bluesky-social/atproto#4728 but not released). A 500
    cannot be told apart from a real server fault, so the adapter asks
    com.atproto.repo.getRecord for that rkey before every create and again
    after a 500 or an "already exists" answer: if the record is there, the
    earlier attempt went through and its URI is the result. The rkey keeps
    the TID syntax because Bluesky's app view indexes posts only under TID
    keys (bluesky-social/social-app#8654).
    """
    base = _base_url(account.instance_url, default=BLUESKY_DEFAULT_PDS)
    secrets = [account.secret]
    session = _request(
        "POST",
        f"{base}/xrpc/com.atproto.server.createSession",
        body={"identifier": account.handle, "password": account.secret},
        timeout=timeout,
        secrets=secrets,
    )
    if session.status != 200:
        raise _bluesky_error(session, secrets)
    access_jwt = str(session.json.get("accessJwt") or "")
    did = str(session.json.get("did") or "")
    handle = str(session.json.get("handle") or account.handle)
    if not access_jwt or not did:
        raise TemporaryPublishError("Bluesky answered createSession without a session.")
    secrets.append(access_jwt)
    auth = {"Authorization": f"Bearer {access_jwt}"}
    rkey = tid_from_uuid(idempotency_key)

    existing = _bluesky_existing_record(base, did, rkey, auth, timeout, secrets)
    if existing:
        return _bluesky_result(existing, handle)

    record: dict[str, Any] = {
        "$type": POST_COLLECTION,
        "text": text,
        "createdAt": _atproto_now(),
        "langs": BLUESKY_LANGS,
    }
    facets = bluesky_facets(text)
    if facets:
        record["facets"] = facets
    created = _request(
        "POST",
        f"{base}/xrpc/com.atproto.repo.createRecord",
        body={"repo": did, "collection": POST_COLLECTION, "rkey": rkey, "record": record},
        headers=auth,
        timeout=timeout,
        secrets=secrets,
    )
    if created.status == 200 and created.json.get("uri"):
        return _bluesky_result(str(created.json["uri"]), handle)
    if created.status >= 500 or _says_already_exists(created):
        existing = _bluesky_existing_record(base, did, rkey, auth, timeout, secrets)
        if existing:
            return _bluesky_result(existing, handle)
    if created.status == 200:
        raise TemporaryPublishError("Bluesky answered createRecord without a record URI.")
    raise _bluesky_error(created, secrets)


def _bluesky_existing_record(
    base: str, did: str, rkey: str, auth: dict[str, str], timeout: float, secrets: list[str]
) -> str | None:
    """The at:// URI of our record if it exists; None if the PDS says RecordNotFound."""
    query = urllib.parse.urlencode({"repo": did, "collection": POST_COLLECTION, "rkey": rkey})
    found = _request(
        "GET", f"{base}/xrpc/com.atproto.repo.getRecord?{query}", headers=auth, timeout=timeout, secrets=secrets
    )
    if found.status == 200 and found.json.get("uri"):
        return str(found.json["uri"])
    if found.status == 400 and found.json.get("error") == "RecordNotFound":
        return None
    # We cannot tell whether an earlier attempt went through: never risk a second post.
    raise _bluesky_error(found, secrets, temporary=True)


def _says_already_exists(response: _Response) -> bool:
    words = f"{response.json.get('error', '')} {response.json.get('message', '')}".lower()
    return response.status in (400, 409) and ("alreadyexists" in words or "already exists" in words)


def _bluesky_result(uri: str, handle: str) -> PublishResult:
    rkey = uri.rstrip("/").rsplit("/", 1)[-1]
    url = f"https://bsky.app/profile/{urllib.parse.quote(handle)}/post/{urllib.parse.quote(rkey)}"
    logger.info("Published Bluesky record %s", uri)
    return PublishResult(remote_id=uri, url=url)


def _bluesky_error(response: _Response, secrets: list[str], *, temporary: bool = False) -> PublishError:
    # XRPC errors are {"error": "Name", "message"?: "..."}.
    body = response.json
    message = _redact(str(body.get("message") or body.get("error") or f"HTTP {response.status} from Bluesky"), secrets)
    if temporary or _is_temporary(response.status):
        retry_after = _retry_after_header(response.headers)
        if retry_after is None and _rate_limited(response, "RateLimit-Remaining"):
            retry_after = _unix_reset(_header(response.headers, "RateLimit-Reset"))
        return TemporaryPublishError(message, retry_after=retry_after)
    return PermanentPublishError(message)


def tid_from_uuid(key: str | uuid.UUID) -> str:
    """A record key in TID syntax (https://atproto.com/specs/tid), fixed by the
    idempotency key: the UUID's top 63 bits under a zero top bit, in
    base32-sortable. The "timestamp" it decodes to is therefore arbitrary; the
    PDS and app view check TID syntax only."""
    value = uuid.UUID(str(key)).int >> 65
    chars = []
    for _ in range(13):
        chars.append(TID_ALPHABET[value & 31])
        value >>= 5
    return "".join(reversed(chars))


def _atproto_now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


# Hashtags: "#" at the start or after whitespace, up to whitespace; trailing
# punctuation is not part of the tag; a tag of digits only is not a tag; at
# most 64 characters (https://docs.bsky.app/docs/advanced-guides/post-richtext).
_TAG_RE = re.compile(r"(?:^|(?<=\s))[#＃]([^\s#＃]+)")
# Links: http(s) URLs at the start or after whitespace or an opening bracket.
_URL_RE = re.compile(r"(?:^|(?<=[\s(\[<\"']))(https?://[^\s<>\"]+)", re.IGNORECASE)
_TRAILING_URL_PUNCTUATION = ".,;:!?'\""
_INVISIBLE = "\u00ad\u2060\u200a\u200b\u200c\u200d\u20e2\ufe0f"


def bluesky_facets(text: str) -> list[dict[str, Any]]:
    """Rich-text facets for #hashtags and http(s) links, indexed by UTF-8 byte
    offsets as app.bsky.richtext.facet requires."""

    def byte_index(start: int, end: int) -> dict[str, int]:
        byte_start = len(text[:start].encode())
        return {"byteStart": byte_start, "byteEnd": byte_start + len(text[start:end].encode())}

    facets: list[dict[str, Any]] = []
    link_spans: list[tuple[int, int]] = []
    for match in _URL_RE.finditer(text):
        url = match.group(1)
        url = url.rstrip(_TRAILING_URL_PUNCTUATION)
        if url.endswith(")") and url.count("(") < url.count(")"):
            url = url[:-1]
        if "." not in urllib.parse.urlsplit(url).netloc:
            continue
        start = match.start(1)
        end = start + len(url)
        link_spans.append((start, end))
        facets.append(
            {"index": byte_index(start, end), "features": [{"$type": "app.bsky.richtext.facet#link", "uri": url}]}
        )
    for match in _TAG_RE.finditer(text):
        start = match.start()
        if any(s <= start < e for s, e in link_spans):
            continue
        tag = match.group(1).strip(_INVISIBLE)
        while tag and unicodedata.category(tag[-1]).startswith("P"):
            tag = tag[:-1]
        if not tag or tag.isdigit() or len(tag) > 64:
            continue
        end = match.start(1) + len(tag)
        facets.append(
            {"index": byte_index(start, end), "features": [{"$type": "app.bsky.richtext.facet#tag", "tag": tag}]}
        )
    facets.sort(key=lambda facet: facet["index"]["byteStart"])
    return facets


# --- HTTP ---------------------------------------------------------------------


@dataclass(frozen=True)
class _Response:
    status: int
    headers: dict[str, str]
    json: dict[str, Any]


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    """A redirect would carry the Authorization header to another URL: refuse."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None


_opener = urllib.request.build_opener(_NoRedirects)


def _base_url(instance_url: str, *, default: str | None) -> str:
    url = (instance_url or default or "").strip().rstrip("/")
    parts = urllib.parse.urlsplit(url)
    if not parts.hostname:
        raise PermanentPublishError("The account has no server address.")
    if parts.scheme != "https" and not (parts.scheme == "http" and _is_loopback(parts.hostname)):
        raise PermanentPublishError("The server address must start with https://.")
    return url


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _request(
    method: str,
    url: str,
    *,
    body: dict[str, Any] | None = None,
    headers: dict[str, str] | None = None,
    timeout: float,
    secrets: list[str],
) -> _Response:
    """One JSON request. HTTP error statuses come back as a `_Response`;
    network failures raise TemporaryPublishError."""
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, method=method)  # noqa: S310 (scheme checked in _base_url)
    request.add_header("User-Agent", USER_AGENT)
    request.add_header("Accept", "application/json")
    if data is not None:
        request.add_header("Content-Type", "application/json")
    for name, value in (headers or {}).items():
        request.add_header(name, value)
    endpoint = urllib.parse.urlsplit(url).path
    try:
        try:
            with _opener.open(request, timeout=timeout) as response:
                return _Response(response.status, dict(response.headers.items()), _read_json(response))
        except urllib.error.HTTPError as error:
            with error:
                return _Response(error.code, dict(error.headers.items()), _read_json(error))
    except (urllib.error.URLError, HTTPException, OSError) as error:
        reason = getattr(error, "reason", error)
        if isinstance(reason, TimeoutError):
            message = f"No answer from {endpoint} within {timeout:g} seconds."
        else:
            message = f"Could not reach {endpoint}: {type(reason).__name__}."
        logger.warning("Publishing request to %s failed: %s", endpoint, type(reason).__name__)
        raise TemporaryPublishError(_redact(message, secrets)) from None


def _read_json(response: Any) -> dict[str, Any]:
    raw = response.read(MAX_RESPONSE_BYTES)
    try:
        parsed = json.loads(raw or b"{}")
    except ValueError:
        return {}
    return parsed if isinstance(parsed, dict) else {}


def _is_temporary(status: int) -> bool:
    return status in TEMPORARY_STATUSES or status >= 500


def _redact(message: str, secrets: list[str]) -> str:
    for secret in secrets:
        if secret:
            message = message.replace(secret, "[redacted]")
    return message[:1000]


def _retry_after_header(headers: dict[str, str]) -> float | None:
    """Retry-After: delay seconds or an HTTP date (RFC 9110 section 10.2.3)."""
    value = _header(headers, "Retry-After")
    if not value:
        return None
    if value.strip().isdigit():
        return float(value.strip())
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - datetime.now(UTC)).total_seconds())


def _rate_limited(response: _Response, remaining_header: str) -> bool:
    """Both networks send their rate-limit headers on every answer; the reset
    time is the wait only when the limit is what stopped the request."""
    return response.status == 429 or _header(response.headers, remaining_header) == "0"


def _iso_reset(value: str | None) -> float | None:
    """Mastodon's X-RateLimit-Reset: an ISO 8601 time."""
    if not value:
        return None
    try:
        when = datetime.fromisoformat(value.strip())
    except ValueError:
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - datetime.now(UTC)).total_seconds())


def _unix_reset(value: str | None) -> float | None:
    """Bluesky's RateLimit-Reset: a Unix time in seconds."""
    try:
        return max(0.0, float(value) - time.time()) if value else None
    except ValueError:
        return None


def _header(headers: dict[str, str], name: str) -> str | None:
    for key, value in headers.items():
        if key.lower() == name.lower():
            return value
    return None
