"""The password step, the code step's outcome, lockout, sessions and sign-out,
driven through the real views with real TOTP codes."""

import json
import time
from datetime import timedelta

import pytest
from django.conf import settings
from django.contrib.sessions.backends.db import SessionStore
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_otp import DEVICE_ID_SESSION_KEY

from hub.accounts import views
from hub.accounts.tests.conftest import (
    actions,
    events,
    is_signed_in,
    sign_in,
    submit_code,
    submit_password,
    totp_code,
)
from hub.accounts.tests.factories import DEFAULT_PASSWORD, TOTPDeviceFactory, UserFactory
from hub.audit.models import AuditEvent

pytestmark = pytest.mark.django_db

WRONG_PASSWORD_MESSAGE = "Enter a correct email address and password"
STAFF_HOME = reverse("core:staff_home")
SIGN_IN = reverse("accounts:sign_in")


def _audit_text(event: AuditEvent) -> str:
    """Everything an event stores, as one string, to look for personal data in."""
    return json.dumps([event.action, event.object_type, event.object_id, event.outcome, event.detail, event.ip_address])


# --- The password step ---------------------------------------------------------


def test_sign_in_page_renders_the_form(client):
    response = client.get(SIGN_IN)
    assert response.status_code == 200
    body = response.content.decode()
    assert 'name="email"' in body
    assert 'autocomplete="current-password"' in body
    assert reverse("accounts:password_reset") in body


def test_wrong_password_shows_error_summary_and_field_message(client, device):
    response = submit_password(client, device.user.email, "not-the-password")

    assert response.status_code == 200
    body = response.content.decode()
    assert "There is a problem" in body
    # In the summary (a link to the field) and next to the field itself.
    assert f'<a href="#id_email">{WRONG_PASSWORD_MESSAGE}</a>' in body
    assert f'<span class="govuk-visually-hidden">Error:</span> {WRONG_PASSWORD_MESSAGE}' in body
    assert response.context["form"].errors["email"] == [WRONG_PASSWORD_MESSAGE]
    # The typed password is never sent back.
    assert "not-the-password" not in body
    assert not is_signed_in(client)
    assert views._PENDING_USER not in client.session


def test_wrong_password_is_audited_without_the_typed_email(client, device):
    typed = "  Alex.Morgan@Partner.Example.org "
    submit_password(client, typed, "not-the-password")

    [event] = events("auth.sign_in_failed")
    assert event.outcome == AuditEvent.Outcome.FAILURE
    assert event.actor == device.user
    assert event.detail == {"reason": "wrong password"}
    text = _audit_text(event).lower()
    assert "alex.morgan" not in text
    assert "partner.example.org" not in text


def test_unknown_address_gets_the_same_message_and_no_email_in_the_audit(client):
    response = submit_password(client, "nobody@elsewhere.example", DEFAULT_PASSWORD)

    assert response.status_code == 200
    assert WRONG_PASSWORD_MESSAGE in response.content.decode()
    [event] = events("auth.sign_in_failed")
    assert event.actor is None
    assert event.detail == {"reason": "unknown account"}
    assert "nobody" not in _audit_text(event)
    assert "elsewhere.example" not in _audit_text(event)


@pytest.mark.parametrize(
    ("data", "messages"),
    [
        ({"email": "", "password": ""}, ["Enter your email address", "Enter your password"]),
        ({"email": "alex@partner.example.org", "password": ""}, ["Enter your password"]),
        ({"email": "", "password": "something"}, ["Enter your email address"]),
        (
            {"email": "not an address", "password": "something"},
            ["Enter an email address in the correct format, like name@example.org"],
        ),
    ],
)
def test_missing_or_malformed_fields_get_specific_messages(client, data, messages):
    response = client.post(SIGN_IN, data)

    assert response.status_code == 200
    body = response.content.decode()
    assert "There is a problem" in body
    for message in messages:
        assert message in body
    assert WRONG_PASSWORD_MESSAGE not in body
    # Nothing was checked, so nothing was counted or audited.
    assert actions() == []


def test_correct_password_alone_does_not_sign_in(client, device):
    response = submit_password(client, device.user.email)

    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:sign_in_code")
    assert not is_signed_in(client)
    staff_page = client.get(STAFF_HOME)
    assert staff_page.status_code == 302
    assert staff_page["Location"].startswith(SIGN_IN)
    assert "auth.sign_in" not in actions()


def test_email_is_case_insensitive_and_trimmed(client, device):
    response = submit_password(client, "  ALEX.Morgan@PARTNER.example.ORG ")
    assert response["Location"] == reverse("accounts:sign_in_code")


def test_password_step_gives_a_new_session_key(client, device):
    client.get(SIGN_IN)
    client.session.save()
    before = client.session.session_key
    submit_password(client, device.user.email)
    assert client.session.session_key != before


def test_correct_code_signs_in_verified_and_is_audited(client, device):
    submit_password(client, device.user.email)
    pending_key = client.session.session_key

    response = submit_code(client, totp_code(device))

    assert response.status_code == 302
    assert response["Location"] == STAFF_HOME
    session = client.session
    assert session["_auth_user_id"] == str(device.user.pk)
    assert session[DEVICE_ID_SESSION_KEY] == device.persistent_id
    # Signing in makes a new session (no fixation) and forgets the pending step.
    assert session.session_key != pending_key
    assert views._PENDING_USER not in session
    assert client.get(STAFF_HOME).status_code == 200
    [event] = events("auth.sign_in")
    assert event.actor == device.user
    assert event.outcome == AuditEvent.Outcome.SUCCESS


def test_signed_in_person_visiting_sign_in_goes_to_staff_pages(client, device):
    sign_in(client, device.user, device)
    response = client.get(SIGN_IN)
    assert response.status_code == 302
    assert response["Location"] == STAFF_HOME


def test_safe_next_is_followed_after_the_code(client, device):
    target = reverse("accounts:recovery_codes")
    staff_page = client.get(target)
    assert staff_page["Location"] == f"{SIGN_IN}?next={target}"

    response = sign_in(client, device.user, device, next_url=target)

    assert response["Location"] == target


@pytest.mark.parametrize(
    "next_url", ["https://evil.example/", "//evil.example/steal", "http://testserver.evil.example/", "javascript:x"]
)
def test_unsafe_next_is_ignored(client, device, next_url):
    response = sign_in(client, device.user, device, next_url=next_url)
    assert response["Location"] == STAFF_HOME


def test_next_survives_a_wrong_password(client, device):
    target = reverse("accounts:recovery_codes")
    response = submit_password(client, device.user.email, "not-the-password", next_url=target)
    assert f'name="next" value="{target}"' in response.content.decode()

    # The form posts to the bare URL and carries next in the hidden field.
    client.post(SIGN_IN, {"email": device.user.email, "password": DEFAULT_PASSWORD, "next": target})
    response = submit_code(client, totp_code(device))
    assert response["Location"] == target


def test_pending_step_expires_after_five_minutes(client, device):
    submit_password(client, device.user.email)
    session = client.session
    session[views._PENDING_AT] = time.time() - views.PENDING_SECONDS - 1
    session.save()

    page = client.get(reverse("accounts:sign_in_code"))
    assert page.status_code == 302
    assert page["Location"] == SIGN_IN
    response = submit_code(client, totp_code(device))
    assert response["Location"] == SIGN_IN
    assert not is_signed_in(client)
    assert "Your sign-in timed out" in client.get(SIGN_IN).content.decode()


def test_pending_step_within_five_minutes_still_works(client, device):
    submit_password(client, device.user.email)
    session = client.session
    session[views._PENDING_AT] = time.time() - views.PENDING_SECONDS + 30
    session.save()
    assert submit_code(client, totp_code(device))["Location"] == STAFF_HOME


def test_code_page_without_the_password_step_goes_to_sign_in(client, device):
    response = submit_code(client, totp_code(device))
    assert response["Location"] == SIGN_IN
    assert not is_signed_in(client)


def test_inactive_user_cannot_sign_in(client, device):
    device.user.is_active = False
    device.user.save(update_fields=["is_active"])
    response = submit_password(client, device.user.email)
    assert response.status_code == 200
    assert WRONG_PASSWORD_MESSAGE in response.content.decode()


# --- Lockout ------------------------------------------------------------------


def test_five_wrong_passwords_lock_the_account_even_for_the_right_password(client, device):
    responses = [submit_password(client, device.user.email, f"wrong-{n}") for n in range(5)]
    # The fifth failure reaches the limit: that answer is already the lockout page.
    assert [r.status_code for r in responses] == [200, 200, 200, 200, 429]
    assert len(events("auth.locked_out")) == 1

    response = submit_password(client, device.user.email, DEFAULT_PASSWORD)

    assert response.status_code == 429
    body = response.content.decode()
    assert "You cannot sign in at the moment" in body
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    assert f"Wait {minutes} minutes" in body
    assert not is_signed_in(client)
    assert views._PENDING_USER not in client.session
    locked = events("auth.locked_out")
    assert len(locked) == 2
    assert all(event.actor == device.user for event in locked)
    assert all(event.outcome == AuditEvent.Outcome.DENIED for event in locked)


def test_lockout_counts_every_spelling_of_the_address_together(client, device):
    spellings = [
        "alex.morgan@partner.example.org",
        "ALEX.MORGAN@partner.example.org",
        " Alex.Morgan@Partner.Example.Org",
        "alex.morgan@PARTNER.EXAMPLE.ORG",
        "Alex.Morgan@partner.example.org ",
    ]
    for spelling in spellings:
        submit_password(client, spelling, "wrong")
    assert submit_password(client, device.user.email).status_code == 429


def test_lockout_does_not_affect_other_accounts(client, device):
    other = UserFactory()
    other_device = TOTPDeviceFactory(user=other)
    for _ in range(6):
        submit_password(client, device.user.email, "wrong")

    # Same browser, same address: another account signs in normally.
    response = submit_password(client, other.email)
    assert response["Location"] == reverse("accounts:sign_in_code")
    assert submit_code(client, totp_code(other_device))["Location"] == STAFF_HOME


def test_successful_sign_in_resets_the_failure_count(client, device):
    for _ in range(4):
        submit_password(client, device.user.email, "wrong")
    sign_in(client, device.user, device)
    client.post(reverse("accounts:sign_out"))
    for _ in range(4):
        assert submit_password(client, device.user.email, "wrong").status_code == 200


# --- Sessions -----------------------------------------------------------------


def test_idle_timeout_settings():
    assert settings.SESSION_COOKIE_AGE == 30 * 60
    assert settings.SESSION_SAVE_EVERY_REQUEST is True


def test_signed_in_session_lasts_thirty_idle_minutes(client, device):
    sign_in(client, device.user, device)
    assert client.session.get_expiry_age() == 1800
    stored = SessionStore(session_key=client.session.session_key)
    expires = stored.get_expiry_date()
    assert timezone.now() + timedelta(minutes=29) < expires <= timezone.now() + timedelta(minutes=30)


def test_each_request_pushes_the_expiry_forward(client, device):
    from django.contrib.sessions.models import Session

    sign_in(client, device.user, device)
    key = client.session.session_key
    Session.objects.filter(session_key=key).update(expire_date=timezone.now() + timedelta(minutes=2))

    assert client.get(STAFF_HOME).status_code == 200

    expires = Session.objects.get(session_key=key).expire_date
    assert expires > timezone.now() + timedelta(minutes=29)


def test_session_idle_for_over_thirty_minutes_no_longer_reaches_staff_pages(client, device):
    from django.contrib.sessions.models import Session

    sign_in(client, device.user, device)
    assert client.get(STAFF_HOME).status_code == 200
    key = client.session.session_key
    # As if the last request was 31 minutes ago.
    last_activity = timezone.now() - timedelta(minutes=31)
    Session.objects.filter(session_key=key).update(expire_date=last_activity + timedelta(minutes=30))

    response = client.get(STAFF_HOME)

    assert response.status_code == 302
    assert response["Location"].startswith(SIGN_IN)


# --- Signing out --------------------------------------------------------------


def test_sign_out_needs_post(device):
    # A plain client: a 405 has no page for the page check to look at.
    plain = Client()
    sign_in(plain, device.user, device)
    response = plain.get(reverse("accounts:sign_out"))
    assert response.status_code == 405
    assert plain.get(STAFF_HOME).status_code == 200


def test_sign_out_ends_the_session_and_is_audited(client, device):
    sign_in(client, device.user, device)
    old_key = client.session.session_key

    response = client.post(reverse("accounts:sign_out"))

    assert response.status_code == 302
    assert response["Location"] == reverse(settings.LOGOUT_REDIRECT_URL)
    assert not is_signed_in(client)
    assert not SessionStore().exists(old_key)
    assert client.get(STAFF_HOME)["Location"].startswith(SIGN_IN)
    [event] = events("auth.sign_out")
    assert event.actor == device.user
    assert "You have signed out." in client.get(reverse("core:home")).content.decode()
