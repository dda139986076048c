"""GET /api/v1/screening/profile: the profile tables as JSON, suppressed unless a
hub officer asks for exact counts; an analyst asking for them gets 403."""

import datetime

import pytest
from django.utils import timezone

from hub.accounts.roles import Role
from hub.accounts.tests.factories import UserFactory, api_token_make
from hub.audit.models import AuditEvent
from hub.screening.tests.factories import submitted_make

pytestmark = pytest.mark.django_db

URL = "/api/v1/screening/profile"


@pytest.fixture
def children():
    practitioner = UserFactory(roles=[Role.PRACTITIONER])
    today = timezone.localdate()
    for number in range(12):
        submitted_make(
            practitioner,
            child_name=f"Api Child {number}",
            date_of_birth=datetime.date(today.year - 13, 1, 1),
            postcode_district="RH10",
            answers={"disclosure": "yes_current"} if number < 3 else {},
        )


def _headers(role: str) -> dict:
    _, secret = api_token_make(UserFactory(roles=[role]))
    return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}


def _table(body: dict, key: str) -> dict:
    return next(table for table in body["tables"] if table["key"] == key)


def test_token_needed(client, children):
    response = client.get(URL)
    assert response.status_code == 401 and "message" in response.json()


def test_analyst_gets_suppressed_tables(client, children):
    response = client.get(URL, **_headers(Role.PARTNERSHIP_ANALYST))
    assert response.status_code == 200
    assert response["Cache-Control"] == "private, no-store"
    body = response.json()
    assert body["exact"] is False and body["threshold"] == 5 and "<5" in body["symbols"]
    category = _table(body, "category")
    assert category["rows"][3]["label"] == "Category 3: Serious risk"
    assert category["rows"][3]["counts"] == [{"value": None, "shown": "<5"}]
    assert category["total"] == {"value": 12, "shown": "12"}
    # No published figure anywhere is a count from 1 to 4.
    figures = []
    for table in body["tables"]:
        for row in table["rows"]:
            figures += row["counts"] + ([row["total"]] if row["total"] else [])
        figures += (table["column_totals"] or []) + ([table["total"]] if table["total"] else [])
    assert figures and not [figure for figure in figures if figure["value"] in (1, 2, 3, 4)]
    assert [table["key"] for table in body["tables"]][:2] == ["category", "age"]


def test_analyst_asking_for_exact_counts_is_refused(client, children):
    response = client.get(URL, {"exact": "true"}, **_headers(Role.PARTNERSHIP_ANALYST))
    assert response.status_code == 403
    assert "hub only" in response.json()["message"]
    assert not AuditEvent.objects.filter(action="screening.profile_viewed").exists()


def test_hub_gets_exact_counts_only_when_asked(client, children):
    headers = _headers(Role.HUB_OFFICER)
    suppressed = client.get(URL, **headers).json()
    assert suppressed["exact"] is False
    assert _table(suppressed, "category")["rows"][3]["counts"][0]["shown"] == "<5"
    exact = client.get(URL, {"exact": "true"}, **headers).json()
    assert exact["exact"] is True and exact["threshold"] is None and exact["symbols"] == {}
    assert _table(exact, "category")["rows"][3]["counts"] == [{"value": 3, "shown": "3"}]
    event = AuditEvent.objects.filter(action="screening.profile_viewed").latest("sequence")
    assert event.detail["exact"] is True and event.detail["via"] == "api"


def test_filters(client, children):
    today = timezone.localdate()
    headers = _headers(Role.HUB_OFFICER)
    body = client.get(URL, {"from": today.isoformat(), "to": today.isoformat(), "area": "rh"}, **headers).json()
    assert body["from"] == body["to"] == today.isoformat() and body["area"] == "RH"
    assert _table(body, "category")["total"]["value"] == 12
    empty = client.get(URL, {"area": "BN", "exact": "true"}, **headers).json()
    assert _table(empty, "category")["total"]["value"] == 0
    assert _table(empty, "area")["rows"] == []


@pytest.mark.parametrize(
    ("query", "status", "words"),
    [
        ({"from": "2026-02-30"}, 400, "from"),
        ({"from": "yesterday"}, 400, "from"),
        ({"from": "2026-03-10", "to": "2026-03-01"}, 422, "The end date must be the same as or after the start date"),
        ({"from": "2999-01-01"}, 422, "The start date must be today or in the past"),
        ({"area": "BN1 1AA"}, 422, "Enter a postcode district"),
    ],
)
def test_bad_filters_are_json_errors(client, children, query, status, words):
    response = client.get(URL, query, **_headers(Role.PARTNERSHIP_ANALYST))
    assert response.status_code == status
    assert words in response.json()["message"]


def test_practitioners_are_refused(client, children):
    response = client.get(URL, **_headers(Role.PRACTITIONER))
    assert response.status_code == 403 and "profile" in response.json()["message"]


@pytest.mark.parametrize(("role", "query"), [(Role.PARTNERSHIP_ANALYST, {}), (Role.HUB_OFFICER, {"exact": "true"})])
def test_answers_conform_to_the_published_schema(children, role, query):
    """The 200 answers checked against the OpenAPI document (the fuzzer's token is a practitioner's: 403).
    Through Django's real WSGI handler, which would close the test's connection after the request,
    so that is switched off here as in test_fuzz_api."""
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    _, secret = api_token_make(UserFactory(roles=[role]))
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        # Imported here: loading it fetches the OpenAPI document through the WSGI handler.
        from hub.api.tests.test_fuzz_api import schema

        case = schema[URL]["GET"].Case(query=query)
        response = case.call_and_validate(headers={"Authorization": f"Bearer {secret}"})
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)
    assert response.status_code == 200
