"""The second factor through the views: codes, throttling, recovery codes and
first-time enrolment of an authenticator app."""

import base64
import re

import pytest
from django.urls import reverse
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from hub.accounts import services
from hub.accounts.tests.conftest import (
    allow_code_reuse,
    events,
    is_signed_in,
    service_request,
    sign_in,
    submit_code,
    submit_password,
    totp_code,
    wrong_code,
)
from hub.accounts.tests.factories import TOTPDeviceFactory, UserFactory
from hub.audit.models import AuditEvent

pytestmark = pytest.mark.django_db

STAFF_HOME = reverse("core:staff_home")
SIGN_IN = reverse("accounts:sign_in")
CODE_PAGE = reverse("accounts:sign_in_code")
SET_UP = reverse("accounts:two_factor_setup")
NEW_CODES = reverse("accounts:recovery_codes_new")
WRONG_CODE_MESSAGE = "The code is not correct. Enter the 6-digit code your app shows now"
THROTTLED_MESSAGE = "Too many wrong codes. Wait a minute, then enter the code your app shows now"


def _shown_codes(html: str) -> list[str]:
    listing = re.search(r'<ul class="govuk-list hub-recovery-codes" id="recovery-codes">(.*?)</ul>', html, re.S)
    assert listing, "no recovery code list on the page"
    return re.findall(r"<li>([^<]+)</li>", listing.group(1))


# --- Entering a code ------------------------------------------------------------


def test_code_page_renders(client, device):
    submit_password(client, device.user.email)
    response = client.get(CODE_PAGE)
    assert response.status_code == 200
    body = response.content.decode()
    assert 'autocomplete="one-time-code"' in body
    assert "I do not have my phone" in body


def test_empty_code_gets_a_specific_message(client, device):
    submit_password(client, device.user.email)
    response = submit_code(client, "")
    assert response.status_code == 200
    assert "Enter the security code" in response.content.decode()
    assert not is_signed_in(client)


def test_wrong_code_shows_an_error_and_is_audited(client, device):
    submit_password(client, device.user.email)

    response = submit_code(client, wrong_code(device))

    assert response.status_code == 200
    body = response.content.decode()
    assert "There is a problem" in body
    assert f'<a href="#id_code">{WRONG_CODE_MESSAGE}</a>' in body
    assert not is_signed_in(client)
    assert client.get(STAFF_HOME)["Location"].startswith(SIGN_IN)
    [event] = events("auth.2fa_failed")
    assert event.actor == device.user
    assert event.outcome == AuditEvent.Outcome.FAILURE
    assert not events("auth.sign_in")


def test_repeated_wrong_codes_are_throttled(client, device):
    submit_password(client, device.user.email)
    submit_code(client, wrong_code(device))

    # At once, even the right code waits out the throttle.
    response = submit_code(client, totp_code(device))

    assert response.status_code == 200
    assert THROTTLED_MESSAGE in response.content.decode()
    assert not is_signed_in(client)
    assert events("auth.2fa_throttled")


def test_after_the_throttle_delay_the_right_code_works(client, device):
    submit_password(client, device.user.email)
    submit_code(client, wrong_code(device))
    # As if the delay had passed: move the failure back in time.
    device.refresh_from_db()
    TOTPDevice.objects.filter(pk=device.pk).update(
        throttling_failure_timestamp=device.throttling_failure_timestamp.replace(year=2000)
    )

    assert submit_code(client, totp_code(device))["Location"] == STAFF_HOME


def test_a_code_works_only_once(client, device):
    code = totp_code(device)
    submit_password(client, device.user.email)
    assert submit_code(client, code)["Location"] == STAFF_HOME
    client.post(reverse("accounts:sign_out"))

    submit_password(client, device.user.email)
    response = submit_code(client, code)

    assert response.status_code == 200
    assert WRONG_CODE_MESSAGE in response.content.decode()
    assert not is_signed_in(client)


def test_two_sign_ins_in_one_step_with_reset_last_use(client, device):
    sign_in(client, device.user, device)
    client.post(reverse("accounts:sign_out"))
    allow_code_reuse(device)
    assert sign_in(client, device.user, device)["Location"] == STAFF_HOME


def test_code_with_spaces_is_accepted(client, device):
    code = totp_code(device)
    submit_password(client, device.user.email)
    assert submit_code(client, f" {code[:3]} {code[3:]} ")["Location"] == STAFF_HOME


# --- Recovery codes -------------------------------------------------------------


def test_a_recovery_code_works_once_and_only_once(client, device):
    codes = services.recovery_codes_regenerate(request=service_request(), user=device.user)

    submit_password(client, device.user.email)
    response = submit_code(client, codes[0].upper())  # as typed from paper

    assert response["Location"] == STAFF_HOME
    session = client.session
    assert session[DEVICE_ID_SESSION_KEY].startswith("otp_static.staticdevice/")
    assert client.get(STAFF_HOME).status_code == 200
    [used] = events("auth.recovery_code_used")
    assert used.detail == {"remaining": 9}
    client.post(reverse("accounts:sign_out"))

    submit_password(client, device.user.email)
    response = submit_code(client, codes[0])
    assert response.status_code == 200
    assert WRONG_CODE_MESSAGE in response.content.decode()
    assert not is_signed_in(client)


def test_recovery_codes_page_counts_and_regenerates(client, device):
    old = services.recovery_codes_regenerate(request=service_request(), user=device.user)
    sign_in(client, device.user, device)

    page = client.get(reverse("accounts:recovery_codes"))
    assert "You have 10 unused recovery codes." in page.content.decode()

    response = client.post(reverse("accounts:recovery_codes"))
    assert response["Location"] == NEW_CODES
    new = _shown_codes(client.get(NEW_CODES).content.decode())
    assert len(new) == 10
    assert set(new).isdisjoint(old)
    assert StaticToken.objects.filter(device__user=device.user).count() == 10
    assert events("auth.recovery_codes_regenerated")
    # The old codes no longer work.
    client.post(reverse("accounts:sign_out"))
    submit_password(client, device.user.email)
    assert WRONG_CODE_MESSAGE in submit_code(client, old[0]).content.decode()


def test_recovery_code_pages_need_a_verified_sign_in(client, device):
    submit_password(client, device.user.email)  # password only
    for name in ["accounts:recovery_codes", "accounts:recovery_codes_new"]:
        response = client.get(reverse(name))
        assert response.status_code == 302
        assert response["Location"].startswith(SIGN_IN)


# --- Enrolment ------------------------------------------------------------------


@pytest.fixture
def newcomer(db):
    return UserFactory(email="sam.newcomer@partner.example.org", full_name="Sam Newcomer")


def test_user_without_an_authenticator_is_sent_to_set_up(client, newcomer):
    response = submit_password(client, newcomer.email)
    assert response["Location"] == SET_UP
    assert not is_signed_in(client)


def test_set_up_page_shows_an_accessible_qr_code_and_the_secret(client, newcomer):
    submit_password(client, newcomer.email)

    response = client.get(SET_UP)

    assert response.status_code == 200
    body = response.content.decode()
    svg = re.search(r"<svg[^>]*>", body)
    assert svg, "no QR code"
    assert 'role="img"' in svg.group(0)
    assert 'aria-label="QR code to scan with your authenticator app"' in svg.group(0)
    device = TOTPDevice.objects.get(user=newcomer)
    assert device.confirmed is False
    secret = base64.b32encode(device.bin_key).decode().rstrip("=")
    shown = re.search(r'<p class="govuk-body hub-recovery-codes" id="totp-secret">([A-Z2-7 ]+)</p>', body)
    assert shown
    assert shown.group(1).replace(" ", "") == secret
    # Reloading the page keeps the same secret (the app may have scanned it).
    assert client.get(SET_UP).content.decode().count(shown.group(1)) == 1
    assert TOTPDevice.objects.filter(user=newcomer).count() == 1


def test_set_up_page_needs_the_password_step(client, newcomer):
    response = client.get(SET_UP)
    assert response["Location"] == SIGN_IN
    assert not TOTPDevice.objects.filter(user=newcomer).exists()


def test_wrong_code_during_set_up_is_refused_and_audited(client, newcomer):
    submit_password(client, newcomer.email)
    client.get(SET_UP)
    device = TOTPDevice.objects.get(user=newcomer)

    response = client.post(SET_UP, {"code": wrong_code(device)})

    assert response.status_code == 200
    assert WRONG_CODE_MESSAGE in response.content.decode()
    device.refresh_from_db()
    assert device.confirmed is False
    assert not is_signed_in(client)
    assert events("auth.2fa_enrol_failed")


def test_empty_code_during_set_up_gets_a_specific_message(client, newcomer):
    submit_password(client, newcomer.email)
    response = client.post(SET_UP, {"code": ""})
    assert "Enter the 6-digit code from your authenticator app" in response.content.decode()


def test_set_up_confirms_the_device_signs_in_and_shows_codes_once(client, newcomer):
    submit_password(client, newcomer.email)
    client.get(SET_UP)
    device = TOTPDevice.objects.get(user=newcomer)

    response = client.post(SET_UP, {"code": totp_code(device)})

    assert response.status_code == 302
    assert response["Location"] == NEW_CODES
    device.refresh_from_db()
    assert device.confirmed is True
    assert is_signed_in(client)
    assert client.session[DEVICE_ID_SESSION_KEY] == device.persistent_id
    assert events("auth.2fa_enrolled")
    assert events("auth.sign_in")

    page = client.get(NEW_CODES)
    assert page.status_code == 200
    codes = _shown_codes(page.content.decode())
    assert len(codes) == 10
    assert len(set(codes)) == 10
    assert all(re.fullmatch(r"[0-9a-f]{5}-[0-9a-f]{5}", code) for code in codes)

    # Shown once: the second visit shows no codes.
    again = client.get(NEW_CODES)
    assert again.status_code == 302
    assert again["Location"] == reverse("accounts:recovery_codes")
    listing = client.get(again["Location"]).content.decode()
    assert not any(code in listing for code in codes)
    assert "You have 10 unused recovery codes." in listing


def test_recovery_code_from_set_up_works_at_the_next_sign_in(client, newcomer):
    submit_password(client, newcomer.email)
    client.get(SET_UP)
    device = TOTPDevice.objects.get(user=newcomer)
    client.post(SET_UP, {"code": totp_code(device)})
    codes = _shown_codes(client.get(NEW_CODES).content.decode())
    client.post(reverse("accounts:sign_out"))

    submit_password(client, newcomer.email)  # now has a device: straight to the code
    assert submit_code(client, codes[3])["Location"] == STAFF_HOME


def test_set_up_is_refused_once_a_device_is_confirmed(client, device):
    submit_password(client, device.user.email)
    response = client.get(SET_UP)
    assert response["Location"] == CODE_PAGE
    # Knowing the password is not enough to add a second authenticator.
    response = client.post(SET_UP, {"code": "123456"})
    assert response["Location"] == CODE_PAGE
    assert TOTPDevice.objects.filter(user=device.user).count() == 1


def test_unconfirmed_device_never_passes_sign_in(client, newcomer):
    unconfirmed = TOTPDeviceFactory(user=newcomer, confirmed=False)

    response = submit_password(client, newcomer.email)
    assert response["Location"] == SET_UP
    # Going to the code page directly with the unconfirmed device's code.
    response = submit_code(client, totp_code(unconfirmed))

    assert response.status_code == 200
    assert "Set up your authenticator app first" in response.content.decode()
    assert not is_signed_in(client)


def test_session_key_changes_at_set_up_sign_in(client, newcomer):
    submit_password(client, newcomer.email)
    client.get(SET_UP)
    pending_key = client.session.session_key
    device = TOTPDevice.objects.get(user=newcomer)
    client.post(SET_UP, {"code": totp_code(device)})
    assert client.session.session_key != pending_key
    # The codes survive the new session.
    assert len(_shown_codes(client.get(NEW_CODES).content.decode())) == 10


def test_right_code_straight_after_a_wrong_one_at_set_up_says_to_wait(client, newcomer):
    submit_password(client, newcomer.email)
    client.get(SET_UP)
    device = TOTPDevice.objects.get(user=newcomer)
    client.post(SET_UP, {"code": wrong_code(device)})

    response = client.post(SET_UP, {"code": totp_code(device)})

    # Not "the code is not correct": it may well be correct.
    assert THROTTLED_MESSAGE in response.content.decode()
    assert not is_signed_in(client)
