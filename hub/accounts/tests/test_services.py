import base64

import pytest
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from hub.accounts import services
from hub.accounts.models import User
from hub.accounts.tests.conftest import events, service_request, totp_code, wrong_code
from hub.accounts.tests.factories import DEFAULT_PASSWORD, OrganisationFactory, TOTPDeviceFactory, UserFactory
from hub.audit.models import AuditEvent
from hub.core.errors import ApplicationError

pytestmark = pytest.mark.django_db


# --- Users and passwords -----------------------------------------------------------


def test_user_create_normalises_email_and_hashes_with_argon2():
    organisation = OrganisationFactory()
    user = services.user_create(
        email=" Chris.Ward@Council.Example.ORG",
        full_name="Chris Ward",
        password=DEFAULT_PASSWORD,
        organisation=organisation,
    )
    user.refresh_from_db()
    assert user.email == "chris.ward@council.example.org"
    assert user.password.startswith("argon2")
    assert user.organisation == organisation
    assert user.is_staff is False


def test_password_check_is_case_insensitive_on_the_email(staff_user):
    request = service_request()
    assert (
        services.password_check(request=request, email="ALEX.MORGAN@partner.example.org ", password=DEFAULT_PASSWORD)
        == staff_user
    )


def test_password_check_refuses_a_wrong_password_and_the_signal_audits_it(staff_user):
    assert services.password_check(request=service_request(), email=staff_user.email, password="nope") is None
    [event] = events("auth.sign_in_failed")
    assert event.actor == staff_user
    assert event.ip_address == "192.0.2.10"


def test_password_check_refuses_an_inactive_user(staff_user):
    User.objects.filter(pk=staff_user.pk).update(is_active=False)
    assert services.password_check(request=service_request(), email=staff_user.email, password=DEFAULT_PASSWORD) is None


@pytest.mark.parametrize(
    ("credentials", "post", "expected"),
    [
        ({"username": " Alex@Partner.Example.org"}, {}, "alex@partner.example.org"),
        # axes builds credentials keyed by USERNAME_FIELD on a successful sign-in.
        ({"email": "ALEX@partner.example.org"}, {"code": "123456"}, "alex@partner.example.org"),
        (None, {"email": "Alex@Partner.example.org"}, "alex@partner.example.org"),
        (None, {}, None),
    ],
)
def test_axes_username_is_the_normalised_email(rf, credentials, post, expected):
    request = rf.post("/account/sign-in/", post)
    assert services.axes_username(request, credentials) == expected


# --- Enrolment --------------------------------------------------------------------


def test_enrolment_start_reuses_the_unconfirmed_device(staff_user):
    first = services.totp_enrolment_start(user=staff_user)
    again = services.totp_enrolment_start(user=staff_user)
    assert first == again
    assert first.confirmed is False
    assert first.name == services.TOTP_DEVICE_NAME


def test_qr_code_is_an_svg_with_an_accessible_name(staff_user):
    device = services.totp_enrolment_start(user=staff_user)
    svg = services.totp_qr_svg(device)
    assert svg.startswith("<svg ")
    assert 'role="img"' in svg
    assert 'aria-label="QR code to scan with your authenticator app"' in svg
    assert "<title>QR code</title>" in svg


def test_secret_is_base32_in_groups_of_four(staff_user):
    device = services.totp_enrolment_start(user=staff_user)
    shown = services.totp_secret_base32(device)
    groups = shown.split(" ")
    assert all(len(group) == 4 for group in groups[:-1])
    assert 0 < len(groups[-1]) <= 4
    padded = shown.replace(" ", "")
    padded += "=" * (-len(padded) % 8)
    assert base64.b32decode(padded) == device.bin_key


def test_enrolment_confirm_with_a_right_code_issues_ten_recovery_codes(staff_user):
    device = services.totp_enrolment_start(user=staff_user)

    codes = services.totp_enrolment_confirm(
        request=service_request(), user=staff_user, device=device, code=totp_code(device)
    )

    device.refresh_from_db()
    assert device.confirmed is True
    assert len(codes) == services.RECOVERY_CODE_COUNT == 10
    assert len(set(codes)) == 10
    assert services.recovery_codes_remaining(user=staff_user) == 10
    assert events("auth.2fa_enrolled")[0].actor == staff_user


def test_enrolment_confirm_with_a_wrong_code_is_refused(staff_user):
    device = services.totp_enrolment_start(user=staff_user)
    wrong = wrong_code(device)
    with pytest.raises(ApplicationError) as caught:
        services.totp_enrolment_confirm(request=service_request(), user=staff_user, device=device, code=wrong)
    assert caught.value.field == "code"
    device.refresh_from_db()
    assert device.confirmed is False
    assert not StaticDevice.objects.filter(user=staff_user).exists()
    assert events("auth.2fa_enrol_failed")[0].outcome == AuditEvent.Outcome.FAILURE


def test_a_second_confirmed_device_replaces_the_first(staff_user):
    old = TOTPDeviceFactory(user=staff_user)
    old_codes = services.recovery_codes_regenerate(request=service_request(), user=staff_user)
    new = TOTPDevice.objects.create(user=staff_user, name=services.TOTP_DEVICE_NAME, confirmed=False)

    new_codes = services.totp_enrolment_confirm(
        request=service_request(), user=staff_user, device=new, code=totp_code(new)
    )

    assert list(TOTPDevice.objects.filter(user=staff_user)) == [new]
    assert not TOTPDevice.objects.filter(pk=old.pk).exists()
    assert services.totp_device_confirmed(staff_user) == new
    # New recovery codes too; the old ones stop working.
    tokens = set(StaticToken.objects.filter(device__user=staff_user).values_list("token", flat=True))
    assert tokens == {code.replace("-", "") for code in new_codes}
    assert tokens.isdisjoint(code.replace("-", "") for code in old_codes)
    assert StaticDevice.objects.filter(user=staff_user).count() == 1


def test_totp_device_confirmed_ignores_unconfirmed_devices(staff_user):
    TOTPDeviceFactory(user=staff_user, confirmed=False)
    assert services.totp_device_confirmed(staff_user) is None


# --- The second factor ------------------------------------------------------------


def test_second_factor_accepts_the_current_code_once(device):
    code = totp_code(device)
    assert services.second_factor_verify(request=service_request(), user=device.user, code=code) == device
    with pytest.raises(ApplicationError):
        services.second_factor_verify(request=service_request(), user=device.user, code=code)


def test_second_factor_refuses_without_a_confirmed_app(staff_user):
    unconfirmed = TOTPDeviceFactory(user=staff_user, confirmed=False)
    with pytest.raises(ApplicationError, match="Set up your authenticator app first"):
        services.second_factor_verify(request=service_request(), user=staff_user, code=totp_code(unconfirmed))


def test_second_factor_refuses_another_users_code(device):
    other = TOTPDeviceFactory()
    with pytest.raises(ApplicationError):
        services.second_factor_verify(request=service_request(), user=device.user, code=totp_code(other))


def test_recovery_code_works_once_in_any_case_and_with_or_without_the_dash(device):
    codes = services.recovery_codes_regenerate(request=service_request(), user=device.user)
    used = services.second_factor_verify(request=service_request(), user=device.user, code=codes[0].upper())
    assert isinstance(used, StaticDevice)
    assert services.recovery_codes_remaining(user=device.user) == 9
    assert (
        services.second_factor_verify(request=service_request(), user=device.user, code=codes[1].replace("-", " "))
        == used
    )
    with pytest.raises(ApplicationError):
        services.second_factor_verify(request=service_request(), user=device.user, code=codes[0])
    assert [event.detail for event in events("auth.recovery_code_used")] == [{"remaining": 9}, {"remaining": 8}]


def test_wrong_codes_are_throttled_and_audited(device):
    wrong = wrong_code(device)
    with pytest.raises(ApplicationError, match="not correct"):
        services.second_factor_verify(request=service_request(), user=device.user, code=wrong)
    with pytest.raises(ApplicationError, match="Too many wrong codes"):
        services.second_factor_verify(request=service_request(), user=device.user, code=totp_code(device))
    assert events("auth.2fa_failed")[0].outcome == AuditEvent.Outcome.FAILURE
    assert events("auth.2fa_throttled")[0].outcome == AuditEvent.Outcome.DENIED


def test_a_wrong_recovery_code_throttles_the_whole_step(device):
    services.recovery_codes_regenerate(request=service_request(), user=device.user)
    with pytest.raises(ApplicationError, match="not correct"):
        services.second_factor_verify(request=service_request(), user=device.user, code="aaaaa-bbbbb")
    with pytest.raises(ApplicationError, match="Too many wrong codes"):
        services.second_factor_verify(request=service_request(), user=device.user, code=totp_code(device))


def test_regenerating_recovery_codes_replaces_them_and_is_audited(device):
    first = services.recovery_codes_regenerate(request=service_request(), user=device.user)
    second = services.recovery_codes_regenerate(request=service_request(), user=device.user)
    assert set(first).isdisjoint(second)
    assert services.recovery_codes_remaining(user=device.user) == 10
    assert len(events("auth.recovery_codes_regenerated")) == 2


def test_other_users_recovery_codes_do_not_count(device):
    other = UserFactory()
    services.recovery_codes_regenerate(request=service_request(), user=other)
    assert services.recovery_codes_remaining(user=device.user) == 0
