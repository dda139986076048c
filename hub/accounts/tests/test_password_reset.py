"""Password reset end to end, with the email going through the outbox to a
real SMTP server."""

import re

import pytest
from django.conf import settings
from django.urls import reverse

from hub.accounts.models import User
from hub.accounts.tests.conftest import events, is_signed_in, submit_code, submit_password, totp_code
from hub.accounts.tests.factories import DEFAULT_PASSWORD
from hub.core.models import OutboxMessage

pytestmark = pytest.mark.django_db

RESET = reverse("accounts:password_reset")
NEW_PASSWORD = "violet-harbour-lantern-42"


def _ask_for_link(client, capture, email: str):
    with capture(execute=True):
        return client.post(RESET, {"email": email})


def _body(message) -> str:
    return message.get_payload(decode=True).decode()


def _link(message) -> str:
    match = re.search(r"(https?://\S+)", _body(message))
    assert match, _body(message)
    return match.group(1)


def _path(link: str) -> str:
    assert link.startswith(settings.SITE_URL + "/")
    return link[len(settings.SITE_URL) :]


def _open_link(client, link: str):
    """Django's view swaps the token for a session value and redirects."""
    response = client.get(_path(link))
    assert response.status_code == 302
    return response["Location"]


def test_reset_page_renders(client):
    response = client.get(RESET)
    assert response.status_code == 200
    assert 'name="email"' in response.content.decode()


def test_empty_or_malformed_address_gets_a_specific_message(client):
    assert "Enter your email address" in client.post(RESET, {"email": ""}).content.decode()
    response = client.post(RESET, {"email": "not-an-address"})
    assert "Enter an email address in the correct format, like name@example.org" in response.content.decode()


def test_existing_address_gets_exactly_one_email_with_a_link_under_site_url(
    client, device, smtp_server, django_capture_on_commit_callbacks
):
    response = _ask_for_link(client, django_capture_on_commit_callbacks, "ALEX.MORGAN@partner.example.org")

    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:password_reset_done")
    assert len(smtp_server.messages) == 1
    message = smtp_server.messages[0]
    assert smtp_server.envelopes_to == [[device.user.email]]
    assert message["To"] == device.user.email
    assert message["Subject"] == f"Reset your password for {settings.SITE_NAME}"
    link = _link(message)
    assert link.startswith(f"{settings.SITE_URL}/account/password-reset/")
    assert OutboxMessage.objects.get().state == OutboxMessage.State.SENT
    assert events("auth.password_reset_requested")


def test_link_uses_site_url_not_the_host_header(
    client, device, smtp_server, django_capture_on_commit_callbacks, settings
):
    settings.ALLOWED_HOSTS = ["testserver", "attacker.example"]
    with django_capture_on_commit_callbacks(execute=True):
        client.post(RESET, {"email": device.user.email}, HTTP_HOST="attacker.example")
    assert "attacker.example" not in _body(smtp_server.messages[0])
    assert _link(smtp_server.messages[0]).startswith(settings.SITE_URL)


def test_unknown_address_gets_the_same_page_and_no_email(client, smtp_server, django_capture_on_commit_callbacks):
    response = _ask_for_link(client, django_capture_on_commit_callbacks, "nobody@elsewhere.example")

    assert response["Location"] == reverse("accounts:password_reset_done")
    page = client.get(response["Location"])
    assert "Check your email" in page.content.decode()
    assert smtp_server.messages == []
    assert not OutboxMessage.objects.exists()
    [event] = events("auth.password_reset_requested")
    assert "nobody" not in str(event.detail)


def test_following_the_link_sets_a_new_password(client, device, smtp_server, django_capture_on_commit_callbacks):
    _ask_for_link(client, django_capture_on_commit_callbacks, device.user.email)
    form_url = _open_link(client, _link(smtp_server.messages[0]))
    page = client.get(form_url)
    assert page.status_code == 200
    assert "Choose a new password" in page.content.decode()

    response = client.post(form_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})

    assert response["Location"] == reverse("accounts:password_reset_complete")
    assert "Your password has been changed" in client.get(response["Location"]).content.decode()
    user = User.objects.get(pk=device.user.pk)
    assert user.check_password(NEW_PASSWORD)
    assert user.password.startswith("argon2")
    [event] = events("auth.password_reset_done")
    assert event.actor == user
    # A reset does not sign anyone in.
    assert not is_signed_in(client)


@pytest.mark.parametrize(
    ("first", "second", "message"),
    [
        (NEW_PASSWORD, NEW_PASSWORD + "x", "The passwords do not match"),
        ("short-pw-1", "short-pw-1", "This password is too short. It must contain at least 12 characters."),
        ("password1234", "password1234", "This password is too common."),
        ("", "", "Enter a new password"),
    ],
)
def test_new_password_is_checked(
    client, device, smtp_server, django_capture_on_commit_callbacks, first, second, message
):
    _ask_for_link(client, django_capture_on_commit_callbacks, device.user.email)
    form_url = _open_link(client, _link(smtp_server.messages[0]))

    response = client.post(form_url, {"new_password1": first, "new_password2": second})

    assert response.status_code == 200
    body = response.content.decode()
    assert "There is a problem" in body
    assert message in body
    assert User.objects.get(pk=device.user.pk).check_password(DEFAULT_PASSWORD)


def test_the_link_works_once(client, device, smtp_server, django_capture_on_commit_callbacks):
    _ask_for_link(client, django_capture_on_commit_callbacks, device.user.email)
    link = _link(smtp_server.messages[0])
    form_url = _open_link(client, link)
    client.post(form_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})

    again = client.get(_path(link))
    assert again.status_code == 200
    assert "This link does not work" in again.content.decode()
    assert 'name="new_password1"' not in again.content.decode()
    # Nor in another browser.
    other = client.__class__()
    assert "This link does not work" in other.get(_path(link)).content.decode()


def test_a_tampered_link_does_not_work(client, device, smtp_server, django_capture_on_commit_callbacks):
    _ask_for_link(client, django_capture_on_commit_callbacks, device.user.email)
    link = _link(smtp_server.messages[0])
    response = client.get(_path(link[:-3] + "zzz/" if link.endswith("/") else link + "zzz"))
    assert "This link does not work" in response.content.decode()


def test_after_a_reset_signing_in_still_needs_the_code(client, device, smtp_server, django_capture_on_commit_callbacks):
    _ask_for_link(client, django_capture_on_commit_callbacks, device.user.email)
    form_url = _open_link(client, _link(smtp_server.messages[0]))
    client.post(form_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})

    # The old password no longer works.
    assert submit_password(client, device.user.email, DEFAULT_PASSWORD).status_code == 200
    response = submit_password(client, device.user.email, NEW_PASSWORD)
    assert response["Location"] == reverse("accounts:sign_in_code")
    assert not is_signed_in(client)
    assert client.get(reverse("core:staff_home")).status_code == 302
    assert submit_code(client, totp_code(device))["Location"] == reverse("core:staff_home")


def test_inactive_account_gets_no_email(client, device, smtp_server, django_capture_on_commit_callbacks):
    User.objects.filter(pk=device.user.pk).update(is_active=False)
    response = _ask_for_link(client, django_capture_on_commit_callbacks, device.user.email)
    assert response["Location"] == reverse("accounts:password_reset_done")
    assert smtp_server.messages == []


def test_email_uses_the_configured_site_and_is_plain_text(
    client, device, smtp_server, django_capture_on_commit_callbacks, settings
):
    settings.SITE_URL = "https://hub.northshire.example"
    settings.SITE_NAME = "Northshire Children's Partnership"

    _ask_for_link(client, django_capture_on_commit_callbacks, device.user.email)

    message = smtp_server.messages[0]
    assert message["Subject"] == "Reset your password for Northshire Children's Partnership"
    body = _body(message)
    assert "your Northshire Children's Partnership account" in body
    assert "&#x27;" not in body
    assert _link(message).startswith("https://hub.northshire.example/account/password-reset/")
