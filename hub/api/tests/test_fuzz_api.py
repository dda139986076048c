"""Fuzzing the whole /api/v1/ OpenAPI document with schemathesis: every operation,
with valid and invalid requests, against the real app in-process (Django's WSGI
handler) with the demo data loaded. No answer may be a 5xx, every error is JSON
with a "message", and answers conform to the schema the API publishes (all of
schemathesis' checks: status codes, content types, headers, response schemas,
negative data rejected, positive data accepted, authentication enforced).

Bounded for CI: at most 25 generated examples per operation (plus schemathesis'
deterministic coverage cases), derandomized so every run sends the same requests."""

import datetime
import uuid
from io import StringIO

import pytest
import schemathesis
from django.core.management import call_command
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections, transaction
from django.utils import timezone
from hypothesis import HealthCheck, settings
from schemathesis.openapi.checks import RejectedPositiveData

from hub.accounts.roles import Role
from hub.accounts.tests.factories import UserFactory, api_token_make
from hub.broadcasts.models import Bulletin
from hub.broadcasts.tests.factories_bulletins import BulletinFactory, SeriesFactory
from hub.screening.models import Screening
from hub.screening.tests.factories import all_no, submitted_make
from hub.training.tests.factories import SessionFactory

# Objects the fixture makes with these keys, so the fuzzer also reaches them (a parameter is
# often one of them) and the 200 answers' shapes are checked; and hostile text it also tries
# there: NUL characters (PostgreSQL cannot hold them), a right-to-left override, emoji,
# combining marks, a long string and markup.
CAMPAIGN_SLUG = "cseday18"  # the demo campaign
TOOL_VERSION = "2026.1"  # the screening tool the demo loads
SERIES_SLUG = "fuzz-week"
SESSION_ID = 910_001
SCREENING_ID = uuid.UUID("5c1d6a0e-7f55-4a43-9d1e-0f0000f022ed")
HOSTILE = [
    "\x00",
    "a\x00b",
    "\u202egnp.exe\u202c",
    "\U0001f469\u200d\U0001f469\u200d\U0001f467\u200d\U0001f466",
    "e" + "\u0301" * 64,
    "x" * 5000,
    "<script>alert(1)</script>",
]


def _known_or_hostile(value: str) -> dict:
    return {"values": [value] * len(HOSTILE) + HOSTILE}


config = schemathesis.Config.from_dict(
    {
        "dictionaries": {
            "campaign": _known_or_hostile(CAMPAIGN_SLUG),
            "tool_version": _known_or_hostile(TOOL_VERSION),
            "series": _known_or_hostile(SERIES_SLUG),
            "screening": _known_or_hostile(str(SCREENING_ID)),
            "session": {"values": [SESSION_ID, SESSION_ID, 0, -1, 2**63, 10**30]},
            "hostile": {"values": HOSTILE},
        },
        "parameters": {
            "path.slug": {"dictionary": "campaign", "probability": 0.6},
            "path.version": {"dictionary": "tool_version", "probability": 0.6},
            "path.session_id": {"dictionary": "session", "probability": 0.6},
            "path.screening_id": {"dictionary": "screening", "probability": 0.6},
            "query.series": {"dictionary": "series", "probability": 0.6},
            "body.tool_version": {"dictionary": "tool_version", "probability": 0.6},
            "body.concerns": {"dictionary": "hostile", "probability": 0.3},
            "body.child.name": {"dictionary": "hostile", "probability": 0.3},
            "body.child.postcode_district": {"dictionary": "hostile", "probability": 0.3},
            "body.child.setting_name": {"dictionary": "hostile", "probability": 0.3},
        },
        "operations": [
            {
                # Only here: on /campaigns/{slug}/resources `audience` is an enum, whose $ref
                # schemathesis 4.32's dictionary check cannot resolve.
                "include-path": "/api/v1/training/sessions",
                "parameters": {"query.audience": {"dictionary": "hostile", "probability": 0.3}},
            },
            {
                # 422 is POST /screenings' documented answer to a request that is well formed
                # but not an acceptable screening (unknown tool version or indicator ids, a date
                # of birth that is not a child's, answers missing on submit): not valid data refused.
                "include-path": "/api/v1/screenings",
                "include-method": "POST",
                "checks": {"positive_data_acceptance": {"expected-statuses": ["2xx", "401", "403", "422"]}},
            },
            {
                # Likewise the profile's 422: filters that are well formed but not acceptable
                # (an area that is not a postcode district, a period that ends before it starts).
                "include-path": "/api/v1/screening/profile",
                "checks": {"positive_data_acceptance": {"expected-statuses": ["2xx", "401", "403", "422"]}},
            },
        ],
    }
)
schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", get_wsgi_application(), config=config)


def _contains_nul(value: object) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_contains_nul(key) or _contains_nul(item) for key, item in value.items())
    if isinstance(value, list | tuple):
        return any(_contains_nul(item) for item in value)
    return False


@schema.hook
def filter_failure(context, failure, case, response) -> bool:
    """The API refuses text with a NUL character anywhere (400, or 404 in the path), as its description
    says, though the schema's string types do not: that refusal is not valid data wrongly rejected."""
    refused_nul = isinstance(failure, RejectedPositiveData) and response.status_code in (400, 404)
    return not (refused_nul and _contains_nul([case.path_parameters, case.query, case.body]))


@pytest.fixture(scope="module")
def api_headers(django_db_setup, django_db_blocker):
    """The demo data plus a sent bulletin, an upcoming session and a submitted screening with
    the keys above, and an API token of a practitioner who is also a hub officer: made once for
    the module, rolled back at its end (each operation's test runs in a savepoint inside it).
    Returns the token's header.

    Requests go through Django's real WSGI handler, which closes the database connection
    after each request as a server should; Django's test client turns that off so a test's
    transaction survives its requests, and so does this."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        with django_db_blocker.unblock(), transaction.atomic():
            call_command("load_demo", stdout=StringIO())
            BulletinFactory(series=SeriesFactory(slug=SERIES_SLUG), status=Bulletin.Status.SENT, sent_at=timezone.now())
            SessionFactory(pk=SESSION_ID)
            # Both roles, so every staff endpoint is reached past its permission check.
            staff = UserFactory(roles=[Role.PRACTITIONER, Role.HUB_OFFICER])
            screening = submitted_make(staff)
            Screening.objects.filter(pk=screening.pk).update(public_id=SCREENING_ID)
            _, secret = api_token_make(staff)
            yield {"Authorization": f"Bearer {secret}"}
            transaction.set_rollback(True)
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@schema.parametrize()
@settings(
    max_examples=25,
    deadline=None,
    derandomize=True,
    database=None,
    # The module's data is shared by every example on purpose (see api_headers).
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@pytest.mark.django_db
def test_api_operation(case, api_headers):
    response = case.call_and_validate(headers=api_headers)
    assert response.status_code < 500
    if response.status_code >= 400:
        assert response.headers["content-type"][0].startswith("application/json")
        assert isinstance(response.json().get("message"), str)


KNOWN_GOOD = [
    ("GET", "/api/v1/campaigns", {}, {"when": "current"}),
    ("GET", "/api/v1/campaigns/{slug}", {"slug": CAMPAIGN_SLUG}, {}),
    ("GET", "/api/v1/campaigns/{slug}/resources", {"slug": CAMPAIGN_SLUG}, {}),
    ("GET", "/api/v1/campaigns/{slug}/suggested-posts", {"slug": CAMPAIGN_SLUG}, {}),
    ("GET", "/api/v1/campaigns/{slug}/moment", {"slug": CAMPAIGN_SLUG}, {}),
    ("GET", "/api/v1/training/sessions", {}, {}),
    ("GET", "/api/v1/training/sessions/{session_id}", {"session_id": SESSION_ID}, {}),
    ("GET", "/api/v1/bulletins", {}, {"series": SERIES_SLUG}),
    ("GET", "/api/v1/me", {}, {}),
    ("GET", "/api/v1/screening/tool", {}, {}),
    ("GET", "/api/v1/screening/tool/{version}", {"version": TOOL_VERSION}, {}),
    ("GET", "/api/v1/screening/profile", {}, {}),
    ("GET", "/api/v1/screenings/{screening_id}", {"screening_id": str(SCREENING_ID)}, {}),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("method", "path", "path_parameters", "query"), KNOWN_GOOD)
def test_real_data_answers_conform_to_the_schema(method, path, path_parameters, query, api_headers):
    """The fuzzer mostly meets 404s and 400s; these reach the real objects, so the 200 answers
    (with the demo data's full shapes) are checked against the schema every run."""
    case = schema[path][method].Case(path_parameters=path_parameters, query=query)
    response = case.call_and_validate(headers=api_headers)
    assert response.status_code == 200
    assert response.json()


def test_every_operation_has_a_request_that_reaches_real_data():
    """A new endpoint is fuzzed without anyone remembering to (test_api_operation comes from the schema),
    but its 200 answer is checked only once it has a line in KNOWN_GOOD."""
    operations = {(op.method.upper(), op.path) for op in (result.ok() for result in schema.get_all_operations())}
    known = {(method, path) for method, path, _, _ in KNOWN_GOOD} | {("POST", "/api/v1/screenings")}
    assert operations - known == set(), "add a request that gets a 200 to KNOWN_GOOD"


# --- Hostile text in every parameter, deterministically ----------------------------------------
# The fuzzer above tries HOSTILE values only some of the time; here each one goes into each
# text parameter of each operation (the others real), and the screening body's text fields.

REAL_PATH_PARAMETERS = {
    "slug": CAMPAIGN_SLUG,
    "version": TOOL_VERSION,
    "session_id": SESSION_ID,
    "screening_id": str(SCREENING_ID),
}


def _text_parameters() -> list[tuple[str, str, str, str]]:
    found = []
    for path, methods in schema.raw_schema["paths"].items():
        for method, operation in methods.items():
            for parameter in operation.get("parameters", []):
                if parameter["in"] in ("path", "query"):
                    found.append((method.upper(), path, parameter["in"], parameter["name"]))
    return found


@pytest.mark.django_db
@pytest.mark.parametrize(("method", "path", "location", "name"), _text_parameters())
def test_hostile_text_in_every_parameter(method, path, location, name, api_headers):
    operation = schema[path][method]
    path_names = [part[1:-1] for part in path.split("/") if part.startswith("{")]
    for value in HOSTILE:
        path_parameters = {key: REAL_PATH_PARAMETERS[key] for key in path_names}
        query = {}
        (path_parameters if location == "path" else query)[name] = value
        response = operation.Case(path_parameters=path_parameters, query=query).call_and_validate(headers=api_headers)
        assert response.status_code < 500
        if "\x00" in value:
            assert response.status_code == (404 if location == "path" else 400)


# A text field of the body, and the field a 400 for a NUL in it names.
SCREENING_TEXT_FIELDS = {
    ("tool_version",): "payload.tool_version",
    ("concerns",): "payload.concerns",
    ("child", "name"): "payload.child.name",
    ("child", "postcode_district"): "payload.child.postcode_district",
    ("child", "setting_name"): "payload.child.setting_name",
    ("answers", "disclosure"): "payload.answers",
}


@pytest.mark.django_db
@pytest.mark.parametrize("field", SCREENING_TEXT_FIELDS, ids=".".join)
def test_hostile_text_in_the_screening_body(field, api_headers):
    operation = schema["/api/v1/screenings"]["POST"]
    for value in HOSTILE:
        body = {
            "tool_version": TOOL_VERSION,
            "child": {
                "name": "Alex Apiexample",
                "date_of_birth": (timezone.localdate() - datetime.timedelta(days=15 * 365)).isoformat(),
                "gender": "boy",
                "ethnicity": "mixed",
                "postcode_district": "RH10",
                "setting_type": "secondary",
                "setting_name": "Hillside School",
                "looked_after": False,
                "learning_disability": False,
            },
            "answers": all_no(),
            "concerns": "",
            "submit": False,
        }
        *parents, last = field
        container = body
        for parent in parents:
            container = container[parent]
        container[last] = value
        response = operation.Case(body=body, media_type="application/json").call_and_validate(headers=api_headers)
        assert response.status_code < 500
        if "\x00" in value:
            assert response.status_code == 400
            assert response.json()["errors"][0]["field"] == SCREENING_TEXT_FIELDS[field]
