"""Staff-only API endpoints with a personal API token: GET /api/v1/me, the JSON
401 for every kind of bad token, require_perms, and the bearer scheme in OpenAPI."""

import datetime

import pytest
from django.contrib.auth.models import AnonymousUser
from django.test import RequestFactory
from django.utils import timezone
from ninja.errors import AuthenticationError, HttpError

from hub.accounts.models import ApiToken
from hub.accounts.roles import Role
from hub.accounts.tests.factories import OrganisationFactory, UserFactory, api_token_make
from hub.accounts.tokens import api_token_revoke
from hub.api.auth import StaffToken, require_perms

pytestmark = pytest.mark.django_db

ME = "/api/v1/me"


def _bearer(secret: str) -> dict:
    return {"Authorization": f"Bearer {secret}"}


def _assert_401(response) -> None:
    assert response.status_code == 401
    assert response["Content-Type"].startswith("application/json")
    assert response["WWW-Authenticate"].startswith("Bearer")
    message = response.json()["message"]
    assert "Authorization: Bearer" in message


def test_me_answers_the_token_account(client):
    organisation = OrganisationFactory(name="Seaside Police")
    user = UserFactory(
        email="pat.jones@police.example.org",
        full_name="Pat Jones",
        organisation=organisation,
        roles=[Role.PRACTITIONER, Role.PARTNERSHIP_ANALYST],
    )
    _, secret = api_token_make(user)

    response = client.get(ME, headers=_bearer(secret))

    assert response.status_code == 200, response.content
    assert response.json() == {
        "email": "pat.jones@police.example.org",
        "full_name": "Pat Jones",
        "organisation": "Seaside Police",
        "roles": [Role.PARTNERSHIP_ANALYST, Role.PRACTITIONER],
    }
    assert "no-store" in response["Cache-Control"]


def test_me_without_an_organisation_or_roles(client):
    _, secret = api_token_make(UserFactory(organisation=None))

    body = client.get(ME, headers=_bearer(secret)).json()

    assert body["organisation"] is None
    assert body["roles"] == []


def test_the_scheme_word_is_case_insensitive(client):
    _, secret = api_token_make()
    assert client.get(ME, headers={"Authorization": f"bearer {secret}"}).status_code == 200


def test_use_sets_last_used(client):
    token, secret = api_token_make()
    client.get(ME, headers=_bearer(secret))
    token.refresh_from_db()
    assert token.last_used_at is not None


def test_missing_token_is_a_json_401(client):
    _assert_401(client.get(ME))


@pytest.mark.parametrize(
    "header",
    [
        "Bearer",
        "Bearer ",
        "Bearer nonsense",
        "Bearer sph_" + "A" * 43,
        "Basic dXNlcjpwYXNz",
        "Token sph_abc",
        "Bearer " + "x" * 4000,
    ],
)
def test_garbage_token_is_a_json_401(client, header):
    api_token_make()
    _assert_401(client.get(ME, headers={"Authorization": header}))


def test_token_without_the_scheme_is_a_json_401(client):
    _, secret = api_token_make()
    _assert_401(client.get(ME, headers={"Authorization": secret}))


def test_expired_token_is_a_json_401(client):
    token, secret = api_token_make()
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - datetime.timedelta(seconds=1))
    _assert_401(client.get(ME, headers=_bearer(secret)))


def test_revoked_token_is_a_json_401(client):
    token, secret = api_token_make()
    assert client.get(ME, headers=_bearer(secret)).status_code == 200
    api_token_revoke(token=token, actor=token.user)
    _assert_401(client.get(ME, headers=_bearer(secret)))


def test_token_of_a_deactivated_account_is_a_json_401(client):
    token, secret = api_token_make()
    token.user.is_active = False
    token.user.save(update_fields=["is_active"])
    _assert_401(client.get(ME, headers=_bearer(secret)))


def test_a_signed_in_browser_session_is_not_a_token(make_staff_client):
    # The API checks no CSRF token, so a session cookie must never count.
    staff_client, _ = make_staff_client(Role.PRACTITIONER)
    _assert_401(staff_client.get(ME))


def test_wrong_method_is_still_json(client):
    _, secret = api_token_make()
    response = client.post(ME, headers=_bearer(secret))
    assert response.status_code == 405
    assert "message" in response.json()


def test_openapi_documents_the_bearer_scheme(client):
    document = client.get("/api/v1/openapi.json").json()

    assert document["components"]["securitySchemes"]["StaffToken"] == {"type": "http", "scheme": "bearer"}
    assert document["paths"][ME]["get"]["security"] == [{"StaffToken": []}]
    # The public endpoints stay public.
    assert "security" not in document["paths"]["/api/v1/campaigns"]["get"]


# --- StaffToken and require_perms, called directly ---------------------------------


def _request(secret: str | None = None):
    headers = _bearer(secret) if secret else {}
    request = RequestFactory().get(ME, headers=headers)
    request.user = AnonymousUser()
    return request


def test_staff_token_sets_the_request_user_and_is_never_a_verified_sign_in():
    token, secret = api_token_make()
    request = _request(secret)

    user = StaffToken()(request)

    assert user == token.user
    assert request.user == token.user
    assert request.user.is_verified() is False


def test_staff_token_answers_none_for_a_bad_token():
    request = _request("sph_wrong")
    assert StaffToken()(request) is None
    assert request.user.is_anonymous


def test_require_perms_passes_with_every_permission():
    _, secret = api_token_make(UserFactory(roles=[Role.PARTNERSHIP_ANALYST]))
    request = _request(secret)
    request.auth = StaffToken()(request)

    require_perms(request, "campaigns.view_campaign", "training.view_training_reports")


def test_require_perms_refuses_a_missing_permission_with_a_403():
    _, secret = api_token_make(UserFactory(roles=[Role.PRACTITIONER]))
    request = _request(secret)
    request.auth = StaffToken()(request)

    with pytest.raises(HttpError) as raised:
        require_perms(request, "training.view_training_reports", to="read the training reports")

    assert raised.value.status_code == 403
    assert raised.value.message.startswith(
        "Your token's account does not have permission to read the training reports."
    )


def test_require_perms_without_a_token_is_a_401_even_when_signed_in():
    request = _request()
    request.user = UserFactory(is_superuser=True)

    with pytest.raises(AuthenticationError):
        require_perms(request, "campaigns.view_campaign")
