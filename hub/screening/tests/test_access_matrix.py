"""Who may open what: every screening URL and API endpoint against every role.

The expectations are written out in full, one row per URL name or API
operation. Adding a URL or endpoint without adding its row fails
`test_every_url_and_endpoint_has_a_row`, so nothing new slips through unchecked.
Pages that show a child's details must also leave an audit event for each read.
"""

import json

import pytest
from django.urls import reverse
from django.utils import timezone

from hub.accounts.models import User
from hub.accounts.roles import Role
from hub.accounts.tests.factories import OrganisationFactory, UserFactory, api_token_make
from hub.api.api import api
from hub.audit.models import AuditEvent
from hub.conftest import verified_client
from hub.screening import urls as screening_urls
from hub.screening.models import Screening
from hub.screening.services import category_lower_request
from hub.screening.tests.factories import all_no, draft_make, submitted_make, tool_loaded

pytestmark = pytest.mark.django_db

ROLES = ("anonymous", "author", "colleague", "other_org", "hub", "analyst", "coordinator", "trainer", "admin")
# Columns in ROLES order. 302: to sign-in; 404: not theirs (never a hint that it exists).
PAGES = {
    #                  anon author colleague other hub analyst coord trainer admin
    "tool": (302, 200, 200, 200, 200, 403, 403, 403, 403),
    "tool_version": (302, 200, 200, 200, 200, 403, 403, 403, 403),
    "list": (302, 200, 200, 200, 200, 403, 403, 403, 403),
    "new": (302, 200, 200, 200, 403, 403, 403, 403, 403),
    "detail": (302, 200, 200, 404, 200, 404, 404, 404, 404),
    "edit": (302, 200, 200, 404, 403, 403, 403, 403, 403),
    "raise": (302, 200, 200, 404, 403, 403, 403, 403, 403),
    "lower": (302, 200, 200, 404, 403, 403, 403, 403, 403),
    "queue": (302, 403, 403, 403, 200, 403, 403, 403, 403),
    "decision": (302, 403, 403, 403, 200, 403, 403, 403, 403),
    "lowering_decide": (302, 403, 403, 403, 200, 403, 403, 403, 403),
    "chronology": (302, 403, 403, 403, 200, 403, 403, 403, 403),
    "subject_access_json": (302, 403, 403, 403, 200, 403, 403, 403, 403),
    "subject_access_pdf": (302, 403, 403, 403, 200, 403, 403, 403, 403),
    # The profile of children at risk: counts only, exact for the hub, suppressed for analysts.
    # Not in IDENTIFYING_PAGES (no child can be told apart there); each view is audited all the same.
    "profile": (302, 403, 403, 403, 200, 200, 403, 403, 403),
    "profile_csv": (302, 403, 403, 403, 200, 200, 403, 403, 403),
}
# Pages that show who the child is: every 200 must write an audit event.
IDENTIFYING_PAGES = {
    "list",
    "detail",
    "edit",
    "raise",
    "lower",
    "decision",
    "lowering_decide",
    "chronology",
    "subject_access_json",
    "subject_access_pdf",
}

API = {
    #                                      anon author colleague other hub analyst coord trainer admin
    ("get", "/api/v1/screening/tool"): (200, 200, 200, 200, 200, 200, 200, 200, 200),
    ("get", "/api/v1/screening/tool/{version}"): (200, 200, 200, 200, 200, 200, 200, 200, 200),
    ("post", "/api/v1/screenings"): (401, 201, 201, 201, 403, 403, 403, 403, 403),
    ("get", "/api/v1/screenings/{screening_id}"): (401, 200, 200, 404, 200, 403, 403, 403, 403),
    ("get", "/api/v1/screening/profile"): (401, 403, 403, 403, 200, 200, 403, 403, 403),
}


@pytest.fixture
def world():
    """One organisation's practitioner with a submitted screening (a lowering
    request waiting) and a draft; a colleague; people in every other role."""
    tool_loaded()
    organisation = OrganisationFactory(name="Seaside Children's Services")
    author = UserFactory(roles=[Role.PRACTITIONER], organisation=organisation)
    users: dict[str, User | None] = {
        "anonymous": None,
        "author": author,
        "colleague": UserFactory(roles=[Role.PRACTITIONER], organisation=organisation),
        "other_org": UserFactory(roles=[Role.PRACTITIONER]),
        "hub": UserFactory(roles=[Role.HUB_OFFICER]),
        "analyst": UserFactory(roles=[Role.PARTNERSHIP_ANALYST]),
        "coordinator": UserFactory(roles=[Role.CAMPAIGN_COORDINATOR]),
        "trainer": UserFactory(roles=[Role.TRAINER]),
        "admin": UserFactory(roles=[Role.ADMINISTRATOR], is_staff=True),
    }
    submitted = submitted_make(author, answers={"disclosure": "yes_current"})
    category_lower_request(screening=submitted, actor=author, category=2, rationale="Disclosure retracted.")
    draft = draft_make(author, answers={"missing_episodes": "no"})
    return {"users": users, "submitted": submitted, "draft": draft}


def page_url(name: str, world: dict) -> str:
    submitted, draft = world["submitted"], world["draft"]
    kwargs = {
        "tool": {},
        "tool_version": {"version": submitted.tool_version.version},
        "list": {},
        "new": {},
        "queue": {},
        "chronology": {"child_id": submitted.child_id},
        "subject_access_json": {"child_id": submitted.child_id},
        "subject_access_pdf": {"child_id": submitted.child_id},
        "profile": {},
        "profile_csv": {"table": "category"},
        "edit": {"public_id": draft.public_id},
    }.get(name, {"public_id": submitted.public_id})
    return reverse(f"screening:{name}", kwargs=kwargs)


def page_client(user: User | None):
    from hub.core.tests.page_check import CheckedClient

    return CheckedClient() if user is None else verified_client(user)


def test_every_url_and_endpoint_has_a_row():
    names = {pattern.name for pattern in screening_urls.urlpatterns}
    assert names == set(PAGES), (
        f"URL names without a row: {names - set(PAGES)}; rows without a URL: {set(PAGES) - names}"
    )
    paths = api.get_openapi_schema()["paths"]
    operations = {
        (method, path) for path, methods in paths.items() if path.startswith("/api/v1/screening") for method in methods
    }
    assert operations == set(API), f"Endpoints without a row: {operations - set(API)}"


def test_no_screening_data_in_django_admin():
    """Administrators reach Django's admin; screenings must not be there (they see none unless hub officers)."""
    from django.contrib import admin

    assert not [model for model in admin.site._registry if model._meta.app_label == "screening"]


@pytest.mark.parametrize("name", sorted(PAGES))
def test_pages_answer_each_role_as_expected_and_audit_reads(world, name):
    url = page_url(name, world)
    for role, expected in zip(ROLES, PAGES[name], strict=True):
        user = world["users"][role]
        before = AuditEvent.objects.filter(action__startswith="screening.").count()
        response = page_client(user).get(url)
        assert response.status_code == expected, f"{role} GET {name}: {response.status_code}, expected {expected}"
        if expected == 302:
            assert reverse("accounts:sign_in") in response["Location"]
        after = AuditEvent.objects.filter(action__startswith="screening.").count()
        # (A practitioner of another organisation gets an empty list: nothing read, nothing to audit.)
        if expected == 200 and name in IDENTIFYING_PAGES and (name, role) != ("list", "other_org"):
            assert after > before, f"{role} read {name} without an audit event"
        if expected != 200:
            assert after == before, f"{role} refused on {name} but something was recorded"


@pytest.mark.parametrize("name", sorted(PAGES))
def test_refused_roles_cannot_change_anything_by_post(world, name):
    url = page_url(name, world)
    data = {"category": "0", "rationale": "x", "reason": "x", "decision": "no_further_action", "approve": "yes"}
    for role, expected in zip(ROLES, PAGES[name], strict=True):
        if expected == 200:
            continue
        before = (
            Screening.objects.count(),
            list(Screening.objects.order_by("pk").values_list("category", "status", "lock_version")),
            AuditEvent.objects.filter(action__startswith="screening.").count(),
        )
        response = page_client(world["users"][role]).post(url, data)
        assert response.status_code in (expected, 405), f"{role} POST {name}: {response.status_code}"
        after = (
            Screening.objects.count(),
            list(Screening.objects.order_by("pk").values_list("category", "status", "lock_version")),
            AuditEvent.objects.filter(action__startswith="screening.").count(),
        )
        assert after == before, f"{role} POST {name} changed something"


def _api_body() -> dict:
    today = timezone.localdate()
    return {
        "tool_version": "2026.1",
        "child": {
            "name": "Matrix Child",
            "date_of_birth": today.replace(year=today.year - 13).isoformat(),
            "gender": "girl",
            "ethnicity": "asian",
            "postcode_district": "BN1",
            "setting_type": "secondary",
            "looked_after": False,
            "learning_disability": False,
        },
        "answers": all_no(),
    }


@pytest.mark.parametrize("operation", sorted(API))
def test_api_answers_each_role_as_expected(client, world, operation):
    method, template = operation
    path = template.format(version=world["submitted"].tool_version.version, screening_id=world["submitted"].public_id)
    for role, expected in zip(ROLES, API[operation], strict=True):
        user = world["users"][role]
        headers = {}
        if user is not None:
            _, secret = api_token_make(user)
            headers["HTTP_AUTHORIZATION"] = f"Bearer {secret}"
        if method == "post":
            response = client.post(path, data=json.dumps(_api_body()), content_type="application/json", **headers)
        else:
            response = client.get(path, **headers)
        assert response.status_code == expected, f"{role} {method.upper()} {template}: {response.status_code}"
        if expected >= 400:
            assert "message" in response.json()
