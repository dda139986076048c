"""A local HTTP server that answers like Mastodon and a Bluesky PDS, for the
channel adapters' tests (a helper, not a test module).

It implements the requests and answers the adapters rely on, as documented:

- Mastodon POST /api/v1/statuses
  https://docs.joinmastodon.org/methods/statuses/#create (parameters, the
  Idempotency-Key header kept for an hour, 200 with a Status, 401 "The access
  token is invalid", 422 "Validation failed: Text character limit of 500
  exceeded"); https://docs.joinmastodon.org/entities/Status/ (the answer);
  https://docs.joinmastodon.org/api/rate-limits/ (429 with X-RateLimit-Limit,
  -Remaining and -Reset, the reset an ISO 8601 time). The character count
  treats every URL as 23 characters, as Mastodon does.
- Bluesky (XRPC, https://atproto.com/specs/xrpc): errors are
  {"error": Name, "message": ...}; 429 {"error": "RateLimitExceeded"} with
  RateLimit-Limit, -Remaining, -Reset (Unix seconds) and -Policy
  (https://docs.bsky.app/docs/advanced-guides/rate-limits).
  com.atproto.server.createSession
  https://docs.bsky.app/docs/api/com-atproto-server-create-session
  (401 AuthenticationRequired "Invalid identifier or password"),
  com.atproto.repo.createRecord
  https://docs.bsky.app/docs/api/com-atproto-repo-create-record and the
  app.bsky.feed.post lexicon (text at most 300 graphemes and 3000 bytes,
  createdAt a datetime, 400 InvalidRequest "Invalid app.bsky.feed.post
  record: ..."), com.atproto.repo.getRecord
  https://docs.bsky.app/docs/api/com-atproto-repo-get-record
  (400 RecordNotFound).

A create on a record key that already exists: the reference PDS answers
500 {"error": "InternalServerError", "message": "Internal Server Error"}
(bluesky-social/atproto#3718, bluesky-social/indigo#873), which is the
default here; `bluesky_duplicate_answer="explicit"` answers 400 with an
"already exists" error instead, as proposed in bluesky-social/atproto#4728
(the error name there is this server's guess).

Grapheme counting uses the standard library only, so it approximates
Unicode's rules (combining marks, joiners, variation selectors, skin tones and
flag pairs do not start a new grapheme); enough for the tests' texts.

Use:

    with ContractServer() as server:
        server.fail_next("mastodon", status=429, reset_in=30)
        ...  # point a SocialAccount's instance_url at server.url
        assert server.requests[-1].headers["idempotency-key"] == ...
"""

from __future__ import annotations

import hashlib
import html
import json
import re
import secrets
import threading
import time
import unicodedata
import urllib.parse
from collections import deque
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

POST_COLLECTION = "app.bsky.feed.post"
# The credentials the server accepts unless told otherwise (test values).
MASTODON_TOKEN = "mastodon-test-token-0123456789"
BLUESKY_APP_PASSWORD = "abcd-efgh-ijkl-mnop"
MASTODON_URL_LENGTH = 23
_URL_RE = re.compile(r"https?://\S+", re.IGNORECASE)
_RKEY_RE = re.compile(r"^[A-Za-z0-9._:~-]{1,512}$")
_DATETIME_RE = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$")
_TID_ALPHABET = "234567abcdefghijklmnopqrstuvwxyz"


@dataclass(frozen=True)
class RecordedRequest:
    network: str  # "mastodon" | "bluesky"
    method: str
    path: str  # without the query string
    endpoint: str  # "/api/v1/statuses" or the XRPC method name
    query: dict[str, str]
    headers: dict[str, str]  # names in lower case
    body: Any  # parsed JSON or form; None when empty


@dataclass
class Failure:
    """What the next matching request gets instead of (or on top of) the normal answer."""

    status: int | None = None
    reset_in: float | None = None
    retry_after: str | None = None
    body: Any = None
    drop: bool = False
    delay: float = 0.0
    endpoint: str | None = None


@dataclass
class _State:
    mastodon_statuses: dict[str, dict[str, Any]] = field(default_factory=dict)
    mastodon_idempotency: dict[str, str] = field(default_factory=dict)
    bluesky_sessions: set[str] = field(default_factory=set)
    bluesky_records: dict[str, dict[str, Any]] = field(default_factory=dict)  # by at:// URI


class ContractServer:
    """Mastodon and a Bluesky PDS on one 127.0.0.1 port, in a background thread."""

    def __init__(
        self,
        *,
        mastodon_token: str = MASTODON_TOKEN,
        mastodon_host: str = "mastodon.example",
        mastodon_account: str = "partnership",
        mastodon_character_limit: int = 500,
        bluesky_handle: str = "partnership.bsky.social",
        bluesky_password: str = BLUESKY_APP_PASSWORD,
        bluesky_did: str = "did:plc:partnership0000000000000",
        bluesky_duplicate_answer: str = "internal-error",
    ) -> None:
        if bluesky_duplicate_answer not in ("internal-error", "explicit"):
            raise ValueError("bluesky_duplicate_answer is 'internal-error' or 'explicit'")
        self.mastodon_token = mastodon_token
        self.mastodon_host = mastodon_host
        self.mastodon_account = mastodon_account
        self.mastodon_character_limit = mastodon_character_limit
        self.bluesky_handle = bluesky_handle
        self.bluesky_password = bluesky_password
        self.bluesky_did = bluesky_did
        self.bluesky_duplicate_answer = bluesky_duplicate_answer
        self.requests: list[RecordedRequest] = []
        self._failures: dict[str, deque[Failure]] = {"mastodon": deque(), "bluesky": deque()}
        self._state = _State()
        self._lock = threading.Lock()
        self._httpd: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self._next_status_id = 110_000_000_000_000_000

    # --- Life cycle -----------------------------------------------------------

    def start(self) -> ContractServer:
        handler = type("Handler", (_Handler,), {"contract": self})
        self._httpd = _Server(("127.0.0.1", 0), handler)
        self._thread = threading.Thread(target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
            self._httpd = None
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def __enter__(self) -> ContractServer:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    @property
    def url(self) -> str:
        assert self._httpd is not None, "start the server first"
        host, port = self._httpd.server_address[:2]
        return f"http://{host}:{port}"

    # --- Programming and inspecting ------------------------------------------

    def fail_next(
        self,
        network: str,
        *,
        status: int | None = None,
        reset_in: float | None = None,
        retry_after: str | None = None,
        body: Any = None,
        drop: bool = False,
        delay: float = 0.0,
        endpoint: str | None = None,
    ) -> None:
        """Queue a failure for the next request to `network` ("mastodon" or
        "bluesky"), or to its `endpoint` ("/api/v1/statuses",
        "com.atproto.repo.createRecord", ...) when given. Failures are used in
        the order queued.

        - status: answer with this status (and the network's usual error body,
          or `body`) without doing anything. 429 adds the network's rate-limit
          headers, resetting `reset_in` seconds from now (default 60).
        - retry_after: also send a Retry-After header with this value.
        - drop: close the connection without answering, without doing anything.
        - delay without status: do the request, then wait `delay` seconds before
          answering (a client with a shorter timeout gives up, yet the post exists).
        - delay with status: wait, then answer the failure.
        """
        if network not in self._failures:
            raise ValueError(f"unknown network {network!r}")
        if status is None and not drop and not delay:
            raise ValueError("give a status, drop=True or a delay")
        with self._lock:
            self._failures[network].append(
                Failure(status, reset_in, retry_after, body, drop, delay, endpoint),
            )

    def requests_to(self, endpoint: str) -> list[RecordedRequest]:
        return [request for request in self.requests if request.endpoint == endpoint]

    @property
    def mastodon_statuses(self) -> list[dict[str, Any]]:
        with self._lock:
            return list(self._state.mastodon_statuses.values())

    @property
    def bluesky_records(self) -> dict[str, dict[str, Any]]:
        """Records by at:// URI: {"uri", "cid", "value"}."""
        with self._lock:
            return dict(self._state.bluesky_records)

    def _take_failure(self, network: str, endpoint: str) -> Failure | None:
        with self._lock:
            queue = self._failures[network]
            for failure in queue:
                if failure.endpoint in (None, endpoint):
                    queue.remove(failure)
                    return failure
        return None

    # --- Mastodon -------------------------------------------------------------

    def mastodon_rate_headers(self, *, remaining: int = 299, reset_in: float = 300) -> dict[str, str]:
        reset = datetime.now(UTC) + timedelta(seconds=reset_in)
        return {
            "X-RateLimit-Limit": "300",
            "X-RateLimit-Remaining": str(remaining),
            "X-RateLimit-Reset": reset.isoformat(timespec="microseconds").replace("+00:00", "Z"),
        }

    def mastodon_failure(self, failure: Failure) -> tuple[int, dict[str, str], Any]:
        status = failure.status or 500
        headers = self.mastodon_rate_headers()
        if status == 429:
            headers = self.mastodon_rate_headers(remaining=0, reset_in=failure.reset_in or 60)
            body: Any = {"error": "Too many requests"}
        elif status == 401:
            body = {"error": "The access token is invalid"}
        elif status == 403:
            body = {"error": "This action is not allowed"}
        elif status == 404:
            body = {"error": "Record not found"}
        elif status == 422:
            body = {"error": "Validation failed: Text can't be blank"}
        elif status == 500:
            body = {"error": "Internal Server Error"}  # Rails' JSON answer
        elif status >= 500:
            body = f"<html><body><h1>{status}</h1>The server is unavailable.</body></html>"  # a proxy's page
        else:
            body = {"error": f"HTTP {status}"}
        return status, headers, failure.body if failure.body is not None else body

    def mastodon_create_status(self, headers: dict[str, str], body: Any) -> tuple[int, dict[str, str], Any]:
        rate = self.mastodon_rate_headers()
        if headers.get("authorization") != f"Bearer {self.mastodon_token}":
            return 401, rate, {"error": "The access token is invalid"}
        params = body if isinstance(body, dict) else {}
        key = headers.get("idempotency-key")
        with self._lock:
            # Mastodon answers a repeated key with the status it already made,
            # before it looks at the parameters again.
            if key and key in self._state.mastodon_idempotency:
                return 200, rate, self._state.mastodon_statuses[self._state.mastodon_idempotency[key]]
        text = params.get("status")
        if not isinstance(text, str) or not text.strip():
            return 422, rate, {"error": "Validation failed: Text can't be blank"}
        if mastodon_length(text) > self.mastodon_character_limit:
            limit = self.mastodon_character_limit
            return 422, rate, {"error": f"Validation failed: Text character limit of {limit} exceeded"}
        visibility = params.get("visibility", "public")
        if visibility not in ("public", "unlisted", "private", "direct"):
            return 422, rate, {"error": "Validation failed: Visibility is not included in the list"}
        with self._lock:
            self._next_status_id += 1
            status_id = str(self._next_status_id)
            status = {
                "id": status_id,
                "created_at": datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z"),
                "visibility": visibility,
                "language": params.get("language"),
                "uri": f"https://{self.mastodon_host}/users/{self.mastodon_account}/statuses/{status_id}",
                "url": f"https://{self.mastodon_host}/@{self.mastodon_account}/{status_id}",
                "content": "<p>" + html.escape(text).replace("\n", "<br />") + "</p>",
                "account": {"acct": self.mastodon_account, "username": self.mastodon_account},
            }
            self._state.mastodon_statuses[status_id] = status
            if key:
                self._state.mastodon_idempotency[key] = status_id
        return 200, rate, status

    # --- Bluesky --------------------------------------------------------------

    def bluesky_rate_headers(self, *, remaining: int = 4999, reset_in: float = 3600) -> dict[str, str]:
        return {
            "RateLimit-Limit": "5000",
            "RateLimit-Remaining": str(remaining),
            "RateLimit-Reset": str(int(time.time() + reset_in)),
            "RateLimit-Policy": "5000;w=3600",
        }

    def bluesky_failure(self, failure: Failure) -> tuple[int, dict[str, str], Any]:
        status = failure.status or 500
        headers = self.bluesky_rate_headers()
        if status == 429:
            headers = self.bluesky_rate_headers(remaining=0, reset_in=failure.reset_in or 60)
            body: Any = {"error": "RateLimitExceeded", "message": "Rate Limit Exceeded"}
        elif status == 400:
            body = {"error": "InvalidRequest", "message": "Invalid request"}
        elif status == 401:
            body = {"error": "AuthenticationRequired", "message": "Authentication Required"}
        elif status == 500:
            body = {"error": "InternalServerError", "message": "Internal Server Error"}
        elif status == 502:
            body = {"error": "UpstreamFailure", "message": "Upstream Failure"}
        elif status >= 500:
            body = "Service Unavailable"  # a load balancer's plain-text page
        else:
            body = {"error": "InvalidRequest", "message": f"HTTP {status}"}
        return status, headers, failure.body if failure.body is not None else body

    def bluesky_create_session(self, body: Any) -> tuple[int, dict[str, str], Any]:
        rate = self.bluesky_rate_headers()
        params = body if isinstance(body, dict) else {}
        for name in ("identifier", "password"):
            if not isinstance(params.get(name), str):
                return 400, rate, {"error": "InvalidRequest", "message": f'Input must have the property "{name}"'}
        identifier = params["identifier"].lower().lstrip("@")
        if identifier not in (self.bluesky_handle, self.bluesky_did) or params["password"] != self.bluesky_password:
            return 401, rate, {"error": "AuthenticationRequired", "message": "Invalid identifier or password"}
        access = "eyJ0eXAiOiJhdCtqd3QifQ." + secrets.token_urlsafe(24)
        with self._lock:
            self._state.bluesky_sessions.add(access)
        return (
            200,
            rate,
            {
                "accessJwt": access,
                "refreshJwt": "eyJ0eXAiOiJyZWZyZXNoK2p3dCJ9." + secrets.token_urlsafe(24),
                "handle": self.bluesky_handle,
                "did": self.bluesky_did,
                "active": True,
            },
        )

    def _bluesky_auth_error(self, headers: dict[str, str]) -> tuple[int, dict[str, str], Any] | None:
        authorization = headers.get("authorization", "")
        if not authorization.startswith("Bearer "):
            return (
                401,
                self.bluesky_rate_headers(),
                {"error": "AuthenticationRequired", "message": "Authentication Required"},
            )
        with self._lock:
            known = authorization.removeprefix("Bearer ") in self._state.bluesky_sessions
        if not known:
            return 401, self.bluesky_rate_headers(), {"error": "InvalidToken", "message": "Token could not be verified"}
        return None

    def bluesky_create_record(self, headers: dict[str, str], body: Any) -> tuple[int, dict[str, str], Any]:
        if error := self._bluesky_auth_error(headers):
            return error
        rate = self.bluesky_rate_headers()

        def invalid(message: str, name: str = "InvalidRequest") -> tuple[int, dict[str, str], Any]:
            return 400, rate, {"error": name, "message": message}

        params = body if isinstance(body, dict) else {}
        for name in ("repo", "collection", "record"):
            if name not in params:
                return invalid(f'Input must have the property "{name}"')
        if params["repo"] not in (self.bluesky_did, self.bluesky_handle):
            return invalid(f"Could not find repo: {params['repo']}")
        collection = params["collection"]
        if collection != POST_COLLECTION:
            return invalid(f"This server stores {POST_COLLECTION} records only, not {collection}")
        if params.get("validate") is False:
            return invalid("Unvalidated writes are not supported here")
        record = params["record"]
        if not isinstance(record, dict):
            return invalid("Input/record must be an object")
        if record.get("$type", collection) != collection:
            return invalid(f"Invalid $type: expected {collection}, got {record.get('$type')}")
        if problem := post_record_problem(record):
            return invalid(f"Invalid {POST_COLLECTION} record: {problem}")
        rkey = params.get("rkey") or _new_tid()
        if not isinstance(rkey, str) or not _RKEY_RE.match(rkey) or rkey in (".", ".."):
            return invalid("Invalid record key")
        uri = f"at://{self.bluesky_did}/{collection}/{rkey}"
        value = {"$type": collection, **record}
        cid = "bafyrei" + hashlib.sha256(json.dumps(value, sort_keys=True).encode()).hexdigest()[:52]
        with self._lock:
            exists = uri in self._state.bluesky_records
            if not exists:
                self._state.bluesky_records[uri] = {"uri": uri, "cid": cid, "value": value}
        if exists:
            if self.bluesky_duplicate_answer == "explicit":
                return invalid(f"Record already exists: {uri}", "RecordAlreadyExists")
            return 500, rate, {"error": "InternalServerError", "message": "Internal Server Error"}
        return (
            200,
            rate,
            {
                "uri": uri,
                "cid": cid,
                "commit": {"cid": "bafyreicommit" + cid[12:40], "rev": _new_tid()},
                "validationStatus": "valid",
            },
        )

    def bluesky_get_record(self, query: dict[str, str]) -> tuple[int, dict[str, str], Any]:
        rate = self.bluesky_rate_headers()
        for name in ("repo", "collection", "rkey"):
            if not query.get(name):
                return 400, rate, {"error": "InvalidRequest", "message": f'Params must have the property "{name}"'}
        if query["repo"] not in (self.bluesky_did, self.bluesky_handle):
            return 400, rate, {"error": "InvalidRequest", "message": f"Could not find repo: {query['repo']}"}
        uri = f"at://{self.bluesky_did}/{query['collection']}/{query['rkey']}"
        with self._lock:
            record = self._state.bluesky_records.get(uri)
        if record is None:
            return 400, rate, {"error": "RecordNotFound", "message": f"Could not locate record: {uri}"}
        return 200, rate, record


def mastodon_length(text: str) -> int:
    """Mastodon's count: every URL is 23 characters."""
    return len(_URL_RE.sub("x" * MASTODON_URL_LENGTH, text))


def grapheme_count(text: str) -> int:
    """Approximate extended grapheme clusters with the standard library."""
    count = 0
    previous = ""
    regional_run = 0
    for char in text:
        code = ord(char)
        joins_previous = (
            unicodedata.category(char) in ("Mn", "Me", "Mc")
            or char == "\u200d"
            or previous == "\u200d"
            or 0xFE00 <= code <= 0xFE0F
            or 0x1F3FB <= code <= 0x1F3FF
            or 0xE0020 <= code <= 0xE007F
        )
        if 0x1F1E6 <= code <= 0x1F1FF:
            regional_run += 1
            joins_previous = joins_previous or regional_run % 2 == 0
        else:
            regional_run = 0
        if not joins_previous or count == 0:
            count += 1
        previous = char
    return count


def post_record_problem(record: dict[str, Any]) -> str | None:
    """What the app.bsky.feed.post lexicon would reject, as the PDS words it."""
    text = record.get("text")
    if not isinstance(text, str):
        return 'Record must have the property "text"'
    if len(text.encode()) > 3000:
        return "Record/text must not be longer than 3000 characters"
    if grapheme_count(text) > 300:
        return "Record/text must not be longer than 300 graphemes"
    created_at = record.get("createdAt")
    if not isinstance(created_at, str):
        return 'Record must have the property "createdAt"'
    if not _DATETIME_RE.match(created_at):
        return "Record/createdAt must be an valid atproto datetime (both RFC-3339 and ISO-8601)"
    langs = record.get("langs", [])
    if not isinstance(langs, list) or len(langs) > 3:
        return "Record/langs must not have more than 3 elements"
    size = len(text.encode())
    for number, facet in enumerate(record.get("facets", [])):
        index = facet.get("index", {}) if isinstance(facet, dict) else {}
        start, end = index.get("byteStart"), index.get("byteEnd")
        if not isinstance(start, int) or not isinstance(end, int) or not 0 <= start <= end <= size:
            return f"Record/facets/{number}/index must have byteStart <= byteEnd within the text"
        features = facet.get("features")
        if not isinstance(features, list) or not features:
            return f'Record/facets/{number} must have the property "features"'
        for feature in features:
            kind = feature.get("$type") if isinstance(feature, dict) else None
            if kind == "app.bsky.richtext.facet#link" and not isinstance(feature.get("uri"), str):
                return f'Record/facets/{number}/features must have the property "uri"'
            if kind == "app.bsky.richtext.facet#tag":
                tag = feature.get("tag")
                if not isinstance(tag, str) or not 1 <= len(tag) <= 640 or tag.startswith("#"):
                    return f"Record/facets/{number}/features has an invalid tag"
    return None


def _new_tid() -> str:
    value = (time.time_ns() // 1000) << 10 | secrets.randbelow(1024)
    chars = []
    for _ in range(13):
        chars.append(_TID_ALPHABET[value & 31])
        value >>= 5
    return "".join(reversed(chars))


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        # A client that gave up before a slow answer leaves a broken pipe: expected.
        pass


class _Handler(BaseHTTPRequestHandler):
    contract: ContractServer
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 (BaseHTTPRequestHandler's name)
        pass

    def do_GET(self) -> None:
        self._handle()

    def do_POST(self) -> None:
        self._handle()

    def _handle(self) -> None:
        parts = urllib.parse.urlsplit(self.path)
        query = dict(urllib.parse.parse_qsl(parts.query))
        headers = {name.lower(): value for name, value in self.headers.items()}
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        body = _parse_body(raw, headers.get("content-type", ""))
        if parts.path.startswith("/xrpc/"):
            network, endpoint = "bluesky", parts.path.removeprefix("/xrpc/")
        else:
            network, endpoint = "mastodon", parts.path
        contract = self.contract
        with contract._lock:
            contract.requests.append(RecordedRequest(network, self.command, parts.path, endpoint, query, headers, body))

        failure = contract._take_failure(network, endpoint)
        if failure and failure.drop:
            self.close_connection = True
            return
        if failure and failure.status is not None:
            time.sleep(failure.delay)
            status, answer_headers, answer = (
                contract.mastodon_failure(failure) if network == "mastodon" else contract.bluesky_failure(failure)
            )
            if failure.retry_after is not None:
                answer_headers["Retry-After"] = failure.retry_after
            self._answer(status, answer_headers, answer)
            return

        status, answer_headers, answer = self._route(network, endpoint, headers, query, body)
        if failure and failure.delay:
            time.sleep(failure.delay)  # done, but answered too late
        self._answer(status, answer_headers, answer)

    def _route(
        self, network: str, endpoint: str, headers: dict[str, str], query: dict[str, str], body: Any
    ) -> tuple[int, dict[str, str], Any]:
        contract = self.contract
        if (self.command, endpoint) == ("POST", "/api/v1/statuses"):
            return contract.mastodon_create_status(headers, body)
        if (self.command, endpoint) == ("POST", "com.atproto.server.createSession"):
            return contract.bluesky_create_session(body)
        if (self.command, endpoint) == ("POST", "com.atproto.repo.createRecord"):
            return contract.bluesky_create_record(headers, body)
        if (self.command, endpoint) == ("GET", "com.atproto.repo.getRecord"):
            return contract.bluesky_get_record(query)
        if network == "bluesky":
            return 501, {}, {"error": "MethodNotImplemented", "message": "Method Not Implemented"}
        return 404, {}, {"error": "Record not found"}

    def _answer(self, status: int, headers: dict[str, str], body: Any) -> None:
        if isinstance(body, str):
            data, content_type = body.encode(), "text/html; charset=utf-8"
        else:
            data, content_type = json.dumps(body).encode(), "application/json; charset=utf-8"
        try:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(data)))
            for name, value in headers.items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(data)
        except OSError:
            self.close_connection = True


def _parse_body(raw: bytes, content_type: str) -> Any:
    if not raw:
        return None
    if content_type.startswith("application/x-www-form-urlencoded"):
        return dict(urllib.parse.parse_qsl(raw.decode()))
    try:
        return json.loads(raw)
    except ValueError:
        return raw.decode(errors="replace")
