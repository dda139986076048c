"""Helpers for driving the real sign-in flow: real TOTP codes, real sessions."""

import time

import pytest
from django.contrib.auth.models import AnonymousUser
from django.test import Client, RequestFactory
from django.urls import reverse
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from hub.accounts.models import User
from hub.accounts.tests.factories import DEFAULT_PASSWORD, TOTPDeviceFactory, UserFactory
from hub.audit.models import AuditEvent


def totp_code(device: TOTPDevice, *, at: float | None = None) -> str:
    """The code an authenticator app shows for `device` now (or at `at`)."""
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time() if at is None else at
    return f"{totp.token():0{device.digits}d}"


def wrong_code(device: TOTPDevice) -> str:
    """A 6-digit code that is not valid now, allowing for the one step of
    tolerance either side."""
    now = time.time()
    valid = {totp_code(device, at=now + offset * device.step) for offset in (-2, -1, 0, 1, 2)}
    return next(code for code in ("000000", "111111", "222222", "333333", "444444", "555555") if code not in valid)


def allow_code_reuse(device: TOTPDevice) -> None:
    """A code works once (last_t); forget the last use so the next sign-in in
    the same 30 seconds can use the code for this step again."""
    TOTPDevice.objects.filter(pk=device.pk).update(last_t=-1, throttling_failure_count=0)


def submit_password(client, email: str, password: str = DEFAULT_PASSWORD, next_url: str | None = None):
    url = reverse("accounts:sign_in")
    if next_url is not None:
        url += "?next=" + next_url
    data = {"email": email, "password": password}
    if next_url is not None:
        data["next"] = next_url
    return client.post(url, data)


def submit_code(client, code: str):
    return client.post(reverse("accounts:sign_in_code"), {"code": code})


def sign_in(client, user: User, device: TOTPDevice, next_url: str | None = None):
    """Both steps, as a person does them; returns the final response."""
    response = submit_password(client, user.email, next_url=next_url)
    assert response.status_code == 302, response.content.decode()
    assert response["Location"] == reverse("accounts:sign_in_code")
    return submit_code(client, totp_code(device))


def actions() -> list[str]:
    return list(AuditEvent.objects.order_by("sequence").values_list("action", flat=True))


def events(action: str) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action=action).order_by("sequence"))


def is_signed_in(client) -> bool:
    return "_auth_user_id" in client.session


def plain_verified_client(user: User) -> Client:
    """Like hub.conftest.verified_client, but a plain Client: for Django admin
    pages, whose markup is Django's and not held to our page check."""
    from hub.conftest import verified_client

    return verified_client(user, checked=False)


def service_request(path: str = "/"):
    request = RequestFactory().post(path, REMOTE_ADDR="192.0.2.10")
    request.user = AnonymousUser()
    return request


@pytest.fixture
def staff_user(db) -> User:
    return UserFactory(email="alex.morgan@partner.example.org", full_name="Alex Morgan")


@pytest.fixture
def device(staff_user) -> TOTPDevice:
    return TOTPDeviceFactory(user=staff_user)
