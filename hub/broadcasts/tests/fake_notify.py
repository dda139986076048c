"""A stand-in for GOV.UK Notify's POST /v2/notifications/email, on a free local port.

It checks what the real API checks before sending: the JWT bearer token (HS256, signed with
the secret half of the API key, iss = the service ID, iat within 30 seconds), the request
schema (email_address, template_id, personalisation, reference, email_reply_to_id,
one_click_unsubscribe_url and nothing else), that the template exists and that every
placeholder in it has a value. It answers as Notify does: 201 with the notification, or
{"status_code": ..., "errors": [{"error": ..., "message": ...}]}.

    with FakeNotify(template_id=TEMPLATE_ID) as notify:
        settings.NOTIFY_BASE_URL = notify.url
        settings.NOTIFY_API_KEY = notify.api_key
        notify.fail_next("rate_limit", times=2)   # the next two requests get 429
        ...
        notify.notifications[0]["json"]            # what was accepted

Sources: the notifications-python-client 13.0.0 source (authentication.create_jwt_token,
base.BaseAPIClient: key = "{name}-{service id}-{secret}", sliced [-73:-37] and [-36:]) and
GOV.UK Notify's documented error tables (alphagov/notifications-tech-docs).
"""

import json
import re
import threading
import time
import uuid
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import jwt

CLOCK_BOUND = 30  # seconds either side, as Notify allows
FROM_EMAIL = "safeguarding.partnership@notifications.service.gov.uk"
EMAIL_TEMPLATE = {"subject": "((subject))", "body": "((body))"}
REQUEST_FIELDS = {
    "email_address",
    "template_id",
    "personalisation",
    "reference",
    "email_reply_to_id",
    "one_click_unsubscribe_url",
}
# Close to Notify's own check (notifications-utils): one @, a dotted domain, no spaces or brackets.
EMAIL_PATTERN = re.compile(r"^[^\s@()<>\[\],;:\"]+@([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$", re.IGNORECASE)
PLACEHOLDER = re.compile(r"\(\(([^()]+)\)\)")

# Answers the tests can ask for, with the status codes, error types and messages Notify documents.
FAILURES = {
    "rate_limit": (429, "RateLimitError", "Exceeded rate limit for key type LIVE of 3000 requests per 60 seconds"),
    "daily_limit": (429, "TooManyRequestsError", "Exceeded send limits (250000) for today"),
    "server_error": (500, "Exception", "Internal server error"),
    "invalid_email": (400, "ValidationError", "email_address Not a valid email address"),
    "auth": (403, "AuthError", "Invalid token: API key not found"),
    "clock": (403, "AuthError", "Error: Your system clock must be accurate to within 30 seconds"),
    "template_not_found": (400, "BadRequestError", "Template not found"),
    "trial_mode": (
        400,
        "BadRequestError",
        "Can’t send to this recipient when service is in trial mode – see https://www.notifications.service.gov.uk/trial-mode",
    ),
}


def make_api_key(name: str = "hub-tests") -> tuple[str, str, str]:
    """A well-formed Notify API key and its parts: (key, service_id, secret)."""
    service_id, secret = str(uuid.uuid4()), str(uuid.uuid4())
    return f"{name}-{service_id}-{secret}", service_id, secret


class _Refusal(Exception):
    def __init__(self, status: int, error: str, message: str) -> None:
        super().__init__(message)
        self.status, self.error, self.message = status, error, message


@dataclass
class FakeNotify:
    template_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    api_key: str = ""
    template: dict = field(default_factory=lambda: dict(EMAIL_TEMPLATE))
    host: str = "127.0.0.1"

    def __post_init__(self) -> None:
        if not self.api_key:
            self.api_key, _, _ = make_api_key()
        self.service_id, self.secret = self.api_key[-73:-37], self.api_key[-36:]
        self.requests: list[dict] = []  # every request, accepted or not
        self.notifications: list[dict] = []  # the accepted ones, with the 201 body sent back
        self._failures: list[tuple[int, str, str]] = []
        self._delays: list[float] = []
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # --- Control ---------------------------------------------------------------------------

    @property
    def url(self) -> str:
        assert self._server is not None, "start the fake first (use it as a context manager)"
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def fail_next(self, kind: str, times: int = 1) -> None:
        """Answer the next `times` requests with one of FAILURES (after checking the token)."""
        with self._lock:
            self._failures.extend([FAILURES[kind]] * times)

    def fail_next_with(self, status: int, error: str, message: str, times: int = 1) -> None:
        with self._lock:
            self._failures.extend([(status, error, message)] * times)

    def delay_next(self, seconds: float, times: int = 1) -> None:
        """Wait this long before answering the next `times` requests (for client timeouts)."""
        with self._lock:
            self._delays.extend([seconds] * times)

    def __enter__(self) -> "FakeNotify":
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self) -> None:  # noqa: N802 (http.server hook name)
                fake._handle(self)

            def do_GET(self) -> None:  # noqa: N802
                fake._answer(self, 405, {"result": "error", "message": "The method is not allowed"})

            def log_message(self, format, *args) -> None:  # noqa: A002 (http.server signature)
                pass  # keep test output clean

        self._server = ThreadingHTTPServer((self.host, 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, name="fake-notify", daemon=True
        )
        self._thread.start()
        return self

    def __exit__(self, *exc_info) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    # --- The API ---------------------------------------------------------------------------

    def _handle(self, request: BaseHTTPRequestHandler) -> None:
        length = int(request.headers.get("Content-Length") or 0)
        raw = request.rfile.read(length) if length else b""
        record = {
            "path": request.path,
            "headers": dict(request.headers.items()),
            "json": None,
            "claims": None,
            "status": None,
        }
        with self._lock:
            self.requests.append(record)
            delay = self._delays.pop(0) if self._delays else 0.0
        if delay:
            time.sleep(delay)
        try:
            if request.path != "/v2/notifications/email":
                self._answer(request, 404, {"result": "error", "message": "The requested URL was not found"})
                record["status"] = 404
                return
            record["claims"] = self._authenticate(request.headers.get("Authorization"))
            with self._lock:
                failure = self._failures.pop(0) if self._failures else None
            if failure:
                raise _Refusal(*failure)
            try:
                data = json.loads(raw or b"null")
            except ValueError as error:
                raise _Refusal(400, "ValidationError", "Invalid JSON supplied in POST data") from error
            record["json"] = data
            body = self._create(data)
        except _Refusal as refusal:
            record["status"] = refusal.status
            self._answer(
                request,
                refusal.status,
                {"status_code": refusal.status, "errors": [{"error": refusal.error, "message": refusal.message}]},
            )
            return
        record["status"] = 201
        with self._lock:
            self.notifications.append({"json": data, "response": body, "claims": record["claims"]})
        self._answer(request, 201, body)

    def _authenticate(self, header: str | None) -> dict:
        if not header:
            raise _Refusal(401, "AuthError", "Unauthorized: authentication token must be provided")
        if header[:7].title() != "Bearer ":
            raise _Refusal(401, "AuthError", "Unauthorized: authentication bearer scheme must be used")
        token = header[7:]
        try:
            unverified = jwt.decode(token, options={"verify_signature": False}, algorithms=["HS256"])
            header_fields = jwt.get_unverified_header(token)
        except jwt.PyJWTError as error:
            raise _Refusal(403, "AuthError", "Invalid token: signature, api token is not valid") from error
        if header_fields.get("alg") != "HS256":
            raise _Refusal(403, "AuthError", "Invalid token: algorithm used is not HS256")
        if "iss" not in unverified:
            raise _Refusal(403, "AuthError", "Invalid token: iss field not provided")
        if unverified["iss"] != self.service_id:
            raise _Refusal(403, "AuthError", "Invalid token: service not found")
        try:
            claims = jwt.decode(
                token, key=self.secret, algorithms=["HS256"], options={"verify_iat": False, "require": ["iat"]}
            )
        except jwt.MissingRequiredClaimError as error:
            raise _Refusal(403, "AuthError", "Invalid token: iat field not provided") from error
        except jwt.PyJWTError as error:
            raise _Refusal(403, "AuthError", "Invalid token: API key not found") from error
        if abs(int(time.time()) - int(claims["iat"])) > CLOCK_BOUND:
            raise _Refusal(403, "AuthError", "Error: Your system clock must be accurate to within 30 seconds")
        return claims

    def _create(self, data: object) -> dict:
        if not isinstance(data, dict):
            raise _Refusal(400, "ValidationError", f"{data!r} is not of type object")
        errors = []
        for name in ("email_address", "template_id"):
            if name not in data:
                errors.append(f"{name} is a required property")
        extra = sorted(set(data) - REQUEST_FIELDS)
        if extra:
            errors.append(f"Additional properties are not allowed ({', '.join(map(repr, extra))} was unexpected)")
        email = data.get("email_address")
        if "email_address" in data:
            if not isinstance(email, str):
                errors.append(f"email_address {email!r} is not of type string")
            elif not EMAIL_PATTERN.match(email.strip()):
                errors.append("email_address Not a valid email address")
        template_id = data.get("template_id")
        if "template_id" in data:
            try:
                uuid.UUID(str(template_id))
            except ValueError:
                errors.append("template_id is not a valid UUID")
        personalisation = data.get("personalisation", {})
        if not isinstance(personalisation, dict):
            errors.append(f"personalisation {personalisation!r} is not of type object")
        for name in ("reference", "email_reply_to_id"):
            if name in data and not isinstance(data[name], str):
                errors.append(f"{name} {data[name]!r} is not of type string")
        unsubscribe = data.get("one_click_unsubscribe_url")
        if unsubscribe is not None and (
            not isinstance(unsubscribe, str) or not re.match(r"^https://[^\s/]+\.[^\s/]+(/\S*)?$", unsubscribe)
        ):
            errors.append("one_click_unsubscribe_url is not a valid https url")
        if errors:
            raise _Refusal(400, "ValidationError", errors[0])
        if str(template_id) != self.template_id:
            raise _Refusal(400, "BadRequestError", "Template not found")
        needed = {name for part in self.template.values() for name in PLACEHOLDER.findall(part)}
        missing = sorted(needed - set(personalisation))
        if missing:
            raise _Refusal(400, "BadRequestError", f"Missing personalisation: {', '.join(missing)}")

        def fill(text: str) -> str:
            return PLACEHOLDER.sub(lambda match: str(personalisation[match.group(1)]), text)

        notification_id = str(uuid.uuid4())
        content = {
            "subject": fill(self.template["subject"]),
            "body": fill(self.template["body"]),
            "from_email": FROM_EMAIL,
        }
        if unsubscribe:
            content["one_click_unsubscribe_url"] = unsubscribe
        return {
            "id": notification_id,
            "reference": data.get("reference"),
            "content": content,
            "uri": f"{self.url}/v2/notifications/{notification_id}",
            "template": {"id": self.template_id, "version": 1, "uri": f"{self.url}/v2/template/{self.template_id}"},
            "scheduled_for": None,
        }

    @staticmethod
    def _answer(request: BaseHTTPRequestHandler, status: int, body: dict) -> None:
        payload = json.dumps(body).encode()
        request.send_response(status)
        request.send_header("Content-Type", "application/json")
        request.send_header("Content-Length", str(len(payload)))
        try:
            request.end_headers()
            request.wfile.write(payload)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up waiting (a timeout test)
