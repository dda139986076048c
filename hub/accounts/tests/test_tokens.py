"""Personal API tokens: the services (the secret never stored, refusals, the
last-used throttle) and the staff pages to list, create and revoke them."""

import datetime
import hashlib
import json
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from hub.accounts.models import ApiToken
from hub.accounts.tests.conftest import events
from hub.accounts.tests.factories import UserFactory, api_token_make
from hub.accounts.tokens import (
    LAST_USED_RESOLUTION,
    api_token_authenticate,
    api_token_create,
    api_token_revoke,
)
from hub.core.errors import ApplicationError

pytestmark = pytest.mark.django_db

SECRET_PATTERN = re.compile(r"sph_[A-Za-z0-9_-]{43}")
TOKENS_URL = reverse("accounts:api_tokens")


def _sha256(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def _revoke_url(token: ApiToken) -> str:
    return reverse("accounts:api_token_revoke", kwargs={"pk": token.pk})


# --- Creating ----------------------------------------------------------------------


def test_create_returns_a_secret_whose_hash_alone_is_stored():
    user = UserFactory()
    before = timezone.now()

    token, secret = api_token_create(user=user, name="  Case system  ", days=30)

    assert SECRET_PATTERN.fullmatch(secret)
    token.refresh_from_db()
    assert token.user == user
    assert token.name == "Case system"
    assert token.prefix == secret[:8]
    assert token.token_hash == _sha256(secret)
    stored = [str(value) for value in ApiToken.objects.filter(pk=token.pk).values().first().values()]
    assert not any(secret in value for value in stored)
    assert before + datetime.timedelta(days=30) <= token.expires_at <= timezone.now() + datetime.timedelta(days=30)
    assert token.last_used_at is None and token.revoked_at is None
    assert token.status == ApiToken.Status.ACTIVE


def test_create_is_audited_without_the_secret():
    token, secret = api_token_make(name="Screening feed")

    [event] = events("accounts.api_token_created")
    assert event.actor == token.user
    assert event.object_type == "accounts.apitoken" and event.object_id == str(token.pk)
    assert event.detail["name"] == "Screening feed"
    assert event.detail["prefix"] == token.prefix
    text = json.dumps(event.detail)
    assert secret not in text and secret[8:] not in text and token.token_hash not in text


def test_each_token_has_its_own_secret():
    user = UserFactory()
    secrets_made = {api_token_make(user)[1] for _ in range(5)}
    assert len(secrets_made) == 5


def test_default_life_is_90_days():
    token, _ = api_token_create(user=UserFactory(), name="Default")
    assert (token.expires_at - token.created_at) == datetime.timedelta(days=90)


@pytest.mark.parametrize("days", [0, -1, 366, 1000])
def test_create_refuses_a_life_outside_1_to_365_days(days):
    with pytest.raises(ApplicationError) as raised:
        api_token_create(user=UserFactory(), name="Too long", days=days)
    assert raised.value.field == "days"
    assert not ApiToken.objects.exists()
    assert not events("accounts.api_token_created")


def test_create_accepts_the_limits():
    user = UserFactory()
    assert api_token_create(user=user, name="Short", days=1)[0].pk
    assert api_token_create(user=user, name="Long", days=365)[0].pk


def test_create_refuses_a_blank_name():
    with pytest.raises(ApplicationError) as raised:
        api_token_create(user=UserFactory(), name="   ")
    assert raised.value.field == "name"


# --- Authenticating ----------------------------------------------------------------


def test_authenticate_gives_the_token_user():
    token, secret = api_token_make()
    assert api_token_authenticate(secret) == token.user


def test_authenticate_refuses_expired_revoked_and_inactive():
    expired, expired_secret = api_token_make()
    ApiToken.objects.filter(pk=expired.pk).update(expires_at=timezone.now() - datetime.timedelta(seconds=1))
    revoked, revoked_secret = api_token_make()
    api_token_revoke(token=revoked, actor=revoked.user)
    inactive, inactive_secret = api_token_make(UserFactory(is_active=False))

    assert api_token_authenticate(expired_secret) is None
    assert api_token_authenticate(revoked_secret) is None
    assert api_token_authenticate(inactive_secret) is None


@pytest.mark.parametrize("garbage", ["", "sph_", "not-a-token", "sph_" + "A" * 43, "x" * 5000, "sph_" + "A" * 5000])
def test_authenticate_refuses_garbage(garbage):
    api_token_make()
    assert api_token_authenticate(garbage) is None


def test_authenticate_refuses_a_near_miss():
    _, secret = api_token_make()
    near_miss = secret[:-1] + ("A" if secret[-1] != "A" else "B")
    assert api_token_authenticate(near_miss) is None
    assert api_token_authenticate(secret.upper()) is None


def test_authenticate_refuses_the_stored_hash_used_as_a_secret():
    token, _ = api_token_make()
    assert api_token_authenticate(token.token_hash) is None
    assert api_token_authenticate("sph_" + token.token_hash) is None


def test_last_used_is_written_at_most_once_a_minute(django_assert_num_queries):
    token, secret = api_token_make()

    api_token_authenticate(secret)
    token.refresh_from_db()
    first_use = token.last_used_at
    assert first_use is not None

    # Within the minute: one read, no write.
    with django_assert_num_queries(1):
        user = api_token_authenticate(secret)
    assert user == token.user
    token.refresh_from_db()
    assert token.last_used_at == first_use

    # A minute later it is written again.
    earlier = timezone.now() - LAST_USED_RESOLUTION - datetime.timedelta(seconds=1)
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=earlier)
    api_token_authenticate(secret)
    token.refresh_from_db()
    assert token.last_used_at > earlier + LAST_USED_RESOLUTION


# --- Revoking ----------------------------------------------------------------------


def test_revoke_is_audited_once_and_leaves_other_tokens_working():
    user = UserFactory()
    token, _ = api_token_make(user, name="Old system")
    other, other_secret = api_token_make(user, name="New system")

    api_token_revoke(token=token, actor=user)
    api_token_revoke(token=token, actor=user)

    token.refresh_from_db()
    assert token.revoked_at is not None
    assert token.status == ApiToken.Status.REVOKED
    [event] = events("accounts.api_token_revoked")
    assert event.actor == user and event.object_id == str(token.pk)
    assert api_token_authenticate(other_secret) == user


# --- Pages -------------------------------------------------------------------------


def test_pages_need_a_verified_sign_in(client):
    token, _ = api_token_make()
    for response in (
        client.get(TOKENS_URL),
        client.post(TOKENS_URL, {"name": "Sneaky", "days": "30"}),
        client.post(_revoke_url(token)),
    ):
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("accounts:sign_in"))
    token.refresh_from_db()
    assert token.revoked_at is None
    assert ApiToken.objects.count() == 1


def test_staff_home_links_to_the_tokens_page(make_staff_client):
    client, _ = make_staff_client()
    body = client.get(reverse("core:staff_home")).content.decode()
    assert f'href="{TOKENS_URL}"' in body


def test_list_shows_only_your_own_tokens_with_their_status(make_staff_client):
    client, user = make_staff_client()
    active, _ = api_token_make(user, name="Case system feed")
    revoked, _ = api_token_make(user, name="Retired feed")
    api_token_revoke(token=revoked, actor=user)
    expired, _ = api_token_make(user, name="Pilot feed")
    ApiToken.objects.filter(pk=expired.pk).update(expires_at=timezone.now() - datetime.timedelta(days=1))
    someone_elses, _ = api_token_make(name="Somebody else's feed")

    response = client.get(TOKENS_URL)

    assert response.status_code == 200
    body = response.content.decode()
    for name in ("Case system feed", "Retired feed", "Pilot feed"):
        assert name in body
    assert active.prefix in body
    assert "Somebody else" not in body
    assert someone_elses.prefix not in body
    assert "Active" in body and "Revoked" in body and "Expired" in body
    # Only the active token can be revoked.
    assert _revoke_url(active) in body
    assert _revoke_url(revoked) not in body and _revoke_url(expired) not in body


def test_create_shows_the_secret_once(make_staff_client):
    client, user = make_staff_client()

    response = client.post(TOKENS_URL, {"name": "Screening from case system", "days": "30"})

    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    body = response.content.decode()
    [secret] = SECRET_PATTERN.findall(body)
    assert "You will not see this token again" in body
    token = ApiToken.objects.get(user=user)
    assert token.name == "Screening from case system"
    assert token.token_hash == _sha256(secret)
    assert api_token_authenticate(secret) == user
    # Never again: not on the list, not in the session.
    listing = client.get(TOKENS_URL).content.decode()
    assert secret not in listing and token.prefix in listing
    assert secret not in json.dumps(dict(client.session.items()), default=str)
    assert events("accounts.api_token_created")[0].ip_address == "127.0.0.1"


@pytest.mark.parametrize(
    ("days", "message"),
    [
        ("", "Enter the number of days until the token expires"),
        ("0", "Days until the token expires must be 1 or more"),
        ("366", "Days until the token expires must be 365 or fewer"),
        ("ninety", "Days until the token expires must be a whole number, like 90"),
    ],
)
def test_bad_expiry_shows_the_error_summary(make_staff_client, days, message):
    client, _ = make_staff_client()

    response = client.post(TOKENS_URL, {"name": "Case system", "days": days})

    assert response.status_code == 200
    body = response.content.decode()
    assert "govuk-error-summary" in body and "There is a problem" in body
    assert f'<a href="#id_days">{message}</a>' in body
    assert "<title>Error: " in body
    assert not SECRET_PATTERN.search(body)
    assert not ApiToken.objects.exists()


def test_missing_name_shows_the_error_summary(make_staff_client):
    client, _ = make_staff_client()

    body = client.post(TOKENS_URL, {"name": "", "days": "90"}).content.decode()

    assert '<a href="#id_name">Enter what the token is for</a>' in body
    assert not ApiToken.objects.exists()


def test_revoke_your_own_token(make_staff_client):
    client, user = make_staff_client()
    token, secret = api_token_make(user, name="Case system feed")

    response = client.post(_revoke_url(token), follow=True)

    assert response.redirect_chain[-1][0] == TOKENS_URL
    assert "Token &#x27;Case system feed&#x27; revoked" in response.content.decode()
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert api_token_authenticate(secret) is None
    [event] = events("accounts.api_token_revoked")
    assert event.actor == user


def test_revoking_someone_elses_token_is_not_found(make_staff_client):
    client, _ = make_staff_client()
    token, secret = api_token_make(name="Not yours")

    response = client.post(_revoke_url(token))

    assert response.status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None
    assert api_token_authenticate(secret) == token.user
    assert not events("accounts.api_token_revoked")


def test_revoke_needs_post(make_staff_client):
    client, user = make_staff_client()
    token, _ = api_token_make(user)

    assert client.get(_revoke_url(token)).status_code == 405
    token.refresh_from_db()
    assert token.revoked_at is None
