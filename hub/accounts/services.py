"""Sign-in, two-factor enrolment and recovery codes."""

import secrets

import segno
from django.conf import settings
from django.contrib.auth import authenticate
from django.db import transaction
from django.http import HttpRequest
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from hub.accounts.models import Organisation, User, normalise_email
from hub.audit.models import AuditEvent
from hub.audit.services import audit_record
from hub.core.errors import ApplicationError

RECOVERY_CODE_COUNT = 10
TOTP_DEVICE_NAME = "Authenticator app"
RECOVERY_DEVICE_NAME = "Recovery codes"


def axes_username(request: HttpRequest, credentials: dict | None = None) -> str | None:
    """The account django-axes counts failures against: the typed email, normalised.

    `authenticate()` passes credentials keyed "username"; axes itself builds
    them keyed by AXES_USERNAME_FORM_FIELD (USERNAME_FIELD, "email") when a
    sign-in succeeds, on the code step, whose form has no email field. Missing
    that key left the failures in place after a successful sign-in."""
    credentials = credentials or {}
    value = (
        credentials.get("username")
        or credentials.get(settings.AXES_USERNAME_FORM_FIELD)
        or credentials.get("email")
        or request.POST.get("email")
    )
    return normalise_email(value) if value else None


def user_create(
    *,
    email: str,
    full_name: str,
    password: str | None,
    organisation: Organisation | None = None,
    is_staff: bool = False,
) -> User:
    return User.objects.create_user(
        email=email, password=password, full_name=full_name, organisation=organisation, is_staff=is_staff
    )


def password_check(*, request: HttpRequest, email: str, password: str) -> User | None:
    """The first factor. Failures are counted (lockout) and audited by the signals."""
    user = authenticate(request=request, username=normalise_email(email), password=password)
    return user if isinstance(user, User) else None


def totp_device_confirmed(user: User) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).first()


def totp_enrolment_start(*, user: User) -> TOTPDevice:
    """An unconfirmed authenticator for the user to scan; reused until confirmed."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=TOTP_DEVICE_NAME, confirmed=False)
    return device


def totp_qr_svg(device: TOTPDevice) -> str:
    svg = segno.make(device.config_url, error="m").svg_inline(scale=5, border=4, title="QR code")
    return svg.replace("<svg ", '<svg role="img" aria-label="QR code to scan with your authenticator app" ', 1)


def totp_secret_base32(device: TOTPDevice) -> str:
    """The secret as people type it into an app: base32 in groups of four."""
    import base64

    secret = base64.b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def _normalise_code(code: str) -> str:
    return "".join(ch for ch in code.lower() if ch.isalnum())


_THROTTLED_MESSAGE = "Too many wrong codes. Wait a minute, then enter the code your app shows now"


def totp_enrolment_confirm(*, request: HttpRequest, user: User, device: TOTPDevice, code: str) -> list[str]:
    """Confirm the authenticator with a first code and issue recovery codes."""
    if not device.verify_is_allowed()[0]:
        # verify_token would refuse even the right code; say why.
        raise ApplicationError(_THROTTLED_MESSAGE, field="code")
    if not device.verify_token(_normalise_code(code)):
        audit_record(
            action="auth.2fa_enrol_failed", actor=user, request=request, obj=user, outcome=AuditEvent.Outcome.FAILURE
        )
        raise ApplicationError("The code is not correct. Enter the 6-digit code your app shows now", field="code")
    with transaction.atomic():
        TOTPDevice.objects.filter(user=user, confirmed=True).exclude(pk=device.pk).delete()
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        codes = _recovery_codes_replace(user=user)
        audit_record(action="auth.2fa_enrolled", actor=user, request=request, obj=user)
    return codes


def _recovery_codes_replace(*, user: User) -> list[str]:
    device, _ = StaticDevice.objects.get_or_create(user=user, name=RECOVERY_DEVICE_NAME, defaults={"confirmed": True})
    device.token_set.all().delete()
    codes = [secrets.token_hex(5) for _ in range(RECOVERY_CODE_COUNT)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return [f"{code[:5]}-{code[5:]}" for code in codes]


def recovery_codes_regenerate(*, request: HttpRequest, user: User) -> list[str]:
    with transaction.atomic():
        codes = _recovery_codes_replace(user=user)
        audit_record(action="auth.recovery_codes_regenerated", actor=user, request=request, obj=user)
    return codes


def recovery_codes_remaining(*, user: User) -> int:
    return StaticToken.objects.filter(device__user=user, device__name=RECOVERY_DEVICE_NAME).count()


def second_factor_verify(*, request: HttpRequest, user: User, code: str):
    """The second factor: a code from the app, or a one-time recovery code.
    Returns the device that matched; raises ApplicationError otherwise."""
    token = _normalise_code(code)
    totp = totp_device_confirmed(user)
    if totp is None:
        raise ApplicationError("Set up your authenticator app first", field="code")
    recovery_devices = list(StaticDevice.objects.filter(user=user, confirmed=True))
    # One throttle for the step: a wrong recovery code delays app codes too, and
    # a throttled device would refuse even the right code, so say so instead.
    if not all(device.verify_is_allowed()[0] for device in [totp, *recovery_devices]):
        audit_record(
            action="auth.2fa_throttled", actor=user, request=request, obj=user, outcome=AuditEvent.Outcome.DENIED
        )
        raise ApplicationError(_THROTTLED_MESSAGE, field="code")
    # A wrong app code counts towards the device's throttle (verify_token does it).
    if len(token) == 6 and token.isdigit() and totp.verify_token(token):
        return totp
    for device in recovery_devices:
        if device.verify_token(token):
            audit_record(
                action="auth.recovery_code_used",
                actor=user,
                request=request,
                obj=user,
                detail={"remaining": recovery_codes_remaining(user=user)},
            )
            return device
    audit_record(action="auth.2fa_failed", actor=user, request=request, obj=user, outcome=AuditEvent.Outcome.FAILURE)
    raise ApplicationError("The code is not correct. Enter the 6-digit code your app shows now", field="code")
