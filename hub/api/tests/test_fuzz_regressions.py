"""What fuzzing the API found (hub/api/tests/test_fuzz_api.py), pinned down one by one:
an offset beyond 64 bits was a 500, NUL characters reached PostgreSQL (a 500), a body that
is not JSON got a 400 without the documented "errors", two schemas shared the name
ContactOut (the campaign's contact was documented with the screening contact's fields),
and 400s for a malformed path parameter were not documented."""

import json

import pytest
from django.utils import timezone

from hub.accounts.roles import Role
from hub.accounts.tests.factories import UserFactory, api_token_make
from hub.api.api import api
from hub.api.pagination import MAX_OFFSET
from hub.api.tests.factories import campaign_make
from hub.screening.tests.factories import all_no, tool_loaded

pytestmark = pytest.mark.django_db

LISTS = ["/api/v1/campaigns", "/api/v1/training/sessions", "/api/v1/bulletins"]


def _practitioner_bearer() -> dict:
    _, secret = api_token_make(UserFactory(roles=[Role.PRACTITIONER]))
    return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}


@pytest.mark.parametrize("url", LISTS)
def test_an_offset_beyond_the_databases_integers_is_a_400_naming_offset(client, url):
    response = client.get(f"{url}?offset=25562160948138404216832")
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "offset"
    assert client.get(f"{url}?offset={MAX_OFFSET}").json()["items"] == []
    assert client.get(f"{url}?offset={MAX_OFFSET + 1}").status_code == 400


@pytest.mark.parametrize("url", LISTS)
def test_a_huge_limit_is_still_clamped(client, url):
    assert client.get(f"{url}?limit=83439835564376702976").status_code == 200


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/campaigns/%00",
        "/api/v1/campaigns/api%00/resources",
        "/api/v1/campaigns/api%00/suggested-posts",
        "/api/v1/campaigns/api%00/moment",
        "/api/v1/screening/tool/2026.1%00",
    ],
)
def test_a_nul_character_in_the_path_is_not_found(client, url):
    campaign_make(slug="api")
    response = client.get(url)
    assert (response.status_code, response.json()) == (404, {"message": "Not found."})


@pytest.mark.parametrize("url", ["/api/v1/bulletins?series=%00", "/api/v1/training/sessions?audience=a%00"])
def test_a_nul_character_in_the_query_is_a_json_400(client, url):
    response = client.get(url)
    assert response.status_code == 400
    assert response["Content-Type"].startswith("application/json")
    assert response.json()["message"] and response.json()["errors"] == []


def _screening_body(**child) -> dict:
    today = timezone.localdate()
    return {
        "tool_version": "2026.1",
        "child": {
            "name": "Alex Apiexample",
            "date_of_birth": today.replace(year=today.year - 15).isoformat(),
            "gender": "boy",
            "ethnicity": "mixed",
            "postcode_district": "RH10",
            "setting_type": "secondary",
            "setting_name": "Hillside School",
            "looked_after": False,
            "learning_disability": False,
            **child,
        },
        "answers": all_no(tool_loaded()),
    }


@pytest.mark.parametrize(
    ("change", "field"),
    [
        (lambda body: body.update(tool_version="2026.1\x00"), "payload.tool_version"),
        (lambda body: body["child"].update(name="Alex\x00"), "payload.child.name"),
        (lambda body: body["child"].update(postcode_district="RH\x0010"), "payload.child.postcode_district"),
        (lambda body: body.update(concerns="\x00"), "payload.concerns"),
        (lambda body: body["answers"].update({"disclosure\x00": "no"}), "payload.answers"),
    ],
)
def test_a_nul_character_in_the_body_is_a_400_naming_the_field(client, change, field):
    body = _screening_body()
    change(body)
    response = client.post(
        "/api/v1/screenings", data=json.dumps(body), content_type="application/json", **_practitioner_bearer()
    )
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == field
    assert "NUL" in response.json()["message"]


def test_a_body_that_is_not_json_is_a_400_with_the_documented_shape(client):
    response = client.post(
        "/api/v1/screenings", data=b"\xff{", content_type="application/json", **_practitioner_bearer()
    )
    assert response.status_code == 400
    assert response.json() == {"message": "Cannot parse request body", "errors": []}


def test_each_schema_name_in_the_openapi_document_is_one_class():
    """Ninja names a component after its class: two classes with one name and the second wins.
    The campaign's contact (name, email) was documented as the screening's (name, phone, email, quote)."""
    components = api.get_openapi_schema()["components"]["schemas"]
    assert set(components["ContactOut"]["properties"]) == {"name", "email"}
    assert set(components["StepContactOut"]["properties"]) == {"name", "phone", "email", "quote"}

    from ninja import Schema

    def subclasses(cls):
        for sub in cls.__subclasses__():
            yield sub
            yield from subclasses(sub)

    names: dict[str, set] = {}
    for cls in subclasses(Schema):
        if cls.__module__.startswith("hub."):
            names.setdefault(cls.__name__, set()).add(f"{cls.__module__}.{cls.__qualname__}")
    assert {name: where for name, where in names.items() if len(where) > 1} == {}


@pytest.mark.parametrize(
    ("path", "method"),
    [("/api/v1/training/sessions/{session_id}", "get"), ("/api/v1/screenings/{screening_id}", "get")],
)
def test_a_malformed_path_parameter_is_a_documented_400(client, path, method):
    responses = json.loads(json.dumps(api.get_openapi_schema()))["paths"][path][method]["responses"]
    assert responses["400"]["content"]["application/json"]["schema"]["$ref"].endswith("/ValidationErrorOut")
    url = path.replace("{session_id}", "null,null").replace("{screening_id}", "null,null")
    response = client.get(url, **_practitioner_bearer())
    assert response.status_code == 400 and response.json()["errors"]
