"""The screening API: the tool definition (public) and screenings from another
system with a practitioner's token; 422 for what is well formed but not acceptable."""

import datetime
import json

import pytest
from django.utils import timezone

from hub.accounts.roles import Role
from hub.accounts.tests.factories import UserFactory, api_token_make
from hub.audit.models import AuditEvent
from hub.core.models import OutboxMessage
from hub.screening.models import Screening
from hub.screening.tests.factories import all_no, submitted_make, tool_loaded

pytestmark = pytest.mark.django_db

SCREENINGS = "/api/v1/screenings"


def bearer(user) -> dict:
    _, secret = api_token_make(user)
    return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}


def body(**overrides) -> dict:
    today = timezone.localdate()
    data = {
        "tool_version": "2026.1",
        "child": {
            "name": "Alex Apiexample",
            "date_of_birth": today.replace(year=today.year - 15).isoformat(),
            "gender": "boy",
            "ethnicity": "mixed",
            "postcode_district": "rh10",
            "setting_type": "secondary",
            "setting_name": "Hillside School",
            "looked_after": True,
            "learning_disability": False,
        },
        "answers": all_no(tool_loaded(), disclosure="yes_current", hotels="not_known"),
    }
    data.update(overrides)
    return data


def post(client, data, headers) -> object:
    return client.post(SCREENINGS, data=json.dumps(data), content_type="application/json", **headers)


def test_the_tool_is_public_by_version(client):
    assert client.get("/api/v1/screening/tool").status_code == 404
    tool_loaded()
    response = client.get("/api/v1/screening/tool")
    assert response.status_code == 200 and response.json()["version"] == "2026.1"
    indicators = [i["id"] for group in response.json()["groups"] for i in group["indicators"]]
    assert "disclosure" in indicators and len(indicators) == 37
    assert client.get("/api/v1/screening/tool/2026.1").json()["flow_chart"][3]["category"] == 3
    missing = client.get("/api/v1/screening/tool/1999.9")
    assert missing.status_code == 404 and missing.json() == {"message": "Not found."}


def test_a_practitioner_submits_and_gets_category_reasons_and_next_steps(client):
    practitioner = UserFactory(roles=[Role.PRACTITIONER])
    response = post(client, body(), bearer(practitioner))
    assert response.status_code == 201, response.content
    result = response.json()
    assert (result["status"], result["category"], result["category_label"]) == ("submitted", 3, "Serious risk")
    assert any(reason["rule"] == "disclosure" and reason["decisive"] for reason in result["reasons"])
    assert result["gaps"] == ["hotels"]
    assert "999" in result["next_steps"][0]["action"] and result["next_steps"][0]["due_at"]
    assert "Alex" not in response.content.decode()  # nothing identifying comes back
    screening = Screening.objects.get(public_id=result["id"])
    assert screening.child_name == "Alex Apiexample" and screening.postcode_district == "RH10"
    assert screening.created_by == practitioner
    assert AuditEvent.objects.filter(action="screening.submitted", object_id=str(screening.pk)).exists()
    assert OutboxMessage.objects.filter(payload__subject__icontains="category 3").count() == 1


def test_a_draft_may_be_partial(client):
    practitioner = UserFactory(roles=[Role.PRACTITIONER])
    response = post(client, body(answers={"missing_episodes": "yes_past"}, submit=False), bearer(practitioner))
    assert response.status_code == 201 and response.json()["status"] == "draft"
    assert response.json()["category"] is None


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({"tool_version": "1999.9"}, "Tool version '1999.9' does not exist. Loaded versions: 2026.1."),
        ({"answers": {"flying_saucer": "no", "missing_episodes": "maybe"}}, "unknown indicator id(s): flying_saucer"),
        ({"answers": {"missing_episodes": "no"}}, "36 not answered yet"),
    ],
)
def test_unacceptable_screenings_get_422_and_save_nothing(client, change, expected):
    practitioner = UserFactory(roles=[Role.PRACTITIONER])
    response = post(client, body(**change), bearer(practitioner))
    assert response.status_code == 422
    assert expected in response.json()["message"]
    assert not Screening.objects.exists() and not OutboxMessage.objects.exists()


def test_a_date_of_birth_that_is_not_a_childs_gets_422_naming_the_field(client):
    practitioner = UserFactory(roles=[Role.PRACTITIONER])
    data = body()
    data["child"]["date_of_birth"] = (timezone.localdate() - datetime.timedelta(days=18 * 366)).isoformat()
    response = post(client, data, bearer(practitioner))
    assert response.status_code == 422
    assert "under 18" in response.json()["errors"]["child.date_of_birth"]
    data["child"]["date_of_birth"] = (timezone.localdate() + datetime.timedelta(days=1)).isoformat()
    assert "in the past" in post(client, data, bearer(practitioner)).json()["message"]
    assert not Screening.objects.exists()


def test_malformed_bodies_get_400_naming_the_field(client):
    practitioner = UserFactory(roles=[Role.PRACTITIONER])
    data = body()
    data["child"]["gender"] = "dragon"
    response = post(client, data, bearer(practitioner))
    assert response.status_code == 400 and "child.gender" in response.json()["message"]


def test_who_may_submit_and_read(client, make_staff_client):
    tool_loaded()
    no_token = post(client, body(), {})
    assert no_token.status_code == 401 and "message" in no_token.json()
    # A signed-in browser session is not a token: the API has no CSRF check, so it must not count.
    browser, _ = make_staff_client(Role.PRACTITIONER)
    assert post(browser, body(), {}).status_code == 401
    for role in (Role.CAMPAIGN_COORDINATOR, Role.PARTNERSHIP_ANALYST, Role.ADMINISTRATOR, Role.HUB_OFFICER):
        refused = post(client, body(), bearer(UserFactory(roles=[role])))
        assert refused.status_code == 403, role
        assert "permission to submit a screening" in refused.json()["message"]
    assert not Screening.objects.exists()


def test_reading_a_screening_follows_the_page_rules_and_is_audited(client):
    practitioner = UserFactory(roles=[Role.PRACTITIONER])
    screening = submitted_make(practitioner)
    url = f"{SCREENINGS}/{screening.public_id}"
    own = client.get(url, **bearer(practitioner))
    assert own.status_code == 200 and own.json()["category"] == 0
    assert AuditEvent.objects.filter(action="screening.viewed", object_id=str(screening.pk)).count() == 1
    colleague = UserFactory(roles=[Role.PRACTITIONER], organisation=practitioner.organisation)
    assert client.get(url, **bearer(colleague)).status_code == 200
    assert client.get(url, **bearer(UserFactory(roles=[Role.PRACTITIONER]))).status_code == 404
    assert client.get(url, **bearer(UserFactory(roles=[Role.HUB_OFFICER]))).status_code == 200
    assert client.get(url, **bearer(UserFactory(roles=[Role.PARTNERSHIP_ANALYST]))).status_code == 403
    assert client.get(f"{SCREENINGS}/not-a-uuid", **bearer(practitioner)).status_code == 400
