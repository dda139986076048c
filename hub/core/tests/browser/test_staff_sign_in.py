import time

import pytest
from django_otp.oath import TOTP
from playwright.sync_api import Page, expect

from hub.accounts.roles import Role
from hub.accounts.tests.factories import DEFAULT_PASSWORD, TOTPDeviceFactory, UserFactory

from .conftest import assert_accessible

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def current_code(device) -> str:
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time()
    return f"{totp.token():06d}"


def test_sign_in_with_password_and_authenticator_code(page: Page):
    user = UserFactory(email="coordinator@partnership.example.org", roles=[Role.CAMPAIGN_COORDINATOR])
    device = TOTPDeviceFactory(user=user)

    page.goto("/staff/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in")
    assert_accessible(page)

    page.get_by_label("Email address").fill("Coordinator@Partnership.example.org")
    page.get_by_label("Password").fill("not the password")
    page.get_by_role("button", name="Continue").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter a correct email address and password")
    assert page.title().startswith("Error: ")
    assert_accessible(page)

    page.get_by_label("Password").fill(DEFAULT_PASSWORD)
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Security code")
    assert_accessible(page)

    page.get_by_label("Security code").fill(current_code(device))
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Staff pages")
    expect(page.get_by_role("link", name="Campaigns").last).to_be_visible()
    assert_accessible(page)


def test_first_sign_in_sets_up_the_authenticator(page: Page):
    UserFactory(email="new.starter@partnership.example.org", roles=[Role.TRAINER])

    page.goto("/account/sign-in/")
    page.get_by_label("Email address").fill("new.starter@partnership.example.org")
    page.get_by_label("Password").fill(DEFAULT_PASSWORD)
    page.get_by_role("button", name="Continue").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Set up your authenticator app")
    expect(page.get_by_role("img", name="QR code to scan with your authenticator app")).to_be_visible()
    assert_accessible(page)

    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.get(user__email="new.starter@partnership.example.org")
    page.get_by_label("Enter the 6-digit code from your app").fill(current_code(device))
    page.get_by_role("button", name="Continue").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Save your recovery codes")
    expect(page.locator("#recovery-codes li")).to_have_count(10)
    assert_accessible(page)
